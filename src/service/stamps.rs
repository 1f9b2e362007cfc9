//! The receipt stamp on a registered inbound letter's files: which files get one, making the
//! stamped copy once (off the async runtime) and keeping it by sha256, and the office's settings.
//! The original file is never touched: it stays the record, served as before.

use bytes::Bytes;

use super::{Actor, Result, ServiceError, Services};
use crate::domain::attachment::FileKind;
use crate::domain::register::Register;
use crate::domain::stamp::{ReceiptStamp, StampSettings};
use crate::outputs::stamp as pdf_stamp;
use crate::store::letters::{Attachment, Letter};
use crate::store::stamps::{StampRecord, StampedFile};

/// What the letter page and the API say of one file's stamped copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampState {
    /// Not a letter that is stamped (not inbound, cancelled) or not a PDF or scan.
    NotApplicable,
    /// The stamped copy exists; `signed` when the original carries a digital signature, which
    /// the copy no longer matches (the signed original stays the record).
    Stamped { size: i64, signed: bool },
    /// Why this file could not be stamped; it is shown unstamped.
    Failed(String),
}

/// A stamped copy, ready to serve.
pub struct StampedCopy {
    pub attachment: Attachment,
    pub data: Bytes,
}

fn stampable(kind: FileKind) -> bool {
    matches!(kind, FileKind::Pdf | FileKind::Jpg | FileKind::Png)
}

/// The stamp a letter's files carry, when it carries one.
pub fn stamp_for(
    letter: &Letter,
    office_name: &str,
    settings: StampSettings,
) -> Option<ReceiptStamp> {
    (letter.register == Register::Inbound && !letter.is_cancelled()).then(|| {
        ReceiptStamp::new(
            office_name,
            letter.number,
            letter.received_at.unwrap_or(letter.registered_at),
            settings,
        )
        .with_keep_mark(letter.keep_until.label())
    })
}

impl Services {
    pub async fn set_stamp_settings(
        &self,
        actor: &Actor,
        corner: Option<&str>,
        font_size: Option<&str>,
        filled: Option<bool>,
    ) -> Result<StampSettings> {
        self.require_settings(actor)?;
        let next = actor
            .office
            .stamp
            .with_changes(corner, font_size, filled)
            .map_err(|e| {
                let field = match e {
                    crate::domain::stamp::StampSettingsError::Corner => "stamp_corner",
                    crate::domain::stamp::StampSettingsError::FontSize => "stamp_font_size",
                };
                ServiceError::Invalid(super::single(field, e.to_string()))
            })?;
        self.store
            .set_stamp_settings(&actor.office.id, &next)
            .await?;
        Ok(next)
    }

    /// Each file's stamp, making the copies not made yet: a letter page shows the stamped copy
    /// first, or why there is none.
    pub async fn stamp_states(&self, actor: &Actor, letter: &Letter) -> Result<Vec<StampState>> {
        if letter.destroyed.is_some() {
            return Ok(vec![StampState::NotApplicable; letter.attachments.len()]);
        }
        let mut states = Vec::with_capacity(letter.attachments.len());
        for attachment in &letter.attachments {
            states.push(match self.stamped(actor, letter, attachment).await? {
                None => StampState::NotApplicable,
                Some((Ok((_, size)), signed)) => StampState::Stamped { size, signed },
                Some((Err(why), _)) => StampState::Failed(why),
            });
        }
        Ok(states)
    }

    /// The stamped copy of a letter's n-th file (1-based).
    pub async fn stamped_attachment(&self, actor: &Actor, id: i64, n: i64) -> Result<StampedCopy> {
        let letter = self.letter(actor, id).await?;
        super::letters::refuse_destroyed(&letter)?;
        let attachment = letter
            .attachments
            .iter()
            .find(|a| a.position == n)
            .cloned()
            .ok_or(ServiceError::NotFound)?;
        match self.stamped(actor, &letter, &attachment).await? {
            None => Err(ServiceError::Unsupported(
                "ไฟล์นี้ไม่มีฉบับประทับตรารับ (ประทับเฉพาะไฟล์ PDF และภาพสแกนของหนังสือรับ)".into(),
            )),
            Some((Err(why), _)) => Err(ServiceError::Unsupported(why)),
            Some((Ok((sha256, _)), _)) => Ok(StampedCopy {
                data: self.files.get(&sha256).await?,
                attachment,
            }),
        }
    }

    /// Makes (once) and finds the stamped copy of one file: `None` when the file is not stamped,
    /// else the copy's sha256 and size or the reason, and whether the original is signed.
    async fn stamped(
        &self,
        actor: &Actor,
        letter: &Letter,
        attachment: &Attachment,
    ) -> Result<Option<(Result<(String, i64), String>, bool)>> {
        let Some(stamp) = stamp_for(letter, &actor.office.name, actor.office.stamp) else {
            return Ok(None);
        };
        if !stampable(attachment.kind) {
            return Ok(None);
        }
        let key = stamp.key(&attachment.sha256);
        let record = match self.store.find_stamped(&key).await? {
            Some(found) => found,
            None => {
                let source = self.files.get(&attachment.sha256).await?;
                let record = self.make_stamped(letter, attachment, source, stamp).await?;
                self.store
                    .record_stamped(&key, &attachment.sha256, &record)
                    .await?;
                record
            }
        };
        Ok(Some((
            match record.outcome {
                StampedFile::Made { sha256, size } => Ok((sha256, size)),
                StampedFile::Failed(why) => Err(why),
            },
            record.signed,
        )))
    }

    /// Draws the stamp off the async runtime (a 20 MB scan is CPU work) and stores the copy.
    async fn make_stamped(
        &self,
        letter: &Letter,
        attachment: &Attachment,
        source: Bytes,
        stamp: ReceiptStamp,
    ) -> Result<StampRecord> {
        let kind = attachment.kind;
        let (made, signed) = tokio::task::spawn_blocking(move || {
            let signed = kind == FileKind::Pdf && pdf_stamp::is_signed(&source);
            let made = match kind {
                // The file's own buffer when it is not shared, so the stamp is appended in place.
                FileKind::Pdf => pdf_stamp::stamp_pdf(Vec::from(source), &stamp),
                _ => pdf_stamp::image_to_pdf(&source, kind == FileKind::Png)
                    .and_then(|pdf| pdf_stamp::stamp_pdf(pdf, &stamp)),
            };
            (made, signed)
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let outcome = match made {
            Ok(bytes) => {
                let size = bytes.len() as i64;
                let sha256 = self.files.put(Bytes::from(bytes)).await?;
                StampedFile::Made { sha256, size }
            }
            Err(why) => {
                tracing::warn!(
                    letter = letter.id,
                    file = attachment.position,
                    "not stamped: {why}"
                );
                StampedFile::Failed(why.to_string())
            }
        };
        Ok(StampRecord { outcome, signed })
    }
}
