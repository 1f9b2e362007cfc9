//! saraban-lab: a private Dovecot (IMAP + IMAPS + LMTP) and a private Postfix on loopback ports, with their
//! config, queues, mail and TLS certificates in a temporary directory. The benchmarks and the test
//! suite start and stop them themselves; they need Debian's `dovecot-imapd`, `dovecot-lmtpd`,
//! `postfix` (run as root) and `openssl`; nothing under /etc is touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use async_imap::Client;
use futures_util::StreamExt;
use tempfile::TempDir;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

pub mod dns;
mod postfix;
pub mod postgres;
pub mod procs;
pub mod s3;
pub use postfix::Postfix;

/// A running private Dovecot; stopped when dropped. Its functions panic on failure: it is a test and
/// benchmark fixture, never part of serving.
pub struct Dovecot {
    pub dir: TempDir,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub users: Vec<(String, String)>,
}

/// A loopback TCP port free at the time of asking.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub(crate) fn run(cmd: &mut Command, what: &str) {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Dovecot {
    /// Starts Dovecot with these `user@domain` / password pairs.
    pub async fn start(users: &[(&str, &str)]) -> Dovecot {
        // Unix socket paths under the lab must stay short: keep the directory in /tmp.
        let dir = tempfile::Builder::new()
            .prefix("sl")
            .tempdir_in("/tmp")
            .expect("lab dir");
        let lab = dir.path();
        for sub in ["etc", "run", "state", "log", "mail", "tls"] {
            std::fs::create_dir_all(lab.join(sub)).unwrap();
        }
        let root = is_root();
        run(Command::new("chmod").arg("0755").arg(lab), "chmod lab");
        let (mail_user, login_user, internal_user) = if root {
            (
                "nobody".to_string(),
                "dovenull".to_string(),
                "dovecot".to_string(),
            )
        } else {
            let me = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
                .unwrap()
                .trim()
                .to_string();
            (me.clone(), me.clone(), me)
        };
        let uid = id_of(&mail_user, "-u");
        let gid = id_of(&mail_user, "-g");
        run(
            Command::new("chown")
                .arg(format!("{uid}:{gid}"))
                .arg(lab.join("mail")),
            "chown mail",
        );
        let passwd: String = users
            .iter()
            .map(|(u, p)| format!("{u}:{{PLAIN}}{p}::::::\n"))
            .collect();
        std::fs::write(lab.join("etc/users"), passwd).unwrap();
        make_certificates(&lab.join("tls"));
        let extra = if root {
            String::new()
        } else {
            format!(
                "default_internal_group = {}",
                String::from_utf8(Command::new("id").arg("-gn").output().unwrap().stdout)
                    .unwrap()
                    .trim()
            )
        };
        let l = lab.display();
        let name = lab.file_name().unwrap().to_string_lossy().into_owned();
        let make_conf = |imap_port: u16, imaps_port: u16| {
            format!(
                r#"instance_name = saraban-test-{name}
base_dir = {l}/run/dovecot
state_dir = {l}/state/dovecot
protocols = imap lmtp
listen = 127.0.0.1
log_path = {l}/log/dovecot.log
default_login_user = {login_user}
default_internal_user = {internal_user}
{extra}
first_valid_uid = 1
ssl = yes
ssl_cert = <{l}/tls/server.pem
ssl_key = <{l}/tls/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {l}/etc/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%Lu {l}/etc/users
  default_fields = uid={uid} gid={gid} home={l}/mail/%Ld/%Ln
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service lmtp {{
  unix_listener lmtp {{
    mode = 0666
  }}
}}
service auth {{
  unix_listener auth-postfix {{
    mode = 0666
  }}
}}
protocol lmtp {{
  postmaster_address = postmaster@example.test
}}
protocol imap {{
  mail_max_userip_connections = 100
}}
"#
            )
        };
        // The ports are free when picked but another process may take one before Dovecot binds
        // it: pick again and retry a few times.
        let mut ports = None;
        for _ in 0..5 {
            let (imap_port, imaps_port) = (free_port(), free_port());
            std::fs::write(
                lab.join("etc/dovecot.conf"),
                make_conf(imap_port, imaps_port),
            )
            .unwrap();
            if try_launch(lab, imap_port).await {
                ports = Some((imap_port, imaps_port));
                break;
            }
        }
        let (imap_port, imaps_port) = ports
            .unwrap_or_else(|| panic!("dovecot did not start; see {}", lab.join("log").display()));
        Dovecot {
            dir,
            imap_port,
            imaps_port,
            users: users
                .iter()
                .map(|(u, p)| (u.to_string(), p.to_string()))
                .collect(),
        }
    }

    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("tls/ca.pem")
    }

    async fn launch(&self) {
        assert!(
            try_launch(self.dir.path(), self.imap_port).await,
            "dovecot did not start again; see {}",
            self.dir.path().join("log").display()
        );
    }

    fn master_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.path().join("run/dovecot/master.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// CPU time Dovecot has used so far, in seconds, once every IMAP session has ended: its
    /// master with every process it has reaped, and the processes still running under it. A
    /// session's `imap` process is waited for because, between its exit and its parent's
    /// `wait`, its time is counted nowhere.
    pub async fn cpu_seconds(&self) -> f64 {
        let Some(master) = self.master_pid() else {
            return 0.0;
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline
            && procs::descendants(master)
                .into_iter()
                .any(|p| procs::process(p).is_some_and(|p| p.comm == "imap"))
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        std::iter::once(master)
            .chain(procs::descendants(master))
            .map(|p| procs::cpu_seconds(Some(p), true))
            .sum()
    }

    /// Stops Dovecot and waits until its master is gone.
    pub async fn stop(&self) {
        let Some(pid) = self.master_pid() else { return };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while procs::is_running(pid) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "Dovecot did not stop"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills Dovecot and every process under it at once, as a crash would.
    pub async fn kill(&self) {
        let Some(pid) = self.master_pid() else { return };
        let _ = Command::new("kill")
            .arg("-STOP")
            .arg(pid.to_string())
            .status();
        let mut all = vec![pid];
        all.extend(procs::descendants(pid));
        for p in &all {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(p.to_string())
                .status();
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while all.iter().any(|p| procs::is_running(*p)) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "Dovecot did not die"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = std::fs::remove_file(self.dir.path().join("run/dovecot/master.pid"));
    }

    pub async fn restart(&self) {
        self.stop().await;
        self.launch().await;
    }

    /// The Maildir of `user@domain` (as Dovecot's userdb places it).
    pub fn maildir(&self, user: &str) -> PathBuf {
        let (local, domain) = user.split_once('@').unwrap_or((user, ""));
        self.dir
            .path()
            .join("mail")
            .join(domain.to_lowercase())
            .join(local.to_lowercase())
            .join("Maildir")
    }

    /// Writes messages straight into the user's Maildir (much faster than APPEND for filling a
    /// benchmark mailbox); Dovecot indexes them at the next SELECT.
    pub fn fill_maildir(&self, user: &str, messages: impl Iterator<Item = Vec<u8>>) -> usize {
        let md = self.maildir(user);
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir_all(md.join(sub)).unwrap();
        }
        let mut n = 0;
        for (i, m) in messages.enumerate() {
            std::fs::write(md.join("new").join(format!("1700000000.M{i}P1.bench")), m).unwrap();
            n += 1;
        }
        if is_root() {
            let owner = format!("{}:{}", id_of("nobody", "-u"), id_of("nobody", "-g"));
            run(
                Command::new("chown")
                    .arg("-R")
                    .arg(owner)
                    .arg(self.dir.path().join("mail")),
                "chown maildir",
            );
        }
        n
    }

    /// A logged-in IMAP session for `user` (a plain client of our own, not the product's).
    pub async fn session(&self, user: &str) -> async_imap::Session<TcpStream> {
        let password = self
            .users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.clone())
            .expect("known user");
        let tcp = TcpStream::connect(("127.0.0.1", self.imap_port))
            .await
            .unwrap();
        let mut client = Client::new(tcp);
        client.read_response().await.unwrap();
        client
            .login(user, password)
            .await
            .map_err(|(e, _)| e)
            .unwrap()
    }

    /// APPENDs messages to a folder (created when missing).
    pub async fn append(&self, user: &str, folder: &str, messages: &[Vec<u8>]) {
        let mut s = self.session(user).await;
        if folder != "INBOX" {
            let _ = s.create(folder).await;
        }
        for m in messages {
            s.append(folder, None, None, m).await.unwrap();
        }
        s.logout().await.unwrap();
    }

    /// The flags of every message in a folder, by UID.
    pub async fn flags(&self, user: &str, folder: &str) -> Vec<(u32, Vec<String>)> {
        let mut s = self.session(user).await;
        let mb = s.examine(folder).await.unwrap();
        let mut out = Vec::new();
        if mb.exists > 0 {
            let mut stream = s.fetch("1:*", "(UID FLAGS)").await.unwrap();
            while let Some(f) = stream.next().await {
                let f = f.unwrap();
                out.push((
                    f.uid.unwrap_or(0),
                    f.flags().map(|fl| format!("{fl:?}")).collect(),
                ));
            }
        }
        drop(s);
        out
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        if let Some(pid) = self.master_pid() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
    }
}

impl Dovecot {
    /// The raw messages in a user's INBOX Maildir (new and cur), read straight from disk.
    pub fn messages(&self, user: &str) -> Vec<Vec<u8>> {
        let md = self.maildir(user);
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(md.join(sub)) {
                for e in entries.flatten() {
                    if let Ok(bytes) = std::fs::read(e.path()) {
                        out.push(bytes);
                    }
                }
            }
        }
        out
    }
}

