//! The words inside files: a PDF's text layer, Word and Excel files, and scans read by Thai OCR
//! (image-only PDFs and a PNG), read once per content by the background reader, searchable with
//! the letters' own semantics (every word, secrecy per role), shown where they were found, and
//! proposing a scanned letter's fields. Also: `saraban serve` killed (-9) while it reads a file
//! loses nothing and reads nothing twice.

use sqlx::Row;

use crate::both_dbs;
use crate::helpers::documents::{docx, scan_pdf, thai_scan_png, thai_text_pdf, xlsx};
use crate::helpers::{Db, TestApp, World, eventually, spawn_app_with};

async fn found(app: &TestApp, token: &str, q: &str) -> i64 {
    let path = format!(
        "/api/v1/letters?register=inbound&q={}",
        percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC)
    );
    let (status, body) = app.get_json(token, &path).await;
    assert_eq!(status, 200, "{body}");
    body["total"].as_i64().unwrap()
}

async fn register(
    app: &TestApp,
    token: &str,
    n: usize,
    subject: &str,
    extra: &[(&str, &str)],
    files: Vec<(&str, Vec<u8>, &str)>,
) -> i64 {
    let doc_no = format!("ศธ 04006/ว77{n}");
    let mut fields = vec![
        ("register", "inbound"),
        ("doc_no", doc_no.as_str()),
        ("doc_date", "2 พ.ค. 2566"),
        ("from", "สพฐ."),
        ("subject", subject),
    ];
    fields.extend_from_slice(extra);
    let (status, body) = app.post_letter(token, &fields, files).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

async fn text_rows(app: &TestApp) -> Vec<(String, String, i64)> {
    sqlx::query("SELECT state, method, attempts FROM file_texts ORDER BY sha256")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("state"), r.get("method"), r.get("attempts")))
        .collect()
}

