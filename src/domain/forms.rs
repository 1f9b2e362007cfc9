//! The registers as the regulation's forms (แบบที่ 13 ทะเบียนหนังสือรับ, แบบที่ 14 ทะเบียนหนังสือส่ง,
//! and the circular and order registers laid out like แบบที่ 14): which columns, in which order,
//! and what each row holds. One table shape for every output (XLSX, CSV, and later the printed
//! PDF and the lifecycle lists), so the forms are defined once.

use chrono::{NaiveDate, NaiveDateTime};

use super::letter::{LetterType, Secrecy, Speed};
use super::register::Register;
use super::retention::Retention;

/// One cell, typed so that a spreadsheet gets numbers as numbers and dates as dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
    Date(NaiveDate),
    /// Bangkok wall-clock time.
    DateTime(NaiveDateTime),
}

/// A column: its Thai heading and a width in characters (for spreadsheets and paper).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    pub title: &'static str,
    pub width: f64,
}

/// A register's rows, as its form lays them out.
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterSheet {
    /// `ทะเบียนหนังสือรับ`
    pub title: String,
    /// The form's number (`แบบที่ 13`), when the regulation gives one.
    pub form: &'static str,
    pub office: String,
    pub year_be: i32,
    /// A short name for a spreadsheet tab (at most 31 characters).
    pub sheet_name: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// What a register row says, already in Bangkok time.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub number: i64,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub action: String,
    pub remark: String,
    /// When an inbound letter arrived (or was registered).
    pub received: NaiveDateTime,
    /// The reason, for a cancelled entry: it stays in the register with its number.
    pub cancelled: Option<String>,
    /// When it was registered (Bangkok).
    pub registered: NaiveDateTime,
    pub speed: Speed,
    pub secrecy: Secrecy,
    pub letter_type: LetterType,
    pub retention: Retention,
    /// `เก็บถึง พ.ศ. 2576`, `ห้ามทำลาย`, …
    pub keep_until: String,
}

/// Which columns a sheet has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetLayout {
    /// The regulation's form, to print: its columns only, the keeping (เก็บถึง) in หมายเหตุ.
    Printed,
    /// A spreadsheet (XLSX, CSV): the form's columns, then the year, the registration time,
    /// speed, secrecy, type and retention, so that importing it gives the same register back.
    Spreadsheet,
}

const fn col(title: &'static str, width: f64) -> Column {
    Column { title, width }
}

/// The sheet of `register` for `year_be`, rows oldest first as on paper.
pub fn register_sheet(
    register: Register,
    office: &str,
    year_be: i32,
    rows: &[SheetRow],
    layout: SheetLayout,
) -> RegisterSheet {
    let spreadsheet = layout == SheetLayout::Spreadsheet;
    let inbound = register == Register::Inbound;
    let mut columns = vec![
        col(register.number_label(), 13.0),
        col("ที่", 20.0),
        col("ลงวันที่", 12.0),
        col("จาก", 26.0),
        col("ถึง", 26.0),
        col("เรื่อง", 44.0),
        col("การปฏิบัติ", 26.0),
        col("หมายเหตุ", 20.0),
    ];
    if inbound {
        columns.push(col("วันเวลารับ", 16.0));
    }
    if spreadsheet {
        columns.extend([
            col("ปี พ.ศ.", 8.0),
            col("วันเวลาลงทะเบียน", 16.0),
            col("ชั้นความเร็ว", 10.0),
            col("ชั้นความลับ", 10.0),
            col("ชนิดหนังสือ", 16.0),
            col("อายุการเก็บ", 14.0),
            col("เก็บถึง", 16.0),
        ]);
    }
    let rows = rows
        .iter()
        .map(|r| {
            let mut remark = match &r.cancelled {
                Some(reason) => format!("ยกเลิก: {reason}"),
                None => r.remark.clone(),
            };
            if !spreadsheet && !r.keep_until.is_empty() {
                if !remark.is_empty() {
                    remark.push(' ');
                }
                remark.push_str(&r.keep_until);
            }
            let mut cells = vec![
                Cell::Number(r.number),
                Cell::Text(r.doc_no.clone()),
                Cell::Date(r.doc_date),
                Cell::Text(r.from.clone()),
                Cell::Text(r.to.clone()),
                Cell::Text(r.subject.clone()),
                Cell::Text(r.action.clone()),
                Cell::Text(remark),
            ];
            if inbound {
                cells.push(Cell::DateTime(r.received));
            }
            if spreadsheet {
                cells.extend([
                    Cell::Number(i64::from(year_be)),
                    Cell::DateTime(r.registered),
                    Cell::Text(r.speed.label().to_string()),
                    Cell::Text(r.secrecy.label().to_string()),
                    Cell::Text(r.letter_type.label().to_string()),
                    Cell::Text(r.retention.label()),
                    Cell::Text(r.keep_until.clone()),
                ]);
            }
            cells
        })
        .collect();
    let short = register
        .label()
        .trim_start_matches("ทะเบียน")
        .trim_start_matches("หนังสือ");
    RegisterSheet {
        title: register.label().to_string(),
        form: match register {
            Register::Inbound => "แบบที่ 13",
            Register::Outbound => "แบบที่ 14",
            _ => "",
        },
        office: office.to_string(),
        year_be,
        sheet_name: format!("ทะเบียน{short} {year_be}")
            .chars()
            .take(31)
            .collect(),
        columns,
        rows,
    }
}

