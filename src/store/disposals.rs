//! Destruction lists in the store: the list, its committee and items, the survey's candidates,
//! and, at destruction, which files belong to the destroyed letters only.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, StoreError, Tx, coded, date_from_db, time_from_db, time_to_db};
use crate::domain::disposal::{Decision, DisposalState};
use crate::domain::retention::{Counting, Retention, RetentionClass};

#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub is_chair: bool,
    pub confirmed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub item_no: i64,
    pub letter_id: i64,
    pub decision: Decision,
    pub keep_until_be: Option<i32>,
    pub archives_keep: bool,
    pub number: i64,
    pub letter_year_be: i32,
    pub doc_no: String,
    pub doc_date: NaiveDate,
    pub subject: String,
    pub file_code: Option<String>,
    pub destroyed_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Disposal {
    pub id: i64,
    pub office_id: String,
    pub year_be: i32,
    /// `survey` (ข้อ 66) or `over_ten_years` (the head's order, ภาคผนวก 6).
    pub basis: String,
    pub state: DisposalState,
    pub created_at: DateTime<Utc>,
    pub approved_by_name: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub sent_on: Option<NaiveDate>,
    pub answered_on: Option<NaiveDate>,
    pub destroyed_at: Option<DateTime<Utc>>,
    pub files_removed: i64,
    pub bytes_freed: i64,
    /// How many letters are on the list (also when `items` is not loaded).
    pub item_count: i64,
    pub members: Vec<Member>,
    pub items: Vec<Item>,
}

/// A letter the survey weighs: its retention and when it was registered, and nothing else (a
/// survey reads every letter of the office's past years).
pub struct SurveyRow {
    pub letter_id: i64,
    pub year_be: i32,
    pub retention: Retention,
    pub registered_at: DateTime<Utc>,
    pub held: bool,
    /// On a list not yet destroyed.
    pub listed: bool,
}

