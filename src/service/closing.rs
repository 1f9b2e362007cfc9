//! ปิดทะเบียนประจำปี: after 31 December an officer closes a year's outbound, circular or order
//! register (the inbound register stays open, as in AMSS++). The year's form is rendered as a PDF
//! and kept by sha256, the closing is written into the hash-chained history, and the register
//! of that year issues no new number from then on.

use bytes::Bytes;
use chrono::Utc;

use super::{Actor, Result, ServiceError, Services, current_year};
use crate::domain::register::{Register, SearchField};
use crate::domain::thai_date;
use crate::outputs::table_pdf::{self, PrintInfo};
use crate::store::closings::{Closing, NewClosing};

/// Why a register-year cannot be closed (yet), in Thai; `None` when it can.
pub fn closing_refusal(register: Register, year_be: i32, now_year_be: i32) -> Option<String> {
    if register == Register::Inbound {
        return Some("ทะเบียนหนังสือรับไม่ต้องปิดประจำปี (เปิดต่อเนื่องเหมือนระบบเดิม)".into());
    }
    if year_be >= now_year_be {
        return Some(format!(
            "ปิดทะเบียนปี พ.ศ. {year_be} ได้หลังวันที่ 31 ธันวาคม {year_be} (เวลาประเทศไทย)"
        ));
    }
    None
}

impl Services {
    /// The closing of a register-year, if it is closed.
    pub async fn closing(
        &self,
        actor: &Actor,
        register: Register,
        year_be: i32,
    ) -> Result<Option<Closing>> {
        Ok(self
            .store
            .closing(&actor.office.id, register, year_be)
            .await?)
    }

    /// The PDF kept when the register-year was closed.
    pub async fn closed_register_pdf(
        &self,
        actor: &Actor,
        register: Register,
        year_be: i32,
    ) -> Result<(Closing, Bytes)> {
        let closing = self
            .closing(actor, register, year_be)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let data = self.files.get(&closing.sha256).await?;
        Ok((closing, data))
    }

    pub async fn close_register(
        &self,
        actor: &Actor,
        register: Register,
        year_be: i32,
    ) -> Result<Closing> {
        self.require_settings(actor)?;
        // The closed form must hold every entry, secret ones too.
        if !crate::domain::journey::distributes_everything(actor.user.role) {
            return Err(ServiceError::Forbidden(
                "ปิดทะเบียนได้เฉพาะเจ้าหน้าที่ธุรการและผู้ดูแลระบบ".into(),
            ));
        }
        if let Some(why) = closing_refusal(register, year_be, current_year(&actor.office)) {
            return Err(ServiceError::Conflict(why));
        }
        if self.closing(actor, register, year_be).await?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "{} ปี พ.ศ. {year_be} ปิดไปแล้ว",
                register.label()
            )));
        }
        let sheet = self
            .register_sheet(
                actor,
                register,
                year_be,
                (None, None),
                (None, SearchField::All),
                crate::domain::forms::SheetLayout::Printed,
            )
            .await?;
        let entries = sheet.rows.len() as i64;
        if entries == 0 {
            return Err(ServiceError::Conflict(format!(
                "{} ปี พ.ศ. {year_be} ไม่มีรายการ จึงไม่มีทะเบียนให้ปิด",
                register.label()
            )));
        }
        let info = PrintInfo {
            period: "ปิดทะเบียนประจำปี".into(),
            printed_at: thai_date::format_datetime(Utc::now()),
        };
        let pdf = tokio::task::spawn_blocking(move || table_pdf::render(&sheet, &info))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let size = pdf.len() as i64;
        let sha256 = self.files.put(Bytes::from(pdf)).await?;
        let closed = self
            .store
            .close_register(&NewClosing {
                office_id: &actor.office.id,
                register,
                year_be,
                closed_by: actor.user.id,
                sha256: &sha256,
                size,
                entries,
            })
            .await?;
        if closed.is_none() {
            return Err(ServiceError::Conflict(format!(
                "{} ปี พ.ศ. {year_be} ปิดไปแล้ว",
                register.label()
            )));
        }
        self.closing(actor, register, year_be)
            .await?
            .ok_or(ServiceError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_past_years_of_the_outbound_registers_close() {
        assert!(closing_refusal(Register::Inbound, 2568, 2569).is_some());
        assert!(closing_refusal(Register::Outbound, 2569, 2569).is_some());
        assert!(closing_refusal(Register::Outbound, 2568, 2569).is_none());
        assert!(closing_refusal(Register::Circular, 2568, 2569).is_none());
        assert!(closing_refusal(Register::Order, 2567, 2569).is_none());
    }
}
