//! From raw bytes to what the gateway needs: who, what, when, the body, the files, and whether it
//! is a letter at all (auto-replies and delivery reports never are).

use std::borrow::Cow;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use mail_parser::{Message, MessageParser, MessagePart, MimeHeaders, PartType};
use thiserror::Error;

use super::smime::{self, SmimeSignature};
use super::{charset, tnef};
use crate::domain::attachment;
use crate::domain::exchange::{self, AcceptNotice};
use crate::domain::mail_facts::normalise_message_id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    pub name: String,
    pub content_type: String,
    pub data: Bytes,
}

/// A delivery-status report (a bounce), tied to the message it reports on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    pub original_message_id: Option<String>,
    pub action: String,
    pub status: String,
    pub recipient: String,
    pub diagnostic: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    Letter,
    /// Out-of-office answers, mailing-list and bulk mail: recorded, never a letter.
    AutoReply(String),
    DeliveryReport(DeliveryReport),
    /// Another saraban registered a letter we sent (its acceptance notice).
    Acceptance(AcceptNotice),
}

#[derive(Debug, Clone)]
pub struct ParsedMail {
    pub message_id: Option<String>,
    pub subject: String,
    pub from_name: String,
    pub from_addr: String,
    pub to: String,
    pub date: Option<DateTime<Utc>>,
    pub text: String,
    pub html: Option<String>,
    pub files: Vec<MailFile>,
    /// The facts part a sending saraban attached (JSON, not yet judged).
    pub saraban_facts: Option<Vec<u8>>,
    pub kind: MailKind,
    /// The header lines, decoded, for the "original e-mail" view.
    pub headers: Vec<(String, String)>,
    /// The mail was signed with S/MIME (its `smime.p7s`, which is not a file of the letter).
    pub smime: Option<SmimeSignature>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("อ่านอีเมลไม่ได้: ไม่พบส่วนหัวของอีเมล")]
    NotMail,
    #[error("อ่านอีเมลไม่ได้: ไฟล์ว่าง")]
    Empty,
}

