//! CSV for Excel and scripts: UTF-8 with a byte-order mark (so Thai Excel does not read it as
//! TIS-620), CRLF line ends, ISO dates, and each date also in the Buddhist era beside it.

use crate::domain::forms::{Cell, MONTHS, RegisterSheet, YearSummary};
use crate::domain::thai_date;

use super::OutputError;

/// The sheet as CSV bytes.
pub fn render(sheet: &RegisterSheet) -> Result<Vec<u8>, OutputError> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        let mut header = Vec::new();
        for (i, c) in sheet.columns.iter().enumerate() {
            header.push(c.title.to_string());
            if let Some(Cell::Date(_) | Cell::DateTime(_)) =
                sheet.rows.first().and_then(|r| r.get(i))
            {
                header.push(format!("{} (พ.ศ.)", c.title));
            }
        }
        w.write_record(&header)
            .map_err(|e| OutputError::Csv(e.to_string()))?;
        for row in &sheet.rows {
            let mut record = Vec::new();
            for cell in row {
                match cell {
                    Cell::Text(t) => record.push(t.clone()),
                    Cell::Number(n) => record.push(n.to_string()),
                    Cell::Date(d) => {
                        record.push(d.format("%Y-%m-%d").to_string());
                        record.push(thai_date::format_short(*d));
                    }
                    Cell::DateTime(t) => {
                        record.push(t.format("%Y-%m-%d %H:%M").to_string());
                        record.push(format!(
                            "{} {}",
                            thai_date::format_short(t.date()),
                            t.format("%H.%M น.")
                        ));
                    }
                }
            }
            w.write_record(&record)
                .map_err(|e| OutputError::Csv(e.to_string()))?;
        }
        w.flush().map_err(|e| OutputError::Csv(e.to_string()))?;
    }
    Ok(out)
}

/// The monthly summary as one CSV: the per-month table, then per sender, then per work group,
/// each under its own heading row.
pub fn render_summary(summary: &YearSummary) -> Result<Vec<u8>, OutputError> {
    let fail = |e: ::csv::Error| OutputError::Csv(e.to_string());
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(&mut out);
        let mut header = vec!["ทะเบียน".to_string()];
        header.extend(MONTHS.iter().map(|m| m.to_string()));
        header.push("รวม".into());
        w.write_record(&header).map_err(fail)?;
        for (register, months) in &summary.by_month {
            let mut record = vec![register.label().to_string()];
            record.extend(months.iter().map(i64::to_string));
            record.push(months.iter().sum::<i64>().to_string());
            w.write_record(&record).map_err(fail)?;
        }
        w.write_record(["จาก", "จำนวนหนังสือรับ"]).map_err(fail)?;
        for (who, n) in &summary.by_sender {
            w.write_record([who.clone(), n.to_string()]).map_err(fail)?;
        }
        w.write_record(["กลุ่มงาน", "จำนวนหนังสือที่ส่งต่อถึง"])
            .map_err(fail)?;
        for (group, n) in &summary.by_group {
            w.write_record([group.clone(), n.to_string()])
                .map_err(fail)?;
        }
        w.flush().map_err(|e| OutputError::Csv(e.to_string()))?;
    }
    Ok(out)
}
