//! The register as an Excel workbook: a Thai sheet name, the title and office on top, the header
//! row frozen with an autofilter, real dates shown in the Buddhist era, numbers as numbers, wrapped
//! text with row heights set (LibreOffice does not fit them itself), A4 landscape with the header
//! repeated on every printed page.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};

use crate::domain::forms::{Cell, RegisterSheet, lines_needed};

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
