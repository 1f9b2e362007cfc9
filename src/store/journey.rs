//! Work groups, and what happens to a registered letter inside the office: given to people and
//! groups (การปฏิบัติ), endorsed by the director, acknowledged. Every step is written into the
//! register's การปฏิบัติ column and the hash-chained history in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::audit::insert_event;
use super::{
    Result, Store, StoreError, Tx, coded, date_from_db, date_to_db, time_from_db, time_to_db,
};
use crate::domain::exchange::{DeliveryChannel, DeliveryKind, DeliveryStatus};
use crate::domain::history::{GivenTo, LetterHistory};
use crate::domain::journey::{ActingAs, AssignmentKind, Decision};
use crate::domain::letter::{Secrecy, Speed};

/// How a user wants to hear of letters given to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notify {
    Off = 0,
    /// An e-mail for each letter.
    Each = 1,
    /// One e-mail a day listing what waits.
    Daily = 2,
}

impl Notify {
    pub fn from_code(n: i64) -> Notify {
        match n {
            1 => Notify::Each,
            2 => Notify::Daily,
            _ => Notify::Off,
        }
    }

    /// The word [`Notify::parse`] reads: what the API and the form show.
    pub fn code(self) -> &'static str {
        match self {
            Notify::Off => "off",
            Notify::Each => "each",
            Notify::Daily => "daily",
        }
    }

    pub fn parse(s: &str) -> Option<Notify> {
        match s.trim() {
            "off" => Some(Notify::Off),
            "each" | "" => Some(Notify::Each),
            "daily" => Some(Notify::Daily),
            _ => None,
        }
    }
}

pub use super::work_groups::WorkGroup;

