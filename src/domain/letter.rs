//! A letter's fields as the register forms (แบบที่ 13, 14) hold them, and their validation.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::state_enum;
use super::doc_no::DocNo;
use super::register::Register;
use super::thai_date;

/// A [`state_enum!`](super::codes) that also has an e-CMS code (001, 002, …), defaults to its first
/// value, and is read leniently from what people and other systems send: the code, the e-CMS code
/// or the Thai label.
macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident {
        $first:ident = $fcode:literal, $fecms:literal, $flabel:literal;
        $($variant:ident = $code:literal, $ecms:literal, $label:literal;)*
    }) => {
        state_enum!($(#[$m])* $name stringify!($name), {
            $first = $fcode, $flabel;
            $($variant = $code, $label;)*
        });

        impl Default for $name {
            fn default() -> Self {
                $name::$first
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$name::$first, $($name::$variant),*];

            /// The e-CMS code (001, 002, …).
            pub fn ecms_code(self) -> &'static str {
                match self { $name::$first => $fecms, $($name::$variant => $ecms),* }
            }

            /// Accepts the code, the e-CMS code or the Thai label.
            pub fn parse(input: &str) -> Option<Self> {
                let t = input.trim();
                Self::ALL.iter().copied().find(|v| v.code() == t || v.ecms_code() == t || v.label() == t)
            }
        }
    };
}

coded_enum!(
    /// ชั้นความเร็ว
    Speed {
        Normal = "normal", "001", "ปกติ";
        Urgent = "urgent", "002", "ด่วน";
        VeryUrgent = "very_urgent", "003", "ด่วนมาก";
        MostUrgent = "most_urgent", "004", "ด่วนที่สุด";
    }
);

coded_enum!(
    /// ชั้นความลับ
    Secrecy {
        Normal = "normal", "001", "ปกติ";
        Confidential = "confidential", "002", "ลับ";
        Secret = "secret", "003", "ลับมาก";
        TopSecret = "top_secret", "004", "ลับที่สุด";
    }
);

coded_enum!(
    /// ชนิดของหนังสือราชการ (ระเบียบฯ ข้อ 9)
    LetterType {
        External = "external", "1", "หนังสือภายนอก";
        Internal = "internal", "2", "หนังสือภายใน";
        Stamped = "stamped", "3", "หนังสือประทับตรา";
        Directive = "directive", "4", "หนังสือสั่งการ";
        Publicity = "publicity", "5", "หนังสือประชาสัมพันธ์";
        Record = "record", "6", "หนังสือที่เจ้าหน้าที่ทำขึ้นหรือรับไว้เป็นหลักฐาน";
    }
);

impl LetterType {
    /// The type a register's letters usually are: an order (คำสั่ง) is หนังสือสั่งการ, the rest
    /// หนังสือภายนอก until the clerk says otherwise.
    pub fn default_for(register: Register) -> LetterType {
        match register {
            Register::Order => LetterType::Directive,
            _ => LetterType::External,
        }
    }
}

impl Speed {
    /// ด่วนมาก and ด่วนที่สุด stand out in every list.
    pub fn is_urgent(self) -> bool {
        self != Speed::Normal
    }
}

impl Secrecy {
    pub fn is_secret(self) -> bool {
        self != Secrecy::Normal
    }
}

/// What a clerk typed (or an API client sent), before validation. Every field is kept as typed so
/// that a form with an error comes back with the user's input in place.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LetterInput {
    pub doc_no: String,
    pub doc_date: String,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    pub speed: String,
    pub secrecy: String,
    pub letter_type: String,
    /// Register even though the same letter is already in the registers (the clerk confirmed).
    #[serde(deserialize_with = "lenient_flag")]
    pub allow_duplicate: bool,
    /// The date picker's value (`YYYY-MM-DD`), used when `doc_date` was left empty: the form's
    /// picker works without JavaScript too.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub doc_date_pick: String,
}

/// A yes/no sent as JSON `true`, or as a form's `true`/`on`/`1`/`yes`.
fn lenient_flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Flag>::deserialize(d)? {
        Some(Flag::Bool(b)) => b,
        Some(Flag::Text(t)) => is_yes(&t),
        None => false,
    })
}

/// How a form says yes.
pub fn is_yes(text: &str) -> bool {
    matches!(
        text.trim().to_ascii_lowercase().as_str(),
        "true" | "on" | "1" | "yes"
    )
}

/// A letter's validated fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterFields {
    /// `None` when the register generates the number at registration.
    pub doc_no: Option<String>,
    pub doc_date: NaiveDate,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    pub speed: Speed,
    pub secrecy: Secrecy,
    pub letter_type: LetterType,
}

/// Thai messages by field name, shown next to each field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// All messages in one line, for the API's error message.
    pub fn summary(&self) -> String {
        self.0.values().cloned().collect::<Vec<_>>().join("; ")
    }
}