/// A filed letter as the filing forms list it.
#[derive(Debug, Clone)]
pub struct FiledRow {
    /// วันเก็บ
    pub filed_on: NaiveDate,
    /// The letter's register number and its register's short name (`รับ 12/2569`).
    pub number: String,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub subject: String,
    pub file_code: String,
    /// `เก็บถึง พ.ศ. 2579`, `ห้ามทำลาย`
    pub keep_until: String,
    pub remark: String,
}

/// A sheet of any form: its title, form number, office, year, columns and rows.
pub fn plain_sheet(
    title: &str,
    form: &'static str,
    office: &str,
    year_be: i32,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
) -> RegisterSheet {
    RegisterSheet {
        title: title.to_string(),
        form,
        office: office.to_string(),
        year_be,
        sheet_name: format!("{title} {year_be}").chars().take(31).collect(),
        columns,
        rows,
    }
}

/// แบบที่ 19 บัญชีหนังสือส่งเก็บ: the letters a unit sends to be kept, in the order filed.
pub fn filing_list_sheet(office: &str, year_be: i32, rows: &[FiledRow]) -> RegisterSheet {
    let columns = vec![
        col("ลำดับที่", 8.0),
        col("ที่", 20.0),
        col("ลงวันที่", 12.0),
        col("เรื่อง", 50.0),
        col("อายุการเก็บหนังสือ", 18.0),
        col("หมายเหตุ", 22.0),
    ];
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Cell::Number(i as i64 + 1),
                Cell::Text(r.doc_no.clone()),
                Cell::Date(r.doc_date),
                Cell::Text(r.subject.clone()),
                Cell::Text(r.keep_until.clone()),
                Cell::Text(r.remark.clone()),
            ]
        })
        .collect();
    plain_sheet("บัญชีหนังสือส่งเก็บ", "แบบที่ 19", office, year_be, columns, rows)
}

/// แบบที่ 20 ทะเบียนหนังสือเก็บ: every letter filed in the year, by the day it was filed.
pub fn filed_register_sheet(office: &str, year_be: i32, rows: &[FiledRow]) -> RegisterSheet {
    let columns = vec![
        col("วันเก็บ", 12.0),
        col("ลำดับที่", 8.0),
        col("เลขทะเบียน", 12.0),
        col("ที่", 20.0),
        col("ลงวันที่", 12.0),
        col("เรื่อง", 40.0),
        col("รหัสแฟ้ม", 14.0),
        col("กำหนดเวลาเก็บ", 16.0),
        col("หมายเหตุ", 18.0),
    ];
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                Cell::Date(r.filed_on),
                Cell::Number(i as i64 + 1),
                Cell::Text(r.number.clone()),
                Cell::Text(r.doc_no.clone()),
                Cell::Date(r.doc_date),
                Cell::Text(r.subject.clone()),
                Cell::Text(r.file_code.clone()),
                Cell::Text(r.keep_until.clone()),
                Cell::Text(r.remark.clone()),
            ]
        })
        .collect();
    plain_sheet("ทะเบียนหนังสือเก็บ", "แบบที่ 20", office, year_be, columns, rows)
}

/// One loan as บัตรยืมหนังสือ (แบบที่ 24) and the lending register show it.
#[derive(Debug, Clone)]
pub struct LoanRow {
    /// รายการ: the item, the letter and its file code.
    pub item: String,
    /// ผู้ยืม: name, position or unit.
    pub borrower: String,
    /// ผู้รับ: who handed it over (and who approved, for an outsider).
    pub handed_by: String,
    pub borrowed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub returned_by: String,
    pub returned_on: Option<NaiveDate>,
    /// `ยืมอยู่`, `เลยกำหนดส่งคืน`, `ส่งคืนแล้ว`
    pub status: String,
}

