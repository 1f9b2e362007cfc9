//! The clerk's day (issue 17): dates as clerks type them, the numbering rules settings must keep,
//! the register's default year, duplicate letters and files held while a form is corrected.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both_dbs;
use crate::helpers::{Db, pdf_bytes, spawn_app, spawn_app_with};
use crate::mail_ingest::take_in_letter;

fn inbound_fields<'a>(
    doc_no: &'a str,
    doc_date: &'a str,
    from: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("register", "inbound"),
        ("doc_no", doc_no),
        ("doc_date", doc_date),
        ("from", from),
        ("subject", "ขอเชิญประชุม"),
    ]
}

async fn two_digit_years_and_overflowing_dates(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    for (typed, stored) in [("2/5/69", "2026-05-02"), ("2 พ.ค. 69", "2026-05-02")] {
        let (status, letter) = app
            .post_letter(
                &w.clerk,
                &inbound_fields(&format!("ศธ 1/{typed}"), typed, "สพฐ."),
                vec![],
            )
            .await;
        assert_eq!(status, 201, "{typed}: {letter}");
        assert_eq!(letter["doc_date"], stored, "{typed}");
    }
    for typed in ["2/5/609", "2566-05-4294967298", "2/5/9999", "9999-05-02"] {
        let (status, body) = app
            .post_letter(&w.clerk, &inbound_fields("ศธ 1/9", typed, "สพฐ."), vec![])
            .await;
        assert_eq!(status, 422, "{typed}: {body}");
        assert!(
            body["error"]["fields"]["doc_date"].as_str().is_some(),
            "{typed}: {body}"
        );
    }
    // Nothing refused took a number.
    let (_, next) = app
        .post_letter(
            &w.clerk,
            &inbound_fields("ศธ 1/10", "3/5/69", "สพฐ."),
            vec![],
        )
        .await;
    assert_eq!(next["number"], 3);
}
both_dbs!(typed_years, two_digit_years_and_overflowing_dates);

async fn counters_and_the_active_year_keep_the_numbering_rules(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    for year in [1, 2499, 99999] {
        let (status, body) = app
            .send_json(
                Method::PUT,
                &w.clerk,
                &format!("/api/v1/settings/counters/{year}/inbound"),
                json!({"start_number": 5}),
            )
            .await;
        assert_eq!(status, 422, "{year}: {body}");
    }
    let first = app.inbound(&w.clerk, "ก่อนเปิดปีหน้า").await;
    let year = first["year_be"].as_i64().unwrap();
    // Opening next year early (to set its starting numbers) ...
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            "/api/v1/settings/active-year",
            json!({"year_be": year + 1}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.clerk,
            &format!("/api/v1/settings/counters/{}/inbound", year + 1),
            json!({"start_number": 100}),
        )
        .await;
    assert_eq!(status, 200);
    // ... does not move today's numbers nor hide today's letters.
    let second = app.inbound(&w.clerk, "หลังเปิดปีหน้า").await;
    assert_eq!(second["year_be"], year);
    assert_eq!(second["number"], 2);
    let (client, _) = app.login("clerk").await;
    let page = app.page(&client, "/registers/inbound").await;
    assert!(page.contains("หลังเปิดปีหน้า"), "today's letter is listed");
    assert!(page.contains(&format!("พ.ศ. {year}")));
    assert!(page.contains(&format!("/api/v1/registers/inbound.pdf?year_be={year}")));
    let (_, listed) = app
        .get_json(&w.clerk, "/api/v1/letters?register=inbound")
        .await;
    assert_eq!(listed["total"], 2, "{listed}");
    // The chosen year's page still shows the chosen year.
    let next_page = app
        .page(&client, &format!("/registers/inbound?year={}", year + 1))
        .await;
    assert!(next_page.contains(&format!(
        "/api/v1/registers/inbound.pdf?year_be={}",
        year + 1
    )));
    assert!(!next_page.contains("หลังเปิดปีหน้า"));
}
both_dbs!(
    numbering_settings,
    counters_and_the_active_year_keep_the_numbering_rules
);

