//! The letter's journey inside the office: the district's centre → group → person → back, the
//! school's saraban → teacher, the director's endorsements, acknowledgements, secrecy per role,
//! and the hash-chained history.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both_dbs;
use crate::helpers::{Db, TestApp, World, spawn_app};
use crate::mail_out::outbox_files;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    app.send_json(Method::POST, token, path, body).await
}

async fn inbound(w: &World, subject: &str, secrecy: &str) -> i64 {
    // Each call is another letter, or the duplicate check would question it.
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let doc_no = format!("ศธ 04006/ว{n}");
    let (status, out) = w
        .app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", &doc_no),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน"),
                ("subject", subject),
                ("secrecy", secrecy),
                ("speed", "most_urgent"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{out}");
    out["id"].as_i64().unwrap()
}

async fn box_of(app: &TestApp, token: &str, which: &str) -> Vec<Value> {
    let (status, body) = app
        .get_json(token, &format!("/api/v1/inbox?box={which}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn history_kinds(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    let (status, body) = app
        .get_json(token, &format!("/api/v1/letters/{id}/history"))
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// District: the central saraban forwards to a work group with a note and a due date; a member
/// sees it in the group box, acknowledges it and sends it back; the register's การปฏิบัติ says who
/// had it and when.
async fn district_centre_group_person_and_back(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let services = &app.services;
    w.plan_group().await;
    assert!(
        services
            .add_work_group_member("plan", "school-clerk")
            .await
            .is_err(),
        "only the office's own people"
    );
    let id = inbound(&w, "ขอความร่วมมือจัดทำแผนปฏิบัติการ", "normal").await;

    // A due date already past is refused; it would be overdue the moment it is given.
    let (status, out) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"group": "plan"}], "note": "ดำเนินการด่วน", "due_date": "1 ม.ค. 2566"}),
    )
    .await;
    assert_eq!(status, 422, "{out}");
    assert!(out["error"]["fields"]["due_date"].is_string(), "{out}");
    let (status, out) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"group": "plan"}], "note": "ดำเนินการด่วน", "due_date": "31 ธ.ค. 2600"}),
    )
    .await;
    assert_eq!(status, 201, "{out}");
    // Time passes (the due date is moved back rather than waited for).
    sqlx::query("UPDATE assignments SET due_date = '2023-01-01' WHERE letter_id = $1")
        .bind(id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, follow) = app
        .get_json(&w.clerk, "/api/v1/follow-up?status=overdue")
        .await;
    assert_eq!(follow["total"], 1, "{follow}");
    assert_eq!(follow["items"][0]["letter_id"], id);
    assert_eq!(follow["groups"][0]["name"], "กลุ่มนโยบายและแผน");
    assert_eq!(follow["groups"][0]["overdue"], 1);
    assert_eq!(follow["groups"][0]["unacknowledged"], 1);
    let (_, follow) = app
        .get_json(&w.clerk, "/api/v1/follow-up?status=unacknowledged")
        .await;
    assert_eq!(follow["total"], 1);
    let (status, _) = app.get_json(&w.staff, "/api/v1/follow-up").await;
    assert_eq!(status, 403, "follow-up is for clerks and executives");
    let items = box_of(app, &w.staff, "group").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["subject"], "ขอความร่วมมือจัดทำแผนปฏิบัติการ");
    assert_eq!(items[0]["note"], "ดำเนินการด่วน");
    assert_eq!(items[0]["overdue"], true, "the due date has passed");
    assert!(items[0]["acknowledged_at"].is_null());
    assert!(box_of(app, &w.staff, "personal").await.is_empty());
    let (_, me) = app.get_json(&w.staff, "/api/v1/inbox?box=group").await;
    assert_eq!(me["total"], 1);

    // Staff may not pass on what was not given to them; this was.
    let (status, _) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/acknowledge"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/acknowledge"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409, "acknowledged once");
    let (_, follow) = app
        .get_json(&w.clerk, "/api/v1/follow-up?status=unacknowledged")
        .await;
    assert_eq!(follow["total"], 0, "acknowledged: off the list");
    let (_, follow) = app
        .get_json(&w.clerk, "/api/v1/follow-up?status=overdue")
        .await;
    assert_eq!(follow["total"], 1, "but not done: still overdue");
    let (status, done) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/done"),
        json!({"note": "ส่งแผนแล้ว"}),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    let (_, follow) = app
        .get_json(&w.clerk, "/api/v1/follow-up?status=overdue")
        .await;
    assert_eq!(follow["total"], 0, "done: no longer overdue");
    let (status, _) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/done"),
        json!({}),
    )
    .await;
    assert_eq!(status, 409, "done once");
    let (status, back) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/return"),
        json!({"note": "จัดทำแผนเรียบร้อยแล้ว"}),
    )
    .await;
    assert_eq!(status, 201, "{back}");
    assert_eq!(back["assignments"][0]["kind"], "return");
    let clerk_box = box_of(app, &w.clerk, "personal").await;
    assert_eq!(clerk_box[0]["note"], "จัดทำแผนเรียบร้อยแล้ว");

    let (_, journey) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/journey"))
        .await;
    let first = &journey["assignments"][0];
    assert_eq!(first["to"]["name"], "กลุ่มนโยบายและแผน");
    assert_eq!(first["acknowledged_by"], "คุณstaff");
    assert!(first["acknowledged_at"].is_string());
    assert_eq!(first["done_by"], "คุณstaff");
    assert_eq!(first["done_note"], "ส่งแผนแล้ว");
    assert_eq!(first["overdue"], false);

    let (_, letter) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}"))
        .await;
    let action = letter["action"].as_str().unwrap();
    assert!(
        action.contains("ส่ง กลุ่มนโยบายและแผน") && action.contains("ส่งคืน คุณclerk"),
        "{action}"
    );
    assert_eq!(
        history_kinds(app, &w.clerk, id).await,
        [
            "registered",
            "forwarded",
            "acknowledged",
            "done",
            "returned"
        ]
    );

    // Bad input is refused clearly.
    let (status, err) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"user": "nobody"}]}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": []}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = post(
        app,
        &w.school_clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"user": "staff"}]}),
    )
    .await;
    assert_eq!(
        status, 404,
        "another office's letter does not exist for them"
    );
}
both_dbs!(district_journey, district_centre_group_person_and_back);