/// What the office fills in when the clerk leaves a field empty.
pub struct LetterDefaults<'a> {
    pub office_name: &'a str,
    pub today: NaiveDate,
}

const MAX_SHORT: usize = 300;
const MAX_LONG: usize = 2000;

/// Validates a letter for a register.
///
/// Inbound: `ที่`, `ลงวันที่`, `จาก` and `เรื่อง` come from the letter received and are required;
/// `ถึง` defaults to the office. Outbound, circular and order: `ที่` is generated at registration,
/// `ลงวันที่` defaults to today, `จาก` to the office, and `ถึง` and `เรื่อง` are required.
pub fn validate(
    register: Register,
    input: &LetterInput,
    defaults: &LetterDefaults<'_>,
) -> Result<LetterFields, FieldErrors> {
    let mut errors = FieldErrors::default();
    let inbound = register == Register::Inbound;

    let doc_no = if inbound {
        let raw = input.doc_no.trim();
        if raw == "-" || raw == "ไม่มีเลขที่" {
            Some("-".to_string())
        } else {
            match DocNo::parse(raw) {
                Ok(n) => Some(n.to_string()),
                Err(e) => {
                    errors.add("doc_no", format!("{e} (ถ้าหนังสือไม่มีเลขที่ ให้กรอก -)"));
                    None
                }
            }
        }
    } else {
        None
    };

    let typed = if input.doc_date.trim().is_empty() {
        input.doc_date_pick.trim()
    } else {
        input.doc_date.trim()
    };
    let doc_date = if typed.is_empty() {
        if inbound {
            errors.add("doc_date", "กรุณากรอกวันที่ของหนังสือ (ลงวันที่)");
        }
        defaults.today
    } else {
        match thai_date::parse_date(typed) {
            Ok(d) => d,
            Err(e) => {
                errors.add("doc_date", e.to_string());
                defaults.today
            }
        }
    };

    // The office itself is the sender of what it sends and the recipient of what it receives.
    let (from, to) = if inbound {
        (collapse(&input.from), or_office(&input.to, defaults))
    } else {
        (or_office(&input.from, defaults), collapse(&input.to))
    };
    if from.is_empty() {
        errors.add("from", "กรุณากรอกผู้ส่ง (จาก)");
    }
    if to.is_empty() {
        errors.add("to", "กรุณากรอกผู้รับ (ถึง)");
    }
    let subject = collapse(&input.subject);
    if subject.is_empty() {
        errors.add("subject", "กรุณากรอกเรื่อง");
    }
    for (field, value, max) in [
        ("from", &from, MAX_SHORT),
        ("to", &to, MAX_SHORT),
        ("subject", &subject, MAX_LONG),
    ] {
        if value.chars().count() > max {
            errors.add(field, format!("ยาวเกินไป (ไม่เกิน {max} ตัวอักษร)"));
        }
    }
    let action = input.action.trim().to_string();
    let remark = input.remark.trim().to_string();
    if action.chars().count() > MAX_LONG {
        errors.add("action", format!("ยาวเกินไป (ไม่เกิน {MAX_LONG} ตัวอักษร)"));
    }
    if remark.chars().count() > MAX_LONG {
        errors.add("remark", format!("ยาวเกินไป (ไม่เกิน {MAX_LONG} ตัวอักษร)"));
    }

    let speed = parse_or(
        &input.speed,
        Speed::parse,
        "speed",
        "ชั้นความเร็วไม่ถูกต้อง",
        &mut errors,
    );
    let secrecy = parse_or(
        &input.secrecy,
        Secrecy::parse,
        "secrecy",
        "ชั้นความลับไม่ถูกต้อง",
        &mut errors,
    );
    let letter_type = if input.letter_type.trim().is_empty() {
        LetterType::default_for(register)
    } else {
        parse_or(
            &input.letter_type,
            LetterType::parse,
            "letter_type",
            "ชนิดของหนังสือไม่ถูกต้อง",
            &mut errors,
        )
    };

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LetterFields {
        doc_no,
        doc_date,
        from,
        to,
        subject,
        action,
        remark,
        speed,
        secrecy,
        letter_type,
    })
}

/// The typed text, or the office's name when it was left empty.
fn or_office(input: &str, defaults: &LetterDefaults<'_>) -> String {
    let text = collapse(input);
    if text.is_empty() {
        defaults.office_name.to_string()
    } else {
        text
    }
}

