//! A private PostgreSQL from Debian's binaries, on a free loopback port: [`init_and_start`] for
//! the tests' cluster (kept for the whole test run), [`Postgres`] for a benchmark's (stopped and
//! removed when dropped).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The newest `bin` directory under /usr/lib/postgresql.
pub fn pg_bin() -> PathBuf {
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

/// initdb and postgres refuse to run as root: run them as the `postgres` user when we are root.
pub fn as_pg_user(program: &Path) -> Command {
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

/// Creates a cluster in `dir/data` (trust authentication, UTF-8, C.UTF-8) and starts it on
/// 127.0.0.1 with no durability (a test's or a benchmark's) and `settings` (more `-c` options);
/// returns its port. Panics when PostgreSQL cannot be set up.
pub fn init_and_start(dir: &Path, settings: &str) -> u16 {
    let bin = pg_bin();
    std::fs::create_dir_all(dir).expect("pg dir");
    // The postgres user must be able to reach and own its directory.
    let _ = Command::new("chmod").arg("0755").arg(dir).status();
    let _ = Command::new("chown")
        .arg("postgres:postgres")
        .arg(dir)
        .status();
    let data = dir.join("data");
    let init = as_pg_user(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--encoding=UTF8"])
        .args(["--locale=C.UTF-8", "-N"])
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
    for _ in 0..5 {
        let port = crate::free_port();
        let started = as_pg_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .arg("-w")
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off {settings}",
                dir.display()
            ))
            .arg("start")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run pg_ctl");
        if started.success() {
            return port;
        }
    }
    panic!("PostgreSQL did not start; see {}", log.display());
}

/// A benchmark's cluster, stopped and removed when dropped.
pub struct Postgres {
    dir: PathBuf,
    pub port: u16,
}

impl Postgres {
    pub fn start() -> Postgres {
        let dir = std::env::temp_dir().join(format!("saraban-bench-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let port = init_and_start(&dir, "-c shared_buffers=256MB");
        Postgres { dir, port }
    }

    /// The URL of `database` on this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_pg_user(&pg_bin().join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["stop", "-m", "immediate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
