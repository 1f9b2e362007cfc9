//! A letter's history: every kind of event and what it records. Each event is written and read
//! through [`LetterHistory`], so the store, the pages and the API agree on its shape, and the
//! Thai line a clerk reads is made in one place.
//!
//! The stored form is the event's kind (`registered`, `edited`, …) and its detail as JSON; the
//! hash chain (see [`super::journey::audit_hash`]) covers both as stored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::journey::{ActingAs, Decision};

/// One event of a letter's history, with what it records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum LetterHistory {
    /// ลงทะเบียน: the number it took and the files it came with.
    Registered(Registered),
    /// แก้ไข: each changed field's old and new value.
    Edited(Edited),
    /// ยกเลิก, and why.
    Cancelled(Cancelled),
    /// ส่งหนังสือ to offices of this deployment and to e-mail addresses.
    Sent(Sent),
    /// ส่งต่อ inside the office.
    Forwarded(Passed),
    /// เสนอ to an executive.
    Proposed(Passed),
    /// ส่งคืน to whoever gave it.
    Returned(Passed),
    /// เกษียน: the executive's decision, possibly giving the letter on.
    Endorsed(Endorsed),
    /// รับทราบ
    Acknowledged(Acknowledged),
    /// A file added after registering, or put in place of one (the old one stays named here).
    FileAdded(FileAdded),
    /// ดำเนินการแล้ว: the work the letter asked for is done.
    Done(Done),
    /// ปิดทะเบียนประจำปี, written on the year's last entry of the register: the form PDF kept.
    RegisterClosed(RegisterClosed),
    /// นำเข้าจากทะเบียนเดิม: the row came from the office's earlier register, in this file.
    Imported(Imported),
    /// อายุการเก็บ changed by a clerk.
    RetentionSet(RetentionSet),
    /// A legal hold placed on the letter: it may not be destroyed until lifted.
    HoldPlaced(Hold),
    /// A legal hold lifted.
    HoldLifted(Hold),
    /// เก็บเข้าแฟ้ม: filed under a code of the office's filing plan.
    Filed(Filed),
    /// ให้ยืม: lent (บัตรยืมหนังสือ).
    Lent(Lent),
    /// ส่งคืน: a loan came back.
    LoanReturned(LoanReturned),
    /// A step of a destruction list (บัญชีหนังสือขอทำลาย) this letter is on.
    Disposal(super::disposal::DisposalStep),
    /// On the year's 20-year lists: handed to the National Archives, or kept by the office.
    Handover(super::disposal::HandoverStep),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filed {
    pub file_code: String,
    /// The Bangkok date it was filed (วันเก็บ).
    pub filed_on: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lent {
    pub loan_id: i64,
    pub item: String,
    pub borrower: String,
    pub due_on: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoanReturned {
    pub loan_id: i64,
    pub returned_by: String,
    pub returned_on: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Imported {
    /// The file's name and sha256, and the row the letter was on (1 = the first after the header).
    pub file: FileRef,
    pub row: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetentionSet {
    /// The retention as a register shows it (`10 ปี`, `ตามกฎหมายอื่น 15 ปี`, `ห้ามทำลาย`).
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hold {
    pub hold_id: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterClosed {
    pub register: String,
    pub year_be: i32,
    pub entries: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileAdded {
    pub position: i64,
    pub file: FileRef,
    pub description: String,
    /// The file it took the place of, when it replaced one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<FileRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Done {
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Registered {
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub attachments: Vec<FileRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileRef {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Edited {
    /// By the field's code (`doc_no`, `subject`, …; see [`field_label`]).
    pub changes: BTreeMap<String, Change>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Change {
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cancelled {
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sent {
    pub offices: Vec<SentToOffice>,
    pub emails: Vec<SentToEmail>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SentToOffice {
    pub id: String,
    /// The office's name, with the work group first when it went to one.
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SentToEmail {
    pub address: String,
    pub message_id: String,
}

/// A step that gave the letter to people or groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Passed {
    pub to: Vec<GivenTo>,
    pub note: String,
    pub due_date: Option<NaiveDate>,
}

/// A person (`user`) or a work group (`group`) a letter was given to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GivenTo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsed {
    #[serde(flatten)]
    pub passed: Passed,
    pub decision: Decision,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub acting_as: ActingAs,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledged {}

/// The stored detail could not be read as its kind.
#[derive(Debug, thiserror::Error)]
#[error("history entry {kind:?}: {source}")]
pub struct HistoryFormatError {
    kind: String,
    source: serde_json::Error,
}

impl LetterHistory {
    /// The kind as stored (`registered`, `forwarded`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            LetterHistory::Registered(_) => "registered",
            LetterHistory::Edited(_) => "edited",
            LetterHistory::Cancelled(_) => "cancelled",
            LetterHistory::Sent(_) => "sent",
            LetterHistory::Forwarded(_) => "forwarded",
            LetterHistory::Proposed(_) => "proposed",
            LetterHistory::Returned(_) => "returned",
            LetterHistory::Endorsed(_) => "endorsed",
            LetterHistory::Acknowledged(_) => "acknowledged",
            LetterHistory::FileAdded(_) => "file_added",
            LetterHistory::Done(_) => "done",
            LetterHistory::RegisterClosed(_) => "register_closed",
            LetterHistory::Imported(_) => "imported",
            LetterHistory::RetentionSet(_) => "retention_set",
            LetterHistory::HoldPlaced(_) => "hold_placed",
            LetterHistory::HoldLifted(_) => "hold_lifted",
            LetterHistory::Filed(_) => "filed",
            LetterHistory::Lent(_) => "lent",
            LetterHistory::LoanReturned(_) => "loan_returned",
            LetterHistory::Disposal(_) => "disposal",
            LetterHistory::Handover(_) => "handover",
        }
    }

    /// The detail as JSON (what the store keeps and the API shows).
    pub fn detail(&self) -> serde_json::Value {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => {
                tagged.remove("detail").unwrap_or_default()
            }
            // Every variant is a struct with string keys: serialising cannot fail.
            _ => serde_json::Value::Null,
        }
    }

    /// Reads a stored entry back.
    pub fn from_stored(kind: &str, detail: &str) -> Result<LetterHistory, HistoryFormatError> {
        let error = |source| HistoryFormatError {
            kind: kind.to_string(),
            source,
        };
        let detail: serde_json::Value = serde_json::from_str(detail).map_err(error)?;
        serde_json::from_value(serde_json::json!({ "kind": kind, "detail": detail })).map_err(error)
    }

    /// The line a clerk reads in the letter's history.
    pub fn describe(&self) -> String {
        match self {
            LetterHistory::Registered(_) => "ลงทะเบียน".to_string(),
            LetterHistory::Cancelled(c) => format!("ยกเลิก เหตุผล: {}", c.reason),
            LetterHistory::Edited(e) if e.changes.is_empty() => {
                "แก้ไข (ไม่มีการเปลี่ยนแปลง)".to_string()
            }
            LetterHistory::Edited(e) => {
                let fields: Vec<String> = e
                    .changes
                    .iter()
                    .map(|(k, c)| {
                        format!(
                            "{}: «{}» → «{}»",
                            field_label(k),
                            shown_value(k, &c.old),
                            shown_value(k, &c.new)
                        )
                    })
                    .collect();
                format!("แก้ไข {}", fields.join("; "))
            }
            LetterHistory::Forwarded(p) => passed_line("ส่งต่อถึง".to_string(), p),
            LetterHistory::Proposed(p) => passed_line("เสนอ".to_string(), p),
            LetterHistory::Returned(p) => passed_line("ส่งคืน".to_string(), p),
            LetterHistory::Endorsed(e) => {
                let acting = match e.acting_as {
                    ActingAs::Self_ => String::new(),
                    other => format!(" ({}ผู้อำนวยการ)", other.label()),
                };
                passed_line(format!("เกษียน: {}{acting}", e.decision.label()), &e.passed)
            }
            LetterHistory::Acknowledged(_) => "รับทราบ".to_string(),
            LetterHistory::FileAdded(f) => match &f.replaces {
                Some(old) => format!("แนบไฟล์ {} แทน {}", f.file.name, old.name),
                None => format!("แนบไฟล์เพิ่ม {}", f.file.name),
            },
            LetterHistory::Done(d) if d.note.is_empty() => "ดำเนินการแล้ว".to_string(),
            LetterHistory::Done(d) => format!("ดำเนินการแล้ว “{}”", d.note),
            LetterHistory::RegisterClosed(c) => format!(
                "ปิดทะเบียนประจำปี พ.ศ. {} ({} รายการ) เก็บแบบพิมพ์ PDF sha256 {}",
                c.year_be, c.entries, c.sha256
            ),
            LetterHistory::Imported(i) => {
                format!("นำเข้าจากทะเบียนเดิม (ไฟล์ {} แถวที่ {})", i.file.name, i.row)
            }
            LetterHistory::RetentionSet(r) => {
                format!("เปลี่ยนอายุการเก็บ «{}» → «{}»", r.old, r.new)
            }
            LetterHistory::HoldPlaced(h) => format!("ระงับการทำลาย เหตุผล: {}", h.reason),
            LetterHistory::HoldLifted(h) => format!("ยกเลิกการระงับการทำลาย เหตุผล: {}", h.reason),
            LetterHistory::Filed(f) => format!(
                "เก็บเข้าแฟ้ม รหัส {} เมื่อ {}",
                f.file_code,
                shown_value("doc_date", &f.filed_on)
            ),
            LetterHistory::Lent(l) => format!(
                "ให้ยืม{} แก่ {} กำหนดส่งคืน {}",
                l.item,
                l.borrower,
                shown_value("doc_date", &l.due_on)
            ),
            LetterHistory::LoanReturned(r) => format!(
                "ส่งคืนหนังสือที่ยืม โดย {} เมื่อ {}",
                r.returned_by,
                shown_value("doc_date", &r.returned_on)
            ),
            LetterHistory::Handover(h) if h.kept => {
                format!("หนังสือครบ 20 ปีที่ขอเก็บเอง (แบบที่ 22 ปี {})", h.year_be)
            }
            LetterHistory::Handover(h) => format!(
                "ส่งมอบให้สำนักหอจดหมายเหตุแห่งชาติ เมื่อ {} (บัญชีส่งมอบหนังสือครบ 20 ปี ปี {})",
                shown_value("doc_date", &h.on),
                h.year_be
            ),
            LetterHistory::Disposal(d) => {
                format!("บัญชีหนังสือขอทำลาย ปี {}: {}", d.year_be, d.detail)
            }
            LetterHistory::Sent(s) => {
                let to: Vec<&str> = s
                    .offices
                    .iter()
                    .map(|o| o.name.as_str())
                    .chain(s.emails.iter().map(|e| e.address.as_str()))
                    .collect();
                format!("ส่งหนังสือถึง {}", to.join(", "))
            }
        }
    }
}

/// A recorded value as a clerk reads it: dates in the Buddhist era (`2 พ.ค. 2566`, not
/// `2023-05-02`), speeds and secrecy levels by their Thai names rather than their codes.
fn shown_value(field: &str, value: &str) -> String {
    use super::letter::{LetterType, Secrecy, Speed};
    let label = match field {
        "doc_date" => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .map(super::thai_date::format_short),
        "speed" => Speed::parse(value).map(|s| s.label().to_string()),
        "secrecy" => Secrecy::parse(value).map(|s| s.label().to_string()),
        "letter_type" => LetterType::parse(value).map(|t| t.label().to_string()),
        _ => None,
    };
    label.unwrap_or_else(|| value.to_string())
}

fn passed_line(mut line: String, p: &Passed) -> String {
    let to: Vec<&str> = p.to.iter().map(|t| t.name.as_str()).collect();
    if !to.is_empty() {
        line.push(' ');
        line.push_str(&to.join(", "));
    }
    if !p.note.is_empty() {
        line.push_str(&format!(" “{}”", p.note));
    }
    if let Some(due) = p.due_date {
        line.push_str(&format!(
            " กำหนดเสร็จ {}",
            super::thai_date::format_short(due)
        ));
    }
    line
}

/// The Thai name of a letter field, by the code an edit records it under.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "doc_no" => "ที่",
        "doc_date" => "ลงวันที่",
        "from" => "จาก",
        "to" => "ถึง",
        "subject" => "เรื่อง",
        "action" => "การปฏิบัติ",
        "remark" => "หมายเหตุ",
        "speed" => "ชั้นความเร็ว",
        "secrecy" => "ชั้นความลับ",
        "letter_type" => "ชนิดหนังสือ",
        _ => "ช่องอื่น",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_and_steps_read_in_buddhist_era_dates_and_thai_names() {
        let mut changes = BTreeMap::new();
        changes.insert(
            "doc_date".to_string(),
            Change {
                old: "2023-05-02".into(),
                new: "2026-05-02".into(),
            },
        );
        changes.insert(
            "speed".to_string(),
            Change {
                old: "normal".into(),
                new: "most_urgent".into(),
            },
        );
        let line = LetterHistory::Edited(Edited { changes }).describe();
        assert!(line.contains("«2 พ.ค. 2566» → «2 พ.ค. 2569»"), "{line}");
        assert!(line.contains("«ปกติ» → «ด่วนที่สุด»"), "{line}");
        assert!(!line.contains("2023"));
        let passed = LetterHistory::Forwarded(Passed {
            to: vec![],
            note: String::new(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 31),
        });
        assert!(passed.describe().contains("กำหนดเสร็จ 31 ธ.ค. 2569"));
    }

    /// Entries written before the history was typed read back as the same events.
    #[test]
    fn stored_entries_read_back_and_write_the_same_detail() {
        let stored = [
            (
                "registered",
                r#"{"attachments":[{"name":"a.pdf","sha256":"ab"}],"doc_no":"ศธ 04183/1","number":7,"year_be":2566}"#,
            ),
            (
                "edited",
                r#"{"changes":{"subject":{"new":"ใหม่","old":"เก่า"}}}"#,
            ),
            ("cancelled", r#"{"reason":"ลงซ้ำ"}"#),
            (
                "sent",
                r#"{"emails":[{"address":"a@b.go.th","message_id":"<m@x>"}],"offices":[{"id":"s1","name":"งานแผน โรงเรียน ก"}]}"#,
            ),
            (
                "forwarded",
                r#"{"due_date":"2023-05-08","note":"ด่วน","to":[{"name":"สมชาย","user":3},{"group":"plan","name":"งานแผน"}]}"#,
            ),
            (
                "proposed",
                r#"{"due_date":null,"note":"","to":[{"name":"ผอ.","user":2}]}"#,
            ),
            (
                "returned",
                r#"{"due_date":null,"note":"ผิดเรื่อง","to":[{"name":"ธุรการ","user":4}]}"#,
            ),
            (
                "endorsed",
                r#"{"acting_as":"acting","decision":"assign","due_date":null,"note":"ดำเนินการ","text":"ดำเนินการ","to":[{"group":"plan","name":"งานแผน"}]}"#,
            ),
            ("acknowledged", r#"{}"#),
        ];
        for (kind, detail) in stored {
            let event = LetterHistory::from_stored(kind, detail).unwrap();
            assert_eq!(event.kind(), kind);
            assert_eq!(event.detail().to_string(), detail, "{kind}");
        }
    }

    #[test]
    fn a_detail_of_the_wrong_shape_is_an_error_not_a_guess() {
        assert!(LetterHistory::from_stored("cancelled", r#"{"reason": 5}"#).is_err());
        assert!(LetterHistory::from_stored("teleported", "{}").is_err());
        assert!(LetterHistory::from_stored("endorsed", r#"{"decision":"maybe"}"#).is_err());
    }

    #[test]
    fn each_event_reads_as_a_thai_line() {
        let line =
            |kind: &str, detail: &str| LetterHistory::from_stored(kind, detail).unwrap().describe();
        assert_eq!(
            line("edited", r#"{"changes":{"subject":{"new":"ข","old":"ก"}}}"#),
            "แก้ไข เรื่อง: «ก» → «ข»"
        );
        assert_eq!(
            line("edited", r#"{"changes":{}}"#),
            "แก้ไข (ไม่มีการเปลี่ยนแปลง)"
        );
        assert_eq!(
            line(
                "endorsed",
                r#"{"acting_as":"acting","decision":"assign","note":"ทำ","to":[{"group":"g","name":"งานแผน"}]}"#
            ),
            "เกษียน: มอบ (รักษาราชการแทนผู้อำนวยการ) งานแผน “ทำ”"
        );
        assert_eq!(
            line("forwarded", r#"{"note":"","to":[{"user":1,"name":"ก"}]}"#),
            "ส่งต่อถึง ก"
        );
        assert_eq!(
            line(
                "sent",
                r#"{"offices":[{"id":"x","name":"โรงเรียน ก"}],"emails":[{"address":"a@b","message_id":"m"}]}"#
            ),
            "ส่งหนังสือถึง โรงเรียน ก, a@b"
        );
        assert_eq!(line("cancelled", r#"{"reason":"ซ้ำ"}"#), "ยกเลิก เหตุผล: ซ้ำ");
    }
}
