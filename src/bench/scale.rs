//! `saraban bench scale`: one and two `serve` processes (this very binary) on one private
//! PostgreSQL and one SeaweedFS, side by side in one run: registrations per second through the
//! API, letters per second taken in from IMAP mailboxes, and what the S3 object store costs
//! against files on disk for ingestion and for downloading a file.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::StreamExt;
use saraban_lab::Dovecot;
use saraban_lab::postgres::Postgres;
use saraban_lab::s3::SeaweedS3;

const PASSWORD: &str = "bench-mailbox-pw";
const MAILBOXES: usize = 4;

pub struct ScaleReport {
    pub registrations: usize,
    pub letters: usize,
    pub cores: usize,
    /// (processes, registrations per second)
    pub register: Vec<(usize, f64)>,
    /// (label, letters per second)
    pub ingest: Vec<(&'static str, f64)>,
    /// (label, ms per 100 KB file downloaded, p50)
    pub download: Vec<(&'static str, f64)>,
    /// (label, CPU µs per letter taken in, by program), for each ingestion run.
    pub ingest_cpu: Vec<(&'static str, Vec<(String, f64)>)>,
}

impl ScaleReport {
    pub fn report(&self) -> String {
        let mut out = format!(
            "saraban bench scale: {} registrations, {} letters per ingestion run, {} cores\n",
            self.registrations, self.letters, self.cores
        );
        for (n, rate) in &self.register {
            out.push_str(&format!(
                "  registrations, {n} process(es), s3:           {rate:>8.0} /s\n"
            ));
        }
        if let [(1, one), (2, two)] = self.register.as_slice() {
            out.push_str(&format!(
                "  two processes / one (registrations): {:.2}× (target ≥ 1.7× where cores allow)\n",
                two / one
            ));
        }
        for (label, rate) in &self.ingest {
            out.push_str(&format!("  ingestion, {label:<32} {rate:>8.0} letters/s\n"));
        }
        let rate = |l: &str| self.ingest.iter().find(|(x, _)| *x == l).map(|(_, r)| *r);
        if let (Some(fs), Some(s3), Some(two)) = (
            rate("1 process, fs"),
            rate("1 process, s3"),
            rate("2 processes, s3"),
        ) {
            out.push_str(&format!(
                "  s3 / fs (ingestion): {:.2}× (target ≥ 0.5×); two processes / one: {:.2}×\n",
                s3 / fs,
                two / s3
            ));
        }
        for (label, programs) in &self.ingest_cpu {
            let parts: Vec<String> = programs
                .iter()
                .map(|(program, us)| format!("{program} {us:.0}"))
                .collect();
            out.push_str(&format!(
                "  CPU per letter, {label:<19} µs: {}\n",
                parts.join(", ")
            ));
        }
        for (label, ms) in &self.download {
            out.push_str(&format!(
                "  download of a file, {label:<23} {ms:>8.2} ms p50\n"
            ));
        }
        out
    }
}

struct Serve {
    child: Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Deployment<'a> {
    exe: std::path::PathBuf,
    url: String,
    s3: &'a SeaweedS3,
    dir: tempfile::TempDir,
}

impl Deployment<'_> {
    fn command(&self, args: &[&str], backend: &str, folder: &str) -> Command {
        let root = self.dir.path().join(folder);
        let mut c = Command::new(&self.exe);
        c.args(args)
            .current_dir(self.dir.path())
            .env("SARABAN__DATABASE__URL", &self.url)
            .env("SARABAN__STORAGE__BACKEND", backend)
            .env("SARABAN__STORAGE__ROOT", root.join("files"))
            .envs(self.s3.saraban_env("bench-scale"))
            .env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__MAIL__SCAN_SECS", "1")
            .env("SARABAN__MAIL__DROP_DIR", "")
            .env("SARABAN__SMTP__SEND", "false")
            .env("SARABAN__TEXT__EXTRACT", "false")
            .env("SARABAN__SENDER_AUTH__VERIFY", "false")
            .env("SARABAN_LOG", "error");
        c
    }

    fn run(&self, args: &[&str], input: &str) -> anyhow::Result<String> {
        let mut child = self
            .command(args, "fs", "cli")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes())?;
        }
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn serve(&self, backend: &str, folder: &str) -> anyhow::Result<Serve> {
        let mut child = self
            .command(&["serve"], backend, folder)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("serve's output")?).read_line(&mut line)?;
        let base = line
            .split("http://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .map(|a| format!("http://{a}"))
            .with_context(|| format!("serve said: {line}"))?;
        Ok(Serve { child, base })
    }
}

async fn count(store: &crate::store::Store, sql: &'static str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .map(|r| r.get::<i64, _>("n"))
        .unwrap_or(0)
}

pub async fn run(registrations: usize, letters: usize) -> anyhow::Result<ScaleReport> {
    let pg = Postgres::start();
    let s3 = SeaweedS3::start();
    let runs = ["1 process, fs", "1 process, s3", "2 processes, s3"];
    let users: Vec<String> = (0..MAILBOXES * runs.len())
        .map(|i| format!("bench{i}@example.test"))
        .collect();
    let logins: Vec<(&str, &str)> = users.iter().map(|u| (u.as_str(), PASSWORD)).collect();
    let dovecot = Dovecot::start(&logins).await;
    let per_box = letters.div_ceil(MAILBOXES);
    for (i, user) in users.iter().enumerate() {
        let mail: Vec<Vec<u8>> = (0..per_box)
            .map(|n| super::ingest::letter(i * per_box + n, 100 * 1024))
            .collect();
        dovecot.append(user, "INBOX", &mail).await;
    }
    let d = Deployment {
        exe: std::env::current_exe()?,
        url: pg.url("postgres"),
        s3: &s3,
        dir: tempfile::tempdir()?,
    };
    d.run(
        &[
            "office",
            "add",
            "--id",
            "bench",
            "--name",
            "สพป.ทดสอบ",
            "--prefix",
            "ศธ 04183",
            "--kind",
            "district",
        ],
        "",
    )?;
    d.run(
        &[
            "user",
            "add",
            "--office",
            "bench",
            "--username",
            "clerk",
            "--role",
            "clerk",
            "--password-stdin",
        ],
        "รหัสผ่านยาวพอ\n",
    )?;
    let token = d
        .run(&["token", "create", "--user", "clerk"], "")?
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();
    let auth = format!("Bearer {token}");
    let store = crate::store::Store::connect(&d.url, 2).await?;
    let http = reqwest::Client::new();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    // Registrations through the API, 16 at a time, spread over the processes.
    let mut register = Vec::new();
    for processes in [1usize, 2] {
        let serves: Vec<Serve> = (0..processes)
            .map(|i| d.serve("s3", &format!("reg{processes}-{i}")))
            .collect::<anyhow::Result<_>>()?;
        let started = Instant::now();
        let done: Vec<bool> = futures_util::stream::iter(0..registrations)
            .map(|i| {
                let base = serves[i % serves.len()].base.clone();
                let (http, auth) = (http.clone(), auth.clone());
                async move {
                    let form = reqwest::multipart::Form::new()
                        .text("register", "outbound")
                        .text("to", "โรงเรียน")
                        .text("subject", format!("หนังสือทดสอบความเร็ว {i}"));
                    http.post(format!("{base}/api/v1/letters"))
                        .header("Authorization", auth)
                        .multipart(form)
                        .send()
                        .await
                        .is_ok_and(|r| r.status().as_u16() == 201)
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        let elapsed = started.elapsed().as_secs_f64();
        if done.iter().any(|ok| !ok) {
            bail!("a registration failed");
        }
        register.push((processes, registrations as f64 / elapsed));
    }

    // Ingestion: each run has mailboxes of its own.
    let port = dovecot.imap_port.to_string();
    let mut ingest = Vec::new();
    let mut download = Vec::new();
    let mut ingest_cpu = Vec::new();
    for (run, label) in runs.iter().enumerate() {
        let before = count(&store, "SELECT COUNT(*) AS n FROM inbox_entries").await;
        let (backend, processes) = match run {
            0 => ("fs", 1),
            1 => ("s3", 1),
            _ => ("s3", 2),
        };
        let serves: Vec<Serve> = (0..processes)
            .map(|i| d.serve(backend, &format!("in{run}-{i}")))
            .collect::<anyhow::Result<_>>()?;
        // The processes are up; the clock starts when their mailboxes are added.
        let cpu_before = cpu_ticks_by_program();
        let started = Instant::now();
        for user in &users[run * MAILBOXES..(run + 1) * MAILBOXES] {
            d.run(
                &[
                    "mailbox",
                    "add",
                    "--office",
                    "bench",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port,
                    "--security",
                    "none",
                    "--username",
                    user,
                    "--password-stdin",
                    "--poll-secs",
                    "1",
                ],
                PASSWORD,
            )?;
        }
        let want = before + (per_box * MAILBOXES) as i64;
        let deadline = Instant::now() + Duration::from_secs(600);
        while count(&store, "SELECT COUNT(*) AS n FROM inbox_entries").await < want {
            if Instant::now() > deadline {
                bail!("{label}: letters not taken in within 10 minutes");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        ingest.push((
            *label,
            (per_box * MAILBOXES) as f64 / started.elapsed().as_secs_f64(),
        ));
        ingest_cpu.push((
            *label,
            cpu_per_letter(&cpu_before, &cpu_ticks_by_program(), per_box * MAILBOXES),
        ));
        if processes == 1 {
            download.push((
                if backend == "fs" { "fs" } else { "s3" },
                download_p50(&store, &http, &auth, &serves[0].base, before).await?,
            ));
        }
    }
    store.close().await;
    Ok(ScaleReport {
        registrations,
        letters: per_box * MAILBOXES,
        cores,
        register,
        ingest,
        download,
        ingest_cpu,
    })
}

/// The programs whose CPU time an ingestion run shows: saraban itself and the servers it uses.
const PROGRAMS: [&str; 4] = ["saraban", "weed", "postgres", "imap"];

/// CPU time (user + system, in clock ticks) of the running processes of each of [`PROGRAMS`]
/// (empty where there is no /proc).
fn cpu_ticks_by_program() -> std::collections::HashMap<(String, u32), u64> {
    saraban_lab::procs::all()
        .into_iter()
        .filter_map(|p| {
            let program = PROGRAMS.iter().find(|name| p.comm.starts_with(**name))?;
            Some(((program.to_string(), p.pid), p.cpu_ticks))
        })
        .collect()
}

/// CPU µs per letter of each program between two readings (processes that started in between
/// count from zero; those that ended are not seen).
fn cpu_per_letter(
    before: &std::collections::HashMap<(String, u32), u64>,
    after: &std::collections::HashMap<(String, u32), u64>,
    letters: usize,
) -> Vec<(String, f64)> {
    let per_second = saraban_lab::procs::ticks_per_second() as f64;
    PROGRAMS
        .iter()
        .map(|program| {
            let used: u64 = after
                .iter()
                .filter(|((p, _), _)| p == program)
                .map(|(key, t)| t.saturating_sub(before.get(key).copied().unwrap_or(0)))
                .sum();
            (
                program.to_string(),
                used as f64 / per_second * 1e6 / letters.max(1) as f64,
            )
        })
        .collect()
}

/// p50 of downloading the first file of 100 entries taken in after `after` entries.
async fn download_p50(
    store: &crate::store::Store,
    http: &reqwest::Client,
    auth: &str,
    base: &str,
    after: i64,
) -> anyhow::Result<f64> {
    use sqlx::Row;
    let ids: Vec<i64> = sqlx::query("SELECT id FROM inbox_entries ORDER BY id LIMIT 100 OFFSET $1")
        .bind(after)
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| r.get::<i64, _>("id"))
        .collect();
    let mut times = Vec::new();
    for id in ids {
        let started = Instant::now();
        let res = http
            .get(format!("{base}/api/v1/inbox/{id}/attachments/1"))
            .header("Authorization", auth)
            .send()
            .await?;
        if res.status().as_u16() != 200 {
            bail!("download of entry {id}: HTTP {}", res.status());
        }
        res.bytes().await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times.get(times.len() / 2).copied().unwrap_or(0.0))
}
