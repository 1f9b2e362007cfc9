//! Files in an S3-compatible object store (a real SeaweedFS on loopback): `storage.backend =
//! "s3"` creates its bucket, keeps a letter's files and a mail's raw message and files there,
//! gives them back whole (a mail batch's files in one pack object), and `storage verify` finds an
//! object deleted or damaged behind its back.

use bytes::Bytes;
use object_store::ObjectStoreExt;
use object_store::path::Path;
use saraban_lab::s3::SeaweedS3;

use crate::helpers::s3::{bucket, files_in, s3_section};
use crate::helpers::{Db, pdf_bytes, spawn_app_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_live_in_the_object_store() {
    let s3 = SeaweedS3::start();
    let w = spawn_app_with(Db::Sqlite, |c| files_in(c, &s3, "saraban-files"))
        .await
        .world()
        .await;
    let app = &w.app;

    // A letter's file goes up and comes back whole.
    let pdf = pdf_bytes("a letter kept in the object store");
    let (status, letter) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "โรงเรียน"),
                ("subject", "หนังสือในที่เก็บกลาง"),
            ],
            vec![("หนังสือ.pdf", pdf.clone(), "ฉบับจริง")],
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    let sha = letter["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .get(
            &w.clerk,
            &format!("/api/v1/letters/{}/attachments/1", letter["id"]),
        )
        .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf.as_slice());
    assert!(
        !app.dir
            .path()
            .join("files")
            .join(&sha[0..2])
            .join(&sha)
            .exists(),
        "not on the local disk"
    );

    // A mail taken in: its raw message and file are objects too.
    let raw = crate::mail_ingest::thai_letter(
        "s3-mail@school.go.th",
        "เรื่อง ส่งผ่านที่เก็บกลาง",
        &pdf_bytes("mail file"),
    );
    let entry = crate::mail_ingest::take_in(app, "m.eml", raw.clone()).await;
    let (status, e) = app
        .get_json(&w.clerk, &format!("/api/v1/inbox/{entry}"))
        .await;
    assert_eq!(status, 200, "{e}");
    let res = app
        .get(&w.clerk, &format!("/api/v1/inbox/{entry}/raw"))
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), raw.as_slice());

    // A large file written piece by piece (as a big mail is fetched) goes up in parts.
    let big: Vec<u8> = (0..20 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let big_sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&big))
    };
    let (mut file, staged) = app.services.files.staging_file().await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut file, &big)
        .await
        .unwrap();
    drop(file);
    app.services
        .files
        .adopt(&big_sha, staged.clone())
        .await
        .unwrap();
    assert!(!staged.exists(), "the staged copy is gone once uploaded");
    let back = app.services.files.get(&big_sha).await.unwrap();
    assert!(back.as_ref() == big.as_slice(), "20 MB back whole");
    // A large attachment is downloaded as a stream from the object store, whole.
    let mut scan = pdf_bytes("a large scan");
    scan.extend((0..6 * 1024 * 1024u32).map(|i| (i % 253) as u8));
    let (status, large) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "โรงเรียน"),
                ("subject", "ไฟล์ใหญ่ในที่เก็บกลาง"),
            ],
            vec![("สแกน.pdf", scan.clone(), "")],
        )
        .await;
    assert_eq!(status, 201, "{large}");
    let res = app
        .get(
            &w.clerk,
            &format!("/api/v1/letters/{}/attachments/1", large["id"]),
        )
        .await;
    assert_eq!(res.content_length(), Some(scan.len() as u64));
    assert!(res.bytes().await.unwrap().as_ref() == scan.as_slice());

    let http = reqwest::Client::new();
    let ready: serde_json::Value = http
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["ready"], true, "{ready}");

    let report = app.services.verify_files(4, |_| {}).await.unwrap();
    assert!(report.checked >= 3, "{report:?}");
    assert!(report.problems.is_empty(), "{report:?}");

    // Behind saraban's back: one object deleted, the mail's raw message overwritten.
    let direct = bucket(&s3, "saraban-files");
    direct
        .delete(&Path::from(format!("blobs/{}/{sha}", &sha[0..2])))
        .await
        .unwrap();
    // The mail's raw message is in its batch's pack object (one PUT per batch), read back with a
    // ranged GET: the pack is overwritten with other bytes of the same length.
    let raw_sha = e["raw_sha256"].as_str().unwrap().to_string();
    let pack: String = sqlx::query_scalar("SELECT pack FROM object_blobs WHERE sha256 = $1")
        .bind(&raw_sha)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let pack_key = Path::from(format!("packs/{pack}"));
    let whole = direct.get(&pack_key).await.unwrap().bytes().await.unwrap();
    assert!(
        memchr::memmem::find(&whole, &raw).is_some(),
        "the raw message is in the pack"
    );
    direct
        .put(&pack_key, Bytes::from(vec![b'x'; whole.len()]).into())
        .await
        .unwrap();
    let report = app.services.verify_files(4, |_| {}).await.unwrap();
    let mut found: Vec<(String, String)> = report
        .problems
        .iter()
        .map(|(s, _, p)| (s.clone(), p.clone()))
        .collect();
    found.sort();
    // Every file of the damaged pack is reported: the raw message and the mail's file.
    let mail_file = e["attachments"][0]["sha256"].as_str().unwrap().to_string();
    let mut want = vec![
        (sha.clone(), "ไม่พบไฟล์ในที่เก็บ".to_string()),
        (raw_sha.clone(), "ไฟล์เสียหาย (SHA-256 ไม่ตรง)".to_string()),
        (mail_file, "ไฟล์เสียหาย (SHA-256 ไม่ตรง)".to_string()),
    ];
    want.sort();
    assert_eq!(found, want);
}

