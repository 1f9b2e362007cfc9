//! Offices: a district office (สพป./สพม.), its schools, and its internal units.

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfficeKind {
    /// สำนักงานเขตพื้นที่การศึกษา
    District,
    /// สถานศึกษา
    School,
    /// หน่วยงานอื่น / กลุ่มงาน
    Unit,
}

impl OfficeKind {
    pub fn code(self) -> &'static str {
        match self {
            OfficeKind::District => "district",
            OfficeKind::School => "school",
            OfficeKind::Unit => "unit",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "district" => Some(OfficeKind::District),
            "school" => Some(OfficeKind::School),
            "unit" => Some(OfficeKind::Unit),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OfficeKind::District => "สำนักงานเขตพื้นที่การศึกษา",
            OfficeKind::School => "สถานศึกษา",
            OfficeKind::Unit => "หน่วยงาน",
        }
    }

    /// What the office's saraban desk is called: สารบรรณกลาง at a district, สารบรรณสถานศึกษา at a school.
    pub fn saraban_desk(self) -> &'static str {
        match self {
            OfficeKind::District => "สารบรรณกลาง",
            OfficeKind::School => "สารบรรณสถานศึกษา",
            OfficeKind::Unit => "สารบรรณ",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum OfficeError {
    #[error("รหัสหน่วยงานต้องเป็นตัวอักษรอังกฤษ ตัวเลข - หรือ _ ยาว 2–32 ตัว")]
    BadId,
    #[error("กรุณากรอกชื่อหน่วยงาน (ไม่เกิน 200 ตัวอักษร)")]
    BadName,
    #[error("ที่อยู่อีเมลไม่ถูกต้อง")]
    BadEmail,
}

/// An office's short id, used in URLs, the CLI and the API: `ubn1`, `school-006`.
pub fn parse_office_id(input: &str) -> Result<String, OfficeError> {
    let id = input.trim();
    let ok = (2..=32).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(OfficeError::BadId)
    }
}

pub fn parse_office_name(input: &str) -> Result<String, OfficeError> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 200 {
        return Err(OfficeError::BadName);
    }
    Ok(name)
}

/// A plausible e-mail address (the mail server is the real judge).
pub fn parse_email(input: &str) -> Result<String, OfficeError> {
    let addr = input.trim();
    let (local, domain) = addr.rsplit_once('@').ok_or(OfficeError::BadEmail)?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && addr.len() <= 254
        && !addr
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == ',');
    if ok {
        Ok(addr.to_string())
    } else {
        Err(OfficeError::BadEmail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_ids_are_short_and_url_safe() {
        assert_eq!(parse_office_id(" UBN1 "), Ok("ubn1".to_string()));
        assert_eq!(parse_office_id("school-006"), Ok("school-006".to_string()));
        assert_eq!(parse_office_id("a"), Err(OfficeError::BadId));
        assert_eq!(parse_office_id("สพป1"), Err(OfficeError::BadId));
        assert_eq!(parse_office_id("a/b"), Err(OfficeError::BadId));
    }

    #[test]
    fn emails_are_checked_loosely() {
        assert!(parse_email("saraban04183@obec.go.th").is_ok());
        assert!(parse_email("saraban04183").is_err());
        assert!(parse_email("a b@x.th").is_err());
        assert!(parse_email("a@localhost").is_err());
    }

    #[test]
    fn desks_are_named_as_in_the_manual() {
        assert_eq!(OfficeKind::District.saraban_desk(), "สารบรรณกลาง");
        assert_eq!(OfficeKind::School.saraban_desk(), "สารบรรณสถานศึกษา");
    }
}
