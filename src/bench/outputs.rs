//! `saraban bench outputs`: how long a large register takes to export (the XLSX and CSV parts of
//! issue 12; the stamp and the register PDF are not built yet). No servers: it renders a
//! generated year of letters in memory, several rounds, and prints p50/p95 and peak memory.

use std::time::Instant;

use chrono::NaiveDate;

use crate::domain::forms::{SheetRow, register_sheet};
use crate::domain::register::Register;

pub struct OutputsReport {
    rows: usize,
    rounds: usize,
    xlsx_ms: Vec<f64>,
    csv_ms: Vec<f64>,
    xlsx_bytes: usize,
    csv_bytes: usize,
    peak_rss_mb: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn run(rows: usize, rounds: usize) -> anyhow::Result<OutputsReport> {
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
        })
        .collect();
    let sheet = register_sheet(Register::Inbound, "สพป.ขอนแก่น เขต 1", 2569, &letters);
    super::reset_peak_rss();
    let mut report = OutputsReport {
        rows,
        rounds,
        xlsx_ms: Vec::new(),
        csv_ms: Vec::new(),
        xlsx_bytes: 0,
        csv_bytes: 0,
        peak_rss_mb: 0.0,
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
    Ok(report)
}

impl OutputsReport {
    pub fn report(&self) -> String {
        format!(
            "register export, {} rows, {} rounds\n\
             | output | p50 ms | p95 ms | size | target |\n|---|---|---|---|---|\n\
             | XLSX | {:.0} | {:.0} | {} KB | ≤ 1000 ms |\n\
             | CSV  | {:.0} | {:.0} | {} KB | – |\n\
             peak RSS of the process: {:.0} MB\n\
             (receipt stamp and register PDF: not built yet)",
            self.rows,
            self.rounds,
            percentile(&self.xlsx_ms, 0.5),
            percentile(&self.xlsx_ms, 0.95),
            self.xlsx_bytes / 1024,
            percentile(&self.csv_ms, 0.5),
            percentile(&self.csv_ms, 0.95),
            self.csv_bytes / 1024,
            self.peak_rss_mb
        )
    }
}
