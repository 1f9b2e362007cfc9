//! `saraban bench records`: an earlier register of N letters imported (with a file each, packed
//! as a mail batch would be), the yearly survey over it, and the destruction of what the survey
//! listed, timed, with the storage measured before and after. SQLite in a temporary directory,
//! no other servers.

use std::time::Instant;

use bytes::Bytes;
use sqlx::Row;

use crate::config::Config;
use crate::domain::register::Register;
use crate::service::disposals::ReviewInput;

pub struct RecordsReport {
    letters: usize,
    import_s: f64,
    files_s: f64,
    survey_s: f64,
    listed: usize,
    workflow_s: f64,
    destroy_s: f64,
    destroyed: usize,
    files_removed: u64,
    bytes_freed: u64,
    storage_before: u64,
    storage_after: u64,
    packs_rewritten: u64,
}

fn dir_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(m) = e.metadata() {
                total += m.len();
            }
        }
    }
    total
}

pub async fn run(count: usize) -> anyhow::Result<RecordsReport> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::default();
    config.database.url = format!("sqlite://{}/bench.db", dir.path().display());
    config.storage.root = dir.path().join("files");
    let bench = super::bench_office(
        &config,
        ("bench", "สำนักงานทดสอบความเร็ว", "ศธ 04183", "district"),
        &[
            ("bench-clerk", "clerk"),
            ("bench-director", "director"),
            ("bench-staff", "staff"),
            ("bench-admin", "admin"),
        ],
    )
    .await?;
    let (store, services) = (bench.store, bench.services);
    let [clerk, director, staff, admin] = <[_; 4]>::try_from(bench.officers)
        .map_err(|_| anyhow::anyhow!("bench setup: four officers"))?;

    // An earlier register of 2560: nine in ten kept one year, one in ten ten years.
    let mut csv = String::from("เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\n");
    for n in 1..=count {
        let retention = if n % 10 == 0 { "10 ปี" } else { "1 ปี" };
        csv.push_str(&format!(
            "{n},2560,ศธ 04006/ว{n},2017-03-01,สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน,สพป.,ขอเชิญประชุมผู้บริหารสถานศึกษา ครั้งที่ {n},{retention}\n"
        ));
    }
    let t = Instant::now();
    services
        .import_register(&clerk, Register::Inbound, "bench.csv", csv.as_bytes())
        .await?;
    let import_s = t.elapsed().as_secs_f64();

    // A file for every letter, packed a thousand at a time as a mail batch is.
    let t = Instant::now();
    let ids: Vec<(i64, i64)> =
        sqlx::query("SELECT id, number FROM letters WHERE office_id = 'bench' ORDER BY number")
            .fetch_all(store.pool())
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("number")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        for (id, number) in chunk {
            let body = format!("%PDF-1.4 letter {number} ").repeat(80);
            let sha = services
                .files
                .put_deferred(Bytes::from(body.clone()))
                .await?;
            rows.push((*id, sha, body.len() as i64));
        }
        services.files.flush().await?;
    }
    let mut tx = store.begin_write().await?;
    for (id, sha, size) in &rows {
        sqlx::query(
            "INSERT INTO attachments (letter_id, position, name, description, kind, size, sha256, created_at)
             VALUES ($1, 1, 'letter.pdf', '', 'pdf', $2, $3, '2017-03-01T02:00:00Z')",
        )
        .bind(*id)
        .bind(*size)
        .bind(sha.clone())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let files_s = t.elapsed().as_secs_f64();
    let storage_before = dir_size(&dir.path().join("files"));

    // The survey of 2566.
    let t = Instant::now();
    let list = services.survey(&clerk, 2566).await?;
    let survey_s = t.elapsed().as_secs_f64();
    let listed = list.item_count;
    let list = services.disposal(&clerk, list.id).await?;

    // The committee's steps (timed together).
    let t = Instant::now();
    services
        .appoint_committee(
            &director,
            list.id,
            "bench-staff",
            &["bench-clerk".to_string(), "bench-admin".to_string()],
        )
        .await?;
    let review: Vec<ReviewInput> = list
        .items
        .iter()
        .map(|i| ReviewInput {
            letter_id: i.letter_id,
            decision: "destroy".into(),
            keep_until_be: None,
        })
        .collect();
    services.review(&staff, list.id, &review).await?;
    for who in [&staff, &clerk, &admin] {
        services.confirm_review(who, list.id).await?;
    }
    services.submit_disposal(&staff, list.id).await?;
    services.approve_disposal(&director, list.id).await?;
    services.disposal_sent(&clerk, list.id, "").await?;
    services.archives_answer(&clerk, list.id, &[]).await?;
    let workflow_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let done = services.destroy(&clerk, list.id).await?;
    let destroy_s = t.elapsed().as_secs_f64();
    let storage_after = dir_size(&dir.path().join("files"));
    Ok(RecordsReport {
        letters: count,
        import_s,
        files_s,
        survey_s,
        listed,
        workflow_s,
        destroy_s,
        destroyed: done.letters,
        files_removed: done.files_removed,
        bytes_freed: done.bytes_freed,
        storage_before,
        storage_after,
        packs_rewritten: done.packs_rewritten,
    })
}

impl RecordsReport {
    pub fn report(&self) -> String {
        let mb = |b: u64| b as f64 / 1_048_576.0;
        format!(
            "records: {} imported letters of 2560 (one file each, packed 1000 to a pack), SQLite\n\
             | step | seconds | rate | target |\n|---|---|---|---|\n\
             | import (whole file, one transaction) | {:.1} | {:.0} rows/s | – |\n\
             | files packed and attached | {:.1} | – | – |\n\
             | survey of 2566 ({} listed) | {:.2} | – | ≤ 2 s |\n\
             | committee, review of every item, confirmations, approval, sent, answer | {:.1} | – | – |\n\
             | destruction ({} letters) | {:.1} | {:.0} letters/s | ≥ 1000 letters/s |\n\
             files removed {} ({:.1} MB reported freed, {} packs rewritten); storage {:.1} MB before, {:.1} MB after ({:.1} MB less)",
            self.letters,
            self.import_s,
            self.letters as f64 / self.import_s.max(1e-9),
            self.files_s,
            self.listed,
            self.survey_s,
            self.workflow_s,
            self.destroyed,
            self.destroy_s,
            self.destroyed as f64 / self.destroy_s.max(1e-9),
            self.files_removed,
            mb(self.bytes_freed),
            self.packs_rewritten,
            mb(self.storage_before),
            mb(self.storage_after),
            mb(self.storage_before.saturating_sub(self.storage_after)),
        )
    }
}
