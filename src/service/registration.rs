//! Registering a letter (ลงทะเบียน) as one unit of work: the number, the letter and its files, the
//! inbox entry it comes from, the sender's in-system delivery, the acceptance notice to a saraban
//! that e-mailed it, and the first line of its history. Either all of it is written or none, so a
//! number is never skipped and never given twice.

use super::{Result, ServiceError, Services};
use crate::domain::doc_no::DocNo;
use crate::domain::duplicate::LetterKey;
use crate::domain::history::{self, LetterHistory};
use crate::domain::register::Register;
use crate::domain::retention;
use crate::domain::thai_date;
use crate::store::letters::{Letter, NewLetter};
use crate::store::registration::{self, Placed};
use crate::store::{audit, deliveries, inbox};

impl Services {
    /// Writes a registration the use cases have validated (the new-letter form, the inbox, the
    /// API). `new.registered_at` decides the Buddhist-era year (Bangkok time) whose series gives the
    /// number. An inbound letter already in the registers (same `ที่`, date and sender, or the same
    /// file) is refused with [`ServiceError::PossibleDuplicate`] unless `new.allow_duplicate`.
    pub async fn record_registration(&self, new: &NewLetter<'_>) -> Result<Letter> {
        let office = new.office;
        let at = new.registered_at;
        let year_be = thai_date::be_year_of(at);
        let series = new.register.series(office.circular_numbering);
        let mut tx = self.store.begin_write().await?;
        if new.register == Register::Inbound && !new.allow_duplicate {
            let key = LetterKey {
                doc_no: new.fields.doc_no.as_deref().unwrap_or(""),
                doc_date: new.fields.doc_date,
                sender: &new.fields.from,
            };
            let files: Vec<String> = new.attachments.iter().map(|a| a.sha256.clone()).collect();
            let found = registration::possible_duplicates(&mut tx, &office.id, key, &files).await?;
            if !found.is_empty() {
                // Nothing is written yet: the refusal costs no number.
                return Err(ServiceError::PossibleDuplicate(found));
            }
        }
        if crate::store::closings::is_closed(&mut tx, &office.id, new.register, year_be).await? {
            return Err(ServiceError::Conflict(format!(
                "{} ปี พ.ศ. {year_be} ปิดทะเบียนประจำปีแล้ว ออกเลขใหม่ในปีนั้นไม่ได้",
                new.register.label()
            )));
        }
        let number = registration::issue_number(&mut tx, &office.id, series, year_be).await?;
        let doc_no = match &new.fields.doc_no {
            Some(given) => given.clone(),
            None => DocNo::generate(new.register, &office.prefix, number, year_be).to_string(),
        };
        let rules = crate::store::records::retention_rules(&mut tx, &office.id).await?;
        let placed = Placed {
            series,
            year_be,
            number,
            doc_no: &doc_no,
            retention: retention::default_for(&rules, new.register, new.fields.letter_type.code()),
        };
        let id = registration::insert_letter(&mut tx, new, &placed).await?;
        if let Some(entry) = new.inbox_entry_id {
            if !inbox::link_to_letter(&mut tx, entry, &office.id, id, at).await? {
                // Dropping the transaction rolls it back, and the number with it.
                return Err(ServiceError::Conflict("หนังสือฉบับนี้ลงทะเบียนรับไปแล้ว".into()));
            }
            deliveries::mark_registered(&mut tx, entry, number, year_be, at).await?;
            if let Some((to, answers)) = inbox::acceptance_address(&mut tx, entry).await? {
                deliveries::queue_acceptance_notice(&mut tx, id, &office.id, &to, &answers, at)
                    .await?;
            }
        }
        registration::insert_attachments(&mut tx, id, &new.attachments, at).await?;
        let registered = LetterHistory::Registered(history::Registered {
            number,
            year_be,
            doc_no: doc_no.clone(),
            attachments: new
                .attachments
                .iter()
                .map(|a| history::FileRef {
                    name: a.name.clone(),
                    sha256: a.sha256.clone(),
                })
                .collect(),
        });
        audit::insert_event(&mut tx, id, &registered, Some(new.registered_by), at).await?;
        crate::store::commit(tx).await?;
        if !new.attachments.is_empty() {
            self.text_wake.notify_one();
        }
        Ok(self.store.find_letter(&office.id, id).await?)
    }
}
