//! View pieces that several pages show: a register line, its files, its history, `<select>`
//! choices. Each page's own view model sits beside its handler in `pages/`. Formatting for people
//! (Buddhist-era dates, Thai labels) happens in the view models, never in the templates' logic.

pub use super::layout::{Layout, Nav};
use crate::domain::letter::{FieldErrors, LetterInput, LetterType, Secrecy, Speed};
use crate::domain::thai_date;
use crate::store::letters::{Letter, LetterEvent, SearchField};

/// `(value, label, selected)` for a `<select>`.
pub type Choice = (String, String, bool);

pub(crate) fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| {
            let c = code(*v);
            (
                c.to_string(),
                label(*v).to_string(),
                c == current || label(*v) == current,
            )
        })
        .collect()
}

/// One register line as the manual's table shows it.
pub struct LetterRow {
    pub id: i64,
    pub register: &'static str,
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub doc_date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    pub registered_at: String,
    pub registered_by: String,
    pub speed: &'static str,
    pub urgent: bool,
    /// `urgent`, `very_urgent`, `most_urgent`: the icon's class.
    pub speed_code: &'static str,
    pub secrecy: &'static str,
    pub secret: bool,
    pub cancelled: bool,
    pub cancel_reason: String,
    pub cancelled_by: String,
    pub cancelled_at: String,
    pub attachment_count: i64,
    pub letter_type: &'static str,
    pub received_at: String,
    pub inbox_entry_id: i64,
    /// `10 ปี`, `ห้ามทำลาย`, …
    pub retention: String,
    pub retention_class: &'static str,
    pub retention_years: i32,
    /// `เก็บถึง พ.ศ. 2579`, `ห้ามทำลาย`, …
    pub keep_until: String,
    /// `นำเข้าจากทะเบียนเดิม โดย … เมื่อ …`, or empty.
    pub imported: String,
    /// `ทำลายแล้ว ตามบัญชีหนังสือขอทำลาย ปี … ลำดับที่ … เมื่อ …`, or empty.
    pub destroyed: String,
    /// `ส่งมอบให้สำนักหอจดหมายเหตุแห่งชาติแล้ว เมื่อ …`, or empty.
    pub handed_over: String,
    /// Where a search's words were found (a search's results only).
    pub found: Vec<crate::domain::file_text::Found>,
    /// Who sent the e-mail it was registered from, as checked.
    pub sender: Option<SenderBadge>,
}

impl From<&Letter> for LetterRow {
    fn from(l: &Letter) -> Self {
        LetterRow {
            id: l.id,
            register: l.register.code(),
            number: l.number,
            year_be: l.year_be,
            doc_no: l.doc_no.clone(),
            doc_date: thai_date::format_short(l.doc_date),
            from: l.sender.clone(),
            to: l.recipient.clone(),
            subject: l.subject.clone(),
            action: l.action.clone(),
            remark: l.remark.clone(),
            registered_at: thai_date::format_datetime(l.registered_at),
            registered_by: l.registered_by_name.clone(),
            speed: l.speed.label(),
            urgent: l.speed.is_urgent(),
            speed_code: l.speed.code(),
            secrecy: l.secrecy.label(),
            secret: l.secrecy.is_secret(),
            cancelled: l.is_cancelled(),
            cancel_reason: l.cancel_reason.clone().unwrap_or_default(),
            cancelled_by: l.cancelled_by_name.clone().unwrap_or_default(),
            cancelled_at: l
                .cancelled_at
                .map(thai_date::format_datetime)
                .unwrap_or_default(),
            attachment_count: l.attachment_count,
            letter_type: l.letter_type.label(),
            received_at: l
                .received_at
                .map(thai_date::format_datetime)
                .unwrap_or_default(),
            inbox_entry_id: l.inbox_entry_id.unwrap_or(0),
            retention: l.retention.label(),
            retention_class: l.retention.class.code(),
            retention_years: l.retention.years.unwrap_or(0),
            keep_until: l.keep_until.label(),
            imported: l
                .imported
                .as_ref()
                .map(|(at, by)| {
                    format!(
                        "นำเข้าจากทะเบียนเดิม โดย {by} เมื่อ {}",
                        thai_date::format_datetime(*at)
                    )
                })
                .unwrap_or_default(),
            destroyed: l
                .destroyed
                .as_ref()
                .map(|(_, note)| note.clone())
                .unwrap_or_default(),
            handed_over: l
                .handed_over_on
                .map(|d| {
                    format!(
                        "ส่งมอบให้สำนักหอจดหมายเหตุแห่งชาติแล้ว เมื่อ {}",
                        thai_date::format_short(d)
                    )
                })
                .unwrap_or_default(),
            found: Vec::new(),
            sender: None,
        }
    }
}

pub struct AttachmentRow {
    pub position: i64,
    pub name: String,
    pub description: String,
    pub size: String,
    pub inline: bool,
    pub sha256: String,
    pub stamp: StampView,
}

