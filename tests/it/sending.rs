//! Sending in-system: a school's outbound letter reaches the district's inbox with exactly its
//! facts and files; the district registers it; the school sees the district's register number.

use reqwest::Method;
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, pdf_bytes, spawn_app};

async fn a_letter_travels_in_system_and_comes_back_registered(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let pdf1 = pdf_bytes("first");
    let pdf2 = pdf_bytes("second");
    let (status, out) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา"),
                ("subject", "ขออนุญาตไปราชการ"),
                ("speed", "very_urgent"),
            ],
            vec![
                ("หนังสือขออนุญาต.pdf", pdf1.clone(), "หนังสือ"),
                ("กำหนดการ.pdf", pdf2.clone(), "กำหนดการ"),
            ],
        )
        .await;
    assert_eq!(status, 201, "{out}");
    let id = out["id"].as_i64().unwrap();
    let send = json!({"recipients": [{"office": "dist"}], "idempotency_key": "click-1"});
    let (status, sent) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}/send"),
            send.clone(),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["deliveries"][0]["status"], "delivered");
    assert_eq!(sent["deliveries"][0]["channel"], "in-system");
    // A double click sends once.
    let (status, again) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}/send"),
            send,
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(again["deliveries"], sent["deliveries"]);

    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    assert_eq!(inbox["total"], 1);
    let entry = &inbox["items"][0];
    assert_eq!(entry["source"], "in-system");
    assert_eq!(entry["doc_no"], "ศธ 04183.006/1");
    assert_eq!(entry["subject"], "ขออนุญาตไปราชการ");
    assert_eq!(entry["from"], "โรงเรียนทดสอบ school");
    assert_eq!(entry["speed"], "very_urgent");
    let shas: Vec<&str> = entry["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(
        shas,
        [
            saraban::security::sha256_hex(&pdf1),
            saraban::security::sha256_hex(&pdf2)
        ]
    );

    let entry_id = entry["id"].as_i64().unwrap();
    app.inbound(&w.clerk, "หนังสืออื่นก่อนหน้า").await;
    let (status, registered) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{registered}");
    assert_eq!(registered["number"], 2);
    assert_eq!(registered["doc_no"], "ศธ 04183.006/1");

    let (_, deliveries) = app
        .get_json(&w.school_clerk, &format!("/api/v1/letters/{id}/deliveries"))
        .await;
    let d = &deliveries["items"][0];
    assert_eq!(d["status"], "registered");
    assert_eq!(d["recipient_number"], 2);
    assert_eq!(d["recipient"]["office"], "dist");

    // The school's page shows it; the district sees nothing of the school's register.
    let (browser, _) = app.login("school-clerk").await;
    let page = app.page(&browser, &format!("/letters/{id}")).await;
    assert!(
        page.contains("ผู้รับลงทะเบียนรับแล้ว") && page.contains("เลขทะเบียนรับ 2/"),
        "deliveries shown"
    );
    let (status, _) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/deliveries"))
        .await;
    assert_eq!(status, 404);
}
both_dbs!(
    in_system_round_trip,
    a_letter_travels_in_system_and_comes_back_registered
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_sent_is_refused_clearly() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let inbound = app.inbound(&w.clerk, "หนังสือรับ").await;
    let (_, secret) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "x"),
                ("subject", "ลับมาก"),
                ("secrecy", "top_secret"),
            ],
            vec![],
        )
        .await;
    let send = |id: i64, body: serde_json::Value, token: String| {
        let app = &w.app;
        async move {
            app.send_json(
                Method::POST,
                &token,
                &format!("/api/v1/letters/{id}/send"),
                body,
            )
            .await
        }
    };
    let (status, _) = send(
        inbound["id"].as_i64().unwrap(),
        json!({"recipients": [{"office": "school"}], "idempotency_key": "k"}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 409, "an inbound letter is not sent on");
    let sid = secret["id"].as_i64().unwrap();
    let (status, err) = send(
        sid,
        json!({"recipients": [{"email": "a@b.go.th"}], "idempotency_key": "k"}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ลับที่สุดห้ามส่งทางอีเมล")
    );
    let (status, err) = send(
        sid,
        json!({"recipients": [{"email": "a@b.go.th"}], "idempotency_key": "k"}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = send(
        sid,
        json!({"recipients": [{"office": "nowhere"}], "idempotency_key": "k"}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = send(
        sid,
        json!({"recipients": [{"office": "dist"}], "idempotency_key": "k"}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 422, "not to oneself");
    let (status, _) = send(
        sid,
        json!({"recipients": [{"office": "school"}], "idempotency_key": ""}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 422, "a key is required");
    let (status, _) = send(
        sid,
        json!({"recipients": [{"office": "school"}], "idempotency_key": "k"}),
        w.staff.clone(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, ok) = send(
        sid,
        json!({"recipients": [{"office": "school"}], "idempotency_key": "k"}),
        w.clerk.clone(),
    )
    .await;
    assert_eq!(status, 202, "in-system is fine for ลับที่สุด: {ok}");
}

async fn circular(app: &crate::helpers::TestApp, token: &str, subject: &str) -> i64 {
    let (status, out) = app
        .post_letter(
            token,
            &[
                ("register", "circular"),
                ("to", "ผู้อำนวยการโรงเรียนในสังกัด"),
                ("subject", subject),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{out}");
    out["id"].as_i64().unwrap()
}

/// A district sends to all its schools, or to a saved group of them, in one go; a school cannot.
async fn a_district_sends_to_all_schools_or_a_saved_group(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    app.office("school2", "school", Some("dist"), "ศธ 04183.007")
        .await;
    app.office("school3", "school", Some("dist"), "ศธ 04183.008")
        .await;
    let school2 = app.user("school2", "school2-clerk", "clerk").await;
    let services = &app.services;
    let bad = services
        .create_school_group("school", "กลุ่ม", &["school2".into()])
        .await;
    assert!(bad.is_err(), "only a district keeps school groups");
    let bad = services
        .create_school_group("dist", "กลุ่ม", &["nowhere".into()])
        .await;
    assert!(bad.is_err(), "members are the district's schools");
    let group = services
        .create_school_group(
            "dist",
            "กลุ่มเครือข่ายที่ 1",
            &["school".into(), "school2".into()],
        )
        .await
        .unwrap();
    let (_, groups) = app.get_json(&w.clerk, "/api/v1/school-groups").await;
    assert_eq!(groups["items"][0]["name"], "กลุ่มเครือข่ายที่ 1");

    let to_group = circular(app, &w.clerk, "แจ้งกลุ่มเครือข่าย").await;
    let (status, sent) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{to_group}/send"),
            json!({"recipients": [{"school_group": group.id}], "idempotency_key": "g"}),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    let mut to: Vec<&str> = sent["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["recipient"]["office"].as_str().unwrap())
        .collect();
    to.sort();
    assert_eq!(to, ["school", "school2"]);

    let to_all = circular(app, &w.clerk, "แจ้งทุกโรงเรียน").await;
    let (status, sent) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{to_all}/send"),
            json!({"recipients": [{"all_schools": true}, {"office": "school"}], "idempotency_key": "a"}),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(
        sent["deliveries"].as_array().unwrap().len(),
        3,
        "three schools, each once: {sent}"
    );
    let (_, inbox) = app.get_json(&school2, "/api/v1/inbox").await;
    assert_eq!(inbox["total"], 2, "school2 got both letters");

    let (status, out) = app
        .post_letter(
            &w.school_clerk,
            &[("register", "outbound"), ("to", "ผอ."), ("subject", "x")],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201);
    let (status, err) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{}/send", out["id"]),
            json!({"recipients": [{"all_schools": true}], "idempotency_key": "s"}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
}
both_dbs!(
    district_sends_to_school_groups,
    a_district_sends_to_all_schools_or_a_saved_group
);

/// A school sends straight to one of the district's work groups: the letter reaches the
/// district's inbox addressed to the group, and registering it gives it to the group at once.
async fn a_school_sends_to_a_district_work_group(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    w.plan_group().await;
    let (status, out) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการกลุ่มนโยบายและแผน"),
                ("subject", "ส่งแผนปฏิบัติการประจำปี"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{out}");
    let id = out["id"].as_i64().unwrap();
    let (status, sent) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{id}/send"),
            json!({"recipients": [{"work_group": "plan"}], "idempotency_key": "w"}),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["deliveries"][0]["recipient"]["office"], "dist");
    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    let entry = &inbox["items"][0];
    assert_eq!(entry["subject"], "ส่งแผนปฏิบัติการประจำปี");
    let (status, registered) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{}/register", entry["id"]),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{registered}");
    let (_, group_box) = app.get_json(&w.staff, "/api/v1/inbox?box=group").await;
    assert_eq!(group_box["items"][0]["letter_id"], registered["id"]);
    assert!(
        registered["action"]
            .as_str()
            .unwrap()
            .contains("ส่ง กลุ่มนโยบายและแผน"),
        "{registered}"
    );
    // Within one office a group is reached by forwarding, not by sending.
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{}/send", registered["id"]),
            json!({"recipients": [{"work_group": "plan"}], "idempotency_key": "x"}),
        )
        .await;
    assert!(status == 409 || status == 422, "{status}");
}
both_dbs!(
    school_to_district_work_group,
    a_school_sends_to_a_district_work_group
);
