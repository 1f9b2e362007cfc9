//! `saraban bench ingest`: a private Dovecot filled with N generated Thai letters (~20 KB with a
//! PDF each), downloaded once by a plain IMAP client (the baseline) and once by saraban's
//! ingestion (fetch, parse, store raw and files, commit, flag), in the same run. The letters are
//! DKIM-signed by bench.test and come with the receiving server's `Received` line; with sender
//! checks on, saraban checks DKIM, SPF and DMARC of each against a private dnsmasq, on the
//! checks' own low-priority thread as `serve` does, and the bench also times until every verdict
//! is in.

use std::time::{Duration, Instant};

use base64::Engine;
use futures_util::StreamExt;

use super::{cpu_seconds, peak_rss_kb, reset_peak_rss};
use crate::config::Config;
use crate::mail::imap::{self, FetchLimits};
use crate::service::mailboxes::{MailboxInput, add_mailbox};
use saraban_lab::Dovecot;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("IMAP: {0}")]
    Imap(String),
    #[error("{0}")]
    Setup(String),
}

impl From<async_imap::error::Error> for BenchError {
    fn from(e: async_imap::error::Error) -> Self {
        BenchError::Imap(e.to_string())
    }
}

fn setup<E: std::fmt::Display>(e: E) -> BenchError {
    BenchError::Setup(e.to_string())
}

const USER: &str = "saraban@bench.test";
const PASSWORD: &str = "bench-password";

pub struct Figures {
    pub letters: usize,
    pub bytes: u64,
    pub download: Duration,
    pub download_peak_kb: u64,
    pub download_cpu: f64,
    pub download_dovecot_cpu: f64,
    pub ingest: Duration,
    pub ingest_peak_kb: u64,
    pub ingest_cpu: f64,
    pub ingest_dovecot_cpu: f64,
    pub entries: i64,
    /// Senders checked (DKIM, SPF, DMARC) while taking mail in.
    pub sender_checks: bool,
    /// Entries whose sender was verified.
    pub verified: i64,
    /// From the start of ingestion until every entry had its verdict, and saraban's CPU by then.
    pub all_checked: Option<(Duration, f64)>,
    /// CPU of the checks alone per letter (µs), timed on a sample after the run.
    pub check_cpu_us: Option<f64>,
    pub cores: usize,
}

impl Figures {
    pub fn report(&self) -> String {
        let mb = self.bytes as f64 / 1_048_576.0;
        let rate = |d: Duration| (self.letters as f64 / d.as_secs_f64(), mb / d.as_secs_f64());
        let (dl, dmb) = rate(self.download);
        let (il, imb) = rate(self.ingest);
        let per_letter = |cpu: f64| cpu * 1e6 / self.letters.max(1) as f64;
        // With every core busy and nothing waiting, ingestion could go no faster than this.
        let cpu_bound = self.cores as f64 * self.letters as f64
            / (self.ingest_cpu + self.ingest_dovecot_cpu).max(1e-9);
        format!(
            "saraban bench ingest: {} letters, {:.1} MB in the mailbox\n\
             \x20 plain IMAP download (UID FETCH BODY.PEEK[], 100 a batch, memory only): {:.2} s, {:.0} letters/s, {:.1} MB/s, peak RSS {} MB, client CPU {:.2} s\n\
             \x20 saraban ingestion (fetch, parse, store raw + files, commit, flag):      {:.2} s, {:.0} letters/s, {:.1} MB/s, peak RSS {} MB, saraban CPU {:.2} s\n\
             \x20 inbox entries created: {}; sender checks {} ({} verified: DKIM + SPF + DMARC against a private dnsmasq)\n\
             \x20 CPU per letter: download: Dovecot {:.0} µs, client {:.0} µs; ingestion: Dovecot {:.0} µs, saraban {:.0} µs\n\
             \x20 the CPU bound on {} cores (all busy, nothing waiting): {:.0} letters/s, {:.2}× the download\n\
             \x20 ingestion / download: {:.2}× (goal ≥ 0.70×){}{}",
            self.letters,
            mb,
            self.download.as_secs_f64(),
            dl,
            dmb,
            self.download_peak_kb / 1024,
            self.download_cpu,
            self.ingest.as_secs_f64(),
            il,
            imb,
            self.ingest_peak_kb / 1024,
            self.ingest_cpu,
            self.entries,
            if self.sender_checks { "on" } else { "off" },
            self.verified,
            per_letter(self.download_dovecot_cpu),
            per_letter(self.download_cpu),
            per_letter(self.ingest_dovecot_cpu),
            per_letter(self.ingest_cpu),
            self.cores,
            cpu_bound,
            cpu_bound / dl,
            il / dl,
            self.all_checked
                .map(|(d, cpu)| format!(
                    "\n  every sender checked {:.2} s after ingestion began ({:.0} letters/s), saraban CPU by then {:.2} s ({:.0} µs per letter)",
                    d.as_secs_f64(),
                    self.letters as f64 / d.as_secs_f64(),
                    cpu,
                    per_letter(cpu),
                ))
                .unwrap_or_default(),
            self.check_cpu_us
                .map(|us| format!(
                    "\n  the checks alone (DKIM + SPF + DMARC, warm DNS cache, one at a time): {us:.0} µs CPU per letter"
                ))
                .unwrap_or_default(),
        )
    }
}

