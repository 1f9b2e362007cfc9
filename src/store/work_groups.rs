//! Work groups (กลุ่มงาน) of an office and their members, to forward letters to.

use chrono::Utc;
use sqlx::Row;

use super::journey::USER_NAME;
use super::{Result, Store, StoreError, time_to_db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkGroup {
    pub id: String,
    pub office_id: String,
    pub name: String,
    /// (user id, display name)
    pub members: Vec<(i64, String)>,
}

impl Store {
    pub async fn create_work_group(&self, office_id: &str, id: &str, name: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO work_groups (id, office_id, name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.to_string())
        .bind(office_id.to_string())
        .bind(name.to_string())
        .bind(time_to_db(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn add_work_group_member(&self, group_id: &str, user_id: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO work_group_members (group_id, user_id) VALUES ($1, $2)
             ON CONFLICT (group_id, user_id) DO NOTHING",
        )
        .bind(group_id.to_string())
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn find_work_group(&self, id: &str) -> Result<WorkGroup> {
        let row = sqlx::query("SELECT id, office_id, name FROM work_groups WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut g = WorkGroup {
            id: row.try_get("id")?,
            office_id: row.try_get("office_id")?,
            name: row.try_get("name")?,
            members: Vec::new(),
        };
        let sql = format!(
            "SELECT u.id, {USER_NAME} AS name FROM work_group_members m JOIN users u ON u.id = m.user_id
             WHERE m.group_id = $1 ORDER BY u.id"
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .fetch_all(self.pool())
            .await?
        {
            g.members.push((r.try_get("id")?, r.try_get("name")?));
        }
        Ok(g)
    }

    pub async fn work_groups(&self, office_id: &str) -> Result<Vec<WorkGroup>> {
        let ids: Vec<String> =
            sqlx::query("SELECT id FROM work_groups WHERE office_id = $1 ORDER BY name, id")
                .bind(office_id.to_string())
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| r.try_get("id"))
                .collect::<std::result::Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.find_work_group(&id).await?);
        }
        Ok(out)
    }

    /// Replaces a group's members with `user_ids`, in one transaction.
    pub async fn set_work_group_members(&self, group_id: &str, user_ids: &[i64]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM work_group_members WHERE group_id = $1")
            .bind(group_id.to_string())
            .execute(&mut *tx)
            .await?;
        for id in user_ids {
            sqlx::query(
                "INSERT INTO work_group_members (group_id, user_id) VALUES ($1, $2)
                 ON CONFLICT (group_id, user_id) DO NOTHING",
            )
            .bind(group_id.to_string())
            .bind(*id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn rename_work_group(&self, group_id: &str, name: &str) -> Result<()> {
        sqlx::query("UPDATE work_groups SET name = $1 WHERE id = $2")
            .bind(name.to_string())
            .bind(group_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The groups a user belongs to.
    pub async fn groups_of(&self, user_id: i64) -> Result<Vec<String>> {
        sqlx::query("SELECT group_id FROM work_group_members WHERE user_id = $1 ORDER BY group_id")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(r.try_get("group_id")?))
            .collect()
    }
}
