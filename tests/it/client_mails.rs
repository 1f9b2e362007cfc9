//! The mail real clients send, from `tests/fixtures/clients` (shaped as Outlook, Gmail, Apple
//! Mail, iOS and S/MIME signers shape them; `make.py` writes them): each is taken in and its
//! entry holds what `manifest.json` says: the letter's ที่, เรื่อง and จาก (the original's, for a
//! forward), its files with their names and kinds (winmail.dat unpacked, nameless parts named,
//! a signature's logo left out, a phone's inline photo kept), and who signed an S/MIME mail.

use std::path::Path;
use std::process::Command;

use bytes::Bytes;
use serde_json::Value;

use saraban::service::ingest::{Origin, Outcome, ingest};

use crate::helpers::{Db, spawn_app};

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clients")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_clients_mail_is_read_as_the_manifest_says() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let office = app.store.find_office("dist").await.unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("manifest.json")).unwrap()).unwrap();
    let manifest = manifest.as_object().unwrap();
    assert!(manifest.len() >= 7, "the corpus is all there");
    let (clerk, _) = app.login("clerk").await;
    for (file, want) in manifest {
        let raw = std::fs::read(fixtures().join(file)).unwrap();
        let entry_id = match ingest(
            &app.services,
            &office,
            &Origin::File(file.clone()),
            Bytes::from(raw.clone()),
            None,
        )
        .await
        .unwrap()
        {
            Outcome::Letter { entry_id } => entry_id,
            other => panic!("{file}: {other:?}"),
        };
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
