//! A private DNS server (Debian's `dnsmasq`) on a loopback port, answering only the records it
//! is given: TXT records for DKIM, SPF and DMARC in tests. Nothing is forwarded anywhere.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub struct Dns {
    child: Child,
    pub port: u16,
    _dir: TempDir,
}

impl Dns {
    /// Serves these `(name, text)` TXT records on 127.0.0.1; every other name is NXDOMAIN.
    pub fn start(txt: &[(&str, &str)]) -> Dns {
        Dns::start_on(super::free_port(), txt)
    }

    /// [`Dns::start`] on a given port (to bring a stopped server back where clients look).
    /// Answers carry a TTL of 0, so a client caches nothing: a test sees each change at once.
    pub fn start_on(port: u16, txt: &[(&str, &str)]) -> Dns {
        Dns::start_full(port, txt, 0)
    }

    /// [`Dns::start`] with answers that may be cached for `ttl` seconds, as real zones allow
    /// (a benchmark measures what a resolver's cache saves).
    pub fn start_cached(txt: &[(&str, &str)], ttl: u32) -> Dns {
        Dns::start_full(super::free_port(), txt, ttl)
    }

    fn start_full(port: u16, txt: &[(&str, &str)], ttl: u32) -> Dns {
        let dir = tempfile::tempdir().expect("dns dir");
        let mut conf = format!("local-ttl={ttl}\n");
        conf.push_str(
            "no-resolv\nno-hosts\nbind-interfaces\nlisten-address=127.0.0.1\nlocal=/test/\n",
        );
        for (name, text) in txt {
            // A TXT record carries strings of at most 255 bytes (an RSA key is longer): cut
            // it the way zone files do; receivers join them.
            let strings: Vec<String> = text
                .as_bytes()
                .chunks(255)
                .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
                .collect();
            conf.push_str(&format!("txt-record={name},{}\n", strings.join(",")));
        }
        let path = dir.path().join("dnsmasq.conf");
        std::fs::write(&path, conf).expect("dns config");
        let program = if std::path::Path::new("/usr/sbin/dnsmasq").exists() {
            "/usr/sbin/dnsmasq"
        } else {
            "dnsmasq"
        };
        let child = Command::new(program)
            .arg("--keep-in-foreground")
            .arg(format!("--conf-file={}", path.display()))
            .arg(format!("--port={port}"))
            .arg("--pid-file")
            .arg("--user=root")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dnsmasq (Debian dnsmasq-base)");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "dnsmasq did not start on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Dns {
            child,
            port,
            _dir: dir,
        }
    }

    /// `127.0.0.1:port`, for `[sender_auth] name_servers`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
