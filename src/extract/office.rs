//! The text of Office Open XML files: a Word document's paragraphs (word/document.xml) and an
//! Excel workbook's cells, sheet by sheet (calamine).

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use super::ExtractError;

/// A .docx's paragraphs, one per line (tabs and line breaks kept).
pub(super) fn docx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| ExtractError::Unreadable(e.to_string()))?
        .read_to_string(&mut xml)
        .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
    let mut reader = Reader::from_str(&xml);
    let mut text = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                b"w:t" => in_text = false,
                b"w:p" => text.push('\n'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                b"w:tab" => text.push('\t'),
                b"w:br" | b"w:cr" => text.push('\n'),
                _ => {}
            },
            Ok(Event::Text(t)) if in_text => {
                let piece = t
                    .decode()
                    .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
                text.push_str(&piece);
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                // &amp; &lt; … and numeric references inside a run of text.
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = r
                        .decode()
                        .map_err(|e| ExtractError::Unreadable(e.to_string()))?;
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(ExtractError::Unreadable(e.to_string())),
            _ => {}
        }
    }
    Ok(text)
}

/// A workbook's cells, a sheet after another: its name, then each row's cells split by tabs.
pub(super) fn xlsx_text(bytes: &[u8]) -> Result<String, ExtractError> {
    use calamine::{Reader as _, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e: calamine::XlsxError| ExtractError::Unreadable(e.to_string()))?;
    let mut text = String::new();
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        text.push_str(&name);
        text.push('\n');
        for row in range.rows() {
            let cells: Vec<String> = row.iter().map(|c| c.to_string()).collect();
            let line = cells.join("\t");
            if !line.trim().is_empty() {
                text.push_str(line.trim_end());
                text.push('\n');
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docx(document_xml: &str) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(document_xml.as_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn a_word_file_gives_its_paragraphs() {
        let xml = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>ที่ ศธ 04183/ว1891</w:t></w:r></w:p>
            <w:p><w:r><w:t xml:space="preserve">เรื่อง ขอเชิญ</w:t></w:r><w:r><w:tab/><w:t>ประชุม &amp; สัมมนา</w:t></w:r></w:p>
            </w:body></w:document>"#;
        let text = docx_text(&docx(xml)).unwrap();
        assert_eq!(text, "ที่ ศธ 04183/ว1891\nเรื่อง ขอเชิญ\tประชุม & สัมมนา\n");
    }

    #[test]
    fn a_broken_word_file_is_an_error_not_a_panic() {
        assert!(matches!(
            docx_text(b"PK\x03\x04junk"),
            Err(ExtractError::Unreadable(_))
        ));
    }

    #[test]
    fn a_workbook_gives_its_cells() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("งบประมาณ").unwrap();
        sheet.write(0, 0, "โครงการอาหารกลางวัน").unwrap();
        sheet.write(0, 1, 12500).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let text = xlsx_text(&bytes).unwrap();
        assert_eq!(text, "งบประมาณ\nโครงการอาหารกลางวัน\t12500\n");
    }
}