pub fn parse(raw: &[u8]) -> Result<ParsedMail, ParseError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    let normalised = charset::normalise_labels(raw);
    let mut message = MessageParser::default()
        .parse(normalised.as_ref())
        .ok_or(ParseError::NotMail)?;
    let has_header = !message.root_part().headers.is_empty();
    if !has_header || !looks_like_headers(raw) {
        return Err(ParseError::NotMail);
    }

    let subject = header_text(&message, raw, "Subject", message.subject());
    let (from_name, from_addr) = match message.from().and_then(|a| a.first()) {
        Some(addr) => (
            addr.name().map(str::to_string).unwrap_or_default(),
            addr.address().map(str::to_string).unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    };
    let from_name = if from_name.contains('\u{FFFD}') {
        charset::raw_header(raw, "From")
            .map(|b| charset::decode_8bit(&b))
            .map(|s| {
                s.split('<')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
            .unwrap_or(from_name)
    } else {
        from_name
    };
    let to = message
        .to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .unwrap_or("")
        .to_string();
    let date = message
        .date()
        .and_then(|d| Utc.timestamp_opt(d.to_timestamp(), 0).single());
    let text = message
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    let html = (message.html_body_count() > 0)
        .then(|| message.html_part(0))
        .flatten()
        .filter(|p| p.is_text_html())
        .and_then(|p| p.text_contents())
        .map(str::to_string);
    let mut files = Vec::new();
    let mut ours = SarabanParts::default();
    collect_files(&mut message, &mut files, &mut ours, 0);
    if let Some(signature) = ours.smime.as_mut()
        && signature.content.is_empty()
    {
        signature.content = signed_entity(&message).unwrap_or_default();
    }
    let text = match ours.signed_text.take() {
        Some(signed) if text.trim().is_empty() => signed,
        _ => text,
    };
    let kind = match ours.notice.as_deref().and_then(AcceptNotice::from_json) {
        Some(notice) => MailKind::Acceptance(notice),
        None => classify(&message, raw, &from_addr),
    };
    let headers = message
        .root_part()
        .headers
        .iter()
        .map(|h| {
            let name = h.name().to_string();
            // Addresses and texts are shown decoded (Thai names, not `=?utf-8?B?…?=`); the rest
            // as sent.
            if let Some(decoded) = decoded_header(h.value()) {
                return (name, decoded);
            }
            let value = message
                .header_raw(h.name())
                .map(|v| v.trim().to_string())
                .unwrap_or_else(|| {
                    String::from_utf8_lossy(
                        &normalised[h.offset_start as usize..h.offset_end as usize],
                    )
                    .trim()
                    .to_string()
                });
            (name, value)
        })
        .collect();

    Ok(ParsedMail {
        message_id: message.message_id().and_then(normalise_message_id),
        subject,
        from_name,
        from_addr,
        to,
        date,
        text,
        html,
        files,
        saraban_facts: ours.facts,
        kind,
        headers,
        smime: ours.smime,
    })
}

/// The first line must look like a header (`Name: value`), or the file is not mail at all.
/// A header's decoded value, for the headers that carry words a person wrote: addresses
/// (`ผู้ส่ง <a@b.go.th>`) and text (Subject, Comments, …). `None` for structured values shown as
/// sent (dates, Received, Content-Type).
fn decoded_header(value: &mail_parser::HeaderValue<'_>) -> Option<String> {
    if let Some(address) = value.as_address() {
        let shown: Vec<String> = address
            .iter()
            .map(|a| match (a.name(), a.address()) {
                (Some(name), Some(addr)) => format!("{name} <{addr}>"),
                (None, Some(addr)) => addr.to_string(),
                (Some(name), None) => name.to_string(),
                (None, None) => String::new(),
            })
            .filter(|s| !s.is_empty())
            .collect();
        return (!shown.is_empty()).then(|| shown.join(", "));
    }
    match value {
        mail_parser::HeaderValue::Text(text) => Some(text.trim().to_string()),
        _ => None,
    }
}

fn looks_like_headers(raw: &[u8]) -> bool {
    let first = raw
        .split(|b| *b == b'\n')
        .find(|l| !l.trim_ascii().is_empty())
        .unwrap_or_default();
    if first.starts_with(b"From ") {
        return true; // an mbox "From " line
    }
    match first.iter().position(|b| *b == b':') {
        Some(colon) => colon > 0 && first[..colon].iter().all(|b| b.is_ascii_graphic()),
        None => false,
    }
}

/// A header's text; when the sender wrote raw 8-bit bytes (no RFC 2047), they are read again as
/// strict UTF-8 or else windows-874.
fn header_text(message: &Message<'_>, raw: &[u8], name: &str, parsed: Option<&str>) -> String {
    let parsed = parsed.unwrap_or("").to_string();
    let raw_value = charset::raw_header(raw, name);
    match raw_value {
        Some(bytes)
            if bytes.iter().any(|b| *b >= 0x80) && !bytes.windows(2).any(|w| w == b"=?") =>
        {
            charset::decode_8bit(&bytes)
        }
        _ if parsed.is_empty() => message
            .header_raw(name)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
        _ => parsed,
    }
}

/// Files of the letter: attachments of the message and of any forwarded message inside it.
/// Inline images of a signature (inline, with a Content-ID) are not files of the letter.
/// The machine-readable parts another saraban put in its mail: never files of the letter.
#[derive(Default)]
struct SarabanParts {
    facts: Option<Vec<u8>>,
    notice: Option<Vec<u8>>,
    /// Not saraban's, but not a file either: the S/MIME signature of the outer message.
    smime: Option<SmimeSignature>,
    /// The text of a letter inside an opaque S/MIME signature (the outer mail has none).
    signed_text: Option<String>,
}

/// An inline image with a Content-ID smaller than this is a signature's logo or icon, not a file
/// of the letter; a larger one (a phone's photo of a page, sent inline by iOS or Apple Mail) is.
const SIGNATURE_IMAGE_MAX: usize = 32 * 1024;

/// Content types that say nothing about the file: its name and bytes decide.
fn is_generic_type(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/octet-stream"
            | "application/x-download"
            | "application/force-download"
            | "application/download"
            | "application/unknown"
            | "binary/octet-stream"
    )
}

fn collect_files(
    message: &mut Message<'_>,
    out: &mut Vec<MailFile>,
    ours: &mut SarabanParts,
    depth: usize,
) {
    // The decoded bodies are moved out of the parsed message, not copied: the text and headers
    // have been read already, and a letter's files are most of its bytes.
    for id in message.attachments.clone() {
        let Some(part) = message.parts.get_mut(id as usize) else {
            continue;
        };
        if let PartType::Message(inner) = &mut part.body {
            if depth < 8 {
                collect_files(inner, out, ours, depth + 1);
            }
            continue;
        }
        let content_type = part
            .content_type()
            .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")))
            .unwrap_or_else(|| "application/octet-stream".into())
            .to_ascii_lowercase();
        if content_type == exchange::LETTER_MEDIA_TYPE
            || content_type == exchange::NOTICE_MEDIA_TYPE
        {
            // Only the outer message speaks for this mail; a forwarded one's facts are its own.
            let slot = if content_type == exchange::LETTER_MEDIA_TYPE {
                &mut ours.facts
            } else {
                &mut ours.notice
            };
            if depth == 0 && slot.is_none() {
                *slot = Some(part.contents().to_vec());
            }
            continue;
        }
        if matches!(
            content_type.as_str(),
            "application/pkcs7-mime" | "application/x-pkcs7-mime"
        ) && let Some(inner) = smime::signed_content(part.contents())
        {
            // Opaque-signed: the letter itself is inside the signature. (Encrypted mail, which
            // cannot be read, falls through and is kept as a file.)
            let signature =
                (depth == 0 && ours.smime.is_none()).then(|| smime::read(part.contents()));
            if depth < 8
                && let Some(mut signed) = MessageParser::default().parse(&inner[..])
            {
                if ours.signed_text.is_none() {
                    ours.signed_text = signed.body_text(0).map(|t| t.into_owned());
                }
                collect_files(&mut signed, out, ours, depth + 1);
            }
            if let Some(mut signature) = signature {
                // The signed bytes are kept for judging the signature (moved, not copied).
                signature.content = inner;
                ours.smime = Some(signature);
            }
            continue;
        }
        if matches!(
            content_type.as_str(),
            "application/pkcs7-signature" | "application/x-pkcs7-signature"
        ) {
            if depth == 0 && ours.smime.is_none() {
                ours.smime = Some(smime::read(part.contents()));
            }
            continue;
        }
        let inline = part
            .content_disposition()
            .is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
        if inline
            && part.content_id().is_some()
            && content_type.starts_with("image/")
            && part.contents().len() < SIGNATURE_IMAGE_MAX
        {
            continue;
        }
        // Gmail names a part without a name "noname".
        let given = part
            .attachment_name()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("noname"));
        let data = take_contents(part);
        if content_type == "application/ms-tnef"
            || given
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case("winmail.dat"))
        {
            // Outlook's winmail.dat: its files are the letter's; kept whole when unreadable.
            if let Some(found) = tnef::files(&data).filter(|f| !f.is_empty()) {
                for f in found {
                    let declared = f.content_type.unwrap_or_default().to_ascii_lowercase();
                    push_file(out, Some(f.name), declared, Bytes::from(f.data));
                }
                continue;
            }
        }
        push_file(out, given, content_type, data);
    }
}

