//! Several `serve` processes, one deployment: two processes with their own ports and their own
//! local folders, on one PostgreSQL and one S3 object store (a real SeaweedFS). Letters e-mailed
//! to 10 mailboxes are each taken in once; a mail taken in by either is opened through both (its
//! files come from the object store, not a shared folder); an entry registered, stamped and sent
//! through the other process, the e-mail written once; 200 registrations sent to both at once
//! get the next 200 numbers, each once; one process killed with -9 while idle, the other takes in
//! the rest; and one killed with -9 in the middle of taking in mail and sending letters through
//! a real Postfix: the other finishes both, nothing lost and nothing doubled.

use std::path::Path;
use std::process::Command;

use futures_util::StreamExt;
use serde_json::Value;

use crate::helpers::dovecot::{Dovecot, Postfix};
use crate::helpers::serve::{Serve, outbound_letter, run_ok, saraban, send_by_email};
use crate::helpers::{eventually, pdf_bytes};
use crate::mail_ingest::thai_letter;
use saraban_lab::s3::SeaweedS3;

const PASSWORD: &str = "mailbox-password";

/// One deployment: a fresh PostgreSQL database and a SeaweedFS, and the settings every
/// `saraban` process of it is started with (each in its own folder: nothing local is shared).
struct Deployment {
    url: String,
    store: saraban::store::Store,
    s3: SeaweedS3,
    settings: Vec<(&'static str, String)>,
}

impl Deployment {
    async fn start(settings: Vec<(&'static str, String)>) -> Deployment {
        crate::helpers::init();
        let s3 = SeaweedS3::start();
        let url = crate::helpers::postgres::fresh_database().await;
        let store = saraban::store::Store::connect(&url, 2).await.unwrap();
        Deployment {
            url,
            store,
            s3,
            settings,
        }
    }

    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut c = saraban(args, &self.url, dir.join("files"));
        c.current_dir(dir)
            .env("SARABAN__STORAGE__BACKEND", "s3")
            .envs(self.s3.saraban_env("saraban-shared"))
            .env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__MAIL__SCAN_SECS", "1")
            .env("SARABAN__MAIL__DROP_DIR", "")
            .env("SARABAN__SMTP__OUTBOX_DIR", dir.join("outbox"))
            .env("SARABAN__SENDER_AUTH__VERIFY", "false");
        for (key, value) in &self.settings {
            c.env(key, value);
        }
        c
    }

    fn run(&self, dir: &Path, args: &[&str], input: &str) -> String {
        run_ok(self.command(dir, args), input)
    }

    fn serve(&self, dir: &Path) -> Serve {
        Serve::start(self.command(dir, &["serve"]))
    }

    /// The district ubn1 with its clerk; an API token of the clerk.
    fn district_with_clerk(&self, dir: &Path) -> String {
        self.run(
            dir,
            &[
                "office",
                "add",
                "--id",
                "ubn1",
                "--name",
                "สพป.ทดสอบ",
                "--prefix",
                "ศธ 04183",
                "--kind",
                "district",
            ],
            "",
        );
        self.run(
            dir,
            &[
                "user",
                "add",
                "--office",
                "ubn1",
                "--username",
                "clerk1",
                "--role",
                "clerk",
                "--password-stdin",
            ],
            "รหัสผ่านยาวพอ\n",
        );
        self.run(dir, &["token", "create", "--user", "clerk1"], "")
            .split_whitespace()
            .last()
            .expect("a token")
            .to_string()
    }

