//! A removal (`storage gc`, lawful destruction) and a writer storing the same bytes at the same
//! moment: the writer records its reuse before it decides anything, the remover records its
//! removal before it looks for names, and each side is tested against the other's record: the
//! remover leaves a file with a reuse recorded, and a writer that finds a removal under way
//! waits for it and stores the bytes again. On the disk (SQLite) and in SeaweedFS (PostgreSQL),
//! for a file of its own and for one in a pack.

use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use saraban::files::{Copies, FileError};
use saraban_lab::s3::SeaweedS3;

use crate::helpers::{Db, TestApp, spawn_app_with};

/// Polls until a writer has recorded its reuse of `sha` (since `since`).
async fn reuse_recorded(app: &TestApp, sha: &str, since: chrono::DateTime<Utc>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let found = app
            .store
            .reused_since(&[sha.to_string()], since)
            .await
            .unwrap();
        if found.contains(sha) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the writer never recorded its reuse"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn removal_and_reuse_never_cross(app: &TestApp) {
    let files = &app.services.files;

    // The remover's side: a file a writer said it is about to name is left.
    let bytes = Bytes::from_static(b"stored again while gc looks at it");
    let sha = files.put(bytes.clone()).await.unwrap();
    let before = Utc::now();
    // Stored already: this put records its reuse instead of storing the bytes again.
    assert_eq!(files.put(bytes.clone()).await.unwrap(), sha);
    let removal = app
        .services
        .remove_files_no_one_names(vec![sha.clone()], Copies::All, Some(before), "test")
        .await
        .unwrap();
    assert_eq!(
        (removal.removed.files, removal.left),
        (0, vec![sha.clone()])
    );
    assert_eq!(files.get(&sha).await.unwrap(), bytes);
    // With no reuse since, it goes.
    let removal = app
        .services
        .remove_files_no_one_names(vec![sha.clone()], Copies::All, Some(Utc::now()), "test")
        .await
        .unwrap();
    assert_eq!((removal.removed.files, removal.left.len()), (1, 0));
    assert!(matches!(files.get(&sha).await, Err(FileError::Missing(_))));

    // gc removes only the copy it found unnamed: the same bytes packed afresh by a batch
    // meanwhile (a batch looks only in the pack index) stay.
    let twice = Bytes::from_static(b"stored on its own, then packed by a batch");
    let twice_sha = files.put(twice.clone()).await.unwrap();
    files.put_deferred(twice.clone()).await.unwrap();
    files.flush().await.unwrap();
    let removal = app
        .services
        .remove_files_no_one_names(vec![twice_sha.clone()], Copies::OwnFile, None, "test")
        .await
        .unwrap();
    assert_eq!(removal.removed.files, 1);
    assert_eq!(files.get(&twice_sha).await.unwrap(), twice);

    // The writer's side, a file of its own: stored, then a removal begins.
    let own = Bytes::from_static(b"a file of its own, removed while it is sent again");
    let own_sha = files.put(own.clone()).await.unwrap();
    let packed = Bytes::from_static(b"a packed file, removed while a batch holds it again");
    let packed_sha = files.put_deferred(packed.clone()).await.unwrap();
    files.flush().await.unwrap();
    let both = vec![own_sha.clone(), packed_sha.clone()];
    app.store.begin_removals(&both).await.unwrap();

    let since = Utc::now();
    let writer = {
        let (files, own, packed) = (files.clone(), own.clone(), packed.clone());
        tokio::spawn(async move {
            let own_sha = files.put(own).await?;
            let packed_sha = files.put_deferred(packed).await?;
            files.flush().await?;
            Ok::<_, FileError>((own_sha, packed_sha))
        })
    };
    reuse_recorded(app, &own_sha, since).await;
    // It found the bytes stored, but a removal is under way: it waits rather than trusting them.
    assert!(
        !writer.is_finished(),
        "the writer must wait for the removal"
    );
    let removed = files.remove(both.clone()).await.unwrap();
    assert_eq!(removed.files, 2);
    app.store.finish_removals(&both).await.unwrap();

    let (got_own, got_packed) = tokio::time::timeout(Duration::from_secs(60), writer)
        .await
        .expect("the writer goes on once the removal has ended")
        .unwrap()
        .unwrap();
    assert_eq!((got_own, got_packed), (own_sha.clone(), packed_sha.clone()));
    // Both stored again, whole.
    assert_eq!(files.get(&own_sha).await.unwrap(), own);
    assert_eq!(files.get(&packed_sha).await.unwrap(), packed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_local_disk_sqlite() {
    let app = spawn_app_with(Db::Sqlite, |_| {}).await;
    removal_and_reuse_never_cross(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_object_store_postgres() {
    let s3 = SeaweedS3::start();
    let app = spawn_app_with(Db::Postgres, |c| {
        crate::helpers::s3::files_in(c, &s3, "saraban-reuse")
    })
    .await;
    removal_and_reuse_never_cross(&app).await;
}