/// A Thai letter of about `size` bytes, its PDF padded to fit.
pub fn letter(i: usize, size: usize) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let pad = size.saturating_sub(1500) * 3 / 4;
    let mut pdf = format!("%PDF-1.4\n% หนังสือราชการฉบับที่ {i}\n").into_bytes();
    pdf.extend(std::iter::repeat_n(b'0', pad));
    pdf.extend_from_slice(b"\n%%EOF\n");
    let pdf64 = b64.encode(&pdf);
    let wrapped: Vec<&str> = pdf64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect();
    let subject = format!(
        "ที่ ศธ 04183.{:03}/{} ลงวันที่ 2 พฤษภาคม 2566 เรื่อง ขอส่งรายงานผลการดำเนินงาน ฉบับที่ {i}",
        i % 200,
        100 + i
    );
    format!(
        "From: =?utf-8?B?{from}?= <school{n}@bench.test>\r\nTo: {USER}\r\nSubject: =?utf-8?B?{subject}?=\r\nDate: Tue, 2 May 2023 09:15:00 +0700\r\nMessage-ID: <bench-{i}@bench.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B{i}\"\r\n\r\n--B{i}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n--B{i}\r\nContent-Type: application/pdf; name=\"report-{i}.pdf\"\r\nContent-Disposition: attachment; filename=\"report-{i}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--B{i}--\r\n",
        from = b64.encode(format!("โรงเรียนทดสอบ {}", i % 200)),
        n = i % 200,
        subject = b64.encode(subject),
        body = b64.encode("เรียน ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา\nขอส่งรายงานตามที่แนบมาพร้อมนี้"),
        pdf = wrapped.join("\r\n"),
    )
    .into_bytes()
}

/// The letter as bench.test's server signs it and the receiving server records it.
fn signed(key: &[u8], raw: Vec<u8>) -> Result<Vec<u8>, BenchError> {
    use mail_auth::common::crypto::Ed25519Key;
    use mail_auth::common::headers::HeaderWriter;
    let signature =
        mail_auth::dkim::DkimSigner::from_key(Ed25519Key::from_pkcs8_der(key).map_err(setup)?)
            .domain("bench.test")
            .selector("bench")
            .headers(["From", "To", "Subject", "Date", "Message-ID"])
            .sign(&raw)
            .map_err(setup)?;
    let mut out = b"Return-Path: <school@bench.test>\r\nReceived: from mail.bench.test (mail.bench.test [127.0.0.1])\r\n\tby mx.office.test (Postfix) with ESMTPS id B1\r\n".to_vec();
    out.extend_from_slice(signature.to_header().as_bytes());
    out.extend_from_slice(&raw);
    Ok(out)
}

