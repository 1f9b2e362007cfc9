//! Who sent each mail: the verdict and the checks behind it (one row per inbox entry), the
//! entries still to check, and the directory of known senders an office judges claims against.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, time_from_db, time_to_db};
use crate::domain::sender_auth::{Judgement, KnownSender, Verdict, domain_of};

/// A stored check, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderCheck {
    pub entry_id: i64,
    pub judgement: Judgement,
    /// The checks as JSON (`domain::sender_auth::Checks`).
    pub checks: String,
    pub checked_at: DateTime<Utc>,
    pub attempts: i64,
}

/// An entry that came by e-mail and waits for its (first or next) check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToCheck {
    pub entry_id: i64,
    pub office_id: String,
    pub raw_sha256: String,
    pub sender: String,
}

const SELECT_CHECK: &str = "SELECT entry_id, verdict, domain, method, claimed, hold, checks,
    checked_at, attempts FROM sender_checks";

fn check_from_row(r: &sqlx::any::AnyRow) -> Result<SenderCheck> {
    let claimed: String = r.try_get("claimed")?;
    Ok(SenderCheck {
        entry_id: r.try_get("entry_id")?,
        judgement: Judgement {
            verdict: Verdict::from_code(&r.try_get::<String, _>("verdict")?),
            domain: r.try_get("domain")?,
            method: r.try_get("method")?,
            claimed: Some(claimed).filter(|c| !c.is_empty()),
            hold: r.try_get::<i64, _>("hold")? == 1,
        },
        checks: r.try_get("checks")?,
        checked_at: time_from_db(&r.try_get::<String, _>("checked_at")?)?,
        attempts: r.try_get("attempts")?,
    })
}

/// The inbox entries (as `e`) whose sender is checked: those that came by e-mail with their raw
/// message kept. The checks' queue and the `/metrics` count of mail waiting for them.
pub(super) const MAIL_TO_CHECK: &str = "e.raw_sha256 IS NOT NULL AND e.source = 'email'";

impl Store {
    /// Records (or replaces) the checks of a batch of entries in one transaction: (entry, its
    /// judgement, the checks as JSON, when to check again).
    pub async fn save_sender_checks(
        &self,
        checked: &[(ToCheck, Judgement, String, Option<DateTime<Utc>>)],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (entry, judgement, json, next) in checked {
            save_check(&mut tx, entry, judgement, json, *next).await?;
        }
        super::commit(tx).await
    }