/// The saraban proposes to the director, who endorses with each decision; มอบ gives the letter
/// in the same step; acting for the director is recorded; only executives endorse.
async fn propose_endorse_assign_acknowledge(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let id = inbound(&w, "ขออนุมัติจัดซื้อวัสดุ", "normal").await;
    let (status, out) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/propose"),
        json!({"to": "staff", "summary": "x"}),
    )
    .await;
    assert_eq!(status, 422, "only to the director or a deputy: {out}");
    let (status, out) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/propose"),
        json!({"to": "director", "summary": "เห็นควรอนุมัติ"}),
    )
    .await;
    assert_eq!(status, 201, "{out}");
    let proposed = box_of(app, &w.director, "personal").await;
    assert_eq!(proposed[0]["kind"], "propose");
    assert_eq!(proposed[0]["note"], "เห็นควรอนุมัติ");

    let (status, _) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/endorse"),
        json!({"decision": "approved"}),
    )
    .await;
    assert_eq!(status, 403, "staff do not endorse");
    let (status, _) = post(
        app,
        &w.director,
        &format!("/api/v1/letters/{id}/endorse"),
        json!({"decision": "maybe"}),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = post(
        app,
        &w.director,
        &format!("/api/v1/letters/{id}/endorse"),
        json!({"decision": "assign"}),
    )
    .await;
    assert_eq!(status, 422, "มอบ needs someone");
    for decision in ["noted", "permitted", "approved", "agreed", "signed"] {
        let (status, e) = post(
            app,
            &w.director,
            &format!("/api/v1/letters/{id}/endorse"),
            json!({"decision": decision, "text": "ดำเนินการ"}),
        )
        .await;
        assert_eq!(status, 201, "{decision}: {e}");
        assert_eq!(e["decision"], decision);
    }
    let (status, e) = post(
        app,
        &w.director,
        &format!("/api/v1/letters/{id}/endorse"),
        json!({"decision": "มอบ", "text": "มอบคุณstaff ดำเนินการ", "assign_to": [{"user": "staff"}],
               "acting_as": "รักษาราชการแทน"}),
    )
    .await;
    assert_eq!(status, 201, "{e}");
    assert_eq!(e["decision"], "assign");
    assert_eq!(e["acting_as"], "acting");
    let (_, journey) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/journey"))
        .await;
    assert_eq!(journey["endorsements"].as_array().unwrap().len(), 6);
    assert!(
        journey["assignments"][0]["acknowledged_at"].is_string(),
        "what was proposed is done once endorsed"
    );
    let staff_box = box_of(app, &w.staff, "personal").await;
    assert_eq!(staff_box[0]["kind"], "assign");
    let (status, _) = post(
        app,
        &w.staff,
        &format!("/api/v1/letters/{id}/acknowledge"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, journey) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/journey"))
        .await;
    let given = journey["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "assign")
        .unwrap()
        .clone();
    assert_eq!(given["acknowledged_by"], "คุณstaff");
    let kinds = history_kinds(app, &w.clerk, id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "endorsed").count(), 6);
}
both_dbs!(endorsements, propose_endorse_assign_acknowledge);

/// School: the saraban forwards to a teacher, who acknowledges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn school_saraban_to_teacher() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let teacher = app.user("school", "teacher1", "staff").await;
    let (status, out) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 04183/ว55"),
                ("doc_date", "3 พ.ค. 2566"),
                ("from", "สพป.ทดสอบ"),
                ("subject", "แจ้งอบรมครู"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{out}");
    let id = out["id"].as_i64().unwrap();
    let (status, _) = post(
        app,
        &w.school_clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"user": "teacher1"}], "note": "โปรดเข้าร่วม"}),
    )
    .await;
    assert_eq!(status, 201);
    let (_, counts) = app.get_json(&teacher, "/api/v1/me").await;
    assert_eq!(counts["unacknowledged"], 1, "{counts}");
    let (status, _) = post(
        app,
        &teacher,
        &format!("/api/v1/letters/{id}/acknowledge"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, counts) = app.get_json(&teacher, "/api/v1/me").await;
    assert_eq!(counts["unacknowledged"], 0);
}

