//! Saraban-to-saraban exchange by e-mail: what a sent letter says in words any clerk can read,
//! the same facts in machine-readable form (named after the e-CMS standard where it has a name),
//! the acceptance notice a receiving saraban sends back, and when a failed send is tried again.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::codes::state_enum;
use super::letter::{LetterType, Secrecy, Speed};
use super::thai_date;

/// The media type of the facts part of a letter e-mail.
pub const LETTER_MEDIA_TYPE: &str = "application/vnd.saraban.letter+json";
/// The media type of an acceptance notice's facts part.
pub const NOTICE_MEDIA_TYPE: &str = "application/vnd.saraban.notice+json";
/// The file name of the facts part (a mail client shows it as a small attachment).
pub const FACTS_FILE_NAME: &str = "saraban-letter.json";
pub const NOTICE_FILE_NAME: &str = "saraban-notice.json";
/// The version of both documents; a receiver ignores (and guesses instead of) other versions.
pub const VERSION: u32 = 1;
/// The header that marks mail written by a saraban, with the version.
pub const HEADER: &str = "X-Saraban";

/// An office as a party of the exchange (e-CMS SenderParty / ReceiverParty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Party {
    /// The office's id in its own deployment.
    #[serde(rename = "OrganizationID")]
    pub organization_id: String,
    pub name: String,
    /// The prefix of its document numbers (ศธ 04183.006).
    #[serde(default)]
    pub doc_prefix: String,
    #[serde(default)]
    pub email: String,
}

/// One file of the letter, matched to the attached part by its file name and sha256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FileFacts {
    pub file_name: String,
    #[serde(default)]
    pub description: String,
    pub mime_code: String,
    pub size: i64,
    pub sha256: String,
}

/// The letter's facts (e-CMS names: ID, CorrespondenceDate, Subject, SpeedCode, SecretCode,
/// SenderParty, ReceiverParty, Attachment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LetterFacts {
    pub version: u32,
    /// ที่ (the letter's number, e.g. ศธ 04183.006/123).
    #[serde(rename = "ID")]
    pub id: String,
    pub correspondence_date: NaiveDate,
    pub subject: String,
    /// 001 ปกติ … 004 ด่วนที่สุด
    pub speed_code: String,
    /// 001 ปกติ … 004 ลับที่สุด
    pub secret_code: String,
    /// Our code of the letter type (external, internal, …).
    #[serde(default)]
    pub letter_type: String,
    pub sender_party: Party,
    pub receiver_party: Party,
    /// The sender's own register entry (เลขทะเบียนส่ง).
    pub sender_register_number: i64,
    pub sender_register_year: i32,
    #[serde(default)]
    pub attachments: Vec<FileFacts>,
}

impl LetterFacts {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Reads the facts part; `None` when it is not ours, not this version, or not sound (the
    /// receiver then reads the subject and body like any other e-mail).
    pub fn from_json(bytes: &[u8]) -> Option<LetterFacts> {
        let facts: LetterFacts = serde_json::from_slice(bytes).ok()?;
        (facts.version == VERSION
            && !facts.subject.trim().is_empty()
            && Speed::parse(&facts.speed_code).is_some()
            && Secrecy::parse(&facts.secret_code).is_some())
        .then_some(facts)
    }

    pub fn speed(&self) -> Speed {
        Speed::parse(&self.speed_code).unwrap_or_default()
    }

    pub fn secrecy(&self) -> Secrecy {
        Secrecy::parse(&self.secret_code).unwrap_or_default()
    }

    pub fn letter_type(&self) -> Option<LetterType> {
        LetterType::parse(&self.letter_type)
    }

    /// The description the sender gave a file, found by name and content.
    pub fn description_of(&self, name: &str, sha256: &str) -> Option<&str> {
        self.attachments
            .iter()
            .find(|f| f.sha256 == sha256 && f.file_name == name)
            .or_else(|| self.attachments.iter().find(|f| f.sha256 == sha256))
            .map(|f| f.description.as_str())
    }
}

/// e-CMS AcceptLetterNotifier: the receiver registered the letter under its own number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AcceptNotice {
    pub version: u32,
    /// Always `AcceptLetterNotifier`.
    pub notifier: String,
    /// The Message-ID of the letter e-mail being answered (without `<>`).
    #[serde(rename = "LetterMessageID")]
    pub letter_message_id: String,
    /// The letter's ที่, as the sender wrote it.
    #[serde(rename = "LetterID")]
    pub letter_id: String,
    /// The receiver's เลขทะเบียนรับ and its year.
    #[serde(rename = "AcceptID")]
    pub accept_id: i64,
    pub accept_year: i32,
    pub accept_time: DateTime<Utc>,
    pub receiver_party: Party,
}

