//! Official outputs checked with real tools: the receipt stamp on every kind of PDF that arrives
//! (qpdf, poppler), and the register as the printed form (pdftotext).

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::both_dbs;
use crate::helpers::{Db, TestApp, World, pdf_from_objects, spawn_app};

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A two-page PDF, each page with its own text, and the page tree carrying what pages inherit
/// when `inherited` (MediaBox, Resources, Rotate on /Pages), or a shifted MediaBox with an inset
/// CropBox when `shifted`.
fn two_page_pdf(inherited: bool, shifted: bool) -> Vec<u8> {
    let page_attrs = if inherited {
        String::new()
    } else if shifted {
        "/MediaBox [100 200 695 1042] /CropBox [130 230 665 1012] /Resources << /Font << /F1 7 0 R >> >>".into()
    } else {
        "/MediaBox [0 0 595 842] /Resources << /Font << /F1 7 0 R >> >>".into()
    };
    let tree_attrs = if inherited {
        "/MediaBox [0 0 595 842] /Resources << /Font << /F1 7 0 R >> >> /Rotate 0"
    } else {
        ""
    };
    let (x, y) = if shifted { (150, 900) } else { (50, 750) };
    let c1 = format!("BT /F1 18 Tf {x} {y} Td (Page one of the letter) Tj ET");
    let c2 = format!("BT /F1 18 Tf {x} {y} Td (Page two stays as it was) Tj ET");
    pdf_from_objects(&[
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!("<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 {tree_attrs} >>"),
        format!("<< /Type /Page /Parent 2 0 R {page_attrs} /Contents 5 0 R >>"),
        format!("<< /Type /Page /Parent 2 0 R {page_attrs} /Contents 6 0 R >>"),
        format!("<< /Length {} >>\nstream\n{c1}\nendstream", c1.len()),
        format!("<< /Length {} >>\nstream\n{c2}\nendstream", c2.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ])
}

/// `pdf` with an incremental update already appended (a document information dictionary).
fn with_incremental_update(pdf: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf);
    let prev: usize = text
        .rsplit("startxref")
        .next()
        .and_then(|t| t.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("startxref");
    let mut out = pdf.to_vec();
    let at = out.len();
    out.extend_from_slice(b"8 0 obj\n<< /Title (Updated once) >>\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n8 1\n{at:010} 00000 n \ntrailer\n<< /Size 9 /Root 1 0 R /Info 8 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

/// `pdf` with its `startxref` pointing nowhere: readers must rebuild the table.
fn with_damaged_xref(pdf: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pdf).into_owned();
    let cut = text.rfind("startxref").expect("startxref");
    format!("{}startxref\n99999\n%%EOF\n", &text[..cut]).into_bytes()
}

fn qpdf(dir: &Path, input: &[u8], args: &[&str], name: &str) -> Vec<u8> {
    let src = dir.join(format!("{name}-in.pdf"));
    let dst = dir.join(format!("{name}.pdf"));
    std::fs::write(&src, input).unwrap();
    let mut cmd = Command::new("qpdf");
    cmd.args(args).arg(&src).arg(&dst);
    let (ok, text) = run(&mut cmd);
    assert!(
        ok || text.contains("WARNING") && dst.exists(),
        "qpdf {args:?}: {text}"
    );
    std::fs::read(&dst).unwrap()
}

fn pages(dir: &Path, pdf: &[u8], name: &str) -> usize {
    let path = dir.join(format!("{name}-count.pdf"));
    std::fs::write(&path, pdf).unwrap();
    // A damaged input is counted too (qpdf repairs it and warns on stderr).
    let out = Command::new("qpdf")
        .arg("--show-npages")
        .arg(&path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

/// Page `n` rendered with poppler at 40 dpi, as raw pixels.
fn render_page(dir: &Path, pdf: &[u8], n: usize, name: &str) -> Vec<u8> {
    let path = dir.join(format!("{name}-render.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftoppm")
        .args([
            "-r",
            "40",
            "-f",
            &n.to_string(),
            "-l",
            &n.to_string(),
            "-cropbox",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm");
    out.stdout
}

fn png_scan() -> Vec<u8> {
    // A grey "scanned page" with a dark band where a letter's heading would be.
    let (w, h) = (620u32, 877u32);
    let mut pixels = vec![235u8; (w * h) as usize];
    for y in 80..140 {
        for x in 60..560 {
            pixels[(y * w + x) as usize] = 40;
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&pixels).unwrap();
    }
    out
}

/// A text PDF as Chromium prints one (Skia, classic xref), two pages.
fn chromium_pdf(dir: &Path) -> Vec<u8> {
    crate::helpers::documents::chromium_pdf(
        dir,
        "<html><meta charset=utf-8><body style='font-family:Garuda'>\
         <h1>หนังสือราชการ ที่ ศธ 04006/ว1891</h1><p>เรื่อง ขอความอนุเคราะห์</p>\
         <p style='page-break-before:always'>หน้าที่สอง</p></body></html>",
        "chromium",
    )
}

async fn upload_inbound(app: &TestApp, token: &str, name: &str, data: Vec<u8>, n: usize) -> i64 {
    let doc_no = format!("ศธ 04006/ว{}", 1800 + n);
    let (status, body) = app
        .post_letter(
            token,
            &[
                ("register", "inbound"),
                ("doc_no", &doc_no),
                ("doc_date", "2 พ.ค. 2566"),
                ("from", "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน"),
                ("subject", &format!("ทดสอบตรารับ {name}")),
            ],
            vec![(name, data, "")],
        )
        .await;
    assert_eq!(status, 201, "{name}: {body}");
    body["id"].as_i64().expect("id")
}

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (u16, Vec<u8>) {
    let res = app.get(token, path).await;
    let status = res.status().as_u16();
    (status, res.bytes().await.unwrap().to_vec())
}

fn sha256(data: &[u8]) -> String {
    saraban::security::sha256_hex(data)
}

async fn stamp_everything(db: Db) {
    let world: World = spawn_app(db).await.world().await;
    let app = &world.app;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = two_page_pdf(false, false);
    let scan_png = png_scan();
    let png_path = d.join("scan.png");
    std::fs::write(&png_path, &scan_png).unwrap();
    let scan_pdf = d.join("scan.pdf");
    let (ok, text) = run(Command::new("img2pdf")
        .arg(&png_path)
        .arg("-o")
        .arg(&scan_pdf));
    assert!(ok, "img2pdf: {text}");
    let scan_pdf = std::fs::read(&scan_pdf).unwrap();
    // A JPEG scan, as a phone or a scanner saves one: the same page through poppler's JPEG writer.
    let (ok, text) = run(Command::new("pdftoppm")
        .args(["-r", "60", "-singlefile", "-jpeg"])
        .arg(d.join("scan.pdf"))
        .arg(d.join("scan")));
    assert!(ok, "pdftoppm -jpeg: {text}");
    let scan_jpeg = std::fs::read(d.join("scan.jpg")).unwrap();
    assert!(scan_jpeg.starts_with(&[0xFF, 0xD8]), "a JPEG");

    // (name, bytes, pages, whether page 2 exists to compare)
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("chromium.pdf", chromium_pdf(d)),
        ("plain.pdf", plain.clone()),
        ("scan.pdf", scan_pdf.clone()),
        ("rotated90.pdf", qpdf(d, &plain, &["--rotate=+90:1"], "r90")),
        (
            "rotated180.pdf",
            qpdf(d, &plain, &["--rotate=+180:1"], "r180"),
        ),
        (
            "scan270-objstm.pdf",
            qpdf(
                d,
                &scan_pdf,
                &["--rotate=+270:1", "--object-streams=generate"],
                "r270",
            ),
        ),
        (
            "objstm.pdf",
            qpdf(d, &plain, &["--object-streams=generate"], "objstm"),
        ),
        ("shifted-crop.pdf", two_page_pdf(false, true)),
        ("inherited.pdf", two_page_pdf(true, false)),
        ("incremental.pdf", with_incremental_update(&plain)),
        (
            "encrypted-aes.pdf",
            qpdf(
                d,
                &plain,
                &["--encrypt", "", "owner-secret", "256", "--print=none", "--"],
                "aes",
            ),
        ),
        (
            "encrypted-rc4.pdf",
            qpdf(
                d,
                &plain,
                &[
                    "--allow-weak-crypto",
                    "--encrypt",
                    "",
                    "owner-secret",
                    "128",
                    "--use-aes=n",
                    "--",
                ],
                "rc4",
            ),
        ),
        ("damaged-xref.pdf", with_damaged_xref(&plain)),
        ("scan.png", scan_png.clone()),
        ("scan.jpg", scan_jpeg),
    ];
    let office = "สำนักงานเขตพื้นที่การศึกษาทดสอบ dist";
    for (n, (name, data)) in inputs.into_iter().enumerate() {
        let id = upload_inbound(app, &world.clerk, name, data.clone(), n).await;
        let (status, letter) = app
            .get_json(&world.clerk, &format!("/api/v1/letters/{id}"))
            .await;
        assert_eq!(status, 200);
        let number = letter["number"].as_i64().expect("number");

        let (status, stamped) = get_bytes(
            app,
            &world.clerk,
            &format!("/api/v1/letters/{id}/attachments/1/stamped"),
        )
        .await;
        assert_eq!(status, 200, "{name}: {}", String::from_utf8_lossy(&stamped));
        assert!(stamped.starts_with(b"%PDF"), "{name}");

        // The original is served as it came, with the same sha256.
        let (status, original) = get_bytes(
            app,
            &world.clerk,
            &format!("/api/v1/letters/{id}/attachments/1"),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            sha256(&original),
            sha256(&data),
            "{name}: original unchanged"
        );
        if name.ends_with(".pdf") && name != "damaged-xref.pdf" {
            assert!(
                stamped.starts_with(&data),
                "{name}: the original is a prefix"
            );
        }

        let path = d.join(format!("stamped-{n}.pdf"));
        std::fs::write(&path, &stamped).unwrap();
        let (ok, check) = run(Command::new("qpdf").arg("--check").arg(&path));
        assert!(
            ok && !check.contains("WARNING"),
            "{name}: qpdf --check: {check}"
        );

        let (ok, text) = run(Command::new("pdftotext")
            .args(["-f", "1", "-l", "1", "-layout"])
            .arg(&path)
            .arg("-"));
        assert!(ok, "{name}: {text}");
        for line in [office.to_string(), format!("เลขรับ {number}")] {
            assert!(
                text.contains(&line),
                "{name}: {line:?} in page 1 text:\n{text}"
            );
        }
        assert!(
            text.contains("วันที่ ") && text.contains(" น."),
            "{name}: {text}"
        );
        // ตรากำหนดเก็บ, in its own box at the bottom right.
        let keep = format!(
            "เก็บถึง พ.ศ. {}",
            saraban::domain::thai_date::be_year_of(chrono::Utc::now()) + 10
        );
        assert!(text.contains(&keep), "{name}: {keep:?} in:\n{text}");

        if name.ends_with(".pdf") {
            let before = pages(d, &data, &format!("b{n}"));
            assert_eq!(
                pages(d, &stamped, &format!("a{n}")),
                before,
                "{name}: page count"
            );
            if before >= 2 && !name.starts_with("encrypted") {
                assert_eq!(
                    render_page(d, &stamped, 2, &format!("s{n}")),
                    render_page(d, &data, 2, &format!("o{n}")),
                    "{name}: page 2 renders as before"
                );
            }
        } else {
            assert_eq!(pages(d, &stamped, &format!("a{n}")), 1, "{name}: one page");
        }
        if name == "rotated90.pdf" || name == "chromium.pdf" {
            // Kept for a look: target/screenshots/stamp-*.png.
            let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
            std::fs::create_dir_all(&shots).unwrap();
            let stem = shots.join(format!("stamp-{}", name.trim_end_matches(".pdf")));
            let _ = Command::new("pdftoppm")
                .args([
                    "-r",
                    "70",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-png",
                    "-singlefile",
                    "-cropbox",
                ])
                .arg(&path)
                .arg(&stem)
                .status();
        }
    }
}
both_dbs!(the_stamp_on_every_kind_of_file, stamp_everything);

async fn stamp_page_and_settings(db: Db) {
    let world: World = spawn_app(db).await.world().await;
    let app = &world.app;
    let id = upload_inbound(
        app,
        &world.clerk,
        "letter.pdf",
        two_page_pdf(false, false),
        1,
    )
    .await;
    let not_pdf = b"not a pdf at all, but named like one".to_vec();
    // A file that is not a PDF is refused at the door; a PDF that cannot be read is stamped never.
    let mut broken = b"%PDF-1.4\n".to_vec();
    broken.extend_from_slice(&not_pdf);
    broken.extend_from_slice(b"\n%%EOF\n");
    let broken_id = upload_inbound(app, &world.clerk, "broken.pdf", broken, 2).await;

    let (client, csrf) = app.login("clerk").await;
    let page = app.page(&client, &format!("/letters/{id}")).await;
    assert!(page.contains("ฉบับประทับตรารับ"), "{page}");
    assert!(page.contains(&format!("/letters/{id}/files/1/stamped")));
    assert!(page.contains("เปิดต้นฉบับ"));
    let stamped = client
        .get(app.url(&format!("/letters/{id}/files/1/stamped")))
        .send()
        .await
        .unwrap();
    assert_eq!(stamped.status(), 200);
    assert_eq!(stamped.headers()["content-type"], "application/pdf");
    let first = stamped.bytes().await.unwrap();

    // The registration of the unreadable PDF stands; its page says why it is not stamped.
    let page = app.page(&client, &format!("/letters/{broken_id}")).await;
    assert!(page.contains("แสดงไฟล์โดยไม่ประทับตรารับ"), "{page}");
    let (status, body) = app
        .get_json(
            &world.clerk,
            &format!("/api/v1/letters/{broken_id}/attachments/1/stamped"),
        )
        .await;
    assert_eq!(status, 415, "{body}");

    // An outbound letter's files are not stamped.
    let (status, out) = app
        .post_letter(
            &world.clerk,
            &[
                ("register", "outbound"),
                ("to", "โรงเรียนทดสอบ"),
                ("subject", "ส่งไฟล์"),
            ],
            vec![("send.pdf", two_page_pdf(false, false), "")],
        )
        .await;
    assert_eq!(status, 201, "{out}");
    let out_id = out["id"].as_i64().unwrap();
    let (status, _) = app
        .get_json(
            &world.clerk,
            &format!("/api/v1/letters/{out_id}/attachments/1/stamped"),
        )
        .await;
    assert_eq!(status, 415);

    // Settings: a bad size is refused in Thai; a new corner makes a new copy.
    let res = client
        .post(app.url("/settings/stamp"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("stamp_corner", "top_left"),
            ("stamp_font_size", "40"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("8 ถึง 18"));
    let res = client
        .post(app.url("/settings/stamp"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("stamp_corner", "bottom_left"),
            ("stamp_font_size", "14"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let (status, settings) = app.get_json(&world.clerk, "/api/v1/settings").await;
    assert_eq!(status, 200);
    assert_eq!(
        settings["office"]["stamp"]["corner"], "bottom_left",
        "{settings}"
    );
    assert_eq!(settings["office"]["stamp"]["font_size"], 14);
    assert_eq!(settings["office"]["stamp"]["filled"], false);
    let (status, second) = get_bytes(
        app,
        &world.clerk,
        &format!("/api/v1/letters/{id}/attachments/1/stamped"),
    )
    .await;
    assert_eq!(status, 200);
    assert_ne!(
        sha256(&second),
        sha256(&first),
        "a new setting draws a new stamp"
    );

    let (status, body) = app
        .send_json(
            reqwest::Method::PATCH,
            &world.clerk,
            "/api/v1/settings",
            serde_json::json!({"stamp_corner": "middle"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = app
        .send_json(
            reqwest::Method::PATCH,
            &world.clerk,
            "/api/v1/settings",
            serde_json::json!({"stamp_corner": "top_right", "stamp_font_size": 11, "stamp_filled": true}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["office"]["stamp"]["corner"], "top_right");
}
both_dbs!(
    the_letter_page_opens_the_stamped_copy,
    stamp_page_and_settings
);

async fn register_form_pdf(db: Db) {
    let world: World = spawn_app(db).await.world().await;
    let app = &world.app;
    let long = "ขอความอนุเคราะห์ส่งรายชื่อผู้เข้ารับการฝึกอบรมเชิงปฏิบัติการพัฒนาศักยภาพครูผู้สอนภาษาไทย \
                ระดับชั้นประถมศึกษา สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุบลราชธานี เขต 1 ผู้ใหญ่บ้านปั้นน้ำ";
    let mut subjects = vec![long.to_string()];
    for i in 0..45 {
        subjects.push(format!("เรื่องที่ {i} ขอเชิญประชุมผู้บริหารสถานศึกษา"));
    }
    let mut ids = Vec::new();
    for s in &subjects {
        let body: Value = app.inbound(&world.clerk, s).await;
        ids.push(body["id"].as_i64().unwrap());
    }
    let (status, _) = app
        .send_json(
            reqwest::Method::POST,
            &world.clerk,
            &format!("/api/v1/letters/{}/cancel", ids[3]),
            serde_json::json!({"reason": "ลงทะเบียนซ้ำกับเลขรับก่อนหน้า"}),
        )
        .await;
    assert_eq!(status, 200);

    let (status, pdf) = get_bytes(app, &world.clerk, "/api/v1/registers/inbound.pdf").await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let (ok, check) = run(Command::new("qpdf").arg("--check").arg(&path));
    assert!(ok && !check.contains("WARNING"), "{check}");
    let total = pages(dir.path(), &pdf, "reg");
    assert!(total >= 2, "46 rows take more than one page");
    let (ok, text) = run(Command::new("pdftotext").arg("-raw").arg(&path).arg("-"));
    assert!(ok);
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    let all = squeeze(&text);
    for s in &subjects {
        assert!(
            all.contains(&squeeze(s)),
            "subject {s:?} in the register's text"
        );
    }
    assert!(all.contains(&squeeze("ยกเลิก: ลงทะเบียนซ้ำกับเลขรับก่อนหน้า")));
    for n in 1..=total {
        assert!(
            text.contains(&format!("หน้า {n} / {total}")),
            "page {n} numbered"
        );
    }
    assert_eq!(
        text.matches("ทะเบียนหนังสือรับ").count(),
        total,
        "the title on every page"
    );
    assert_eq!(text.matches("พิมพ์เมื่อ").count(), total);
    assert!(text.contains("แบบที่ 13"));
    // Every page repeats the header row.
    assert_eq!(text.matches("การปฏิบัติ").count(), total);

    // A date range prints only its rows; a bad date is a Thai 400.
    let (status, pdf) = get_bytes(
        app,
        &world.clerk,
        "/api/v1/registers/outbound.pdf?from=1%20ม.ค.%202400&to=2%20ม.ค.%202400",
    )
    .await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF"));
    let (status, _) = get_bytes(app, &world.clerk, "/api/v1/registers/inbound.pdf?from=xyz").await;
    assert_eq!(status, 400);

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let _ = Command::new("pdftoppm")
        .args(["-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile"])
        .arg(&path)
        .arg(shots.join("register-form"))
        .status();

    let (client, _) = app.login("clerk").await;
    let page = app.page(&client, "/registers/inbound").await;
    assert!(
        page.contains("/api/v1/registers/inbound.pdf"),
        "the print button prints the form"
    );
}
both_dbs!(the_register_prints_as_the_form, register_form_pdf);

/// ปิดทะเบียนประจำปี: only a past year of an outbound register closes, once; the form PDF is
/// kept; the closing is in the history; the closed year issues no new number.
async fn closing_a_year(db: Db) {
    use chrono::{TimeZone, Utc};
    use saraban::domain::letter::{LetterFields, LetterType, Secrecy, Speed};
    use saraban::domain::register::Register;
    use saraban::store::letters::NewLetter;

    let world: World = spawn_app(db).await.world().await;
    let app = &world.app;
    let office = app.store.find_office("dist").await.unwrap();
    let clerk = app.store.find_user_by_name("clerk").await.unwrap();
    let now_be = saraban::domain::thai_date::be_year_of(Utc::now());
    let last_be = now_be - 1;
    let last_ce = last_be - 543;
    let register_last_year = |subject: String, day: u32| {
        let fields = LetterFields {
            doc_no: None,
            doc_date: chrono::NaiveDate::from_ymd_opt(last_ce, 6, day).unwrap(),
            from: "สพป.".into(),
            to: "โรงเรียนทดสอบ".into(),
            subject,
            action: String::new(),
            remark: String::new(),
            speed: Speed::Normal,
            secrecy: Secrecy::Normal,
            letter_type: LetterType::External,
        };
        (
            fields,
            Utc.with_ymd_and_hms(last_ce, 6, day, 3, 0, 0).unwrap(),
        )
    };
    let mut last_id = 0;
    let subjects: Vec<String> = (1..=3)
        .map(|i| format!("แจ้งกำหนดการสอบปลายภาค ฉบับที่ {i}"))
        .collect();
    for (i, subject) in subjects.iter().enumerate() {
        let (fields, at) = register_last_year(subject.clone(), 10 + i as u32);
        let letter = app
            .services
            .record_registration(&NewLetter {
                office: &office,
                register: Register::Outbound,
                fields: &fields,
                registered_by: clerk.id,
                registered_at: at,
                received_at: None,
                attachments: vec![],
                inbox_entry_id: None,
                allow_duplicate: false,
            })
            .await
            .unwrap();
        assert_eq!(letter.year_be, last_be);
        last_id = letter.id;
    }

    let close = |token: String, register: &'static str, year: i32| async move {
        app.send_json(
            reqwest::Method::POST,
            &token,
            &format!("/api/v1/registers/{register}/closing"),
            serde_json::json!({ "year_be": year }),
        )
        .await
    };
    // This year is still running; the inbound register never closes; staff may not close.
    let (status, body) = close(world.clerk.clone(), "outbound", now_be).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("31 ธันวาคม")
    );
    let (status, _) = close(world.clerk.clone(), "inbound", last_be).await;
    assert_eq!(status, 409);
    let (status, _) = close(world.staff.clone(), "outbound", last_be).await;
    assert_eq!(status, 403);
    let (status, body) = app
        .get_json(
            &world.clerk,
            &format!("/api/v1/registers/outbound/closing?year_be={last_be}"),
        )
        .await;
    assert_eq!((status, body["closed"].clone()), (200, Value::Bool(false)));

    let (status, closed) = close(world.clerk.clone(), "outbound", last_be).await;
    assert_eq!(status, 201, "{closed}");
    assert_eq!(closed["closed"], true);
    assert_eq!(closed["entries"], 3);
    let sha = closed["sha256"].as_str().unwrap().to_string();
    let (status, again) = close(world.clerk.clone(), "outbound", last_be).await;
    assert_eq!(status, 409, "{again}");

    // The kept PDF is the year's form, byte for byte what was stored.
    let (status, pdf) = get_bytes(
        app,
        &world.clerk,
        &format!("/api/v1/registers/outbound/closing.pdf?year_be={last_be}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sha256(&pdf), sha);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("closed.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let (ok, text) = run(Command::new("pdftotext").arg("-raw").arg(&path).arg("-"));
    assert!(ok);
    assert!(text.contains("แบบที่ 14") && text.contains("ปิดทะเบียนประจำปี"));
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    for s in &subjects {
        assert!(squeeze(&text).contains(&squeeze(s)), "{s}");
    }

    // In the hash-chained history of the year's last entry.
    let (status, history) = app
        .get_json(&world.clerk, &format!("/api/v1/letters/{last_id}/history"))
        .await;
    assert_eq!(status, 200);
    let closing_line = history
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "register_closed")
        .expect("the closing is in the history");
    assert_eq!(closing_line["detail"]["sha256"], sha.as_str());
    let (chain, head) = app.store.audit_chain().await.unwrap();
    assert_eq!(
        chain.last().map(|e| e.kind.as_str()),
        Some("register_closed")
    );
    assert!(matches!(
        saraban::domain::audit::verify_chain(&chain, &head),
        saraban::domain::audit::ChainReport::Intact { .. }
    ));

    // The closed year issues no new number.
    let (fields, at) = register_last_year("มาหลังปิดทะเบียน".into(), 20);
    let refused = app
        .services
        .record_registration(&NewLetter {
            office: &office,
            register: Register::Outbound,
            fields: &fields,
            registered_by: clerk.id,
            registered_at: at,
            received_at: None,
            attachments: vec![],
            inbox_entry_id: None,
            allow_duplicate: false,
        })
        .await;
    assert!(
        matches!(&refused, Err(saraban::service::ServiceError::Conflict(m)) if m.contains("ปิดทะเบียน")),
        "{refused:?}"
    );

    // The register page of that year says so and links the kept PDF.
    let (client, _) = app.login("clerk").await;
    let page = app
        .page(&client, &format!("/registers/outbound?year={last_be}"))
        .await;
    assert!(page.contains("ปิดทะเบียนประจำปีแล้ว"), "{page}");
    assert!(page.contains(&format!(
        "/api/v1/registers/outbound/closing.pdf?year_be={last_be}"
    )));
    let page = app
        .page(&client, &format!("/registers/circular?year={last_be}"))
        .await;
    assert!(
        page.contains("id=\"close-year\""),
        "a past circular register can be closed"
    );
}
both_dbs!(closing_a_year_keeps_its_form, closing_a_year);

/// `pdf` signed by a real signer: poppler's `pdfsig` with a self-made certificate in a private
/// NSS database (openssl makes the key, NSS's tools import it).
fn signed_pdf(dir: &Path, pdf: &[u8]) -> Vec<u8> {
    let nss = dir.join("nss");
    std::fs::create_dir_all(&nss).unwrap();
    let (key, cert, p12) = (dir.join("k.pem"), dir.join("c.pem"), dir.join("s.p12"));
    let steps: Vec<Command> = vec![
        {
            let mut c = Command::new("openssl");
            c.args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
            ])
            .args(["-subj", "/CN=Test District Office", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert);
            c
        },
        {
            let mut c = Command::new("openssl");
            c.args(["pkcs12", "-export", "-name", "signer", "-passout", "pass:x"])
                .arg("-inkey")
                .arg(&key)
                .arg("-in")
                .arg(&cert)
                .arg("-out")
                .arg(&p12);
            c
        },
        {
            let mut c = Command::new("certutil");
            c.args(["-N", "--empty-password", "-d"])
                .arg(format!("sql:{}", nss.display()));
            c
        },
        {
            let mut c = Command::new("pk12util");
            c.arg("-i")
                .arg(&p12)
                .args(["-W", "x", "-d"])
                .arg(format!("sql:{}", nss.display()));
            c
        },
    ];
    for mut step in steps {
        let (ok, text) = run(&mut step);
        assert!(ok, "{step:?}: {text}");
    }
    let (unsigned, signed) = (dir.join("unsigned.pdf"), dir.join("signed.pdf"));
    std::fs::write(&unsigned, pdf).unwrap();
    let (ok, text) = run(Command::new("pdfsig")
        .arg("-add-signature")
        .arg("-nssdir")
        .arg(format!("sql:{}", nss.display()))
        .args(["-nick", "signer", "-reason", "ลงนามหนังสือราชการ"])
        .arg(&unsigned)
        .arg(&signed));
    assert!(ok, "pdfsig -add-signature: {text}");
    std::fs::read(signed).unwrap()
}

/// What `pdfsig` says of `pdf`'s signatures.
fn verify_signature(dir: &Path, pdf: &[u8], name: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let (_, text) = run(Command::new("pdfsig")
        .arg("-nssdir")
        .arg(format!("sql:{}", dir.join("nss").display()))
        .arg(&path));
    text
}

async fn signed_original(db: Db) {
    let world: World = spawn_app(db).await.world().await;
    let app = &world.app;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let signed = signed_pdf(d, &chromium_pdf(d));
    let before = verify_signature(d, &signed, "check-original.pdf");
    assert!(before.contains("Signature is Valid"), "{before}");
    assert!(before.contains("Total document signed"), "{before}");

    let id = upload_inbound(app, &world.clerk, "signed.pdf", signed.clone(), 1).await;
    let (status, stamped) = get_bytes(
        app,
        &world.clerk,
        &format!("/api/v1/letters/{id}/attachments/1/stamped"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        stamped.starts_with(&signed),
        "the signed file is a prefix of the stamped copy"
    );
    // The signature still verifies over what it signed, and no longer covers the whole copy.
    let after = verify_signature(d, &stamped, "check-stamped.pdf");
    assert!(after.contains("Signature is Valid"), "{after}");
    assert!(!after.contains("Total document signed"), "{after}");
    let (ok, text) = run(Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(d.join("check-stamped.pdf"))
        .arg("-"));
    assert!(ok && text.contains("เลขรับ 1"), "{text}");

    // The original stays the record, served as it came; the page says so.
    let (status, original) = get_bytes(
        app,
        &world.clerk,
        &format!("/api/v1/letters/{id}/attachments/1"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sha256(&original), sha256(&signed));
    let (client, _) = app.login("clerk").await;
    let page = app.page(&client, &format!("/letters/{id}")).await;
    assert!(page.contains("ต้นฉบับมีลายมือชื่ออิเล็กทรอนิกส์"), "{page}");
}
both_dbs!(a_signed_original_stays_the_record, signed_original);
