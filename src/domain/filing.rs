//! Filing (การเก็บหนังสือ, ระเบียบฯ ข้อ 54–55) and lending (การยืมหนังสือ, ข้อ 61–65): the rules, free
//! of storage. What is known of them and how sure we are is in `records.md`; no maximum loan
//! period was found, so each loan sets its own due date.

use chrono::NaiveDate;

use super::letter::FieldErrors;

/// A file code (รหัสแฟ้ม) of the office's filing plan, as typed: trimmed, 1–40 characters.
pub fn check_file_code(code: &str, name: &str) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let code = code.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = name.trim().to_string();
    if code.is_empty() {
        errors.add("code", "กรุณากรอกรหัสแฟ้ม");
    } else if code.chars().count() > 40 {
        errors.add("code", "รหัสแฟ้มยาวได้ไม่เกิน 40 ตัวอักษร");
    }
    if name.is_empty() {
        errors.add("name", "กรุณากรอกชื่อแฟ้ม");
    }
    if errors.0.is_empty() {
        Ok((code, name))
    } else {
        Err(errors)
    }
}

/// Who borrows: an officer of the office, or someone outside saraban.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Borrower {
    Officer {
        user_id: i64,
    },
    Outsider {
        name: String,
        position: String,
        unit: String,
        email: String,
    },
}

/// A loan as checked: what is lent, to whom, why, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanRequest {
    /// รายการ: the paper original, or the files (with the file code, on the card).
    pub item: String,
    pub borrower: Borrower,
    pub purpose: String,
    pub borrowed_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// What a loan's request says before it is checked.
#[derive(Debug, Clone, Default)]
pub struct LoanFacts<'a> {
    pub item: &'a str,
    /// Set when an officer borrows.
    pub officer: Option<i64>,
    pub name: &'a str,
    pub position: &'a str,
    pub unit: &'a str,
    pub email: &'a str,
    pub purpose: &'a str,
    pub borrowed_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// The letter is secret (ลับ and above).
    pub secret: bool,
    /// A director or deputy of the office approved (needed for an outsider).
    pub approved: bool,
}

/// Checks a loan: every fault as a Thai message by field.
pub fn check_loan(facts: &LoanFacts<'_>, today: NaiveDate) -> Result<LoanRequest, FieldErrors> {
    let mut errors = FieldErrors::default();
    let item = match facts.item.trim() {
        "" => "ต้นฉบับหนังสือ".to_string(),
        i => i.to_string(),
    };
    let purpose = facts.purpose.trim().to_string();
    if purpose.is_empty() {
        errors.add("purpose", "กรุณาระบุว่ายืมไปเพื่อราชการใด");
    }
    let borrower = match facts.officer {
        Some(user_id) => Borrower::Officer { user_id },
        None => {
            let name = facts.name.trim().to_string();
            if name.is_empty() {
                errors.add("borrower", "กรุณาระบุผู้ยืม (เจ้าหน้าที่ในระบบ หรือชื่อผู้ยืมจากภายนอก)");
            }
            if facts.position.trim().is_empty() && facts.unit.trim().is_empty() {
                errors.add("position", "ผู้ยืมจากภายนอกต้องระบุตำแหน่งหรือหน่วยงาน");
            }
            if !facts.approved {
                errors.add(
                    "approved_by",
                    "ผู้ยืมจากภายนอกต้องได้รับอนุญาตจากผู้อำนวยการหรือรองผู้อำนวยการ",
                );
            }
            if facts.secret {
                errors.add(
                    "borrower",
                    "หนังสือลับให้ยืมแก่บุคคลภายนอกไม่ได้ ต้องปฏิบัติตามระเบียบว่าด้วยการรักษาความลับของทางราชการ",
                );
            }
            Borrower::Outsider {
                name,
                position: facts.position.trim().to_string(),
                unit: facts.unit.trim().to_string(),
                email: facts.email.trim().to_string(),
            }
        }
    };
    let borrowed_on = facts.borrowed_on.unwrap_or(today);
    if borrowed_on > today {
        errors.add("borrowed_on", "วันยืมต้องไม่เกินวันนี้");
    }
    let due_on = match facts.due_on {
        None => {
            errors.add("due_on", "กรุณากำหนดวันส่งคืน");
            borrowed_on
        }
        Some(due) if due < borrowed_on => {
            errors.add("due_on", "กำหนดส่งคืนต้องไม่ก่อนวันยืม");
            due
        }
        Some(due) => due,
    };
    if errors.0.is_empty() {
        Ok(LoanRequest {
            item,
            borrower,
            purpose,
            borrowed_on,
            due_on,
        })
    } else {
        Err(errors)
    }
}

/// Where a loan stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoanStatus {
    /// Lent and not yet due back.
    Out,
    /// Past its due date and not returned.
    Overdue,
    Returned,
}

