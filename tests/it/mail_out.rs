//! Mail out: letters sent by e-mail through the outbox, received by another saraban with exactly
//! their facts and files, and the acceptance notice coming back with the receiver's number —
//! through the file outbox, and through a real Postfix into a real Dovecot; SMTP down and back,
//! a 5xx refusal, a bounce, two workers on one PostgreSQL, and `serve` killed while sending.

use reqwest::Method;
use serde_json::{Value, json};

use saraban::service::ingest::{self, Origin, Outcome};
use saraban::service::mailboxes::{MailboxInput, add_mailbox};
use saraban::store::mailboxes::Security;
use saraban::store::smtp::SmtpAccount;

use crate::both_dbs;
use crate::helpers::dovecot::{Dovecot, Postfix};
use crate::helpers::{Db, TestApp, World, eventually, pdf_bytes, spawn_app, spawn_app_with};

const SCHOOL_ADDR: &str = "school@example.test";
const CENTRAL_ADDR: &str = "central@example.test";
const SCHOOL_PW: &str = "school-pw";
const CENTRAL_PW: &str = "central-pw";

/// An outbound letter of the school with two Thai-named files; returns its JSON.
async fn school_letter(w: &World, subject: &str, files: bool) -> Value {
    let pdfs = if files {
        vec![
            ("หนังสือนำส่ง.pdf", pdf_bytes("covering"), "หนังสือนำส่ง"),
            (
                "รายงานผลการเรียน ภาคเรียนที่ 1.pdf",
                pdf_bytes("report"),
                "รายงานฉบับเต็ม",
            ),
        ]
    } else {
        Vec::new()
    };
    let (status, out) = w
        .app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาทดสอบ"),
                ("subject", subject),
                ("speed", "most_urgent"),
                ("secrecy", "confidential"),
                ("letter_type", "external"),
            ],
            pdfs,
        )
        .await;
    assert_eq!(status, 201, "{out}");
    out
}

