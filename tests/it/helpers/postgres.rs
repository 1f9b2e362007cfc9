//! A throwaway PostgreSQL for the tests: `TEST_DATABASE_URL` when given, otherwise a private
//! cluster from Debian's binaries in a temporary directory, on a port the kernel picks, started
//! once per test run and stopped by a watchdog when the test process ends.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

static SERVER: OnceLock<String> = OnceLock::new();

/// The admin URL (ending in `/postgres`) of the server the tests use.
fn server_url() -> &'static str {
    SERVER.get_or_init(|| match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => start_private_cluster(),
    })
}

/// A new, empty database on the test server.
pub async fn fresh_database() -> String {
    let admin = server_url().to_string();
    sqlx::any::install_default_drivers();
    let name = format!("saraban_test_{}", hex_id());
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin)
        .await
        .expect("connect to the test PostgreSQL");
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create test database");
    pool.close().await;
    let (base, _) = admin.rsplit_once('/').expect("database url has a path");
    format!("{base}/{name}")
}

fn hex_id() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random");
    hex::encode(b)
}

fn pg_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries in /usr/lib/postgresql (apt-get install postgresql)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .expect("an initdb under /usr/lib/postgresql/*/bin")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// initdb and postgres refuse to run as root: run them as the `postgres` user when we are root.
fn as_pg_user(program: &Path) -> Command {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

// The watchdog must outlive this process to clean up after it, so it is never waited for.
#[allow(clippy::zombie_processes)]
fn start_private_cluster() -> String {
    let bin = pg_bin();
    let dir = std::env::temp_dir().join(format!("saraban-pg-{}", hex_id()));
    std::fs::create_dir_all(&dir).expect("pg dir");
    let data = dir.join("data");
    // The postgres user must be able to reach and own its directory.
    let _ = Command::new("chmod").arg("0755").arg(&dir).status();
    let _ = Command::new("chown")
        .arg("postgres:postgres")
        .arg(&dir)
        .status();
    let init = as_pg_user(&bin.join("initdb"))
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "-N",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run initdb");
    assert!(
        init.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    // A port picked free may be taken before PostgreSQL binds it: pick again a few times.
    let log = dir.join("postgres.log");
    let mut port = 0;
    for _ in 0..5 {
        let candidate = free_port();
        let started = as_pg_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .arg("-w")
            .arg("-o")
            .arg(format!(
                "-p {candidate} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                dir.display()
            ))
            .arg("start")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run pg_ctl");
        if started.success() {
            port = candidate;
            break;
        }
    }
    assert!(port != 0, "PostgreSQL did not start; see {}", log.display());
    // A watchdog stops the cluster once this test process is gone (a test run has no hook at
    // exit). It runs as we do, so that it may watch our process; it stops PostgreSQL as its user.
    let pg_ctl = as_pg_user(&bin.join("pg_ctl"));
    let pg_ctl = std::iter::once(pg_ctl.get_program())
        .chain(pg_ctl.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {pg_ctl} -D {data} stop -m immediate >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        data = data.display(),
        dir = dir.display(),
    );
    Command::new("/bin/sh")
        .arg("-c")
        .arg(watchdog)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the PostgreSQL watchdog");
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}