/// The office's letters registered up to `year_be` that could have ended their keeping: not
/// permanent or secret, not destroyed.
pub async fn survey_rows(
    tx: &mut Tx,
    office_id: &str,
    year_be: i32,
) -> Result<(Counting, Vec<SurveyRow>)> {
    let counting: String = sqlx::query("SELECT retention_counting FROM offices WHERE id = $1")
        .bind(office_id.to_string())
        .fetch_one(&mut **tx)
        .await?
        .try_get("retention_counting")?;
    let counting = Counting::from_code(&counting)
        .ok_or_else(|| StoreError::Corrupt(format!("retention counting {counting}")))?;
    // Held and listed letters are few: read once as sets, not asked per letter.
    let held: std::collections::HashSet<i64> = sqlx::query(
        "SELECT h.letter_id FROM legal_holds h JOIN letters l ON l.id = h.letter_id
         WHERE l.office_id = $1 AND h.lifted_at IS NULL",
    )
    .bind(office_id.to_string())
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>("letter_id"))
    .collect::<std::result::Result<_, _>>()?;
    let listed: std::collections::HashSet<i64> = sqlx::query(
        "SELECT i.letter_id FROM disposal_items i JOIN disposals d ON d.id = i.disposal_id
         WHERE d.office_id = $1 AND d.state <> 'destroyed'",
    )
    .bind(office_id.to_string())
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get::<i64, _>("letter_id"))
    .collect::<std::result::Result<_, _>>()?;
    let rows = sqlx::query(
        "SELECT l.id, l.year_be, l.retention_class, l.retention_years, l.registered_at
         FROM letters l
         WHERE l.office_id = $1 AND l.year_be < $2 AND l.destroyed_at IS NULL
           AND l.handed_over_on IS NULL
           AND l.retention_class NOT IN ('permanent', 'secret')
         ORDER BY l.registered_at, l.id",
    )
    .bind(office_id.to_string())
    .bind(i64::from(year_be))
    .fetch_all(&mut **tx)
    .await?;
    let rows = rows
        .iter()
        .map(|r| {
            let registered: String = r.try_get("registered_at")?;
            let id: i64 = r.try_get("id")?;
            Ok(SurveyRow {
                letter_id: id,
                year_be: r.try_get::<i64, _>("year_be")? as i32,
                retention: Retention {
                    class: coded::<RetentionClass>(r, "retention_class")?,
                    years: r
                        .try_get::<Option<i64>, _>("retention_years")?
                        .map(|y| y as i32),
                },
                registered_at: time_from_db(&registered)?,
                held: held.contains(&id),
                listed: listed.contains(&id),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((counting, rows))
}

pub async fn insert_disposal(
    kind: super::DbKind,
    tx: &mut Tx,
    office_id: &str,
    (year_be, basis): (i32, &str),
    by: i64,
    at: DateTime<Utc>,
    letter_ids: &[i64],
) -> Result<i64> {
    let id: i64 = sqlx::query(
        "INSERT INTO disposals (office_id, year_be, state, created_by, created_at, basis)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(office_id.to_string())
    .bind(i64::from(year_be))
    .bind(DisposalState::Draft.code())
    .bind(by)
    .bind(time_to_db(at))
    .bind(basis.to_string())
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;
    let items: Vec<(i64, i64)> = letter_ids
        .iter()
        .enumerate()
        .map(|(n, l)| (n as i64 + 1, *l))
        .collect();
    super::insert_rows(
        kind,
        tx,
        &items,
        300,
        3,
        |values| {
            format!("INSERT INTO disposal_items (disposal_id, item_no, letter_id) VALUES {values}")
        },
        |q, (n, letter_id)| q.bind(id).bind(*n).bind(*letter_id),
    )
    .await?;
    Ok(id)
}

pub async fn set_state(tx: &mut Tx, id: i64, state: DisposalState) -> Result<()> {
    sqlx::query("UPDATE disposals SET state = $1 WHERE id = $2")
        .bind(state.code())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appoints the committee (replacing an earlier one).
pub async fn set_committee(
    tx: &mut Tx,
    id: i64,
    chair: i64,
    members: &[i64],
    by: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM disposal_members WHERE disposal_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    for (user, chair_flag) in std::iter::once((chair, 1)).chain(members.iter().map(|m| (*m, 0))) {
        sqlx::query(
            "INSERT INTO disposal_members (disposal_id, user_id, is_chair) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(user)
        .bind(chair_flag as i64)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE disposals SET appointed_by = $1 WHERE id = $2")
        .bind(by)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records one item's decision; `false` when the letter is not on the list.
pub async fn set_decision(
    tx: &mut Tx,
    id: i64,
    letter_id: i64,
    decision: Decision,
    keep_until_be: Option<i32>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE disposal_items SET decision = $1, keep_until_be = $2
         WHERE disposal_id = $3 AND letter_id = $4",
    )
    .bind(decision.code())
    .bind(keep_until_be.map(i64::from))
    .bind(id)
    .bind(letter_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A changed review asks every member to confirm again.
pub async fn clear_confirmations(tx: &mut Tx, id: i64) -> Result<()> {
    sqlx::query("UPDATE disposal_members SET confirmed_at = NULL WHERE disposal_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn confirm(tx: &mut Tx, id: i64, user: i64, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE disposal_members SET confirmed_at = $1 WHERE disposal_id = $2 AND user_id = $3",
    )
    .bind(time_to_db(at))
    .bind(id)
    .bind(user)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A dated fact of the list: which column, and who did it where the list keeps that.
#[derive(Debug, Clone, Copy)]
pub enum Fact {
    Submitted,
    Approved(i64),
    Sent,
    Answered,
    Destroyed(i64),
}

/// Writes a dated fact of the list (`value`: a time for submitted/approved/destroyed, a date
/// for sent/answered).
pub async fn mark(tx: &mut Tx, id: i64, fact: Fact, value: String) -> Result<()> {
    let (sql, by) = match fact {
        Fact::Submitted => ("UPDATE disposals SET submitted_at = $1 WHERE id = $2", None),
        Fact::Sent => ("UPDATE disposals SET sent_on = $1 WHERE id = $2", None),
        Fact::Answered => ("UPDATE disposals SET answered_on = $1 WHERE id = $2", None),
        Fact::Approved(by) => (
            "UPDATE disposals SET approved_at = $1, approved_by = $3 WHERE id = $2",
            Some(by),
        ),
        Fact::Destroyed(by) => (
            "UPDATE disposals SET destroyed_at = $1, destroyed_by = $3 WHERE id = $2",
            Some(by),
        ),
    };
    let mut q = sqlx::query(sql).bind(value).bind(id);
    if let Some(by) = by {
        q = q.bind(by);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

pub async fn archives_keep(tx: &mut Tx, id: i64, letter_id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE disposal_items SET archives_keep = 1 WHERE disposal_id = $1 AND letter_id = $2",
    )
    .bind(id)
    .bind(letter_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_freed(tx: &mut Tx, id: i64, files: u64, bytes: u64) -> Result<()> {
    sqlx::query("UPDATE disposals SET files_removed = $1, bytes_freed = $2 WHERE id = $3")
        .bind(files as i64)
        .bind(bytes as i64)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn mark_destroyed(
    tx: &mut Tx,
    letter_id: i64,
    note: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE letters SET destroyed_at = $1, destroyed_note = $2 WHERE id = $3")
        .bind(time_to_db(at))
        .bind(note.to_string())
        .bind(letter_id)
        .execute(&mut **tx)
        .await?;
    // The e-mail the letter came in is destroyed with it: its raw message is a file of the
    // letter, and its body's words go too (the entry keeps what the register keeps).
    sqlx::query("UPDATE inbox_entries SET body_text = '' WHERE letter_id = $1")
        .bind(letter_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether a hold is in force on the letter now.
pub async fn is_held(tx: &mut Tx, letter_id: i64) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 AS one FROM legal_holds WHERE letter_id = $1 AND lifted_at IS NULL")
            .bind(letter_id)
            .fetch_optional(&mut **tx)
            .await?
            .is_some(),
    )
}

/// Every file that belongs to these letters: their attachments (also removed or replaced ones),
/// the stamped copies made of them, the raw e-mail and files of the inbox entries they came from,
/// and the e-mails built to send them.
pub async fn files_of(tx: &mut Tx, letter_ids: &[i64]) -> Result<BTreeSet<String>> {
    let mut shas = BTreeSet::new();
    for chunk in letter_ids.chunks(500) {
        let ids = super::inline_ids(chunk);
        let sql = format!(
            "SELECT sha256 AS s FROM attachments WHERE letter_id IN ({ids})
             UNION SELECT f.sha256 AS s FROM stamped_files f
                 WHERE f.sha256 IS NOT NULL AND f.source_sha256 IN
                     (SELECT sha256 FROM attachments WHERE letter_id IN ({ids}))
             UNION SELECT raw_sha256 AS s FROM inbox_entries WHERE raw_sha256 IS NOT NULL AND letter_id IN ({ids})
             UNION SELECT a.sha256 AS s FROM inbox_attachments a JOIN inbox_entries e ON e.id = a.entry_id
                 WHERE e.letter_id IN ({ids})
             UNION SELECT raw_sha256 AS s FROM deliveries WHERE raw_sha256 IS NOT NULL AND letter_id IN ({ids})"
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut **tx)
            .await?
        {
            shas.insert(r.try_get::<String, _>("s")?);
        }
    }
    Ok(shas)
}

/// Of `shas`, those something other than these letters still names (a kept letter with the same
/// file, another inbox entry, a closed register's PDF, …): they stay.
pub async fn still_named(
    tx: &mut Tx,
    shas: &BTreeSet<String>,
    letter_ids: &[i64],
) -> Result<BTreeSet<String>> {
    // The letters being destroyed, and every letter destroyed before.
    let gone = format!(
        "SELECT id FROM letters WHERE destroyed_at IS NOT NULL{}",
        if letter_ids.is_empty() {
            String::new()
        } else {
            format!(" OR id IN ({})", super::inline_ids(letter_ids))
        }
    );
    let mut kept = BTreeSet::new();
    let list: Vec<&String> = shas.iter().collect();
    for chunk in list.chunks(200) {
        let marks = super::numbered_list(chunk.len());
        let sql = format!(
            "SELECT sha256 AS s FROM attachments WHERE sha256 IN ({marks}) AND letter_id NOT IN ({gone})
             UNION SELECT f.sha256 AS s FROM stamped_files f WHERE f.sha256 IN ({marks})
                 AND f.source_sha256 IN (SELECT sha256 FROM attachments WHERE letter_id NOT IN ({gone}))
             UNION SELECT raw_sha256 AS s FROM inbox_entries WHERE raw_sha256 IN ({marks})
                 AND (letter_id IS NULL OR letter_id NOT IN ({gone}))
             UNION SELECT a.sha256 AS s FROM inbox_attachments a JOIN inbox_entries e ON e.id = a.entry_id
                 WHERE a.sha256 IN ({marks}) AND (e.letter_id IS NULL OR e.letter_id NOT IN ({gone}))
             UNION SELECT raw_sha256 AS s FROM deliveries WHERE raw_sha256 IN ({marks}) AND letter_id NOT IN ({gone})
             UNION SELECT raw_sha256 AS s FROM quarantine WHERE raw_sha256 IN ({marks})
             UNION SELECT sha256 AS s FROM register_closings WHERE sha256 IN ({marks})
             UNION SELECT sha256 AS s FROM held_files WHERE sha256 IN ({marks})"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for sha in chunk {
            q = q.bind((*sha).clone());
        }
        for r in q.fetch_all(&mut **tx).await? {
            kept.insert(r.try_get::<String, _>("s")?);
        }
    }
    Ok(kept)
}

/// After destruction: nothing names the removed files any more (the stamped-copy cache, the raw
/// e-mail of the entries and their receipts, the built e-mails).
pub async fn forget_files(tx: &mut Tx, removed: &BTreeSet<String>) -> Result<()> {
    let list: Vec<&String> = removed.iter().collect();
    for chunk in list.chunks(200) {
        let marks = super::numbered_list(chunk.len());
        for sql in [
            format!(
                "DELETE FROM stamped_files WHERE sha256 IN ({marks}) OR source_sha256 IN ({marks})"
            ),
            format!("UPDATE inbox_entries SET raw_sha256 = NULL WHERE raw_sha256 IN ({marks})"),
            format!("UPDATE mail_receipts SET raw_sha256 = NULL WHERE raw_sha256 IN ({marks})"),
            format!("UPDATE deliveries SET raw_sha256 = NULL WHERE raw_sha256 IN ({marks})"),
        ] {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for sha in chunk {
                q = q.bind((*sha).clone());
            }
            q.execute(&mut **tx).await?;
        }
    }
    // The destroyed files' words go with them.
    super::file_texts::forget(tx, &list).await?;
    Ok(())
}

fn disposal_from_row(r: &AnyRow) -> Result<Disposal> {
    let created: String = r.try_get("created_at")?;
    let time = |c: &str| -> Result<Option<DateTime<Utc>>> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(time_from_db)
            .transpose()
    };
    let date = |c: &str| -> Result<Option<NaiveDate>> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(date_from_db)
            .transpose()
    };
    Ok(Disposal {
        id: r.try_get("id")?,
        office_id: r.try_get("office_id")?,
        year_be: r.try_get::<i64, _>("year_be")? as i32,
        basis: r.try_get("basis")?,
        state: coded(r, "state")?,
        created_at: time_from_db(&created)?,
        approved_by_name: r.try_get("approved_by_name")?,
        approved_at: time("approved_at")?,
        sent_on: date("sent_on")?,
        answered_on: date("answered_on")?,
        destroyed_at: time("destroyed_at")?,
        files_removed: r.try_get("files_removed")?,
        bytes_freed: r.try_get("bytes_freed")?,
        item_count: r.try_get("item_count")?,
        members: Vec::new(),
        items: Vec::new(),
    })
}

const SELECT_DISPOSAL: &str =
    "SELECT d.*, COALESCE(NULLIF(u.full_name, ''), u.username) AS approved_by_name,
    (SELECT COUNT(*) FROM disposal_items i WHERE i.disposal_id = d.id) AS item_count
    FROM disposals d LEFT JOIN users u ON u.id = d.approved_by";

impl Store {
    /// Whether the office already has the survey list of `year_be`.
    pub async fn has_survey(&self, office_id: &str, year_be: i32) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM disposals WHERE office_id = $1 AND year_be = $2 AND basis = 'survey'",
        )
        .bind(office_id.to_string())
        .bind(i64::from(year_be))
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }

    pub async fn disposals(&self, office_id: &str) -> Result<Vec<Disposal>> {
        let sql = format!("{SELECT_DISPOSAL} WHERE d.office_id = $1 ORDER BY d.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(disposal_from_row).collect()
    }

    /// A list with its committee and items.
    pub async fn find_disposal(&self, office_id: &str, id: i64) -> Result<Disposal> {
        let sql = format!("{SELECT_DISPOSAL} WHERE d.id = $1 AND d.office_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut d = disposal_from_row(&row)?;
        let members = sqlx::query(
            "SELECT m.user_id, m.is_chair, m.confirmed_at,
                COALESCE(NULLIF(u.full_name, ''), u.username) AS name
             FROM disposal_members m JOIN users u ON u.id = m.user_id
             WHERE m.disposal_id = $1 ORDER BY m.is_chair DESC, m.user_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        d.members = members
            .iter()
            .map(|r| {
                Ok(Member {
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("name")?,
                    is_chair: r.try_get::<i64, _>("is_chair")? != 0,
                    confirmed_at: r
                        .try_get::<Option<String>, _>("confirmed_at")?
                        .as_deref()
                        .map(time_from_db)
                        .transpose()?,
                })
            })
            .collect::<Result<_>>()?;
        let items = sqlx::query(
            "SELECT i.item_no, i.letter_id, i.decision, i.keep_until_be, i.archives_keep,
                l.number, l.year_be, l.doc_no, l.doc_date, l.subject, l.destroyed_note, f.file_code
             FROM disposal_items i JOIN letters l ON l.id = i.letter_id
             LEFT JOIN filings f ON f.letter_id = i.letter_id
             WHERE i.disposal_id = $1 ORDER BY i.item_no",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        d.items = items
            .iter()
            .map(|r| {
                Ok(Item {
                    item_no: r.try_get("item_no")?,
                    letter_id: r.try_get("letter_id")?,
                    decision: coded(r, "decision")?,
                    keep_until_be: r
                        .try_get::<Option<i64>, _>("keep_until_be")?
                        .map(|y| y as i32),
                    archives_keep: r.try_get::<i64, _>("archives_keep")? != 0,
                    number: r.try_get("number")?,
                    letter_year_be: r.try_get::<i64, _>("year_be")? as i32,
                    doc_no: r.try_get("doc_no")?,
                    doc_date: date_from_db(&r.try_get::<String, _>("doc_date")?)?,
                    subject: r.try_get("subject")?,
                    file_code: r.try_get("file_code")?,
                    destroyed_note: r.try_get("destroyed_note")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(d)
    }
}
