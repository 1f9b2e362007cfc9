//! How long a letter is kept (อายุการเก็บหนังสือ, ระเบียบฯ ข้อ 57) and until when.
//!
//! What is known of the rule and how sure we are is in `records.md`: 10 years is the default,
//! copies 5, routine matters 1, letters of lasting value are never destroyed (ห้ามทำลาย), and
//! secret letters and matters another law governs follow their own rules. How the year "เก็บถึง
//! พ.ศ. X" is counted is not settled anywhere we could read, so it is an office setting
//! ([`Counting`]), documented with its default.

use chrono::{Datelike, NaiveDate};

use super::codes::state_enum;
use super::register::Register;

state_enum!(
    /// The retention class of a letter.
    #[derive(Default)]
    RetentionClass "retention class", {
        /// The regulation's general rule: at least 10 years.
        #[default]
        TenYears = "ten_years", "10 ปี";
        /// A copy whose original is kept elsewhere: at least 5 years.
        FiveYears = "five_years", "5 ปี (สำเนา)";
        /// A routine matter: at least 1 year.
        OneYear = "one_year", "1 ปี (เรื่องประจำ)";
        /// Kept for ever: ห้ามทำลาย.
        Permanent = "permanent", "ห้ามทำลาย";
        /// Another law (or a court, an investigation) sets the period, in years.
        ByLaw = "by_law", "ตามกฎหมายอื่น";
        /// A secret letter: the security regulation decides, never the yearly survey.
        Secret = "secret", "ตามระเบียบว่าด้วยการรักษาความลับ";
    }
);

state_enum!(
    /// From when the years of a retention period are counted (a setting: not confirmed).
    #[derive(Default)]
    Counting "retention counting", {
        /// From the end of the calendar year the letter was registered in (the default): a letter
        /// of any day of 2566 kept 10 years is kept to the end of 2576.
        #[default]
        EndOfYear = "end_of_year", "นับจากสิ้นปีที่ลงทะเบียน";
        /// From the day the letter was registered: kept to the same day 10 years on.
        FromRegistration = "from_registration", "นับจากวันที่ลงทะเบียน";
    }
);

/// A letter's retention: the class, and the years when another law sets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention {
    pub class: RetentionClass,
    /// Only for [`RetentionClass::ByLaw`].
    pub years: Option<i32>,
}

/// Until when a letter is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepUntil {
    /// Kept through this day (Gregorian), shown as its Buddhist-era year.
    Day(NaiveDate),
    /// ห้ามทำลาย
    Forever,
    /// Decided by the security regulation, outside the yearly survey.
    SecrecyRules,
}

impl KeepUntil {
    /// `เก็บถึง พ.ศ. 2576`, `ห้ามทำลาย`, or the secrecy rule: what the letter page, the registers and
    /// the stamp say.
    pub fn label(self) -> String {
        match self {
            KeepUntil::Day(day) => format!("เก็บถึง พ.ศ. {}", day.year() + 543),
            KeepUntil::Forever => "ห้ามทำลาย".to_string(),
            KeepUntil::SecrecyRules => "เก็บตามระเบียบว่าด้วยการรักษาความลับ".to_string(),
        }
    }

    /// The Buddhist-era year the keeping ends, when it ends.
    pub fn year_be(self) -> Option<i32> {
        match self {
            KeepUntil::Day(day) => Some(day.year() + 543),
            _ => None,
        }
    }

    /// Whether the keeping has ended by `today`: the letter may then be listed for destruction.
    pub fn ended_by(self, today: NaiveDate) -> bool {
        matches!(self, KeepUntil::Day(day) if day < today)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("ไม่รู้จักอายุการเก็บ “{0}” (ใช้ 10 ปี, 5 ปี, 1 ปี, ห้ามทำลาย, ตามกฎหมายอื่น N ปี หรือ ลับ)")]
    Unknown(String),
    #[error("อายุการเก็บตามกฎหมายอื่นต้องระบุจำนวนปี 1 ถึง 100")]
    YearsNeeded,
}

impl Retention {
    pub const fn of(class: RetentionClass) -> Retention {
        Retention { class, years: None }
    }

    /// A retention as a form or an API gives it: the class code and, for another law, the years.
    pub fn new(class: RetentionClass, years: Option<i32>) -> Result<Retention, RetentionError> {
        match class {
            RetentionClass::ByLaw => match years {
                Some(y @ 1..=100) => Ok(Retention {
                    class,
                    years: Some(y),
                }),
                _ => Err(RetentionError::YearsNeeded),
            },
            _ => Ok(Retention::of(class)),
        }
    }

