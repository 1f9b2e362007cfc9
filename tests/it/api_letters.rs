//! Registering, reading, searching, editing and cancelling letters through the JSON API.

use reqwest::Method;
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, pdf_bytes, spawn_app};

async fn register_read_and_download(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let pdf = pdf_bytes("hello saraban");
    let (status, letter) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ที่ ศธ ๐๔๑๘๓/ว๑๘๙๑"),
                ("doc_date", "2023-05-02"),
                ("from", "กลุ่มส่งเสริมการจัดการศึกษา"),
                ("to", "โรงเรียนอนุบาลอุบลราชธานี"),
                ("subject", "สรุปโครงการทำบุญวันละบาท 365 วัน"),
                ("action", "นายปกรณ์ วงศ์ยาลี"),
                ("speed", "most_urgent"),
                ("secrecy", "normal"),
            ],
            vec![("หนังสือนำส่ง.pdf", pdf.clone(), "หนังสือนำ")],
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    assert_eq!(letter["register"], "inbound");
    assert_eq!(letter["number"], 1);
    assert!(letter["year_be"].as_i64().unwrap() >= 2568);
    assert_eq!(
        letter["doc_no"], "ศธ 04183/ว1891",
        "Thai digits are stored as the same number"
    );
    assert_eq!(letter["doc_date"], "2023-05-02");
    assert_eq!(letter["doc_date_th"], "2 พ.ค. 2566");
    assert_eq!(letter["speed"], "most_urgent");
    assert!(letter["registered_at"].as_str().unwrap().contains('T'));
    let attachments = letter["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(attachments[0]["name"], "หนังสือนำส่ง.pdf");
    assert_eq!(attachments[0]["description"], "หนังสือนำ");
    assert_eq!(attachments[0]["size"], pdf.len());
    let sha = attachments[0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha, saraban::security::sha256_hex(&pdf));

    let id = letter["id"].as_i64().unwrap();
    let (status, again) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["subject"], "สรุปโครงการทำบุญวันละบาท 365 วัน");

    let res = app
        .get(&w.clerk, &format!("/api/v1/letters/{id}/attachments/1"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    let (status, _) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/attachments/2"))
        .await;
    assert_eq!(status, 404);
}
both_dbs!(register_read_and_download_cases, register_read_and_download);

async fn outbound_circular_and_order_numbers_are_generated(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let fields = |register| {
        vec![
            ("register", register),
            ("to", "ผู้อำนวยการโรงเรียนในสังกัด"),
            ("subject", "แจ้งกำหนดการประชุม"),
            ("doc_no", "ศธ 9999/1"),
        ]
    };
    let (_, out1) = app.post_letter(&w.clerk, &fields("outbound"), vec![]).await;
    let (_, circ) = app.post_letter(&w.clerk, &fields("circular"), vec![]).await;
    let (_, order) = app.post_letter(&w.clerk, &fields("order"), vec![]).await;
    assert_eq!(
        out1["doc_no"], "ศธ 04183/1",
        "a given ที่ is ignored for outbound"
    );
    assert_eq!(
        out1["from"], "สำนักงานเขตพื้นที่การศึกษาทดสอบ dist",
        "from defaults to the office"
    );
    // Circulars share the outbound series by default: the next number, with ว.
    assert_eq!(circ["number"], 2);
    assert_eq!(circ["doc_no"], "ศธ 04183/ว2");
    let year = order["year_be"].as_i64().unwrap();
    assert_eq!(order["number"], 1);
    assert_eq!(order["doc_no"], format!("1/{year}"));

    // The year has issued a circular: a separate series now would issue a second ว1 or ว2.
    let (status, refused) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            "/api/v1/settings",
            json!({"circular_numbering": "separate"}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "conflict");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ปีถัดไป"),
        "{refused}"
    );
    let (_, circ_again) = app.post_letter(&w.clerk, &fields("circular"), vec![]).await;
    assert_eq!(
        circ_again["doc_no"], "ศธ 04183/ว3",
        "still the shared series"
    );
    let (_, out2) = app.post_letter(&w.clerk, &fields("outbound"), vec![]).await;
    assert_eq!(out2["number"], 4);

    // An office that has not issued a circular this year may choose its own series.
    app.office("fresh", "district", None, "ศธ 04999").await;
    let fresh = app.user("fresh", "fresh-clerk", "clerk").await;
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &fresh,
            "/api/v1/settings",
            json!({"circular_numbering": "separate"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, out) = app.post_letter(&fresh, &fields("outbound"), vec![]).await;
    let (_, circ) = app.post_letter(&fresh, &fields("circular"), vec![]).await;
    assert_eq!(out["doc_no"], "ศธ 04999/1");
    assert_eq!(circ["doc_no"], "ศธ 04999/ว1");
    assert_eq!(circ["series"], "circular");
    // ... and once it has, the switch back is refused too.
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &fresh,
            "/api/v1/settings",
            json!({"circular_numbering": "shared_with_outbound"}),
        )
        .await;
    assert_eq!(status, 409);
    // Other settings still save while the numbering stays.
    let (status, saved) = app
        .send_json(
            Method::PATCH,
            &fresh,
            "/api/v1/settings",
            json!({"name": "สำนักงานใหม่", "circular_numbering": "separate"}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
}
both_dbs!(
    generated_numbers,
    outbound_circular_and_order_numbers_are_generated
);

async fn search_by_thai_substring_digits_and_field(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    app.inbound(&w.clerk, "การอบรมเชิงปฏิบัติการโครงการบ้านนักวิทยาศาสตร์น้อย")
        .await;
    app.inbound(&w.clerk, "ประชาสัมพันธ์การแข่งขันคณิตศาสตร์ ปี ๒๕๖๖")
        .await;
    app.inbound(&w.clerk, "ขอเชิญประชุมผู้บริหาร").await;
    let count = |q: &str, field: &str| {
        let path = format!(
            "/api/v1/letters?register=inbound&field={field}&q={}",
            percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
        );
        let app = &w.app;
        let token = w.clerk.clone();
        async move {
            let (status, body) = app.get_json(&token, &path).await;
            assert_eq!(status, 200, "{body}");
            body["total"].as_i64().unwrap()
        }
    };
    assert_eq!(
        count("วิทยาศาสตร์", "all").await,
        1,
        "Thai substring inside a word"
    );
    assert_eq!(count("ประช", "subject").await, 2);
    assert_eq!(count("ประชา", "subject").await, 1);
    assert_eq!(
        count("2566", "subject").await,
        1,
        "Arabic digits find Thai digits"
    );
    assert_eq!(
        count("ประชุม ผู้บริหาร", "all").await,
        1,
        "every word must match"
    );
    assert_eq!(count("ว1234", "doc_no").await, 3);
    assert_eq!(
        count("ว๑๒๓๔", "doc_no").await,
        3,
        "Thai digits find Arabic digits"
    );
    assert_eq!(
        count("ประชุม", "from").await,
        0,
        "field search looks only in that field"
    );
    assert_eq!(count("2", "number").await, 1);
    assert_eq!(count("%", "all").await, 0, "LIKE wildcards are literal");
    let (_, page) = app
        .get_json(
            &w.clerk,
            "/api/v1/letters?register=inbound&per_page=2&page=1",
        )
        .await;
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["number"], 3, "newest first");
    let (status, err) = app
        .get_json(&w.clerk, "/api/v1/letters?register=bogus")
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "bad_request");
}
both_dbs!(search, search_by_thai_substring_digits_and_field);