/// The bytes a detached S/MIME signature signed: the first part of the `multipart/signed`,
/// headers and body exactly as sent, up to the line break before the next boundary (RFC 5751).
fn signed_entity(message: &Message<'_>) -> Option<Vec<u8>> {
    let root = message.parts.first()?;
    let boundary = root
        .content_type()
        .filter(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("signed"))
        })?
        .attribute("boundary")?
        .to_string();
    let PartType::Multipart(children) = &root.body else {
        return None;
    };
    let first = message.parts.get(*children.first()? as usize)?;
    let from = message.raw_message.get(first.offset_header as usize..)?;
    let delimiter = format!("\r\n--{boundary}");
    let end = memchr::memmem::find(from, delimiter.as_bytes())
        .or_else(|| memchr::memmem::find(from, format!("\n--{boundary}").as_bytes()))?;
    Some(from[..end].to_vec())
}

/// Adds a file, its type and name completed from its bytes when the mail left them vague: an
/// `application/octet-stream` PDF becomes `application/pdf`, a nameless one `ไฟล์แนบ-2.pdf`.
fn push_file(out: &mut Vec<MailFile>, name: Option<String>, content_type: String, data: Bytes) {
    let kind = attachment::kind_of(name.as_deref().unwrap_or_default(), &data);
    let content_type = match kind {
        Some(k) if content_type.is_empty() || is_generic_type(&content_type) => {
            k.mime().to_string()
        }
        _ if content_type.is_empty() => "application/octet-stream".to_string(),
        _ => content_type,
    };
    let name = match name {
        Some(n) => n,
        None => {
            let ext = kind
                .map(|k| format!(".{}", k.code()))
                .unwrap_or_else(|| extension_for(&content_type).to_string());
            format!("ไฟล์แนบ-{}{ext}", out.len() + 1)
        }
    };
    out.push(MailFile {
        name,
        content_type,
        data,
    });
}