/// Whom a step gives the letter to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    User { id: i64, name: String },
    Group { id: String, name: String },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::User { name, .. } | Target::Group { name, .. } => name,
        }
    }

    /// How the history names it.
    pub fn given_to(&self) -> GivenTo {
        match self {
            Target::User { id, name } => GivenTo {
                user: Some(*id),
                group: None,
                name: name.clone(),
            },
            Target::Group { id, name } => GivenTo {
                user: None,
                group: Some(id.clone()),
                name: name.clone(),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: i64,
    pub letter_id: i64,
    pub kind: AssignmentKind,
    pub from_user_id: i64,
    pub from_name: String,
    pub to_user_id: Option<i64>,
    pub to_group_id: Option<String>,
    pub to_name: String,
    pub note: String,
    pub due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// ดำเนินการแล้ว: when, by whom, with what note.
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<String>,
    pub done_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Endorsement {
    pub id: i64,
    pub user_name: String,
    pub decision: Decision,
    pub text: String,
    pub acting_as: ActingAs,
    pub created_at: DateTime<Utc>,
}

/// One line of a personal or group box: a letter given to me (or my group).
#[derive(Debug, Clone)]
pub struct BoxItem {
    pub assignment: Assignment,
    pub register: String,
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub subject: String,
    pub sender: String,
    pub speed: Speed,
    pub secrecy: Secrecy,
}

/// An assignment given to the user bound as `$2`, or to one of their work groups.
const GIVEN_TO_USER: &str = "(to_user_id = $2 OR to_group_id IN
    (SELECT m.group_id FROM work_group_members m WHERE m.user_id = $2))";

pub(super) const USER_NAME: &str = "COALESCE(NULLIF(full_name, ''), username)";

pub(super) fn assignment_from_row(r: &AnyRow) -> Result<Assignment> {
    let due: Option<String> = r.try_get("due_date")?;
    let created: String = r.try_get("created_at")?;
    let acked: Option<String> = r.try_get("acknowledged_at")?;
    let user_name: Option<String> = r.try_get("to_user_name")?;
    let group_name: Option<String> = r.try_get("to_group_name")?;
    Ok(Assignment {
        id: r.try_get("id")?,
        letter_id: r.try_get("letter_id")?,
        kind: coded(r, "kind")?,
        from_user_id: r.try_get("from_user_id")?,
        from_name: r.try_get("from_name")?,
        to_user_id: r.try_get("to_user_id")?,
        to_group_id: r.try_get("to_group_id")?,
        to_name: user_name.or(group_name).unwrap_or_default(),
        note: r.try_get("note")?,
        due_date: due.as_deref().map(date_from_db).transpose()?,
        created_at: time_from_db(&created)?,
        acknowledged_at: acked.as_deref().map(time_from_db).transpose()?,
        acknowledged_by: r.try_get("acknowledged_by_name")?,
        done_at: r
            .try_get::<Option<String>, _>("done_at")?
            .as_deref()
            .map(time_from_db)
            .transpose()?,
        done_by: r.try_get("done_by_name")?,
        done_note: r.try_get("done_note")?,
    })
}

pub(super) fn assignment_select() -> String {
    format!(
        "SELECT a.*, (SELECT {USER_NAME} FROM users u WHERE u.id = a.from_user_id) AS from_name,
            (SELECT {USER_NAME} FROM users u WHERE u.id = a.to_user_id) AS to_user_name,
            (SELECT g.name FROM work_groups g WHERE g.id = a.to_group_id) AS to_group_name,
            (SELECT {USER_NAME} FROM users u WHERE u.id = a.acknowledged_by) AS acknowledged_by_name,
            (SELECT {USER_NAME} FROM users u WHERE u.id = a.done_by) AS done_by_name
         FROM assignments a"
    )
}

/// Records the executive's endorsement (เกษียน) of a letter.
pub async fn insert_endorsement(
    tx: &mut Tx,
    letter_id: i64,
    office_id: &str,
    by: i64,
    (decision, text, acting): (Decision, &str, ActingAs),
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO endorsements (letter_id, office_id, user_id, decision, text, acting_as, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(letter_id)
    .bind(office_id.to_string())
    .bind(by)
    .bind(decision.code())
    .bind(text.to_string())
    .bind(acting.code())
    .bind(time_to_db(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What one assignment gives: a letter, from whom, how, with what note and due date.
pub struct NewAssignment<'a> {
    pub letter_id: i64,
    pub office_id: &'a str,
    pub kind: AssignmentKind,
    pub by: i64,
    pub note: &'a str,
    pub due_date: Option<NaiveDate>,
}

/// Gives the letter to one person or group; returns the assignment's id.
pub async fn insert_assignment(
    tx: &mut Tx,
    a: &NewAssignment<'_>,
    to: &Target,
    at: DateTime<Utc>,
) -> Result<i64> {
    let (user, group) = match to {
        Target::User { id, .. } => (Some(*id), None),
        Target::Group { id, .. } => (None, Some(id.clone())),
    };
    let row = sqlx::query(
        "INSERT INTO assignments (letter_id, office_id, kind, from_user_id, to_user_id, to_group_id,
            note, due_date, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(a.letter_id)
    .bind(a.office_id.to_string())
    .bind(a.kind.code())
    .bind(a.by)
    .bind(user)
    .bind(group)
    .bind(a.note.to_string())
    .bind(a.due_date.map(date_to_db))
    .bind(time_to_db(at))
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("id")?)
}

/// The people behind a target who want an e-mail for each letter given to them: (user id,
/// address).
pub async fn notified_people(tx: &mut Tx, to: &Target) -> Result<Vec<(i64, String)>> {
    let rows = match to {
        Target::User { id, .. } => {
            sqlx::query(
                "SELECT user_id, email FROM user_contacts WHERE user_id = $1 AND notify = 1",
            )
            .bind(*id)
            .fetch_all(&mut **tx)
            .await?
        }
        Target::Group { id, .. } => {
            sqlx::query(
                "SELECT c.user_id, c.email FROM user_contacts c
                 JOIN work_group_members m ON m.user_id = c.user_id
                 WHERE m.group_id = $1 AND c.notify = 1",
            )
            .bind(id.clone())
            .fetch_all(&mut **tx)
            .await?
        }
    };
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("email")?)))
        .collect()
}

/// Queues the e-mail telling `user_id` (at `email`) that assignment `assignment_id` gave them
/// the letter; the outbox builds it.
pub async fn queue_notification(
    tx: &mut Tx,
    a: &NewAssignment<'_>,
    assignment_id: i64,
    (user_id, email): (i64, &str),
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_email,
            status, attempts, created_at, updated_at, kind, queued_at, next_attempt_at, assignment_id)
         VALUES ($1, $2, $3, $7, $4, $8, 0, $5, $5, $9, $5, $5, $6)",
    )
    .bind(a.letter_id)
    .bind(a.office_id.to_string())
    .bind(format!("notify:{assignment_id}:{user_id}"))
    .bind(email.to_string())
    .bind(time_to_db(at))
    .bind(assignment_id)
    .bind(DeliveryChannel::Email.code())
    .bind(DeliveryStatus::Queued.code())
    .bind(DeliveryKind::Notification.code())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The register's การปฏิบัติ column of a letter, read inside the transaction that changes it.
pub async fn action_of(tx: &mut Tx, letter_id: i64) -> Result<String> {
    Ok(sqlx::query("SELECT action FROM letters WHERE id = $1")
        .bind(letter_id)
        .fetch_one(&mut **tx)
        .await?
        .try_get("action")?)
}

pub async fn set_action(tx: &mut Tx, letter_id: i64, action: &str) -> Result<()> {
    sqlx::query("UPDATE letters SET action = $1 WHERE id = $2")
        .bind(action.to_string())
        .bind(letter_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// A user's e-mail address for notifications, and how they want them.
    pub async fn set_user_contact(&self, user_id: i64, email: &str, notify: Notify) -> Result<()> {
        sqlx::query(
            "INSERT INTO user_contacts (user_id, email, notify) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, notify = excluded.notify",
        )
        .bind(user_id)
        .bind(email.to_string())
        .bind(notify as i64)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn user_contact(&self, user_id: i64) -> Result<Option<(String, Notify)>> {
        let row = sqlx::query("SELECT email, notify FROM user_contacts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let n: i64 = r.try_get("notify")?;
            Ok((r.try_get("email")?, Notify::from_code(n)))
        })
        .transpose()
    }

    /// Queues today's digest for every user who wants one and has letters waiting for their
    /// รับทราบ, once per user and day; how many were queued.
    pub async fn queue_digests(&self, day: NaiveDate) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT c.user_id, c.email, u.office_id FROM user_contacts c JOIN users u ON u.id = c.user_id
             WHERE c.notify = 2 AND u.active = 1",
        )
        .fetch_all(self.pool())
        .await?;
        let mut queued = 0;
        for r in rows {
            let user_id: i64 = r.try_get("user_id")?;
            let email: String = r.try_get("email")?;
            let office_id: String = r.try_get("office_id")?;
            let groups = self.groups_of(user_id).await?;
            let mut waiting = self.box_items(&office_id, user_id, &groups, true).await?;
            waiting.extend(self.box_items(&office_id, user_id, &groups, false).await?);
            let Some(first) = waiting
                .iter()
                .find(|b| b.assignment.acknowledged_at.is_none())
            else {
                continue;
            };
            let now = time_to_db(Utc::now());
            let mut tx = self.begin_write().await?;
            let fresh = sqlx::query(
                "INSERT INTO digests (user_id, day) VALUES ($1, $2) ON CONFLICT (user_id, day) DO NOTHING",
            )
            .bind(user_id)
            .bind(date_to_db(day))
            .execute(&mut *tx)
            .await?;
            if fresh.rows_affected() == 1 {
                // The row belongs to one of the waiting letters; the digest lists them all.
                sqlx::query(
                    "INSERT INTO deliveries (letter_id, office_id, idempotency_key, channel, recipient_email,
                        status, attempts, created_at, updated_at, kind, queued_at, next_attempt_at, user_id)
                     VALUES ($1, $2, $3, $7, $4, $8, 0, $5, $5, $9, $5, $5, $6)",
                )
                .bind(first.assignment.letter_id)
                .bind(office_id)
                .bind(format!("digest:{user_id}:{}", date_to_db(day)))
                .bind(email)
                .bind(now)
                .bind(user_id)
                .bind(DeliveryChannel::Email.code())
                .bind(DeliveryStatus::Queued.code())
                .bind(DeliveryKind::Digest.code())
                .execute(&mut *tx)
                .await?;
                queued += 1;
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    pub async fn find_assignment(&self, id: i64) -> Result<Assignment> {
        let sql = format!("{} WHERE a.id = $1", assignment_select());
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        assignment_from_row(&row)
    }

    /// Of the letter's assignments, those with these ids (what one step gave).
    pub async fn assignments_among(&self, letter_id: i64, ids: &[i64]) -> Result<Vec<Assignment>> {
        Ok(self
            .assignments(letter_id)
            .await?
            .into_iter()
            .filter(|a| ids.contains(&a.id))
            .collect())
    }

    /// รับทราบ: marks what was given to the user (or one of their groups) and not yet
    /// acknowledged; how many.
    pub async fn acknowledge(&self, letter_id: i64, user_id: i64) -> Result<u64> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE assignments SET acknowledged_at = $1, acknowledged_by = $2
             WHERE letter_id = $3 AND acknowledged_at IS NULL AND {GIVEN_TO_USER}"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(time_to_db(now))
            .bind(user_id)
            .bind(letter_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done > 0 {
            let acknowledged = LetterHistory::Acknowledged(Default::default());
            insert_event(&mut tx, letter_id, &acknowledged, Some(user_id), now).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// ดำเนินการแล้ว: marks what was given to the user (or one of their groups) as done, and
    /// acknowledged if it was not; how many. Writes one history line.
    pub async fn mark_done(&self, letter_id: i64, user_id: i64, note: &str) -> Result<u64> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE assignments SET done_at = $1, done_by = $2, done_note = $3,
                acknowledged_at = COALESCE(acknowledged_at, $1),
                acknowledged_by = COALESCE(acknowledged_by, $2)
             WHERE letter_id = $4 AND done_at IS NULL AND {GIVEN_TO_USER}"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(time_to_db(now))
            .bind(user_id)
            .bind(note.to_string())
            .bind(letter_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done > 0 {
            let event = LetterHistory::Done(crate::domain::history::Done {
                note: note.to_string(),
            });
            insert_event(&mut tx, letter_id, &event, Some(user_id), now).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    pub async fn assignments(&self, letter_id: i64) -> Result<Vec<Assignment>> {
        let sql = format!(
            "{} WHERE a.letter_id = $1 ORDER BY a.id",
            assignment_select()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(assignment_from_row)
            .collect()
    }

    pub async fn endorsements(&self, letter_id: i64) -> Result<Vec<Endorsement>> {
        let sql = format!(
            "SELECT e.*, (SELECT {USER_NAME} FROM users u WHERE u.id = e.user_id) AS user_name
             FROM endorsements e WHERE e.letter_id = $1 ORDER BY e.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(letter_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                let decision: String = r.try_get("decision")?;
                let acting: String = r.try_get("acting_as")?;
                let created: String = r.try_get("created_at")?;
                Ok(Endorsement {
                    id: r.try_get("id")?,
                    user_name: r.try_get("user_name")?,
                    decision: Decision::parse(&decision)
                        .ok_or_else(|| StoreError::Corrupt(format!("decision {decision}")))?,
                    text: r.try_get("text")?,
                    acting_as: ActingAs::parse(&acting).unwrap_or_default(),
                    created_at: time_from_db(&created)?,
                })
            })
            .collect()
    }

    /// Was the letter given to this user or one of their groups?
    pub async fn given_to(&self, letter_id: i64, user_id: i64, groups: &[String]) -> Result<bool> {
        Ok(self.assignments(letter_id).await?.iter().any(|a| {
            a.to_user_id == Some(user_id)
                || a.to_group_id.as_ref().is_some_and(|g| groups.contains(g))
        }))
    }

    /// The personal box (given to the user) or the group box (given to their groups): urgent
    /// first, then newest.
    pub async fn box_items(
        &self,
        office_id: &str,
        user_id: i64,
        groups: &[String],
        personal: bool,
    ) -> Result<Vec<BoxItem>> {
        let who = if personal {
            "a.to_user_id = $2".to_string()
        } else if groups.is_empty() {
            "1 = 0".to_string()
        } else {
            // Group ids come from our own table; still bound, never inlined.
            let marks: Vec<String> = (0..groups.len()).map(|i| format!("${}", i + 3)).collect();
            format!("a.to_group_id IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT x.*, l.register, l.number, l.year_be, l.doc_no, l.subject, l.sender, l.speed, l.secrecy
             FROM ({}) x JOIN letters l ON l.id = x.letter_id
             WHERE x.id IN (SELECT a.id FROM assignments a WHERE a.office_id = $1 AND {who})
             ORDER BY CASE l.speed WHEN 'most_urgent' THEN 0 WHEN 'very_urgent' THEN 1 WHEN 'urgent' THEN 2 ELSE 3 END,
                x.created_at DESC, x.id DESC
             LIMIT 500",
            assignment_select()
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(office_id.to_string())
            .bind(user_id);
        if !personal {
            for g in groups {
                q = q.bind(g.clone());
            }
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let speed: String = r.try_get("speed")?;
                let secrecy: String = r.try_get("secrecy")?;
                let year: i64 = r.try_get("year_be")?;
                Ok(BoxItem {
                    assignment: assignment_from_row(r)?,
                    register: r.try_get("register")?,
                    number: r.try_get("number")?,
                    year_be: year as i32,
                    doc_no: r.try_get("doc_no")?,
                    subject: r.try_get("subject")?,
                    sender: r.try_get("sender")?,
                    speed: Speed::parse(&speed).unwrap_or_default(),
                    secrecy: Secrecy::parse(&secrecy).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Letters given to the user or their groups and not yet acknowledged.
    pub async fn unacknowledged(&self, user_id: i64, groups: &[String]) -> Result<i64> {
        let mut n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM assignments WHERE to_user_id = $1 AND acknowledged_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(self.pool())
        .await?
        .try_get("n")?;
        for g in groups {
            let m: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM assignments WHERE to_group_id = $1 AND acknowledged_at IS NULL",
            )
            .bind(g.clone())
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
            n += m;
        }
        Ok(n)
    }
}