    pub async fn sender_check(&self, entry_id: i64) -> Result<Option<SenderCheck>> {
        let sql = format!("{SELECT_CHECK} WHERE entry_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(entry_id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(check_from_row)
            .transpose()
    }

    /// The checks of a page of entries.
    pub async fn sender_checks_of(&self, entry_ids: &[i64]) -> Result<HashMap<i64, SenderCheck>> {
        let mut out = HashMap::new();
        for chunk in entry_ids.chunks(500) {
            let ids = super::inline_ids(chunk);
            let sql = format!("{SELECT_CHECK} WHERE entry_id IN ({ids})");
            for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?
            {
                let c = check_from_row(&r)?;
                out.insert(c.entry_id, c);
            }
        }
        Ok(out)
    }

    /// The checks of the mails letters `letter_ids` were registered from, by letter.
    pub async fn sender_checks_of_letters(
        &self,
        letter_ids: &[i64],
    ) -> Result<HashMap<i64, SenderCheck>> {
        let mut out = HashMap::new();
        for chunk in letter_ids.chunks(500) {
            let ids = super::inline_ids(chunk);
            let sql = format!(
                "SELECT e.letter_id AS letter_id, c.entry_id, c.verdict, c.domain, c.method,
                    c.claimed, c.hold, c.checks, c.checked_at, c.attempts
                 FROM sender_checks c JOIN inbox_entries e ON e.id = c.entry_id
                 WHERE e.letter_id IN ({ids})"
            );
            for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?
            {
                out.insert(r.try_get("letter_id")?, check_from_row(&r)?);
            }
        }
        Ok(out)
    }

    /// The entries among `entry_ids` that came by e-mail: their facts for the judgement.
    pub async fn entries_to_check_by_ids(&self, entry_ids: &[i64]) -> Result<Vec<ToCheck>> {
        let mut out = Vec::new();
        for chunk in entry_ids.chunks(500) {
            let ids = super::inline_ids(chunk);
            let sql = format!(
                "SELECT id, office_id, raw_sha256, sender FROM inbox_entries
                 WHERE id IN ({ids}) AND raw_sha256 IS NOT NULL ORDER BY id"
            );
            for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(self.pool())
                .await?
            {
                out.push(to_check(&r)?);
            }
        }
        Ok(out)
    }

    /// One entry to check, or `None`: its facts for the judgement.
    pub async fn entry_to_check(&self, entry_id: i64) -> Result<Option<ToCheck>> {
        let row = sqlx::query(
            "SELECT id, office_id, raw_sha256, sender FROM inbox_entries
             WHERE id = $1 AND raw_sha256 IS NOT NULL",
        )
        .bind(entry_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| to_check(&r)).transpose()
    }

    /// Entries that came by e-mail and have no check yet, or whose check DNS trouble left open
    /// and is due again; oldest first.
    pub async fn entries_to_check(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<ToCheck>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT e.id, e.office_id, e.raw_sha256, e.sender FROM inbox_entries e
             LEFT JOIN sender_checks c ON c.entry_id = e.id
             WHERE {MAIL_TO_CHECK}
               AND (c.entry_id IS NULL OR (c.next_check_at IS NOT NULL AND c.next_check_at <= $1))
             ORDER BY e.id LIMIT $2"
        )))
        .bind(time_to_db(now))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(to_check).collect()
    }

    /// The known senders office `office_id` judges claims against: every office of the
    /// deployment (its e-mail address and its SMTP From), and the senders it confirmed.
    pub async fn sender_directory(
        &self,
        office_id: &str,
        default_from: &str,
    ) -> Result<Vec<KnownSender>> {
        let mut out: Vec<KnownSender> = Vec::new();
        let rows = sqlx::query(
            "SELECT o.name, o.email, s.from_addr FROM offices o
             LEFT JOIN smtp_accounts s ON s.office_id = o.id ORDER BY o.id",
        )
        .fetch_all(self.pool())
        .await?;
        for r in rows {
            let mut domains = Vec::new();
            for col in ["email", "from_addr"] {
                if let Some(a) = r.try_get::<Option<String>, _>(col)? {
                    let d = domain_of(&a);
                    if !d.is_empty() && !domains.contains(&d) {
                        domains.push(d);
                    }
                }
            }
            // An office with neither its own address nor an account sends as the deployment.
            if domains.is_empty() && !domain_of(default_from).is_empty() {
                domains.push(domain_of(default_from));
            }
            out.push(KnownSender {
                name: r.try_get("name")?,
                domains,
                addresses: Vec::new(),
            });
        }
        let confirmed = sqlx::query(
            "SELECT name, address, domain FROM known_senders WHERE office_id = $1 ORDER BY id",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        for r in confirmed {
            let address: String = r.try_get("address")?;
            let domain: String = r.try_get("domain")?;
            out.push(KnownSender {
                name: r.try_get("name")?,
                domains: Some(domain).filter(|d| !d.is_empty()).into_iter().collect(),
                addresses: Some(address)
                    .filter(|a| !a.is_empty())
                    .into_iter()
                    .collect(),
            });
        }
        Ok(out)
    }

    /// An office confirms a sender it knows (an address, or a whole domain when `address` has
    /// no `@`).
    pub async fn add_known_sender(
        &self,
        office_id: &str,
        name: &str,
        address_or_domain: &str,
        by: i64,
    ) -> Result<()> {
        let value = address_or_domain.trim().to_ascii_lowercase();
        let (address, domain) = if value.contains('@') {
            (value, String::new())
        } else {
            (String::new(), value)
        };
        sqlx::query(
            "INSERT INTO known_senders (office_id, name, address, domain, added_by, added_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (office_id, address, domain) DO UPDATE SET name = excluded.name",
        )
        .bind(office_id.to_string())
        .bind(name.trim().to_string())
        .bind(address)
        .bind(domain)
        .bind(by)
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

fn to_check(r: &sqlx::any::AnyRow) -> Result<ToCheck> {
    Ok(ToCheck {
        entry_id: r.try_get("id")?,
        office_id: r.try_get("office_id")?,
        raw_sha256: r.try_get("raw_sha256")?,
        sender: r.try_get("sender")?,
    })
}

/// One entry's check, written in `tx`.
async fn save_check(
    tx: &mut super::Tx,
    entry: &ToCheck,
    judgement: &Judgement,
    checks_json: &str,
    next_check_at: Option<DateTime<Utc>>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sender_checks (entry_id, raw_sha256, verdict, domain, method, claimed, hold,
                checks, checked_at, attempts, next_check_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)
             ON CONFLICT (entry_id) DO UPDATE SET verdict = excluded.verdict,
                domain = excluded.domain, method = excluded.method, claimed = excluded.claimed,
                hold = excluded.hold, checks = excluded.checks, checked_at = excluded.checked_at,
                attempts = sender_checks.attempts + 1, next_check_at = excluded.next_check_at",
    )
    .bind(entry.entry_id)
    .bind(entry.raw_sha256.clone())
    .bind(judgement.verdict.code())
    .bind(judgement.domain.clone())
    .bind(judgement.method.clone())
    .bind(judgement.claimed.clone().unwrap_or_default())
    .bind(i64::from(judgement.hold))
    .bind(checks_json.to_string())
    .bind(time_to_db(Utc::now()))
    .bind(next_check_at.map(time_to_db))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