impl LoanStatus {
    pub fn of(due_on: NaiveDate, returned: bool, today: NaiveDate) -> LoanStatus {
        match (returned, due_on < today) {
            (true, _) => LoanStatus::Returned,
            (false, true) => LoanStatus::Overdue,
            (false, false) => LoanStatus::Out,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            LoanStatus::Out => "out",
            LoanStatus::Overdue => "overdue",
            LoanStatus::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LoanStatus::Out => "ยืมอยู่",
            LoanStatus::Overdue => "เลยกำหนดส่งคืน",
            LoanStatus::Returned => "ส่งคืนแล้ว",
        }
    }

    pub fn parse(code: &str) -> Option<LoanStatus> {
        [LoanStatus::Out, LoanStatus::Overdue, LoanStatus::Returned]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// What a loan reminder says.
pub struct ReminderFacts<'a> {
    pub office: &'a str,
    pub item: &'a str,
    pub letter: &'a str,
    pub borrower: &'a str,
    pub borrowed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub link: Option<String>,
}

/// The subject and body of an overdue loan's reminder (to the borrower and to the officer who
/// lent it).
pub fn reminder(f: &ReminderFacts<'_>) -> (String, String) {
    let subject = format!("เตือนส่งคืนหนังสือที่ยืม: {}", f.letter);
    let mut body = format!(
        "เรียน {}\n\nหนังสือที่ยืมไปจาก{} เลยกำหนดส่งคืนแล้ว\n\nรายการ: {}\nหนังสือ: {}\nวันยืม: {}\nกำหนดส่งคืน: {}\n\nกรุณาส่งคืนเจ้าหน้าที่ธุรการ (ระเบียบฯ ว่าด้วยงานสารบรรณ ข้อ 61–65)\n",
        f.borrower,
        f.office,
        f.item,
        f.letter,
        super::thai_date::format_short(f.borrowed_on),
        super::thai_date::format_short(f.due_on),
    );
    if let Some(link) = &f.link {
        body.push_str(&format!("\nดูรายการยืม: {link}\n"));
    }
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn outsider<'a>() -> LoanFacts<'a> {
        LoanFacts {
            name: "นายสมชาย ใจดี",
            position: "นิติกร",
            unit: "สำนักงานอัยการจังหวัด",
            purpose: "ประกอบการพิจารณาคดี",
            borrowed_on: Some(day(3)),
            due_on: Some(day(17)),
            approved: true,
            ..Default::default()
        }
    }

    #[test]
    fn codes_are_checked() {
        assert_eq!(
            check_file_code("  ศธ 04183.1/ 1 ", " การประชุม "),
            Ok(("ศธ 04183.1/ 1".to_string(), "การประชุม".to_string()))
        );
        let errors = check_file_code("", "").unwrap_err();
        assert!(errors.get("code").is_some() && errors.get("name").is_some());
    }

    #[test]
    fn an_outsider_needs_approval_a_unit_and_no_secret() {
        let ok = check_loan(&outsider(), day(3)).unwrap();
        assert_eq!(ok.item, "ต้นฉบับหนังสือ");
        assert!(matches!(ok.borrower, Borrower::Outsider { .. }));
        let mut f = outsider();
        f.approved = false;
        f.secret = true;
        f.position = "";
        f.unit = "";
        let errors = check_loan(&f, day(3)).unwrap_err();
        assert!(errors.get("approved_by").is_some());
        assert!(errors.get("position").is_some());
        assert!(errors.get("borrower").unwrap().contains("หนังสือลับ"));
    }

    #[test]
    fn an_officer_needs_only_a_purpose_and_dates() {
        let f = LoanFacts {
            officer: Some(7),
            purpose: "ตรวจสอบข้อมูล",
            due_on: Some(day(10)),
            secret: true,
            ..Default::default()
        };
        let ok = check_loan(&f, day(3)).unwrap();
        assert_eq!(ok.borrowed_on, day(3), "today when not given");
        assert_eq!(ok.borrower, Borrower::Officer { user_id: 7 });
        let f = LoanFacts {
            officer: Some(7),
            due_on: Some(day(1)),
            ..Default::default()
        };
        let errors = check_loan(&f, day(3)).unwrap_err();
        assert!(errors.get("purpose").is_some() && errors.get("due_on").is_some());
    }

    #[test]
    fn status_by_due_date() {
        assert_eq!(LoanStatus::of(day(10), false, day(10)), LoanStatus::Out);
        assert_eq!(LoanStatus::of(day(10), false, day(11)), LoanStatus::Overdue);
        assert_eq!(LoanStatus::of(day(10), true, day(30)), LoanStatus::Returned);
        assert_eq!(LoanStatus::parse("overdue"), Some(LoanStatus::Overdue));
    }
}
