//! The ingestion pipeline over files: Thai mail, duplicates, notices, quarantine, and the public
//! corpus of odd and broken mail, every message accounted for.

use std::collections::BTreeMap;

use bytes::Bytes;
use reqwest::Method;
use saraban::service::ingest::{Origin, Outcome, ingest};

use crate::both_dbs;
use crate::helpers::{Db, TestApp, pdf_bytes, spawn_app};

pub fn services(app: &TestApp) -> saraban::service::Services {
    app.services.clone()
}

/// A Thai letter as a school's Outlook sends it: windows-874 subject, a PDF with a Thai name.
pub fn thai_letter(message_id: &str, subject: &str, pdf: &[u8]) -> Vec<u8> {
    use base64_lite::encode;
    format!(
        "From: =?utf-8?B?{from}?= <saraban@school.example.go.th>\r\nTo: saraban04183@example.go.th\r\nSubject: =?utf-8?B?{subject}?=\r\nDate: Tue, 2 May 2023 09:15:00 +0700\r\nMessage-ID: <{message_id}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{body}\r\n--XYZ\r\nContent-Type: application/pdf; name=\"=?utf-8?B?{fname}?=\"\r\nContent-Disposition: attachment; filename*=utf-8''{fname_pct}\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--XYZ--\r\n",
        from = encode("โรงเรียนอนุบาลอุบลราชธานี".as_bytes()),
        subject = encode(subject.as_bytes()),
        body = encode("เรียน ผู้อำนวยการ\nขอส่งหนังสือตามที่แนบมา".as_bytes()),
        fname = encode("หนังสือนำส่ง.pdf".as_bytes()),
        fname_pct = percent_encoding::utf8_percent_encode("หนังสือนำส่ง.pdf", percent_encoding::NON_ALPHANUMERIC),
        pdf = encode(pdf),
    )
    .into_bytes()
}

/// Takes a Thai letter (Message-ID `id`, a PDF made from `id`) into the district's inbox through
/// the ingestion pipeline; the new entry's id.
pub async fn take_in_letter(app: &TestApp, id: &str, subject: &str) -> i64 {
    take_in(
        app,
        &format!("{id}.eml"),
        thai_letter(id, subject, &pdf_bytes(id)),
    )
    .await
}

/// Takes a mail (as if from the file `file_name`) into the district's inbox through the
/// ingestion pipeline; the new entry's id (it must become a letter's entry).
pub async fn take_in(app: &TestApp, file_name: &str, raw: Vec<u8>) -> i64 {
    let office = app.store.find_office("dist").await.unwrap();
    let origin = Origin::File(file_name.to_string());
    match ingest(&app.services, &office, &origin, Bytes::from(raw), None)
        .await
        .unwrap()
    {
        Outcome::Letter { entry_id } => entry_id,
        other => panic!("{file_name}: {other:?}"),
    }
}