    /// The district's saraban mailboxes, fetched every second.
    fn add_mailboxes(&self, dir: &Path, dovecot: &Dovecot, users: &[String]) {
        let port = dovecot.imap_port.to_string();
        for user in users {
            self.run(
                dir,
                &[
                    "mailbox",
                    "add",
                    "--office",
                    "ubn1",
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
            );
        }
    }

    /// What a one-number query (`… AS n`) finds now; 0 while the database cannot answer.
    async fn count(&self, sql: &'static str) -> i64 {
        use sqlx::Row;
        sqlx::query(sql)
            .fetch_one(self.store.pool())
            .await
            .map(|r| r.get::<i64, _>("n"))
            .unwrap_or(0)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_share_one_postgres_and_one_object_store() {
    let deployment = Deployment::start(Vec::new()).await;
    let users: Vec<String> = (0..10)
        .map(|i| format!("saraban{i}@example.test"))
        .collect();
    let logins: Vec<(&str, &str)> = users.iter().map(|u| (u.as_str(), PASSWORD)).collect();
    let dovecot = Dovecot::start(&logins).await;
    for (i, user) in users.iter().enumerate() {
        let letters: Vec<Vec<u8>> = (0..5)
            .map(|n| {
                thai_letter(
                    &format!("m{i}-{n}@school.go.th"),
                    &format!("เรื่อง หนังสือกล่อง {i} ฉบับ {n}"),
                    &pdf_bytes(&format!("mailbox {i} letter {n}")),
                )
            })
            .collect();
        dovecot.append(user, "INBOX", &letters).await;
    }
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let token = deployment.district_with_clerk(dir_a.path());
    deployment.add_mailboxes(dir_a.path(), &dovecot, &users);
    let a = deployment.serve(dir_a.path());
    let b = deployment.serve(dir_b.path());
    let count = |sql: &'static str| deployment.count(sql);
    eventually(90, "the 50 letters taken in", || async {
        (count("SELECT COUNT(*) AS n FROM inbox_entries").await >= 50).then_some(())
    })
    .await;
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM inbox_entries").await,
        50,
        "each once"
    );
    assert_eq!(count("SELECT COUNT(*) AS n FROM mail_receipts").await, 50);

    // Any entry opens through either process: the files are in the object store.
    let http = reqwest::Client::new();
    let auth = format!("Bearer {token}");
    let get = |url: String| {
        let (http, auth) = (http.clone(), auth.clone());
        async move {
            let res = http
                .get(url)
                .header("Authorization", auth)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 200);
            res.bytes().await.unwrap()
        }
    };
    let page: Value =
        serde_json::from_slice(&get(format!("{}/api/v1/inbox", a.base)).await).unwrap();
    let entries = page["items"].as_array().expect("inbox items").clone();
    assert!(!entries.is_empty(), "{page}");
    for e in entries.iter().take(5) {
        let id = e["id"].as_i64().unwrap();
        let via_a = get(format!("{}/api/v1/inbox/{id}/attachments/1", a.base)).await;
        let via_b = get(format!("{}/api/v1/inbox/{id}/attachments/1", b.base)).await;
        assert!(via_a.starts_with(b"%PDF"));
        assert_eq!(via_a, via_b);
    }

    // Taken in by one process, registered, stamped and sent through the other: B registers an
    // entry (whichever process took it in), stamps its file and sends the letter by e-mail.
    let id = entries[0]["id"].as_i64().unwrap();
    let res = http
        .post(format!("{}/api/v1/inbox/{id}/register", b.base))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"doc_no": "ศธ 04183.006/99", "doc_date": "2026-12-01"}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let letter: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{letter}");
    let letter_id = letter["id"].as_i64().unwrap();
    let stamped = get(format!(
        "{}/api/v1/letters/{letter_id}/attachments/1/stamped",
        b.base
    ))
    .await;
    assert!(stamped.starts_with(b"%PDF"));
    let original = get(format!(
        "{}/api/v1/letters/{letter_id}/attachments/1",
        a.base
    ))
    .await;
    assert_ne!(stamped, original, "the stamped copy is a new file");
    // An outbound letter with a file, made on A, sent through B.
    let letter_id = outbound_letter(
        &http,
        &a.base,
        &token,
        "ส่งผ่านอีกเครื่อง",
        Some(("หนังสือ.pdf", pdf_bytes("sent through B"))),
    )
    .await;
    send_by_email(
        &http,
        &b.base,
        &token,
        letter_id,
        "central@example.test",
        "x",
    )
    .await;
    eventually(60, "the letter sent by one of the two outboxes", || async {
        let d: Value = serde_json::from_slice(
            &get(format!("{}/api/v1/letters/{letter_id}/deliveries", a.base)).await,
        )
        .unwrap();
        d["items"]
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .find(|i| i["channel"] == "email" && i["status"] == "sent")
            })
            .map(|_| ())
    })
    .await;
    let written: usize = [dir_a.path(), dir_b.path()]
        .iter()
        .map(|d| std::fs::read_dir(d.join("outbox")).map_or(0, |e| e.count()))
        .sum();
    assert_eq!(written, 1, "sent once, by one process");

    // 200 registrations, half to each process, 20 at a time: numbers 1..=200, each once.
    let numbers: Vec<i64> = futures_util::stream::iter(0..200)
        .map(|i| {
            let base = if i % 2 == 0 {
                a.base.clone()
            } else {
                b.base.clone()
            };
            let (http, auth) = (http.clone(), auth.clone());
            async move {
                let form = reqwest::multipart::Form::new()
                    .text("register", "outbound")
                    .text("to", "โรงเรียน")
                    .text("subject", format!("หนังสือพร้อมกัน {i}"));
                let res = http
                    .post(format!("{base}/api/v1/letters"))
                    .header("Authorization", auth)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status().as_u16(), 201);
                let letter: Value = res.json().await.unwrap();
                letter["number"].as_i64().unwrap()
            }
        })
        .buffer_unordered(20)
        .collect()
        .await;
    let mut sorted = numbers.clone();
    sorted.sort_unstable();
    // The outbound letter sent above took number 1 of the outbound register.
    assert_eq!(sorted, (2..=201).collect::<Vec<i64>>());

    // One process killed with -9; the other takes in what arrives next (once the dead one's
    // mailbox leases run out).
    drop(a);
    let late: Vec<Vec<u8>> = (0..5)
        .map(|n| {
            thai_letter(
                &format!("late-{n}@school.go.th"),
                &format!("เรื่อง หนังสือมาหลัง {n}"),
                &pdf_bytes(&format!("late {n}")),
            )
        })
        .collect();
    dovecot.append(&users[0], "INBOX", &late).await;
    dovecot.append(&users[9], "INBOX", &late[..2]).await;
    eventually(120, "the late letters taken in by the survivor", || async {
        (count("SELECT COUNT(*) AS n FROM mail_receipts").await >= 57).then_some(())
    })
    .await;
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM mail_receipts").await,
        57,
        "nothing doubled"
    );
    drop(b);
}

