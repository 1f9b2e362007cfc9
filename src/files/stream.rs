//! Reading a file as a stream of pieces (a download of a large file never holds it whole in
//! memory), checked against its sha256 as the pieces go by: a file that turns out damaged ends
//! with an error instead of its last piece, so the reader never gets a complete wrong file.

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use sha2::{Digest, Sha256};

use super::FileError;

/// The pieces of a file as a backend reads them (not yet checked).
pub type Pieces = BoxStream<'static, Result<Bytes, FileError>>;

/// A stored file opened for reading.
pub enum FileContent {
    /// Read whole and already checked (small files: a damaged one is an error before the first
    /// byte is sent).
    Whole(Bytes),
    /// Checked as it is read: the last piece is an error when the file is damaged.
    Stream { size: u64, pieces: Pieces },
}

impl FileContent {
    pub fn size(&self) -> u64 {
        match self {
            FileContent::Whole(data) => data.len() as u64,
            FileContent::Stream { size, .. } => *size,
        }
    }
}

/// Files up to this size are read whole and checked before they are handed out.
pub const READ_WHOLE_UP_TO: u64 = 4 * 1024 * 1024;

/// A file as one piece.
pub(super) fn one_piece(data: Bytes) -> Pieces {
    futures_util::stream::once(async move { Ok(data) }).boxed()
}

/// A file's pieces from anything `AsyncRead`, `size` bytes at most.
pub(super) fn read_pieces<R>(reader: R) -> Pieces
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
{
    futures_util::stream::unfold(reader, |mut reader| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 256 * 1024];
        match reader.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), reader))
            }
            Err(e) => Some((Err(FileError::Io(e)), reader)),
        }
    })
    .boxed()
}

struct Checking {
    pieces: Pieces,
    hasher: Sha256,
    seen: u64,
    sha256: String,
    size: u64,
    finished: bool,
    held: Option<Bytes>,
    on_damage: Option<Box<dyn FnOnce() + Send>>,
}

/// `pieces` checked against `sha256` and `size` as they go by; `on_damage` is called once when
/// the file turns out damaged (to raise the alarm).
pub(super) fn checked(
    sha256: String,
    size: u64,
    pieces: Pieces,
    on_damage: Box<dyn FnOnce() + Send>,
) -> Pieces {
    let state = Checking {
        pieces,
        hasher: Sha256::new(),
        seen: 0,
        sha256,
        size,
        finished: false,
        held: None,
        on_damage: Some(on_damage),
    };
    futures_util::stream::unfold(state, |mut s| async move {
        // Each piece is held back until the next one arrives, and the last until the whole file
        // is checked: a damaged file never reaches the reader complete.
        loop {
            if s.finished {
                return None;
            }
            let outcome = match s.pieces.next().await {
                Some(Ok(piece)) => {
                    s.seen += piece.len() as u64;
                    if s.seen <= s.size {
                        s.hasher.update(&piece);
                        match s.held.replace(piece) {
                            Some(earlier) => return Some((Ok(earlier), s)),
                            None => continue,
                        }
                    }
                    Err(FileError::Corrupt(s.sha256.clone()))
                }
                Some(Err(e)) => Err(e),
                None => {
                    let digest = hex::encode(std::mem::take(&mut s.hasher).finalize());
                    if digest == s.sha256 && s.seen == s.size {
                        s.finished = true;
                        return s.held.take().map(|last| (Ok(last), s));
                    }
                    Err(FileError::Corrupt(s.sha256.clone()))
                }
            };
            s.finished = true;
            if matches!(outcome, Err(FileError::Corrupt(_) | FileError::Missing(_)))
                && let Some(alarm) = s.on_damage.take()
            {
                alarm();
            }
            return Some((outcome, s));
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn pieces_of(parts: &[&'static [u8]]) -> Pieces {
        let parts: Vec<Result<Bytes, FileError>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        futures_util::stream::iter(parts).boxed()
    }

    async fn read_all(pieces: Pieces) -> (Vec<u8>, Option<FileError>) {
        let mut out = Vec::new();
        let mut pieces = pieces;
        while let Some(piece) = pieces.next().await {
            match piece {
                Ok(p) => out.extend_from_slice(&p),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    #[tokio::test]
    async fn a_whole_file_passes_and_a_damaged_one_ends_in_an_error() {
        let sha = crate::security::sha256_hex(b"hello world");
        let raised = Arc::new(AtomicBool::new(false));
        let flag = raised.clone();
        let alarm = Box::new(move || flag.store(true, Ordering::SeqCst));
        let (data, err) = read_all(checked(
            sha.clone(),
            11,
            pieces_of(&[b"hello ", b"world"]),
            alarm,
        ))
        .await;
        assert_eq!(data, b"hello world");
        assert!(err.is_none());
        assert!(!raised.load(Ordering::SeqCst));

        let flag = raised.clone();
        let alarm = Box::new(move || flag.store(true, Ordering::SeqCst));
        let (got, err) = read_all(checked(
            sha.clone(),
            11,
            pieces_of(&[b"hello ", b"w0rld"]),
            alarm,
        ))
        .await;
        assert!(matches!(err, Some(FileError::Corrupt(_))));
        assert!(raised.load(Ordering::SeqCst), "the alarm is raised");
        assert_eq!(got, b"hello ", "the last piece is held back");

        // Longer than it should be: stopped before the extra bytes go out.
        let (data, err) = read_all(checked(
            sha,
            11,
            pieces_of(&[b"hello world", b"!!"]),
            Box::new(|| {}),
        ))
        .await;
        assert_ne!(data, b"hello world", "never the whole file");
        assert!(matches!(err, Some(FileError::Corrupt(_))));
    }
}