/// A letter marked ลับ is seen (listed, counted, opened, searched) only by the saraban officers,
/// the executives and the people it was given to.
async fn secret_letters_per_role(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let id = inbound(&w, "เรื่องลับเฉพาะ", "confidential").await;
    inbound(&w, "เรื่องทั่วไป", "normal").await;
    for (token, sees) in [
        (&w.clerk, true),
        (&w.admin, true),
        (&w.director, true),
        (&w.staff, false),
    ] {
        let (status, _) = app.get_json(token, &format!("/api/v1/letters/{id}")).await;
        assert_eq!(status == 200, sees, "open: {status}");
        let (_, list) = app
            .get_json(token, "/api/v1/letters?register=inbound&q=เรื่อง")
            .await;
        assert_eq!(list["total"], if sees { 2 } else { 1 }, "search");
        let (_, dash) = app.get_json(token, "/api/v1/dashboard").await;
        let inbound_count = dash["registers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["register"] == "inbound")
            .unwrap()["count"]
            .clone();
        assert_eq!(inbound_count, if sees { 2 } else { 1 }, "count: {dash}");
    }
    let (status, _) = app
        .get_json(&w.staff, &format!("/api/v1/letters/{id}/attachments/1"))
        .await;
    assert_eq!(status, 404);
    // Given to the staff member: now they see it.
    let (status, _) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"user": "staff"}]}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .get_json(&w.staff, &format!("/api/v1/letters/{id}"))
        .await;
    assert_eq!(status, 200);
    let (_, list) = app
        .get_json(&w.staff, "/api/v1/letters?register=inbound")
        .await;
    assert_eq!(list["total"], 2);
}
both_dbs!(secrecy, secret_letters_per_role);

/// `saraban audit verify` passes on an untouched history and names the first tampered entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_finds_a_tampered_row() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let id = inbound(&w, "หนังสือทดสอบประวัติ", "normal").await;
    inbound(&w, "อีกฉบับ", "normal").await;
    let (status, _) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{id}/forward"),
        json!({"to": [{"user": "staff"}]}),
    )
    .await;
    assert_eq!(status, 201);
    let url = format!("sqlite://{}/saraban.db", app.dir.path().display());
    let verify = || {
        crate::helpers::serve::saraban(&["audit", "verify"], &url, app.dir.path().join("files"))
            .output()
            .unwrap()
    };
    let ok = verify();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact: 3 entries"));

    // Someone with the database file rewrites an entry behind the application's back.
    use sqlx::Row;
    let second: i64 = sqlx::query("SELECT id FROM letter_events ORDER BY id LIMIT 1 OFFSET 1")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("id");
    sqlx::query("DROP TRIGGER letter_events_append_only_update")
        .execute(app.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE letter_events SET detail = '{\"number\": 99}' WHERE id = $1")
        .bind(second)
        .execute(app.store.pool())
        .await
        .unwrap();
    let broken = verify();
    assert!(!broken.status.success());
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains(&format!("entry {second}")), "{err}");
}

