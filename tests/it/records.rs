//! The record's life: earlier registers brought in (export → import round-trips, bad rows refused
//! whole), retention, and legal holds.

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};

use crate::both_dbs;
use crate::helpers::{Db, TestApp, World, spawn_app};

fn this_year() -> i32 {
    saraban::domain::thai_date::be_year_of(Utc::now())
}

async fn import(
    app: &TestApp,
    token: &str,
    register: &str,
    name: &str,
    data: Vec<u8>,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(data).file_name(name.to_string()),
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/registers/{register}/import")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn download(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let res = app.get(token, path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.bytes().await.unwrap().to_vec()
}

async fn list(app: &TestApp, token: &str, register: &str) -> Vec<Value> {
    let (status, page) = app
        .get_json(
            token,
            &format!("/api/v1/letters?register={register}&per_page=100"),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let mut items = page["items"].as_array().cloned().unwrap_or_default();
    items.sort_by_key(|l| l["number"].as_i64());
    items
}

/// What must survive an export and an import.
fn facts(l: &Value) -> Value {
    json!([
        l["number"],
        l["year_be"],
        l["doc_no"],
        l["doc_date"],
        l["from"],
        l["to"],
        l["subject"],
        l["action"],
        l["remark"],
        l["speed"],
        l["secrecy"],
        l["letter_type"],
        l["cancelled"],
        l["cancel_reason"],
        l["retention"]["class"],
        l["retention"]["keep_until"],
    ])
}

async fn round_trip(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    for (subject, speed) in [
        ("ขอเชิญประชุมผู้บริหารสถานศึกษา", "normal"),
        ("รายงานผลการดำเนินงาน, ไตรมาส 1 \"ด่วน\"", "urgent"),
        ("ส่งแบบสำรวจข้อมูลนักเรียน", "most_urgent"),
    ] {
        let (status, body) = app
            .post_letter(
                &w.clerk,
                &[
                    ("register", "outbound"),
                    ("to", "โรงเรียนบ้านหนองบัว"),
                    ("subject", subject),
                    ("speed", speed),
                    ("action", "กลุ่มนโยบายและแผน"),
                ],
                vec![],
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let originals = list(app, &w.clerk, "outbound").await;
    let (first, second) = (originals[0]["id"].clone(), originals[1]["id"].clone());
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{first}/cancel"),
            json!({"reason": "ออกเลขซ้ำ"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            &format!("/api/v1/letters/{second}/retention"),
            json!({"class": "permanent"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["keep_until"], "ห้ามทำลาย");
    let originals = list(app, &w.clerk, "outbound").await;
    let year = this_year();

    // The export carries what the import needs; the school brings it in as its own register.
    let csv = download(
        app,
        &w.clerk,
        &format!("/api/v1/registers/outbound.csv?year_be={year}"),
    )
    .await;
    let xlsx = download(
        app,
        &w.clerk,
        &format!("/api/v1/registers/outbound.xlsx?year_be={year}"),
    )
    .await;
    let (status, report) = import(
        app,
        &w.school_clerk,
        "outbound",
        "ทะเบียนส่ง.csv",
        csv.clone(),
    )
    .await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["imported"], 3);
    assert_eq!(report["counter_moved"], year);
    let imported = list(app, &w.school_clerk, "outbound").await;
    assert_eq!(
        imported.iter().map(facts).collect::<Vec<_>>(),
        originals.iter().map(facts).collect::<Vec<_>>(),
        "export → import gives the same register"
    );
    assert_eq!(imported[0]["imported"]["by"], "คุณschool-clerk");
    let (_, history) = app
        .get_json(
            &w.school_clerk,
            &format!("/api/v1/letters/{}/history", imported[0]["id"]),
        )
        .await;
    assert_eq!(history[0]["kind"], "imported", "{history}");
    assert_eq!(history[0]["detail"]["row"], 1);

    // The school's own ที่ are unique in a year, whichever register: the same rows as orders clash.
    let (status, err) = import(app, &w.school_clerk, "order", "ทะเบียนส่ง.xlsx", xlsx.clone()).await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ซ้ำกับหนังสือของสำนักงาน"),
        "{err}"
    );

    // XLSX too, into another school's order register.
    app.office("school2", "school", Some("dist"), "ศธ 04183.007")
        .await;
    let school2 = app.user("school2", "school2-clerk", "clerk").await;
    let (status, report) = import(app, &school2, "order", "ทะเบียนส่ง.xlsx", xlsx).await;
    assert_eq!(status, 201, "{report}");
    let orders = list(app, &school2, "order").await;
    assert_eq!(
        orders
            .iter()
            .map(|l| facts(l).as_array().unwrap()[1..9].to_vec())
            .collect::<Vec<_>>(),
        originals
            .iter()
            .map(|l| facts(l).as_array().unwrap()[1..9].to_vec())
            .collect::<Vec<_>>(),
    );

    // The same file again: every row clashes, nothing is written, each row is named in Thai.
    let (status, err) = import(app, &w.school_clerk, "outbound", "ทะเบียนส่ง.csv", csv).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["code"], "import_refused");
    let rows = err["error"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0]["messages"][0]
            .as_str()
            .unwrap()
            .contains("มีอยู่ในทะเบียนแล้ว"),
        "{err}"
    );
    assert_eq!(list(app, &w.school_clerk, "outbound").await.len(), 3);

    // The current year's counter follows the imported numbers.
    let (status, next) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "สพป."),
                ("subject", "ต่อจากเลขที่นำเข้า"),
            ],
            vec![],
        )
        .await;
    assert_eq!(status, 201, "{next}");
    assert_eq!(next["number"], 4);

    // The staff may not import.
    let (status, _) = import(app, &w.staff, "outbound", "x.csv", b"a,b\n".to_vec()).await;
    assert_eq!(status, 403);
}
both_dbs!(export_then_import_gives_the_same_register, round_trip);