async fn send(app: &TestApp, token: &str, id: i64, recipients: Value, key: &str) -> Value {
    let (status, sent) = app
        .send_json(
            Method::POST,
            token,
            &format!("/api/v1/letters/{id}/send"),
            json!({"recipients": recipients, "idempotency_key": key}),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    sent
}

async fn deliveries(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (status, body) = app
        .get_json(token, &format!("/api/v1/letters/{id}/deliveries"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until the letter's only e-mail delivery has this status; returns it.
async fn delivery_reaches(app: &TestApp, token: &str, id: i64, status: &str) -> Value {
    eventually(60, &format!("delivery {status}"), || async {
        deliveries(app, token, id)
            .await
            .into_iter()
            .find(|d| d["channel"] == "email" && d["status"] == status)
    })
    .await
}

/// The .eml files the file outbox wrote, in name order.
pub fn outbox_files(app: &TestApp) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(app.dir.path().join("outbox"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_else(|_| Vec::new());
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| std::fs::read(p).expect("eml"))
        .collect()
}

fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .take_while(|l| !l.is_empty() && *l != "\r")
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

/// Checks that the receiving office's entry holds exactly the sender's facts and files.
async fn assert_entry_has_the_letters_facts(w: &World, entry_id: i64, letter: &Value) {
    let (status, entry) = w
        .app
        .get_json(&w.clerk, &format!("/api/v1/inbox/{entry_id}"))
        .await;
    assert_eq!(status, 200, "{entry}");
    assert_eq!(entry["source"], "email");
    assert_eq!(entry["doc_no"], letter["doc_no"]);
    assert_eq!(entry["doc_date"], letter["doc_date"]);
    assert_eq!(entry["subject"], letter["subject"]);
    assert_eq!(entry["from"], "โรงเรียนทดสอบ school");
    assert_eq!(entry["speed"], "most_urgent");
    assert_eq!(entry["secrecy"], "confidential");
    assert_eq!(entry["letter_type"], "external");
    let sent = file_triples(&letter["attachments"]);
    let got = file_triples(&entry["attachments"]);
    assert_eq!(got, sent, "the same files, names, descriptions and bytes");
}

/// With no SMTP server configured, letters become .eml files in the outbox folder. The district
/// takes such a file in: its entry is filled from the facts exactly; registering it queues the
/// acceptance notice, which the school takes in and its letter shows the district's number.
async fn email_round_trip_through_the_file_outbox(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let letter = school_letter(&w, "ขอส่งรายงานผลการเรียน", true).await;
    let id = letter["id"].as_i64().unwrap();
    let sent = send(
        app,
        &w.school_clerk,
        id,
        json!([{"email": "saraban04183@example.test"}]),
        "k1",
    )
    .await;
    let queued = &sent["deliveries"][0];
    assert_eq!(queued["channel"], "email");
    assert_eq!(queued["status"], "queued");
    let message_id = queued["message_id"].as_str().unwrap().to_string();
    // A double click sends once.
    let again = send(
        app,
        &w.school_clerk,
        id,
        json!([{"email": "saraban04183@example.test"}]),
        "k1",
    )
    .await;
    // (The same delivery, in whatever state the worker has brought it to by now.)
    let again = again["deliveries"].as_array().unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], queued["id"]);
    assert_eq!(again[0]["message_id"], queued["message_id"]);

    let done = delivery_reaches(app, &w.school_clerk, id, "sent").await;
    assert_eq!(done["attempts"], 1);
    // Written to the folder, not sent: the clerk is told so.
    assert_eq!(done["saved_to_file"], true);
    assert!(
        done["status_th"]
            .as_str()
            .unwrap()
            .starts_with("บันทึกเป็นไฟล์")
    );
    let (school, _) = app.login("school-clerk").await;
    let page = app.page(&school, &format!("/letters/{id}")).await;
    assert!(page.contains("บันทึกเป็นไฟล์"), "{page}");
    let files = outbox_files(app);
    assert_eq!(files.len(), 1, "one message");
    let raw = files[0].clone();
    let text = String::from_utf8_lossy(&raw).into_owned();
    assert_eq!(
        header(&text, "Message-ID"),
        Some(format!("<{message_id}>").as_str())
    );
    assert!(text.contains("X-Saraban: 1; letter"));
    assert!(
        text.contains("name=\"=?utf-8?b?"),
        "Outlook's name= on Content-Type"
    );
    assert!(
        text.contains("filename*"),
        "RFC 2231 on Content-Disposition"
    );
    let parsed = saraban::message::parse::parse(&raw).unwrap();
    let doc_date =
        chrono::NaiveDate::parse_from_str(letter["doc_date"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    assert_eq!(
        parsed.subject,
        format!(
            "ที่ {} ลงวันที่ {} เรื่อง ขอส่งรายงานผลการเรียน",
            letter["doc_no"].as_str().unwrap(),
            saraban::domain::thai_date::format_long(doc_date)
        )
    );
    assert!(parsed.text.contains("ชั้นความเร็ว: ด่วนที่สุด"), "{}", parsed.text);
    assert_eq!(parsed.files.len(), 2, "the facts part is not a file");

    // The district's gateway takes it in.
    let services = &app.services;
    let dist = app.store.find_office("dist").await.unwrap();
    let outcome = ingest::ingest(
        services,
        &dist,
        &Origin::File("from-school.eml".into()),
        raw.clone().into(),
        None,
    )
    .await
    .unwrap();
    let Outcome::Letter { entry_id } = outcome else {
        panic!("{outcome:?}")
    };
    assert_entry_has_the_letters_facts(&w, entry_id, &letter).await;

    let (status, registered) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{registered}");
    let number = registered["number"].as_i64().unwrap();
    let dist_letter = registered["id"].as_i64().unwrap();
    // The acceptance notice leaves through the district's outbox.
    let notice_delivery = delivery_reaches(app, &w.clerk, dist_letter, "sent").await;
    assert_eq!(notice_delivery["kind"], "notice");
    let notice = eventually(30, "the notice file", || async {
        outbox_files(app)
            .into_iter()
            .find(|f| String::from_utf8_lossy(f).contains("X-Saraban: 1; notice"))
    })
    .await;
    let notice_text = String::from_utf8_lossy(&notice).into_owned();
    assert!(notice_text.contains("Auto-Submitted: auto-replied"));
    assert_eq!(
        header(&notice_text, "In-Reply-To"),
        Some(format!("<{message_id}>").as_str())
    );

    // The school's gateway takes the notice in: never a letter, and the letter shows the number.
    let school = app.store.find_office("school").await.unwrap();
    let outcome = ingest::ingest(
        services,
        &school,
        &Origin::File("notice.eml".into()),
        notice.into(),
        None,
    )
    .await
    .unwrap();
    assert!(matches!(outcome, Outcome::Acceptance { .. }), "{outcome:?}");
    let d = delivery_reaches(app, &w.school_clerk, id, "registered").await;
    assert_eq!(d["recipient_number"], number);
    let (_, inbox) = app
        .get_json(&w.school_clerk, "/api/v1/inbox?per_page=1")
        .await;
    assert_eq!(inbox["total"], 0, "a notice is not a letter");

    // ลับที่สุด never goes by e-mail.
    let (status, secret) = w
        .app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผอ.สพป."),
                ("subject", "เรื่องลับที่สุด"),
                ("secrecy", "top_secret"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201);
    let (status, err) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{}/send", secret["id"]),
            json!({"recipients": [{"email": "a@example.test"}], "idempotency_key": "s"}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(err.to_string().contains("ลับที่สุดห้ามส่งทางอีเมล"));
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}/send"),
            json!({"recipients": [{"email": "not an address"}], "idempotency_key": "bad"}),
        )
        .await;
    assert_eq!(status, 422);
}
both_dbs!(
    email_round_trip_through_file_outbox,
    email_round_trip_through_the_file_outbox
);

async fn smtp_account(app: &TestApp, office: &str, port: u16, from: &str) {
    app.services
        .set_smtp_account(SmtpAccount {
            office_id: office.into(),
            host: "127.0.0.1".into(),
            port,
            security: Security::None,
            ca_file: None,
            username: None,
            password: None,
            from_addr: from.into(),
        })
        .await
        .expect("smtp account");
}

async fn imap_mailbox(app: &TestApp, office: &str, dovecot: &Dovecot, user: &str, pw: &str) {
    add_mailbox(
        &app.store,
        office,
        &MailboxInput {
            host: "127.0.0.1".into(),
            port: dovecot.imap_port.to_string(),
            security: "none".into(),
            username: user.into(),
            password: pw.into(),
            folders: "INBOX".into(),
            poll_secs: "1".into(),
            ..Default::default()
        },
    )
    .await
    .expect("mailbox");
}

/// The issue's round trip through real servers: the school sends through Postfix into the
/// district's Dovecot mailbox, the district's gateway takes it in over IMAP with exactly the
/// school's facts and files, the district registers it, and the acceptance notice travels back
/// the same way until the school's letter shows the district's number. A refused recipient
/// (5xx) and a bounce show as failures with the reason, and the clerk can retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_through_postfix_and_dovecot() {
    let dovecot = Dovecot::start(&[(SCHOOL_ADDR, SCHOOL_PW), (CENTRAL_ADDR, CENTRAL_PW)]).await;
    // ghost@ is accepted by Postfix but unknown to Dovecot: it bounces.
    let postfix = Postfix::start(
        &dovecot,
        &[SCHOOL_ADDR, CENTRAL_ADDR, "ghost@example.test"],
        None,
    )
    .await;
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    smtp_account(app, "school", postfix.smtp_port, SCHOOL_ADDR).await;
    smtp_account(app, "dist", postfix.smtp_port, CENTRAL_ADDR).await;
    imap_mailbox(app, "dist", &dovecot, CENTRAL_ADDR, CENTRAL_PW).await;
    imap_mailbox(app, "school", &dovecot, SCHOOL_ADDR, SCHOOL_PW).await;

    let letter = school_letter(&w, "ขอส่งรายงานผลการเรียน ภาคเรียนที่ 1", true).await;
    let id = letter["id"].as_i64().unwrap();
    send(
        app,
        &w.school_clerk,
        id,
        json!([{"email": CENTRAL_ADDR}]),
        "c1",
    )
    .await;
    delivery_reaches(app, &w.school_clerk, id, "sent").await;

    let entry = eventually(60, "the letter in the district's inbox", || async {
        let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
        inbox["items"].as_array().and_then(|items| {
            items
                .iter()
                .find(|e| e["doc_no"] == letter["doc_no"])
                .cloned()
        })
    })
    .await;
    let entry_id = entry["id"].as_i64().unwrap();
    assert_entry_has_the_letters_facts(&w, entry_id, &letter).await;
    let (status, registered) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{registered}");
    let d = delivery_reaches(app, &w.school_clerk, id, "registered").await;
    assert_eq!(d["recipient_number"], registered["number"]);
    assert_eq!(d["recipient_year_be"], registered["year_be"]);

    // 550 at RCPT: failed at once, with the server's words.
    let refused = school_letter(&w, "ส่งถึงผู้รับที่ไม่มีอยู่", false).await;
    let rid = refused["id"].as_i64().unwrap();
    send(
        app,
        &w.school_clerk,
        rid,
        json!([{"email": "nobody@example.test"}]),
        "n1",
    )
    .await;
    let failed = delivery_reaches(app, &w.school_clerk, rid, "failed").await;
    assert_eq!(failed["attempts"], 1, "a 5xx is not retried");
    assert!(
        failed["error"].as_str().unwrap().contains("550"),
        "{failed}"
    );
    // The clerk's retry sends the same message again (and it fails the same way).
    let (status, retried) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/deliveries/{}/retry", failed["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, 202, "{retried}");
    assert_eq!(retried["status"], "queued");
    assert_eq!(retried["message_id"], failed["message_id"]);
    eventually(30, "the retry", || async {
        deliveries(app, &w.school_clerk, rid)
            .await
            .into_iter()
            .find(|d| d["status"] == "failed" && d["attempts"] == 2)
    })
    .await;

    // Accepted by Postfix, refused by the mailbox server: the bounce comes back to the school's
    // mailbox, and the gateway marks the delivery failed with the diagnostic.
    let bounced = school_letter(&w, "ส่งถึงกล่องที่ไม่มีจริง", false).await;
    let bid = bounced["id"].as_i64().unwrap();
    send(
        app,
        &w.school_clerk,
        bid,
        json!([{"email": "ghost@example.test"}]),
        "g1",
    )
    .await;
    let failed = delivery_reaches(app, &w.school_clerk, bid, "failed").await;
    let reason = failed["error"].as_str().unwrap();
    assert!(
        reason.contains("อีเมลตีกลับ") && reason.contains("5.1.1"),
        "{reason}"
    );
    // The clerk sees it on the letter's page, with the reason and a retry button that works.
    let (client, csrf) = app.login("school-clerk").await;
    let page = app.page(&client, &format!("/letters/{bid}")).await;
    assert!(
        page.contains("ส่งไม่สำเร็จ") && page.contains("อีเมลตีกลับ"),
        "{page}"
    );
    assert!(page.contains("ส่งอีกครั้ง"));
    let res = client
        .post(app.url(&format!("/letters/{bid}/deliveries/{}/retry", failed["id"])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let d = deliveries(app, &w.school_clerk, bid).await;
    assert_ne!(d[0]["status"], "failed", "queued again: {d:?}");
    let (_, inbox) = app
        .get_json(&w.school_clerk, "/api/v1/inbox?per_page=1")
        .await;
    assert_eq!(inbox["total"], 0, "notices and bounces are not letters");
    drop(postfix);
}

/// SMTP down while 50 letters are queued: they wait and retry; once the server is up every one
/// arrives exactly once, each with the Message-ID it was given when queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_down_then_back_delivers_each_letter_once() {
    let dovecot = Dovecot::start(&[(CENTRAL_ADDR, CENTRAL_PW)]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let w = spawn_app_with(Db::Sqlite, |c| {
        c.smtp.first_retry_secs = 1;
        c.smtp.max_retry_secs = 2;
        c.smtp.delayed_after = 2;
    })
    .await
    .world()
    .await;
    let app = &w.app;
    smtp_account(app, "school", port, SCHOOL_ADDR).await;
    let total = 50;
    let mut ids = Vec::new();
    for i in 0..total {
        let l = school_letter(&w, &format!("หนังสือฉบับที่ {i}"), false).await;
        let id = l["id"].as_i64().unwrap();
        send(
            app,
            &w.school_clerk,
            id,
            json!([{"email": CENTRAL_ADDR}]),
            "k",
        )
        .await;
        ids.push(id);
    }
    // Nothing listens: every letter is tried, kept, and shown as delayed after a few attempts.
    eventually(60, "every letter tried and waiting", || async {
        let counts = app.store.outbox_counts().await.unwrap();
        let waiting: i64 = counts
            .iter()
            .filter(|(s, _)| s == "delayed")
            .map(|(_, n)| n)
            .sum();
        (waiting == total).then_some(())
    })
    .await;
    let d = deliveries(app, &w.school_clerk, ids[0]).await;
    assert!(
        d[0]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{d:?}"
    );

    let postfix = Postfix::start(&dovecot, &[CENTRAL_ADDR], Some(port)).await;
    eventually(90, "every letter sent", || async {
        let counts = app.store.outbox_counts().await.unwrap();
        (counts == vec![("sent".to_string(), total)]).then_some(())
    })
    .await;
    let mut expected = Vec::new();
    for id in &ids {
        let d = deliveries(app, &w.school_clerk, *id).await;
        expected.push(format!("<{}>", d[0]["message_id"].as_str().unwrap()));
    }
    expected.sort();
    let arrived = eventually(30, "every message in the mailbox", || async {
        let msgs = dovecot.messages(CENTRAL_ADDR);
        (msgs.len() >= total as usize).then_some(msgs)
    })
    .await;
    let mut ids_arrived: Vec<String> = arrived
        .iter()
        .filter_map(|m| header(&String::from_utf8_lossy(m), "Message-ID").map(str::to_string))
        .collect();
    ids_arrived.sort();
    assert_eq!(ids_arrived, expected, "each letter exactly once");
    drop(postfix);
}

/// Two workers on one PostgreSQL take e-mails from the same outbox at the same time: each is sent
/// exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_one_postgres_outbox() {
    let w = spawn_app_with(Db::Postgres, |c| c.smtp.send = false)
        .await
        .world()
        .await;
    let app = &w.app;
    let total = 40;
    for i in 0..total {
        let l = school_letter(&w, &format!("หนังสือเวียนฉบับที่ {i}"), false).await;
        send(
            app,
            &w.school_clerk,
            l["id"].as_i64().unwrap(),
            json!([{"email": CENTRAL_ADDR}]),
            "k",
        )
        .await;
    }
    let mut config = saraban::config::SmtpConfig {
        outbox_dir: app.dir.path().join("outbox"),
        concurrency: 2,
        ..Default::default()
    };
    config.poll_secs = 1;
    let worker = |name: &str| {
        saraban::mail::outbox::Worker::new(app.services.clone(), config.clone(), name.to_string())
    };
    let (a, b) = (worker("a"), worker("b"));
    let run = |w: saraban::mail::outbox::Worker| async move {
        let mut claimed = 0;
        loop {
            let n = w.round(3).await.unwrap();
            if n == 0 {
                break claimed;
            }
            claimed += n;
        }
    };
    let (ca, cb) = tokio::join!(run(a), run(b));
    assert_eq!(ca + cb, total, "every e-mail claimed once ({ca} + {cb})");
    assert_eq!(outbox_files(app).len(), total, "every e-mail written once");
    assert_eq!(
        app.store.outbox_counts().await.unwrap(),
        vec![("sent".to_string(), total as i64)]
    );
}

/// `saraban serve` killed (-9) while it sends, and started again: every letter arrives, at most
/// the one in flight twice, and a copy sent twice carries the same Message-ID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_serve_mid_send_loses_nothing() {
    use std::process::{Command, Stdio};
    let dovecot = Dovecot::start(&[(CENTRAL_ADDR, CENTRAL_PW)]).await;
    let postfix = Postfix::start(&dovecot, &[CENTRAL_ADDR], None).await;
    let w = spawn_app_with(Db::Sqlite, |c| c.smtp.send = false)
        .await
        .world()
        .await;
    let app = &w.app;
    smtp_account(app, "school", postfix.smtp_port, SCHOOL_ADDR).await;
    let total = 60usize;
    let big = pdf_bytes(&"x".repeat(400_000));
    for i in 0..total {
        let (status, l) = app
            .post_letter(
                &w.school_clerk,
                &[
                    ("register", "outbound"),
                    ("to", "ผอ.สพป."),
                    ("subject", &format!("รายงานฉบับที่ {i}")),
                ],
                vec![("รายงาน.pdf", big.clone(), "รายงาน")],
            )
            .await;
        assert_eq!(status, 201, "{l}");
        send(
            app,
            &w.school_clerk,
            l["id"].as_i64().unwrap(),
            json!([{"email": CENTRAL_ADDR}]),
            "k",
        )
        .await;
    }
    let url = format!("sqlite://{}/saraban.db", app.dir.path().display());
    let serve = || {
        crate::helpers::serve::saraban(&["serve"], &url, app.dir.path().join("files"))
            .env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__MAIL__FETCH", "false")
            .env("SARABAN__SMTP__LEASE_SECS", "2")
            .env("SARABAN__SMTP__CONCURRENCY", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let sent = || async {
        app.store
            .outbox_counts()
            .await
            .unwrap()
            .iter()
            .find(|(s, _)| s == "sent")
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let mut first = serve();
    eventually(60, "the first letters sent", || async {
        (sent().await >= 5).then_some(())
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no clean-up of any kind
    first.wait().unwrap();
    let at_kill = sent().await;
    assert!(at_kill < total as i64, "killed part-way ({at_kill})");

    let mut second = serve();
    use futures_util::FutureExt;
    let result = std::panic::AssertUnwindSafe(eventually(120, "every letter sent", || async {
        (sent().await == total as i64).then_some(())
    }))
    .catch_unwind()
    .await;
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status();
    let _ = second.wait();
    result.unwrap();

    let arrived = eventually(30, "every message in the mailbox", || async {
        let msgs = dovecot.messages(CENTRAL_ADDR);
        (msgs.len() >= total).then_some(msgs)
    })
    .await;
    let mut ids: Vec<String> = arrived
        .iter()
        .filter_map(|m| header(&String::from_utf8_lossy(m), "Message-ID").map(str::to_string))
        .collect();
    ids.sort();
    let total_copies = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), total, "every letter arrived");
    assert!(
        total_copies <= total + 1,
        "at most the one in flight twice ({total_copies})"
    );
    drop(postfix);
}

/// The admin sets the office's SMTP account on the กล่องอีเมล page; a wrong form comes back in
/// Thai, the password is never shown back, and "ส่งทดสอบ" reports what the server said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_sets_smtp_on_the_page() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (client, csrf) = app.login("admin").await;
    let page = app.page(&client, "/settings/mailboxes").await;
    assert!(
        page.contains("ยังไม่ได้ตั้งค่า"),
        "the .eml fallback is explained"
    );
    let save = |fields: Vec<(&'static str, String)>| {
        let client = client.clone();
        let csrf = csrf.clone();
        async move {
            let mut form = vec![("csrf", csrf)];
            form.extend(fields);
            client
                .post(app.url("/settings/smtp"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let res = save(vec![
        ("host", "smtp.example.go.th".into()),
        ("port", "25".into()),
        ("security", "none".into()),
        ("from", "saraban@example.go.th".into()),
    ])
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("เฉพาะเครื่องเดียวกัน"));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let res = save(vec![
        ("host", "127.0.0.1".into()),
        ("port", port.to_string()),
        ("security", "none".into()),
        ("username", "saraban".into()),
        ("password", "smtp-secret-pw".into()),
        ("from", "saraban@example.go.th".into()),
    ])
    .await;
    assert_eq!(res.status(), 303);
    let page = app.page(&client, "/settings/mailboxes?done=smtp").await;
    assert!(page.contains(&format!("ส่งผ่าน 127.0.0.1:{port}")), "{page}");
    assert!(
        !page.contains("smtp-secret-pw"),
        "the password is never shown back"
    );
    let account = app.store.smtp_account("dist").await.unwrap().unwrap();
    assert_eq!(
        account.password.as_ref().map(|p| p.expose()),
        Some("smtp-secret-pw")
    );
    // Saving again without a password keeps the stored one.
    let res = save(vec![
        ("host", "127.0.0.1".into()),
        ("port", port.to_string()),
        ("security", "none".into()),
        ("username", "saraban".into()),
        ("from", "saraban@example.go.th".into()),
    ])
    .await;
    assert_eq!(res.status(), 303);
    let account = app.store.smtp_account("dist").await.unwrap().unwrap();
    assert_eq!(
        account.password.as_ref().map(|p| p.expose()),
        Some("smtp-secret-pw")
    );
    // Another host without the password again: refused, the stored password is never sent there.
    let res = save(vec![
        ("host", "localhost".into()),
        ("port", port.to_string()),
        ("security", "none".into()),
        ("username", "saraban".into()),
        ("from", "saraban@example.go.th".into()),
    ])
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("กรุณากรอกรหัสผ่านอีกครั้ง"));
    let account = app.store.smtp_account("dist").await.unwrap().unwrap();
    assert_eq!(account.host, "127.0.0.1", "nothing was changed");
    // Nothing listens there: the test says so.
    let res = client
        .post(app.url("/settings/smtp/test"))
        .form(&[("csrf", csrf.as_str()), ("to", "me@example.go.th")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("ส่งไม่สำเร็จ"));
    // Only the admin.
    let (clerk, clerk_csrf) = app.login("clerk").await;
    let res = clerk
        .post(app.url("/settings/smtp"))
        .form(&[("csrf", clerk_csrf.as_str()), ("host", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

/// (name, description, sha256) of each file in an API `attachments` list.
fn file_triples(attachments: &serde_json::Value) -> Vec<(String, String, String)> {
    attachments
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_string(),
                a["description"].as_str().unwrap().to_string(),
                a["sha256"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
