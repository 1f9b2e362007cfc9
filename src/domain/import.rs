//! Reading an earlier register (นำเข้าจากทะเบียนเดิม) from the columns saraban's own export writes,
//! so that export → import gives the same register back. Pure: the table comes in as cells (from
//! CSV or XLSX), the rows go out checked, or every bad row with its Thai reasons.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use super::letter::{LetterType, Secrecy, Speed};
use super::register::Register;
use super::retention::Retention;
use super::{digits, numbering, thai_date};

/// A cell as the file gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum RawCell {
    Empty,
    Text(String),
    Number(f64),
    /// A spreadsheet date or date-time.
    DateTime(NaiveDateTime),
}

impl RawCell {
    fn text(&self) -> String {
        match self {
            RawCell::Empty => String::new(),
            RawCell::Text(t) => t.trim().to_string(),
            RawCell::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            RawCell::Number(n) => n.to_string(),
            RawCell::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// One checked row of the earlier register.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The row's place in the file: 1 is the first row after the header.
    pub row: usize,
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    /// The reason, when the earlier register had the entry cancelled (`ยกเลิก: …` in หมายเหตุ).
    pub cancelled: Option<String>,
    /// Bangkok wall-clock time it was registered.
    pub registered: NaiveDateTime,
    /// Bangkok wall-clock time an inbound letter arrived, when the file says.
    pub received: Option<NaiveDateTime>,
    pub speed: Speed,
    pub secrecy: Secrecy,
    pub letter_type: LetterType,
    /// `None`: the office's default applies.
    pub retention: Option<Retention>,
}

/// Everything wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowProblem {
    pub row: usize,
    pub messages: Vec<String>,
}

/// The Thai report of every bad row, one line each: `แถวที่ 3: ไม่มีเรื่อง; …`.
pub fn report(problems: &[RowProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("แถวที่ {}: {}", p.row, p.messages.join("; ")))
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("ไฟล์ว่าง ไม่มีหัวตาราง")]
    Empty,
    #[error("ไม่พบคอลัมน์ {0} ในหัวตาราง (ใช้หัวตารางเดียวกับไฟล์ที่ส่งออกจากระบบ)")]
    MissingColumns(String),
    #[error("ไฟล์ไม่มีรายการหนังสือ")]
    NoRows,
    #[error("มีแถวที่นำเข้าไม่ได้ {} แถว ระบบจึงไม่นำเข้าแถวใดเลย", .0.len())]
    BadRows(Vec<RowProblem>),
}

/// What each heading holds. A heading ending in `(พ.ศ.)` repeats the column before it in Buddhist
/// era and is skipped; `เก็บถึง` is worked out from the retention, so it is skipped too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Number,
    YearBe,
    DocNo,
    DocDate,
    From,
    To,
    Subject,
    Action,
    Remark,
    Received,
    Registered,
    Speed,
    Secrecy,
    LetterType,
    Retention,
}

fn field_of(heading: &str) -> Option<Field> {
    let h = heading.trim().trim_start_matches('\u{feff}').trim();
    if h.ends_with("(พ.ศ.)") {
        return None;
    }
    Some(match h {
        _ if h.starts_with("เลขทะเบียน") || h == "เลขที่" || h == "number" => {
            Field::Number
        }
        "ปี พ.ศ." | "ปี" | "year_be" => Field::YearBe,
        "ที่" | "doc_no" => Field::DocNo,
        "ลงวันที่" | "doc_date" => Field::DocDate,
        "จาก" | "from" => Field::From,
        "ถึง" | "to" => Field::To,
        "เรื่อง" | "subject" => Field::Subject,
        "การปฏิบัติ" | "action" => Field::Action,
        "หมายเหตุ" | "remark" => Field::Remark,
        "วันเวลารับ" | "received_at" => Field::Received,
        "วันเวลาลงทะเบียน" | "registered_at" => Field::Registered,
        "ชั้นความเร็ว" | "speed" => Field::Speed,
        "ชั้นความลับ" | "secrecy" => Field::Secrecy,
        "ชนิดหนังสือ" | "letter_type" => Field::LetterType,
        "อายุการเก็บ" | "retention" => Field::Retention,
        _ => return None,
    })
}

