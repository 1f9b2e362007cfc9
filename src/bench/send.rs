//! `saraban bench send`: N registered outbound letters with a file of M MB each, sent by saraban's
//! outbox (claim, build once and store the message, SMTP, record) to a private Postfix, beside a
//! plain SMTP client sending the very same bytes to the same Postfix in the same run.

use std::time::{Duration, Instant};

use bytes::Bytes;
use lettre::address::Envelope;
use lettre::transport::smtp::client::Tls;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::ingest::BenchError;
use super::{peak_rss_kb, reset_peak_rss};
use crate::config::Config;
use crate::domain::letter::LetterInput;
use crate::domain::register::Register;
use crate::service::UploadedFile;
use crate::service::sending::RecipientInput;
use crate::store::mailboxes::Security;
use crate::store::smtp::SmtpAccount;
use saraban_lab::{Dovecot, Postfix};

const TO: &str = "central@example.test";
const FROM: &str = "school@example.test";

fn setup<E: std::fmt::Display>(e: E) -> BenchError {
    BenchError::Setup(e.to_string())
}

pub struct Figures {
    pub letters: usize,
    pub bytes: u64,
    pub concurrency: usize,
    pub saraban: Duration,
    pub plain: Duration,
    /// Peak resident memory while the outbox sent (the plain client holds every message in
    /// memory, so its figure says nothing about saraban).
    pub outbox_peak_rss_kb: u64,
}

impl Figures {
    pub fn report(&self) -> String {
        let mb = self.bytes as f64 / 1_048_576.0;
        let rate = |d: Duration| (self.letters as f64 / d.as_secs_f64(), mb / d.as_secs_f64());
        let (sl, smb) = rate(self.saraban);
        let (pl, pmb) = rate(self.plain);
        format!(
            "saraban bench send: {} letters, {:.1} MB of messages, {} connections at a time, to a private Postfix\n\
             \x20 saraban outbox (claim, build + store once, SMTP, record): {:.1} s, {:.1} letters/s, {:.1} MB/s\n\
             \x20 plain SMTP client (lettre, the same bytes):             {:.1} s, {:.1} letters/s, {:.1} MB/s\n\
             \x20 outbox / plain: {:.2}×; peak RSS while the outbox sent {} MB",
            self.letters,
            mb,
            self.concurrency,
            self.saraban.as_secs_f64(),
            sl,
            smb,
            self.plain.as_secs_f64(),
            pl,
            pmb,
            sl / pl,
            self.outbox_peak_rss_kb / 1024,
        )
    }
}

/// A PDF of about `size` bytes, different for each letter.
fn pdf(i: usize, size: usize) -> Bytes {
    let mut data = format!("%PDF-1.4\n% รายงานฉบับที่ {i}\n").into_bytes();
    let line = format!("% line of letter {i} ....................................\n");
    while data.len() + line.len() + 7 < size {
        data.extend_from_slice(line.as_bytes());
    }
    data.extend_from_slice(b"%%EOF\n");
    Bytes::from(data)
}

pub async fn run(count: usize, file_mb: f64, concurrency: usize) -> Result<Figures, BenchError> {
    let dovecot = Dovecot::start(&[(TO, "bench-password")]).await;
    let postfix = Postfix::start_with(&dovecot, &[TO], None, true).await;

    let dir = tempfile::tempdir().map_err(setup)?;
    let mut config = Config::default();
    config.database.url = format!("sqlite://{}/bench.db", dir.path().display());
    config.storage.root = dir.path().join("files");
    config.smtp.concurrency = concurrency.max(1);
    let bench = super::bench_office(
        &config,
        ("school", "โรงเรียนทดสอบความเร็ว", "ศธ 04183.006", "school"),
        &[("bench-clerk", "clerk")],
    )
    .await
    .map_err(setup)?;
    let (store, services) = (bench.store, bench.services);
    let actor = bench
        .officers
        .into_iter()
        .next()
        .ok_or_else(|| setup("no clerk"))?;
    services
        .set_smtp_account(SmtpAccount {
            office_id: "school".into(),
            host: "127.0.0.1".into(),
            port: postfix.smtp_port,
            security: Security::None,
            ca_file: None,
            username: None,
            password: None,
            from_addr: FROM.into(),
        })
        .await
        .map_err(setup)?;

    // Register and queue the letters (not timed).
    let size = (file_mb * 1_048_576.0) as usize;
    for i in 0..count {
        let input = LetterInput {
            to: "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา".into(),
            subject: format!("ขอส่งรายงานผลการดำเนินงาน ฉบับที่ {i}"),
            ..Default::default()
        };
        let letter = services
            .register_letter(
                &actor,
                Register::Outbound,
                &input,
                vec![UploadedFile {
                    name: format!("รายงานฉบับที่ {i}.pdf"),
                    description: "รายงาน".into(),
                    data: pdf(i, size),
                }],
                &[],
            )
            .await
            .map_err(setup)?;
        services
            .send_letter(
                &actor,
                letter.id,
                &[RecipientInput {
                    email: Some(TO.into()),
                    ..Default::default()
                }],
                "bench",
            )
            .await
            .map_err(setup)?;
    }

    // saraban's outbox, as the serve worker runs it.
    let worker = crate::mail::outbox::Worker::new(
        services.clone(),
        config.smtp.clone(),
        "bench".to_string(),
    );
    reset_peak_rss();
    let started = Instant::now();
    loop {
        let n = worker
            .round((config.smtp.concurrency * 4) as i64)
            .await
            .map_err(setup)?;
        if n == 0 {
            break;
        }
    }
    let saraban = started.elapsed();
    let outbox_peak_rss_kb = peak_rss_kb();
    let counts = store.outbox_counts().await.map_err(setup)?;
    if counts != vec![("sent".to_string(), count as i64)] {
        return Err(BenchError::Setup(format!("not all sent: {counts:?}")));
    }

    // The same bytes, by a plain client.
    let mut messages = Vec::with_capacity(count);
    let mut bytes = 0u64;
    for letter_id in 1..=count as i64 {
        for d in store.deliveries(letter_id).await.map_err(setup)? {
            if let Some(sha) = &d.raw_sha256 {
                let raw = services.files.get(sha).await.map_err(setup)?;
                bytes += raw.len() as u64;
                messages.push(raw);
            }
        }
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(postfix.smtp_port)
        .tls(Tls::None)
        .build();
    let envelope = Envelope::new(
        Some(FROM.parse().map_err(setup)?),
        vec![TO.parse().map_err(setup)?],
    )
    .map_err(setup)?;
    let started = Instant::now();
    {
        use futures_util::StreamExt;
        let results: Vec<_> = futures_util::stream::iter(messages.iter())
            .map(|m| transport.send_raw(&envelope, m))
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        if let Some(Err(e)) = results.into_iter().find(|r| r.is_err()) {
            return Err(BenchError::Setup(format!("plain client: {e}")));
        }
    }
    let plain = started.elapsed();
    store.close().await;
    drop(postfix);
    Ok(Figures {
        letters: count,
        bytes,
        concurrency: concurrency.max(1),
        saraban,
        plain,
        outbox_peak_rss_kb,
    })
}
