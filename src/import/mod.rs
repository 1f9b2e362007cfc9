//! Reading a table someone brings in (an earlier register as CSV or XLSX) into cells for
//! [`crate::domain::import`]. CSV may come with or without a byte-order mark, in UTF-8 or in the
//! TIS-620/windows-874 that Thai Excel still saves; XLSX dates arrive as dates.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::domain::import::RawCell;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    #[error("รองรับเฉพาะไฟล์ .csv และ .xlsx")]
    Kind,
    #[error("อ่านไฟล์ CSV ไม่ได้ ({0})")]
    Csv(String),
    #[error("อ่านไฟล์ Excel ไม่ได้ ({0})")]
    Xlsx(String),
}

/// The header and the rows of the file's first sheet.
pub type Table = (Vec<RawCell>, Vec<Vec<RawCell>>);

/// Reads `bytes` as the kind its file name says.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Table, TableError> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".csv") {
        read_csv(bytes)
    } else if lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else {
        Err(TableError::Kind)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, TableError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        // Not UTF-8: Thai Excel's "CSV" is windows-874 (a superset of TIS-620).
        Err(_) => encoding_rs::WINDOWS_874.decode(bytes).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let cells = |r: csv::StringRecord| -> Vec<RawCell> {
        r.iter()
            .map(|c| match c.trim() {
                "" => RawCell::Empty,
                t => RawCell::Text(t.to_string()),
            })
            .collect()
    };
    let header = match records.next() {
        Some(r) => cells(r.map_err(|e| TableError::Csv(e.to_string()))?),
        None => Vec::new(),
    };
    let rows = records
        .map(|r| r.map(cells).map_err(|e| TableError::Csv(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((header, rows))
}

fn read_xlsx(bytes: &[u8]) -> Result<Table, TableError> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| TableError::Xlsx(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| TableError::Xlsx("ไม่มีแผ่นงาน".into()))?
        .map_err(|e| TableError::Xlsx(e.to_string()))?;
    let rows = range.rows().map(|row| {
        row.iter()
            .map(|cell| match cell {
                Data::Empty => RawCell::Empty,
                Data::String(s) => RawCell::Text(s.clone()),
                Data::Int(i) => RawCell::Number(*i as f64),
                Data::Float(f) => RawCell::Number(*f),
                Data::Bool(b) => RawCell::Text(b.to_string()),
                Data::DateTime(d) => d
                    .as_datetime()
                    .map(RawCell::DateTime)
                    .unwrap_or_else(|| RawCell::Number(d.as_f64())),
                Data::DateTimeIso(s) | Data::DurationIso(s) => RawCell::Text(s.clone()),
                Data::Error(e) => RawCell::Text(format!("{e:?}")),
            })
            .collect::<Vec<_>>()
    });
    let mut rows: Vec<Vec<RawCell>> = rows.collect();
    // The export puts the form's title and the office above the header.
    let at = crate::domain::import::header_row(&rows).unwrap_or(0);
    let body = rows.split_off((at + 1).min(rows.len()));
    let header = rows.pop().unwrap_or_default();
    Ok((header, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_a_bom_or_in_windows_874() {
        let utf8 = "\u{feff}เลขทะเบียนรับ,เรื่อง\r\n1,ประชุม\r\n";
        let (header, rows) = read_table("a.CSV", utf8.as_bytes()).unwrap();
        assert_eq!(header[0], RawCell::Text("เลขทะเบียนรับ".into()));
        assert_eq!(rows[0][1], RawCell::Text("ประชุม".into()));
        let (thai, _, _) = encoding_rs::WINDOWS_874.encode("เลขทะเบียนรับ,เรื่อง\r\n1,ประชุม\r\n");
        let (header, rows) = read_table("a.csv", &thai).unwrap();
        assert_eq!(header[0], RawCell::Text("เลขทะเบียนรับ".into()));
        assert_eq!(rows[0][1], RawCell::Text("ประชุม".into()));
    }

    #[test]
    fn other_kinds_are_refused() {
        assert_eq!(read_table("a.pdf", b"%PDF"), Err(TableError::Kind));
        assert!(matches!(
            read_table("a.xlsx", b"not a zip"),
            Err(TableError::Xlsx(_))
        ));
    }
}
