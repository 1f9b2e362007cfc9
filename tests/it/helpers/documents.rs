//! Documents made in the test, as offices make them: a Thai text PDF printed by Chromium, a
//! Thai page "scanned" (rendered by Chromium to a 300 dpi A4 image), scanned PDFs (img2pdf), and
//! Word and Excel files.

use std::path::Path;
use std::process::Command;

fn chromium(dir: &Path, html: &str, output: &str) -> std::path::PathBuf {
    let page = dir.join(format!("{output}.html"));
    std::fs::write(&page, html).unwrap();
    let out = dir.join(output);
    let profile = dir.join(format!("{output}-profile"));
    let mode = if output.ends_with(".pdf") {
        format!("--print-to-pdf={}", out.display())
    } else {
        // A4 at 300 dpi.
        format!("--screenshot={}", out.display())
    };
    let res = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            "--hide-scrollbars",
            "--window-size=2480,3508",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(mode)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium");
    assert!(
        out.exists(),
        "chromium made no {output}: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    out
}

fn page_html(lines: &[&str], size_px: u32) -> String {
    let body: String = lines.iter().map(|l| format!("<p>{l}</p>")).collect();
    format!(
        "<html><meta charset=utf-8><body style=\"font-family:'Laksaman','Garuda';font-size:{size_px}px;\
         margin:180px;background:#fff;color:#000\">{body}</body></html>"
    )
}

/// `html` as Chromium prints it to PDF (Skia, classic xref).
pub fn chromium_pdf(dir: &Path, html: &str, name: &str) -> Vec<u8> {
    std::fs::read(chromium(dir, html, &format!("{name}.pdf"))).unwrap()
}

/// A PDF with a Thai text layer, as Chromium prints it.
pub fn thai_text_pdf(dir: &Path, lines: &[&str]) -> Vec<u8> {
    chromium_pdf(dir, &page_html(lines, 18), "text")
}

/// A Thai page as a 300 dpi A4 scan (PNG), the lines in a 14-point-like size.
pub fn thai_scan_png(dir: &Path, name: &str, lines: &[&str]) -> Vec<u8> {
    std::fs::read(chromium(dir, &page_html(lines, 60), &format!("{name}.png"))).unwrap()
}

/// An image-only PDF of these scans, a page each (img2pdf, as a scanner's software makes one).
pub fn scan_pdf(dir: &Path, pages: &[Vec<u8>]) -> Vec<u8> {
    let mut cmd = Command::new("img2pdf");
    for (i, png) in pages.iter().enumerate() {
        let path = dir.join(format!("scan-page-{i}.png"));
        std::fs::write(&path, png).unwrap();
        cmd.arg(path);
    }
    let out = dir.join("scan.pdf");
    let res = cmd
        .args(["--pagesize", "A4", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "img2pdf: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    std::fs::read(out).unwrap()
}

/// A Word file (.docx) with these paragraphs.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>"))
        .collect();
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:body>{body}</w:body></w:document>"
    );
    let types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        </Types>";
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(types.as_bytes()).unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(document.as_bytes()).unwrap();
    zip.finish().unwrap();
    out.into_inner()
}

/// An Excel workbook (.xlsx) with one sheet of these rows.
pub fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}
