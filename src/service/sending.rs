//! Sending a registered letter. In-system delivery (to offices of this deployment) works; e-mail
//! delivery through the SMTP outbox is not built yet and is refused with a clear message.

use super::{Actor, Result, ServiceError, Services};
use crate::domain::letter::{FieldErrors, Secrecy};
use crate::domain::register::Register;
use crate::store::deliveries::Delivery;
use crate::store::offices::Office;

/// One recipient as the form or the API names it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RecipientInput {
    pub office: Option<String>,
    pub email: Option<String>,
}

fn invalid(field: &str, message: &str) -> ServiceError {
    let mut e = FieldErrors::default();
    e.add(field, message);
    ServiceError::Invalid(e)
}

impl Services {
    /// The offices a letter can be sent to: the office above first (a school's district, whose
    /// central saraban receives all its letters), then every other office of the deployment.
    pub async fn send_targets(&self, actor: &Actor) -> Result<Vec<Office>> {
        let mut offices: Vec<Office> = self
            .store
            .list_offices()
            .await?
            .into_iter()
            .filter(|o| o.id != actor.office.id)
            .collect();
        let parent = actor.office.parent_id.clone();
        offices.sort_by_key(|o| (Some(&o.id) != parent.as_ref(), o.kind.code(), o.id.clone()));
        Ok(offices)
    }

    pub async fn send_letter(
        &self,
        actor: &Actor,
        letter_id: i64,
        recipients: &[RecipientInput],
        key: &str,
    ) -> Result<Vec<Delivery>> {
        if !actor.user.role.can_register(Register::Outbound) {
            return Err(ServiceError::Forbidden("เฉพาะเจ้าหน้าที่ธุรการส่งหนังสือได้".into()));
        }
        let letter = self.letter(actor, letter_id).await?;
        if letter.register == Register::Inbound {
            return Err(ServiceError::Conflict(
                "หนังสือรับส่งต่อออกไม่ได้ ให้ลงทะเบียนส่งก่อน".into(),
            ));
        }
        if letter.is_cancelled() {
            return Err(ServiceError::Conflict("รายการนี้ถูกยกเลิกแล้ว ส่งไม่ได้".into()));
        }
        let key = key.trim();
        if key.is_empty() || key.len() > 100 {
            return Err(invalid(
                "idempotency_key",
                "ต้องมี idempotency_key (ไม่เกิน 100 ตัวอักษร)",
            ));
        }
        if recipients.is_empty() {
            return Err(invalid("recipients", "กรุณาเลือกผู้รับอย่างน้อยหนึ่งราย"));
        }
        let mut offices: Vec<Office> = Vec::new();
        for r in recipients {
            match (&r.office, &r.email) {
                (Some(id), None) => {
                    let office = self
                        .store
                        .find_office(id.trim())
                        .await
                        .map_err(|_| invalid("recipients", &format!("ไม่พบหน่วยงานรหัส {id}")))?;
                    if office.id == actor.office.id {
                        return Err(invalid("recipients", "ส่งถึงหน่วยงานตนเองไม่ได้"));
                    }
                    if !offices.iter().any(|o| o.id == office.id) {
                        offices.push(office);
                    }
                }
                (None, Some(_)) if letter.secrecy == Secrecy::TopSecret => {
                    // ระเบียบงานสารบรรณ: ลับที่สุด never travels by e-mail.
                    return Err(invalid("recipients", "หนังสือชั้นลับที่สุดห้ามส่งทางอีเมล"));
                }
                (None, Some(_)) => {
                    return Err(invalid(
                        "recipients",
                        "การส่งทางอีเมลยังไม่เปิดใช้ในรุ่นนี้ ส่งถึงหน่วยงานในระบบได้",
                    ));
                }
                _ => {
                    return Err(invalid(
                        "recipients",
                        "ผู้รับแต่ละรายต้องเป็น {office} หรือ {email} อย่างใดอย่างหนึ่ง",
                    ));
                }
            }
        }
        Ok(self
            .store
            .send_in_system(&letter, &actor.office, &offices, key)
            .await?)
    }

    pub async fn deliveries(&self, actor: &Actor, letter_id: i64) -> Result<Vec<Delivery>> {
        let letter = self.letter(actor, letter_id).await?;
        Ok(self.store.deliveries(letter.id).await?)
    }
}
