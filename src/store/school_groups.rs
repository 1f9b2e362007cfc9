//! Saved groups of schools a district sends letters to at once.

use chrono::Utc;
use sqlx::Row;

use super::{Result, Store, StoreError, time_to_db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolGroup {
    pub id: i64,
    pub office_id: String,
    pub name: String,
    /// Member office ids, sorted.
    pub members: Vec<String>,
}

impl Store {
    /// Creates a group with its members, in one transaction.
    pub async fn create_school_group(
        &self,
        office_id: &str,
        name: &str,
        members: &[String],
    ) -> Result<SchoolGroup> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "INSERT INTO school_groups (office_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(office_id.to_string())
        .bind(name.to_string())
        .bind(time_to_db(Utc::now()))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for m in members {
            sqlx::query(
                "INSERT INTO school_group_members (group_id, member_office_id) VALUES ($1, $2)
                 ON CONFLICT (group_id, member_office_id) DO NOTHING",
            )
            .bind(id)
            .bind(m.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.school_group(office_id, id).await
    }

    /// Removes a saved group (letters already sent keep their deliveries).
    pub async fn delete_school_group(&self, office_id: &str, id: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM school_group_members WHERE group_id IN
                (SELECT id FROM school_groups WHERE id = $1 AND office_id = $2)",
        )
        .bind(id)
        .bind(office_id.to_string())
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM school_groups WHERE id = $1 AND office_id = $2")
            .bind(id)
            .bind(office_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn school_group(&self, office_id: &str, id: i64) -> Result<SchoolGroup> {
        self.school_groups(office_id)
            .await?
            .into_iter()
            .find(|g| g.id == id)
            .ok_or(StoreError::NotFound)
    }

    pub async fn school_groups(&self, office_id: &str) -> Result<Vec<SchoolGroup>> {
        let rows = sqlx::query(
            "SELECT g.id, g.office_id, g.name, m.member_office_id FROM school_groups g
             LEFT JOIN school_group_members m ON m.group_id = g.id
             WHERE g.office_id = $1 ORDER BY g.name, g.id, m.member_office_id",
        )
        .bind(office_id.to_string())
        .fetch_all(self.pool())
        .await?;
        let mut groups: Vec<SchoolGroup> = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let member: Option<String> = r.try_get("member_office_id")?;
            if groups.last().is_none_or(|g| g.id != id) {
                groups.push(SchoolGroup {
                    id,
                    office_id: r.try_get("office_id")?,
                    name: r.try_get("name")?,
                    members: Vec::new(),
                });
            }
            if let (Some(m), Some(g)) = (member, groups.last_mut()) {
                g.members.push(m);
            }
        }
        Ok(groups)
    }
}