async fn bad_rows(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let csv = "\u{feff}เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
               5,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,ประชุม,10 ปี\r\n\
               x,2560,ศธ 04006/ว2,2017-03-02,สพฐ.,สพป.,ประชุม,\r\n\
               7,2560,ศธ 04006/ว3,31 ก.พ. 2560,สพฐ.,สพป.,,นานๆ\r\n\
               5,2560,ศธ 04006/ว4,2017-03-04,สพฐ.,สพป.,ซ้ำ,\r\n";
    let (status, err) = import(app, &w.clerk, "inbound", "old.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "{err}");
    let rows: Vec<i64> = err["error"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, vec![2, 3, 4]);
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("แถวที่ 3") && message.contains("ไม่มีเรื่อง"),
        "{message}"
    );
    assert!(
        list(app, &w.clerk, "inbound").await.is_empty(),
        "nothing half-written"
    );

    // A file that is not a table, or lacks the columns, is refused with a Thai reason.
    let (status, err) = import(app, &w.clerk, "inbound", "old.pdf", b"%PDF".to_vec()).await;
    assert_eq!(status, 415, "{err}");
    let (status, err) = import(
        app,
        &w.clerk,
        "inbound",
        "old.csv",
        "เรื่อง\r\nก\r\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 415, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("เลขทะเบียนรับ")
    );

    // A past year's rows keep their numbers; the current year's counter is not touched.
    let good = "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
                5,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,ประชุม,10 ปี\r\n\
                6,2560,ศธ 04006/ว2,1 มี.ค. 2560,สพฐ.,สพป.,ประชุมครั้งที่ 2,ห้ามทำลาย\r\n";
    let (status, report) = import(
        app,
        &w.clerk,
        "inbound",
        "old.csv",
        good.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["years"][0]["year_be"], 2560);
    assert_eq!(report["counter_moved"], Value::Null);
    let (_, page) = app
        .get_json(&w.clerk, "/api/v1/letters?register=inbound&year_be=2560")
        .await;
    assert_eq!(page["total"], 2, "{page}");
    assert_eq!(page["items"][0]["retention"]["keep_until"], "ห้ามทำลาย");
    assert_eq!(
        page["items"][1]["retention"]["keep_until"],
        "เก็บถึง พ.ศ. 2570"
    );
    let (status, next) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 04006/ว9"),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สพฐ."),
                ("subject", "ปีนี้"),
            ],
            vec![],
        )
        .await;
    assert_eq!(status, 201, "{next}");
    assert_eq!(next["number"], 1);
}
both_dbs!(bad_rows_are_refused_whole_with_a_thai_report, bad_rows);

async fn retention_and_holds(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let letter = app.inbound(&w.clerk, "หนังสือที่ต้องเก็บ").await;
    let id = letter["id"].as_i64().unwrap();
    assert_eq!(letter["retention"]["class"], "ten_years");
    let until = format!("เก็บถึง พ.ศ. {}", this_year() + 10);
    assert_eq!(letter["retention"]["keep_until"], until.as_str());

    let put = |token: &String, body: Value| {
        let token = token.clone();
        async move {
            app.send_json(
                Method::PUT,
                &token,
                &format!("/api/v1/letters/{id}/retention"),
                body,
            )
            .await
        }
    };
    let (status, err) = put(&w.clerk, json!({"class": "by_law"})).await;
    assert_eq!(status, 400, "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("จำนวนปี"));
    let (status, _) = put(&w.staff, json!({"class": "one_year"})).await;
    assert_eq!(status, 403);
    let (status, body) = put(&w.clerk, json!({"class": "by_law", "years": 15})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["label"], "ตามกฎหมายอื่น 15 ปี");
    assert_eq!(body["keep_until_be"], this_year() + 15);

    let (status, err) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/holds"),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    let (status, hold) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/holds"),
            json!({"reason": "ศาลปกครองขอให้เก็บไว้ คดีหมายเลขดำที่ 12/2569"}),
        )
        .await;
    assert_eq!(status, 201, "{hold}");
    assert_eq!(hold["lifted"], Value::Null);

    // The letter page says how long it is kept and that it is held.
    let (client, _) = app.login("clerk").await;
    let page = app.page(&client, &format!("/letters/{id}")).await;
    assert!(
        page.contains(&format!("เก็บถึง พ.ศ. {}", this_year() + 15)),
        "{page}"
    );
    assert!(page.contains("ระงับการทำลาย"));

    let (status, lifted) = app
        .send_json(
            Method::POST,
            &w.director,
            &format!("/api/v1/holds/{}/lift", hold["id"]),
            json!({"reason": "คดีสิ้นสุดแล้ว"}),
        )
        .await;
    assert_eq!(status, 200, "{lifted}");
    assert_eq!(lifted["lifted"]["reason"], "คดีสิ้นสุดแล้ว");
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.director,
            &format!("/api/v1/holds/{}/lift", hold["id"]),
            json!({"reason": "อีกครั้ง"}),
        )
        .await;
    assert_eq!(status, 404, "a lifted hold cannot be lifted again");

    let (_, history) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/history"))
        .await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in ["retention_set", "hold_placed", "hold_lifted"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let verified = app.services.verify_audit().await.unwrap();
    assert!(
        matches!(
            verified,
            saraban::domain::journey::ChainReport::Intact { .. }
        ),
        "{verified:?}"
    );
}
both_dbs!(
    retention_and_legal_holds_are_in_the_history,
    retention_and_holds
);

