//! The private Postfix: SMTP and submission on loopback, handing mail to the lab's Dovecot.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use crate::{Dovecot, free_port, procs, run};

/// A running private Postfix that hands mail for its domain to a [`Dovecot`] over LMTP; stopped
/// when dropped. Plain SMTP on `smtp_port` (mail to the domain accepted without AUTH) and
/// submission on `submission_port` (STARTTLS and AUTH against Dovecot's users required).
/// Recipients outside `recipients` are refused at RCPT (550); a recipient Postfix accepts but
/// Dovecot does not know bounces back to the sender. Nothing leaves the machine.
pub struct Postfix {
    dir: PathBuf,
    pub smtp_port: u16,
    pub submission_port: u16,
}

impl Postfix {
    /// Starts Postfix in `dovecot`'s lab; `smtp_port` when given (a test may want a port known
    /// before the server is up), else one the kernel picks.
    pub async fn start(dovecot: &Dovecot, recipients: &[&str], smtp_port: Option<u16>) -> Postfix {
        Postfix::start_with(dovecot, recipients, smtp_port, false).await
    }

    /// As [`Postfix::start`]; with `discard`, accepted mail is thrown away instead of delivered
    /// (a benchmark measures the SMTP side without filling a mailbox).
    pub async fn start_with(
        dovecot: &Dovecot,
        recipients: &[&str],
        smtp_port: Option<u16>,
        discard: bool,
    ) -> Postfix {
        Postfix::start_full(dovecot, recipients, smtp_port, discard, &[]).await
    }

    /// As [`Postfix::start`], answering every recipient of the `deferring` domains "450 try
    /// again later" at RCPT, as a greylisting or rate-limiting server does.
    pub async fn start_deferring(
        dovecot: &Dovecot,
        recipients: &[&str],
        deferring: &[&str],
    ) -> Postfix {
        Postfix::start_full(dovecot, recipients, None, false, deferring).await
    }

    async fn start_full(
        dovecot: &Dovecot,
        recipients: &[&str],
        smtp_port: Option<u16>,
        discard: bool,
        deferring: &[&str],
    ) -> Postfix {
        let lab = dovecot.dir.path();
        let pf = lab.join("postfix");
        for sub in ["etc", "spool", "data"] {
            std::fs::create_dir_all(pf.join(sub)).unwrap();
        }
        run(
            Command::new("chown")
                .arg("postfix:postfix")
                .arg(pf.join("data")),
            "chown postfix data",
        );
        let vmailbox: String = recipients.iter().map(|r| format!("{r} ok\n")).collect();
        std::fs::write(pf.join("etc/vmailbox"), vmailbox).unwrap();
        let defer: String = deferring
            .iter()
            .map(|d| format!("{d} 450 4.2.0 greylisted, try again later\n"))
            .collect();
        std::fs::write(pf.join("etc/defer"), defer).unwrap();
        let domains = std::iter::once("example.test")
            .chain(deferring.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        let l = lab.display();
        let p = pf.display();
        let delivery = if discard {
            "discard:".to_string()
        } else {
            format!("lmtp:unix:{l}/run/dovecot/lmtp")
        };
        let main_cf = format!(
            r#"compatibility_level = 3.6
queue_directory = {p}/spool
data_directory = {p}/data
mail_owner = postfix
myhostname = mail.example.test
mydomain = example.test
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
maillog_file = {l}/log/postfix.log
maillog_file_prefixes = {l}
local_transport = error:5.1.1 local delivery disabled
default_transport = error:5.7.1 no external delivery
relay_transport = error:5.7.1 no external delivery
virtual_mailbox_domains = {domains}
smtpd_recipient_restrictions = check_recipient_access texthash:{p}/etc/defer
virtual_mailbox_maps = texthash:{p}/etc/vmailbox
virtual_transport = {delivery}
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {l}/run/dovecot/auth-postfix
smtpd_tls_cert_file = {l}/tls/server.pem
smtpd_tls_key_file = {l}/tls/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_error_sleep_time = 0
smtp_tls_security_level = none
message_size_limit = 52428800
notify_classes =
delay_warning_time = 0
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
"#
        );
        std::fs::write(pf.join("etc/main.cf"), main_cf).unwrap();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let smtp = smtp_port.unwrap_or_else(free_port);
            let submission = free_port();
            let master_cf = format!(
                "127.0.0.1:{smtp} inet n - n - - smtpd
127.0.0.1:{submission} inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"
            );
            std::fs::write(pf.join("etc/master.cf"), master_cf).unwrap();
            // Postfix waits until a config file is over a second old: backdate them.
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("touch -d '1 minute ago' {p}/etc/*"))
                .status();
            let postfix = Postfix {
                dir: pf.clone(),
                smtp_port: smtp,
                submission_port: submission,
            };
            if postfix.launch().await {
                return postfix;
            }
            postfix.stop().await;
            assert!(
                attempt < 5 && smtp_port.is_none(),
                "postfix did not start; see {}",
                lab.join("log").display()
            );
        }
    }

    async fn launch(&self) -> bool {
        let Ok(log) = std::fs::File::create(self.dir.join("start.log")) else {
            return false;
        };
        let Ok(log2) = log.try_clone() else {
            return false;
        };
        let started = Command::new("postfix")
            .arg("-c")
            .arg(self.dir.join("etc"))
            .arg("start")
            .stdin(Stdio::null())
            .stdout(log2)
            .stderr(log)
            .status()
            .expect("postfix (apt-get install postfix)");
        if !started.success() {
            return false;
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while tokio::time::Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.smtp_port)).await {
                let mut buf = [0u8; 64];
                if let Ok(Ok(n)) =
                    tokio::time::timeout(Duration::from_secs(2), s.read(&mut buf)).await
                    && buf[..n].starts_with(b"220")
                {
                    return true;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    fn master_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("spool/pid/master.pid"))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// Stops Postfix and waits until its master is gone (queued mail stays in its queue).
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
                "Postfix did not stop"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Postfix {
    fn drop(&mut self) {
        if let Some(pid) = self.master_pid() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
    }
}
