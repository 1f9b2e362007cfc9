//! `saraban bench outputs`: side by side in one run, stamping a one-page text PDF and a 20 MB
//! scanned PDF, a large register as the printed form (PDF), XLSX and CSV. It renders a generated year of
//! letters in memory, several rounds, and prints p50/p95 and peak memory; while one more PDF
//! renders, it asks saraban's own login page over HTTP and prints how quickly it answered.

use std::time::Instant;

use chrono::NaiveDate;

use crate::domain::forms::{SheetLayout, SheetRow, register_sheet};
use crate::domain::register::Register;

pub struct OutputsReport {
    rows: usize,
    rounds: usize,
    xlsx_ms: Vec<f64>,
    csv_ms: Vec<f64>,
    xlsx_bytes: usize,
    csv_bytes: usize,
    peak_rss_mb: f64,
    pdf_ms: Vec<f64>,
    pdf_bytes: usize,
    pdf_peak_rss_mb: f64,
    stamp_text_ms: Vec<f64>,
    stamp_scan_ms: Vec<f64>,
    scan_mb: f64,
    /// While the PDF renders: how long `GET /login` took to answer, each time it was asked.
    page_answer_ms: Vec<f64>,
}

/// A PDF 1.4 file of these objects (numbered from 1, the first the catalog), each with its
/// stream when it has one, and a classic cross-reference table.
fn pdf_file(objects: &[(String, Option<&[u8]>)]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, (head, stream)) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{head}\n", i + 1).as_bytes());
        if let Some(data) = stream {
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream\n");
        }
        out.extend_from_slice(b"endobj\n");
    }
    let xref = out.len();
    let size = objects.len() + 1;
    out.extend_from_slice(format!("xref\n0 {size}\n0000000000 65535 f \n").as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

/// A one-page PDF whose page is one image of `mb` megabytes, as a scanner makes (stored raw).
fn scanned_pdf(mb: usize) -> Vec<u8> {
    let side = ((mb * 1024 * 1024 / 3) as f64).sqrt() as usize;
    let pixels: Vec<u8> = (0..side * side * 3).map(|i| (i * 31 % 251) as u8).collect();
    let content = b"q 595 0 0 842 0 0 cm /Im1 Do Q";
    pdf_file(&[
        ("<< /Type /Catalog /Pages 2 0 R >>".into(), None),
        ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(), None),
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im1 5 0 R >> >> >>".into(), None),
        (format!("<< /Length {} >>", content.len()), Some(content)),
        (format!("<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {} >>", pixels.len()), Some(&pixels)),
    ])
}