async fn cancel_keeps_the_number_and_edit_is_recorded(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let first = app.inbound(&w.clerk, "เรื่องที่จะยกเลิก").await;
    let id = first["id"].as_i64().unwrap();

    let (status, err) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/cancel"),
            json!({"reason": "  "}),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        err["error"]["fields"]["reason"]
            .as_str()
            .unwrap()
            .contains("เหตุผล")
    );

    let (status, edited) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "เรื่องที่แก้ไขแล้ว", "remark": "แก้คำผิด"}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["subject"], "เรื่องที่แก้ไขแล้ว");
    assert_eq!(edited["number"], 1);

    let (status, cancelled) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/cancel"),
            json!({"reason": "ลงทะเบียนซ้ำ"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(cancelled["cancelled"], true);
    assert_eq!(cancelled["cancel_reason"], "ลงทะเบียนซ้ำ");
    assert_eq!(cancelled["number"], 1);
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/cancel"),
            json!({"reason": "อีกครั้ง"}),
        )
        .await;
    assert_eq!(status, 409, "a cancelled entry cannot be cancelled again");
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            &format!("/api/v1/letters/{id}"),
            json!({"subject": "x"}),
        )
        .await;
    assert_eq!(status, 403, "a cancelled entry cannot be edited");

    // The number is never issued again.
    let next = app.inbound(&w.clerk, "เรื่องถัดไป").await;
    assert_eq!(next["number"], 2);
    let (_, list) = app
        .get_json(&w.clerk, "/api/v1/letters?register=inbound")
        .await;
    assert_eq!(list["total"], 2, "a cancelled entry stays in the register");

    let (status, history) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/history"))
        .await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["registered", "edited", "cancelled"]);
    let change = &history[1]["detail"]["changes"]["subject"];
    assert_eq!(change["old"], "เรื่องที่จะยกเลิก");
    assert_eq!(change["new"], "เรื่องที่แก้ไขแล้ว");
    assert_eq!(history[1]["actor"], "คุณclerk");
}
both_dbs!(
    cancel_and_edit,
    cancel_keeps_the_number_and_edit_is_recorded
);