/// A file's receipt stamp as the letter page shows it.
#[derive(Debug, Clone, Default)]
pub struct StampView {
    /// A stamped copy exists: the page opens it first.
    pub stamped: bool,
    pub size: String,
    /// The original is digitally signed: the stamped copy is a rendition, the original the record.
    pub signed: bool,
    /// Why a PDF or scan of an inbound letter has no stamped copy.
    pub failure: String,
}

impl From<&crate::service::stamps::StampState> for StampView {
    fn from(state: &crate::service::stamps::StampState) -> Self {
        use crate::service::stamps::StampState;
        match state {
            StampState::NotApplicable => StampView::default(),
            StampState::Stamped { size, signed } => StampView {
                stamped: true,
                size: human_size(*size),
                signed: *signed,
                failure: String::new(),
            },
            StampState::Failed(why) => StampView {
                failure: why.clone(),
                ..StampView::default()
            },
        }
    }
}

pub fn human_size(bytes: i64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} ไบต์")
    }
}

pub struct EventRow {
    pub at: String,
    pub who: String,
    pub what: String,
}

impl From<&LetterEvent> for EventRow {
    fn from(e: &LetterEvent) -> Self {
        EventRow {
            at: thai_date::format_datetime(e.at),
            who: e.actor_name.clone().unwrap_or_else(|| "ระบบ".into()),
            what: e.event.describe(),
        }
    }
}

pub fn search_field_choices(current: SearchField) -> Vec<Choice> {
    <SearchField as crate::domain::codes::Coded>::ALL
        .iter()
        .map(|f| (f.code().to_string(), f.label().to_string(), *f == current))
        .collect()
}

/// A letter's fields as a form shows them (`templates/_letter_fields.html`): what was typed, the
/// Thai error beside each field, and the choices of its selects. The new-letter form, the edit
/// form and the inbox's register form all hold one.
pub struct LetterFields {
    /// ที่ is typed (inbound letters) rather than issued by the register.
    pub doc_no_typed: bool,
    /// What the register will issue, shown instead of the ที่ field.
    pub next_doc_no: String,
    pub input: LetterInput,
    pub errors: FieldErrors,
    pub speeds: Vec<Choice>,
    pub secrecies: Vec<Choice>,
    pub letter_types: Vec<Choice>,
    /// The same letter already in the registers: the form asks whether to register it again.
    pub duplicates: Vec<crate::domain::duplicate::Duplicate>,
    /// Past senders (inbound) or recipients (the rest), offered as the clerk types.
    pub suggestions: Vec<String>,
}

impl LetterFields {
    pub fn new(
        input: LetterInput,
        errors: FieldErrors,
        doc_no_typed: bool,
        next_doc_no: String,
    ) -> LetterFields {
        LetterFields {
            doc_no_typed,
            next_doc_no,
            speeds: choices(Speed::ALL, Speed::code, Speed::label, &input.speed),
            secrecies: choices(Secrecy::ALL, Secrecy::code, Secrecy::label, &input.secrecy),
            letter_types: choices(
                LetterType::ALL,
                LetterType::code,
                LetterType::label,
                &input.letter_type,
            ),
            input,
            errors,
            duplicates: Vec::new(),
            suggestions: Vec::new(),
        }
    }

    pub fn duplicate_message(&self) -> String {
        crate::domain::duplicate::message(&self.duplicates)
    }

    /// The error of `field`, or "".
    pub fn error(&self, field: &str) -> String {
        self.errors.get(field).unwrap_or("").to_string()
    }
}

/// An e-mail or in-system delivery of a letter, as its page lists it.
pub struct DeliveryRow {
    pub id: i64,
    pub to: String,
    pub channel: &'static str,
    pub status: &'static str,
    /// `done`, `wait` or `bad`: the colour of the status tag.
    pub tone: &'static str,
    pub detail: String,
    /// A failed or delayed e-mail can be sent again by the clerk.
    pub can_retry: bool,
}

