//! Filing and lending in the store: the filing plan's codes, filed letters, loans.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, StoreError, Tx, date_from_db, date_to_db, time_to_db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCode {
    pub code: String,
    pub name: String,
    /// Letters filed under it.
    pub filed: i64,
}

/// A filed letter, with what the filing forms need of it.
#[derive(Debug, Clone)]
pub struct Filed {
    pub letter_id: i64,
    pub file_code: String,
    pub file_name: String,
    pub filed_on: NaiveDate,
    pub filed_by_name: String,
    pub note: String,
}

/// A loan, with the names the card prints.
#[derive(Debug, Clone)]
pub struct Loan {
    pub id: i64,
    pub letter_id: i64,
    pub item: String,
    pub borrower_user_id: Option<i64>,
    pub borrower_name: String,
    pub borrower_position: String,
    pub borrower_unit: String,
    pub borrower_email: String,
    pub purpose: String,
    pub handed_by: i64,
    pub handed_by_name: String,
    pub approved_by_name: Option<String>,
    pub borrowed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub returned_on: Option<NaiveDate>,
    pub returned_by: Option<String>,
    pub received_by_name: Option<String>,
    pub reminded_on: Option<NaiveDate>,
    /// The letter's register number and year (`12/2569`), ที่ and subject.
    pub letter_number: String,
    pub letter_doc_no: String,
    pub letter_subject: String,
    pub file_code: Option<String>,
}

/// What a new loan writes.
pub struct NewLoan<'a> {
    pub office_id: &'a str,
    pub letter_id: i64,
    pub item: &'a str,
    pub borrower_user_id: Option<i64>,
    pub borrower_name: &'a str,
    pub borrower_position: &'a str,
    pub borrower_unit: &'a str,
    pub borrower_email: &'a str,
    pub purpose: &'a str,
    pub handed_by: i64,
    pub approved_by: Option<i64>,
    pub borrowed_on: NaiveDate,
    pub due_on: NaiveDate,
    pub at: DateTime<Utc>,
}

/// What filing a letter writes.
pub struct NewFiling<'a> {
    pub office_id: &'a str,
    pub letter_id: i64,
    pub file_code: &'a str,
    pub filed_on: NaiveDate,
    pub by: i64,
    pub note: &'a str,
    pub at: DateTime<Utc>,
}