/// One of two processes killed with -9 in the middle of its work: it holds every mailbox's lease
/// while 400 letters arrive, and it sends (with the other) 40 letters through a real Postfix.
/// The survivor takes over its mailboxes and its claimed letters once their leases run out:
/// every mail is taken in once, every letter is sent and arrives, and only a letter that was on
/// the wire at the kill may arrive twice, with the same Message-ID (the receiver's saraban
/// takes such a copy in once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_work_leaves_nothing_lost_or_doubled() {
    const CENTRAL: &str = "central@example.test";
    const MAIL: i64 = 400;
    const SENDS: i64 = 40;
    let users: Vec<String> = (0..4).map(|i| format!("saraban{i}@example.test")).collect();
    let logins: Vec<(&str, &str)> = users
        .iter()
        .map(|u| (u.as_str(), PASSWORD))
        .chain([(CENTRAL, PASSWORD)])
        .collect();
    let dovecot = Dovecot::start(&logins).await;
    let postfix = Postfix::start(&dovecot, &[CENTRAL], None).await;
    let deployment = Deployment::start(vec![
        ("SARABAN__SMTP__HOST", "127.0.0.1".into()),
        ("SARABAN__SMTP__PORT", postfix.smtp_port.to_string()),
        ("SARABAN__SMTP__SECURITY", "none".into()),
        ("SARABAN__SMTP__FROM", "saraban@ubn1.example.test".into()),
        // One message on the wire per process, paced so the sending spans the kill; a letter
        // the dead process had claimed is free for the other 3 s later.
        ("SARABAN__SMTP__CONCURRENCY", "1".into()),
        ("SARABAN__SMTP__PER_DOMAIN_INTERVAL_MS", "400".into()),
        ("SARABAN__SMTP__LEASE_SECS", "3".into()),
        ("SARABAN__SMTP__POLL_SECS", "1".into()),
    ])
    .await;
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let token = deployment.district_with_clerk(dir_a.path());
    deployment.add_mailboxes(dir_a.path(), &dovecot, &users);
    let count = |sql: &'static str| deployment.count(sql);
    let a = deployment.serve(dir_a.path());
    eventually(30, "A holding every mailbox", || async {
        (count("SELECT COUNT(*) AS n FROM mailbox_leases").await == users.len() as i64)
            .then_some(())
    })
    .await;
    let b = deployment.serve(dir_b.path());

    // 40 outbound letters, each with a file, sent by e-mail to the central office (queued
    // through A; both outboxes send them).
    let http = reqwest::Client::new();
    for i in 0..SENDS {
        let id = outbound_letter(
            &http,
            &a.base,
            &token,
            &format!("รายงานส่งกลาง ฉบับ {i}"),
            Some(("รายงาน.pdf", pdf_bytes(&format!("report {i}")))),
        )
        .await;
        send_by_email(&http, &a.base, &token, id, CENTRAL, "k").await;
    }
    let sent = "SELECT COUNT(*) AS n FROM deliveries WHERE channel = 'email' AND status = 'sent'";
    let receipts = "SELECT COUNT(*) AS n FROM mail_receipts";

    // 400 letters arrive in A's mailboxes, ten at a time to each in turn; A is killed as soon as
    // it has taken some in and sent some, while more keep arriving.
    let arriving = async {
        let per_mailbox = MAIL / users.len() as i64;
        for first in (0..per_mailbox).step_by(10) {
            for (i, user) in users.iter().enumerate() {
                let letters: Vec<Vec<u8>> = (first..first + 10)
                    .map(|n| {
                        thai_letter(
                            &format!("k{i}-{n}@school.go.th"),
                            &format!("เรื่อง หนังสือระหว่างหยุดเครื่อง {i}-{n}"),
                            &pdf_bytes(&format!("killed mid-work {i} {n}")),
                        )
                    })
                    .collect();
                dovecot.append(user, "INBOX", &letters).await;
            }
        }
    };
    let killing = async {
        let at_kill = eventually(60, "A part-way through its mail and its outbox", || async {
            let (taken, out) = (count(receipts).await, count(sent).await);
            (taken > 0 && out > 0).then_some((taken, out))
        })
        .await;
        drop(a); // SIGKILL: no clean-up of any kind
        at_kill
    };
    let ((), (taken_at_kill, sent_at_kill)) = tokio::join!(arriving, killing);
    assert!(
        taken_at_kill < MAIL,
        "killed part-way ({taken_at_kill} taken in)"
    );
    assert!(
        sent_at_kill < SENDS,
        "killed part-way ({sent_at_kill} sent)"
    );

    // The survivor finishes: every mail once, every letter sent.
    eventually(120, "every mail taken in by the survivor", || async {
        (count(receipts).await >= MAIL).then_some(())
    })
    .await;
    eventually(120, "every letter sent", || async {
        (count(sent).await == SENDS).then_some(())
    })
    .await;
    assert_eq!(count(receipts).await, MAIL, "no mail taken twice");
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM inbox_entries").await,
        MAIL,
        "no entry twice"
    );
    let held_by_b = count("SELECT COUNT(*) AS n FROM mailbox_leases").await;
    assert_eq!(
        held_by_b,
        users.len() as i64,
        "the survivor holds every mailbox"
    );

    // At the central office: every letter arrived, and a copy twice only for the one A had on
    // the wire, with the same Message-ID.
    let arrived = eventually(60, "every letter in the central mailbox", || async {
        let msgs = dovecot.messages(CENTRAL);
        (msgs.len() >= SENDS as usize).then_some(msgs)
    })
    .await;
    let mut ids: Vec<String> = arrived
        .iter()
        .filter_map(|raw| {
            mail_parser::MessageParser::default()
                .parse(raw)
                .and_then(|m| m.message_id().map(str::to_string))
        })
        .collect();
    assert_eq!(ids.len(), arrived.len(), "each copy has a Message-ID");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as i64, SENDS, "every letter arrived");
    assert!(
        arrived.len() as i64 <= SENDS + 1,
        "only the letter on the wire at the kill twice ({} copies)",
        arrived.len()
    );

    // Nothing the database names is missing or damaged in the object store.
    let verified = deployment.run(dir_b.path(), &["storage", "verify"], "");
    assert!(verified.contains(", 0 missing or damaged"), "{verified}");
    drop(b);
    drop(postfix);
}