/// A date as the export writes it (ISO), as a spreadsheet holds it, or as a clerk types it.
fn date_of(cell: &RawCell) -> Result<NaiveDate, String> {
    match cell {
        RawCell::DateTime(t) => Ok(t.date()),
        other => {
            let text = other.text();
            let date_part = text.split_whitespace().next().unwrap_or("");
            thai_date::parse_date(date_part)
                .or_else(|_| thai_date::parse_date(&text))
                .map_err(|e| format!("“{text}”: {e}"))
        }
    }
}

/// A date with a time (`2023-05-02 09:15`, `2 พ.ค. 2566 09.15 น.`); a date alone is midnight.
fn datetime_of(cell: &RawCell) -> Result<NaiveDateTime, String> {
    if let RawCell::DateTime(t) = cell {
        return Ok(*t);
    }
    let text = digits::to_arabic(&cell.text());
    let cleaned = text.trim_end_matches("น.").trim();
    // The time is the last word when it has a ':' or a '.' between two numbers.
    let (date_text, time) = match cleaned.rsplit_once(' ') {
        Some((d, t)) => match time_of(t) {
            Some(time) => (d.trim().to_string(), time),
            None => (cleaned.to_string(), NaiveTime::MIN),
        },
        None => (cleaned.to_string(), NaiveTime::MIN),
    };
    let date = thai_date::parse_date(&date_text).map_err(|e| format!("“{text}”: {e}"))?;
    Ok(date.and_time(time))
}

fn time_of(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once([':', '.'])?;
    NaiveTime::from_hms_opt(h.trim().parse().ok()?, m.trim().parse().ok()?, 0)
}

/// Where the header is: the first of the first rows that names the subject column (a spreadsheet
/// may carry a title and the office's name above it).
pub fn header_row(rows: &[Vec<RawCell>]) -> Option<usize> {
    rows.iter().take(10).position(|r| {
        r.iter()
            .any(|c| field_of(&c.text()) == Some(Field::Subject))
    })
}

/// Checks every row of the table; all of them, or the problems of every bad row.
pub fn read_rows(
    register: Register,
    header: &[RawCell],
    rows: &[Vec<RawCell>],
) -> Result<Vec<ImportRow>, ImportError> {
    if header.is_empty() {
        return Err(ImportError::Empty);
    }
    let mut columns: BTreeMap<Field, usize> = BTreeMap::new();
    for (i, cell) in header.iter().enumerate() {
        if let Some(field) = field_of(&cell.text()) {
            columns.entry(field).or_insert(i);
        }
    }
    let required = [
        (Field::Number, register.number_label()),
        (Field::YearBe, "ปี พ.ศ."),
        (Field::DocDate, "ลงวันที่"),
        (Field::Subject, "เรื่อง"),
    ];
    let missing: Vec<String> = required
        .iter()
        .filter(|(f, _)| !columns.contains_key(f))
        .map(|(_, name)| format!("“{name}”"))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing.join(", ")));
    }
    let mut good = Vec::new();
    let mut problems = Vec::new();
    let mut seen: BTreeMap<(i32, i64), usize> = BTreeMap::new();
    for (i, cells) in rows.iter().enumerate() {
        let row = i + 1;
        if cells.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        match read_row(register, row, &columns, cells) {
            Ok(r) => {
                if let Some(first) = seen.insert((r.year_be, r.number), row) {
                    problems.push(RowProblem {
                        row,
                        messages: vec![format!(
                            "เลขทะเบียน {} ปี พ.ศ. {} ซ้ำกับแถวที่ {first} ในไฟล์เดียวกัน",
                            r.number, r.year_be
                        )],
                    });
                } else {
                    good.push(r);
                }
            }
            Err(messages) => problems.push(RowProblem { row, messages }),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::BadRows(problems));
    }
    if good.is_empty() {
        return Err(ImportError::NoRows);
    }
    Ok(good)
}

