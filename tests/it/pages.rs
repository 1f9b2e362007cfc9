//! The Thai pages without a browser: forms keep what was typed, errors sit next to their field.

use reqwest::multipart::{Form, Part};

use crate::helpers::{Db, pdf_bytes, spawn_app};

fn letter_form(csrf: &str, pairs: &[(&str, &str)]) -> Form {
    let mut form = Form::new().text("csrf", csrf.to_string());
    for (k, v) in pairs {
        form = form.text(k.to_string(), v.to_string());
    }
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_with_errors_comes_back_with_thai_messages_and_the_typed_values() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (browser, csrf) = app.login("clerk").await;
    let form = letter_form(
        &csrf,
        &[
            ("doc_no", "ศธ 04183"),
            ("doc_date", "31 ก.พ. 2566"),
            ("from", "กลุ่มนิเทศ"),
            ("subject", "ประชุมครูวิชาการ"),
        ],
    );
    let res = browser
        .post(app.url("/registers/inbound"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"doc_no-error\""),
        "the error sits next to ที่"
    );
    assert!(html.contains("เลขที่หนังสือควรมีรูปแบบ"));
    assert!(html.contains("ไม่มีวันที่นี้ในปฏิทิน"));
    assert!(html.contains("ประชุมครูวิชาการ"), "the typed subject is kept");
    assert!(
        html.contains("value=\"กลุ่มนิเทศ\""),
        "the typed sender is kept"
    );
    assert!(
        html.contains("value=\"31 ก.พ. 2566\""),
        "the typed date is kept, wrong as it is"
    );
    let (_, list) = app.get_json(&w.clerk, "/api/v1/letters").await;
    assert_eq!(list["total"], 0);

    // A refused file keeps the text too.
    let form = letter_form(
        &csrf,
        &[
            ("doc_no", "ศธ 04183/ว1"),
            ("doc_date", "2 พ.ค. 2566"),
            ("from", "กลุ่มนิเทศ"),
            ("subject", "ไฟล์ผิดประเภท"),
        ],
    )
    .part(
        "file",
        Part::bytes(b"MZ\x90\x00".to_vec()).file_name("setup.exe"),
    )
    .text("description", "");
    let res = browser
        .post(app.url("/registers/inbound"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"files-error\""));
    assert!(html.contains("setup.exe"));
    assert!(html.contains("ไฟล์ผิดประเภท"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_through_the_form_shows_the_new_number_and_files() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (browser, csrf) = app.login("clerk").await;
    let pdf = pdf_bytes("form upload");
    // Five file boxes: the clerk used the first and the third.
    let mut form = letter_form(
        &csrf,
        &[
            ("doc_no", "ศธ 04183/ว1891"),
            ("doc_date", "๒ พ.ค. ๒๕๖๖"),
            ("from", "กลุ่มส่งเสริมการจัดการศึกษา"),
            ("subject", "โครงการทำบุญวันละบาท"),
            ("speed", "urgent"),
        ],
    );
    for slot in 1..=5 {
        let (name, data, desc) = match slot {
            1 => ("คำสั่ง.pdf", pdf.clone(), "คำสั่งแต่งตั้ง"),
            3 => ("รูป.png", b"\x89PNG\r\n\x1a\n0000".to_vec(), "ภาพประกอบ"),
            _ => ("", Vec::new(), ""),
        };
        form = form
            .part("file", Part::bytes(data).file_name(name.to_string()))
            .text("description", desc.to_string());
    }
    let res = browser
        .post(app.url("/registers/inbound"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.ends_with("?done=registered"));
    let html = app.page(&browser, &location).await;
    assert!(html.contains("ลงทะเบียนเรียบร้อย เลขทะเบียนรับ 1"));
    assert!(html.contains("2 พ.ค. 2566"));
    assert!(html.contains("คำสั่ง.pdf") && html.contains("คำสั่งแต่งตั้ง"));
    assert!(
        html.contains("รูป.png") && html.contains("ภาพประกอบ"),
        "the third box's description stays with its file"
    );
    let res = browser
        .get(app.url(&location.replace("?done=registered", "/files/1")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline"),
        "a PDF opens in the browser"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);

    // The list shows it with the manual's columns; the print view too.
    let list = app.page(&browser, "/registers/inbound").await;
    for column in [
        "เลขทะเบียนรับ",
        "ที่",
        "ลงวันที่",
        "จาก",
        "ถึง",
        "เรื่อง",
        "การปฏิบัติ",
        "หมายเหตุ",
        "วันลงทะเบียน",
    ] {
        assert!(
            list.contains(&format!("<th>{column}</th>")),
            "column {column}"
        );
    }
    assert!(list.contains("ศธ 04183/ว1891"));
    let print = app.page(&browser, "/registers/inbound/print").await;
    assert!(print.contains("โครงการทำบุญวันละบาท") && print.contains("รวม 1 รายการ"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_screens_change_prefix_start_numbers_and_officers() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let (browser, csrf) = app.login("clerk").await;
    let csrf = csrf.as_str();
    let res = browser
        .post(app.url("/settings/office"))
        .form(&[
            ("csrf", csrf),
            ("name", "สพป.ทดสอบ"),
            ("prefix", "ศธ/"),
            ("email", ""),
            ("circular_numbering", "shared_with_outbound"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"prefix-error\""));
    assert!(html.contains("value=\"ศธ/\""), "the typed prefix is kept");
    let res = browser
        .post(app.url("/settings/office"))
        .form(&[
            ("csrf", csrf),
            ("name", "สพป.ทดสอบ"),
            ("prefix", "ศธ ๐๔๑๙๙"),
            ("email", "saraban@example.go.th"),
            ("circular_numbering", "separate"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let year = saraban::domain::thai_date::be_year_of(chrono::Utc::now()).to_string();
    let res = browser
        .post(app.url("/settings/counters"))
        .form(&[
            ("csrf", csrf),
            ("series", "outbound"),
            ("year_be", year.as_str()),
            ("start_number", "๑๓๐"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (_, out) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "สพฐ."),
                ("subject", "ต่อเลขจากทะเบียนกระดาษ"),
            ],
            vec![],
        )
        .await;
    assert_eq!(out["number"], 130);
    assert_eq!(out["doc_no"], "ศธ 04199/130");
    let res = browser
        .post(app.url("/settings/counters"))
        .form(&[
            ("csrf", csrf),
            ("series", "outbound"),
            ("year_be", year.as_str()),
            ("start_number", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("ออกเลขไปแล้ว"));
    // A circular issued this year: the switch back to the shared series waits for next year, and
    // the page says so beside the field.
    let (_, circ) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "circular"),
                ("to", "โรงเรียน"),
                ("subject", "เวียน"),
            ],
            vec![],
        )
        .await;
    assert_eq!(circ["doc_no"], "ศธ 04199/ว1");
    let res = browser
        .post(app.url("/settings/office"))
        .form(&[
            ("csrf", csrf),
            ("name", "สพป.ทดสอบ"),
            ("prefix", "ศธ ๐๔๑๙๙"),
            ("email", "saraban@example.go.th"),
            ("circular_numbering", "shared_with_outbound"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"circular_numbering-error\"") && html.contains("ปีถัดไป"));

    let res = browser
        .post(app.url("/settings/users"))
        .form(&[
            ("csrf", csrf),
            ("username", "ครูสมศรี"),
            ("full_name", "นางสมศรี ใจงาม"),
            ("role", "staff"),
            ("password", "สั้น"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"password-error\"") && html.contains("value=\"นางสมศรี ใจงาม\""));
    let res = browser
        .post(app.url("/settings/users"))
        .form(&[
            ("csrf", csrf),
            ("username", "ครูสมศรี"),
            ("full_name", "นางสมศรี ใจงาม"),
            ("role", "staff"),
            ("password", "ยาวพอแล้วครับ"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let html = app.page(&browser, "/settings/users").await;
    assert!(html.contains("นางสมศรี ใจงาม"));
    assert!(
        !html.contains("value=\"admin\""),
        "a clerk is not offered the admin role"
    );
}

/// The menu is the same on every page: the หนังสือถึงฉัน badge counts what waits for the
/// viewer wherever they are, not only on the pages that happen to know it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_shows_the_my_box_badge() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let letter = app.inbound(&w.clerk, "ประชุมผู้บริหาร").await;
    let id = letter["id"].as_i64().unwrap();
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            &w.clerk,
            &format!("/api/v1/letters/{id}/forward"),
            serde_json::json!({"to": [{"user": "admin"}], "note": "โปรดพิจารณา"}),
        )
        .await;
    assert_eq!(status, 201);
    let (browser, _) = app.login("admin").await;
    let badge = "หนังสือถึงฉัน <span class=\"count\">1</span>";
    for path in [
        "/",
        "/inbox",
        "/quarantine",
        "/my",
        "/registers/inbound",
        "/registers/outbound/new",
        &format!("/letters/{id}"),
        &format!("/letters/{id}/edit"),
        "/settings",
        "/settings/users",
        "/settings/mailboxes",
    ] {
        let html = app.page(&browser, path).await;
        assert!(html.contains(badge), "{path} lacks the badge");
    }
}