/// Base64 for building test mail.
pub mod base64_lite {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(data: &[u8]) -> String {
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

async fn thai_letter_becomes_an_entry_once_and_registers_in_one_click(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let services = services(app);
    let office = app.store.find_office("dist").await.unwrap();
    let pdf = pdf_bytes("from school");
    let raw = thai_letter(
        "letter-1@school.example.go.th",
        "Fwd: ที่ ศธ ๐๔๑๘๓.๐๐๖/๑๓๐ ลงวันที่ ๒ พฤษภาคม ๒๕๖๖ เรื่อง ขออนุญาตไปราชการ",
        &pdf,
    );
    let first = ingest(
        &services,
        &office,
        &Origin::File("a.eml".into()),
        Bytes::from(raw.clone()),
        None,
    )
    .await
    .unwrap();
    let Outcome::Letter { entry_id } = first else {
        panic!("{first:?}")
    };
    let again = ingest(
        &services,
        &office,
        &Origin::File("b.eml".into()),
        Bytes::from(raw),
        None,
    )
    .await
    .unwrap();
    assert_eq!(again, Outcome::Duplicate { entry_id });

    let (status, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    assert_eq!(status, 200, "{inbox}");
    assert_eq!(inbox["total"], 1);
    let item = &inbox["items"][0];
    assert_eq!(item["status"], "unregistered");
    assert_eq!(item["source"], "email");
    assert_eq!(item["message_id"], "letter-1@school.example.go.th");
    assert_eq!(item["doc_no"], "ศธ 04183.006/130");
    assert_eq!(item["doc_date"], "2023-05-02");
    assert_eq!(item["subject"], "ขออนุญาตไปราชการ");
    assert_eq!(item["from"], "โรงเรียนอนุบาลอุบลราชธานี");
    assert_eq!(item["received_at"], "2023-05-02T02:15:00.000000Z");
    assert_eq!(item["attachments"][0]["name"], "หนังสือนำส่ง.pdf");
    assert_eq!(
        item["attachments"][0]["sha256"],
        saraban::security::sha256_hex(&pdf)
    );

    let (status, letter) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    assert_eq!(letter["register"], "inbound");
    assert_eq!(letter["number"], 1);
    assert_eq!(letter["doc_no"], "ศธ 04183.006/130");
    assert_eq!(letter["received_at"], "2023-05-02T02:15:00.000000Z");
    assert_eq!(
        letter["attachments"][0]["sha256"],
        saraban::security::sha256_hex(&pdf)
    );
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/inbox/{entry_id}/register"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 409, "registering twice is refused");
    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    assert_eq!(inbox["items"][0]["status"], "registered");
    assert_eq!(inbox["items"][0]["letter_number"], 1);
    // The next letter registered by hand takes the next number: nothing skipped.
    let next = app.inbound(&w.clerk, "ลงทะเบียนด้วยมือ").await;
    assert_eq!(next["number"], 2);
    // Another office never sees this inbox.
    let (_, theirs) = app.get_json(&w.school_clerk, "/api/v1/inbox").await;
    assert_eq!(theirs["total"], 0);
    let (status, _) = app.get_json(&w.staff, "/api/v1/inbox").await;
    assert_eq!(status, 403);
}
both_dbs!(
    thai_letter_entry,
    thai_letter_becomes_an_entry_once_and_registers_in_one_click
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_and_unreadable_mail_are_never_letters_and_never_lost() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let services = services(app);
    let office = app.store.find_office("dist").await.unwrap();
    let run = |raw: &'static [u8]| {
        let services = services.clone();
        let office = office.clone();
        async move {
            ingest(
                &services,
                &office,
                &Origin::File("t".into()),
                Bytes::from_static(raw),
                None,
            )
            .await
            .unwrap()
        }
    };
    let ooo = run(b"From: boss@x.go.th\r\nAuto-Submitted: auto-replied\r\nSubject: =?utf-8?B?4LmE4Lih4LmI4Lit4Lii4Li54LmI?=\r\n\r\nAway\r\n").await;
    assert!(matches!(ooo, Outcome::AutoReply { .. }));
    let bounce = run(b"From: MAILER-DAEMON@x.go.th\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b.th\r\nAction: failed\r\nStatus: 5.1.1\r\n--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-1@saraban.test>\r\n--r--\r\n").await;
    assert!(matches!(bounce, Outcome::DeliveryReport { .. }));
    let junk = run(b"\x00\x01\x02 this is not an e-mail at all").await;
    let Outcome::Quarantined { id, reason } = junk else {
        panic!("{junk:?}")
    };
    assert!(reason.contains("อ่านอีเมลไม่ได้"));
    let exe = run(b"From: a@b.th\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=setup.exe\r\n\r\nMZ\x90\x00\r\n--b--\r\n").await;
    assert!(
        matches!(exe, Outcome::Quarantined { .. }),
        "all files refused: quarantined"
    );

    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox").await;
    assert_eq!(inbox["total"], 0, "none of these is a letter");
    let (status, q) = app.get_json(&w.clerk, "/api/v1/quarantine").await;
    assert_eq!(status, 200);
    assert_eq!(q["items"].as_array().unwrap().len(), 2);
    // The raw bytes are kept and can be downloaded.
    let res = app
        .get(&w.clerk, &format!("/api/v1/quarantine/{id}/raw"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        &res.bytes().await.unwrap()[..],
        b"\x00\x01\x02 this is not an e-mail at all"
    );
    // Retrying an unreadable message keeps it, with the reason; dismissing closes it.
    let (status, err) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/quarantine/{id}/retry"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 409, "{err}");
    let (status, _) = app
        .send_json(
            Method::POST,
            &w.clerk,
            &format!("/api/v1/quarantine/{id}/dismiss"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, q) = app.get_json(&w.clerk, "/api/v1/quarantine").await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1);
    // The dismissed one is kept, shown only when asked for everything.
    let (_, all) = app.get_json(&w.clerk, "/api/v1/quarantine?all=true").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    let (_, notices) = app.get_json(&w.clerk, "/api/v1/notices").await;
    let kinds: Vec<&str> = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["delivery_report", "auto_reply"]);
    assert_eq!(
        notices["items"][0]["original_message_id"],
        "out-1@saraban.test"
    );
    assert_eq!(notices["items"][0]["status"], "5.1.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quarantined_letter_is_released_when_retried_under_new_rules() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let services = services(app);
    let office = app.store.find_office("dist").await.unwrap();
    // Two PDFs when only one is allowed per letter is fine (the second is refused) — but a PNG
    // disguised with a .txt name is refused; with nothing accepted, the letter is quarantined.
    let raw = b"From: a@b.th\r\nSubject: only a text file\r\nMessage-ID: <q1@b.th>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nplain notes\r\n--b--\r\n";
    let out = ingest(
        &services,
        &office,
        &Origin::File("q".into()),
        Bytes::from_static(raw),
        None,
    )
    .await
    .unwrap();
    let Outcome::Quarantined { id, .. } = out else {
        panic!("{out:?}")
    };
    let (status, item) = app
        .get_json(&w.clerk, &format!("/api/v1/quarantine/{id}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        item["reason"].as_str().unwrap().contains("notes.txt"),
        "{item}"
    );
}

/// Every file of the public corpus ends as an entry, a notice or in quarantine: none crashes the
/// gateway, none is dropped. The corpus lives beside the repository (`../shared/corpora`), or
/// where `SARABAN_CORPUS` says. In CI (`CI` set) a missing corpus fails the test; on a
/// developer's machine without it the test says so and passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mail_of_the_public_corpus_is_accounted_for() {
    let corpus = std::env::var_os("SARABAN_CORPUS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/public-mime")
        });
    if !corpus.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the public corpus is missing at {} (set SARABAN_CORPUS): CI must test it",
            corpus.display()
        );
        eprintln!("corpus not found at {}: skipped", corpus.display());
        return;
    }
    let files = saraban::mail::files::eml_files(&[corpus]).unwrap();
    assert_eq!(files.len(), 107, "the corpus has 107 mails");
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let services = services(app);
    let office = app.store.find_office("dist").await.unwrap();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        let out = ingest(
            &services,
            &office,
            &Origin::File(f.display().to_string()),
            raw.into(),
            None,
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        *counts.entry(out.label()).or_default() += 1;
    }
    eprintln!("corpus outcomes: {counts:?}");
    assert_eq!(counts.values().sum::<usize>(), 107);
    assert!(!counts.contains_key("already-taken"));
    // What the database holds adds up to the same count.
    let (_, inbox) = app.get_json(&w.clerk, "/api/v1/inbox?per_page=200").await;
    let (_, q) = app.get_json(&w.clerk, "/api/v1/quarantine").await;
    let (_, n) = app.get_json(&w.clerk, "/api/v1/notices").await;
    let held = inbox["total"].as_u64().unwrap() as usize
        + q["items"].as_array().unwrap().len()
        + n["items"].as_array().unwrap().len()
        + counts.get("duplicate").copied().unwrap_or(0);
    assert_eq!(held, 107, "{counts:?}");
}

