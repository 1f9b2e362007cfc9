//! The clerk's manual (`docs/manual/`) shows every step with a screenshot; this test takes them,
//! in a real Chromium, from a running office with letters in every state. The pictures are
//! written into `docs/manual/img/`, so they never go stale, and the test fails when the manual
//! names a picture (a page) this test does not take, or when a page it takes is missing.

use std::collections::BTreeSet;
use std::path::PathBuf;

use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;

use crate::helpers::browser::Browser;
use crate::helpers::{Db, PASSWORD, World, pdf_bytes, spawn_app};
use crate::mail_ingest::take_in_letter;

fn manual_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("manual")
}

/// Every `img/NAME.png` the manual's pages show.
fn pictures_named_in_the_manual() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(manual_dir()).expect("docs/manual") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).expect("manual page");
            for piece in text.split("](img/").skip(1) {
                if let Some(name) = piece.split(".png)").next() {
                    names.insert(name.to_string());
                }
            }
        }
    }
    names
}

async fn shoot(browser: &Browser, name: &str, url: &str, wait_for: &str, taken: &mut Vec<String>) {
    let c = &browser.client;
    c.goto(url).await.expect("open page");
    c.wait()
        .for_element(Locator::Css(wait_for))
        .await
        .unwrap_or_else(|e| panic!("{name}: {url} has no {wait_for}: {e}"));
    save(browser, name, taken).await;
}

async fn save(browser: &Browser, name: &str, taken: &mut Vec<String>) {
    let png = browser.client.screenshot().await.expect("screenshot");
    let dir = manual_dir().join("img");
    std::fs::create_dir_all(&dir).expect("img dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write picture");
    taken.push(name.to_string());
}

/// Logs in and waits for the home page, so the next page is not opened before the login is done.
async fn log_in(browser: &Browser, login_url: &str, user: &str) {
    browser.log_in(login_url, user, PASSWORD).await;
    browser
        .client
        .wait()
        .for_element(Locator::Css("#tile-my"))
        .await
        .unwrap_or_else(|e| panic!("{user} did not reach the home page: {e}"));
}

async fn post(w: &World, token: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let (status, out) = w.app.send_json(Method::POST, token, path, body).await;
    assert!((200..300).contains(&status), "{path}: {status} {out}");
    out
}

