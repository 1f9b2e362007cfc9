//! Several `serve` processes, one deployment: two processes with their own ports and their own
//! local folders, on one PostgreSQL and one S3 object store (a real SeaweedFS). Letters e-mailed
//! to 10 mailboxes are each taken in once; a mail taken in by either is opened through both (its
//! files come from the object store, not a shared folder); an entry registered, stamped and sent
//! through the other process, the e-mail written once; 200 registrations sent to both at once
//! get the next 200 numbers, each once; one process killed with -9, the other takes in the rest.

use std::path::Path;
use std::process::Command;

use futures_util::StreamExt;
use serde_json::Value;

use crate::helpers::dovecot::Dovecot;
use crate::helpers::serve::{Serve, run_ok};
use crate::helpers::{eventually, pdf_bytes};
use crate::mail_ingest::thai_letter;
use saraban_lab::s3::SeaweedS3;

const PASSWORD: &str = "mailbox-password";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_processes_share_one_postgres_and_one_object_store() {
    crate::helpers::init();
    let s3 = SeaweedS3::start();
    let url = crate::helpers::postgres::fresh_database().await;
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
    let command = |dir: &Path, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_saraban"));
        c.args(args)
            .current_dir(dir)
            .env("SARABAN__DATABASE__URL", &url)
            .env("SARABAN__STORAGE__BACKEND", "s3")
            .env("SARABAN__STORAGE__ROOT", dir.join("files"))
            .env("SARABAN__STORAGE__S3__ENDPOINT", s3.endpoint())
            .env("SARABAN__STORAGE__S3__BUCKET", "saraban-shared")
            .env("SARABAN__STORAGE__S3__ACCESS_KEY_ID", &s3.access_key)
            .env("SARABAN__STORAGE__S3__SECRET_ACCESS_KEY", &s3.secret_key)
            .env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__MAIL__SCAN_SECS", "1")
            .env("SARABAN__MAIL__DROP_DIR", "")
            .env("SARABAN__SMTP__OUTBOX_DIR", dir.join("outbox"))
            .env("SARABAN__SENDER_AUTH__VERIFY", "false")
            .env("SARABAN_LOG", "warn");
        c
    };
    let run = |args: &[&str], input: &str| run_ok(command(dir_a.path(), args), input);
    run(
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
    run(
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
    let token = run(&["token", "create", "--user", "clerk1"], "")
        .split_whitespace()
        .last()
        .unwrap()
        .to_string();
    let port = dovecot.imap_port.to_string();
    for user in &users {
        run(
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
    let start = |dir: &Path| Serve::start(command(dir, &["serve"]));
    let a = start(dir_a.path());
    let b = start(dir_b.path());

    let store = saraban::store::Store::connect(&url, 2).await.unwrap();
    let count = |sql: &'static str| {
        let store = store.clone();
        async move {
            use sqlx::Row;
            sqlx::query(sql)
                .fetch_one(store.pool())
                .await
                .map(|r| r.get::<i64, _>("n"))
                .unwrap_or(0)
        }
    };
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
    let form = reqwest::multipart::Form::new()
        .text("register", "outbound")
        .text("to", "สพฐ.")
        .text("subject", "ส่งผ่านอีกเครื่อง")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf_bytes("sent through B"))
                .file_name("หนังสือ.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let res = http
        .post(format!("{}/api/v1/letters", a.base))
        .header("Authorization", &auth)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let outbound: Value = res.json().await.unwrap();
    let letter_id = outbound["id"].as_i64().unwrap();
    let res = http
        .post(format!("{}/api/v1/letters/{letter_id}/send", b.base))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"recipients": [{"email": "central@example.test"}], "idempotency_key": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 202);
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
