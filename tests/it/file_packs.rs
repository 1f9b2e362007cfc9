//! Files taken in a batch live in pack files whose index rows commit with the batch; a batch
//! is written in a few multi-row statements and falls back to one message at a time when a
//! receipt was taken meanwhile.

use bytes::Bytes;
use saraban::domain::attachment::FileKind;
use saraban::domain::letter::{Secrecy, Speed};
use saraban::files::{FileError, FileStore};
use saraban::service::mailboxes::{MailboxInput, add_mailbox};
use saraban::store::inbox::{
    EntrySource, MailRecord, NewInboxEntry, NewQuarantine, ReceiptKey, Recorded,
};
use saraban::store::letters::NewAttachment;

use crate::both_dbs;
use crate::helpers::{Db, spawn_app};

fn entry(key: &str, raw_sha: &str, file_sha: &str) -> NewInboxEntry {
    NewInboxEntry {
        office_id: "dist".into(),
        source: EntrySource::Email,
        mailbox_id: None,
        message_id: Some(format!("<{key}@school.test>")),
        dedupe_key: key.into(),
        raw_sha256: Some(raw_sha.into()),
        raw_size: 100,
        subject: format!("ขอส่งรายงาน {key}"),
        doc_no: "ศธ 04183.006/101".into(),
        doc_date: None,
        sender: "โรงเรียนทดสอบ".into(),
        sender_email: "school@school.test".into(),
        recipient: "สพป.".into(),
        body_text: "เรียน ผู้อำนวยการ".into(),
        received_at: chrono::Utc::now(),
        speed: Speed::Normal,
        secrecy: Secrecy::Normal,
        letter_type: String::new(),
        notify_to: None,
        for_group: None,
        refused: Vec::new(),
        attachments: vec![NewAttachment {
            name: format!("{key}.pdf"),
            description: String::new(),
            kind: FileKind::Pdf,
            size: 9,
            sha256: file_sha.into(),
        }],
    }
}

async fn a_batch_is_packed_indexed_and_committed_together(db: Db) {
    let w = spawn_app(db).await.world().await;
    let app = &w.app;
    let mailbox = add_mailbox(
        &app.store,
        "dist",
        &MailboxInput {
            host: "127.0.0.1".into(),
            port: "143".into(),
            security: "none".into(),
            username: "saraban".into(),
            password: "secret".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let key = |uid: i64| ReceiptKey {
        mailbox_id: mailbox.id,
        folder: "INBOX".into(),
        uidvalidity: 7,
        uid,
    };
    let files = &app.services.files;
    let raw: Vec<Bytes> = (0..3)
        .map(|i| Bytes::from(format!("Subject: {i}\r\n\r\nletter {i}")))
        .collect();
    let mut raw_shas = Vec::new();
    for r in &raw {
        raw_shas.push(files.put_deferred(r.clone()).await.unwrap());
    }
    let pdf = files
        .put_deferred(Bytes::from_static(b"%PDF-1.4 x"))
        .await
        .unwrap();
    let blobs = files.flush_unindexed().await.unwrap();
    assert_eq!(blobs.len(), 4, "{blobs:?}");
    // On disk and found by this process, though the index rows are not committed yet …
    assert_eq!(files.get(&raw_shas[1]).await.unwrap(), raw[1]);
    // … and not by another process sharing the files.
    let other = FileStore::local(
        app.dir.path().join("files"),
        std::sync::Arc::new(app.store.pack_index(saraban::files::PackHome::Disk)),
    );
    assert!(matches!(
        other.get(&raw_shas[1]).await,
        Err(FileError::Missing(_))
    ));

    // Two messages of one letter in one batch: the first is the entry, the second its duplicate.
    let items = vec![
        (
            MailRecord::Entry(entry("k1", &raw_shas[0], &pdf)),
            Some(key(1)),
        ),
        (
            MailRecord::Entry(entry("k1", &raw_shas[1], &pdf)),
            Some(key(2)),
        ),
        (
            MailRecord::Quarantine(NewQuarantine {
                office_id: "dist".into(),
                mailbox_id: Some(mailbox.id),
                origin: "mailbox uid 3".into(),
                raw_sha256: Some(raw_shas[2].clone()),
                raw_size: 10,
                subject: String::new(),
                reason: "อ่านอีเมลไม่ได้".into(),
            }),
            Some(key(3)),
        ),
    ];
    let recorded = app.store.record_mail_batch(&items, &blobs).await.unwrap();
    files.indexed(&blobs);
    let Recorded::Entry {
        id: first,
        duplicate: false,
    } = recorded[0]
    else {
        panic!("{recorded:?}");
    };
    assert_eq!(
        recorded[1],
        Recorded::Entry {
            id: first,
            duplicate: true
        }
    );
    assert!(matches!(recorded[2], Recorded::Quarantine { .. }));
    assert_eq!(
        other.get(&pdf).await.unwrap(),
        Bytes::from_static(b"%PDF-1.4 x")
    );
    let taken = app
        .store
        .taken_uids(mailbox.id, "INBOX", 7, 1, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 3);
    let entry_files = app.store.entry_attachments(first).await.unwrap();
    assert_eq!(entry_files.len(), 1);
    assert_eq!(entry_files[0].sha256, pdf);

    // A batch holding a position already taken is written one message at a time: the taken
    // one is left alone, the new one recorded.
    let items = vec![
        (
            MailRecord::Entry(entry("k2", &raw_shas[0], &pdf)),
            Some(key(2)),
        ),
        (
            MailRecord::Entry(entry("k3", &raw_shas[1], &pdf)),
            Some(key(4)),
        ),
    ];
    let recorded = app.store.record_mail_batch(&items, &[]).await.unwrap();
    assert_eq!(recorded[0], Recorded::AlreadyTaken);
    assert!(matches!(
        recorded[1],
        Recorded::Entry {
            duplicate: false,
            ..
        }
    ));
    let (entries, _) = app.store.inbox_counts("dist").await.unwrap();
    assert_eq!(entries, 2, "k1 and k3, not k2");
}
both_dbs!(
    batch_and_packs,
    a_batch_is_packed_indexed_and_committed_together
);

async fn a_plain_flush_indexes_files_another_caller_packed(db: Db) {
    let app = spawn_app(db).await;
    let files = &app.services.files;
    let mine = files
        .put_deferred(Bytes::from_static(b"mine"))
        .await
        .unwrap();
    // The pipeline packs my file with its own and has not committed yet …
    let theirs = files.flush_unindexed().await.unwrap();
    assert_eq!(theirs.len(), 1);
    // … so my flush finds nothing pending, but must still index what I am about to name.
    files.flush().await.unwrap();
    let other = FileStore::local(
        app.dir.path().join("files"),
        std::sync::Arc::new(app.store.pack_index(saraban::files::PackHome::Disk)),
    );
    assert_eq!(other.get(&mine).await.unwrap(), Bytes::from_static(b"mine"));
    // The pipeline's own commit of the same row later changes nothing.
    app.store.record_mail_batch(&[], &theirs).await.unwrap();
    files.indexed(&theirs);
    assert_eq!(files.get(&mine).await.unwrap(), Bytes::from_static(b"mine"));
}
both_dbs!(
    plain_flush,
    a_plain_flush_indexes_files_another_caller_packed
);