/// บัตรยืมหนังสือ (แบบที่ 24) or the lending register: the card's columns, one row per loan.
pub fn loans_sheet(office: &str, year_be: i32, rows: &[LoanRow], card: bool) -> RegisterSheet {
    let mut columns = vec![
        col("รายการ", 36.0),
        col("ผู้ยืม", 28.0),
        col("ผู้รับ", 22.0),
        col("วันยืม", 12.0),
        col("กำหนดส่งคืน", 12.0),
        col("ผู้ส่งคืน", 20.0),
        col("วันส่งคืน", 12.0),
    ];
    if !card {
        columns.push(col("สถานะ", 14.0));
    }
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Cell::Text(r.item.clone()),
                Cell::Text(r.borrower.clone()),
                Cell::Text(r.handed_by.clone()),
                Cell::Date(r.borrowed_on),
                Cell::Date(r.due_on),
                Cell::Text(r.returned_by.clone()),
                match r.returned_on {
                    Some(d) => Cell::Date(d),
                    None => Cell::Text(String::new()),
                },
            ];
            if !card {
                cells.push(Cell::Text(r.status.clone()));
            }
            cells
        })
        .collect();
    if card {
        plain_sheet("บัตรยืมหนังสือ", "แบบที่ 24", office, year_be, columns, rows)
    } else {
        plain_sheet("ทะเบียนการยืมหนังสือ", "", office, year_be, columns, rows)
    }
}

/// The year's counts for the monthly summary: per register per month, per sender of inbound
/// letters, per work group the letters were given to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearSummary {
    pub office: String,
    pub year_be: i32,
    /// (register, counts for January..December); cancelled entries are not counted.
    pub by_month: Vec<(Register, [i64; 12])>,
    /// (sender, inbound letters), most first.
    pub by_sender: Vec<(String, i64)>,
    /// (work group, letters given to it), most first.
    pub by_group: Vec<(String, i64)>,
}

/// One registered entry as the summary counts it.
#[derive(Debug, Clone)]
pub struct Counted {
    pub register: Register,
    /// 1..=12, in Bangkok.
    pub month: u32,
    pub sender: String,
    pub cancelled: bool,
}

/// Counts `entries` of one year; `groups` are (work group, letters given) as the store counted.
pub fn year_summary(
    office: &str,
    year_be: i32,
    entries: &[Counted],
    groups: Vec<(String, i64)>,
) -> YearSummary {
    let mut by_month: Vec<(Register, [i64; 12])> =
        Register::ALL.iter().map(|r| (*r, [0; 12])).collect();
    let mut senders: std::collections::BTreeMap<String, i64> = Default::default();
    for e in entries.iter().filter(|e| !e.cancelled) {
        if let Some((_, months)) = by_month.iter_mut().find(|(r, _)| *r == e.register)
            && (1..=12).contains(&e.month)
        {
            months[e.month as usize - 1] += 1;
        }
        if e.register == Register::Inbound {
            *senders.entry(e.sender.clone()).or_default() += 1;
        }
    }
    let mut by_sender: Vec<(String, i64)> = senders.into_iter().collect();
    by_sender.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut by_group = groups;
    by_group.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    YearSummary {
        office: office.to_string(),
        year_be,
        by_month,
        by_sender,
        by_group,
    }
}

/// The Thai month names, for the summary's columns.
pub const MONTHS: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

/// About how many lines a text takes in a column `width` characters wide (Thai combining marks
/// take no width). Spreadsheet programs do not all fit row heights themselves.
pub fn lines_needed(text: &str, width: f64) -> usize {
    let per_line = width.max(1.0) as usize;
    text.split('\n')
        .map(|line| {
            let visible = line.chars().filter(|c| !is_thai_mark(*c)).count();
            visible.div_ceil(per_line).max(1)
        })
        .sum()
}