pub async fn run(count: usize, size_kb: usize, sender_checks: bool) -> Result<Figures, BenchError> {
    use mail_auth::common::crypto::Ed25519Key;
    let key = Ed25519Key::generate_pkcs8().map_err(setup)?;
    let public = base64::engine::general_purpose::STANDARD.encode(
        Ed25519Key::from_pkcs8_der(&key)
            .map_err(setup)?
            .public_key(),
    );
    let dkim = format!("v=DKIM1; k=ed25519; p={public}");
    // An hour's TTL, as real zones publish: the resolver's cache answers after the first letter.
    let dns = saraban_lab::dns::Dns::start_cached(
        &[
            ("bench._domainkey.bench.test", dkim.as_str()),
            ("bench.test", "v=spf1 ip4:127.0.0.1 -all"),
            ("_dmarc.bench.test", "v=DMARC1; p=quarantine"),
        ],
        3600,
    );
    let dovecot = Dovecot::start(&[(USER, PASSWORD)]).await;
    let size = size_kb.max(2) * 1024;
    let mut letters = Vec::with_capacity(count);
    for i in 0..count {
        letters.push(signed(&key, letter(i, size))?);
    }
    // A sample kept to time the checks alone, after the run.
    let sample: Vec<Vec<u8>> = letters.iter().take(1000).cloned().collect();
    dovecot.fill_maildir(USER, letters.into_iter());
    // Let Dovecot index the new Maildir once, outside both timings.
    {
        let mut s = dovecot.session(USER).await;
        s.select("INBOX").await?;
        s.logout().await?;
    }

    reset_peak_rss();
    let dovecot_before = dovecot.cpu_seconds().await;
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut bytes = 0u64;
    {
        let mut s = dovecot.session(USER).await;
        let selected = s.select("INBOX").await?;
        let total = selected.exists as usize;
        let mut from = 1;
        while from <= total {
            let to = (from + 99).min(total);
            let mut stream = s.fetch(format!("{from}:{to}"), "BODY.PEEK[]").await?;
            while let Some(item) = stream.next().await {
                bytes += item?.body().map(|b| b.len() as u64).unwrap_or(0);
            }
            from = to + 1;
        }
        s.logout().await?;
    }
    let download = started.elapsed();
    let download_cpu = cpu_seconds() - cpu_before;
    let download_dovecot_cpu = dovecot.cpu_seconds().await - dovecot_before;
    let download_peak_kb = peak_rss_kb();

    let dir = tempfile::tempdir().map_err(setup)?;
    let mut config = Config::default();
    config.database.url = format!("sqlite://{}/bench.db", dir.path().display());
    config.storage.root = dir.path().join("files");
    config.sender_auth.verify = sender_checks;
    config.sender_auth.name_servers = vec![dns.addr()];
    let bench = super::bench_office(
        &config,
        ("bench", "สำนักงานทดสอบความเร็ว", "ศธ 04183", "district"),
        &[("bench-clerk", "clerk")],
    )
    .await
    .map_err(setup)?;
    let (store, services) = (bench.store, bench.services);
    let mailbox = add_mailbox(
        &store,
        "bench",
        &MailboxInput {
            host: "127.0.0.1".into(),
            port: dovecot.imap_port.to_string(),
            security: "none".into(),
            username: USER.into(),
            password: PASSWORD.into(),
            ..Default::default()
        },
    )
    .await
    .map_err(setup)?;
    let limits = FetchLimits {
        command: Duration::from_secs(120),
        max_message_bytes: config.mail.max_message_mb * 1024 * 1024,
        stream_above_bytes: 8 * 1024 * 1024,
    };
    reset_peak_rss();
    let dovecot_before = dovecot.cpu_seconds().await;
    let cpu_before = cpu_seconds();
    let (stop_checks, stop_rx) = tokio::sync::watch::channel(false);
    let checks = if sender_checks {
        Some(crate::sender_auth::spawn_checks(services.clone(), stop_rx).map_err(setup)?)
    } else {
        None
    };
    let started = Instant::now();
    imap::poll_once(&services, &mailbox, limits)
        .await
        .map_err(setup)?;
    let ingest = started.elapsed();
    let ingest_cpu = cpu_seconds() - cpu_before;
    let ingest_dovecot_cpu = dovecot.cpu_seconds().await - dovecot_before;
    let ingest_peak_kb = peak_rss_kb();
    let (entries, _) = store.inbox_counts("bench").await.map_err(setup)?;
    let all_checked = match checks {
        Some(thread) => {
            let deadline = Instant::now() + Duration::from_secs(600);
            loop {
                let checked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sender_checks")
                    .fetch_one(store.pool())
                    .await
                    .map_err(setup)?;
                if checked >= entries {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(setup(format!("{checked} of {entries} senders checked")));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let done = (started.elapsed(), cpu_seconds() - cpu_before);
            let _ = stop_checks.send(true);
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            Some(done)
        }
        None => None,
    };
    let verified: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sender_checks WHERE verdict = 'verified'")
            .fetch_one(store.pool())
            .await
            .map_err(setup)?;
    store.close().await;
    // The checks alone, one letter after another with a warm DNS cache: how much of the cost is
    // the verification itself (signature, body hash, SPF, DMARC) rather than reading the mail
    // back and storing the verdict.
    let check_cpu_us = if sender_checks && !sample.is_empty() {
        let checker = crate::sender_auth::SenderChecker::new(&config.sender_auth).map_err(setup)?;
        checker.check(&sample[0]).await;
        let before = cpu_seconds();
        for raw in &sample {
            checker.check(raw).await;
        }
        Some((cpu_seconds() - before) * 1e6 / sample.len() as f64)
    } else {
        None
    };
    Ok(Figures {
        check_cpu_us,
        letters: count,
        bytes,
        download,
        download_peak_kb,
        download_cpu,
        download_dovecot_cpu,
        ingest,
        ingest_peak_kb,
        ingest_cpu,
        ingest_dovecot_cpu,
        entries,
        sender_checks,
        verified,
        all_checked,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}
