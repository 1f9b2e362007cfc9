//! The register as an Excel workbook: a Thai sheet name, the title and office on top, the header
//! row frozen with an autofilter, real dates shown in the Buddhist era, numbers as numbers, wrapped
//! text with row heights set (LibreOffice does not fit them itself), A4 landscape with the header
//! repeated on every printed page.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::domain::forms::{Cell, MONTHS, RegisterSheet, YearSummary, lines_needed};

use super::OutputError;

/// Excel's Thai locale with the Buddhist calendar: `2 พ.ค. 69`.
const BE_DATE: &str = "[$-107041E]d mmm yy";
const BE_DATE_TIME: &str = "[$-107041E]d mmm yy hh:mm";
/// Points per line of 14 pt Thai text.
const LINE_HEIGHT: f64 = 21.0;

/// The sheet as XLSX bytes.
pub fn render(sheet: &RegisterSheet) -> Result<Vec<u8>, OutputError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(&sheet.sheet_name)?;
    let font = "TH Sarabun New";
    let title = Format::new()
        .set_font_name(font)
        .set_font_size(18)
        .set_bold()
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_font_name(font)
        .set_font_size(14)
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#EEF2F7")
        .set_text_wrap()
        .set_align(FormatAlign::Center);
    let cell = Format::new()
        .set_font_name(font)
        .set_font_size(14)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let date = cell.clone().set_num_format(BE_DATE);
    let date_time = cell.clone().set_num_format(BE_DATE_TIME);
    let last_col = sheet.columns.len().saturating_sub(1) as u16;
    let heading = if sheet.form.is_empty() {
        format!("{} {} พ.ศ. {}", sheet.title, sheet.office, sheet.year_be)
    } else {
        format!(
            "{} ({}) {} พ.ศ. {}",
            sheet.title, sheet.form, sheet.office, sheet.year_be
        )
    };
    ws.merge_range(0, 0, 0, last_col, &heading, &title)?;
    ws.set_row_height(0, 28.0)?;
    for (c, column) in sheet.columns.iter().enumerate() {
        ws.set_column_width(c as u16, column.width)?;
        ws.write_string_with_format(1, c as u16, column.title, &head)?;
    }
    for (i, cells) in sheet.rows.iter().enumerate() {
        let row = i as u32 + 2;
        let mut lines = 1;
        for (c, value) in cells.iter().enumerate() {
            let col = c as u16;
            match value {
                Cell::Text(t) => {
                    ws.write_string_with_format(row, col, t, &cell)?;
                    let width = sheet.columns.get(c).map_or(10.0, |w| w.width);
                    lines = lines.max(lines_needed(t, width));
                }
                Cell::Number(n) => {
                    ws.write_number_with_format(row, col, *n as f64, &cell)?;
                }
                Cell::Date(d) => {
                    let when = ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string())?;
                    ws.write_datetime_with_format(row, col, &when, &date)?;
                }
                Cell::DateTime(t) => {
                    let when =
                        ExcelDateTime::parse_from_str(&t.format("%Y-%m-%d %H:%M:%S").to_string())?;
                    ws.write_datetime_with_format(row, col, &when, &date_time)?;
                }
            }
        }
        ws.set_row_height(row, LINE_HEIGHT * lines as f64)?;
    }
    ws.set_freeze_panes(2, 0)?;
    ws.autofilter(1, 0, sheet.rows.len() as u32 + 1, last_col)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_repeat_rows(1, 1)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(wb.save_to_buffer()?)
}

/// The monthly summary: three sheets (per register per month, per sender, per work group).
pub fn render_summary(summary: &YearSummary) -> Result<Vec<u8>, OutputError> {
    let mut wb = Workbook::new();
    let font = "TH Sarabun New";
    let title = Format::new()
        .set_font_name(font)
        .set_font_size(16)
        .set_bold();
    let head = Format::new()
        .set_font_name(font)
        .set_font_size(14)
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#EEF2F7");
    let cell = Format::new()
        .set_font_name(font)
        .set_font_size(14)
        .set_border(FormatBorder::Thin);
    let heading = |what: &str| format!("{what} {} พ.ศ. {}", summary.office, summary.year_be);

    let ws = wb.add_worksheet();
    ws.set_name(format!("รายเดือน {}", summary.year_be))?;
    ws.write_string_with_format(0, 0, heading("สรุปจำนวนหนังสือรายเดือน"), &title)?;
    ws.write_string_with_format(1, 0, "ทะเบียน", &head)?;
    for (m, name) in MONTHS.iter().enumerate() {
        ws.write_string_with_format(1, m as u16 + 1, *name, &head)?;
    }
    ws.write_string_with_format(1, 13, "รวม", &head)?;
    ws.set_column_width(0, 24)?;
    for (i, (register, months)) in summary.by_month.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_string_with_format(row, 0, register.label(), &cell)?;
        for (m, n) in months.iter().enumerate() {
            ws.write_number_with_format(row, m as u16 + 1, *n as f64, &cell)?;
        }
        ws.write_number_with_format(row, 13, months.iter().sum::<i64>() as f64, &cell)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9);

    for (name, what, label, rows) in [
        ("รายผู้ส่ง", "สรุปหนังสือรับตามผู้ส่ง", "จาก", &summary.by_sender),
        (
            "รายกลุ่มงาน",
            "สรุปหนังสือที่ส่งต่อถึงกลุ่มงาน",
            "กลุ่มงาน",
            &summary.by_group,
        ),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        ws.write_string_with_format(0, 0, heading(what), &title)?;
        ws.write_string_with_format(1, 0, label, &head)?;
        ws.write_string_with_format(1, 1, "จำนวน", &head)?;
        ws.set_column_width(0, 48)?;
        for (i, (who, n)) in rows.iter().enumerate() {
            let row = i as u32 + 2;
            ws.write_string_with_format(row, 0, who, &cell)?;
            ws.write_number_with_format(row, 1, *n as f64, &cell)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}