async fn words_inside_files_are_found(db: Db) {
    let w: World = spawn_app_with(db, |c| c.text.extract = true)
        .await
        .world()
        .await;
    let app = &w.app;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pdf = thai_text_pdf(
        d,
        &["บันทึกข้อความ", "โครงการปลาทูน่ากระป๋องเพื่อโภชนาการ ประจำปี ๒๕๖๖"],
    );
    let word = docx(&["คำสั่งแต่งตั้ง", "ศึกษานิเทศก์ประจำอำเภอเมือง"]);
    let book = xlsx(&[&["โครงการ", "งบประมาณ"], &["อาหารกลางวันพิเศษ", "12500"]]);
    let blank = thai_scan_png(d, "blank", &["หน้าแรกของรายงาน"]);
    let page2 = thai_scan_png(d, "page2", &["รายชื่อโรงเรียนบ้านหนองบัวแดงสามัคคี"]);
    let scanned = scan_pdf(d, &[blank, page2]);
    let letter_scan = thai_scan_png(
        d,
        "letter",
        &[
            "ที่ ศธ 04183/ว1891 สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต 1",
            "2 พฤษภาคม 2566",
            "เรื่อง ขอเชิญประชุมคณะกรรมการพัฒนาหลักสูตร",
            "เรียน ผู้อำนวยการโรงเรียน",
        ],
    );

    let a = register(
        app,
        &w.clerk,
        1,
        "ขอส่งเอกสารโครงการ",
        &[],
        vec![
            ("โครงการ.pdf", pdf.clone(), "โครงการ"),
            ("คำสั่ง.docx", word, "คำสั่ง"),
            (
                "รายงานครุภัณฑ์.doc",
                include_bytes!("../fixtures/survey-report.doc").to_vec(),
                "Word 97",
            ),
        ],
    )
    .await;
    // The same PDF on a second letter: read once, found on both.
    register(
        app,
        &w.clerk,
        2,
        "ขอส่งงบประมาณ",
        &[("allow_duplicate", "true")],
        vec![("งบ.xlsx", book, "งบ"), ("สำเนาโครงการ.pdf", pdf, "สำเนา")],
    )
    .await;
    register(
        app,
        &w.clerk,
        3,
        "รายงานผลการสำรวจ",
        &[("secrecy", "secret")],
        vec![("รายงาน.pdf", scanned, "ฉบับสแกน")],
    )
    .await;
    let hand = register(
        app,
        &w.clerk,
        4,
        "หนังสือสแกน",
        &[],
        vec![("หนังสือ.png", letter_scan, "ภาพสแกน")],
    )
    .await;

    for (word, n) in [
        ("ปลาทูน่ากระป๋อง", 2),
        ("ศึกษานิเทศก์ประจำอำเภอ", 1),
        ("อาหารกลางวันพิเศษ", 1),
        ("หนองบัวแดงสามัคคี", 1),
        ("หลักสูตร", 1),
        ("ครุภัณฑ์คอมพิวเตอร์", 1),
    ] {
        eventually(120, &format!("{word} found in the files"), || async {
            (found(app, &w.clerk, word).await == n).then_some(())
        })
        .await;
    }
    // Every word must match in one letter; the file's words with the letter's own.
    assert_eq!(found(app, &w.clerk, "ปลาทูน่า ศึกษานิเทศก์").await, 1);
    assert_eq!(found(app, &w.clerk, "ปลาทูน่า งบประมาณ").await, 1);
    assert_eq!(found(app, &w.clerk, "ศึกษานิเทศก์ งบประมาณ").await, 0);
    // Secrecy holds inside the files: the staff member may not see the secret letter.
    assert_eq!(found(app, &w.director, "หนองบัวแดงสามัคคี").await, 1);
    assert_eq!(found(app, &w.staff, "หนองบัวแดงสามัคคี").await, 0);

    // Read once per content: six files, the PDF shared; each read on its first try.
    let rows = text_rows(app).await;
    assert_eq!(rows.len(), 6, "{rows:?}");
    assert!(
        rows.iter().all(|(s, _, n)| s == "done" && *n == 1),
        "{rows:?}"
    );
    let mut methods: Vec<&str> = rows.iter().map(|(_, m, _)| m.as_str()).collect();
    methods.sort_unstable();
    assert_eq!(methods, ["doc", "docx", "ocr", "ocr", "pdf", "xlsx"]);

    // An edit keeps the files' words in the index.
    let (status, body) = app
        .send_json(
            reqwest::Method::PATCH,
            &w.clerk,
            &format!("/api/v1/letters/{a}"),
            serde_json::json!({"subject": "ขอส่งเอกสารโครงการ (แก้ไข)"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(found(app, &w.clerk, "ศึกษานิเทศก์ประจำอำเภอ").await, 1);

    // The register page says where the words were found, the words marked.
    let (clerk, _) = app.login("clerk").await;
    let page = app
        .page(&clerk, "/registers/inbound?q=%E0%B8%A8%E0%B8%B6%E0%B8%81%E0%B8%A9%E0%B8%B2%E0%B8%99%E0%B8%B4%E0%B9%80%E0%B8%97%E0%B8%A8%E0%B8%81%E0%B9%8C")
        .await;
    assert!(page.contains("พบในเนื้อความในไฟล์ คำสั่ง.docx"), "{page}");
    assert!(
        page.contains("<mark>ศึกษานิเทศก์</mark>ประจำอำเภอเมือง"),
        "{page}"
    );

    // The hand-registered scan proposes its fields, for the clerk to confirm.
    let letter_page = app.page(&clerk, &format!("/letters/{hand}")).await;
    assert!(
        letter_page.contains("id=\"scan-proposal\""),
        "{letter_page}"
    );
    assert!(letter_page.contains("ศธ 04183/ว1891"), "{letter_page}");
    assert!(
        letter_page.contains("ขอเชิญประชุมคณะกรรมการพัฒนาหลักสูตร"),
        "{letter_page}"
    );
    assert!(letter_page.contains("2 พ.ค. 2566"), "{letter_page}");
    let form = app
        .page(&clerk, &format!("/letters/{hand}/edit?from=scan"))
        .await;
    assert!(form.contains("value=\"ศธ 04183/ว1891\""), "{form}");
    assert!(form.contains("ขอเชิญประชุมคณะกรรมการพัฒนาหลักสูตร"), "{form}");

    // The admin sees the reader's progress.
    let (admin, _) = app.login("admin").await;
    let status = app.page(&admin, "/settings/file-texts").await;
    assert!(
        status.contains("id=\"texts-done\">6 ไฟล์ (ภาพสแกน 2)"),
        "{status}"
    );
    assert!(status.contains("id=\"texts-failed\">0 ไฟล์"), "{status}");
}
both_dbs!(words_inside_files, words_inside_files_are_found);

/// A reader storing a file's text while another transaction adds the same file to a second
/// letter: the second letter gets the words too. (On PostgreSQL the reader used to finish
/// beside the uncommitted attachment, refresh only the first letter, and leave the second
/// without the file's words for good; CI met it in the destruction test.)
async fn a_text_stored_beside_a_new_attachment_reaches_it(db: Db) {
    use saraban::store::{letters::NewAttachment, registration, search_columns};
    let w: World = spawn_app_with(db, |_| {}).await.world().await;
    let app = &w.app;
    let pdf = crate::helpers::pdf_bytes("THE SAME CIRCULAR");
    let size = pdf.len() as i64;
    register(
        app,
        &w.clerk,
        1,
        "เรื่องแรก",
        &[],
        vec![("หนังสือเวียน.pdf", pdf, "")],
    )
    .await;
    let second = register(app, &w.clerk, 2, "เรื่องที่สอง", &[], vec![]).await;
    let claim = app
        .store
        .claim_file_text("race-test", chrono::Duration::minutes(5))
        .await
        .unwrap()
        .expect("the first letter's file is queued");

    let mut tx = app.store.begin_write().await.unwrap();
    let same_file = NewAttachment {
        name: "สำเนา.pdf".into(),
        description: String::new(),
        kind: saraban::domain::attachment::FileKind::Pdf,
        size,
        sha256: claim.sha256.clone(),
    };
    registration::add_attachment(&mut tx, second, &same_file, chrono::Utc::now())
        .await
        .unwrap();
    search_columns::refresh_search_columns(&mut tx, &[second])
        .await
        .unwrap();
    let store = app.store.clone();
    let sha = claim.sha256.clone();
    let finishing = tokio::spawn(async move {
        store
            .finish_file_text(&sha, "race-test", "pdf", "คำในไฟล์ RACEWORD", 1)
            .await
    });
    if db == Db::Postgres {
        // Either the reader finished already (and missed the second letter) or it waits for
        // this transaction; SQLite's writers run one at a time anyway.
        eventually(30, "the reader finished or waiting", || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND datname = current_database()",
            )
            .fetch_one(app.store.pool())
            .await
            .unwrap();
            (finishing.is_finished() || waiting > 0).then_some(())
        })
        .await;
    }
    tx.commit().await.unwrap();
    assert!(
        finishing.await.unwrap().unwrap(),
        "stored by the lease owner"
    );
    assert_eq!(found(app, &w.clerk, "RACEWORD").await, 2, "both letters");
}
both_dbs!(
    text_beside_new_attachment,
    a_text_stored_beside_a_new_attachment_reaches_it
);

/// A file no tool can read fails after its tries, shows on the admin page with its reason, and
/// is read after "ลองใหม่" once the tool is there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_cannot_be_read_is_shown_and_retried() {
    let w: World = spawn_app_with(Db::Sqlite, |c| {
        c.text.extract = true;
        c.text.max_attempts = 1;
        c.text.pdftotext = "/nonexistent/pdftotext".into();
    })
    .await
    .world()
    .await;
    let app = &w.app;
    let pdf = crate::helpers::pdf_bytes("A PAGE WITH ENOUGH LETTERS TO BE TEXT NOT A SCAN");
    register(app, &w.clerk, 9, "เรื่องทดสอบ", &[], vec![("ก.pdf", pdf, "")]).await;
    eventually(60, "the failure recorded", || async {
        (text_rows(app).await.first().map(|r| r.0.clone()) == Some("failed".into())).then_some(())
    })
    .await;
    let (admin, csrf) = app.login("admin").await;
    let page = app.page(&admin, "/settings/file-texts").await;
    assert!(
        page.contains("ไม่พบโปรแกรม /nonexistent/pdftotext"),
        "{page}"
    );
    assert!(page.contains("id=\"texts-failed\">1 ไฟล์"), "{page}");
    let first_failure = failed_at(app).await;
    let res = admin
        .post(app.url("/settings/file-texts/retry"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    // Queued again and tried again (failing again, the tool still missing).
    eventually(60, "a second try after ลองใหม่", || async {
        let again = failed_at(app).await;
        (again.is_some() && again != first_failure).then_some(())
    })
    .await;
}

/// When the row last failed for good (`None` while it is queued or being read).
async fn failed_at(app: &TestApp) -> Option<String> {
    sqlx::query("SELECT done_at FROM file_texts WHERE state = 'failed'")
        .fetch_optional(app.store.pool())
        .await
        .unwrap()
        .and_then(|r| r.get("done_at"))
}

/// `saraban serve` killed (-9) while it reads a file, and started again: every file is read,
/// the one in flight read again (its lease ran out), no other read twice, each stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_serve_mid_read_loses_nothing() {
    use std::process::{Command, Stdio};
    let w: World = spawn_app_with(Db::Sqlite, |_| {}).await.world().await;
    let app = &w.app;
    let total = 8usize;
    for i in 0..total {
        let pdf = crate::helpers::pdf_bytes(&format!("KILLTEST FILE NUMBER {i} WORDUNIQUE{i}X"));
        register(
            app,
            &w.clerk,
            20 + i,
            "ไฟล์ทดสอบ",
            &[],
            vec![("ก.pdf", pdf, "")],
        )
        .await;
    }
    // A pdftotext that logs what it reads and, on its third call, stops until it is killed.
    let dir = app.dir.path();
    let log = dir.join("reads.log");
    let wrapper = dir.join("pdftotext-wrapper");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nsha256sum < \"$3\" | cut -c1-64 >> {log}\n\
             if [ \"$(wc -l < {log})\" -eq 3 ] && [ ! -e {dir}/released ]; then\n\
               echo $$ > {dir}/blocked; exec sleep 300\nfi\nexec pdftotext \"$@\"\n",
            log = log.display(),
            dir = dir.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&wrapper)
        .status()
        .unwrap();
    let url = format!("sqlite://{}/saraban.db", dir.display());
    let serve = || {
        crate::helpers::serve::saraban(&["serve"], &url, dir.join("files"))
            .env("SARABAN__SERVER__LISTEN", "127.0.0.1:0")
            .env("SARABAN__MAIL__FETCH", "false")
            .env("SARABAN__SMTP__SEND", "false")
            .env("SARABAN__TEXT__LEASE_SECS", "2")
            .env("SARABAN__TEXT__POLL_SECS", "1")
            .env("SARABAN__TEXT__PDFTOTEXT", &wrapper)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = serve();
    let blocked = dir.join("blocked");
    eventually(60, "the reader stopped inside its third file", || async {
        blocked.exists().then_some(())
    })
    .await;
    first.kill().unwrap(); // SIGKILL: no clean-up of any kind
    first.wait().unwrap();
    // The tool's own process outlives its parent; end it as an operator would.
    let stuck = std::fs::read_to_string(&blocked).unwrap();
    let _ = Command::new("kill").arg("-9").arg(stuck.trim()).status();
    std::fs::write(dir.join("released"), "").unwrap();
    let done_at_kill = text_rows(app)
        .await
        .iter()
        .filter(|r| r.0 == "done")
        .count();
    assert_eq!(done_at_kill, 2, "two read, one in flight");

    let mut second = serve();
    use futures_util::FutureExt;
    let result = std::panic::AssertUnwindSafe(eventually(120, "every file read", || async {
        let rows = text_rows(app).await;
        (rows.iter().filter(|r| r.0 == "done").count() == total).then_some(rows)
    }))
    .catch_unwind()
    .await;
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status();
    let _ = second.wait();
    let rows = result.unwrap();
    // Each file stored once; the one in flight took two tries, every other one.
    assert_eq!(rows.len(), total);
    let mut tries: Vec<i64> = rows.iter().map(|r| r.2).collect();
    tries.sort_unstable();
    assert_eq!(tries, [1, 1, 1, 1, 1, 1, 1, 2]);
    let reads = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<&str> = reads.lines().collect();
    assert_eq!(
        lines.len(),
        total + 1,
        "only the file in flight read twice: {reads}"
    );
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), total, "{reads}");
    for i in 0..total {
        assert_eq!(found(app, &w.clerk, &format!("WORDUNIQUE{i}X")).await, 1);
    }
}
