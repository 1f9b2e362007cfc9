//! `saraban storage gc`: what no record names (a loose file, files in a pack beside named ones, a
//! pack whose batch never committed, a staged piece) is removed once it is older than the grace
//! period, and nothing a record names is touched; on the local disk and in a real SeaweedFS.

use bytes::Bytes;
use saraban::files::FileError;
use saraban_lab::s3::SeaweedS3;

use crate::helpers::serve::{run_ok, saraban};
use crate::helpers::{Db, TestApp, World, pdf_bytes, spawn_app_with};

/// What the test left unnamed.
struct Orphans {
    loose: String,
    packed_alone: String,
    packed_beside_a_mail: String,
    staged: std::path::PathBuf,
}

/// A letter with a file, a mail taken in, and orphans of every kind beside them.
async fn records_and_orphans(w: &World) -> (Vec<String>, Orphans) {
    let app = &w.app;
    let files = &app.services.files;
    let (status, letter) = app
        .post_letter(
            &w.clerk,
            &[
                ("register", "outbound"),
                ("to", "โรงเรียน"),
                ("subject", "หนังสือที่ต้องอยู่"),
            ],
            vec![("หนังสือ.pdf", pdf_bytes("kept letter"), "")],
        )
        .await;
    assert_eq!(status, 201, "{letter}");
    let mut named = vec![
        letter["attachments"][0]["sha256"]
            .as_str()
            .unwrap()
            .to_string(),
    ];

    let loose = files
        .put(Bytes::from_static(b"a file no record names"))
        .await
        .unwrap();
    let packed_alone = files
        .put_deferred(Bytes::from_static(b"packed, never named"))
        .await
        .unwrap();
    files.flush().await.unwrap();
    // Pending when the mail's batch flushes: it lands in the mail's pack.
    let packed_beside_a_mail = files
        .put_deferred(Bytes::from_static(b"packed beside a mail"))
        .await
        .unwrap();
    let raw = crate::mail_ingest::thai_letter(
        "gc@school.go.th",
        "เรื่อง หนังสือที่รับทางอีเมล",
        &pdf_bytes("mail file kept"),
    );
    let entry = crate::mail_ingest::take_in(app, "gc.eml", raw).await;
    let (status, e) = app
        .get_json(&w.clerk, &format!("/api/v1/inbox/{entry}"))
        .await;
    assert_eq!(status, 200, "{e}");
    named.push(e["raw_sha256"].as_str().unwrap().to_string());
    for a in e["attachments"].as_array().unwrap() {
        named.push(a["sha256"].as_str().unwrap().to_string());
    }
    // A batch that crashed before its transaction: its pack is written, no row names it.
    files
        .put_deferred(Bytes::from_static(b"a batch that never committed"))
        .await
        .unwrap();
    let never_committed = files.flush_unindexed().await.unwrap();
    assert_eq!(never_committed.len(), 1);
    files.indexed(&never_committed); // what a restart forgets
    let (staged_file, staged) = files.staging_file().await.unwrap();
    drop(staged_file);
    (
        named,
        Orphans {
            loose,
            packed_alone,
            packed_beside_a_mail,
            staged,
        },
    )
}