pub async fn insert_filing(tx: &mut Tx, f: &NewFiling<'_>) -> Result<()> {
    let NewFiling {
        office_id,
        letter_id,
        file_code,
        filed_on,
        by,
        note,
        at,
    } = *f;
    sqlx::query(
        "INSERT INTO filings (letter_id, office_id, file_code, filed_on, filed_by, filed_at, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(letter_id)
    .bind(office_id.to_string())
    .bind(file_code.to_string())
    .bind(date_to_db(filed_on))
    .bind(by)
    .bind(time_to_db(at))
    .bind(note.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_loan(tx: &mut Tx, loan: &NewLoan<'_>) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO loans (office_id, letter_id, item, borrower_user_id, borrower_name,
            borrower_position, borrower_unit, borrower_email, purpose, handed_by, approved_by,
            borrowed_on, due_on, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(loan.office_id.to_string())
    .bind(loan.letter_id)
    .bind(loan.item.to_string())
    .bind(loan.borrower_user_id)
    .bind(loan.borrower_name.to_string())
    .bind(loan.borrower_position.to_string())
    .bind(loan.borrower_unit.to_string())
    .bind(loan.borrower_email.to_string())
    .bind(loan.purpose.to_string())
    .bind(loan.handed_by)
    .bind(loan.approved_by)
    .bind(date_to_db(loan.borrowed_on))
    .bind(date_to_db(loan.due_on))
    .bind(time_to_db(loan.at))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// Marks a loan of the office returned; the letter's id, or `None` when there is no such loan
/// still out.
pub async fn return_loan(
    tx: &mut Tx,
    office_id: &str,
    loan_id: i64,
    returned_by: &str,
    returned_on: NaiveDate,
    received_by: i64,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "UPDATE loans SET returned_on = $1, returned_by = $2, received_by = $3
         WHERE id = $4 AND office_id = $5 AND returned_on IS NULL RETURNING letter_id",
    )
    .bind(date_to_db(returned_on))
    .bind(returned_by.to_string())
    .bind(received_by)
    .bind(loan_id)
    .bind(office_id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get("letter_id")?),
        None => None,
    })
}

const SELECT_LOAN: &str = "SELECT n.id, n.letter_id, n.item, n.borrower_user_id, n.borrower_name,
    n.borrower_position, n.borrower_unit, n.borrower_email, n.purpose, n.borrowed_on, n.due_on,
    n.returned_on, n.returned_by, n.reminded_on, n.handed_by,
    COALESCE(NULLIF(h.full_name, ''), h.username) AS handed_by_name,
    COALESCE(NULLIF(a.full_name, ''), a.username) AS approved_by_name,
    COALESCE(NULLIF(r.full_name, ''), r.username) AS received_by_name,
    l.number, l.year_be, l.doc_no, l.subject, f.file_code
  FROM loans n
  JOIN letters l ON l.id = n.letter_id
  JOIN users h ON h.id = n.handed_by
  LEFT JOIN users a ON a.id = n.approved_by
  LEFT JOIN users r ON r.id = n.received_by
  LEFT JOIN filings f ON f.letter_id = n.letter_id";

fn loan_from_row(r: &AnyRow) -> Result<Loan> {
    let date = |col: &str| -> Result<NaiveDate> { date_from_db(&r.try_get::<String, _>(col)?) };
    let maybe_date = |col: &str| -> Result<Option<NaiveDate>> {
        r.try_get::<Option<String>, _>(col)?
            .as_deref()
            .map(date_from_db)
            .transpose()
    };
    Ok(Loan {
        id: r.try_get("id")?,
        letter_id: r.try_get("letter_id")?,
        item: r.try_get("item")?,
        borrower_user_id: r.try_get("borrower_user_id")?,
        borrower_name: r.try_get("borrower_name")?,
        borrower_position: r.try_get("borrower_position")?,
        borrower_unit: r.try_get("borrower_unit")?,
        borrower_email: r.try_get("borrower_email")?,
        purpose: r.try_get("purpose")?,
        handed_by: r.try_get("handed_by")?,
        handed_by_name: r.try_get("handed_by_name")?,
        approved_by_name: r.try_get("approved_by_name")?,
        borrowed_on: date("borrowed_on")?,
        due_on: date("due_on")?,
        returned_on: maybe_date("returned_on")?,
        returned_by: r.try_get("returned_by")?,
        received_by_name: r.try_get("received_by_name")?,
        reminded_on: maybe_date("reminded_on")?,
        letter_number: format!(
            "{}/{}",
            r.try_get::<i64, _>("number")?,
            r.try_get::<i64, _>("year_be")?
        ),
        letter_doc_no: r.try_get("doc_no")?,
        letter_subject: r.try_get("subject")?,
        file_code: r.try_get("file_code")?,
    })
}

fn filed_from_row(r: &AnyRow) -> Result<Filed> {
    Ok(Filed {
        letter_id: r.try_get("letter_id")?,
        file_code: r.try_get("file_code")?,
        file_name: r
            .try_get::<Option<String>, _>("file_name")?
            .unwrap_or_default(),
        filed_on: date_from_db(&r.try_get::<String, _>("filed_on")?)?,
        filed_by_name: r.try_get("filed_by_name")?,
        note: r.try_get("note")?,
    })
}

const SELECT_FILED: &str =
    "SELECT f.letter_id, f.file_code, c.name AS file_name, f.filed_on, f.note,
    COALESCE(NULLIF(u.full_name, ''), u.username) AS filed_by_name
  FROM filings f
  JOIN users u ON u.id = f.filed_by
  LEFT JOIN file_codes c ON c.office_id = f.office_id AND c.code = f.file_code";

impl Store {
    pub async fn file_codes(&self, office_id: &str) -> Result<Vec<FileCode>> {
        let rows = sqlx::query(
            "SELECT c.code, c.name,
                (SELECT COUNT(*) FROM filings f WHERE f.office_id = c.office_id AND f.file_code = c.code) AS filed
             FROM file_codes c WHERE c.office_id = $1 ORDER BY c.code",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FileCode {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                    filed: r.try_get("filed")?,
                })
            })
            .collect()
    }

    /// Adds a code, or renames it when it exists.
    pub async fn put_file_code(&self, office_id: &str, code: &str, name: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO file_codes (office_id, code, name, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (office_id, code) DO UPDATE SET name = excluded.name",
        )
        .bind(office_id.to_string())
        .bind(code.to_string())
        .bind(name.to_string())
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn filing_of(&self, letter_id: i64) -> Result<Option<Filed>> {
        let sql = format!("{SELECT_FILED} WHERE f.letter_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(filed_from_row).transpose()
    }

    /// The letters filed from `from` to `to` (Bangkok dates), in the order filed.
    /// The letters filed between two dates, in filing order; with `words`, only the letters
    /// that hold every word (as a register search in all fields).
    pub async fn filed_between(
        &self,
        office_id: &str,
        from: NaiveDate,
        to: NaiveDate,
        words: &str,
    ) -> Result<Vec<Filed>> {
        let (join, filter, values) =
            match super::search_sql::letters_with_words(self.kind(), words, 4) {
                Some((cond, values)) => (
                    " JOIN letters l ON l.id = f.letter_id",
                    format!(" AND {cond}"),
                    values,
                ),
                None => ("", String::new(), Vec::new()),
            };
        let sql = format!(
            "{SELECT_FILED}{join} WHERE f.office_id = $1 AND f.filed_on >= $2 AND f.filed_on <= $3{filter}
             ORDER BY f.filed_on, f.filed_at, f.letter_id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .bind(date_to_db(from))
            .bind(date_to_db(to));
        for v in values {
            query = query.bind(v);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(filed_from_row).collect()
    }

    pub async fn find_loan(&self, office_id: &str, id: i64) -> Result<Loan> {
        let sql = format!("{SELECT_LOAN} WHERE n.id = $1 AND n.office_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(office_id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        loan_from_row(&row)
    }

    /// The office's loans, newest first: all, or only those still out, or returned.
    /// With `words`, only the loans of letters that hold every word.
    pub async fn loans(
        &self,
        office_id: &str,
        returned: Option<bool>,
        words: &str,
    ) -> Result<Vec<Loan>> {
        let mut filter = match returned {
            None => "",
            Some(true) => " AND n.returned_on IS NOT NULL",
            Some(false) => " AND n.returned_on IS NULL",
        }
        .to_string();
        let values = match super::search_sql::letters_with_words(self.kind(), words, 2) {
            Some((cond, values)) => {
                filter.push_str(&format!(" AND {cond}"));
                values
            }
            None => Vec::new(),
        };
        let sql = format!(
            "{SELECT_LOAN} WHERE n.office_id = $1{filter} ORDER BY n.borrowed_on DESC, n.id DESC"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(office_id.to_string());
        for v in values {
            query = query.bind(v);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(loan_from_row).collect()
    }

    pub async fn letter_loans(&self, letter_id: i64) -> Result<Vec<Loan>> {
        let sql = format!("{SELECT_LOAN} WHERE n.letter_id = $1 ORDER BY n.id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(loan_from_row).collect()
    }

    /// Loans of every office past due on `today`, not returned and not yet reminded today.
    pub async fn loans_to_remind(&self, today: NaiveDate) -> Result<Vec<(String, Loan)>> {
        let sql = format!(
            "{SELECT_LOAN} WHERE n.returned_on IS NULL AND n.due_on < $1
               AND (n.reminded_on IS NULL OR n.reminded_on < $1) ORDER BY n.id"
        );
        let sql = sql.replacen("SELECT n.id,", "SELECT n.office_id, n.id,", 1);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(date_to_db(today))
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>("office_id")?, loan_from_row(r)?)))
            .collect()
    }

    /// A user's e-mail address for notifications, when they gave one.
    async fn contact_email(&self, user_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query("SELECT email FROM user_contacts WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get::<String, _>("email"))
                .transpose()?,
        )
    }

    /// Queues a reminder for each loan past due on `today` and not reminded today: to the
    /// borrower (an outsider's address, or the officer's own) and to the officer who lent it,
    /// where an address is known. Each loan is reminded once a day; how many were queued.
    pub async fn queue_loan_reminders(&self, today: NaiveDate) -> Result<usize> {
        use crate::domain::exchange::{DeliveryChannel, DeliveryKind, DeliveryStatus};
        let mut queued = 0;
        for (office_id, loan) in self.loans_to_remind(today).await? {
            let borrower = match loan.borrower_user_id {
                Some(id) => self.contact_email(id).await?,
                None => Some(loan.borrower_email.clone()).filter(|e| !e.is_empty()),
            };
            let clerk = self.contact_email(loan.handed_by).await?;
            let mut tx = self.begin_write().await?;
            let claimed = sqlx::query(
                "UPDATE loans SET reminded_on = $1 WHERE id = $2
                   AND (reminded_on IS NULL OR reminded_on < $1)",
            )
            .bind(date_to_db(today))
            .bind(loan.id)
            .execute(&mut *tx)
            .await?;
            if claimed.rows_affected() != 1 {
                // Another process reminded it first.
                continue;
            }
            let now = time_to_db(Utc::now());
            for (who, email) in [("borrower", borrower), ("clerk", clerk)] {
                let Some(email) = email else { continue };
                sqlx::query(
                    "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_email,
                        status, attempts, created_at, updated_at, kind, queued_at, next_attempt_at, loan_id)
                     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, $8, $7, $7, $9)",
                )
                .bind(loan.letter_id)
                .bind(office_id.clone())
                .bind(format!("loan:{}:{}:{who}", loan.id, date_to_db(today)))
                .bind(DeliveryChannel::Email.code())
                .bind(email)
                .bind(DeliveryStatus::Queued.code())
                .bind(now.clone())
                .bind(DeliveryKind::LoanReminder.code())
                .bind(loan.id)
                .execute(&mut *tx)
                .await?;
                queued += 1;
            }
            super::commit(tx).await?;
        }
        Ok(queued)
    }
}