impl From<&crate::store::deliveries::Delivery> for DeliveryRow {
    fn from(d: &crate::store::deliveries::Delivery) -> Self {
        use crate::domain::exchange::{DeliveryChannel, DeliveryKind};
        let attempts = if d.attempts > 1 {
            format!(" (พยายาม {} ครั้ง)", d.attempts)
        } else {
            String::new()
        };
        DeliveryRow {
            id: d.id,
            to: d
                .recipient_office_name
                .clone()
                .or_else(|| d.recipient_email.clone())
                .unwrap_or_default(),
            channel: match (d.channel, d.kind) {
                (DeliveryChannel::InSystem, _) => DeliveryChannel::InSystem.label(),
                (DeliveryChannel::Email, DeliveryKind::Notice) => "อีเมลแจ้งลงทะเบียนรับ",
                (DeliveryChannel::Email, _) => DeliveryChannel::Email.label(),
            },
            status: d.status.label_of(d.kind, d.saved_to_file),
            tone: if d.status.is_done() {
                "done"
            } else if d.status.is_trouble() {
                "bad"
            } else {
                "wait"
            },
            detail: match (
                d.recipient_number,
                d.recipient_year_be,
                d.recipient_registered_at,
            ) {
                (Some(n), Some(y), Some(at)) => {
                    format!("เลขทะเบียนรับ {n}/{y} เมื่อ {}", thai_date::format_datetime(at))
                }
                _ => match (&d.error, d.next_attempt_at) {
                    (Some(e), Some(next)) if d.status.will_retry() => {
                        format!(
                            "{e}{attempts} · จะลองใหม่ {}",
                            thai_date::format_datetime(next)
                        )
                    }
                    (Some(e), _) => format!("{e}{attempts}"),
                    (None, _) => String::new(),
                },
            },
            can_retry: d.channel == DeliveryChannel::Email && d.status.is_trouble(),
        }
    }
}

/// The verdict on who sent a mail, as the inbox, the entry page and the register show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderBadge {
    /// `good`, `bad`, `wait` or `muted`: the tag's colour.
    pub class: &'static str,
    pub label: String,
    /// Waits for the clerk's decision (never registered on arrival).
    pub hold: bool,
    /// The checks behind it, one line each.
    pub details: Vec<String>,
}

impl SenderBadge {
    /// An entry's verdict, or "being checked" for mail (`came_by_mail`) the checks' thread has
    /// not reached yet (`checking`: sender checks are on), or nothing (not mail, or checks off).
    pub fn of_entry(
        check: Option<&crate::store::sender_checks::SenderCheck>,
        came_by_mail: bool,
        checking: bool,
    ) -> Option<SenderBadge> {
        match check {
            Some(c) => Some(SenderBadge::of(c)),
            None if checking && came_by_mail => Some(SenderBadge {
                class: "wait",
                label: "กำลังตรวจสอบผู้ส่ง".into(),
                hold: false,
                details: vec![
                    "ระบบตรวจ DKIM, SPF และ DMARC ของอีเมลนี้ต่อจากการรับเข้า ผลจะแสดงที่นี่เมื่อตรวจเสร็จ \
                     ระหว่างนี้ระบบยังไม่ลงทะเบียนอัตโนมัติ"
                        .into(),
                ],
            }),
            None => None,
        }
    }

    pub fn of(check: &crate::store::sender_checks::SenderCheck) -> SenderBadge {
        use crate::domain::sender_auth::{Checks, Verdict};
        let class = match check.judgement.verdict {
            Verdict::Verified => "good",
            Verdict::Spoofed => "bad",
            Verdict::Pending => "wait",
            Verdict::Unverified => "muted",
        };
        let mut details = Vec::new();
        if let Ok(c) = serde_json::from_str::<Checks>(&check.checks) {
            for d in &c.dkim {
                details.push(format!(
                    "DKIM {} (selector {}): {}{}",
                    d.domain,
                    d.selector,
                    d.result.code(),
                    if d.reason.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", d.reason)
                    }
                ));
            }
            if c.dkim.is_empty() {
                details.push("DKIM: ไม่มีลายมือชื่อ".into());
            }
            if let Some(s) = &c.spf {
                let from_ip = if s.ip.is_empty() {
                    String::new()
                } else {
                    format!(" จาก IP {}", s.ip)
                };
                details.push(format!("SPF {}{from_ip}: {}", s.domain, s.result.code()));
            }
            if let Some(d) = &c.dmarc {
                details.push(format!(
                    "DMARC {} (นโยบาย {}): {}",
                    d.domain,
                    if d.policy.is_empty() {
                        "-"
                    } else {
                        d.policy.as_str()
                    },
                    d.result.code()
                ));
            }
            if let Some(a) = c.arc {
                details.push(format!("ARC (อีเมลที่ถูกส่งต่อ): {}", a.code()));
            }
            details.push(if c.source == "verified here" {
                "ตรวจโดยระบบสารบรรณ".into()
            } else {
                format!("ตามผลตรวจของเซิร์ฟเวอร์รับอีเมล {}", c.source)
            });
        }
        SenderBadge {
            class,
            label: check.judgement.label(),
            hold: check.judgement.hold,
            details,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SenderBadge;

    #[test]
    fn mail_not_checked_yet_shows_it_is_being_checked_only_when_checks_are_on() {
        let badge = SenderBadge::of_entry(None, true, true).expect("a badge");
        assert_eq!(
            (badge.class, badge.label.as_str(), badge.hold),
            ("wait", "กำลังตรวจสอบผู้ส่ง", false)
        );
        assert!(badge.details[0].contains("ยังไม่ลงทะเบียนอัตโนมัติ"));
        assert_eq!(SenderBadge::of_entry(None, true, false), None);
        assert_eq!(SenderBadge::of_entry(None, false, true), None);
    }
}