pub const ACCEPT_NOTIFIER: &str = "AcceptLetterNotifier";

impl AcceptNotice {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    pub fn from_json(bytes: &[u8]) -> Option<AcceptNotice> {
        let n: AcceptNotice = serde_json::from_slice(bytes).ok()?;
        (n.version == VERSION && n.notifier == ACCEPT_NOTIFIER && n.accept_id > 0).then_some(n)
    }
}

/// `ที่ ศธ 04183.006/123 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง ขอส่งรายงาน` — what the clerk's mail
/// client shows, and what a receiver without saraban reads the facts from.
pub fn letter_subject(doc_no: &str, doc_date: NaiveDate, subject: &str) -> String {
    format!(
        "ที่ {} ลงวันที่ {} เรื่อง {}",
        doc_no.trim(),
        thai_date::format_long(doc_date),
        subject.trim()
    )
}

/// The plain-text body of a letter e-mail: the letter's facts in Thai.
pub fn letter_body(facts: &LetterFacts) -> String {
    let mut b = String::new();
    b.push_str(&format!("เรียน {}\n\n", facts.receiver_party.name));
    b.push_str(&format!(
        "{} ขอส่งหนังสือราชการตามรายละเอียดดังนี้\n\n",
        facts.sender_party.name
    ));
    b.push_str(&format!("ที่: {}\n", facts.id));
    b.push_str(&format!(
        "ลงวันที่: {}\n",
        thai_date::format_long(facts.correspondence_date)
    ));
    b.push_str(&format!("เรื่อง: {}\n", facts.subject));
    b.push_str(&format!("ชั้นความเร็ว: {}\n", facts.speed().label()));
    b.push_str(&format!("ชั้นความลับ: {}\n", facts.secrecy().label()));
    if let Some(t) = facts.letter_type() {
        b.push_str(&format!("ชนิดหนังสือ: {}\n", t.label()));
    }
    b.push_str(&format!(
        "เลขทะเบียนส่ง: {}/{}\n",
        facts.sender_register_number, facts.sender_register_year
    ));
    if facts.attachments.is_empty() {
        b.push_str("สิ่งที่ส่งมาด้วย: -\n");
    } else {
        b.push_str("สิ่งที่ส่งมาด้วย:\n");
        for (i, f) in facts.attachments.iter().enumerate() {
            if f.description.trim().is_empty() {
                b.push_str(&format!("  {}. {}\n", i + 1, f.file_name));
            } else {
                b.push_str(&format!(
                    "  {}. {} ({})\n",
                    i + 1,
                    f.description.trim(),
                    f.file_name
                ));
            }
        }
    }
    b.push_str(&format!(
        "\nอีเมลนี้ส่งจากระบบสารบรรณอิเล็กทรอนิกส์ของ{} \
         ไฟล์ {FACTS_FILE_NAME} เป็นข้อมูลหนังสือสำหรับระบบสารบรรณของผู้รับ\n",
        facts.sender_party.name
    ));
    b
}

/// The subject of an acceptance notice.
pub fn notice_subject(n: &AcceptNotice) -> String {
    format!(
        "แจ้งลงทะเบียนรับ: ที่ {} เลขรับ {}/{}",
        n.letter_id, n.accept_id, n.accept_year
    )
}

pub fn notice_body(n: &AcceptNotice) -> String {
    format!(
        "{} ได้ลงทะเบียนรับหนังสือที่ {} แล้ว\n\nเลขทะเบียนรับ: {}/{}\nเมื่อ: {}\n\n\
         อีเมลนี้ระบบสร้างขึ้นเอง ไม่ต้องตอบกลับ\n",
        n.receiver_party.name,
        n.letter_id,
        n.accept_id,
        n.accept_year,
        thai_date::format_datetime(n.accept_time)
    )
}

state_enum!(
    /// What a delivery carries.
    DeliveryKind "delivery kind", {
        /// A registered letter to its recipient.
        Letter = "letter", "หนังสือ";
        /// Our acceptance notice to the saraban that sent us a letter.
        Notice = "notice", "แจ้งลงทะเบียนรับ";
        /// An e-mail telling a person a letter was given to them.
        Notification = "notification", "แจ้งเตือน";
        /// The daily list of letters given to a person.
        Digest = "digest", "สรุปประจำวัน";
        /// A lent letter is past its due date: to the borrower and to the officer who lent it.
        LoanReminder = "loan_reminder", "เตือนส่งคืนหนังสือที่ยืม";
    }
);

