//! The letter's own number, `ที่`: office prefix, `/`, an optional `ว` for circulars, the number.
//! Examples: `ที่ ศธ 04183/ว1891`, `ศธ 04183.006/130`; an order is `12/2566`.

use std::fmt;

use thiserror::Error;

use super::digits;
use super::register::Register;

/// A parsed `ที่`. Digits are kept Arabic; Thai digits in the input are read as the same number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocNo {
    /// `ศธ 04183` (may be empty for a bare order number)
    pub prefix: String,
    /// `ว` before the number marks a circular.
    pub circular: bool,
    /// The running part after `/` (may hold letters some offices add, e.g. `1891.1`).
    pub number: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DocNoError {
    #[error("กรุณากรอกเลขที่หนังสือ")]
    Empty,
    #[error("เลขที่หนังสือยาวเกินไป (ไม่เกิน 100 ตัวอักษร)")]
    TooLong,
    #[error("เลขที่หนังสือควรมีรูปแบบ รหัสหน่วยงาน/เลขที่ เช่น ศธ 04183/ว1891")]
    Format,
}

impl DocNo {
    /// Reads a `ที่` written by hand or copied from a letter. A leading `ที่` is dropped, white
    /// space is folded and Thai digits become Arabic.
    pub fn parse(input: &str) -> Result<DocNo, DocNoError> {
        let text = digits::to_arabic(input.trim());
        let text = text.strip_prefix("ที่").unwrap_or(&text).trim();
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return Err(DocNoError::Empty);
        }
        if text.chars().count() > 100 {
            return Err(DocNoError::TooLong);
        }
        let (prefix, tail) = match text.rsplit_once('/') {
            Some((p, t)) => (p.trim().to_string(), t.trim()),
            None => return Err(DocNoError::Format),
        };
        let (circular, number) = match tail.strip_prefix('ว') {
            Some(rest) => (true, rest.trim()),
            None => (false, tail),
        };
        if number.is_empty() || !number.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return Err(DocNoError::Format);
        }
        Ok(DocNo {
            prefix,
            circular,
            number: number.to_string(),
        })
    }

    /// The `ที่` an office writes on a letter it sends: prefix + `/` + [`ว`] + number.
    /// An order is numbered `N/พ.ศ.` instead.
    pub fn generate(register: Register, prefix: &str, number: i64, year_be: i32) -> DocNo {
        match register {
            Register::Order => DocNo {
                prefix: String::new(),
                circular: false,
                number: format!("{number}/{year_be}"),
            },
            _ => DocNo {
                prefix: prefix.trim().to_string(),
                circular: register == Register::Circular,
                number: number.to_string(),
            },
        }
    }
}

impl fmt::Display for DocNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() && !self.circular {
            return f.write_str(&self.number);
        }
        let v = if self.circular { "ว" } else { "" };
        write!(f, "{}/{}{}", self.prefix, v, self.number)
    }
}

/// Checks an office's letter-number prefix, e.g. `ศธ 04183` or `ศธ 04183.006`.
pub fn parse_prefix(input: &str) -> Result<String, DocNoError> {
    let text = digits::to_arabic(input.trim());
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(DocNoError::Empty);
    }
    if text.chars().count() > 40 {
        return Err(DocNoError::TooLong);
    }
    if text.contains('/') || !text.chars().any(|c| c.is_ascii_digit()) {
        return Err(DocNoError::Format);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_manuals_numbers() {
        let n = DocNo::parse("ที่ ศธ 04183/ว1891").unwrap();
        assert_eq!(n.prefix, "ศธ 04183");
        assert!(n.circular);
        assert_eq!(n.number, "1891");
        assert_eq!(n.to_string(), "ศธ 04183/ว1891");

        let n = DocNo::parse("ศธ 04183.006/130").unwrap();
        assert_eq!(n.prefix, "ศธ 04183.006");
        assert!(!n.circular);
        assert_eq!(n.number, "130");
    }

    #[test]
    fn thai_digits_are_the_same_number() {
        assert_eq!(
            DocNo::parse("ที่ ศธ ๐๔๑๘๓/ว๑๘๙๑"),
            DocNo::parse("ศธ 04183/ว1891")
        );
        assert_eq!(
            DocNo::parse("ศธ  ๐๔๑๘๓ / ว ๑๘๙๑").unwrap().to_string(),
            "ศธ 04183/ว1891"
        );
    }

    #[test]
    fn refuses_numbers_without_the_office_part_or_the_number() {
        assert_eq!(DocNo::parse("  "), Err(DocNoError::Empty));
        assert_eq!(DocNo::parse("ที่ ศธ 04183"), Err(DocNoError::Format));
        assert_eq!(DocNo::parse("ศธ 04183/ว"), Err(DocNoError::Format));
        assert_eq!(DocNo::parse("ศธ 04183/abc"), Err(DocNoError::Format));
    }

    #[test]
    fn generates_outbound_circular_and_order_numbers() {
        assert_eq!(
            DocNo::generate(Register::Outbound, "ศธ 04183.006", 130, 2566).to_string(),
            "ศธ 04183.006/130"
        );
        assert_eq!(
            DocNo::generate(Register::Circular, "ศธ 04183", 1891, 2566).to_string(),
            "ศธ 04183/ว1891"
        );
        assert_eq!(
            DocNo::generate(Register::Order, "ศธ 04183", 12, 2566).to_string(),
            "12/2566"
        );
    }

    #[test]
    fn prefixes_need_a_code_and_no_slash() {
        assert_eq!(parse_prefix(" ศธ  ๐๔๑๘๓ "), Ok("ศธ 04183".to_string()));
        assert_eq!(parse_prefix("ศธ"), Err(DocNoError::Format));
        assert_eq!(parse_prefix("ศธ 04183/"), Err(DocNoError::Format));
        assert_eq!(parse_prefix(""), Err(DocNoError::Empty));
    }
}
