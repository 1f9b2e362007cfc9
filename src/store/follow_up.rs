//! Following letters up (ติดตามงาน): what was given and not acknowledged, what is past its due
//! date and not done, what was registered and given to nobody; and the counts per work group for
//! the dashboard and the year's summary.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

use super::journey::{Assignment, assignment_from_row, assignment_select};
use super::letters::visible_to;
use super::{Result, Store, date_to_db, time_from_db};
use crate::domain::journey::FollowUp;
use crate::domain::letter::{Secrecy, Speed};

/// A line of the follow-up page: the letter, and the step that waits (none for a letter given
/// to nobody).
#[derive(Debug, Clone)]
pub struct FollowUpItem {
    pub letter_id: i64,
    pub register: String,
    pub number: i64,
    pub year_be: i32,
    pub doc_no: String,
    pub subject: String,
    pub sender: String,
    pub speed: Speed,
    pub secrecy: Secrecy,
    pub registered_at: DateTime<Utc>,
    pub assignment: Option<Assignment>,
}

/// The dashboard's count of a work group.
#[derive(Debug, Clone)]
pub struct GroupCounts {
    pub id: String,
    pub name: String,
    pub unacknowledged: i64,
    pub overdue: i64,
}

impl Store {
    /// The follow-up list of an office: what was given and not acknowledged, what is past its due
    /// date and not done, or (for [`FollowUp::NotForwarded`]) the registered letters given to
    /// nobody. `restricted_to_user`: only letters that user may see (secrets given to them).
    pub async fn follow_up(
        &self,
        office_id: &str,
        which: FollowUp,
        today: NaiveDate,
        restricted_to_user: Option<i64>,
    ) -> Result<Vec<FollowUpItem>> {
        // $1 is the office; then the day (overdue only), then the user (restricted only).
        let overdue = which == FollowUp::Overdue;
        let condition = match which {
            FollowUp::NotForwarded => {
                "l.register = 'inbound' AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.letter_id = l.id)"
            }
            FollowUp::Unacknowledged => "x.acknowledged_at IS NULL AND x.kind <> 'return'",
            FollowUp::Overdue => {
                "x.done_at IS NULL AND x.kind <> 'return' AND x.due_date IS NOT NULL AND x.due_date < $2"
            }
        };
        let visible = match restricted_to_user {
            Some(_) => format!(" AND {}", visible_to(if overdue { 3 } else { 2 })),
            None => String::new(),
        };
        let letter_cols = "l.id AS letter_id, l.register, l.number, l.year_be, l.doc_no, l.subject,
            l.sender, l.speed, l.secrecy, l.registered_at";
        let sql = match which {
            FollowUp::NotForwarded => format!(
                "SELECT {letter_cols} FROM letters l
                 WHERE l.office_id = $1 AND l.cancelled_at IS NULL AND {condition}{visible}
                 ORDER BY l.registered_at DESC, l.id DESC LIMIT 500"
            ),
            _ => format!(
                "SELECT x.*, {letter_cols} FROM ({}) x JOIN letters l ON l.id = x.letter_id
                 WHERE x.office_id = $1 AND l.cancelled_at IS NULL AND {condition}{visible}
                 ORDER BY COALESCE(x.due_date, '9999-12-31'), x.created_at, x.id LIMIT 500",
                assignment_select()
            ),
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(office_id.to_string());
        if overdue {
            query = query.bind(date_to_db(today));
        }
        if let Some(user) = restricted_to_user {
            query = query.bind(user);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let speed: String = r.try_get("speed")?;
                let secrecy: String = r.try_get("secrecy")?;
                let registered: String = r.try_get("registered_at")?;
                Ok(FollowUpItem {
                    letter_id: r.try_get("letter_id")?,
                    register: r.try_get("register")?,
                    number: r.try_get("number")?,
                    year_be: r.try_get::<i64, _>("year_be")? as i32,
                    doc_no: r.try_get("doc_no")?,
                    subject: r.try_get("subject")?,
                    sender: r.try_get("sender")?,
                    speed: Speed::parse(&speed).unwrap_or_default(),
                    secrecy: Secrecy::parse(&secrecy).unwrap_or_default(),
                    registered_at: time_from_db(&registered)?,
                    assignment: match which {
                        FollowUp::NotForwarded => None,
                        _ => Some(assignment_from_row(r)?),
                    },
                })
            })
            .collect()
    }

    /// Per work group of the office: how many letters of `year_be` were given to it.
    pub async fn letters_given_per_group(
        &self,
        office_id: &str,
        year_be: i32,
    ) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT g.name, COUNT(DISTINCT a.letter_id) AS n FROM assignments a
             JOIN work_groups g ON g.id = a.to_group_id
             JOIN letters l ON l.id = a.letter_id
             WHERE l.office_id = $1 AND l.year_be = $2 AND l.cancelled_at IS NULL
             GROUP BY g.name",
        )
        .bind(office_id.to_string())
        .bind(i64::from(year_be))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("n")?)))
            .collect()
    }

    /// Per work group of the office: letters given to it not yet acknowledged, and past their
    /// due date and not done (the dashboard's tiles).
    pub async fn group_follow_up_counts(
        &self,
        office_id: &str,
        today: NaiveDate,
    ) -> Result<Vec<GroupCounts>> {
        let rows = sqlx::query(
            "SELECT g.id, g.name,
                COALESCE(SUM(CASE WHEN a.id IS NOT NULL AND a.acknowledged_at IS NULL THEN 1 ELSE 0 END), 0) AS unacknowledged,
                COALESCE(SUM(CASE WHEN a.id IS NOT NULL AND a.done_at IS NULL AND a.due_date < $2 THEN 1 ELSE 0 END), 0) AS overdue
             FROM work_groups g
             LEFT JOIN assignments a ON a.to_group_id = g.id
                AND a.letter_id IN (SELECT id FROM letters WHERE cancelled_at IS NULL)
             WHERE g.office_id = $1
             GROUP BY g.id, g.name ORDER BY g.name",
        )
        .bind(office_id.to_string())
        .bind(date_to_db(today))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(GroupCounts {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    unacknowledged: r.try_get("unacknowledged")?,
                    overdue: r.try_get("overdue")?,
                })
            })
            .collect()
    }
}
