//! The OpenAPI document describes routes that exist, and is itself behind login.

use reqwest::Method;

use crate::helpers::{Db, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_answers() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    app.inbound(&w.admin, "เอกสารทดสอบ").await;
    // …and an e-mail delivery (number 1) of an outbound letter.
    let (status, out) = app
        .post_letter(
            &w.admin,
            &[
                ("register", "outbound"),
                ("to", "ผอ."),
                ("subject", "ทดสอบส่ง"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{out}");
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.admin,
            &format!("/api/v1/letters/{}/send", out["id"]),
            serde_json::json!({"recipients": [{"email": "a@example.test"}], "idempotency_key": "k"}),
        )
        .await;
    assert_eq!(status, 202);
    // Something behind every {id}: an inbox entry, a quarantined message, a mailbox.
    let office = app.store.find_office("dist").await.unwrap();
    let origin = saraban::service::ingest::Origin::File("doc".into());
    let letter = crate::mail_ingest::thai_letter(
        "doc@x.go.th",
        "เรื่อง ทดสอบ",
        &crate::helpers::pdf_bytes("d"),
    );
    saraban::service::ingest::ingest(&app.services, &office, &origin, letter.into(), None)
        .await
        .unwrap();
    saraban::service::ingest::ingest(
        &app.services,
        &office,
        &origin,
        bytes::Bytes::from_static(b"\x00junk"),
        None,
    )
    .await
    .unwrap();
    let input = saraban::service::mailboxes::MailboxInput {
        host: "127.0.0.1".into(),
        port: "9".into(),
        security: "none".into(),
        username: "u".into(),
        password: "p".into(),
        ..Default::default()
    };
    saraban::service::mailboxes::add_mailbox(&app.store, "dist", &input)
        .await
        .unwrap();
    // A work group, a school group (id 1) and another officer's token to revoke.
    w.plan_group().await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.admin,
            "/api/v1/school-groups",
            serde_json::json!({"name": "ทุกโรงเรียน", "members": ["school"]}),
        )
        .await;
    assert_eq!(status, 201);
    // Letter 1 filed and lent (loan 1), so the filing and lending paths find their targets.
    for (path, body) in [
        (
            "/api/v1/file-codes",
            serde_json::json!({"code": "1", "name": "ทั่วไป"}),
        ),
        (
            "/api/v1/letters/1/filing",
            serde_json::json!({"file_code": "1"}),
        ),
        (
            "/api/v1/letters/1/loans",
            serde_json::json!({"borrower_user": "staff", "purpose": "ตรวจสอบ", "due_on": "2099-01-01"}),
        ),
    ] {
        let (status, body) = app.send_json(Method::POST, &w.admin, path, body).await;
        assert_eq!(status, 201, "{path}: {body}");
    }
    // A destruction list (id 1): a letter of 2560 kept one year, surveyed for 2566.
    // And a 20-year list (id 1): a letter of 21 years ago.
    let old = saraban::domain::thai_date::be_year_of(chrono::Utc::now()) - 21;
    let csv = format!(
        "เลขทะเบียนส่ง,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
         1,2560,ศธ 04183/1,2017-03-01,สพป.,สพฐ.,เรื่องประจำ,1 ปี\r\n\
         1,{old},ศธ 04183/9,1 มี.ค. {old},สพป.,สพฐ.,เรื่องเก่า,ห้ามทำลาย\r\n"
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("old.csv"),
    );
    let res = app
        .http
        .post(app.url("/api/v1/registers/outbound/import"))
        .bearer_auth(&w.admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.admin,
            "/api/v1/disposals",
            serde_json::json!({"year_be": 2566}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.admin,
            "/api/v1/handovers",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, tokens) = app.get_json(&w.admin, "/api/v1/tokens").await;
    let clerk_token = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["username"] == "clerk")
        .and_then(|t| t["id"].as_str())
        .unwrap()
        .to_string();
    let (status, doc) = app.get_json(&w.admin, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    // Deleting goes last, so that nothing after it finds its target gone.
    let mut ordered: Vec<(&String, &serde_json::Value)> = paths.iter().collect();
    ordered.sort_by_key(|(_, item)| item.get("delete").is_some());
    for (path, item) in ordered {
        let concrete = path
            .replace("{id}", "1")
            .replace("{n}", "9")
            .replace("{year_be}", "2570")
            .replace("{series}", "inbound")
            .replace("{group}", "plan")
            .replace("{file}", "inbound.xlsx")
            .replace(
                "{form}",
                if path.starts_with("/handovers") {
                    "form21.pdf"
                } else {
                    "register.xlsx"
                },
            )
            .replace("{register}", "outbound")
            .replace("{token}", &clerk_token);
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut req = app
                .http
                .request(m, app.url(&format!("/api/v1{concrete}")))
                .bearer_auth(&w.admin);
            if method != "get" && path != "/letters" {
                req = req.json(&serde_json::json!({}));
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
            // A file at a position, or a closed register's PDF, may well not exist.
            if !path.contains("{n}") && !path.ends_with("closing.pdf") {
                assert_ne!(status, 404, "{method} {path} is documented but not found");
            }
            assert!(status < 500, "{method} {path} failed with {status}");
        }
    }
    // Every API route but the document itself (see security::API_ROUTES).
    assert_eq!(
        operations,
        crate::security::API_ROUTES.len() - 1,
        "documented operations"
    );
}
