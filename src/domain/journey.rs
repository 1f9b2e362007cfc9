//! A letter's journey inside the office: who may pass it on, the director's endorsement
//! (เกษียนหนังสือ) and its decisions, who may see a secret letter, and the hash chain that makes
//! the history provable.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::codes::state_enum;
use super::history::{Endorsed, GivenTo, LetterHistory, Passed};
use super::letter::Secrecy;
use super::thai_date;
use super::user::Role;

state_enum!(
    /// How a letter was given to someone on its journey.
    AssignmentKind "assignment kind", {
        /// ส่ง: passed on by the saraban officer or a colleague.
        Forward = "forward", "ส่ง";
        /// เสนอ: put before an executive.
        Propose = "propose", "เสนอ";
        /// มอบ: given by the executive's endorsement.
        Assign = "assign", "มอบ";
        /// ส่งคืน: sent back to whoever gave it.
        Return = "return", "ส่งคืน";
    }
);

impl AssignmentKind {
    /// The verb of a notification e-mail's subject line.
    pub fn mail_verb(self) -> &'static str {
        match self {
            AssignmentKind::Forward => "ส่งหนังสือ",
            AssignmentKind::Propose => "เสนอหนังสือ",
            AssignmentKind::Assign => "มอบหนังสือ",
            AssignmentKind::Return => "ส่งคืนหนังสือ",
        }
    }
}

/// The director's decision on a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// ทราบ
    Noted,
    /// อนุญาต
    Permitted,
    /// อนุมัติ
    Approved,
    /// ชอบ
    Agreed,
    /// ลงนามแล้ว
    Signed,
    /// มอบ … (gives the letter to a person or group in the same step)
    Assign,
    /// แจ้ง …
    Inform,
}

impl Decision {
    pub const ALL: [Decision; 7] = [
        Decision::Noted,
        Decision::Permitted,
        Decision::Approved,
        Decision::Agreed,
        Decision::Signed,
        Decision::Assign,
        Decision::Inform,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Decision::Noted => "noted",
            Decision::Permitted => "permitted",
            Decision::Approved => "approved",
            Decision::Agreed => "agreed",
            Decision::Signed => "signed",
            Decision::Assign => "assign",
            Decision::Inform => "inform",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Noted => "ทราบ",
            Decision::Permitted => "อนุญาต",
            Decision::Approved => "อนุมัติ",
            Decision::Agreed => "ชอบ",
            Decision::Signed => "ลงนามแล้ว",
            Decision::Assign => "มอบ",
            Decision::Inform => "แจ้ง",
        }
    }

    /// Accepts the code or the Thai word.
    pub fn parse(input: &str) -> Option<Decision> {
        let t = input.trim();
        Decision::ALL
            .into_iter()
            .find(|d| d.code() == t || d.label() == t)
    }
}

/// Signing for the director (ระเบียบฯ: รักษาราชการแทน / ปฏิบัติราชการแทน).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ActingAs {
    #[default]
    Self_,
    /// รักษาราชการแทน (the post is vacant or its holder away)
    Acting,
    /// ปฏิบัติราชการแทน (by delegation)
    OnBehalf,
}

impl ActingAs {
    pub fn code(self) -> &'static str {
        match self {
            ActingAs::Self_ => "",
            ActingAs::Acting => "acting",
            ActingAs::OnBehalf => "on_behalf",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActingAs::Self_ => "",
            ActingAs::Acting => "รักษาราชการแทน",
            ActingAs::OnBehalf => "ปฏิบัติราชการแทน",
        }
    }

    pub fn parse(input: &str) -> Option<ActingAs> {
        match input.trim() {
            "" | "none" => Some(ActingAs::Self_),
            "acting" | "รักษาราชการแทน" => Some(ActingAs::Acting),
            "on_behalf" | "ปฏิบัติราชการแทน" => {
                Some(ActingAs::OnBehalf)
            }
            _ => None,
        }
    }
}

impl Serialize for ActingAs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ActingAs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ActingAs::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown acting_as {code:?}")))
    }
}

