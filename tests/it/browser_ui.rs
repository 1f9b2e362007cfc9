//! A clerk in headless Chromium: log in, register an inbound letter with a PDF, find it by a Thai
//! word, open it. Screenshots land in target/screenshots for a person to look at.

use std::time::Duration;

use fantoccini::Locator;

use crate::helpers::browser::Browser;
use crate::helpers::{Db, PASSWORD, pdf_bytes, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_registers_searches_and_opens_a_letter_in_chromium() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    app.inbound(&w.clerk, "ขอเชิญประชุมคณะกรรมการสถานศึกษา").await;
    let pdf_path = app.dir.path().join("หนังสือเชิญ.pdf");
    std::fs::write(&pdf_path, pdf_bytes("invitation")).unwrap();

    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    c.goto(&app.url("/registers/inbound")).await.unwrap();
    // Not logged in: the login page, which then returns to the register.
    c.wait()
        .for_element(Locator::Css("#username"))
        .await
        .unwrap();
    browser.screenshot("01-login").await;
    c.find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys("clerk")
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("table.register"))
        .await
        .unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/registers/inbound")
    );

    c.goto(&app.url("/registers/inbound/new")).await.unwrap();
    let form = c
        .wait()
        .for_element(Locator::Css("form.letter"))
        .await
        .unwrap();
    // First a mistake: no subject. The page says so in Thai and keeps the rest.
    c.find(Locator::Css("#doc_no"))
        .await
        .unwrap()
        .send_keys("ศธ ๐๔๑๘๓/ว๑๙๗๑")
        .await
        .unwrap();
    c.find(Locator::Css("#doc_date"))
        .await
        .unwrap()
        .send_keys("10 พ.ค. 2566")
        .await
        .unwrap();
    c.find(Locator::Css("#from"))
        .await
        .unwrap()
        .send_keys("กลุ่มอำนวยการ")
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let err = c
        .wait()
        .for_element(Locator::Css("#subject-error"))
        .await
        .unwrap();
    assert_eq!(err.text().await.unwrap(), "กรุณากรอกเรื่อง");
    assert_eq!(
        c.find(Locator::Css("#from"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("กลุ่มอำนวยการ")
    );
    browser.screenshot("02-form-error").await;

    c.find(Locator::Css("#subject"))
        .await
        .unwrap()
        .send_keys("ประชาสัมพันธ์โครงการประกวดภาพถ่ายศิลปะเด็กไทย")
        .await
        .unwrap();
    c.find(Locator::Css("#file1"))
        .await
        .unwrap()
        .send_keys(pdf_path.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#description1"))
        .await
        .unwrap()
        .send_keys("หนังสือเชิญ")
        .await
        .unwrap();
    c.find(Locator::Css("form.letter button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = c.wait().for_element(Locator::Css("#flash")).await.unwrap();
    assert!(
        flash
            .text()
            .await
            .unwrap()
            .contains("ลงทะเบียนเรียบร้อย เลขทะเบียนรับ 2")
    );
    assert_eq!(
        c.find(Locator::Css("#doc_no"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ศธ 04183/ว1971"
    );
    browser.screenshot("03-letter").await;

    // Find it by a Thai word from inside the subject (htmx updates the list as the clerk types).
    c.goto(&app.url("/registers/inbound")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#q"))
        .await
        .unwrap()
        .send_keys("ภาพถ่าย")
        .await
        .unwrap();
    let found = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath("//p[contains(., 'พบ 1 รายการ')]"))
        .await
        .unwrap();
    assert!(found.text().await.unwrap().contains("ภาพถ่าย"));
    browser.screenshot("04-search").await;
    c.find(Locator::LinkText("ประชาสัมพันธ์โครงการประกวดภาพถ่ายศิลปะเด็กไทย"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let subject = c
        .wait()
        .for_element(Locator::Css("#subject"))
        .await
        .unwrap();
    assert_eq!(
        subject.text().await.unwrap(),
        "ประชาสัมพันธ์โครงการประกวดภาพถ่ายศิลปะเด็กไทย"
    );

    // Open the PDF: the link opens the stamped copy (the original bytes, then the stamp appended
    // as an update); "เปิดต้นฉบับ" serves the bytes that were uploaded, inline, as a PDF.
    let link = c.find(Locator::Css("a.file-link")).await.unwrap();
    assert_eq!(link.text().await.unwrap(), "หนังสือเชิญ.pdf");
    let stamped_href = link.attr("href").await.unwrap().unwrap();
    assert!(stamped_href.ends_with("/stamped"), "{stamped_href}");
    let cookie = c.get_named_cookie("saraban_session").await.unwrap();
    let stamped = app
        .http
        .get(app.url(&stamped_href))
        .header("cookie", format!("saraban_session={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(stamped.headers()["content-type"], "application/pdf");
    let stamped = stamped.bytes().await.unwrap().to_vec();
    assert!(stamped.starts_with(&std::fs::read(&pdf_path).unwrap()));
    assert!(stamped.len() > std::fs::read(&pdf_path).unwrap().len());
    let original = c.find(Locator::Css("a.original-link")).await.unwrap();
    let href = original.attr("href").await.unwrap().unwrap();
    let res = app
        .http
        .get(app.url(&href))
        .header("cookie", format!("saraban_session={}", cookie.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(
        res.bytes().await.unwrap().to_vec(),
        std::fs::read(&pdf_path).unwrap()
    );
    c.goto(&app.url(&href)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/files/1"));

    // The other screens, for a person to look at.
    for (path, name) in [
        ("/", "05-dashboard"),
        ("/settings", "06-settings"),
        ("/settings/users", "07-users"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        c.wait().for_element(Locator::Css("main")).await.unwrap();
        browser.screenshot(name).await;
    }
    c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_is_usable_on_a_phone() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    app.inbound(&w.clerk, "การจัดกิจกรรมงานดูแลครูไทยวัยเกษียณ ประจำปี พ.ศ. 2566")
        .await;
    let browser = Browser::phone(390, 844).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "clerk", PASSWORD).await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    browser.screenshot("08-phone-dashboard").await;
    c.goto(&app.url("/letters/1")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("dl.letter-facts"))
        .await
        .unwrap();
    // Nothing on the letter page is wider than the phone.
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().unwrap() <= 390,
        "page is {width} px wide on a 390 px phone"
    );
    browser.screenshot("09-phone-letter").await;
    c.clone().close().await.unwrap();
}

/// The clerk opens the inbox, sees a letter that came by e-mail, checks the pre-filled form and
/// registers it with one click.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_registers_an_emailed_letter_in_one_click() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let office = app.store.find_office("dist").await.unwrap();
    let letter = crate::mail_ingest::thai_letter(
        "ui-1@school.example.go.th",
        "ที่ ศธ 04183.006/131 ลงวันที่ 2 พ.ค. 2566 เรื่อง ขอความอนุเคราะห์ใช้สถานที่",
        &pdf_bytes("ui"),
    );
    let origin = saraban::service::ingest::Origin::File("ui.eml".into());
    saraban::service::ingest::ingest(&app.services, &office, &origin, letter.into(), None)
        .await
        .unwrap();
    saraban::service::ingest::ingest(
        &app.services,
        &office,
        &origin,
        bytes::Bytes::from_static(b"\x00 broken"),
        None,
    )
    .await
    .unwrap();
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "clerk", PASSWORD).await;
    let waiting = c
        .wait()
        .for_element(Locator::Css("#waiting"))
        .await
        .unwrap();
    assert_eq!(waiting.text().await.unwrap(), "1");
    browser.screenshot("10-dashboard-with-inbox").await;
    c.goto(&app.url("/inbox")).await.unwrap();
    c.wait()
        .for_element(Locator::LinkText("ขอความอนุเคราะห์ใช้สถานที่"))
        .await
        .unwrap();
    browser.screenshot("11-inbox").await;
    c.find(Locator::LinkText("ขอความอนุเคราะห์ใช้สถานที่"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let doc_no = c.wait().for_element(Locator::Css("#doc_no")).await.unwrap();
    assert_eq!(
        doc_no.prop("value").await.unwrap().as_deref(),
        Some("ศธ 04183.006/131")
    );
    assert_eq!(
        c.find(Locator::Css("#doc_date"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("2 พ.ค. 2566")
    );
    browser.screenshot("12-inbox-entry").await;
    c.find(Locator::Css("#register"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = c.wait().for_element(Locator::Css("#flash")).await.unwrap();
    assert!(flash.text().await.unwrap().contains("เลขทะเบียนรับ 1"));
    let received = c
        .find(Locator::Css("#received_at"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        received.starts_with("2 พ.ค. 2566 09:15 น.") && received.contains("ดูอีเมลต้นฉบับ"),
        "{received}"
    );
    assert_eq!(
        c.find(Locator::Css("a.file-link"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "หนังสือนำส่ง.pdf"
    );
    // The registered letter's PDF opens stamped first, the original one click away.
    let stamped = c
        .find(Locator::Css("a.file-link.stamped"))
        .await
        .expect("the stamped copy is the file's link");
    assert!(
        stamped
            .attr("href")
            .await
            .unwrap()
            .unwrap_or_default()
            .ends_with("/files/1/stamped")
    );
    assert!(c.find(Locator::Css("a.original-link")).await.is_ok());
    c.execute(
        "document.querySelector('ul.files').scrollIntoView()",
        vec![],
    )
    .await
    .unwrap();
    browser.screenshot("12b-letter-stamped").await;
    c.goto(&app.url("/quarantine")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("table.register"))
        .await
        .unwrap();
    browser.screenshot("13-quarantine").await;
    c.clone().close().await.unwrap();
}

/// A school's clerk sends an outbound letter to the district from the letter page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_school_sends_a_letter_to_the_district_from_its_page() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (_, out) = app
        .post_letter(
            &w.school_clerk,
            &[
                ("register", "outbound"),
                ("to", "ผู้อำนวยการ สพป."),
                ("subject", "รายงานผลการสอบ"),
            ],
            vec![("ผลสอบ.pdf", pdf_bytes("r"), "")],
        )
        .await;
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser
        .log_in(&app.url("/login"), "school-clerk", PASSWORD)
        .await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    c.goto(&app.url(&format!("/letters/{}", out["id"])))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("details.send summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let district = c
        .find(Locator::Css("input[name=office][value=dist]"))
        .await
        .unwrap();
    assert_eq!(
        district.prop("checked").await.unwrap().as_deref(),
        Some("true"),
        "the district is ticked by default"
    );
    c.find(Locator::Css("#emails"))
        .await
        .unwrap()
        .send_keys("saraban04183@example.test")
        .await
        .unwrap();
    browser.screenshot("14-send-form").await;
    c.find(Locator::Css("#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = c
        .wait()
        .for_element(Locator::Css("#deliveries"))
        .await
        .unwrap();
    assert!(table.text().await.unwrap().contains("ถึงผู้รับแล้ว"));
    // The e-mail leaves through the outbox (here the .eml folder): the row says so on reload.
    let letter_url = app.url(&format!("/letters/{}", out["id"]));
    crate::helpers::eventually(30, "the e-mail row sent", || async {
        c.goto(&letter_url).await.ok()?;
        let text = c
            .find(Locator::Css("#deliveries"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (text.contains("saraban04183@example.test") && text.contains("บันทึกเป็นไฟล์")).then_some(())
    })
    .await;
    c.execute(
        "document.getElementById('deliveries').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("15-sent").await;
    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    assert_eq!(inbox["items"][0]["subject"], "รายงานผลการสอบ");
    c.clone().close().await.unwrap();
}

/// The district's clerk sends a circular to all its schools from the letter page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_district_sends_a_circular_to_all_its_schools() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    app.office("school2", "school", Some("dist"), "ศธ 04183.007")
        .await;
    app.services
        .create_school_group(
            "dist",
            "กลุ่มเครือข่ายที่ 1",
            &["school".into(), "school2".into()],
        )
        .await
        .unwrap();
    let (_, out) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "circular"),
                ("to", "ผู้อำนวยการโรงเรียนในสังกัด"),
                ("subject", "แจ้งกำหนดการประชุมผู้บริหารสถานศึกษา"),
                ("speed", "most_urgent"),
            ],
            Vec::new(),
        )
        .await;
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "clerk", PASSWORD).await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    c.goto(&app.url(&format!("/letters/{}", out["id"])))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("details.send summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let all = c.find(Locator::Css("#all-schools")).await.unwrap();
    all.click().await.unwrap();
    let form = c.find(Locator::Css("details.send")).await.unwrap();
    let text = form.text().await.unwrap();
    assert!(
        text.contains("ทุกโรงเรียนในสังกัด") && text.contains("กลุ่มเครือข่ายที่ 1 (2 แห่ง)"),
        "{text}"
    );
    c.execute(
        "document.querySelector('details.send').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("16-district-send-form").await;
    c.find(Locator::Css("#send"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let table = c
        .wait()
        .for_element(Locator::Css("#deliveries"))
        .await
        .unwrap();
    let text = table.text().await.unwrap();
    assert!(
        text.contains("โรงเรียนทดสอบ school2") && text.contains("โรงเรียนทดสอบ school"),
        "{text}"
    );
    c.clone().close().await.unwrap();
}

/// The director, on a phone, opens what the saraban proposed and endorses it with "มอบ" to a
/// work group in one step; the group sees it and the letter page shows the endorsement.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_director_endorses_on_a_phone() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    w.plan_group().await;
    let (status, out) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "inbound"),
                ("doc_no", "ศธ 04006/ว1234"),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สพฐ."),
                ("subject", "ขอให้จัดทำแผนพัฒนาการศึกษา"),
                ("speed", "most_urgent"),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 201, "{out}");
    let id = out["id"].as_i64().unwrap();
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/propose"),
            serde_json::json!({"to": "director", "summary": "เห็นควรมอบกลุ่มนโยบายและแผน"}),
        )
        .await;
    assert_eq!(status, 201);

    let browser = Browser::phone(390, 844).await;
    let c = &browser.client;
    browser
        .log_in(&app.url("/login"), "director", PASSWORD)
        .await;
    let tile = c
        .wait()
        .for_element(Locator::Css("#unacknowledged"))
        .await
        .unwrap();
    assert_eq!(tile.text().await.unwrap(), "1");
    c.find(Locator::Css("#tile-my"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let item = c
        .wait()
        .for_element(Locator::Css("#box li a.subject"))
        .await
        .unwrap();
    browser.screenshot("17-phone-my-box").await;
    item.click().await.unwrap();
    c.wait()
        .for_element(Locator::Css("input[name=decision][value=assign]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#endorse-text"))
        .await
        .unwrap()
        .send_keys("มอบกลุ่มนโยบายและแผนดำเนินการ")
        .await
        .unwrap();
    c.find(Locator::Css("#assign-group option[value=plan]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.execute(
        "document.querySelector('details.endorse').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("18-phone-endorse").await;
    let width = c
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .unwrap();
    assert!(width.as_i64().unwrap() <= 390, "page is {width} px wide");
    c.find(Locator::Css("#endorse"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let list = c
        .wait()
        .for_element(Locator::Css("#endorsements"))
        .await
        .unwrap();
    assert!(
        list.text()
            .await
            .unwrap()
            .contains("มอบ มอบกลุ่มนโยบายและแผนดำเนินการ")
    );
    let table = c.find(Locator::Css("#assignments")).await.unwrap();
    assert!(table.text().await.unwrap().contains("กลุ่มนโยบายและแผน"));
    c.execute(
        "document.getElementById('endorsements').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("19-phone-endorsed").await;
    let (_, group_box) = app.get_json(&w.staff, "/api/v1/inbox?box=group").await;
    assert_eq!(group_box["items"][0]["kind"], "assign");
    assert_eq!(group_box["items"][0]["letter_id"], id);
    c.clone().close().await.unwrap();
}

/// The admin's mail page: incoming mailboxes and the outgoing SMTP account, for a person to see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_sees_incoming_and_outgoing_mail_settings() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "admin", PASSWORD).await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    c.goto(&app.url("/settings/mailboxes")).await.unwrap();
    let smtp = c.wait().for_element(Locator::Css("#smtp")).await.unwrap();
    assert!(smtp.text().await.unwrap().contains("ส่งอีเมลออก (SMTP)"));
    c.execute(
        "document.getElementById('smtp').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("20-smtp-settings").await;
    c.clone().close().await.unwrap();
}

/// The record's life on the letter page: how long it is kept, a hold placed through the form,
/// and the retention settings, for a person to see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_holds_a_letter_from_destruction() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let letter = app
        .inbound(&w.clerk, "ขอให้เก็บเอกสารไว้เป็นหลักฐานประกอบคดี")
        .await;
    let id = letter["id"].as_i64().unwrap();
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "clerk", PASSWORD).await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    c.goto(&app.url(&format!("/letters/{id}"))).await.unwrap();
    let kept = c
        .wait()
        .for_element(Locator::Id("keep-until"))
        .await
        .unwrap();
    assert!(kept.text().await.unwrap().starts_with("เก็บถึง พ.ศ. "));
    c.find(Locator::Css("#keeping summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("hold-reason"))
        .await
        .unwrap()
        .send_keys("ศาลปกครองขอให้เก็บไว้ คดีหมายเลขดำที่ 12/2569")
        .await
        .unwrap();
    c.find(Locator::Id("place-hold"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The hold is recorded (poll with a deadline), then the page, opened again, says so.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, holds) = app
            .get_json(&w.clerk, &format!("/api/v1/letters/{id}/holds"))
            .await;
        if holds["holds"].as_array().is_some_and(|h| !h.is_empty()) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "hold not saved: {holds}"
        );
        tokio::task::yield_now().await;
    }
    c.goto(&app.url(&format!("/letters/{id}"))).await.unwrap();
    let retention = c
        .wait()
        .for_element(Locator::Id("retention"))
        .await
        .unwrap();
    assert!(
        retention.text().await.unwrap().contains("ระงับการทำลาย"),
        "the held letter says so"
    );
    c.execute(
        "document.getElementById('keeping').open = true; document.getElementById('retention').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("21-letter-retention-hold").await;
    c.goto(&app.url("/settings")).await.unwrap();
    c.wait()
        .for_element(Locator::Id("retention"))
        .await
        .unwrap();
    c.execute(
        "document.getElementById('retention').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("22-settings-retention").await;
    c.clone().close().await.unwrap();
}

/// งานเก็บหนังสือ: a code added, a letter filed and lent from its page, the lending register,
/// for a person to see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_files_and_lends_a_letter() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let letter = app.inbound(&w.clerk, "ขอเชิญประชุมคณะกรรมการสถานศึกษา").await;
    let id = letter["id"].as_i64().unwrap();
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "clerk", PASSWORD).await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    c.goto(&app.url("/records")).await.unwrap();
    c.wait().for_element(Locator::Id("code")).await.unwrap();
    c.find(Locator::Id("code"))
        .await
        .unwrap()
        .send_keys("2.1")
        .await
        .unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("การประชุมคณะกรรมการ")
        .await
        .unwrap();
    c.find(Locator::Id("add-code"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("p.alert.good"))
        .await
        .unwrap();

    c.goto(&app.url(&format!("/letters/{id}"))).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#filing summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("file-letter"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Back on the letter page (the only one with #filed), the section opens again at a click.
    let filed = c.wait().for_element(Locator::Id("filed")).await.unwrap();
    c.find(Locator::Css("#filing summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(filed.text().await.unwrap().contains("แฟ้ม 2.1"));
    c.find(Locator::Id("borrower_user"))
        .await
        .unwrap()
        .send_keys("staff")
        .await
        .unwrap();
    c.find(Locator::Id("purpose"))
        .await
        .unwrap()
        .send_keys("ใช้ประกอบการประชุม")
        .await
        .unwrap();
    c.find(Locator::Id("due_on"))
        .await
        .unwrap()
        .send_keys("31 ธ.ค. 2599")
        .await
        .unwrap();
    c.find(Locator::Id("lend"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let loans = c.wait().for_element(Locator::Id("loans")).await.unwrap();
    assert!(loans.text().await.unwrap().contains("ยืมอยู่"));
    c.execute(
        "document.getElementById('filing').scrollIntoView()",
        Vec::new(),
    )
    .await
    .unwrap();
    browser.screenshot("23-letter-filed-and-lent").await;

    c.goto(&app.url("/loans")).await.unwrap();
    let table = c.wait().for_element(Locator::Id("loans")).await.unwrap();
    assert!(table.text().await.unwrap().contains("คุณstaff"));
    browser.screenshot("24-lending-register").await;
    c.goto(&app.url("/records")).await.unwrap();
    c.wait().for_element(Locator::Id("filed")).await.unwrap();
    browser.screenshot("25-records").await;
    c.clone().close().await.unwrap();
}

/// การทำลายหนังสือ: a survey from the page, and the chair's review in the list's table, for a
/// person to see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_reviews_a_destruction_list() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let csv = "เลขทะเบียนรับ,ปี พ.ศ.,ที่,ลงวันที่,จาก,ถึง,เรื่อง,อายุการเก็บ\r\n\
               1,2560,ศธ 04006/ว1,2017-03-01,สพฐ.,สพป.,แจ้งกำหนดการประชุมประจำเดือน,1 ปี\r\n\
               2,2560,ศธ 04006/ว2,2017-03-02,สพฐ.,สพป.,ส่งแบบรายงานข้อมูลนักเรียน,1 ปี\r\n";
    let res = app
        .http
        .post(app.url("/api/v1/registers/inbound/import"))
        .bearer_auth(&w.clerk)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("2560.csv"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let browser = Browser::start(1280, 900).await;
    let c = &browser.client;
    browser.log_in(&app.url("/login"), "clerk", PASSWORD).await;
    c.wait().for_element(Locator::Css(".tiles")).await.unwrap();
    c.goto(&app.url("/disposals")).await.unwrap();
    let year = c.wait().for_element(Locator::Id("year_be")).await.unwrap();
    year.clear().await.unwrap();
    year.send_keys("2566").await.unwrap();
    c.find(Locator::Css("#survey button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let state = c
        .wait()
        .for_element(Locator::Id("disposal-state"))
        .await
        .unwrap();
    assert_eq!(state.text().await.unwrap(), "ร่างบัญชีหนังสือขอทำลาย");
    let url = c.current_url().await.unwrap();
    let id: i64 = url.path().rsplit('/').next().unwrap().parse().unwrap();
    let (status, _) = app
        .send_json(
            reqwest::Method::PUT,
            &w.director,
            &format!("/api/v1/disposals/{id}/committee"),
            serde_json::json!({"chair": "clerk", "members": ["staff", "admin"]}),
        )
        .await;
    assert_eq!(status, 200);
    c.goto(&app.url(&format!("/disposals/{id}"))).await.unwrap();
    let selects = c
        .wait()
        .for_element(Locator::Css("#items select"))
        .await
        .unwrap();
    selects.select_by_value("destroy").await.unwrap();
    c.find(Locator::Id("save-review"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The review is saved (poll with a deadline), then the page is back with the decision.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, list) = app
            .get_json(&w.clerk, &format!("/api/v1/disposals/{id}"))
            .await;
        if list["items"][0]["decision"] == "destroy" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "review not saved: {list}"
        );
        tokio::task::yield_now().await;
    }
    c.goto(&app.url(&format!("/disposals/{id}"))).await.unwrap();
    let items = c.wait().for_element(Locator::Id("items")).await.unwrap();
    assert!(items.text().await.unwrap().contains("แจ้งกำหนดการประชุม"));
    browser.screenshot("26-destruction-review").await;
    c.clone().close().await.unwrap();
}
