//! The mail real clients send, from `tests/fixtures/clients` (shaped as Outlook, Gmail, Apple
//! Mail, iOS and S/MIME signers shape them; `make.py` writes them): each is taken in and its
//! entry holds what `manifest.json` says: the letter's ที่, เรื่อง and จาก (the original's, for a
//! forward), its files with their names and kinds (winmail.dat unpacked, nameless parts named,
//! a signature's logo left out, a phone's inline photo kept), and who signed an S/MIME mail.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::helpers::{Db, spawn_app};

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clients")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_clients_mail_is_read_as_the_manifest_says() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("manifest.json")).unwrap()).unwrap();
    let manifest = manifest.as_object().unwrap();
    assert!(manifest.len() >= 7, "the corpus is all there");
    let (clerk, _) = app.login("clerk").await;
    for (file, want) in manifest {
        let raw = std::fs::read(fixtures().join(file)).unwrap();
        let entry_id = crate::mail_ingest::take_in(app, file, raw.clone()).await;
        let (status, entry) = app
            .get_json(&w.clerk, &format!("/api/v1/inbox/{entry_id}"))
            .await;
        assert_eq!(status, 200, "{entry}");
        for key in ["doc_no", "subject", "from"] {
            assert_eq!(entry[key], want[key], "{file}: {key}\n{entry}");
        }
        if let Some(speed) = want.get("speed") {
            assert_eq!(&entry["speed"], speed, "{file}");
        }
        let files: Vec<(String, String)> = entry["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["name"].as_str().unwrap().to_string(),
                    a["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = want["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f[0].as_str().unwrap().into(), f[1].as_str().unwrap().into()))
            .collect();
        assert_eq!(files, expected, "{file}: files\n{entry}");
        assert_eq!(
            entry["refused_attachments"],
            serde_json::json!([]),
            "{file}"
        );
        let parsed = saraban::message::parse::parse(&raw).unwrap();
        if let Some(text) = want.get("text_contains") {
            assert!(parsed.text.contains(text.as_str().unwrap()), "{file}");
        }
        match want.get("smime_signer") {
            Some(signer) => {
                let signed = parsed.smime.as_ref().expect("signed");
                let who = signed.signer.as_ref().expect("the signer's certificate");
                assert_eq!(who.name, signer.as_str().unwrap());
                assert_eq!(who.email, "saraban@school.example.go.th");
                let page = app
                    .page(&clerk, &format!("/inbox/{entry_id}/original"))
                    .await;
                assert!(page.contains("id=\"smime\""), "{page}");
                assert!(page.contains(signer.as_str().unwrap()), "{page}");
                assert!(
                    page.contains("ยังไม่ได้ตรวจสอบ"),
                    "no trusted roots set: {page}"
                );
            }
            None => assert!(parsed.smime.is_none(), "{file}"),
        }
    }
}

/// The corpus's winmail.dat is real TNEF: Debian's `tnef` (installed by scripts/test) finds the
/// same files, with the same Thai names, as saraban does.
#[test]
fn the_winmail_dat_reads_the_same_in_debians_tnef() {
    let raw = std::fs::read(fixtures().join("outlook-winmail.eml")).unwrap();
    let parsed = saraban::message::parse::parse(&raw).unwrap();
    let ours: Vec<&str> = parsed.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(ours, ["รายงานผลการเรียน.pdf", "แบบสำรวจ.xlsx"]);
    // The winmail.dat itself, cut out of the mail again.
    let text = String::from_utf8_lossy(&raw);
    let b64: String = text
        .split("filename=\"winmail.dat\"")
        .nth(1)
        .unwrap()
        .split("\r\n\r\n")
        .nth(1)
        .unwrap()
        .split("--")
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    let dat = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("winmail.dat");
    std::fs::write(&path, &dat).unwrap();
    let out = Command::new("tnef")
        .arg("-t")
        .arg(&path)
        .output()
        .expect("Debian tnef (scripts/test installs it)");
    assert!(out.status.success());
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('|').next().unwrap_or_default().trim().to_string())
        .collect();
    assert_eq!(listed, ours);
}

/// The signer's certificate of a signed mail, as PEM (what an office would put in its roots
/// file for a self-signed signer).
fn signer_pem(eml: &str) -> String {
    use base64::Engine;
    use cms::cert::x509::der::{Decode, Encode};
    let raw = std::fs::read(fixtures().join(eml)).unwrap();
    let p7 = saraban::message::parse::parse(&raw)
        .unwrap()
        .smime
        .unwrap()
        .p7;
    let info = cms::content_info::ContentInfo::from_der(&p7).unwrap();
    let signed: cms::signed_data::SignedData = info.content.decode_as().unwrap();
    let cert = match signed.certificates.unwrap().0.iter().next().unwrap() {
        cms::cert::CertificateChoices::Certificate(c) => c.to_der().unwrap(),
        _ => panic!("a certificate"),
    };
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(cert)
    )
}

/// With `sender_auth.smime_roots` set, the original e-mail's page judges the signature: the
/// mail signed under a trusted root is "ตรวจสอบแล้ว"; one whose certificate has the same name but
/// another key is flagged, in red; a signed mail changed after signing is "ไม่ถูกต้อง".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_are_judged_against_the_trusted_roots() {
    let roots = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(roots.path(), signer_pem("smime-signed.eml")).unwrap();
    let roots_path = roots.path().to_path_buf();
    let w = crate::helpers::spawn_app_with(Db::Sqlite, |c| c.sender_auth.smime_roots = roots_path)
        .await
        .world()
        .await;
    let app = &w.app;
    let (clerk, _) = app.login("clerk").await;
    let signed = std::fs::read(fixtures().join("smime-signed.eml")).unwrap();
    // The same mail with one word of the letter changed on the way (same length, base64 intact).
    let changed = String::from_utf8(signed.clone())
        .unwrap()
        .replacen("Message-ID: <", "Message-ID: <changed-", 1)
        .replacen("signed-letter.pdf", "signed-lettex.pdf", 1)
        .into_bytes();
    let opaque = std::fs::read(fixtures().join("smime-opaque.eml")).unwrap();
    let mut pages = Vec::new();
    for (name, raw) in [("signed", signed), ("changed", changed), ("opaque", opaque)] {
        let entry_id = crate::mail_ingest::take_in(app, &format!("{name}.eml"), raw).await;
        let page = app
            .page(&clerk, &format!("/inbox/{entry_id}/original"))
            .await;
        let notice = page
            .split("id=\"smime\"")
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .unwrap_or_else(|| panic!("{name}: {page}"))
            .to_string();
        pages.push((
            name,
            page.contains("class=\"alert good\" id=\"smime\""),
            notice,
        ));
    }
    let (_, good, notice) = &pages[0];
    assert!(
        *good && notice.contains("ตรวจสอบแล้ว: ลายมือชื่อถูกต้อง"),
        "{notice}"
    );
    let (_, good, notice) = &pages[1];
    assert!(!*good && notice.contains("ลายมือชื่อไม่ถูกต้อง"), "{notice}");
    let (_, good, notice) = &pages[2];
    assert!(!*good && notice.contains("ตรวจสอบใบรับรองไม่ผ่าน"), "{notice}");
}
