//! Building the e-mails saraban sends: a letter with its files and facts part, or an acceptance
//! notice. The bytes are built once and stored; retries send exactly these bytes.

use base64::Engine;
use lettre::Message;
use lettre::message::header::{ContentDisposition, ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MessageBuilder, MultiPart, SinglePart};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ComposeError {
    #[error("ที่อยู่อีเมลไม่ถูกต้อง: {0}")]
    Address(String),
    #[error("สร้างอีเมลไม่ได้: {0}")]
    Build(String),
}

/// A file to attach.
pub struct OutgoingFile {
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// The machine-readable part (a small JSON attachment).
pub struct FactsPart {
    pub media_type: &'static str,
    pub file_name: &'static str,
    pub json: Vec<u8>,
}

pub struct OutgoingMail<'a> {
    pub from_addr: &'a str,
    pub from_name: &'a str,
    pub to_addr: &'a str,
    /// Without the angle brackets.
    pub message_id: &'a str,
    pub subject: String,
    pub body: String,
    pub facts: FactsPart,
    pub files: Vec<OutgoingFile>,
    /// `letter` or `notice`: the value of our `X-Saraban` header after the version.
    pub kind: &'static str,
    /// Mail the system writes by itself (notices) says so, and answers the letter's Message-ID.
    pub auto_submitted: bool,
    pub in_reply_to: Option<&'a str>,
}

/// A fresh Message-ID (without brackets) in the sender's domain.
pub fn new_message_id(from_addr: &str) -> String {
    let mut random = [0u8; 12];
    // getrandom only fails when the OS has no entropy source at all; a time-based id still
    // keeps ids distinct on one machine.
    if getrandom::fill(&mut random).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        random[..12].copy_from_slice(&nanos.to_le_bytes()[..12]);
    }
    let domain = from_addr
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "saraban.invalid".into());
    format!("saraban.{}@{domain}", hex::encode(random))
}

fn mailbox(name: &str, addr: &str) -> Result<Mailbox, ComposeError> {
    let address = addr
        .trim()
        .parse()
        .map_err(|_| ComposeError::Address(addr.to_string()))?;
    let name = name.trim();
    Ok(Mailbox::new(
        (!name.is_empty()).then(|| name.to_string()),
        address,
    ))
}

/// `name="=?utf-8?b?…?="` for the Content-Type: Outlook reads this form, while Thunderbird and
/// others read the RFC 2231 `filename*=` that lettre writes on Content-Disposition.
fn content_type_with_name(mime: &str, name: &str) -> Result<ContentType, ComposeError> {
    let quoted = if name.is_ascii() {
        name.replace(['"', '\\'], "_")
    } else {
        format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(name.as_bytes())
        )
    };
    ContentType::parse(&format!("{mime}; name=\"{quoted}\""))
        .or_else(|_| ContentType::parse("application/octet-stream"))
        .map_err(|e| ComposeError::Build(e.to_string()))
}

fn attachment(name: &str, mime: &str, data: Vec<u8>) -> Result<SinglePart, ComposeError> {
    Ok(SinglePart::builder()
        .header(content_type_with_name(mime, name)?)
        .header(ContentDisposition::attachment(name))
        .body(data))
}

/// The message's bytes, ready for SMTP.
/// From, To, Subject, Message-ID, Date and our `X-Saraban: <version>; <kind>` header.
fn headers(
    from_name: &str,
    from_addr: &str,
    to_addr: &str,
    subject: String,
    message_id: &str,
    kind: &str,
) -> Result<MessageBuilder, ComposeError> {
    Ok(Message::builder()
        .from(mailbox(from_name, from_addr)?)
        .to(mailbox("", to_addr)?)
        .subject(subject)
        .message_id(Some(format!("<{message_id}>")))
        .date_now()
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Saraban"),
            format!("{}; {kind}", crate::domain::exchange::VERSION),
        )))
}

pub fn build(mail: OutgoingMail<'_>) -> Result<Vec<u8>, ComposeError> {
    let mut builder = headers(
        mail.from_name,
        mail.from_addr,
        mail.to_addr,
        mail.subject,
        mail.message_id,
        mail.kind,
    )?;
    if mail.auto_submitted {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-replied".into(),
        ));
    }
    if let Some(id) = mail.in_reply_to {
        builder = builder
            .in_reply_to(format!("<{id}>"))
            .references(format!("<{id}>"));
    }
    let mut parts = MultiPart::mixed().singlepart(
        SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body),
    );
    for f in mail.files {
        parts = parts.singlepart(attachment(&f.name, &f.mime, f.data)?);
    }
    parts = parts.singlepart(attachment(
        mail.facts.file_name,
        mail.facts.media_type,
        mail.facts.json,
    )?);
    let message = builder
        .multipart(parts)
        .map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok(message.formatted())
}

/// A plain Thai text mail the system writes by itself (a notification to our own people).
pub struct PlainMail<'a> {
    pub from_addr: &'a str,
    pub from_name: &'a str,
    pub to_addr: &'a str,
    pub message_id: &'a str,
    pub subject: String,
    pub body: String,
}

pub fn build_plain(mail: PlainMail<'_>) -> Result<Vec<u8>, ComposeError> {
    let message = headers(
        mail.from_name,
        mail.from_addr,
        mail.to_addr,
        mail.subject,
        mail.message_id,
        "notification",
    )?
    .raw_header(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".into(),
    ))
    .singlepart(
        SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body),
    )
    .map_err(|e| ComposeError::Build(e.to_string()))?;
    Ok(message.formatted())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_names_in_both_forms_and_the_facts_part() {
        let raw = build(OutgoingMail {
            from_addr: "school@example.test",
            from_name: "โรงเรียนบ้านหนองบัว",
            to_addr: "central@example.test",
            message_id: "saraban.1@example.test",
            subject: "ที่ ศธ 04183.006/1 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง ทดสอบ".into(),
            body: "เรียน ผู้อำนวยการ".into(),
            facts: FactsPart {
                media_type: crate::domain::exchange::LETTER_MEDIA_TYPE,
                file_name: crate::domain::exchange::FACTS_FILE_NAME,
                json: b"{}".to_vec(),
            },
            files: vec![OutgoingFile {
                name: "หนังสือนำส่ง.pdf".into(),
                mime: "application/pdf".into(),
                data: b"%PDF-1.4\n".to_vec(),
            }],
            kind: "letter",
            auto_submitted: false,
            in_reply_to: None,
        })
        .unwrap();
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("Message-ID: <saraban.1@example.test>"),
            "{text}"
        );
        assert!(text.contains("X-Saraban: 1; letter"));
        assert!(text.contains("name=\"=?utf-8?b?"), "{text}");
        assert!(text.contains("filename*"), "{text}");
        // Any mail reader (ours too) finds the Thai name, subject and the parts.
        let parsed = crate::message::parse::parse(&raw).unwrap();
        assert_eq!(
            parsed.subject,
            "ที่ ศธ 04183.006/1 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง ทดสอบ"
        );
        assert_eq!(parsed.files.len(), 1);
        assert_eq!(parsed.files[0].name, "หนังสือนำส่ง.pdf");
        assert_eq!(&parsed.files[0].data[..], b"%PDF-1.4\n");
        assert_eq!(parsed.saraban_facts.as_deref(), Some(&b"{}"[..]));
    }

    #[test]
    fn message_ids_are_fresh_and_in_the_sender_domain() {
        let a = new_message_id("Clerk@School.Example.TEST");
        let b = new_message_id("clerk@school.example.test");
        assert_ne!(a, b);
        assert!(a.starts_with("saraban.") && a.ends_with("@school.example.test"));
    }
}
