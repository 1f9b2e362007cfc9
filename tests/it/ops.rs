//! For operators: `/healthz`, `/readyz` (503 when the file store cannot be written) and
//! `/metrics` (Prometheus text whose figures follow the registers, the outbox and the routes
//! served); and `serve --role web|worker`: a web process and a worker process on one database,
//! the letter sent on the first is delivered by the second.

use reqwest::Method;
use serde_json::json;

use crate::helpers::serve::{Serve, outbound_letter, run_ok, saraban, send_by_email};
use crate::helpers::{Db, eventually, spawn_app};

/// The value of a metric line `name{labels} value` (labels as written, "" for none).
fn metric(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = if labels.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{labels}}}")
    };
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} ")))
        .and_then(|v| v.trim().parse().ok())
}

async fn health_readiness_and_metrics(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let http = reqwest::Client::new();
    let res = http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let ready: serde_json::Value = res.json().await.unwrap();
    assert_eq!(ready["ready"], true, "{ready}");

    for i in 0..3 {
        let (status, letter) = app
            .post_letter(
                &w.school_clerk,
                &[
                    ("register", "outbound"),
                    ("to", "สพป."),
                    ("subject", &format!("หนังสือ {i}")),
                ],
                Vec::new(),
            )
            .await;
        assert_eq!(status, 201, "{letter}");
        if i == 0 {
            let id = letter["id"].as_i64().unwrap();
            let (status, sent) = app
                .send_json(
                    Method::POST,
                    &w.school_clerk,
                    &format!("/api/v1/letters/{id}/send"),
                    json!({"recipients": [{"email": "central@example.test"}], "idempotency_key": "m"}),
                )
                .await;
            assert_eq!(status, 202, "{sent}");
        }
    }
    let text = eventually(60, "the e-mail counted as sent", || async {
        let text = app.metrics().await;
        (metric(&text, "saraban_outbox_emails", "status=\"sent\"") == Some(1.0)).then_some(text)
    })
    .await;
    assert_eq!(
        metric(&text, "saraban_letters_registered", ""),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        metric(&text, "saraban_mails_taken_in", ""),
        Some(0.0),
        "{text}"
    );
    // Request timings are the process's own (tests run side by side in one process: at least
    // this test's own request).
    assert!(
        metric(
            &text,
            "saraban_http_request_duration_seconds_count",
            "method=\"GET\",route=\"/readyz\",status=\"2xx\""
        )
        .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/v1/letters/{id}/send\""),
        "{text}"
    );
    assert!(text.trim_end().ends_with("# EOF"), "OpenMetrics text");

    // The file store cannot be written: not ready, and the answer says why.
    let files = app.dir.path().join("files");
    std::fs::remove_dir_all(&files).unwrap();
    std::fs::write(&files, b"not a folder").unwrap();
    let res = http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 503);
    let ready: serde_json::Value = res.json().await.unwrap();
    assert_eq!(ready["ready"], false);
    assert_eq!(ready["database"], "ok");
    assert_ne!(ready["files"], "ok", "{ready}");
    let res = http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200, "alive all the same");
}
crate::both_dbs!(health_and_metrics, health_readiness_and_metrics);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_process_and_a_worker_process_share_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let command = |args: &[&str]| {
        let mut c = saraban(
            args,
            &format!("sqlite://{}/s.db", d.display()),
            d.join("files"),
        );
        c.current_dir(d)
            .env("SARABAN__SMTP__OUTBOX_DIR", d.join("outbox"))
            .env("SARABAN__SMTP__POLL_SECS", "1")
            .env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__SENDER_AUTH__VERIFY", "false");
        c
    };
    let run = |args: &[&str], input: &str| run_ok(command(args), input);
    run(
        &[
            "office",
            "add",
            "--id",
            "s1",
            "--name",
            "โรงเรียนทดสอบ",
            "--prefix",
            "ศธ 04183.006",
            "--kind",
            "school",
        ],
        "",
    );
    run(
        &[
            "user",
            "add",
            "--office",
            "s1",
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
    let start = |role: &str| Serve::start(command(&["serve", "--role", role]));
    let web = start("web");
    let worker = start("worker");
    let http = reqwest::Client::new();
    let status = |url: String| {
        let http = http.clone();
        async move { http.get(url).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(format!("{}/login", web.base)).await, 200);
    assert_eq!(
        status(format!("{}/login", worker.base)).await,
        404,
        "no pages"
    );
    assert_eq!(status(format!("{}/healthz", worker.base)).await, 200);
    assert_eq!(status(format!("{}/metrics", worker.base)).await, 200);

    // A letter sent through the web process leaves through the worker's outbox.
    let id = outbound_letter(&http, &web.base, &token, "หนังสือส่งผ่านสองเครื่อง", None).await;
    send_by_email(&http, &web.base, &token, id, "central@example.test", "w").await;
    eventually(60, "the worker wrote the e-mail", || async {
        std::fs::read_dir(d.join("outbox"))
            .ok()
            .and_then(|mut entries| entries.next())
            .map(|_| ())
    })
    .await;
}