/// Starts Dovecot with the lab's config and waits for its greeting; false when it does not come up.
async fn try_launch(lab: &Path, imap_port: u16) -> bool {
    let Ok(log) = std::fs::File::create(lab.join("log/stderr")) else {
        return false;
    };
    let Ok(log2) = log.try_clone() else {
        return false;
    };
    // stdio not inherited: the daemonised master keeps its descriptors open forever.
    let started = Command::new("dovecot")
        .arg("-c")
        .arg(lab.join("etc/dovecot.conf"))
        .stdin(Stdio::null())
        .stdout(log2)
        .stderr(log)
        .status()
        .expect("dovecot (apt-get install dovecot-imapd)");
    if !started.success() {
        return false;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", imap_port)).await {
            let mut buf = [0u8; 64];
            if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await
                && buf[..n].starts_with(b"* OK")
            {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

fn id_of(user: &str, flag: &str) -> String {
    String::from_utf8(
        Command::new("id")
            .arg(flag)
            .arg(user)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string()
}

/// A private CA and a leaf for localhost/127.0.0.1 (CA:FALSE, which rustls requires).
fn make_certificates(dir: &Path) {
    let sh = |args: &[&str]| {
        run(
            Command::new("openssl").args(args).current_dir(dir),
            "openssl",
        )
    };
    sh(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        "/CN=saraban test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    sh(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(dir.join("server.ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
    sh(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "30",
        "-extfile",
        "server.ext",
    ]);
    let _ = Command::new("chmod")
        .args(["0644", "ca.pem", "server.pem", "server.key"])
        .current_dir(dir)
        .status();
}