/// Thai vowels and tone marks written above or below: they share the width of their consonant.
fn is_thai_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(number: i64, cancelled: Option<&str>) -> SheetRow {
        SheetRow {
            number,
            doc_no: "ศธ 04183/ว1891".into(),
            doc_date: NaiveDate::from_ymd_opt(2026, 5, 2).unwrap(),
            from: "สพฐ.".into(),
            to: "สพป.ทดสอบ".into(),
            subject: "ประชุม".into(),
            action: String::new(),
            remark: "ต้นฉบับ".into(),
            received: NaiveDate::from_ymd_opt(2026, 5, 3)
                .unwrap()
                .and_hms_opt(9, 15, 0)
                .unwrap(),
            cancelled: cancelled.map(str::to_string),
            registered: NaiveDate::from_ymd_opt(2026, 5, 3)
                .unwrap()
                .and_hms_opt(9, 20, 0)
                .unwrap(),
            speed: Speed::Urgent,
            secrecy: Secrecy::Normal,
            letter_type: LetterType::External,
            retention: Retention::default(),
            keep_until: "เก็บถึง พ.ศ. 2579".into(),
        }
    }

    #[test]
    fn the_inbound_form_has_the_time_of_receipt_and_keeps_cancelled_rows() {
        let sheet = register_sheet(
            Register::Inbound,
            "สพป.ทดสอบ",
            2569,
            &[row(1, None), row(2, Some("ลงซ้ำ"))],
            SheetLayout::Printed,
        );
        assert_eq!(sheet.form, "แบบที่ 13");
        assert_eq!(sheet.columns[0].title, "เลขทะเบียนรับ");
        assert_eq!(sheet.columns.last().unwrap().title, "วันเวลารับ");
        assert_eq!(
            sheet.rows[1][7],
            Cell::Text("ยกเลิก: ลงซ้ำ เก็บถึง พ.ศ. 2579".into())
        );
        assert_eq!(sheet.sheet_name, "ทะเบียนรับ 2569");
        let out = register_sheet(
            Register::Outbound,
            "x",
            2569,
            &[row(1, None)],
            SheetLayout::Printed,
        );
        assert_eq!(out.form, "แบบที่ 14");
        assert_eq!(out.columns.len(), 8);
        assert_eq!(out.sheet_name, "ทะเบียนส่ง 2569");
    }

    #[test]
    fn the_spreadsheet_carries_what_an_import_needs() {
        let sheet = register_sheet(
            Register::Outbound,
            "x",
            2569,
            &[row(1, Some("ลงซ้ำ"))],
            SheetLayout::Spreadsheet,
        );
        let titles: Vec<&str> = sheet.columns.iter().map(|c| c.title).collect();
        assert_eq!(
            titles[8..],
            [
                "ปี พ.ศ.",
                "วันเวลาลงทะเบียน",
                "ชั้นความเร็ว",
                "ชั้นความลับ",
                "ชนิดหนังสือ",
                "อายุการเก็บ",
                "เก็บถึง"
            ]
        );
        assert_eq!(sheet.rows[0][7], Cell::Text("ยกเลิก: ลงซ้ำ".into()));
        assert_eq!(sheet.rows[0][8], Cell::Number(2569));
        assert_eq!(sheet.rows[0][10], Cell::Text("ด่วน".into()));
        assert_eq!(sheet.rows[0][13], Cell::Text("10 ปี".into()));
    }

    #[test]
    fn the_summary_counts_by_month_sender_and_group_without_cancelled_entries() {
        let e = |register, month, sender: &str, cancelled| Counted {
            register,
            month,
            sender: sender.into(),
            cancelled,
        };
        let s = year_summary(
            "x",
            2569,
            &[
                e(Register::Inbound, 1, "สพฐ.", false),
                e(Register::Inbound, 1, "สพฐ.", false),
                e(Register::Inbound, 2, "ศธจ.", false),
                e(Register::Inbound, 2, "ศธจ.", true),
                e(Register::Outbound, 12, "", false),
            ],
            vec![("แผน".into(), 1), ("การเงิน".into(), 3)],
        );
        let inbound = s
            .by_month
            .iter()
            .find(|(r, _)| *r == Register::Inbound)
            .unwrap()
            .1;
        assert_eq!(inbound[0], 2);
        assert_eq!(inbound[1], 1, "the cancelled one is not counted");
        assert_eq!(
            s.by_month
                .iter()
                .find(|(r, _)| *r == Register::Outbound)
                .unwrap()
                .1[11],
            1
        );
        assert_eq!(
            s.by_sender,
            vec![("สพฐ.".to_string(), 2), ("ศธจ.".to_string(), 1)]
        );
        assert_eq!(s.by_group[0], ("การเงิน".to_string(), 3));
    }

    #[test]
    fn thai_marks_take_no_width_when_counting_lines() {
        assert_eq!(lines_needed("ที่", 1.0), 1);
        assert_eq!(lines_needed("ที่นี่", 2.0), 1);
        assert_eq!(lines_needed("ที่นี่", 1.0), 2);
        assert_eq!(lines_needed("กข", 2.0), 1);
        assert_eq!(lines_needed("กขค", 2.0), 2);
        assert_eq!(lines_needed("ก\nข", 10.0), 2);
        assert_eq!(lines_needed("", 10.0), 1);
    }
}