fn collapse(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_or<T: Default>(
    input: &str,
    parse: fn(&str) -> Option<T>,
    field: &str,
    message: &str,
    errors: &mut FieldErrors,
) -> T {
    if input.trim().is_empty() {
        return T::default();
    }
    parse(input).unwrap_or_else(|| {
        errors.add(field, message);
        T::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_a_directive_and_the_picker_fills_an_empty_date() {
        let defaults = LetterDefaults {
            office_name: "สพป.ทดสอบ",
            today: NaiveDate::from_ymd_opt(2026, 5, 2).unwrap(),
        };
        let input = LetterInput {
            subject: "แต่งตั้งคณะกรรมการ".into(),
            to: "ข้าราชการในสังกัด".into(),
            ..Default::default()
        };
        let order = validate(Register::Order, &input, &defaults).unwrap();
        assert_eq!(order.letter_type, LetterType::Directive);
        let out = validate(Register::Outbound, &input, &defaults).unwrap();
        assert_eq!(out.letter_type, LetterType::External);
        let picked = LetterInput {
            doc_no: "ศธ 1/2".into(),
            from: "สพฐ.".into(),
            subject: "x".into(),
            doc_date_pick: "2026-04-30".into(),
            ..Default::default()
        };
        let f = validate(Register::Inbound, &picked, &defaults).unwrap();
        assert_eq!(f.doc_date, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap());
    }

    fn defaults() -> LetterDefaults<'static> {
        LetterDefaults {
            office_name: "โรงเรียนอนุบาลอุบลราชธานี",
            today: NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
        }
    }

    fn inbound_input() -> LetterInput {
        LetterInput {
            doc_no: "ที่ ศธ ๐๔๑๘๓/ว๑๘๙๑".into(),
            doc_date: "2 พ.ค. 2566".into(),
            from: "กลุ่มส่งเสริมการจัดการศึกษา".into(),
            subject: "  สรุปโครงการทำบุญวันละบาท  ".into(),
            speed: "ด่วนที่สุด".into(),
            ..Default::default()
        }
    }

    #[test]
    fn inbound_letter_is_read_and_normalised() {
        let f = validate(Register::Inbound, &inbound_input(), &defaults()).unwrap();
        assert_eq!(f.doc_no.as_deref(), Some("ศธ 04183/ว1891"));
        assert_eq!(f.doc_date, NaiveDate::from_ymd_opt(2023, 5, 2).unwrap());
        assert_eq!(f.to, "โรงเรียนอนุบาลอุบลราชธานี");
        assert_eq!(f.subject, "สรุปโครงการทำบุญวันละบาท");
        assert_eq!(f.speed, Speed::MostUrgent);
        assert_eq!(f.secrecy, Secrecy::Normal);
    }

    #[test]
    fn inbound_letter_needs_its_number_date_sender_and_subject() {
        let errors = validate(Register::Inbound, &LetterInput::default(), &defaults()).unwrap_err();
        for field in ["doc_no", "doc_date", "from", "subject"] {
            assert!(errors.get(field).is_some(), "{field} should be required");
        }
        assert!(errors.get("to").is_none());
    }

    #[test]
    fn outbound_letter_needs_recipient_and_subject_and_generates_its_number() {
        let input = LetterInput {
            doc_no: "ignored".into(),
            to: "ผู้อำนวยการ สพป.อุบลราชธานี เขต 1".into(),
            subject: "ขออนุญาตไปราชการ".into(),
            ..Default::default()
        };
        let f = validate(Register::Outbound, &input, &defaults()).unwrap();
        assert_eq!(f.doc_no, None);
        assert_eq!(f.from, "โรงเรียนอนุบาลอุบลราชธานี");
        assert_eq!(f.doc_date, defaults().today);

        let errors =
            validate(Register::Outbound, &LetterInput::default(), &defaults()).unwrap_err();
        assert!(errors.get("to").is_some());
        assert!(errors.get("subject").is_some());
    }

    #[test]
    fn bad_codes_and_dates_are_reported_per_field() {
        let mut input = inbound_input();
        input.speed = "เร็วมาก".into();
        input.doc_date = "31 ก.พ. 2566".into();
        let errors = validate(Register::Inbound, &input, &defaults()).unwrap_err();
        assert_eq!(errors.get("speed"), Some("ชั้นความเร็วไม่ถูกต้อง"));
        assert!(errors.get("doc_date").is_some());
    }

    #[test]
    fn codes_are_accepted_in_every_spelling() {
        assert_eq!(Speed::parse("most_urgent"), Some(Speed::MostUrgent));
        assert_eq!(Speed::parse("004"), Some(Speed::MostUrgent));
        assert_eq!(Secrecy::parse("ลับมาก"), Some(Secrecy::Secret));
        assert_eq!(LetterType::parse("หนังสือภายใน"), Some(LetterType::Internal));
    }

    #[test]
    fn a_letter_without_a_number_is_written_as_dash() {
        let mut input = inbound_input();
        input.doc_no = "-".into();
        let f = validate(Register::Inbound, &input, &defaults()).unwrap();
        assert_eq!(f.doc_no.as_deref(), Some("-"));
    }
}