async fn gc_removes_only_what_no_record_names(app_world: World) {
    let w = app_world;
    let app: &TestApp = &w.app;
    let (named, orphans) = records_and_orphans(&w).await;
    let files = &app.services.files;
    let gc = |grace: chrono::Duration, dry_run: bool| async move {
        app.services
            .collect_garbage(grace, dry_run, |_| {})
            .await
            .unwrap()
    };

    // Everything is young: nothing is touched.
    let young = gc(chrono::Duration::hours(1), false).await;
    assert_eq!(
        (young.files, young.packs, young.leftovers),
        (0, 0, 0),
        "{young:?}"
    );
    assert!(young.young >= 5, "{young:?}");
    assert!(files.get(&orphans.loose).await.is_ok());

    // A dry run with no grace counts what a real one removes, and removes nothing.
    let dry = gc(chrono::Duration::zero(), true).await;
    assert_eq!(
        (dry.files, dry.packs, dry.leftovers),
        (3, 1, 1),
        "loose + two packed files, the uncommitted pack, the staged piece: {dry:?}"
    );
    assert!(files.get(&orphans.packed_alone).await.is_ok());

    let done = gc(chrono::Duration::zero(), false).await;
    assert_eq!(
        (done.files, done.packs, done.leftovers),
        (3, 1, 1),
        "{done:?}"
    );
    assert_eq!(done.packs_rewritten, 2, "{done:?}");
    assert!(done.named_meanwhile.is_empty());
    for gone in [
        &orphans.loose,
        &orphans.packed_alone,
        &orphans.packed_beside_a_mail,
    ] {
        assert!(
            matches!(files.get(gone).await, Err(FileError::Missing(_))),
            "{gone} removed"
        );
    }
    assert!(!orphans.staged.exists());
    // Every file a record names is still there and whole.
    for sha in &named {
        assert!(files.get(sha).await.is_ok(), "{sha} kept");
    }
    let report = app.services.verify_files(4, |_| {}).await.unwrap();
    assert!(report.problems.is_empty(), "{report:?}");
    assert_eq!(report.checked, named.len() as u64);

    // A second run finds nothing more.
    let again = gc(chrono::Duration::zero(), false).await;
    assert_eq!(
        (again.files, again.packs, again.leftovers),
        (0, 0, 0),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_local_disk_sqlite() {
    let w = spawn_app_with(Db::Sqlite, |_| {}).await.world().await;
    // The command an operator runs: a dry run counts and removes nothing.
    let (_, orphans) = records_and_orphans(&w).await;
    let gc = |extra: &[&str]| {
        let mut command = saraban(
            &["storage", "gc", "--grace-hours", "0"],
            &format!("sqlite://{}/saraban.db", w.app.dir.path().display()),
            w.app.dir.path().join("files"),
        );
        command.args(extra);
        run_ok(command, "")
    };
    let out = gc(&["--dry-run"]);
    assert!(
        out.contains("would remove 3 files, 1 packs, 1 leftovers"),
        "{out}"
    );
    assert!(w.app.services.files.get(&orphans.loose).await.is_ok());
    let out = gc(&[]);
    assert!(
        out.contains("removed 3 files, 1 packs, 1 leftovers"),
        "{out}"
    );
    assert!(matches!(
        w.app.services.files.get(&orphans.loose).await,
        Err(FileError::Missing(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_local_disk_postgres() {
    let w = spawn_app_with(Db::Postgres, |_| {}).await.world().await;
    gc_removes_only_what_no_record_names(w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_object_store() {
    let s3 = SeaweedS3::start();
    let w = spawn_app_with(Db::Sqlite, |c| {
        crate::helpers::s3::files_in(c, &s3, "saraban-gc")
    })
    .await
    .world()
    .await;
    gc_removes_only_what_no_record_names(w).await;
}

/// One gc at a time in the whole deployment (the same cron line on every machine): a second one
/// is refused at once while the first holds the lease; a dry run is never refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_gc_runs_at_a_time() {
    let app = spawn_app_with(Db::Postgres, |_| {}).await;
    let lease = chrono::Duration::minutes(10);
    app.store
        .take_maintenance_lease("storage gc", "another machine", lease)
        .await
        .unwrap()
        .unwrap();
    let refused = app
        .services
        .collect_garbage(chrono::Duration::zero(), false, |_| {})
        .await;
    match refused {
        Err(saraban::service::ServiceError::Conflict(message)) => {
            assert!(message.contains("another machine"), "{message}")
        }
        other => panic!("a second gc must be refused: {other:?}"),
    }
    assert!(
        app.services
            .collect_garbage(chrono::Duration::zero(), true, |_| {})
            .await
            .is_ok()
    );
    app.store
        .release_maintenance_lease("storage gc", "another machine")
        .await
        .unwrap();
    // Free again: it runs, and gives the lease back when done.
    app.services
        .collect_garbage(chrono::Duration::zero(), false, |_| {})
        .await
        .unwrap();
    app.store
        .take_maintenance_lease("storage gc", "a later run", lease)
        .await
        .unwrap()
        .expect("released by the run before");
}