async fn bad_input_gets_clear_json_errors(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let (status, err) = app
        .post_letter(
            &w.clerk,
            &[("register", "inbound"), ("subject", "")],
            vec![],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["code"], "validation_failed");
    for field in ["doc_no", "doc_date", "from", "subject"] {
        assert!(
            err["error"]["fields"][field].is_string(),
            "{field} missing in {err}"
        );
    }
    let (status, err) = app
        .post_letter(&w.clerk, &[("register", "memo"), ("subject", "x")], vec![])
        .await;
    assert_eq!(status, 422, "{err}");

    let ok_fields = [
        ("register", "inbound"),
        ("doc_no", "ศธ 04006/ว1"),
        ("doc_date", "2 พ.ค. 2566"),
        ("from", "สพฐ."),
        ("subject", "ทดสอบไฟล์"),
    ];
    // An executable renamed to .pdf is refused by content.
    let (status, err) = app
        .post_letter(
            &w.clerk,
            &ok_fields,
            vec![("virus.pdf", b"MZ\x90\x00\x03rest".to_vec(), "")],
        )
        .await;
    assert_eq!(status, 415, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("virus.pdf")
    );
    // A PDF named .docx is refused as a mismatch.
    let (status, _) = app
        .post_letter(
            &w.clerk,
            &ok_fields,
            vec![("report.docx", pdf_bytes("x"), "")],
        )
        .await;
    assert_eq!(status, 415);
    // Six files when five are allowed.
    let six = (0..6)
        .map(|i| ("a.pdf", pdf_bytes(&format!("{i}")), ""))
        .collect();
    let (status, err) = app.post_letter(&w.clerk, &ok_fields, six).await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["fields"]["files"]
            .as_str()
            .unwrap()
            .contains("5")
    );
    // Nothing was registered by the refused requests.
    let (_, list) = app.get_json(&w.clerk, "/api/v1/letters").await;
    assert_eq!(list["total"], 0);

    let res = app
        .http
        .post(app.url("/api/v1/letters"))
        .bearer_auth(&w.clerk)
        .json(&json!({"register": "inbound"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415, "JSON is not multipart");
    let res = app
        .http
        .post(app.url("/api/v1/letters/1/cancel"))
        .bearer_auth(&w.clerk)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}
both_dbs!(bad_input, bad_input_gets_clear_json_errors);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_files_are_refused_before_they_are_buffered() {
    let app = crate::helpers::spawn_app_with(Db::Sqlite, |c| {
        c.letters.max_attachment_mb = 1;
        c.letters.max_attachments = 2;
    })
    .await;
    let w = app.world().await;
    let app = &w.app;
    let mut big = pdf_bytes("big");
    big.resize(1024 * 1024 + 10, b' ');
    let fields = [
        ("register", "inbound"),
        ("doc_no", "ศธ 04006/ว1"),
        ("doc_date", "2 พ.ค. 2566"),
        ("from", "สพฐ."),
        ("subject", "ไฟล์ใหญ่"),
    ];
    let (status, err) = app
        .post_letter(&w.clerk, &fields, vec![("big.pdf", big, "")])
        .await;
    assert_eq!(status, 413, "{err}");
    assert_eq!(err["error"]["code"], "payload_too_large");
    // A body announced larger than every allowed file together is refused from its header alone:
    // the answer comes before a single byte of the body is sent.
    let answer = raw_request_without_body(
        app.base.trim_start_matches("http://"),
        &format!(
            "POST /api/v1/letters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
            w.clerk,
            50 * 1024 * 1024
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("payload_too_large"));
    let (_, list) = app.get_json(&w.clerk, "/api/v1/letters").await;
    assert_eq!(list["total"], 0);
}

/// Sends only the head of a request and reads what the server answers.
async fn raw_request_without_body(addr: &str, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut buf))
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}