/// The drop folder: a file put in DIR/<office>/ reaches that office's inbox and is moved to done/.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drop_folder_takes_eml_files_into_the_offices_inbox() {
    let drop = tempfile::tempdir().unwrap();
    let drop_dir = drop.path().to_path_buf();
    let w = crate::helpers::spawn_app_with(Db::Sqlite, |c| c.mail.drop_dir = drop_dir)
        .await
        .world()
        .await;
    let app = &w.app;
    let office_dir = drop.path().join("dist");
    std::fs::create_dir_all(&office_dir).unwrap();
    std::fs::write(
        office_dir.join("letter.eml"),
        thai_letter("drop-1@s.go.th", "เรื่อง ส่งทางโฟลเดอร์", &pdf_bytes("drop")),
    )
    .unwrap();
    std::fs::write(office_dir.join("notes.txt"), "not mail").unwrap();
    let token = w.clerk.clone();
    crate::helpers::eventually(20, "the dropped letter", || async {
        (app.get_json(&token, "/api/v1/inbox").await.1["total"] == 1).then_some(())
    })
    .await;
    crate::helpers::eventually(10, "the file moved to done/", || async {
        office_dir.join("done/letter.eml").exists().then_some(())
    })
    .await;
    assert!(!office_dir.join("letter.eml").exists());
    assert!(
        office_dir.join("notes.txt").exists(),
        "only .eml files are taken"
    );
    let (_, school) = app.get_json(&w.school_clerk, "/api/v1/inbox").await;
    assert_eq!(school["total"], 0);
}