state_enum!(
    /// How a delivery travels.
    DeliveryChannel "delivery channel", {
        Email = "email", "อีเมล";
        /// Straight into the inbox of an office of this deployment.
        InSystem = "in-system", "ในระบบ";
    }
);

state_enum!(
    /// Where a delivery stands. E-mail moves queued → sent (→ delayed → sent) → registered, or
    /// ends failed; in-system goes delivered → registered.
    DeliveryStatus "delivery status", {
        Queued = "queued", "รอส่ง";
        Sent = "sent", "ส่งแล้ว รอปลายทางลงทะเบียนรับ";
        Delivered = "delivered", "ถึงผู้รับแล้ว รอลงทะเบียนรับ";
        Registered = "registered", "ผู้รับลงทะเบียนรับแล้ว";
        Delayed = "delayed", "ส่งล่าช้า กำลังลองใหม่";
        Failed = "failed", "ส่งไม่สำเร็จ";
    }
);

impl DeliveryStatus {
    /// The words a clerk sees for a delivery of this kind in this state: a sent acceptance
    /// notice waits for nothing more.
    pub fn label_for(self, kind: DeliveryKind) -> &'static str {
        self.label_of(kind, false)
    }

    /// [`DeliveryStatus::label_for`], for a message that may only have been written to the
    /// outbox folder: that is "บันทึกเป็นไฟล์", never "ส่งแล้ว".
    pub fn label_of(self, kind: DeliveryKind, saved_to_file: bool) -> &'static str {
        match (self, kind) {
            (DeliveryStatus::Sent, _) if saved_to_file => "บันทึกเป็นไฟล์ (ยังไม่ได้ส่งออกจากเครื่อง)",
            (DeliveryStatus::Sent, DeliveryKind::Notice) => "แจ้งผู้ส่งแล้ว",
            _ => self.label(),
        }
    }

    /// The recipient has it (green).
    pub fn is_done(self) -> bool {
        matches!(self, DeliveryStatus::Registered | DeliveryStatus::Delivered)
    }

    /// Something went wrong (red); a clerk may send an e-mail in this state again.
    pub fn is_trouble(self) -> bool {
        matches!(self, DeliveryStatus::Failed | DeliveryStatus::Delayed)
    }

    /// The outbox will try again by itself.
    pub fn will_retry(self) -> bool {
        matches!(self, DeliveryStatus::Delayed | DeliveryStatus::Queued)
    }
}

impl NextStep {
    /// The state a delivery takes after this step.
    pub fn status(&self) -> DeliveryStatus {
        match self {
            NextStep::Sent | NextStep::SavedToFile => DeliveryStatus::Sent,
            NextStep::Retry { delayed: true, .. } => DeliveryStatus::Delayed,
            NextStep::Retry { delayed: false, .. } => DeliveryStatus::Queued,
            NextStep::Failed(_) => DeliveryStatus::Failed,
        }
    }
}

/// What the clerk reads on an e-mail that came back (a delivery report with `Action: failed`).
pub fn bounce_reason(recipient: &str, status: &str, diagnostic: &str) -> String {
    let who = if recipient.is_empty() {
        "ปลายทาง"
    } else {
        recipient
    };
    format!("อีเมลตีกลับจาก {who}: {status} {diagnostic}")
        .trim()
        .to_string()
}

/// What the clerk reads on an e-mail the receiving server is still trying to deliver.
pub fn delay_reason(status: &str, diagnostic: &str) -> String {
    format!("ปลายทางยังส่งไม่ถึง: {status} {diagnostic}")
}

/// How the outbox tries again after a failure that may pass (4xx, timeouts, refused connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Counted from when the letter was queued (or the clerk pressed retry).
    pub give_up_after: Duration,
    /// From this many failed attempts on, the clerk sees "delayed".
    pub delayed_after: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_delay: Duration::minutes(1),
            max_delay: Duration::hours(1),
            give_up_after: Duration::days(3),
            delayed_after: 3,
        }
    }
}

impl RetryPolicy {
    /// How long a receiving domain is left alone after `failures` answers in a row of "try
    /// later" (4xx: greylisting, rate limits) or no answer at all: the doubling of one letter's
    /// retries, so the district's other letters to that domain wait with it instead of each
    /// knocking again.
    pub fn domain_pause(&self, failures: i64) -> Duration {
        let doublings = failures.clamp(1, 20) - 1;
        let pause = self.first_delay * 2i32.pow(doublings as u32).min(1 << 20);
        pause.min(self.max_delay)
    }
}