/// A part's decoded contents, taken out of the parsed message without a copy when the parser
/// decoded them into a buffer of their own.
fn take_contents(part: &mut MessagePart<'_>) -> Bytes {
    fn owned(data: Cow<'_, [u8]>) -> Bytes {
        match data {
            Cow::Owned(v) => Bytes::from(v),
            Cow::Borrowed(b) => Bytes::copy_from_slice(b),
        }
    }
    match std::mem::take(&mut part.body) {
        PartType::Binary(data) | PartType::InlineBinary(data) => owned(data),
        PartType::Text(text) | PartType::Html(text) => match text {
            Cow::Owned(t) => Bytes::from(t.into_bytes()),
            Cow::Borrowed(t) => Bytes::copy_from_slice(t.as_bytes()),
        },
        other => {
            part.body = other;
            Bytes::copy_from_slice(part.contents())
        }
    }
}

fn extension_for(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => ".pdf",
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/gif" => ".gif",
        "application/zip" => ".zip",
        "text/plain" => ".txt",
        "text/html" => ".html",
        _ => "",
    }
}

fn header_value(message: &Message<'_>, name: &str) -> Option<String> {
    message
        .header_raw(name)
        .map(|v| v.trim().to_ascii_lowercase())
}

fn classify(message: &Message<'_>, raw: &[u8], from_addr: &str) -> MailKind {
    let is_report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    if is_report {
        return MailKind::DeliveryReport(delivery_report(raw));
    }
    if let Some(v) = header_value(message, "Auto-Submitted").filter(|v| !v.starts_with("no")) {
        return MailKind::AutoReply(format!("Auto-Submitted: {v}"));
    }
    if let Some(v) = header_value(message, "Precedence")
        .filter(|v| matches!(v.as_str(), "bulk" | "junk" | "list"))
    {
        return MailKind::AutoReply(format!("Precedence: {v}"));
    }
    for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"] {
        if name != "X-Auto-Response-Suppress" && message.header_raw(name).is_some() {
            return MailKind::AutoReply(name.to_string());
        }
    }
    let from = from_addr.to_ascii_lowercase();
    if from.starts_with("mailer-daemon@") || from.starts_with("postmaster@") {
        return MailKind::AutoReply(format!("from {from}"));
    }
    MailKind::Letter
}