/// What a notification e-mail says about a letter given to someone.
pub struct NotificationFacts<'a> {
    pub office: &'a str,
    pub number_label: &'a str,
    pub doc_no: &'a str,
    pub subject: &'a str,
    pub sender: &'a str,
    pub speed: super::letter::Speed,
    pub secrecy: Secrecy,
    /// ส่ง, เสนอ, มอบ, ส่งคืน
    pub verb: &'a str,
    pub from: &'a str,
    pub note: &'a str,
    pub due: Option<NaiveDate>,
    /// The letter's page, when the deployment's address is known.
    pub link: Option<String>,
}

/// One step of a letter's journey, as the domain sees it: who it is given to, with what note and
/// due date, and the executive's endorsement that gave it, if any.
pub struct StepFacts<'a> {
    pub kind: AssignmentKind,
    pub to: &'a [GivenTo],
    pub note: &'a str,
    pub due_date: Option<NaiveDate>,
    pub endorsement: Option<(Decision, &'a str, ActingAs)>,
}

impl StepFacts<'_> {
    /// The history entry the step writes.
    pub fn history(&self) -> LetterHistory {
        let passed = Passed {
            to: self.to.to_vec(),
            note: self.note.to_string(),
            due_date: self.due_date,
        };
        match (self.kind, self.endorsement) {
            (_, Some((decision, text, acting_as))) => LetterHistory::Endorsed(Endorsed {
                passed,
                decision,
                text: text.to_string(),
                acting_as,
            }),
            (AssignmentKind::Propose, None) => LetterHistory::Proposed(passed),
            (AssignmentKind::Return, None) => LetterHistory::Returned(passed),
            (AssignmentKind::Forward | AssignmentKind::Assign, None) => {
                LetterHistory::Forwarded(passed)
            }
        }
    }

    /// The words the step adds to the register's การปฏิบัติ column.
    pub fn action_line(&self, at: DateTime<Utc>) -> String {
        let verb = match (self.kind, self.endorsement) {
            (_, Some((decision, _, _))) => format!("เกษียน: {}", decision.label()),
            (AssignmentKind::Propose, None) => "เสนอ".to_string(),
            (AssignmentKind::Return, None) => "ส่งคืน".to_string(),
            (AssignmentKind::Forward | AssignmentKind::Assign, None) => "ส่ง".to_string(),
        };
        let names: Vec<&str> = self.to.iter().map(|t| t.name.as_str()).collect();
        action_line(&verb, &names.join(", "), at)
    }
}

/// The register's การปฏิบัติ column after `line` is added to what it said.
pub fn append_action(current: &str, line: &str) -> String {
    if current.trim().is_empty() {
        line.trim().to_string()
    } else {
        format!("{}; {}", current.trim(), line.trim())
    }
}

/// Subject and body of the e-mail telling someone a letter was given to them. A secret letter's
/// subject and note stay out of the e-mail: it says only that one is waiting.
pub fn notification(n: &NotificationFacts<'_>) -> (String, String) {
    let urgent = if n.speed.is_urgent() {
        format!("[{}] ", n.speed.label())
    } else {
        String::new()
    };
    let secret = n.secrecy.is_secret();
    let subject = if secret {
        format!(
            "{urgent}มีหนังสือชั้น{}ถึงท่าน ({})",
            n.secrecy.label(),
            n.number_label
        )
    } else {
        format!("{urgent}มีหนังสือถึงท่าน: {}", n.subject)
    };
    let mut body = format!("{} {}ถึงท่าน\n\n", n.from, n.verb);
    body.push_str(&format!("{}\n", n.number_label));
    if secret {
        body.push_str(&format!(
            "หนังสือชั้น{} โปรดเปิดอ่านในระบบสารบรรณ\n",
            n.secrecy.label()
        ));
    } else {
        body.push_str(&format!(
            "ที่: {}\nเรื่อง: {}\nจาก: {}\n",
            n.doc_no, n.subject, n.sender
        ));
        if !n.note.trim().is_empty() {
            body.push_str(&format!("บันทึก: {}\n", n.note.trim()));
        }
    }
    if n.speed.is_urgent() {
        body.push_str(&format!("ชั้นความเร็ว: {}\n", n.speed.label()));
    }
    if let Some(d) = n.due {
        body.push_str(&format!("กำหนดเสร็จ: {}\n", thai_date::format_long(d)));
    }
    if let Some(link) = &n.link {
        body.push_str(&format!("\nเปิดหนังสือ: {link}\n"));
    }
    body.push_str(&format!(
        "\nอีเมลนี้ระบบสารบรรณของ{}ส่งเอง ไม่ต้องตอบกลับ\n",
        n.office
    ));
    (subject, body)
}

