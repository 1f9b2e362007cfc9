//! The office's settings: name, prefix, e-mail, auto-registering, the years of the registers and
//! the number each series starts from.

use chrono::Utc;

use crate::domain::letter::FieldErrors;
use crate::domain::numbering::{self};
use crate::domain::office::{self};
use crate::domain::register::{CircularNumbering, Series};
use crate::domain::{doc_no, thai_date};
use crate::store::offices::{Office, OfficeSettings};
use crate::store::settings::SeriesState;

use super::{Actor, Result, ServiceError, Services, single};

impl Services {
    pub(crate) fn require_settings(&self, actor: &Actor) -> Result<()> {
        if actor.user.role.can_manage_settings() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "เฉพาะผู้อำนวยการ รองผู้อำนวยการ เจ้าหน้าที่ธุรการ และผู้ดูแลระบบ ตั้งค่าทะเบียนได้".into(),
            ))
        }
    }

    pub async fn update_office(
        &self,
        actor: &Actor,
        input: &OfficeSettingsInput,
    ) -> Result<Office> {
        self.require_settings(actor)?;
        let mut errors = FieldErrors::default();
        let name = office::parse_office_name(&input.name)
            .map_err(|e| errors.add("name", e.to_string()))
            .ok();
        let prefix = doc_no::parse_prefix(&input.prefix)
            .map_err(|e| errors.add("prefix", format!("{e} (ตัวอย่าง ศธ 04183)")))
            .ok();
        let email = match input.email.trim() {
            "" => None,
            raw => office::parse_email(raw)
                .map_err(|e| errors.add("email", e.to_string()))
                .ok(),
        };
        let circular = CircularNumbering::parse(input.circular_numbering.trim());
        if circular.is_none() {
            errors.add("circular_numbering", "กรุณาเลือกวิธีออกเลขหนังสือเวียน");
        }
        match (name, prefix, circular) {
            (Some(name), Some(prefix), Some(circular)) if errors.is_empty() => {
                let settings = OfficeSettings {
                    name: &name,
                    prefix: &prefix,
                    email: email.as_deref(),
                    circular_numbering: circular,
                };
                let year_be = thai_date::be_year_of(Utc::now());
                Ok(self
                    .store
                    .update_office_settings(&actor.office.id, &settings, year_be)
                    .await?)
            }
            _ => Err(ServiceError::Invalid(errors)),
        }
    }

    /// Whether letters arriving by e-mail are registered at once.
    pub async fn set_auto_register(&self, actor: &Actor, on: bool) -> Result<()> {
        self.require_settings(actor)?;
        Ok(self.store.set_auto_register(&actor.office.id, on).await?)
    }

    pub async fn years(&self, actor: &Actor) -> Result<Vec<i32>> {
        let mut years = self.store.list_years(&actor.office.id).await?;
        let now = thai_date::be_year_of(Utc::now());
        if !years.contains(&now) {
            years.push(now);
        }
        years.sort_unstable_by(|a, b| b.cmp(a));
        Ok(years)
    }

    pub async fn add_year(&self, actor: &Actor, year: &str) -> Result<i32> {
        self.require_settings(actor)?;
        let year = numbering::parse_year_be(year)
            .map_err(|e| ServiceError::Invalid(single("year_be", e.to_string())))?;
        self.store.add_year(&actor.office.id, year).await?;
        Ok(year)
    }

    /// Chooses the year the registers open on; an empty value follows the calendar.
    pub async fn set_active_year(&self, actor: &Actor, year: &str) -> Result<Option<i32>> {
        self.require_settings(actor)?;
        let year = match year.trim() {
            "" | "auto" => None,
            y => Some(
                numbering::parse_year_be(y)
                    .map_err(|e| ServiceError::Invalid(single("year_be", e.to_string())))?,
            ),
        };
        self.store.set_active_year(&actor.office.id, year).await?;
        Ok(year)
    }

    pub async fn series_states(&self, actor: &Actor, year_be: i32) -> Result<Vec<SeriesState>> {
        Ok(self.store.series_states(&actor.office.id, year_be).await?)
    }

    pub async fn set_start_number(
        &self,
        actor: &Actor,
        series: Series,
        year_be: i32,
        start: &str,
    ) -> Result<()> {
        self.require_settings(actor)?;
        let year_be = numbering::check_year_be(year_be)
            .map_err(|e| ServiceError::Invalid(single("year_be", e.to_string())))?;
        let start = numbering::parse_start(start)
            .map_err(|e| ServiceError::Invalid(single("start_number", e.to_string())))?;
        self.store
            .set_start_number(&actor.office.id, series, year_be, start)
            .await?;
        Ok(())
    }
}

/// The office settings form.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct OfficeSettingsInput {
    pub name: String,
    pub prefix: String,
    pub email: String,
    pub circular_numbering: String,
}