    /// How many years, for the classes that end.
    pub fn years(self) -> Option<i32> {
        match self.class {
            RetentionClass::TenYears => Some(10),
            RetentionClass::FiveYears => Some(5),
            RetentionClass::OneYear => Some(1),
            RetentionClass::ByLaw => self.years,
            RetentionClass::Permanent | RetentionClass::Secret => None,
        }
    }

    /// `10 ปี`, `ตามกฎหมายอื่น 15 ปี`, `ห้ามทำลาย`: the class as a register column shows it, and
    /// as an import reads it back ([`Retention::parse`]).
    pub fn label(self) -> String {
        match (self.class, self.years) {
            (RetentionClass::ByLaw, Some(y)) => format!("ตามกฎหมายอื่น {y} ปี"),
            (class, _) => class.label().to_string(),
        }
    }

    /// Reads a retention back from its code, its label, or what a clerk types (`10`, `5 ปี`,
    /// `ตามกฎหมายอื่น 15 ปี`, `ลับ`). Thai digits count as digits.
    pub fn parse(input: &str) -> Result<Retention, RetentionError> {
        let text = super::digits::to_arabic(input.trim());
        let t = text.trim();
        if let Some(class) = RetentionClass::from_code(t) {
            return Retention::new(class, None).or(Ok(Retention::of(class)));
        }
        if let Some(class) = <RetentionClass as super::codes::Coded>::ALL
            .iter()
            .copied()
            .find(|c| c.label() == t && *c != RetentionClass::ByLaw)
        {
            return Ok(Retention::of(class));
        }
        let number: String = t.chars().filter(char::is_ascii_digit).collect();
        let years = number.parse::<i32>().ok();
        if t.starts_with("ตามกฎหมาย") || t.starts_with("by_law") {
            return Retention::new(RetentionClass::ByLaw, years);
        }
        match (t, years) {
            ("ห้ามทำลาย" | "ถาวร" | "เก็บตลอดไป", _) => {
                Ok(Retention::of(RetentionClass::Permanent))
            }
            ("ลับ" | "ลับมาก" | "ลับที่สุด", _) => {
                Ok(Retention::of(RetentionClass::Secret))
            }
            (_, Some(10)) => Ok(Retention::of(RetentionClass::TenYears)),
            (_, Some(5)) => Ok(Retention::of(RetentionClass::FiveYears)),
            (_, Some(1)) => Ok(Retention::of(RetentionClass::OneYear)),
            (_, Some(y)) => Retention::new(RetentionClass::ByLaw, Some(y)),
            _ => Err(RetentionError::Unknown(input.trim().to_string())),
        }
    }

    /// Until when a letter registered on `registered` (a Bangkok date) is kept.
    pub fn keep_until(self, registered: NaiveDate, counting: Counting) -> KeepUntil {
        match (self.class, self.years()) {
            (RetentionClass::Permanent, _) => KeepUntil::Forever,
            (RetentionClass::Secret, _) => KeepUntil::SecrecyRules,
            (_, None) => KeepUntil::Forever,
            (_, Some(years)) => KeepUntil::Day(match counting {
                Counting::EndOfYear => {
                    NaiveDate::from_ymd_opt(registered.year() + years, 12, 31).unwrap_or(registered)
                }
                Counting::FromRegistration => registered
                    .with_year(registered.year() + years)
                    // 29 February into a year without one: the day before.
                    .or_else(|| {
                        registered
                            .pred_opt()
                            .and_then(|d| d.with_year(d.year() + years))
                    })
                    .unwrap_or(registered),
            }),
        }
    }
}

/// An office's default for new letters: (register or any, letter type code or any, retention).
pub type RetentionRule = (Option<Register>, Option<String>, Retention);