/// One waiting letter in a daily digest.
pub struct DigestLine {
    pub number_label: String,
    pub doc_no: String,
    pub subject: String,
    pub speed: super::letter::Speed,
    pub secrecy: Secrecy,
    pub from: String,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
}

/// The daily digest: every letter given to the person (or their groups) that still waits for
/// their รับทราบ, urgent first as the box lists them; secret subjects stay out.
pub fn digest(
    office: &str,
    day: NaiveDate,
    lines: &[DigestLine],
    link: Option<&str>,
) -> (String, String) {
    let subject = format!(
        "สรุปหนังสือที่รอท่านรับทราบ {} ({} ฉบับ)",
        thai_date::format_short(day),
        lines.len()
    );
    let mut body = format!(
        "หนังสือที่ส่งถึงท่านหรือกลุ่มงานของท่านและยังไม่ได้รับทราบ ณ {}\n\n",
        thai_date::format_long(day)
    );
    for (i, l) in lines.iter().enumerate() {
        let mut tags = String::new();
        if l.speed.is_urgent() {
            tags.push_str(&format!("[{}] ", l.speed.label()));
        }
        if l.overdue {
            tags.push_str("[เกินกำหนด] ");
        }
        let what = if l.secrecy.is_secret() {
            format!("หนังสือชั้น{}", l.secrecy.label())
        } else {
            format!("ที่ {} เรื่อง {}", l.doc_no, l.subject)
        };
        body.push_str(&format!(
            "{}. {tags}{} {what} (จาก {})",
            i + 1,
            l.number_label,
            l.from
        ));
        if let Some(d) = l.due {
            body.push_str(&format!(" กำหนด {}", thai_date::format_short(d)));
        }
        body.push('\n');
    }
    if let Some(link) = link {
        body.push_str(&format!("\nเปิดหนังสือถึงฉัน: {link}\n"));
    }
    body.push_str(&format!(
        "\nอีเมลสรุปนี้ระบบสารบรรณของ{office}ส่งเองวันละครั้ง ไม่ต้องตอบกลับ\n"
    ));
    (subject, body)
}

/// Endorses letters: the director and deputies.
pub fn may_endorse(role: Role) -> bool {
    matches!(role, Role::Director | Role::Deputy)
}

/// Passes any letter of the office on: the saraban officers and the executives. Anyone else may
/// pass on only what was given to them or their group.
pub fn distributes_everything(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::Clerk | Role::Director | Role::Deputy
    )
}

/// A letter marked ลับ or higher is seen only by the saraban officers, the executives and the
/// people (or groups) it was given to.
pub fn may_see(role: Role, secrecy: Secrecy, given_to_them: bool) -> bool {
    !secrecy.is_secret() || distributes_everything(role) || given_to_them
}

/// A due date that has passed (Bangkok's calendar) while the work is not finished
/// (ดำเนินการแล้ว).
pub fn is_overdue(due: Option<NaiveDate>, finished: bool, now: DateTime<Utc>) -> bool {
    !finished && due.is_some_and(|d| d < thai_date::to_bangkok(now).date())
}

/// A due date given with a step: today or later (Bangkok's calendar); a date already past would
/// make the letter overdue the moment it is given.
pub fn check_due_date(due: NaiveDate, now: DateTime<Utc>) -> Result<NaiveDate, &'static str> {
    if due < thai_date::to_bangkok(now).date() {
        Err("กำหนดเสร็จต้องเป็นวันนี้หรือหลังจากนี้")
    } else {
        Ok(due)
    }
}

state_enum!(
    /// What the follow-up page lists (`?status=`).
    FollowUp "follow-up status", {
        /// Given to people or groups who have not acknowledged it.
        Unacknowledged = "unacknowledged", "ยังไม่รับทราบ";
        /// Past its due date and not done.
        Overdue = "overdue", "เลยกำหนด";
        /// Registered but given to nobody.
        NotForwarded = "not_forwarded", "ยังไม่ได้ส่งต่อ";
    }
);