async fn auto_register_on_arrival_and_the_original_email(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &w.clerk,
            "/api/v1/settings",
            serde_json::json!({"auto_register": true}),
        )
        .await;
    assert_eq!(status, 200);
    let office = app.store.find_office("dist").await.unwrap();
    assert!(office.auto_register);
    let services = services(app);
    // Complete facts and ด่วนที่สุด in the subject: registered at once, with its speed.
    let complete = thai_letter(
        "auto-1@s.go.th",
        "ด่วนที่สุด ที่ ศธ 04183.006/140 ลงวันที่ 5 พ.ค. 2566 เรื่อง ขอเชิญประชุมด่วน",
        &pdf_bytes("a"),
    );
    let out = ingest(
        &services,
        &office,
        &Origin::File("a".into()),
        complete.into(),
        None,
    )
    .await
    .unwrap();
    let Outcome::Letter { entry_id } = out else {
        panic!("{out:?}")
    };
    let (_, entry) = app
        .get_json(&w.clerk, &format!("/api/v1/inbox/{entry_id}"))
        .await;
    assert_eq!(entry["status"], "registered", "{entry}");
    assert_eq!(entry["speed"], "most_urgent");
    let (_, letter) = app
        .get_json(&w.clerk, &format!("/api/v1/letters/{}", entry["letter_id"]))
        .await;
    assert_eq!(letter["number"], 1);
    assert_eq!(letter["speed"], "most_urgent");
    assert_eq!(letter["registered_by"], "คุณclerk");
    // No document number: it waits for the clerk.
    let incomplete = thai_letter("auto-2@s.go.th", "ขอเชิญประชุม", &pdf_bytes("b"));
    let out = ingest(
        &services,
        &office,
        &Origin::File("b".into()),
        incomplete.into(),
        None,
    )
    .await
    .unwrap();
    let Outcome::Letter { entry_id: waiting } = out else {
        panic!("{out:?}")
    };
    let (_, entry) = app
        .get_json(&w.clerk, &format!("/api/v1/inbox/{waiting}"))
        .await;
    assert_eq!(entry["status"], "unregistered");

    // The original e-mail: headers and text on a page, the HTML part only in a sandbox.
    let html_mail = b"From: a@b.go.th\r\nSubject: html letter\r\nMessage-ID: <h1@b.go.th>\r\nContent-Type: multipart/alternative; boundary=A\r\n\r\n--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain version\r\n--A\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>html version<script>alert(1)</script></p>\r\n--A--\r\n";
    let out = ingest(
        &services,
        &office,
        &Origin::File("h".into()),
        Bytes::from_static(html_mail),
        None,
    )
    .await
    .unwrap();
    let Outcome::Letter { entry_id: html_id } = out else {
        panic!("{out:?}")
    };
    let (browser, _) = app.login("clerk").await;
    let page = app
        .page(&browser, &format!("/inbox/{html_id}/original"))
        .await;
    assert!(page.contains("Message-ID") && page.contains("plain version"));
    assert!(page.contains("sandbox"), "the HTML is framed in a sandbox");
    let res = browser
        .get(app.url(&format!("/inbox/{html_id}/original.html")))
        .send()
        .await
        .unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.starts_with("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(res.text().await.unwrap().contains("html version"));
}
both_dbs!(
    auto_register,
    auto_register_on_arrival_and_the_original_email
);
