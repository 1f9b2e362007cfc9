//! Every file the records name is checked (`saraban storage verify`): a file deleted from the
//! disk and a file damaged on it are found, raised as alarms the admin sees on the settings page
//! and in /metrics, and the command fails; a file put back ends its alarm.

use crate::helpers::{Db, pdf_bytes, spawn_app};

fn file_path(root: &std::path::Path, sha: &str) -> std::path::PathBuf {
    root.join(&sha[0..2]).join(sha)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_damaged_files_are_found_and_shown() {
    let w = spawn_app(Db::Sqlite).await.world().await;
    let app = &w.app;
    let mut shas = Vec::new();
    let mut ids = Vec::new();
    for i in 0..2 {
        let (status, letter) = app
            .post_letter(
                &w.clerk,
                &[
                    ("register", "outbound"),
                    ("to", "โรงเรียนทดสอบ"),
                    ("subject", &format!("หนังสือ {i}")),
                ],
                vec![("หนังสือ.pdf", pdf_bytes(&format!("letter {i}")), "ฉบับจริง")],
            )
            .await;
        assert_eq!(status, 201, "{letter}");
        shas.push(
            letter["attachments"][0]["sha256"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        ids.push(letter["id"].as_i64().unwrap());
    }
    let services = &app.services;
    let total = services.count_named_files().await.unwrap();
    assert_eq!(total, 2);
    let report = services.verify_files(4, |_| {}).await.unwrap();
    assert_eq!((report.checked, report.problems.len()), (2, 0));

    let root = app.dir.path().join("files");
    let (gone, damaged) = (file_path(&root, &shas[0]), file_path(&root, &shas[1]));
    let kept = std::fs::read(&gone).expect("stored as a loose file");
    std::fs::remove_file(&gone).unwrap();
    let mut bytes = std::fs::read(&damaged).unwrap();
    bytes[20] ^= 0xFF;
    std::fs::write(&damaged, &bytes).unwrap();

    // Opening the damaged file gives an error, never wrong bytes, and raises the alarm at once.
    let res = app
        .get(
            &w.clerk,
            &format!("/api/v1/letters/{}/attachments/1", ids[1]),
        )
        .await;
    assert_ne!(res.status().as_u16(), 200);
    let (count, alarms) = app.store.file_alarms(10).await.unwrap();
    assert_eq!(count, 1);
    assert_eq!(alarms[0].sha256, shas[1]);

    let report = services.verify_files(4, |_| {}).await.unwrap();
    assert_eq!(report.checked, 2);
    let mut problems: Vec<(String, String)> = report
        .problems
        .iter()
        .map(|(sha, table, problem)| {
            assert_eq!(table, "attachments");
            (sha.clone(), problem.clone())
        })
        .collect();
    problems.sort();
    let mut want = vec![
        (shas[0].clone(), "ไม่พบไฟล์ในที่เก็บ".to_string()),
        (shas[1].clone(), "ไฟล์เสียหาย (SHA-256 ไม่ตรง)".to_string()),
    ];
    want.sort();
    assert_eq!(problems, want);

    // The operator's command says the same and fails.
    let out = crate::helpers::serve::saraban(
        &["storage", "verify"],
        &format!("sqlite://{}/saraban.db", app.dir.path().display()),
        &root,
    )
    .output()
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("2 files checked, 0 whole, 2 missing or damaged"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("{}  attachments: ไม่พบไฟล์ในที่เก็บ", shas[0])));

    // The admin sees them; so does the monitoring.
    let (admin, _) = app.login("admin").await;
    let page = app.page(&admin, "/settings").await;
    let alarm = page
        .split("id=\"file-alarms\"")
        .nth(1)
        .expect("alarm shown");
    assert!(alarm.contains("ไฟล์ 2 ไฟล์หายหรือเสียหาย"), "{alarm}");
    assert!(alarm.contains(&shas[0]) && alarm.contains(&shas[1]));
    let metrics = app.metrics().await;
    assert!(metrics.contains("saraban_file_alarms 2"), "{metrics}");

    // The lost file is put back from a backup: its alarm ends at the next check.
    std::fs::write(&gone, &kept).unwrap();
    let report = services.verify_files(4, |_| {}).await.unwrap();
    assert_eq!(report.problems.len(), 1);
    let page = app.page(&admin, "/settings").await;
    assert!(page.contains("ไฟล์ 1 ไฟล์หายหรือเสียหาย"), "{page}");
}

/// A file larger than what is read whole (4 MB) is sent as a stream, checked as it goes: whole
/// when it is whole; when it was damaged in storage, the download is cut before its end (the
/// client never holds a complete wrong file) and the alarm is raised. On disk and in SeaweedFS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_streams_and_a_damaged_one_is_cut_off() {
    large_file_streams(None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_object_streams_and_a_damaged_one_is_cut_off() {
    let s3 = saraban_lab::s3::SeaweedS3::start();
    large_file_streams(Some(&s3)).await
}

async fn large_file_streams(s3: Option<&saraban_lab::s3::SeaweedS3>) {
    let w = crate::helpers::spawn_app_with(Db::Sqlite, |c| {
        if let Some(s3) = s3 {
            crate::helpers::s3::files_in(c, s3, "saraban-large");
        }
    })
    .await
    .world()
    .await;
    let app = &w.app;
    let mut big = pdf_bytes("a scan of many pages");
    big.extend((0..6 * 1024 * 1024u32).map(|i| b'0' + (i % 10) as u8));
    let (status, letter) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "โรงเรียนทดสอบ"),
                ("subject", "ไฟล์ใหญ่"),
            ],
            vec![("สแกน.pdf", big.clone(), "")],
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    let sha = letter["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let url = app.url(&format!(
        "/api/v1/letters/{}/attachments/1",
        letter["id"].as_i64().unwrap()
    ));
    let res = app
        .http
        .get(&url)
        .bearer_auth(&w.clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.content_length(), Some(big.len() as u64));
    assert!(res.bytes().await.unwrap().as_ref() == big.as_slice());

    // One byte near the end changed behind saraban's back.
    let mut bytes = big.clone();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xFF;
    match s3 {
        None => std::fs::write(file_path(&app.dir.path().join("files"), &sha), &bytes).unwrap(),
        Some(s3) => {
            use object_store::ObjectStoreExt;
            let bucket = crate::helpers::s3::bucket(s3, "saraban-large");
            let key = object_store::path::Path::from(format!("blobs/{}/{sha}", &sha[0..2]));
            bucket
                .head(&key)
                .await
                .expect("stored as an object of its own");
            bucket
                .put(&key, bytes::Bytes::from(bytes).into())
                .await
                .unwrap();
        }
    }
    let res = app
        .http
        .get(&url)
        .bearer_auth(&w.clerk)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "the first pieces went out");
    let got = res.bytes().await;
    assert!(
        got.is_err(),
        "the download is cut off, not completed with wrong bytes"
    );
    crate::helpers::eventually(30, "the alarm raised", || async {
        let (count, alarms) = app.store.file_alarms(10).await.unwrap();
        (count == 1 && alarms[0].sha256 == sha).then_some(())
    })
    .await;

    // A large e-mail's original (.eml) is streamed too, whole.
    let raw = crate::mail_ingest::thai_letter("large@school.go.th", "เรื่อง อีเมลใหญ่", &big);
    assert!(raw.len() > 4 * 1024 * 1024);
    let entry = crate::mail_ingest::take_in(app, "large.eml", raw.clone()).await;
    let res = app
        .get(&w.clerk, &format!("/api/v1/inbox/{entry}/raw"))
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.content_length(), Some(raw.len() as u64));
    assert!(res.bytes().await.unwrap().as_ref() == raw.as_slice());
}