/// The line written into the register's การปฏิบัติ column for a step of the journey.
pub fn action_line(verb: &str, to: &str, at: DateTime<Utc>) -> String {
    format!(
        "{verb} {to} {}",
        thai_date::format_short(thai_date::to_bangkok(at).date())
    )
}

pub use super::audit::{ChainEntry, ChainReport, audit_hash, verify_chain};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_and_secrecy() {
        assert_eq!(Decision::parse("อนุมัติ"), Some(Decision::Approved));
        assert_eq!(Decision::parse("assign"), Some(Decision::Assign));
        assert_eq!(Decision::parse("whatever"), None);
        assert_eq!(ActingAs::parse("รักษาราชการแทน"), Some(ActingAs::Acting));
        assert!(may_endorse(Role::Deputy) && !may_endorse(Role::Clerk));
        assert!(may_see(Role::Staff, Secrecy::Normal, false));
        assert!(!may_see(Role::Staff, Secrecy::Confidential, false));
        assert!(may_see(Role::Staff, Secrecy::Secret, true));
        assert!(may_see(Role::Clerk, Secrecy::TopSecret, false));
    }

    #[test]
    fn notifications_keep_secrets_out() {
        let facts = |secrecy| NotificationFacts {
            office: "สพป.ทดสอบ",
            number_label: "เลขทะเบียนรับ 12/2569",
            doc_no: "ศธ 04006/ว1",
            subject: "เรื่องที่ไม่ควรหลุด",
            sender: "สพฐ.",
            speed: super::super::letter::Speed::MostUrgent,
            secrecy,
            verb: "ส่งหนังสือ",
            from: "คุณclerk",
            note: "บันทึกลับ",
            due: None,
            link: Some("https://saraban.example/letters/1".into()),
        };
        let (subject, body) = notification(&facts(Secrecy::Normal));
        assert!(subject.starts_with("[ด่วนที่สุด]") && subject.contains("เรื่องที่ไม่ควรหลุด"));
        assert!(
            body.contains("บันทึก: บันทึกลับ") && body.contains("https://saraban.example/letters/1")
        );
        let (subject, body) = notification(&facts(Secrecy::Secret));
        assert!(!subject.contains("เรื่องที่ไม่ควรหลุด") && !body.contains("เรื่องที่ไม่ควรหลุด"));
        assert!(!body.contains("บันทึกลับ"));
        assert!(subject.contains("ลับมาก"));
    }

    #[test]
    fn digests_list_what_waits_and_hide_secrets() {
        let line = |subject: &str, secrecy| DigestLine {
            number_label: "เลขทะเบียนรับ 3/2569".into(),
            doc_no: "ศธ 1/2".into(),
            subject: subject.into(),
            speed: super::super::letter::Speed::VeryUrgent,
            secrecy,
            from: "คุณclerk".into(),
            due: None,
            overdue: true,
        };
        let day = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let (subject, body) = digest(
            "สพป.ทดสอบ",
            day,
            &[
                line("เรื่องเปิด", Secrecy::Normal),
                line("เรื่องลับ", Secrecy::Confidential),
            ],
            None,
        );
        assert!(subject.contains("(2 ฉบับ)") && subject.contains("24 พ.ย. 2569"));
        assert!(body.contains("1. [ด่วนมาก] [เกินกำหนด] เลขทะเบียนรับ 3/2569 ที่ ศธ 1/2 เรื่อง เรื่องเปิด"));
        assert!(!body.contains("เรื่องลับ") && body.contains("หนังสือชั้นลับ"));
    }

    #[test]
    fn overdue_only_when_past_and_open() {
        let now = Utc::now();
        let yesterday = thai_date::to_bangkok(now).date().pred_opt();
        assert!(is_overdue(yesterday, false, now));
        let today = thai_date::to_bangkok(now).date();
        assert_eq!(check_due_date(today, now), Ok(today));
        assert!(check_due_date(yesterday.unwrap(), now).is_err());
        assert!(!is_overdue(yesterday, true, now));
        assert!(!is_overdue(None, false, now));
    }
}