/// The office's default retention for a register and letter type, from its settings: the most
/// specific rule that matches (register and type, then register, then type), else 10 years.
pub fn default_for(rules: &[RetentionRule], register: Register, letter_type: &str) -> Retention {
    let matches = |r: &Option<Register>, t: &Option<String>| {
        r.is_none_or(|r| r == register) && t.as_deref().is_none_or(|t| t == letter_type)
    };
    rules
        .iter()
        .filter(|(r, t, _)| matches(r, t))
        .max_by_key(|(r, t, _)| (r.is_some() as u8) * 2 + t.is_some() as u8)
        .map(|(_, _, retention)| *retention)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn keep_until_by_class_and_counting() {
        let may_2023 = day(2023, 5, 2); // 2 พ.ค. 2566
        let cases = [
            (
                RetentionClass::TenYears,
                None,
                Counting::EndOfYear,
                "เก็บถึง พ.ศ. 2576",
            ),
            (
                RetentionClass::FiveYears,
                None,
                Counting::EndOfYear,
                "เก็บถึง พ.ศ. 2571",
            ),
            (
                RetentionClass::OneYear,
                None,
                Counting::EndOfYear,
                "เก็บถึง พ.ศ. 2567",
            ),
            (
                RetentionClass::ByLaw,
                Some(15),
                Counting::EndOfYear,
                "เก็บถึง พ.ศ. 2581",
            ),
            (
                RetentionClass::Permanent,
                None,
                Counting::EndOfYear,
                "ห้ามทำลาย",
            ),
            (
                RetentionClass::Secret,
                None,
                Counting::EndOfYear,
                "เก็บตามระเบียบว่าด้วยการรักษาความลับ",
            ),
            (
                RetentionClass::TenYears,
                None,
                Counting::FromRegistration,
                "เก็บถึง พ.ศ. 2576",
            ),
        ];
        for (class, years, counting, label) in cases {
            let r = Retention::new(class, years).unwrap();
            assert_eq!(r.keep_until(may_2023, counting).label(), label, "{class:?}");
        }
        let end = Retention::default().keep_until(may_2023, Counting::EndOfYear);
        assert_eq!(end, KeepUntil::Day(day(2033, 12, 31)));
        assert!(!end.ended_by(day(2033, 12, 31)));
        assert!(end.ended_by(day(2034, 1, 1)));
        let from = Retention::default().keep_until(may_2023, Counting::FromRegistration);
        assert_eq!(from, KeepUntil::Day(day(2033, 5, 2)));
        assert!(from.ended_by(day(2033, 5, 3)));
        let leap = Retention::of(RetentionClass::OneYear)
            .keep_until(day(2024, 2, 29), Counting::FromRegistration);
        assert_eq!(leap, KeepUntil::Day(day(2025, 2, 28)));
        assert!(!KeepUntil::Forever.ended_by(day(9999, 1, 1)));
        assert!(!KeepUntil::SecrecyRules.ended_by(day(9999, 1, 1)));
    }

    #[test]
    fn by_law_needs_its_years() {
        assert_eq!(
            Retention::new(RetentionClass::ByLaw, None),
            Err(RetentionError::YearsNeeded)
        );
        assert_eq!(
            Retention::new(RetentionClass::ByLaw, Some(0)),
            Err(RetentionError::YearsNeeded)
        );
    }

    #[test]
    fn labels_read_back() {
        for class in <RetentionClass as crate::domain::codes::Coded>::ALL {
            let r = Retention::new(*class, Some(15)).unwrap();
            assert_eq!(Retention::parse(&r.label()), Ok(r), "{class:?}");
            if *class != RetentionClass::ByLaw {
                assert_eq!(Retention::parse(class.code()), Ok(r));
            }
        }
        assert_eq!(
            Retention::parse("๑๐ ปี"),
            Ok(Retention::of(RetentionClass::TenYears))
        );
        assert_eq!(
            Retention::parse("ตามกฎหมายอื่น ๑๕ ปี"),
            Ok(Retention {
                class: RetentionClass::ByLaw,
                years: Some(15)
            })
        );
        assert_eq!(
            Retention::parse("ลับ"),
            Ok(Retention::of(RetentionClass::Secret))
        );
        assert!(matches!(
            Retention::parse("นานๆ"),
            Err(RetentionError::Unknown(_))
        ));
    }

    #[test]
    fn the_most_specific_default_wins() {
        let rules = vec![
            (
                None,
                Some("record".to_string()),
                Retention::of(RetentionClass::OneYear),
            ),
            (
                Some(Register::Order),
                None,
                Retention::of(RetentionClass::Permanent),
            ),
            (
                Some(Register::Order),
                Some("record".to_string()),
                Retention::of(RetentionClass::FiveYears),
            ),
        ];
        assert_eq!(
            default_for(&rules, Register::Order, "directive").class,
            RetentionClass::Permanent
        );
        assert_eq!(
            default_for(&rules, Register::Order, "record").class,
            RetentionClass::FiveYears
        );
        assert_eq!(
            default_for(&rules, Register::Inbound, "record").class,
            RetentionClass::OneYear
        );
        assert_eq!(
            default_for(&rules, Register::Inbound, "external").class,
            RetentionClass::TenYears
        );
    }
}