async fn retention_defaults(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let (status, body) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            "/api/v1/settings/retention",
            json!({"counting": "from_registration", "defaults": [
                {"register": "order", "class": "permanent"},
                {"letter_type": "record", "class": "one_year"},
                {"register": "inbound", "letter_type": "record", "class": "by_law", "years": 3},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["counting"], "from_registration");
    assert_eq!(body["defaults"].as_array().unwrap().len(), 3);
    let (status, err) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            "/api/v1/settings/retention",
            json!({"defaults": [{"register": "order", "class": "by_law"}]}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.staff,
            "/api/v1/settings/retention",
            json!({"counting": "end_of_year"}),
        )
        .await;
    assert_eq!(status, 403);

    let serial = std::sync::atomic::AtomicUsize::new(70);
    let register = |register: &'static str, letter_type: &'static str| {
        let token = w.clerk.clone();
        let doc_no = format!(
            "ศธ 04006/ว{}",
            serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        async move {
            let (status, body) = app
                .post_letter(
                    &token,
                    &[
                        ("register", register),
                        ("doc_no", doc_no.as_str()),
                        ("doc_date", "2 พ.ค. 2566"),
                        ("from", "สพฐ."),
                        ("to", "โรงเรียน"),
                        ("subject", "ค่าเริ่มต้นอายุการเก็บ"),
                        ("letter_type", letter_type),
                    ],
                    vec![],
                )
                .await;
            assert_eq!(status, 201, "{body}");
            body
        }
    };
    let order = register("order", "directive").await;
    assert_eq!(order["retention"]["class"], "permanent");
    assert_eq!(order["retention"]["keep_until"], "ห้ามทำลาย");
    let record = register("outbound", "record").await;
    assert_eq!(record["retention"]["class"], "one_year");
    assert_eq!(record["retention"]["keep_until_be"], this_year() + 1);
    let inbound_record = register("inbound", "record").await;
    assert_eq!(inbound_record["retention"]["label"], "ตามกฎหมายอื่น 3 ปี");
    let plain = register("inbound", "external").await;
    assert_eq!(plain["retention"]["class"], "ten_years");

    // The settings page shows the choices and saves them without JavaScript.
    let (client, csrf) = app.login("clerk").await;
    let page = app.page(&client, "/settings").await;
    assert!(
        page.contains("อายุการเก็บหนังสือ") && page.contains("นับจากวันที่ลงทะเบียน"),
        "{page}"
    );
    let res = client
        .post(app.url("/settings/retention"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("retention_counting", "end_of_year"),
            ("class_", "five_years"),
            ("class_order", "permanent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "back to the settings page");
    let (_, body) = app.get_json(&w.clerk, "/api/v1/settings/retention").await;
    assert_eq!(body["counting"], "end_of_year");
    let defaults = body["defaults"].as_array().unwrap();
    assert!(
        defaults
            .iter()
            .any(|d| d["register"] == "" && d["letter_type"] == "" && d["class"] == "five_years"),
        "{body}"
    );
    assert!(
        defaults.iter().any(|d| d["letter_type"] == "record"),
        "type rules kept: {body}"
    );
    let later = register("outbound", "external").await;
    assert_eq!(later["retention"]["class"], "five_years");
}
both_dbs!(
    office_defaults_decide_a_new_letters_retention,
    retention_defaults
);

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn filing_and_lending(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let post = |token: &String, path: String, body: Value| {
        let token = token.clone();
        async move { app.send_json(Method::POST, &token, &path, body).await }
    };
    let (status, _) = post(
        &w.clerk,
        "/api/v1/file-codes".into(),
        json!({"code": "1.2", "name": "การประชุมผู้บริหาร"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, err) = post(
        &w.clerk,
        "/api/v1/file-codes".into(),
        json!({"code": " ", "name": ""}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    let (status, _) = post(
        &w.staff,
        "/api/v1/file-codes".into(),
        json!({"code": "9", "name": "x"}),
    )
    .await;
    assert_eq!(status, 403);

    let letter = app
        .inbound(&w.clerk, "ขอเชิญประชุมผู้บริหารสถานศึกษา ครั้งที่ 3")
        .await;
    let id = letter["id"].as_i64().unwrap();
    let lend_to_staff =
        json!({"borrower_user": "staff", "purpose": "ใช้ประกอบการประชุม", "due_on": "2099-01-31"});
    let (status, err) = post(
        &w.clerk,
        format!("/api/v1/letters/{id}/loans"),
        lend_to_staff.clone(),
    )
    .await;
    assert_eq!(status, 409, "only a filed letter is lent: {err}");
    let (status, err) = post(
        &w.clerk,
        format!("/api/v1/letters/{id}/filing"),
        json!({"file_code": "7.7"}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    let (status, filed) = post(
        &w.clerk,
        format!("/api/v1/letters/{id}/filing"),
        json!({"file_code": "1.2", "note": "ต้นฉบับ"}),
    )
    .await;
    assert_eq!(status, 201, "{filed}");
    assert_eq!(filed["file_name"], "การประชุมผู้บริหาร");
    let (status, _) = post(
        &w.clerk,
        format!("/api/v1/letters/{id}/filing"),
        json!({"file_code": "1.2"}),
    )
    .await;
    assert_eq!(status, 409, "filed once");

    // แบบ 20 and แบบ 19 carry the filed letter.
    let year = this_year();
    let register = pdf_text(
        &download(
            app,
            &w.clerk,
            &format!("/api/v1/filing/register.pdf?year_be={year}"),
        )
        .await,
    );
    for needle in [
        "ทะเบียนหนังสือเก็บ",
        "แบบที่ 20",
        "ขอเชิญประชุมผู้บริหาร",
        "1.2",
        &format!("เก็บถึง พ.ศ. {}", year + 10),
    ] {
        assert!(register.contains(needle), "{needle:?} in:\n{register}");
    }
    let list = pdf_text(
        &download(
            app,
            &w.clerk,
            &format!("/api/v1/filing/list.pdf?year_be={year}"),
        )
        .await,
    );
    assert!(
        list.contains("บัญชีหนังสือส่งเก็บ") && list.contains("แบบที่ 19"),
        "{list}"
    );
    let xlsx = download(
        app,
        &w.clerk,
        &format!("/api/v1/filing/register.xlsx?year_be={year}"),
    )
    .await;
    assert!(xlsx.starts_with(b"PK"));

    // An officer borrows; an outsider needs a director's or deputy's approval.
    let (status, loan) = post(
        &w.clerk,
        format!("/api/v1/letters/{id}/loans"),
        lend_to_staff,
    )
    .await;
    assert_eq!(status, 201, "{loan}");
    assert_eq!(loan["status"], "out");
    assert_eq!(loan["borrower"]["name"], "คุณstaff");
    let outsider = json!({"borrower_name": "นายสมชาย ใจดี", "borrower_unit": "สำนักงานอัยการจังหวัด",
        "borrower_email": "somchai@example.test", "purpose": "ประกอบการพิจารณาคดี",
        "borrowed_on": "2020-01-06", "due_on": "2020-01-20"});
    let (status, err) = post(
        &w.clerk,
        format!("/api/v1/letters/{id}/loans"),
        outsider.clone(),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["error"]["fields"]["approved_by"].is_string(), "{err}");
    let mut approved = outsider.clone();
    approved["approved_by"] = json!("director");
    let (status, overdue) = post(&w.clerk, format!("/api/v1/letters/{id}/loans"), approved).await;
    assert_eq!(status, 201, "{overdue}");
    assert_eq!(overdue["status"], "overdue");
    assert_eq!(overdue["approved_by"], "คุณdirector");
    let (_, listed) = app.get_json(&w.clerk, "/api/v1/loans?status=overdue").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");

    // The card (แบบ 24) names the item, the borrower and the dates.
    let card = pdf_text(
        &download(
            app,
            &w.clerk,
            &format!("/api/v1/loans/{}/card.pdf", overdue["id"]),
        )
        .await,
    );
    for needle in [
        "บัตรยืมหนังสือ",
        "แบบที่ 24",
        "นายสมชาย ใจดี",
        "แฟ้ม 1.2",
        "20 ม.ค. 2563",
    ] {
        assert!(card.contains(needle), "{needle:?} in:\n{card}");
    }

    // The overdue loan is reminded once a day, through the outbox, to the borrower.
    let today = saraban::domain::thai_date::to_bangkok(Utc::now()).date();
    assert_eq!(app.store.queue_loan_reminders(today).await.unwrap(), 1);
    assert_eq!(
        app.store.queue_loan_reminders(today).await.unwrap(),
        0,
        "once a day"
    );
    let worker = saraban::mail::outbox::Worker::new(
        app.services.clone(),
        saraban::config::SmtpConfig {
            outbox_dir: app.dir.path().join("outbox"),
            ..Default::default()
        },
        "t".into(),
    );
    assert_eq!(worker.round(10).await.unwrap(), 1);
    let written: Vec<String> = std::fs::read_dir(app.dir.path().join("outbox"))
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    assert_eq!(written.len(), 1);
    assert!(
        written[0].contains("somchai@example.test"),
        "{}",
        written[0]
    );

    // Returned: who brought it back and when, in the history.
    let (status, back) = post(
        &w.clerk,
        format!("/api/v1/loans/{}/return", overdue["id"]),
        json!({"returned_by": "นายสมชาย ใจดี"}),
    )
    .await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["status"], "returned");
    let (status, _) = post(
        &w.clerk,
        format!("/api/v1/loans/{}/return", overdue["id"]),
        json!({}),
    )
    .await;
    assert_eq!(status, 409);
    let (_, history) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/history"))
        .await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for kind in ["filed", "lent", "loan_returned"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }

    // The pages: งานเก็บหนังสือ and the lending register.
    let (client, _) = app.login("clerk").await;
    let page = app.page(&client, "/records").await;
    assert!(
        page.contains("ขอเชิญประชุมผู้บริหาร") && page.contains("การประชุมผู้บริหาร"),
        "{page}"
    );
    let page = app.page(&client, "/loans?status=returned").await;
    assert!(
        page.contains("นายสมชาย ใจดี") && page.contains("ส่งคืนแล้ว"),
        "{page}"
    );
    let page = app.page(&client, &format!("/letters/{id}")).await;
    assert!(page.contains("แฟ้ม 1.2 การประชุมผู้บริหาร"), "{page}");
}
both_dbs!(
    a_filed_letter_is_lent_reminded_and_returned,
    filing_and_lending
);

async fn add_file(app: &TestApp, token: &str, id: i64, name: &str, data: Vec<u8>) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(data).file_name(name.to_string()),
        )
        .text("description", "");
    let res = app
        .http
        .post(app.url(&format!("/api/v1/letters/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        201,
        "{}",
        res.text().await.unwrap_or_default()
    );
}

/// Every byte under the storage root.
fn storage_bytes(root: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.extend(std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    out
}

/// Where the files are, seen from outside saraban: every byte, and how many packs.
enum Storage {
    Disk(std::path::PathBuf),
    Bucket(object_store::aws::AmazonS3),
}

impl Storage {
    async fn bytes(&self) -> Vec<u8> {
        match self {
            Storage::Disk(root) => storage_bytes(root),
            Storage::Bucket(bucket) => {
                use futures_util::StreamExt;
                use object_store::{ObjectStore, ObjectStoreExt};
                let mut out = Vec::new();
                let mut listed = bucket.list(None);
                while let Some(meta) = listed.next().await {
                    let meta = meta.unwrap();
                    let data = bucket
                        .get(&meta.location)
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap();
                    out.extend_from_slice(&data);
                }
                out
            }
        }
    }

    async fn packs(&self) -> usize {
        match self {
            Storage::Disk(root) => std::fs::read_dir(root.join("packs")).unwrap().count(),
            Storage::Bucket(bucket) => {
                use futures_util::StreamExt;
                use object_store::ObjectStore;
                bucket
                    .list(Some(&object_store::path::Path::from("packs")))
                    .count()
                    .await
            }
        }
    }
}

async fn lawful_destruction(db: Db) {
    lawful_destruction_in(db, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destruction_removes_the_files_from_the_object_store() {
    let s3 = saraban_lab::s3::SeaweedS3::start();
    lawful_destruction_in(Db::Postgres, Some(&s3)).await
}

async fn lawful_destruction_in(db: Db, s3: Option<&saraban_lab::s3::SeaweedS3>) {
    // The files' words are read, so that destruction is seen to take them out of the search.
    let w: World = crate::helpers::spawn_app_with(db, |c| {
        c.text.extract = true;
        if let Some(s3) = s3 {
            crate::helpers::s3::files_in(c, s3, "saraban-destruction");
        }
    })
    .await
    .world()
    .await;
    let app = &w.app;
    let storage = match s3 {
        None => Storage::Disk(app.dir.path().join("files")),
        Some(s3) => Storage::Bucket(crate::helpers::s3::bucket(s3, "saraban-destruction")),
    };
    // Five letters of 2560: three kept 1 year, one never destroyed, one kept 10 years.
    let csv = "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
               1,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,เรื่องประจำที่หนึ่ง,1 ปี\r\n\
               2,2560,ศธ 04006/ว2,2017-03-02,สพฐ.,สพป.,เรื่องประจำที่สอง,1 ปี\r\n\
               3,2560,ศธ 04006/ว3,2017-03-03,สพฐ.,สพป.,เรื่องที่มีคดี,1 ปี\r\n\
               4,2560,ศธ 04006/ว4,2017-03-04,สพฐ.,สพป.,เรื่องสำคัญทางประวัติศาสตร์,ห้ามทำลาย\r\n\
               5,2560,ศธ 04006/ว5,2017-03-05,สพฐ.,สพป.,เรื่องที่เก็บสิบปี,10 ปี\r\n";
    let (status, report) = import(
        app,
        &w.clerk,
        "inbound",
        "2560.csv",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 201, "{report}");
    let letters = {
        let (_, page) = app
            .get_json(&w.clerk, "/api/v1/letters?register=inbound&year_be=2560")
            .await;
        let mut items = page["items"].as_array().cloned().unwrap();
        items.sort_by_key(|l| l["number"].as_i64());
        items
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    let doomed = crate::helpers::pdf_bytes("DOOMED-LETTER-ONE WITH WORDS OF ITS OWN");
    let shared = crate::helpers::pdf_bytes("SHARED-WITH-A-KEPT-LETTER AND ITS WORDS");
    let kept_in_pack = crate::helpers::pdf_bytes("KEPT-IN-THE-SAME-PACK");
    // Files of old letters are added by the administrator (the clerk's edit window has passed).
    add_file(app, &w.admin, letters[0], "ต้นฉบับ.pdf", doomed.clone()).await;
    add_file(app, &w.admin, letters[0], "แนบ.pdf", shared.clone()).await;
    add_file(app, &w.admin, letters[4], "แนบ.pdf", shared.clone()).await;
    add_file(app, &w.admin, letters[3], "สำคัญ.pdf", kept_in_pack.clone()).await;
    add_file(
        app,
        &w.admin,
        letters[2],
        "คดี.pdf",
        crate::helpers::pdf_bytes("HELD-BY-A-COURT"),
    )
    .await;
    // And, as mail fetched in one batch would be, the doomed file and a kept one share a pack.
    app.services
        .files
        .put_deferred(bytes::Bytes::from(doomed.clone()))
        .await
        .unwrap();
    app.services
        .files
        .put_deferred(bytes::Bytes::from(kept_in_pack.clone()))
        .await
        .unwrap();
    app.services.files.flush().await.unwrap();
    assert_eq!(storage.packs().await, 1);

    // A letter that came by e-mail: its inbox entry is found by the mail's body and its file's
    // words. (Registering it now would put it in this year, which cannot be destroyed yet, so the
    // entry is tied to the 2560 letter in the database, as registering it then would have done.)
    let mail = crate::mail_ingest::thai_letter(
        "doomed-by-mail@school.go.th",
        "เรื่อง หนังสือที่มาทางอีเมลแล้วถูกทำลาย",
        &crate::helpers::pdf_bytes("DOOMED-INBOX-SCAN"),
    );
    let entry = crate::mail_ingest::take_in(app, "doomed.eml", mail).await;
    sqlx::query("UPDATE inbox_entries SET letter_id = $1 WHERE id = $2")
        .bind(letters[0])
        .bind(entry)
        .execute(app.store.pool())
        .await
        .unwrap();
    let clerk_token = w.clerk.clone();
    let in_inbox = |word: &'static str| {
        let clerk = clerk_token.clone();
        async move {
            let path = format!(
                "/api/v1/inbox?q={}",
                percent_encoding::utf8_percent_encode(word, percent_encoding::NON_ALPHANUMERIC)
            );
            let (status, page) = app.get_json(&clerk, &path).await;
            assert_eq!(status, 200, "{page}");
            page["total"].as_i64().unwrap()
        }
    };
    crate::helpers::eventually(60, "the mail's file read", || async {
        (in_inbox("DOOMED-INBOX-SCAN").await == 1).then_some(())
    })
    .await;
    assert_eq!(in_inbox("ตามที่แนบมา").await, 1, "the mail's body");
    assert_eq!(
        storage.packs().await,
        2,
        "the mail's batch is a pack of its own"
    );

    let call = |token: &String, method: Method, path: String, body: Value| {
        let token = token.clone();
        async move { app.send_json(method, &token, &path, body).await }
    };
    let (status, err) = call(
        &w.clerk,
        Method::POST,
        "/api/v1/disposals".into(),
        json!({"year_be": this_year()}),
    )
    .await;
    assert_eq!(status, 409, "the current year is not over: {err}");
    let (status, list) = call(
        &w.clerk,
        Method::POST,
        "/api/v1/disposals".into(),
        json!({"year_be": 2566}),
    )
    .await;
    assert_eq!(status, 201, "{list}");
    let id = list["id"].as_i64().unwrap();
    let listed: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["letter_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        listed,
        letters[0..3].to_vec(),
        "the 1-year letters, not the permanent or the 10-year one"
    );
    let path = |step: &str| format!("/api/v1/disposals/{id}/{step}");

    // Out of order, and by the wrong people: refused in Thai.
    let (status, err) = call(&w.staff, Method::POST, path("review"), json!({"items": []})).await;
    assert_eq!(status, 403, "{err}");
    let (status, err) = call(&w.clerk, Method::POST, path("destroy"), json!({})).await;
    assert_eq!(status, 409, "{err}");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("ร่างบัญชี"),
        "{err}"
    );
    let (status, _) = call(
        &w.clerk,
        Method::PUT,
        path("committee"),
        json!({"chair": "staff", "members": ["clerk", "admin"]}),
    )
    .await;
    assert_eq!(status, 403, "the head appoints");
    let (status, err) = call(
        &w.director,
        Method::PUT,
        path("committee"),
        json!({"chair": "staff", "members": ["clerk"]}),
    )
    .await;
    assert_eq!(status, 422, "{err}");
    let (status, body) = call(
        &w.director,
        Method::PUT,
        path("committee"),
        json!({"chair": "staff", "members": ["clerk", "admin"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "committee");

    // The committee reviews; a change asks everyone to confirm again.
    let items = json!({"items": [
        {"letter_id": letters[0], "decision": "destroy"},
        {"letter_id": letters[1], "decision": "keep", "keep_until_be": 2575},
        {"letter_id": letters[2], "decision": "destroy"},
    ]});
    let (status, body) = call(&w.staff, Method::POST, path("review"), items.clone()).await;
    assert_eq!(status, 200, "{body}");
    for who in [&w.staff, &w.clerk] {
        let (status, body) = call(who, Method::POST, path("confirm"), json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, err) = call(&w.staff, Method::POST, path("submit"), json!({})).await;
    assert_eq!(status, 409, "one member has not confirmed: {err}");
    let (status, _) = call(&w.admin, Method::POST, path("confirm"), json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = call(&w.clerk, Method::POST, path("submit"), json!({})).await;
    assert_eq!(status, 403, "the chair submits");
    let (status, _) = call(&w.staff, Method::POST, path("submit"), json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = call(&w.clerk, Method::POST, path("approve"), json!({})).await;
    assert_eq!(status, 403, "the head approves");
    let (status, _) = call(&w.director, Method::POST, path("approve"), json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = call(&w.clerk, Method::POST, path("sent"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, err) = call(&w.clerk, Method::POST, path("destroy"), json!({})).await;
    assert_eq!(status, 409, "the archives have 60 days: {err}");
    let (status, _) = call(
        &w.clerk,
        Method::POST,
        path("archives-answer"),
        json!({"keep": []}),
    )
    .await;
    assert_eq!(status, 200);
    // A court asks to keep letter 3 after the review: the hold stops its destruction.
    let (status, _) = call(
        &w.clerk,
        Method::POST,
        format!("/api/v1/letters/{}/holds", letters[2]),
        json!({"reason": "ศาลขอให้เก็บไว้"}),
    )
    .await;
    assert_eq!(status, 201);

    let before = storage.bytes().await;
    assert!(
        memchr::memmem::find(&before, b"DOOMED-LETTER-ONE").is_some(),
        "the bytes are there before"
    );
    let clerk = w.clerk.clone();
    let found = |word: &'static str| {
        let clerk = clerk.clone();
        async move {
            let (_, page) = app
                .get_json(
                    &clerk,
                    &format!("/api/v1/letters?register=inbound&q={word}"),
                )
                .await;
            page["total"].as_i64().unwrap()
        }
    };
    crate::helpers::eventually(60, "the files' words read", || async {
        (found("DOOMED-LETTER-ONE").await == 1 && found("SHARED-WITH-A-KEPT").await == 2)
            .then_some(())
    })
    .await;
    let (status, done) = call(&w.clerk, Method::POST, path("destroy"), json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "destroyed");
    // The destroyed files' words went with them; the kept letter still has the shared file's.
    assert_eq!(found("DOOMED-LETTER-ONE").await, 0);
    assert_eq!(found("SHARED-WITH-A-KEPT").await, 1);
    assert_eq!(done["destruction"]["letters"], 1);
    assert_eq!(done["destruction"]["held_back"], 1);
    assert!(
        done["destruction"]["files_removed"].as_u64().unwrap() >= 2,
        "{done}"
    );
    assert_eq!(
        done["destruction"]["packs_rewritten"], 2,
        "the shared pack, and the mail's pack (nothing of it kept)"
    );
    // The inbox entry of the destroyed letter is no longer found by the mail's words; its
    // subject (what the register keeps) still finds it.
    assert_eq!(in_inbox("DOOMED-INBOX-SCAN").await, 0);
    assert_eq!(in_inbox("ตามที่แนบมา").await, 0);
    assert_eq!(in_inbox("แล้วถูกทำลาย").await, 1);

    // The destroyed letter's files answer 410 in Thai; its row stays with the note.
    let (status, gone) = app
        .get_json(
            &w.clerk,
            &format!("/api/v1/letters/{}/attachments/1", letters[0]),
        )
        .await;
    assert_eq!(status, 410, "{gone}");
    assert!(
        gone["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ถูกทำลายแล้ว")
    );
    let (_, letter) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{}", letters[0]))
        .await;
    assert!(
        letter["destroyed"]["note"]
            .as_str()
            .unwrap()
            .starts_with("ทำลายแล้ว ตามบัญชีหนังสือขอทำลาย ปี 2566 ลำดับที่ 1"),
        "{letter}"
    );
    // The bytes are gone from storage; the shared file and the packed kept file still read.
    let everything = storage.bytes().await;
    assert_eq!(
        storage.packs().await,
        1,
        "the pack rewritten, the old one gone"
    );
    assert!(
        memchr::memmem::find(&everything, b"DOOMED-LETTER-ONE").is_none(),
        "destroyed bytes are gone"
    );
    assert!(memchr::memmem::find(&everything, b"KEPT-IN-THE-SAME-PACK").is_some());
    for (id, n, bytes) in [(letters[4], 1, &shared), (letters[3], 1, &kept_in_pack)] {
        let got = download(
            app,
            &w.clerk,
            &format!("/api/v1/letters/{id}/attachments/{n}"),
        )
        .await;
        assert_eq!(&got, bytes, "kept file of letter {id}");
    }
    // The kept item has its new keep-until; the held one keeps its file.
    let (_, kept) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{}", letters[1]))
        .await;
    assert_eq!(kept["retention"]["keep_until_be"], 2575, "{kept}");
    let held = download(
        app,
        &w.clerk,
        &format!("/api/v1/letters/{}/attachments/1", letters[2]),
    )
    .await;
    assert!(memchr::memmem::find(&held, b"HELD-BY-A-COURT").is_some());

    // Every step is in the letter's history, and the chain still verifies.
    let (_, history) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{}/history", letters[0]))
        .await;
    let steps: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "disposal")
        .filter_map(|e| e["detail"]["step"].as_str())
        .collect();
    for step in [
        "surveyed",
        "committee",
        "reviewed",
        "confirmed",
        "submitted",
        "approved",
        "sent",
        "archives_answer",
        "destroyed",
    ] {
        assert!(steps.contains(&step), "{step} in {steps:?}");
    }
    let verified = app.services.verify_audit().await.unwrap();
    assert!(
        matches!(
            verified,
            saraban::domain::journey::ChainReport::Intact { .. }
        ),
        "{verified:?}"
    );

    // แบบ 25 and the memo.
    let list = pdf_text(&download(app, &w.clerk, &path("list.pdf")).await);
    for needle in [
        "บัญชีหนังสือขอทำลาย",
        "แบบที่ 25",
        "เรื่องประจำที่หนึ่ง",
        "เก็บถึง พ.ศ. 2575",
    ] {
        assert!(list.contains(needle), "{needle:?} in:\n{list}");
    }
    let memo = pdf_text(&download(app, &w.clerk, &path("memo.pdf")).await);
    for needle in ["บันทึกการทำลายหนังสือ", "ประธานกรรมการ", "คุณstaff", "ทำลายแล้ว"]
    {
        assert!(memo.contains(needle), "{needle:?} in:\n{memo}");
    }
    // Nothing of 2566 is due any more.
    let (status, _) = call(
        &w.clerk,
        Method::POST,
        "/api/v1/disposals".into(),
        json!({"year_be": 2566}),
    )
    .await;
    assert_eq!(status, 409);
}
both_dbs!(
    destruction_follows_the_regulation_and_removes_the_files,
    lawful_destruction
);

async fn twenty_year_handover(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let year = this_year();
    let old = year - 21;
    let csv = format!(
        "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
         1,{old},ศธ 04006/ว1,1 มี.ค. {old},สพฐ.,สพป.,หนังสือเก่าที่ส่งมอบ,ห้ามทำลาย\r\n\
         2,{old},ศธ 04006/ว2,2 มี.ค. {old},สพฐ.,สพป.,หนังสือเก่าที่ขอเก็บเอง,ห้ามทำลาย\r\n\
         1,{young},ศธ 04006/ว3,3 มี.ค. {young},สพฐ.,สพป.,หนังสือยังไม่ครบยี่สิบปี,ห้ามทำลาย\r\n",
        young = year - 5
    );
    let (status, report) = import(app, &w.clerk, "inbound", "old.csv", csv.into_bytes()).await;
    assert_eq!(status, 201, "{report}");
    let (_, page) = app
        .get_json(
            &w.clerk,
            &format!("/api/v1/letters?register=inbound&year_be={old}"),
        )
        .await;
    let mut items = page["items"].as_array().cloned().unwrap();
    items.sort_by_key(|l| l["number"].as_i64());
    let (handed, kept) = (
        items[0]["id"].as_i64().unwrap(),
        items[1]["id"].as_i64().unwrap(),
    );
    let letter_pdf = crate::helpers::pdf_bytes("HANDED-TO-THE-ARCHIVES");
    add_file(app, &w.admin, handed, "ต้นฉบับ.pdf", letter_pdf.clone()).await;

    let (status, due) = app
        .get_json(&w.clerk, &format!("/api/v1/handovers/due?year_be={year}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        due["letter_ids"],
        json!([handed, kept]),
        "only the letters of 20 years and more"
    );
    let (status, h) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/handovers",
            json!({"year_be": year, "keep": [kept]}),
        )
        .await;
    assert_eq!(status, 201, "{h}");
    let id = h["id"].as_i64().unwrap();
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/handovers",
            json!({"year_be": year}),
        )
        .await;
    assert_eq!(status, 409, "nothing left to list");

    let form21 =
        pdf_text(&download(app, &w.clerk, &format!("/api/v1/handovers/{id}/form21.pdf")).await);
    assert!(
        form21.contains("บัญชีส่งมอบหนังสือครบ 20 ปี") && form21.contains("แบบที่ 21"),
        "{form21}"
    );
    assert!(
        form21.contains("หนังสือเก่าที่ส่งมอบ") && !form21.contains("ขอเก็บเอง"),
        "{form21}"
    );
    let form22 =
        pdf_text(&download(app, &w.clerk, &format!("/api/v1/handovers/{id}/form22.pdf")).await);
    assert!(
        form22.contains("แบบที่ 22") && form22.contains("หนังสือเก่าที่ขอเก็บเอง"),
        "{form22}"
    );

    // The package: the handed letter's file, the list, and a manifest naming each sha256.
    let zip = download(
        app,
        &w.clerk,
        &format!("/api/v1/handovers/{id}/package.zip"),
    )
    .await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("manifest.json").unwrap(),
        &mut manifest,
    )
    .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        manifest["letters"].as_array().unwrap().len(),
        1,
        "{manifest}"
    );
    let file = &manifest["letters"][0]["files"][0];
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut archive.by_name(file["path"].as_str().unwrap()).unwrap(),
        &mut bytes,
    )
    .unwrap();
    assert_eq!(bytes, letter_pdf);
    assert_eq!(file["sha256"], saraban::security::sha256_hex(&bytes));

    // Handed over: marked with the date, and in the history.
    let (_, letter) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{handed}"))
        .await;
    assert!(letter["handed_over_on"].is_string(), "{letter}");
    let (_, letter) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{kept}"))
        .await;
    assert!(letter["handed_over_on"].is_null(), "{letter}");
    let (_, history) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{handed}/history"))
        .await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "handover" && e["detail"]["kept"] == false),
        "{history}"
    );
}
both_dbs!(
    letters_of_twenty_years_are_handed_over_or_kept,
    twenty_year_handover
);

async fn ten_year_order(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let year = this_year();
    let (old, young) = (year - 12, year - 5);
    let csv = format!(
        "เลขทะเบียนส่ง,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
         1,{old},ศธ 04183/1,1 มี.ค. {old},สพป.,สพฐ.,หนังสือทั่วไปเก่า,10 ปี\r\n\
         2,{old},ศธ 04183/2,2 มี.ค. {old},สพป.,สพฐ.,หนังสือตามกฎหมายอื่น,ตามกฎหมายอื่น 30 ปี\r\n\
         3,{old},ศธ 04183/3,3 มี.ค. {old},สพป.,สพฐ.,หนังสือสำคัญ,ห้ามทำลาย\r\n\
         1,{young},ศธ 04183/4,4 มี.ค. {young},สพป.,สพฐ.,หนังสือยังไม่เกินสิบปี,10 ปี\r\n"
    );
    let (status, report) = import(app, &w.clerk, "outbound", "old.csv", csv.into_bytes()).await;
    assert_eq!(status, 201, "{report}");
    let order = json!({"over_ten_years": true});
    let (status, _) = app
        .send_json(Method::POST, &w.clerk, "/api/v1/disposals", order.clone())
        .await;
    assert_eq!(status, 403, "the head's order");
    let (status, list) = app
        .send_json(
            Method::POST,
            &w.director,
            "/api/v1/disposals",
            order.clone(),
        )
        .await;
    assert_eq!(status, 201, "{list}");
    assert_eq!(list["basis"], "over_ten_years");
    let subjects: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["subject"].as_str())
        .collect();
    assert_eq!(
        subjects,
        vec!["หนังสือทั่วไปเก่า"],
        "not by another law, not permanent, not younger"
    );
    let (status, _) = app
        .send_json(Method::POST, &w.director, "/api/v1/disposals", order)
        .await;
    assert_eq!(status, 409, "already on a list");
}
both_dbs!(
    the_heads_order_takes_letters_kept_over_ten_years,
    ten_year_order
);

async fn committee_roles_setting(db: Db) {
    let app = crate::helpers::spawn_app_with(db, |c| {
        c.records.committee_roles = ["admin", "director", "clerk"].map(String::from).to_vec();
    })
    .await;
    let w: World = app.world().await;
    let app = &w.app;
    let csv = "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
               1,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,เรื่องประจำ,1 ปี\r\n";
    let (status, _) = import(app, &w.clerk, "inbound", "old.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, 201);
    let (status, list) = app
        .send_json(
            Method::POST,
            &w.clerk,
            "/api/v1/disposals",
            json!({"year_be": 2566}),
        )
        .await;
    assert_eq!(status, 201, "{list}");
    let path = format!("/api/v1/disposals/{}/committee", list["id"]);
    let (status, err) = app
        .send_json(
            Method::PUT,
            &w.director,
            &path,
            json!({"chair": "staff", "members": ["clerk", "admin"]}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("committee_roles"),
        "{err}"
    );
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.director,
            &path,
            json!({"chair": "director", "members": ["clerk", "admin"]}),
        )
        .await;
    assert_eq!(status, 200);
}
both_dbs!(
    the_committee_holds_the_allowed_roles,
    committee_roles_setting
);

async fn the_yearly_survey(db: Db) {
    let w: World = spawn_app(db).await.world().await;
    let app = &w.app;
    let csv = "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
               1,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,เรื่องประจำ,1 ปี\r\n";
    let (status, _) = import(app, &w.clerk, "inbound", "old.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, 201);
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // Outside the window nothing happens; inside it the district gets its list once (the school
    // has nothing due).
    assert_eq!(
        app.services
            .survey_due_offices(day(2024, 3, 15))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        app.services
            .survey_due_offices(day(2024, 1, 10))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.services
            .survey_due_offices(day(2024, 1, 11))
            .await
            .unwrap(),
        0
    );
    let (_, lists) = app.get_json(&w.clerk, "/api/v1/disposals").await;
    assert_eq!(lists["items"][0]["year_be"], 2566, "{lists}");
}
both_dbs!(
    the_survey_is_made_in_the_window_after_a_year_ends,
    the_yearly_survey
);
