//! A fast way in for many letters at once, through the real schema, its search columns and its
//! text index: `saraban bench search` fills a register of a million letters with it.

use chrono::{DateTime, NaiveDate, Utc};

use super::letters::SearchText;
use super::{Result, Store, date_to_db, time_to_db};
use crate::domain::letter::{LetterType, Secrecy, Speed};
use crate::domain::register::{CircularNumbering, Register};

/// One register entry as the bulk path writes it (plain, unsecret, external, no files).
pub struct BulkLetter {
    pub register: Register,
    pub year_be: i32,
    pub number: i64,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub registered_at: DateTime<Utc>,
}

impl Store {
    /// Writes `letters` of `office_id`, registered by `by`, in one transaction; each year's
    /// counter moves past the highest number written, so registrations go on after them.
    pub async fn bulk_insert_letters(
        &self,
        office_id: &str,
        by: i64,
        letters: &[BulkLetter],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        super::insert_rows(
            self.kind(),
            &mut tx,
            letters,
            // 21 values a row: under every database's bound on parameters.
            500,
            21,
            |values| {
                format!(
                    "INSERT INTO letters (office_id, register, series, year_be, number, doc_no,
                        doc_date, sender, recipient, subject, speed, secrecy, letter_type,
                        registered_at, registered_by, updated_at, search_all, search_subject,
                        search_doc_no, search_sender, search_recipient) VALUES {values}"
                )
            },
            |q, l| {
                let search = SearchText {
                    number: l.number,
                    doc_no: &l.doc_no,
                    doc_date: l.doc_date,
                    from: &l.sender,
                    to: &l.recipient,
                    subject: &l.subject,
                    action: "",
                    remark: "",
                    files: &[],
                }
                .columns();
                let at = time_to_db(l.registered_at);
                q.bind(office_id.to_string())
                    .bind(l.register.code())
                    .bind(l.register.series(CircularNumbering::default()).code())
                    .bind(i64::from(l.year_be))
                    .bind(l.number)
                    .bind(l.doc_no.clone())
                    .bind(date_to_db(l.doc_date))
                    .bind(l.sender.clone())
                    .bind(l.recipient.clone())
                    .bind(l.subject.clone())
                    .bind(Speed::Normal.code())
                    .bind(Secrecy::Normal.code())
                    .bind(LetterType::default_for(l.register).code())
                    .bind(at.clone())
                    .bind(by)
                    .bind(at)
                    .bind(search.all)
                    .bind(search.subject)
                    .bind(search.doc_no)
                    .bind(search.sender)
                    .bind(search.recipient)
            },
        )
        .await?;
        let mut highest = std::collections::HashMap::new();
        for l in letters {
            let key = (l.register.series(CircularNumbering::default()), l.year_be);
            let top = highest.entry(key).or_insert(0);
            *top = l.number.max(*top);
        }
        for ((series, year_be), top) in highest {
            super::records::advance_counter(&mut tx, office_id, series, year_be, top).await?;
        }
        super::commit(tx).await?;
        Ok(())
    }
}