/// What one attempt to send came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Sent,
    /// Written to the outbox folder (the embedded default): nothing left the machine.
    SavedToFile,
    /// May pass: try again later (no answer, a broken connection, TLS trouble).
    Transient(String),
    /// The receiving server answered "try later" (4xx: greylisting, a rate limit, a full
    /// mailbox): retried as `Transient`, and the recipient's domain is paused a while.
    Deferred(String),
    /// Will not pass (5xx): fail at once.
    Permanent(String),
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    Sent,
    /// Written as an .eml file: done for the outbox, but not sent to anybody yet.
    SavedToFile,
    Retry {
        at: DateTime<Utc>,
        delayed: bool,
        error: String,
    },
    Failed(String),
}

impl RetryPolicy {
    /// `attempts` counts this attempt; `jitter` in 0..1 spreads retries of many letters apart
    /// (±20 %).
    pub fn next_step(
        &self,
        attempt: Attempt,
        attempts: i64,
        queued_at: DateTime<Utc>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> NextStep {
        match attempt {
            Attempt::Sent => NextStep::Sent,
            Attempt::SavedToFile => NextStep::SavedToFile,
            Attempt::Permanent(e) => NextStep::Failed(e),
            Attempt::Transient(e) | Attempt::Deferred(e) => {
                let exp = (attempts.max(1) - 1).min(30) as u32;
                let base = self
                    .first_delay
                    .num_milliseconds()
                    .saturating_mul(1i64 << exp);
                let capped = base.min(self.max_delay.num_milliseconds()).max(0);
                let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
                let wait = Duration::milliseconds((capped as f64 * factor) as i64);
                let at = now + wait;
                if at > queued_at + self.give_up_after {
                    NextStep::Failed(format!(
                        "ส่งไม่สำเร็จภายใน {} ชั่วโมง (พยายาม {} ครั้ง): {e}",
                        self.give_up_after.num_hours(),
                        attempts
                    ))
                } else {
                    NextStep::Retry {
                        at,
                        delayed: attempts >= self.delayed_after,
                        error: e,
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_bounce_says_who_and_why() {
        assert_eq!(
            bounce_reason("a@example.go.th", "5.1.1", "no such user"),
            "อีเมลตีกลับจาก a@example.go.th: 5.1.1 no such user"
        );
        assert_eq!(bounce_reason("", "5.0.0", ""), "อีเมลตีกลับจาก ปลายทาง: 5.0.0");
        assert_eq!(
            delay_reason("4.4.1", "timeout"),
            "ปลายทางยังส่งไม่ถึง: 4.4.1 timeout"
        );
    }

    use super::*;

    fn party(id: &str, name: &str) -> Party {
        Party {
            organization_id: id.into(),
            name: name.into(),
            doc_prefix: "ศธ 04183.006".into(),
            email: "school@example.test".into(),
        }
    }

    fn facts() -> LetterFacts {
        LetterFacts {
            version: VERSION,
            id: "ศธ 04183.006/77".into(),
            correspondence_date: NaiveDate::from_ymd_opt(2023, 5, 2).unwrap(),
            subject: "ขอส่งรายงานผลการเรียน".into(),
            speed_code: Speed::MostUrgent.ecms_code().into(),
            secret_code: Secrecy::Normal.ecms_code().into(),
            letter_type: LetterType::External.code().into(),
            sender_party: party("school", "โรงเรียนบ้านหนองบัว"),
            receiver_party: party("dist", "สพป.ตัวอย่าง เขต 1"),
            sender_register_number: 12,
            sender_register_year: 2566,
            attachments: vec![FileFacts {
                file_name: "รายงาน.pdf".into(),
                description: "รายงานฉบับเต็ม".into(),
                mime_code: "application/pdf".into(),
                size: 10,
                sha256: "ab".repeat(32),
            }],
        }
    }

    #[test]
    fn subject_reads_like_a_thai_letter() {
        let s = letter_subject(
            "ศธ 04183/ว1891",
            NaiveDate::from_ymd_opt(2023, 5, 2).unwrap(),
            "การประชุม",
        );
        assert_eq!(s, "ที่ ศธ 04183/ว1891 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง การประชุม");
    }

    #[test]
    fn facts_round_trip_with_ecms_names() {
        let f = facts();
        let json = String::from_utf8(f.to_json()).unwrap();
        for name in [
            "\"ID\"",
            "\"CorrespondenceDate\"",
            "\"SpeedCode\": \"004\"",
            "\"SecretCode\"",
            "\"SenderParty\"",
            "\"ReceiverParty\"",
            "\"OrganizationID\"",
        ] {
            assert!(json.contains(name), "{name} missing in {json}");
        }
        let back = LetterFacts::from_json(json.as_bytes()).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.speed(), Speed::MostUrgent);
        assert_eq!(
            back.description_of("รายงาน.pdf", &"ab".repeat(32)),
            Some("รายงานฉบับเต็ม")
        );
    }

    #[test]
    fn other_versions_and_nonsense_are_ignored() {
        let mut f = facts();
        f.version = 2;
        assert!(LetterFacts::from_json(&f.to_json()).is_none());
        let mut f = facts();
        f.speed_code = "999".into();
        assert!(LetterFacts::from_json(&f.to_json()).is_none());
        assert!(LetterFacts::from_json(b"{not json").is_none());
    }

    #[test]
    fn body_names_every_fact_and_file() {
        let b = letter_body(&facts());
        for part in [
            "เรียน สพป.ตัวอย่าง เขต 1",
            "ที่: ศธ 04183.006/77",
            "ลงวันที่: 2 พฤษภาคม 2566",
            "ชั้นความเร็ว: ด่วนที่สุด",
            "เลขทะเบียนส่ง: 12/2566",
            "รายงานฉบับเต็ม (รายงาน.pdf)",
        ] {
            assert!(b.contains(part), "{part} missing in {b}");
        }
    }

    #[test]
    fn notice_round_trip() {
        let n = AcceptNotice {
            version: VERSION,
            notifier: ACCEPT_NOTIFIER.into(),
            letter_message_id: "saraban.1@example.test".into(),
            letter_id: "ศธ 04183.006/77".into(),
            accept_id: 45,
            accept_year: 2569,
            accept_time: Utc::now(),
            receiver_party: party("dist", "สพป.ตัวอย่าง เขต 1"),
        };
        assert_eq!(AcceptNotice::from_json(&n.to_json()), Some(n.clone()));
        assert!(notice_subject(&n).contains("เลขรับ 45/2569"));
        let mut bad = n;
        bad.notifier = "RejectLetterNotifier".into();
        assert!(AcceptNotice::from_json(&bad.to_json()).is_none());
    }

    #[test]
    fn retries_back_off_then_give_up() {
        let p = RetryPolicy::default();
        let t0 = Utc::now();
        let step = |attempts, now| {
            p.next_step(
                Attempt::Transient("421 try later".into()),
                attempts,
                t0,
                now,
                0.5,
            )
        };
        match step(1, t0) {
            NextStep::Retry { at, delayed, .. } => {
                assert_eq!(at - t0, Duration::minutes(1));
                assert!(!delayed);
            }
            other => panic!("{other:?}"),
        }
        match step(3, t0) {
            NextStep::Retry { at, delayed, .. } => {
                assert_eq!(at - t0, Duration::minutes(4));
                assert!(delayed);
            }
            other => panic!("{other:?}"),
        }
        // Never more than an hour between attempts.
        match step(20, t0) {
            NextStep::Retry { at, .. } => assert_eq!(at - t0, Duration::hours(1)),
            other => panic!("{other:?}"),
        }
        // After three days it is a failure the clerk sees.
        let late = t0 + Duration::days(3);
        assert!(matches!(step(80, late), NextStep::Failed(e) if e.contains("421 try later")));
        assert_eq!(
            p.next_step(Attempt::Permanent("550 no".into()), 1, t0, t0, 0.0),
            NextStep::Failed("550 no".into())
        );
        assert_eq!(p.next_step(Attempt::Sent, 1, t0, t0, 0.0), NextStep::Sent);
    }

    #[test]
    fn a_troubled_domain_pauses_longer_each_time_up_to_the_limit() {
        let p = RetryPolicy::default();
        assert_eq!(p.domain_pause(1), Duration::minutes(1));
        assert_eq!(p.domain_pause(2), Duration::minutes(2));
        assert_eq!(p.domain_pause(4), Duration::minutes(8));
        assert_eq!(p.domain_pause(10), Duration::hours(1));
        assert_eq!(p.domain_pause(1000), Duration::hours(1));
        assert_eq!(p.domain_pause(0), Duration::minutes(1));
    }
}
