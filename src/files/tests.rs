//! The local file store: packs, deferred puts, reading back checked, removal.

use super::*;
use crate::store::Store;

async fn store_in(dir: &Path) -> FileStore {
    let url = format!("sqlite://{}/index.db", dir.display());
    let store = Store::connect(&url, 2).await.unwrap();
    store.migrate().await.unwrap();
    FileStore::local(
        dir.join("files"),
        Arc::new(store.pack_index(PackHome::Disk)),
    )
}

fn packs(dir: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(dir.join("files/packs")) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Every byte under the storage root, for looking for what must be gone.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_none_or(|x| x != "db" && x != "db-wal" && x != "db-shm")
            {
                out.extend(std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[tokio::test]
async fn removed_files_are_gone_from_disk_and_packs_keep_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let files = store_in(dir.path()).await;
    let packed: Vec<Bytes> = (0..4)
        .map(|i| Bytes::from(format!("PACKED-LETTER-{i}-").repeat(50)))
        .collect();
    let mut shas = Vec::new();
    for d in &packed {
        shas.push(files.put_deferred(d.clone()).await.unwrap());
    }
    files.flush().await.unwrap();
    let single = Bytes::from("SINGLE-SCAN-".repeat(80));
    let single_sha = files.put(single.clone()).await.unwrap();

    let removed = files
        .remove(vec![shas[1].clone(), shas[2].clone(), single_sha.clone()])
        .await
        .unwrap();
    assert_eq!(removed.files, 3);
    assert_eq!(
        removed.bytes,
        (packed[1].len() + packed[2].len() + single.len()) as u64
    );
    assert_eq!(removed.packs_rewritten, 1);
    // The kept files still read (and verify); the removed ones are missing.
    assert_eq!(files.get(&shas[0]).await.unwrap(), packed[0]);
    assert_eq!(files.get(&shas[3]).await.unwrap(), packed[3]);
    for gone in [&shas[1], &shas[2], &single_sha] {
        assert!(matches!(files.get(gone).await, Err(FileError::Missing(_))));
    }
    // Nothing of the removed bytes is left anywhere under the root.
    let everything = all_bytes(&dir.path().join("files"));
    for needle in ["PACKED-LETTER-1-", "PACKED-LETTER-2-", "SINGLE-SCAN-"] {
        assert!(
            memchr::memmem::find(&everything, needle.as_bytes()).is_none(),
            "{needle} is gone"
        );
    }
    assert!(memchr::memmem::find(&everything, b"PACKED-LETTER-3-").is_some());
    assert_eq!(packs(dir.path()).len(), 1, "the old pack is gone");
    // Removing again removes nothing.
    assert_eq!(files.remove(vec![shas[1].clone()]).await.unwrap().files, 0);
}

#[tokio::test]
async fn stores_by_content_and_refuses_odd_keys() {
    let dir = tempfile::tempdir().unwrap();
    let files = store_in(dir.path()).await;
    let sha = files
        .put(Bytes::from_static(b"%PDF-1.4 hello"))
        .await
        .unwrap();
    assert_eq!(sha, sha256_hex(b"%PDF-1.4 hello"));
    assert_eq!(
        files
            .put(Bytes::from_static(b"%PDF-1.4 hello"))
            .await
            .unwrap(),
        sha
    );
    assert_eq!(&files.get(&sha).await.unwrap()[..], b"%PDF-1.4 hello");
    assert!(matches!(
        files.get("../../etc/passwd").await,
        Err(FileError::Missing(_))
    ));
    assert!(
        dir.path()
            .join("files")
            .join(&sha[0..2])
            .join(&sha)
            .exists()
    );
    assert!(packs(dir.path()).is_empty());
}

#[tokio::test]
async fn a_batch_goes_into_one_pack_that_reads_back_and_explains_itself() {
    let dir = tempfile::tempdir().unwrap();
    let files = store_in(dir.path()).await;
    let data: Vec<Bytes> = (0..50)
        .map(|i| Bytes::from(format!("%PDF-1.4 หนังสือ {i}\n").repeat(100 + i)))
        .collect();
    let mut shas = Vec::new();
    for d in &data {
        shas.push(files.put_deferred(d.clone()).await.unwrap());
    }
    // Before the flush the bytes are served from memory; nothing is on disk yet.
    assert_eq!(files.get(&shas[3]).await.unwrap(), data[3]);
    assert!(packs(dir.path()).is_empty());
    files.flush().await.unwrap();
    let written = packs(dir.path());
    assert_eq!(written.len(), 1, "{written:?}");
    for (sha, d) in shas.iter().zip(&data) {
        assert_eq!(&files.get(sha).await.unwrap(), d);
        assert!(!dir.path().join("files").join(&sha[0..2]).join(sha).exists());
    }
    let pack = std::fs::read(&written[0]).unwrap();
    let first = format!("SARABAN-BLOB {} {}\n", shas[0], data[0].len());
    assert!(pack.starts_with(first.as_bytes()));

    // The same bytes again make no second pack; new bytes make one more.
    files.put_deferred(data[7].clone()).await.unwrap();
    files.flush().await.unwrap();
    assert_eq!(packs(dir.path()).len(), 1);
    files
        .put_deferred(Bytes::from_static(b"another"))
        .await
        .unwrap();
    files.flush().await.unwrap();
    assert_eq!(packs(dir.path()).len(), 2);
}

#[tokio::test]
async fn a_damaged_pack_is_reported_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let files = store_in(dir.path()).await;
    let sha = files
        .put_deferred(Bytes::from_static(b"%PDF-1.4 original"))
        .await
        .unwrap();
    files.flush().await.unwrap();
    let pack = packs(dir.path()).remove(0);
    let mut bytes = std::fs::read(&pack).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x20;
    std::fs::write(&pack, bytes).unwrap();
    assert!(matches!(files.get(&sha).await, Err(FileError::Corrupt(_))));
}

#[tokio::test]
async fn the_same_bytes_written_twice_at_once_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let files = store_in(dir.path()).await;
    let data = Bytes::from(vec![b'x'; 300_000]);
    let (a, b) = tokio::join!(
        files.put_deferred(data.clone()),
        files.put_deferred(data.clone())
    );
    assert_eq!(a.unwrap(), b.unwrap());
    let (a, b) = tokio::join!(files.flush(), files.flush());
    a.unwrap();
    b.unwrap();
    assert_eq!(files.get(&sha256_hex(&data)).await.unwrap(), data);
    let (x, y) = tokio::join!(files.put(data.clone()), files.put(data.clone()));
    assert_eq!(x.unwrap(), y.unwrap());
}
