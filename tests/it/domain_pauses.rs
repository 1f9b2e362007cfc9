//! A district's send to many domains through a real Postfix: a domain whose server answers
//! "450 try again later" (greylisting) is paused after one attempt, its other letters wait
//! untried, and the letters to other domains go at once.

use reqwest::Method;
use serde_json::{Value, json};

use saraban::store::mailboxes::Security;
use saraban::store::smtp::SmtpAccount;

use crate::helpers::dovecot::{Dovecot, Postfix};
use crate::helpers::{Db, TestApp, eventually, spawn_app_with};

const CENTRAL: &str = "central@example.test";
const SLOW: &str = "saraban@slow.test";

async fn email_deliveries(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (status, body) = app
        .get_json(token, &format!("/api/v1/letters/{id}/deliveries"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d["channel"] == "email")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_greylisting_domain_waits_and_the_others_go() {
    let dovecot = Dovecot::start(&[(CENTRAL, "central-pw")]).await;
    let postfix = Postfix::start_deferring(&dovecot, &[CENTRAL], &["slow.test"]).await;
    let w = spawn_app_with(Db::Sqlite, |c| {
        // One at a time, so which letter meets the 450 first is known; a long pause.
        c.smtp.concurrency = 1;
        c.smtp.first_retry_secs = 600;
    })
    .await
    .world()
    .await;
    let app = &w.app;
    app.services
        .set_smtp_account(SmtpAccount {
            office_id: "school".into(),
            host: "127.0.0.1".into(),
            port: postfix.smtp_port,
            security: Security::None,
            ca_file: None,
            username: None,
            password: None,
            from_addr: "school@example.test".into(),
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        let (status, letter) = app
            .post_letter(
                &w.school_clerk,
                &[
                    ("register", "outbound"),
                    ("to", "ผู้รับ"),
                    ("subject", &format!("หนังสือฉบับที่ {i}")),
                ],
                Vec::new(),
            )
            .await;
        assert_eq!(status, 201, "{letter}");
        let id = letter["id"].as_i64().unwrap();
        let (status, sent) = app
            .send_json(
                Method::POST,
                &w.school_clerk,
                &format!("/api/v1/letters/{id}/send"),
                json!({"recipients": [{"email": SLOW}, {"email": CENTRAL}], "idempotency_key": "k"}),
            )
            .await;
        assert_eq!(status, 202, "{sent}");
        ids.push(id);
    }
    // Every letter reaches the central office, though slow.test keeps answering "try later".
    let all = eventually(60, "the central office's letters sent", || async {
        let mut all = Vec::new();
        for id in &ids {
            all.extend(email_deliveries(app, &w.school_clerk, *id).await);
        }
        let sent = all
            .iter()
            .filter(|d| d["recipient"]["email"] == CENTRAL && d["status"] == "sent")
            .count();
        (sent == 3).then_some(all)
    })
    .await;
    let slow: Vec<&Value> = all
        .iter()
        .filter(|d| d["recipient"]["email"] == SLOW)
        .collect();
    assert_eq!(slow.len(), 3);
    assert!(slow.iter().all(|d| d["status"] != "sent"), "{slow:?}");
    let tried: Vec<&&Value> = slow.iter().filter(|d| d["attempts"] != 0).collect();
    assert_eq!(tried.len(), 1, "one attempt for the domain: {slow:?}");
    assert!(
        tried[0]["error"]
            .as_str()
            .unwrap_or_default()
            .contains("450"),
        "{tried:?}"
    );
    let paused = app.store.paused_domains(chrono::Utc::now()).await.unwrap();
    assert_eq!(paused.len(), 1, "{paused:?}");
    assert_eq!(paused[0].domain, "slow.test");
    assert_eq!(paused[0].failures, 1);
    assert!(paused[0].last_reason.contains("450"), "{paused:?}");
    assert!(paused[0].paused_until > chrono::Utc::now() + chrono::Duration::minutes(5));
    // The admin sees the paused domain and why.
    let (admin, _) = app.login("admin").await;
    let page = app.page(&admin, "/settings/mailboxes").await;
    let table = page
        .split("id=\"paused-domains\"")
        .nth(1)
        .expect("paused domains shown");
    assert!(
        table.contains("slow.test") && table.contains("450"),
        "{table}"
    );
    let arrived = dovecot.messages(CENTRAL);
    assert_eq!(arrived.len(), 3, "each letter once");
    drop(postfix);
}

/// `smtp.per_domain_interval_ms`: letters to one domain leave at least that far apart (a lower
/// bound read from the written files' times, never a speed target).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letters_to_one_domain_are_paced() {
    let w = spawn_app_with(Db::Sqlite, |c| c.smtp.per_domain_interval_ms = 400)
        .await
        .world()
        .await;
    let app = &w.app;
    let mut ids = Vec::new();
    for i in 0..4 {
        let (status, letter) = app
            .post_letter(
                &w.school_clerk,
                &[
                    ("register", "outbound"),
                    ("to", "ผู้รับ"),
                    ("subject", &format!("หนังสือฉบับที่ {i}")),
                ],
                Vec::new(),
            )
            .await;
        assert_eq!(status, 201, "{letter}");
        let id = letter["id"].as_i64().unwrap();
        let (status, sent) = app
            .send_json(
                Method::POST,
                &w.school_clerk,
                &format!("/api/v1/letters/{id}/send"),
                json!({"recipients": [{"email": CENTRAL}], "idempotency_key": "k"}),
            )
            .await;
        assert_eq!(status, 202, "{sent}");
        ids.push(id);
    }
    eventually(60, "four letters written", || async {
        let mut done = 0;
        for id in &ids {
            done += email_deliveries(app, &w.school_clerk, *id)
                .await
                .iter()
                .filter(|d| d["status"] == "sent")
                .count();
        }
        (done == 4).then_some(())
    })
    .await;
    let mut times: Vec<std::time::SystemTime> = std::fs::read_dir(app.dir.path().join("outbox"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().modified().unwrap())
        .collect();
    times.sort();
    assert_eq!(times.len(), 4);
    let span = times[3].duration_since(times[0]).unwrap();
    assert!(
        span >= std::time::Duration::from_millis(1000),
        "three gaps of 400 ms: {span:?}"
    );
}
