//! `saraban bench ocr`: Thai OCR of a generated 2-page A4 scan at 300 dpi. The pages are the
//! printed register form (our own Thai PDF) rendered to images by pdftoppm, as a scanner would
//! give them, then read through the extractor exactly as the file reader does: as PNG scans and
//! as one image-only PDF. Prints pages per second and the peak memory of the OCR processes.

use std::time::Instant;

use crate::config::TextConfig;
use crate::extract::{Extractor, Method};

pub struct OcrReport {
    rows: Vec<(String, usize, f64, usize)>,
    peak_child_kb: i64,
}

/// Peak resident memory of any child process so far (Tesseract, pdftoppm), in KB.
fn peak_child_kb() -> i64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if ok == 0 { usage.ru_maxrss } else { 0 }
}

async fn two_scanned_pages(dir: &std::path::Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let sheet = super::outputs::bench_sheet(40);
    let pdf = crate::outputs::table_pdf::render(&sheet, &super::outputs::print_info())?;
    let path = dir.join("register.pdf");
    std::fs::write(&path, pdf)?;
    let status = tokio::process::Command::new("pdftoppm")
        .args(["-r", "300", "-gray", "-png", "-f", "1", "-l", "2"])
        .arg(&path)
        .arg(dir.join("page"))
        .status()
        .await?;
    anyhow::ensure!(status.success(), "pdftoppm failed (install poppler-utils)");
    let mut pages = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    names.sort();
    for p in names {
        pages.push(std::fs::read(p)?);
    }
    anyhow::ensure!(pages.len() == 2, "expected 2 pages, got {}", pages.len());
    Ok(pages)
}

pub async fn run() -> anyhow::Result<OcrReport> {
    let dir = tempfile::tempdir()?;
    let pages = two_scanned_pages(dir.path()).await?;
    // Each page as an image-only PDF, as a scanner's software saves one.
    let scan_pdf = crate::outputs::stamp::image_to_pdf(&pages[0], true)?;
    let second_pdf = crate::outputs::stamp::image_to_pdf(&pages[1], true)?;
    let mut rows = Vec::new();
    for at_once in [1usize, 2] {
        let extractor = Extractor::new(TextConfig {
            ocr_pages_at_once: at_once,
            ..TextConfig::default()
        });
        // The two PNG pages read together (as two files would be).
        let started = Instant::now();
        let (a, b) = tokio::join!(
            extractor.extract(&pages[0], "page1.png"),
            extractor.extract(&pages[1], "page2.png")
        );
        let secs = started.elapsed().as_secs_f64();
        let (a, b) = (a?, b?);
        anyhow::ensure!(
            a.method == Method::Ocr && !a.text.is_empty(),
            "no text read"
        );
        let chars = a.text.chars().count() + b.text.chars().count();
        rows.push((
            format!("PNG scans, {at_once} page(s) at once"),
            2,
            secs,
            chars,
        ));
        let started = Instant::now();
        let (a, b) = tokio::join!(
            extractor.extract(&scan_pdf, "scan1.pdf"),
            extractor.extract(&second_pdf, "scan2.pdf")
        );
        let secs = started.elapsed().as_secs_f64();
        let chars = a?.text.chars().count() + b?.text.chars().count();
        rows.push((
            format!("image-only PDFs (pdftoppm + OCR), {at_once} at once"),
            2,
            secs,
            chars,
        ));
    }
    Ok(OcrReport {
        rows,
        peak_child_kb: peak_child_kb(),
    })
}

impl OcrReport {
    pub fn report(&self) -> String {
        let mut out =
            String::from("Thai OCR (tesseract tha+eng) of a generated 2-page A4 scan at 300 dpi\n");
        for (what, pages, secs, chars) in &self.rows {
            out.push_str(&format!(
                "  {what:<52} {pages} pages in {secs:>5.2} s = {:>5.2} pages/s ({chars} characters read)\n",
                *pages as f64 / secs
            ));
        }
        out.push_str(&format!(
            "  peak memory of one OCR process: {:.0} MB\n",
            self.peak_child_kb as f64 / 1024.0
        ));
        out
    }
}