/// Reads Action / Status / Final-Recipient / Diagnostic-Code, and the Message-ID of the returned
/// message (the first Message-ID after the report's own headers).
fn delivery_report(raw: &[u8]) -> DeliveryReport {
    let text = String::from_utf8_lossy(raw);
    let body_start = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(0);
    let mut report = DeliveryReport::default();
    let field = |line: &str, name: &str| -> Option<String> {
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    };
    for line in text[body_start..].lines() {
        if let Some(v) = field(line, "Action").filter(|_| report.action.is_empty()) {
            report.action = v.to_ascii_lowercase();
        } else if let Some(v) = field(line, "Status").filter(|_| report.status.is_empty()) {
            report.status = v;
        } else if let Some(v) =
            field(line, "Final-Recipient").filter(|_| report.recipient.is_empty())
        {
            report.recipient = v.split(';').next_back().unwrap_or("").trim().to_string();
        } else if let Some(v) =
            field(line, "Diagnostic-Code").filter(|_| report.diagnostic.is_empty())
        {
            report.diagnostic = v
                .split_once(';')
                .map(|(_, d)| d.trim())
                .unwrap_or(&v)
                .to_string();
        } else if let Some(v) =
            field(line, "Message-ID").filter(|_| report.original_message_id.is_none())
        {
            report.original_message_id = normalise_message_id(&v);
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_874_subject_and_attachment_names() {
        let raw = "From: =?windows-874?B?ysfRyrTV?= <a@b.go.th>\r\nTo: s@x.go.th\r\nSubject: =?cp874?B?y7nRp8rXzcPSqqHSww==?=\r\nMessage-ID: <X1@B.GO.TH>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=tis620\r\nContent-Transfer-Encoding: base64\r\n\r\nysfRyrTV\r\n--b\r\nContent-Type: application/pdf; name=\"=?utf-8?B?4Lir4LiZ4Lix4LiH4Liq4Li34LitLnBkZg==?=\"\r\nContent-Disposition: attachment; filename*=utf-8''%E0%B8%AB%E0%B8%99%E0%B8%B1%E0%B8%87%E0%B8%AA%E0%B8%B7%E0%B8%AD.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
        let m = parse(raw.as_bytes()).unwrap();
        assert_eq!(m.message_id.as_deref(), Some("X1@b.go.th"));
        assert_eq!(m.subject, "หนังสือราชการ");
        assert_eq!(m.from_name, "สวัสดี");
        assert_eq!(m.text.trim(), "สวัสดี");
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].name, "หนังสือ.pdf");
        assert_eq!(&m.files[0].data[..], b"%PDF-1.4\n");
        assert_eq!(m.kind, MailKind::Letter);
    }

    #[test]
    fn raw_8bit_thai_headers() {
        let mut raw = b"From: x@y.th\r\nSubject: ".to_vec();
        raw.extend_from_slice(&[0xCA, 0xC7, 0xD1, 0xCA, 0xB4, 0xD5]);
        raw.extend_from_slice(b"\r\n\r\nbody\r\n");
        assert_eq!(parse(&raw).unwrap().subject, "สวัสดี");
    }

    #[test]
    fn auto_replies_and_bounces_are_not_letters() {
        let ooo = b"From: a@b.th\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nAway\r\n";
        assert!(matches!(parse(ooo).unwrap().kind, MailKind::AutoReply(_)));
        let no = b"From: a@b.th\r\nAuto-Submitted: no\r\nSubject: hi\r\n\r\nx\r\n";
        assert_eq!(parse(no).unwrap().kind, MailKind::Letter);
        let bulk = b"From: a@b.th\r\nPrecedence: bulk\r\nSubject: news\r\n\r\nx\r\n";
        assert!(matches!(parse(bulk).unwrap().kind, MailKind::AutoReply(_)));
        let bounce = b"From: MAILER-DAEMON@mx.th\r\nMessage-ID: <report@mx.th>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.th\r\n\r\nFinal-Recipient: rfc822; nobody@x.th\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <letter-42@saraban.example>\r\nSubject: x\r\n--r--\r\n";
        match parse(bounce).unwrap().kind {
            MailKind::DeliveryReport(r) => {
                assert_eq!(
                    r.original_message_id.as_deref(),
                    Some("letter-42@saraban.example")
                );
                assert_eq!(r.action, "failed");
                assert_eq!(r.status, "5.1.1");
                assert_eq!(r.recipient, "nobody@x.th");
                assert_eq!(r.diagnostic, "550 5.1.1 User unknown");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forwarded_letters_bring_their_files_and_signature_images_stay_out() {
        let raw = "From: a@b.th\r\nSubject: Fwd: x\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n<p>see below <img src=cid:logo></p>\r\n--r\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\nContent-ID: <logo>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d.th\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--i\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=inner.pdf\r\n\r\n%PDF-1.4 inner\r\n--i--\r\n--o--\r\n";
        let m = parse(raw.as_bytes()).unwrap();
        let names: Vec<&str> = m.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["inner.pdf"]);
    }

    #[test]
    fn file_contents_come_out_whole_whether_decoded_or_not() {
        // base64 (decoded by the parser into a buffer of its own), unencoded binary (a slice of
        // the message) and a text attachment (decoded as text) all come out byte for byte.
        let raw = "From: a@b.th\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nbody\r\n--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=b.pdf\r\n\r\n%PDF-1.7 plain\r\n--m\r\nContent-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; filename=c.csv\r\n\r\nที่,เรื่อง\r\n--m--\r\n";
        let m = parse(raw.as_bytes()).unwrap();
        let files: Vec<(&str, &[u8])> = m
            .files
            .iter()
            .map(|f| (f.name.as_str(), &f.data[..]))
            .collect();
        assert_eq!(
            files,
            [
                ("a.pdf", &b"%PDF-1.4\n"[..]),
                ("b.pdf", &b"%PDF-1.7 plain"[..]),
                ("c.csv", "ที่,เรื่อง".as_bytes()),
            ]
        );
        assert_eq!(m.text.trim(), "body");
    }

    #[test]
    fn garbage_is_not_mail() {
        assert_eq!(parse(b"").unwrap_err(), ParseError::Empty);
        assert_eq!(
            parse(b"%PDF-1.4 binary junk\n\x00\x01").unwrap_err(),
            ParseError::NotMail
        );
    }

    #[test]
    fn the_headers_shown_are_decoded() {
        let raw = "From: =?utf-8?B?4LmC4Lij4LiH4LmA4Lij4Li14Lii4LiZ?= <s@school.go.th>\r\nTo: saraban@x.go.th\r\nSubject: =?utf-8?B?4LmA4Lij4Li34LmI4Lit4LiHIOC4m+C4o+C4sOC4iuC4uOC4oQ==?=\r\nDate: Tue, 2 May 2023 09:15:00 +0700\r\n\r\nbody\r\n";
        let mail = parse(raw.as_bytes()).unwrap();
        let value = |name: &str| {
            mail.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(value("From"), "โรงเรียน <s@school.go.th>");
        assert_eq!(value("Subject"), "เรื่อง ประชุม");
        assert_eq!(value("To"), "saraban@x.go.th");
        assert!(value("Date").contains("2 May 2023"));
    }
}