/// The person a letter is given to gets an e-mail through the outbox (marked auto-generated); a
/// secret letter's subject stays out of it; the letter's own deliveries do not list it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_given_a_letter_get_an_email() {
    // Digests go out from midnight on, so the test need not wait for 07:00.
    let w = crate::helpers::spawn_app_with(Db::Sqlite, |c| c.smtp.digest_hour = 0)
        .await
        .world()
        .await;
    let app = &w.app;
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.director,
            "/api/v1/me/notifications",
            json!({"email": "director@example.test", "notify": "daily"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.staff,
            "/api/v1/me/notifications",
            json!({"email": "not-an-address"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.staff,
            "/api/v1/me/notifications",
            json!({"email": "staff@example.test"}),
        )
        .await;
    assert_eq!(status, 200);
    let open = inbound(&w, "แจ้งประชุมคณะทำงาน", "normal").await;
    let secret = inbound(&w, "รายชื่อผู้ถูกสอบสวน", "secret").await;
    for id in [open, secret] {
        let (status, _) = post(
            app,
            &w.clerk,
            &format!("/api/v1/letters/{id}/forward"),
            json!({"to": [{"user": "staff"}], "note": "โปรดพิจารณา"}),
        )
        .await;
        assert_eq!(status, 201);
    }
    let mails = crate::helpers::eventually(30, "two notification e-mails", || async {
        let mails: Vec<String> = outbox_files(app)
            .into_iter()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .filter(|m| m.contains("staff@example.test"))
            .collect();
        (mails.len() == 2).then_some(mails)
    })
    .await;
    let parsed: Vec<_> = mails
        .iter()
        .map(|m| saraban::message::parse::parse(m.as_bytes()).unwrap())
        .collect();
    for (raw, p) in mails.iter().zip(&parsed) {
        assert!(raw.contains("Auto-Submitted: auto-generated"));
        assert!(raw.contains("staff@example.test"));
        assert!(p.text.contains("ส่งหนังสือถึงท่าน"), "{}", p.text);
    }
    assert!(
        parsed
            .iter()
            .any(|p| p.subject.contains("แจ้งประชุมคณะทำงาน"))
    );
    for p in &parsed {
        assert!(!p.subject.contains("รายชื่อผู้ถูกสอบสวน") && !p.text.contains("รายชื่อผู้ถูกสอบสวน"));
    }
    assert!(parsed.iter().any(|p| p.subject.contains("ลับมาก")));
    let (_, deliveries) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{open}/deliveries"))
        .await;
    assert_eq!(deliveries["items"].as_array().unwrap().len(), 0);

    // The director asked for one digest a day instead: no e-mail per letter, one list.
    let (status, _) = post(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{open}/propose"),
        json!({"to": "director", "summary": "เสนอเพื่อโปรดทราบ"}),
    )
    .await;
    assert_eq!(status, 201);
    let digest = crate::helpers::eventually(30, "the director's digest", || async {
        outbox_files(app)
            .into_iter()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .find(|m| m.contains("director@example.test"))
    })
    .await;
    let parsed = saraban::message::parse::parse(digest.as_bytes()).unwrap();
    assert!(
        parsed.subject.contains("สรุปหนังสือที่รอท่านรับทราบ"),
        "{}",
        parsed.subject
    );
    assert!(parsed.text.contains("แจ้งประชุมคณะทำงาน"), "{}", parsed.text);
    let today = saraban::domain::thai_date::to_bangkok(chrono::Utc::now()).date();
    assert_eq!(
        app.store.queue_digests(today).await.unwrap(),
        0,
        "one digest a day"
    );
    let mails_to_director = outbox_files(app)
        .iter()
        .filter(|b| String::from_utf8_lossy(b).contains("director@example.test"))
        .count();
    assert_eq!(mails_to_director, 1, "no per-letter e-mail in daily mode");
}

/// The หนังสือถึงฉัน page lists what was given to me, urgent first, and lets me set my
/// notification address (a wrong one comes back with a Thai message).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_box_page_and_notification_form() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (status, slow) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 1/1"),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สพฐ."),
                ("subject", "เรื่องปกติ"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201);
    let slow = slow["id"].as_i64().unwrap();
    let (status, out) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 1/2"),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สพฐ."),
                ("subject", "เรื่องด่วนที่สุด"),
                ("speed", "most_urgent"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201);
    // The ordinary one is given last, yet the most urgent is listed first.
    for id in [out["id"].as_i64().unwrap(), slow] {
        let (status, _) = post(
            app,
            &w.clerk,
            &format!("/api/v1/letters/{id}/forward"),
            json!({"to": [{"user": "staff"}]}),
        )
        .await;
        assert_eq!(status, 201);
    }
    let (client, csrf) = app.login("staff").await;
    let page = app.page(&client, "/my").await;
    let urgent_at = page.find("เรื่องด่วนที่สุด").expect("urgent listed");
    let normal_at = page.find("เรื่องปกติ").expect("normal listed");
    assert!(urgent_at < normal_at, "urgent first");
    assert!(page.contains("ยังไม่รับทราบ"));
    let res = client
        .post(app.url("/my/notifications"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "nonsense"),
            ("notify", "each"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("ที่อยู่อีเมลไม่ถูกต้อง"));
    let res = client
        .post(app.url("/my/notifications"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "staff@example.test"),
            ("notify", "daily"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let page = app.page(&client, "/my?saved=1").await;
    assert!(page.contains("staff@example.test") && page.contains("value=\"daily\" selected"));
}