/// A one-page text PDF, as the smallest letters come.
fn text_pdf() -> Vec<u8> {
    let content = b"BT /F1 18 Tf 50 750 Td (Letter) Tj ET";
    pdf_file(&[
        ("<< /Type /Catalog /Pages 2 0 R >>".into(), None),
        ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(), None),
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".into(), None),
        (format!("<< /Length {} >>", content.len()), Some(content)),
        ("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(), None),
    ])
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The register sheet the bench renders: `rows` inbound letters of one year.
pub(super) fn bench_sheet(rows: usize) -> crate::domain::forms::RegisterSheet {
    let day = NaiveDate::from_ymd_opt(2026, 5, 2).unwrap_or_default();
    let received = day.and_hms_opt(9, 15, 0).unwrap_or_default();
    let letters: Vec<SheetRow> = (1..=rows as i64)
        .map(|n| SheetRow {
            number: n,
            doc_no: format!("ศธ 04183.{:03}/ว{n}", n % 300),
            doc_date: day,
            from: format!("โรงเรียนบ้านหนองบัววิทยาคาร {}", n % 120),
            to: "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต 1".into(),
            subject: format!(
                "ขอส่งรายงานผลการดำเนินงานโครงการพัฒนาคุณภาพการศึกษา ฉบับที่ {n} ประจำปีงบประมาณ"
            ),
            action: "ส่ง กลุ่มนโยบายและแผน 3 พ.ค. 2569".into(),
            remark: String::new(),
            received,
            cancelled: (n % 97 == 0).then(|| "ลงซ้ำ".to_string()),
            registered: received,
            speed: Default::default(),
            secrecy: Default::default(),
            letter_type: Default::default(),
            retention: Default::default(),
            keep_until: "เก็บถึง พ.ศ. 2579".into(),
        })
        .collect();
    register_sheet(
        Register::Inbound,
        "สพป.ขอนแก่น เขต 1",
        2569,
        &letters,
        SheetLayout::Printed,
    )
}

pub async fn run(rows: usize, rounds: usize) -> anyhow::Result<OutputsReport> {
    let sheet = std::sync::Arc::new(bench_sheet(rows));
    let mut report = tokio::task::spawn_blocking({
        let sheet = sheet.clone();
        move || run_blocking(&sheet, rows, rounds)
    })
    .await??;
    // Page requests while a register PDF renders: saraban's own web application on loopback (an
    // empty SQLite), the render on a blocking thread as the register page does it, and the login
    // page asked for over HTTP every 20 ms until the render ends.
    let dir = tempfile::tempdir()?;
    let mut config = crate::config::Config::default();
    config.database.url = format!("sqlite://{}/bench.db", dir.path().display());
    config.storage.root = dir.path().join("files");
    let store = crate::app::open_store(&config).await?;
    let app = crate::app::build_router(store, config).await?;
    let listener = crate::app::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::app::serve_on(listener, app, async {
        let _ = stopped.await;
    }));
    page_request(addr).await?; // warm: the first answer opens the database
    let render = tokio::task::spawn_blocking({
        let sheet = sheet.clone();
        move || crate::outputs::table_pdf::render(&sheet, &print_info())
    });
    let mut answers = Vec::new();
    while !render.is_finished() {
        let t = Instant::now();
        page_request(addr).await?;
        answers.push(ms_since(t));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    render.await??;
    let _ = stop.send(());
    server.await??;
    answers.sort_by(f64::total_cmp);
    report.page_answer_ms = answers;
    Ok(report)
}

/// `GET /login` over a new connection, read to the end; fails unless the answer is 200.
async fn page_request(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    anyhow::ensure!(
        answer.starts_with(b"HTTP/1.1 200"),
        "the login page did not answer 200"
    );
    Ok(())
}

pub(super) fn print_info() -> crate::outputs::table_pdf::PrintInfo {
    crate::outputs::table_pdf::PrintInfo {
        period: String::new(),
        printed_at: "3 ธ.ค. 2569 10:40 น.".into(),
    }
}

fn run_blocking(
    sheet: &crate::domain::forms::RegisterSheet,
    rows: usize,
    rounds: usize,
) -> anyhow::Result<OutputsReport> {
    let sheet = sheet.clone();
    super::reset_peak_rss();
    let mut report = OutputsReport {
        rows,
        rounds,
        xlsx_ms: Vec::new(),
        csv_ms: Vec::new(),
        xlsx_bytes: 0,
        csv_bytes: 0,
        peak_rss_mb: 0.0,
        pdf_ms: Vec::new(),
        pdf_bytes: 0,
        pdf_peak_rss_mb: 0.0,
        stamp_text_ms: Vec::new(),
        stamp_scan_ms: Vec::new(),
        scan_mb: 0.0,
        page_answer_ms: Vec::new(),
    };
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        report.xlsx_bytes = crate::outputs::xlsx::render(&sheet)?.len();
        report.xlsx_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        report.csv_bytes = crate::outputs::csv::render(&sheet)?.len();
        report.csv_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report.peak_rss_mb = super::peak_rss_kb() as f64 / 1024.0;
    report.xlsx_ms.sort_by(f64::total_cmp);
    report.csv_ms.sort_by(f64::total_cmp);

    // The receipt stamp: a small text PDF and a 20 MB scan, many rounds each.
    let stamp = crate::domain::stamp::ReceiptStamp::new(
        "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต 1",
        1234,
        chrono::Utc::now(),
        crate::domain::stamp::StampSettings::default(),
    );
    let text = text_pdf();
    let scan = scanned_pdf(20);
    report.scan_mb = scan.len() as f64 / 1024.0 / 1024.0;
    // Each round stamps a fresh buffer, as the service hands over the file it just read.
    for _ in 0..(rounds.max(1) * 10) {
        let input = text.clone();
        let t = Instant::now();
        crate::outputs::stamp::stamp_pdf(input, &stamp)?;
        report.stamp_text_ms.push(ms_since(t));
        let input = scan.clone();
        let t = Instant::now();
        crate::outputs::stamp::stamp_pdf(input, &stamp)?;
        report.stamp_scan_ms.push(ms_since(t));
    }
    report.stamp_text_ms.sort_by(f64::total_cmp);
    report.stamp_scan_ms.sort_by(f64::total_cmp);
    drop(scan);

    // The register as the printed form: fewer rounds, each is seconds.
    super::reset_peak_rss();
    for _ in 0..rounds.clamp(1, 3) {
        let t = Instant::now();
        report.pdf_bytes = crate::outputs::table_pdf::render(&sheet, &print_info())?.len();
        report.pdf_ms.push(ms_since(t));
    }
    report.pdf_peak_rss_mb = super::peak_rss_kb() as f64 / 1024.0;
    report.pdf_ms.sort_by(f64::total_cmp);
    Ok(report)
}

impl OutputsReport {
    pub fn report(&self) -> String {
        format!(
            "register export, {} rows, {} rounds\n\
             | output | p50 ms | p95 ms | size | target |\n|---|---|---|---|---|\n\
             | XLSX | {:.0} | {:.0} | {} KB | ≤ 1000 ms |\n\
             | CSV  | {:.0} | {:.0} | {} KB | – |\n\
             | register PDF (แบบที่ 13) | {:.0} | {:.0} | {} KB | ≤ 5000 ms, ≤ 200 MB |\n\
             | stamp, 1-page text PDF | {:.1} | {:.1} | – | – |\n\
             | stamp, {:.0} MB scanned PDF | {:.1} | {:.1} | – | p95 ≤ 20 ms |\n\
             peak RSS of the process: {:.0} MB for the exports, {:.0} MB while rendering the PDF\n\
             while a PDF rendered, GET /login answered {} times over HTTP: p50 {:.1} ms, max {:.1} ms (target < 100 ms)",
            self.rows,
            self.rounds,
            percentile(&self.xlsx_ms, 0.5),
            percentile(&self.xlsx_ms, 0.95),
            self.xlsx_bytes / 1024,
            percentile(&self.csv_ms, 0.5),
            percentile(&self.csv_ms, 0.95),
            self.csv_bytes / 1024,
            percentile(&self.pdf_ms, 0.5),
            percentile(&self.pdf_ms, 0.95),
            self.pdf_bytes / 1024,
            percentile(&self.stamp_text_ms, 0.5),
            percentile(&self.stamp_text_ms, 0.95),
            self.scan_mb,
            percentile(&self.stamp_scan_ms, 0.5),
            percentile(&self.stamp_scan_ms, 0.95),
            self.peak_rss_mb,
            self.pdf_peak_rss_mb,
            self.page_answer_ms.len(),
            percentile(&self.page_answer_ms, 0.5),
            self.page_answer_ms.last().copied().unwrap_or(0.0),
        )
    }
}