fn read_row(
    register: Register,
    row: usize,
    columns: &BTreeMap<Field, usize>,
    cells: &[RawCell],
) -> Result<ImportRow, Vec<String>> {
    let empty = RawCell::Empty;
    let cell = |f: Field| {
        columns
            .get(&f)
            .and_then(|&i| cells.get(i))
            .unwrap_or(&empty)
    };
    let text = |f: Field| cell(f).text();
    let mut errors = Vec::new();

    let number = match digits::to_arabic(&text(Field::Number)).parse::<i64>() {
        Ok(n) if n >= 1 => n,
        _ => {
            errors.push(format!(
                "{} ต้องเป็นเลขจำนวนเต็มตั้งแต่ 1 (ได้ “{}”)",
                register.number_label(),
                text(Field::Number)
            ));
            0
        }
    };
    let year_be = match numbering::parse_year_be(&text(Field::YearBe)) {
        Ok(y) => y,
        Err(e) => {
            errors.push(format!("ปี พ.ศ. “{}”: {e}", text(Field::YearBe)));
            0
        }
    };
    let subject = text(Field::Subject);
    if subject.is_empty() {
        errors.push("ไม่มีเรื่อง".to_string());
    }
    let doc_date = match date_of(cell(Field::DocDate)) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(format!("ลงวันที่ {e}"));
            None
        }
    };
    let optional_time = |f: Field, what: &str, errors: &mut Vec<String>| match cell(f) {
        c if c.text().is_empty() => None,
        c => match datetime_of(c) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(format!("{what} {e}"));
                None
            }
        },
    };
    let received = optional_time(Field::Received, "วันเวลารับ", &mut errors);
    let registered = optional_time(Field::Registered, "วันเวลาลงทะเบียน", &mut errors);
    let in_year = |t: &NaiveDateTime| t.year() + 543 == year_be;
    if let Some(t) = registered
        && year_be != 0
        && !in_year(&t)
    {
        errors.push(format!(
            "วันเวลาลงทะเบียน {} ไม่อยู่ในปี พ.ศ. {year_be}",
            thai_date::format_short(t.date())
        ));
    }
    let speed = match text(Field::Speed) {
        t if t.is_empty() => Speed::default(),
        t => Speed::parse(&t).unwrap_or_else(|| {
            errors.push(format!("ชั้นความเร็ว “{t}” ไม่รู้จัก"));
            Speed::default()
        }),
    };
    let secrecy = match text(Field::Secrecy) {
        t if t.is_empty() => Secrecy::default(),
        t => Secrecy::parse(&t).unwrap_or_else(|| {
            errors.push(format!("ชั้นความลับ “{t}” ไม่รู้จัก"));
            Secrecy::default()
        }),
    };
    let letter_type = match text(Field::LetterType) {
        t if t.is_empty() => LetterType::default_for(register),
        t => LetterType::parse(&t).unwrap_or_else(|| {
            errors.push(format!("ชนิดหนังสือ “{t}” ไม่รู้จัก"));
            LetterType::default_for(register)
        }),
    };
    let retention = match text(Field::Retention) {
        t if t.is_empty() => None,
        t => match Retention::parse(&t) {
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(e.to_string());
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let doc_date = doc_date.unwrap_or_default();
    // Without its own time, a row is registered when it arrived, else on its date when that is in
    // the year, else on the year's first day.
    let registered = registered
        .or(received.filter(in_year))
        .or_else(|| (doc_date.year() + 543 == year_be).then(|| doc_date.and_time(NaiveTime::MIN)))
        .or_else(|| {
            NaiveDate::from_ymd_opt(year_be - 543, 1, 1).map(|d| d.and_time(NaiveTime::MIN))
        })
        .unwrap_or_default();
    let remark = text(Field::Remark);
    let (remark, cancelled) = match remark
        .strip_prefix("ยกเลิก:")
        .or_else(|| remark.strip_prefix("ยกเลิก "))
    {
        Some(reason) => (String::new(), Some(reason.trim().to_string())),
        None => (remark, None),
    };
    Ok(ImportRow {
        row,
        number,
        year_be,
        doc_no: text(Field::DocNo),
        doc_date,
        from: text(Field::From),
        to: text(Field::To),
        subject,
        action: text(Field::Action),
        remark,
        cancelled,
        registered,
        received,
        speed,
        secrecy,
        letter_type,
        retention,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::retention::RetentionClass;

    fn t(s: &str) -> RawCell {
        RawCell::Text(s.to_string())
    }

    fn header() -> Vec<RawCell> {
        [
            "เลขทะเบียนรับ",
            "ที่",
            "ลงวันที่",
            "ลงวันที่ (พ.ศ.)",
            "จาก",
            "ถึง",
            "เรื่อง",
            "การปฏิบัติ",
            "หมายเหตุ",
            "วันเวลารับ",
            "ปี พ.ศ.",
            "ชั้นความเร็ว",
            "อายุการเก็บ",
        ]
        .iter()
        .map(|h| t(h))
        .collect()
    }

    fn row(number: &str, year: &str, date: &str, remark: &str, retention: &str) -> Vec<RawCell> {
        vec![
            t(number),
            t("ศธ 04006/ว1891"),
            t(date),
            t("2 พ.ค. 2566"),
            t("สพฐ."),
            t("ผอ."),
            t("ขอเชิญประชุม"),
            t(""),
            t(remark),
            t("2023-05-02 09:15"),
            t(year),
            t("ด่วนมาก"),
            t(retention),
        ]
    }

    #[test]
    fn a_good_file_reads_whole() {
        let rows = vec![
            row("1", "2566", "2023-05-02", "", "10 ปี"),
            row("๒", "2566", "2 พ.ค. 2566", "ยกเลิก: ลงซ้ำ", "ห้ามทำลาย"),
            vec![RawCell::Empty; 3],
        ];
        let read = read_rows(Register::Inbound, &header(), &rows).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].number, 1);
        assert_eq!(read[0].speed, Speed::VeryUrgent);
        assert_eq!(
            read[0].registered,
            NaiveDate::from_ymd_opt(2023, 5, 2)
                .unwrap()
                .and_hms_opt(9, 15, 0)
                .unwrap()
        );
        assert_eq!(read[1].number, 2);
        assert_eq!(read[1].cancelled.as_deref(), Some("ลงซ้ำ"));
        assert_eq!(read[1].remark, "");
        assert_eq!(
            read[1].retention.map(|r| r.class),
            Some(RetentionClass::Permanent)
        );
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_is_taken() {
        let rows = vec![
            row("1", "2566", "2023-05-02", "", ""),
            row("x", "2566", "2023-05-02", "", ""),
            row("3", "1999", "31 ก.พ. 2566", "", "นานๆ"),
            row("1", "2566", "2023-05-02", "", ""),
        ];
        let Err(ImportError::BadRows(problems)) = read_rows(Register::Inbound, &header(), &rows)
        else {
            panic!("bad rows must be refused");
        };
        let rows: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, vec![2, 3, 4]);
        assert!(problems[0].messages[0].contains("เลขทะเบียนรับ"));
        assert_eq!(problems[1].messages.len(), 3, "{:?}", problems[1]);
        assert!(problems[2].messages[0].contains("ซ้ำกับแถวที่ 1"));
    }

    #[test]
    fn a_file_without_the_columns_is_refused() {
        let err = read_rows(Register::Outbound, &[t("เรื่อง")], &[]).unwrap_err();
        assert!(
            matches!(&err, ImportError::MissingColumns(c) if c.contains("เลขทะเบียนส่ง") && c.contains("ลงวันที่")),
            "{err}"
        );
    }

    #[test]
    fn registered_in_another_year_is_refused() {
        let mut h = header();
        h.push(t("วันเวลาลงทะเบียน"));
        let mut r = row("1", "2567", "2023-05-02", "", "");
        r.push(t("2023-05-02 09:15"));
        let err = read_rows(Register::Inbound, &h, &[r]).unwrap_err();
        assert!(matches!(err, ImportError::BadRows(_)));
    }
}