async fn the_same_letter_twice_is_questioned_before_it_takes_a_number(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let pdf = pdf_bytes("the same file");
    let (status, first) = app
        .post_letter(
            &w.clerk,
            &inbound_fields("ที่ ศธ ๐๔๐๐๖/ว๑๘๙๑", "2 พ.ค. 2569", "สพฐ."),
            vec![("หนังสือ.pdf", pdf.clone(), "")],
        )
        .await;
    assert_eq!(status, 201, "{first}");
    // The same number, date and sender, written another way.
    let (status, refused) = app
        .post_letter(
            &w.clerk,
            &inbound_fields("ศธ04006/ว1891", "2/5/69", "สพฐ"),
            vec![],
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "possible_duplicate");
    let number = first["number"].as_i64().unwrap();
    let year = first["year_be"].as_i64().unwrap();
    assert_eq!(refused["error"]["duplicates"][0]["id"], first["id"]);
    assert_eq!(refused["error"]["duplicates"][0]["number"], number);
    assert_eq!(refused["error"]["duplicates"][0]["year_be"], year);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("ลงทะเบียนแล้วเป็นเลขรับ {number}/{year} — ลงซ้ำหรือไม่?"))
    );
    // Another number but the same file.
    let (status, by_file) = app
        .post_letter(
            &w.clerk,
            &inbound_fields("ศธ 9/1", "3 พ.ค. 2569", "โรงเรียนอื่น"),
            vec![("สำเนา.pdf", pdf.clone(), "")],
        )
        .await;
    assert_eq!(status, 409, "{by_file}");
    // The clerk confirms: registered, with the next number (the refusals took none).
    let mut again = inbound_fields("ศธ04006/ว1891", "2/5/69", "สพฐ");
    again.push(("allow_duplicate", "true"));
    let (status, second) = app.post_letter(&w.clerk, &again, vec![]).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["number"], number + 1);

    // From the inbox, one click: the same answer, and `allow_duplicate` in the JSON.
    let entry_id = take_in_letter(
        app,
        "dup-1@school.example.go.th",
        "ที่ ศธ 04006/ว1891 ลงวันที่ 2 พ.ค. 2569 เรื่อง ขอเชิญประชุม",
    )
    .await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            json!({"from": "สพฐ."}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "possible_duplicate");
    // The page shows the question and the confirmation box.
    let (client, csrf) = app.login("clerk").await;
    let res = client
        .post(app.url(&format!("/inbox/{entry_id}/register")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("doc_no", "ศธ 04006/ว1891"),
            ("doc_date", "2 พ.ค. 2569"),
            ("from", "สพฐ."),
            ("subject", "ขอเชิญประชุม"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(page.contains("ลงทะเบียนแล้วเป็นเลขรับ"), "{page}");
    assert!(page.contains("name=\"allow_duplicate\""));
    let (status, letter) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            json!({"from": "สพฐ.", "allow_duplicate": true}),
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    assert_eq!(letter["number"], number + 2);
    // A cancelled letter is no longer a duplicate.
    let (_, other) = app
        .post_letter(
            &w.clerk,
            &inbound_fields("ศธ 5/5", "5 พ.ค. 2569", "ก"),
            vec![],
        )
        .await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{}/cancel", other["id"]),
            json!({"reason": "ลงผิด"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .post_letter(
            &w.clerk,
            &inbound_fields("ศธ 5/5", "5 พ.ค. 2569", "ก"),
            vec![],
        )
        .await;
    assert_eq!(status, 201);
}
both_dbs!(
    duplicates,
    the_same_letter_twice_is_questioned_before_it_takes_a_number
);

async fn a_form_with_an_error_keeps_the_files_already_chosen(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let (client, csrf) = app.login("clerk").await;
    let form = Form::new()
        .text("csrf", csrf.clone())
        .text("doc_no", "ศธ 1/2")
        .text("doc_date", "ไม่ใช่วันที่")
        .text("from", "สพฐ.")
        .text("subject", "มีไฟล์")
        .part("file", Part::bytes(pdf_bytes("one")).file_name("หนึ่ง.pdf"))
        .text("description", "ไฟล์แรก")
        .part("file", Part::bytes(pdf_bytes("two")).file_name("สอง.pdf"))
        .text("description", "ไฟล์ที่สอง");
    let res = client
        .post(app.url("/registers/inbound"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("หนึ่ง.pdf") && page.contains("ไฟล์ที่สอง"),
        "{page}"
    );
    let tokens: Vec<String> = page
        .split("name=\"held\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_string))
        .collect();
    assert_eq!(tokens.len(), 2, "{page}");
    // Another user cannot use the tokens.
    let (other, other_csrf) = app.login("admin").await;
    let mut form = Form::new()
        .text("csrf", other_csrf)
        .text("doc_no", "ศธ 1/3")
        .text("doc_date", "2 พ.ค. 2569")
        .text("from", "สพฐ.")
        .text("subject", "ของคนอื่น");
    for t in &tokens {
        form = form.text("held", t.clone());
    }
    let res = other
        .post(app.url("/registers/inbound"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, theirs) = app.get_json(&w.admin, "/api/v1/letters?q=ของคนอื่น").await;
    assert_eq!(
        theirs["items"][0]["attachments"].as_array().unwrap().len(),
        0
    );
    // The clerk corrects the date and sends the form again without picking the files again.
    let mut form = Form::new()
        .text("csrf", csrf)
        .text("doc_no", "ศธ 1/2")
        .text("doc_date", "2 พ.ค. 2569")
        .text("from", "สพฐ.")
        .text("subject", "มีไฟล์");
    for t in &tokens {
        form = form.text("held", t.clone());
    }
    let res = client
        .post(app.url("/registers/inbound"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, mine) = app.get_json(&w.clerk, "/api/v1/letters?q=มีไฟล์").await;
    let files = mine["items"][0]["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{mine}");
    assert_eq!(files[0]["name"], "หนึ่ง.pdf");
    assert_eq!(files[1]["description"], "ไฟล์ที่สอง");
}
both_dbs!(
    held_files,
    a_form_with_an_error_keeps_the_files_already_chosen
);

async fn the_inbox_is_the_clerks_to_do_list(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let advert = take_in_letter(app, "ad@x", "โปรโมชั่นพิเศษ ลดราคา").await;
    let letter = take_in_letter(app, "l1@x", "ที่ ศธ 1/5 ลงวันที่ 2 พ.ค. 2569 เรื่อง ขอเชิญประชุม").await;
    let (client, _) = app.login("clerk").await;
    let page = app.page(&client, "/inbox").await;
    assert!(
        page.contains("id=\"nav-inbox\""),
        "the menu has the inbox's count"
    );
    assert!(page.contains(">2</span>"), "two waiting");
    assert!(
        page.contains("hx-trigger=\"every 30s\""),
        "the list refreshes by itself"
    );

    // A mail that is not a letter is dismissed with a reason.
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{advert}/dismiss"),
            json!({"reason": ""}),
        )
        .await;
    assert_eq!(status, 422, "a reason is required: {body}");
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{advert}/dismiss"),
            json!({"reason": "อีเมลโฆษณา"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "dismissed");
    assert_eq!(body["dismiss_reason"], "อีเมลโฆษณา");
    let (_, waiting) = app
        .get_json(&w.clerk, "/api/v1/inbox?status=unregistered")
        .await;
    assert_eq!(waiting["total"], 1, "it left the waiting list");
    let (_, dismissed) = app
        .get_json(&w.clerk, "/api/v1/inbox?status=dismissed")
        .await;
    assert_eq!(dismissed["items"][0]["id"], advert, "and stays findable");
    let res = app
        .get(&w.clerk, &format!("/api/v1/inbox/{advert}/raw"))
        .await;
    assert_eq!(res.status(), 200, "its raw bytes are kept");
    let page = app.page(&client, "/inbox").await;
    assert!(page.contains(">1</span>"), "the menu count follows");
    let entry = app.page(&client, "/nav/inbox").await;
    assert!(
        entry.contains("id=\"nav-inbox\"") && entry.contains(">1</span>"),
        "the menu entry refreshes itself on every page: {entry}"
    );
    assert!(page.contains("ไม่ใช่หนังสือราชการ"));
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.staff,
            &format!("/api/v1/inbox/{letter}/dismiss"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(status, 403);

    // Registered and given to nobody yet; with files.
    let (status, registered) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{letter}/register"),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{registered}");
    let (_, not_forwarded) = app
        .get_json(&w.clerk, "/api/v1/inbox?status=not_forwarded")
        .await;
    assert_eq!(not_forwarded["total"], 1);
    assert_eq!(not_forwarded["items"][0]["id"], letter);
    let (_, follow) = app
        .get_json(&w.clerk, "/api/v1/follow-up?status=not_forwarded")
        .await;
    assert_eq!(follow["total"], 1, "{follow}");
    assert_eq!(follow["items"][0]["letter_id"], registered["id"]);
    let page = app.page(&client, "/follow-up?status=not_forwarded").await;
    assert!(page.contains("ขอเชิญประชุม"), "the follow-up page lists it");
    let (_, with_files) = app
        .get_json(&w.clerk, "/api/v1/inbox?status=with_files")
        .await;
    assert_eq!(with_files["total"], 2);
    let (status, _) = app
        .get_json(&w.clerk, "/api/v1/inbox?status=nonsense")
        .await;
    assert_eq!(status, 400);
    w.plan_group().await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{}/forward", registered["id"]),
            json!({"to": [{"group": "plan"}], "note": "ดำเนินการ"}),
        )
        .await;
    assert!((200..300).contains(&status), "{body}");
    let (_, not_forwarded) = app
        .get_json(&w.clerk, "/api/v1/inbox?status=not_forwarded")
        .await;
    assert_eq!(not_forwarded["total"], 0);
    let page = app.page(&client, "/inbox?status=not_forwarded").await;
    assert!(page.contains("ยังไม่ได้ส่งต่อ"));

    // A secret letter sent in-system carries the red [ลับ] in the inbox list, and on the
    // dashboard once registered.
    let (status, secret) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการสำนักงานเขต"),
                ("subject", "รายงานผลการสอบสวนวินัย"),
                ("secrecy", "secret"),
                ("speed", "most_urgent"),
            ],
            vec![],
        )
        .await;
    assert_eq!(status, 201, "{secret}");
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.school_clerk,
            &format!("/api/v1/letters/{}/send", secret["id"]),
            json!({"recipients": [{"office": "dist"}], "idempotency_key": "s1"}),
        )
        .await;
    assert_eq!(status, 202);
    let page = app.page(&client, "/inbox").await;
    let row = page
        .split("<tr>")
        .find(|r| r.contains("รายงานผลการสอบสวนวินัย"))
        .expect("the secret letter in the inbox");
    assert!(row.contains("tag secret") && row.contains("[ลับ"), "{row}");
    assert!(
        row.contains("speed-most_urgent"),
        "with its speed icon: {row}"
    );

    // The original e-mail's headers, decoded.
    let page = app
        .page(&client, &format!("/inbox/{letter}/original"))
        .await;
    assert!(
        page.contains("โรงเรียนอนุบาลอุบลราชธานี &#60;saraban@school.example.go.th&#62;"),
        "{page}"
    );
    assert!(page.contains("ขอเชิญประชุม"));
    assert!(!page.contains("=?utf-8?B?"), "no encoded words");
}
both_dbs!(inbox_to_do, the_inbox_is_the_clerks_to_do_list);

async fn post_file(
    app: &crate::helpers::TestApp,
    token: &str,
    id: i64,
    name: &str,
    data: Vec<u8>,
    replace: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut form = Form::new()
        .part("file", Part::bytes(data).file_name(name.to_string()))
        .text("description", format!("คำอธิบาย {name}"));
    if let Some(n) = replace {
        form = form.text("replace", n.to_string());
    }
    let res = app
        .http
        .post(app.url(&format!("/api/v1/letters/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

async fn a_forgotten_file_is_added_after_registering(db: Db) {
    let w = spawn_app_with(db, |c| c.letters.max_attachments = 2)
        .await
        .world()
        .await;
    let app = &w.app;
    let letter = app.inbound(&w.clerk, "ลืมแนบไฟล์").await;
    let id = letter["id"].as_i64().unwrap();
    let (status, body) = post_file(app, &w.clerk, id, "หนังสือ.pdf", pdf_bytes("a"), None).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["number"], letter["number"],
        "the same number, nothing cancelled"
    );
    assert_eq!(body["attachments"][0]["name"], "หนังสือ.pdf");
    assert_eq!(body["attachments"][0]["description"], "คำอธิบาย หนังสือ.pdf");
    let (status, _) = post_file(app, &w.clerk, id, "สอง.pdf", pdf_bytes("b"), None).await;
    assert_eq!(status, 201);
    let (status, body) = post_file(app, &w.clerk, id, "สาม.pdf", pdf_bytes("c"), None).await;
    assert_eq!(status, 422, "over the limit: {body}");
    // Replacing the first keeps it in the history; the list shows the new one.
    let (status, body) =
        post_file(app, &w.clerk, id, "ฉบับแก้.pdf", pdf_bytes("a2"), Some("1")).await;
    assert_eq!(status, 201, "{body}");
    let names: Vec<&str> = body["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["สอง.pdf", "ฉบับแก้.pdf"]);
    let (_, history) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{id}/history"))
        .await;
    let text = history.to_string();
    assert!(text.contains(r#""replaces":{"name":"หนังสือ.pdf""#), "{text}");
    assert!(
        text.contains(&saraban::security::sha256_hex(&pdf_bytes("a"))),
        "the old file's hash"
    );
    let report = app.services.verify_audit().await.unwrap();
    assert!(
        matches!(report, saraban::domain::audit::ChainReport::Intact { .. }),
        "the file events join the hash chain: {report:?}"
    );
    // Staff may not; a clerk past the edit window may not; an administrator may.
    let (status, _) = post_file(app, &w.staff, id, "x.pdf", pdf_bytes("x"), Some("2")).await;
    assert!(status == 403 || status == 404, "{status}");
    let past = saraban::store::time_to_db(chrono::Utc::now() - chrono::Duration::days(3));
    sqlx::query("UPDATE letters SET registered_at = $1 WHERE id = $2")
        .bind(past)
        .bind(id)
        .execute(app.store.pool())
        .await
        .unwrap();
    let (status, _) = post_file(app, &w.clerk, id, "ช้า.pdf", pdf_bytes("late"), Some("2")).await;
    assert_eq!(status, 403);
    let (status, _) = post_file(app, &w.admin, id, "ช้า.pdf", pdf_bytes("late"), Some("2")).await;
    assert_eq!(status, 201);
    // The page offers it to the admin.
    let (client, _) = app.login("admin").await;
    let page = app.page(&client, &format!("/letters/{id}")).await;
    assert!(page.contains("id=\"add-file\""));
    assert!(
        page.contains("แนบไฟล์ ฉบับแก้.pdf แทน หนังสือ.pdf"),
        "the history says it"
    );
}
both_dbs!(
    file_after_registering,
    a_forgotten_file_is_added_after_registering
);

async fn the_register_exports_as_excel_and_csv(db: Db) {
    use calamine::{Data, Reader, Xlsx};
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    for (doc_no, subject, secrecy) in [
        ("ศธ 1/1", "ประชุมครู, ครั้งที่ \"1\"", "normal"),
        ("ศธ 1/2", "งบประมาณ", "normal"),
        ("ศธ 1/3", "ประชุมลับ", "secret"),
    ] {
        let (status, body) = app
            .post_letter(
                &w.clerk,
                &[
                    ("register", "inbound"),
                    ("doc_no", doc_no),
                    ("doc_date", "2 พ.ค. 2569"),
                    ("from", "สพฐ."),
                    ("subject", subject),
                    ("secrecy", secrecy),
                ],
                vec![],
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let get = |token: &str, path: &str| {
        let req = app.http.get(app.url(path)).bearer_auth(token.to_string());
        async move { req.send().await.unwrap() }
    };
    let res = get(&w.clerk, "/api/v1/registers/inbound.xlsx").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("an XLSX file");
    let year = saraban::domain::thai_date::be_year_of(chrono::Utc::now());
    let sheet_name = format!("ทะเบียนรับ {year}");
    assert_eq!(book.sheet_names(), vec![sheet_name.clone()]);
    let range = book.worksheet_range(&sheet_name).unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert!(
        matches!(&rows[0][0], Data::String(t) if t.contains("ทะเบียนหนังสือรับ") && t.contains("แบบที่ 13"))
    );
    assert!(matches!(&rows[1][0], Data::String(t) if t == "เลขทะเบียนรับ"));
    assert_eq!(
        rows.len(),
        2 + 3,
        "title, header and every row (the clerk sees the secret one)"
    );
    assert!(
        matches!(rows[2][0], Data::Float(n) if n == 1.0),
        "numbers as numbers: {:?}",
        rows[2][0]
    );
    assert!(matches!(&rows[2][5], Data::String(t) if t == "ประชุมครู, ครั้งที่ \"1\""));
    assert!(
        matches!(&rows[2][2], Data::DateTime(_)),
        "dates as dates: {:?}",
        rows[2][2]
    );
    // Staff do not get the secret letter; a search narrows it as the page does.
    let res = get(&w.staff, "/api/v1/registers/inbound.csv").await;
    let text = String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}'), "CSV starts with the BOM");
    assert!(text.contains("\r\n"), "CRLF");
    assert!(!text.contains("ประชุมลับ"), "secrecy rules apply to exports");
    assert!(
        text.contains("2026-05-02") && text.contains("2 พ.ค. 2569"),
        "ISO and BE dates"
    );
    assert!(
        text.contains("\"ประชุมครู, ครั้งที่ \"\"1\"\"\""),
        "quoted: {text}"
    );
    let res = get(
        &w.clerk,
        "/api/v1/registers/inbound.csv?field=subject&q=ประชุม",
    )
    .await;
    let text = String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + 2,
        "the header and the two matches: {text}"
    );
    let res = get(
        &w.clerk,
        "/api/v1/registers/inbound.csv?from=1/1/2400&to=2/1/2400",
    )
    .await;
    assert_eq!(res.status(), 200);
    let text = String::from_utf8(res.bytes().await.unwrap().to_vec()).unwrap();
    assert_eq!(text.lines().count(), 1, "nothing registered in that range");
    let res = get(&w.clerk, "/api/v1/registers/inbound.pdf").await;
    assert_eq!(
        res.status(),
        200,
        "the printed form (tests/it/outputs.rs reads it)"
    );
    let res = get(&w.clerk, "/api/v1/registers/inbound.docx").await;
    assert_eq!(res.status(), 404);
    let res = get(&w.clerk, "/api/v1/registers/nothing.csv").await;
    assert_eq!(res.status(), 404);
    // The register page links both, with its search.
    let (client, _) = app.login("clerk").await;
    let page = app
        .page(&client, "/registers/inbound?field=subject&q=ประชุม")
        .await;
    assert!(
        page.contains("/api/v1/registers/inbound.xlsx?year_be="),
        "{page}"
    );
}
both_dbs!(exports, the_register_exports_as_excel_and_csv);