/// `saraban storage migrate --to s3` moves a deployment's files into the object store (again:
/// nothing copied twice), saraban on s3 then finds every one whole; and back to disk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_move_to_the_object_store_and_back() {
    let s3 = SeaweedS3::start();
    let s3_config = |c: &mut saraban::config::Config| s3_section(c, &s3, "saraban-moved");
    let w = spawn_app_with(Db::Sqlite, s3_config).await.world().await;
    let app = &w.app;
    let mut letters = Vec::new();
    for i in 0..3 {
        let (status, letter) = app
            .post_letter(
                &w.clerk,
                &[
                    ("register", "outbound"),
                    ("to", "โรงเรียน"),
                    ("subject", &format!("ย้ายไฟล์ {i}")),
                ],
                vec![("หนังสือ.pdf", pdf_bytes(&format!("moved {i}")), "")],
            )
            .await;
        assert_eq!(status, 201, "{letter}");
        letters.push(letter);
    }
    let total = app.services.count_named_files().await.unwrap();
    assert_eq!(total, 3);

    let migrate = || {
        crate::helpers::serve::saraban(
            &["storage", "migrate", "--to", "s3"],
            &format!("sqlite://{}/saraban.db", app.dir.path().display()),
            app.dir.path().join("files"),
        )
        .envs(s3.saraban_env("saraban-moved"))
        .output()
        .unwrap()
    };
    let out = migrate();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("3 files copied to s3, 0 there already, 0 failed"),
        "{stdout}"
    );
    // Run again (as after an interruption): nothing is copied twice.
    let stdout = String::from_utf8_lossy(&migrate().stdout).into_owned();
    assert!(
        stdout.contains("0 files copied to s3, 3 there already"),
        "{stdout}"
    );

    // Small files went into pack objects (one write for the lot), indexed for the object store.
    let packed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM object_blobs")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(packed, 3);

    // saraban on s3, over the same database: every file is there and whole.
    let mut config = saraban::config::Config::default();
    config.storage.root = app.dir.path().join("staging-only");
    s3_config(&mut config);
    let on_s3 = saraban::app::services_with(
        app.store.clone(),
        saraban::app::open_backend(&app.store, &config, "s3")
            .await
            .unwrap(),
        &config,
    );
    let report = on_s3.verify_files(4, |_| {}).await.unwrap();
    assert_eq!(
        (report.checked, report.problems.len()),
        (3, 0),
        "{report:?}"
    );
    let sha = letters[1]["attachments"][0]["sha256"].as_str().unwrap();
    assert_eq!(
        on_s3.files.get(sha).await.unwrap().as_ref(),
        pdf_bytes("moved 1").as_slice()
    );

    // And back to a new folder on disk.
    let mut back = config.clone();
    back.storage.root = app.dir.path().join("files-again");
    let to_disk = saraban::app::open_backend(&app.store, &back, "fs")
        .await
        .unwrap();
    let moved = on_s3.migrate_files(&to_disk, 4, |_| {}).await.unwrap();
    assert_eq!((moved.copied, moved.failed.len()), (3, 0));
    let on_disk = saraban::app::services_with(app.store.clone(), to_disk, &back);
    let report = on_disk.verify_files(4, |_| {}).await.unwrap();
    assert_eq!(
        (report.checked, report.problems.len()),
        (3, 0),
        "{report:?}"
    );
}