/// An office in the middle of a week: mail waiting, letters registered, given, overdue, sent.
async fn a_busy_office(w: &World) -> (i64, i64, i64, i64) {
    let app = &w.app;
    w.plan_group().await;
    take_in_letter(
        app,
        "m1@school",
        "ด่วนที่สุด ที่ ศธ 04183.006/141 ลงวันที่ 1 ธ.ค. 2569 เรื่อง ขออนุญาตนำนักเรียนไปทัศนศึกษา",
    )
    .await;
    let entry = take_in_letter(
        app,
        "m2@school",
        "ที่ ศธ 04183.006/142 ลงวันที่ 1 ธ.ค. 2569 เรื่อง รายงานผลการประเมินคุณภาพภายใน",
    )
    .await;
    let first = take_in_letter(
        app,
        "m3@school",
        "ที่ ศธ 04183.006/140 ลงวันที่ 30 พ.ย. 2569 เรื่อง ขอเชิญประชุมคณะกรรมการสถานศึกษา",
    )
    .await;
    // The same letter again under another Message-ID: registering it will be questioned.
    let duplicate = take_in_letter(
        app,
        "m3-again@school",
        "ที่ ศธ 04183.006/140 ลงวันที่ 30 พ.ย. 2569 เรื่อง ขอเชิญประชุมคณะกรรมการสถานศึกษา",
    )
    .await;
    let registered = post(
        w,
        &w.clerk,
        &format!("/api/v1/inbox/{first}/register"),
        json!({}),
    )
    .await;
    let given = registered["id"].as_i64().unwrap();
    post(
        w,
        &w.clerk,
        &format!("/api/v1/letters/{given}/forward"),
        json!({"to": [{"group": "plan"}], "note": "โปรดดำเนินการ", "due_date": "31 ธ.ค. 2600"}),
    )
    .await;
    sqlx::query("UPDATE assignments SET due_date = '2026-11-30' WHERE letter_id = $1")
        .bind(given)
        .execute(app.store.pool())
        .await
        .unwrap();
    for subject in ["ขอความร่วมมือสำรวจข้อมูลนักเรียน", "แจ้งกำหนดการประชุมผู้บริหาร"]
    {
        app.inbound(&w.clerk, subject).await;
    }
    let proposed = app.inbound(&w.clerk, "ขออนุมัติโครงการพัฒนาครู").await;
    let proposed = proposed["id"].as_i64().unwrap();
    post(
        w,
        &w.clerk,
        &format!("/api/v1/letters/{proposed}/propose"),
        json!({"to": "director", "summary": "เสนอเพื่อโปรดพิจารณาอนุมัติ"}),
    )
    .await;
    let (_, outbound) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการโรงเรียนในสังกัด"),
                ("subject", "แจ้งกำหนดการสอบธรรมศึกษา"),
            ],
            vec![("กำหนดการ.pdf", pdf_bytes("schedule"), "กำหนดการสอบ")],
        )
        .await;
    (entry, duplicate, given, outbound["id"].as_i64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_shows_every_page_it_names() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let (entry, duplicate, given, outbound) = a_busy_office(&w).await;
    let app = &w.app;
    let url = |path: &str| app.url(path);
    let mut taken = Vec::new();

    // คู่มือเจ้าหน้าที่ธุรการ
    let desk = Browser::start(1280, 900).await;
    log_in(&desk, &url("/login"), "clerk").await;
    shoot(
        &desk,
        "clerk-dashboard",
        &url("/"),
        "#group-counts",
        &mut taken,
    )
    .await;
    shoot(
        &desk,
        "clerk-settings",
        &url("/settings"),
        "form",
        &mut taken,
    )
    .await;
    shoot(
        &desk,
        "clerk-groups",
        &url("/settings/groups"),
        "#add-group",
        &mut taken,
    )
    .await;
    shoot(&desk, "clerk-inbox", &url("/inbox"), "#inbox", &mut taken).await;
    shoot(
        &desk,
        "clerk-inbox-entry",
        &url(&format!("/inbox/{entry}")),
        "#register",
        &mut taken,
    )
    .await;
    desk.client
        .goto(&url(&format!("/inbox/{duplicate}")))
        .await
        .unwrap();
    desk.client
        .wait()
        .for_element(Locator::Css("#register"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    desk.client
        .wait()
        .for_element(Locator::Css("#duplicate-warning"))
        .await
        .expect("the duplicate question");
    desk.client
        .execute(
            "document.querySelector('#duplicate-warning').scrollIntoView({block: 'center'})",
            vec![],
        )
        .await
        .unwrap();
    save(&desk, "clerk-duplicate", &mut taken).await;
    shoot(
        &desk,
        "clerk-new-letter",
        &url("/registers/inbound/new"),
        "#doc_date_pick",
        &mut taken,
    )
    .await;
    shoot(
        &desk,
        "clerk-register",
        &url("/registers/inbound"),
        "#register",
        &mut taken,
    )
    .await;
    shoot(
        &desk,
        "clerk-search",
        &url("/registers/inbound?field=subject&q=ประชุม"),
        "#register",
        &mut taken,
    )
    .await;
    shoot(
        &desk,
        "clerk-forward",
        &url(&format!("/letters/{given}")),
        "#assignments",
        &mut taken,
    )
    .await;
    desk.client
        .goto(&url(&format!("/letters/{outbound}")))
        .await
        .unwrap();
    desk.client
        .wait()
        .for_element(Locator::Css("details.send"))
        .await
        .expect("the send form");
    desk.client
        .execute(
            "const d = document.querySelector('details.send'); d.open = true; d.scrollIntoView();",
            vec![],
        )
        .await
        .unwrap();
    save(&desk, "clerk-send", &mut taken).await;
    shoot(
        &desk,
        "clerk-follow-up",
        &url("/follow-up?status=overdue"),
        "#follow-up",
        &mut taken,
    )
    .await;
    shoot(
        &desk,
        "clerk-print",
        &url("/registers/inbound/print"),
        "table",
        &mut taken,
    )
    .await;

    // งานเก็บหนังสือ: a filing plan, a filed and lent letter, a destruction list in review.
    post(
        &w,
        &w.clerk,
        "/api/v1/file-codes",
        serde_json::json!({"code": "1.2", "name": "การประชุมผู้บริหาร"}),
    )
    .await;
    post(
        &w,
        &w.clerk,
        &format!("/api/v1/letters/{given}/filing"),
        serde_json::json!({"file_code": "1.2"}),
    )
    .await;
    post(
        &w,
        &w.clerk,
        &format!("/api/v1/letters/{given}/loans"),
        serde_json::json!({"borrower_name": "นายสมชาย ใจดี", "borrower_position": "นิติกร",
            "borrower_unit": "สำนักงานอัยการจังหวัด", "approved_by": "director",
            "purpose": "ประกอบการพิจารณาคดี", "due_on": "2099-01-31"}),
    )
    .await;
    let csv = "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
               1,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,แจ้งกำหนดการประชุมประจำเดือน,1 ปี\r\n\
               2,2560,ศธ 04006/ว2,2017-03-02,สพฐ.,สพป.,ส่งแบบรายงานข้อมูลนักเรียน,1 ปี\r\n";
    let res = app
        .http
        .post(url("/api/v1/registers/inbound/import"))
        .bearer_auth(&w.clerk)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("2560.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let list = post(
        &w,
        &w.clerk,
        "/api/v1/disposals",
        serde_json::json!({"year_be": 2566}),
    )
    .await;
    let list_id = list["id"].as_i64().unwrap();
    let (status, _) = app
        .send_json(
            Method::PUT,
            &w.director,
            &format!("/api/v1/disposals/{list_id}/committee"),
            serde_json::json!({"chair": "clerk", "members": ["staff", "admin"]}),
        )
        .await;
    assert_eq!(status, 200);
    shoot(
        &desk,
        "clerk-records",
        &url("/records"),
        "#filed",
        &mut taken,
    )
    .await;
    shoot(&desk, "clerk-loans", &url("/loans"), "#loans", &mut taken).await;
    shoot(
        &desk,
        "clerk-disposal",
        &url(&format!("/disposals/{list_id}")),
        "#items",
        &mut taken,
    )
    .await;
    drop(desk);

    // คู่มือผู้บริหาร: on a phone.
    let phone = Browser::phone(390, 844).await;
    log_in(&phone, &url("/login"), "director").await;
    shoot(
        &phone,
        "exec-my-box",
        &url("/my?box=personal"),
        "#box",
        &mut taken,
    )
    .await;
    let c = &phone.client;
    c.goto(&url("/my?box=personal")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#box li a.subject"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("details.endorse"))
        .await
        .unwrap();
    c.execute(
        "document.querySelector('details.endorse').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    save(&phone, "exec-endorse", &mut taken).await;
    drop(phone);
    let phone = Browser::phone(390, 844).await;
    log_in(&phone, &url("/login"), "clerk").await;
    shoot(
        &phone,
        "phone-register",
        &url("/registers/inbound"),
        "#register",
        &mut taken,
    )
    .await;
    let width = phone
        .client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().unwrap() <= 390,
        "the register fits a phone: {width} px"
    );
    drop(phone);

    // คู่มือผู้ดูแลระบบ
    let admin = Browser::start(1280, 900).await;
    log_in(&admin, &url("/login"), "admin").await;
    shoot(
        &admin,
        "admin-mailboxes",
        &url("/settings/mailboxes"),
        "#smtp-save",
        &mut taken,
    )
    .await;
    admin.client.goto(&url("/settings/users")).await.unwrap();
    admin
        .client
        .wait()
        .for_element(Locator::Css("details.user-edit"))
        .await
        .expect("an officer to edit");
    admin
        .client
        .execute(
            "const d = document.querySelectorAll('details.user-edit'); d[d.length - 1].open = true;",
            vec![],
        )
        .await
        .unwrap();
    save(&admin, "admin-users", &mut taken).await;
    shoot(
        &admin,
        "admin-password",
        &url("/account/password"),
        "#change-password",
        &mut taken,
    )
    .await;
    drop(admin);

    let taken: BTreeSet<String> = taken.into_iter().collect();
    let named = pictures_named_in_the_manual();
    let missing: Vec<_> = named.difference(&taken).collect();
    assert!(
        missing.is_empty(),
        "the manual shows pictures no test takes: {missing:?}"
    );
    let unused: Vec<_> = taken.difference(&named).collect();
    assert!(
        unused.is_empty(),
        "pictures the manual does not show: {unused:?}"
    );
}
