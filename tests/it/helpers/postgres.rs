//! A throwaway PostgreSQL for the tests: `TEST_DATABASE_URL` when given, otherwise a private
//! cluster from Debian's binaries in a temporary directory, on a port the kernel picks, started
//! once per test run and stopped by a watchdog when the test process ends.

use std::process::{Command, Stdio};
use std::sync::OnceLock;

use saraban_lab::postgres::{as_pg_user, init_and_start, pg_bin};
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

// The watchdog must outlive this process to clean up after it, so it is never waited for.
#[allow(clippy::zombie_processes)]
fn start_private_cluster() -> String {
    let bin = pg_bin();
    let dir = std::env::temp_dir().join(format!("saraban-pg-{}", hex_id()));
    let data = dir.join("data");
    let port = init_and_start(&dir, "-c max_connections=200");
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
