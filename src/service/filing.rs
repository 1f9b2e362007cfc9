//! Filing a finished matter under the office's filing plan (ข้อ 54–55) and lending what is filed
//! (ข้อ 61–65), each step a line of the letter's history; the forms (แบบ 19, 20, 24) from the
//! same table engine as the registers.

use chrono::{Datelike, NaiveDate, Utc};

use super::{Actor, Result, ServiceError, Services};
use crate::domain::filing::{self, Borrower, LoanFacts, LoanStatus};
use crate::domain::forms::{self, FiledRow, LoanRow, RegisterSheet};
use crate::domain::history::{self, LetterHistory};
use crate::domain::letter::FieldErrors;
use crate::domain::thai_date;
use crate::domain::user::Role;
use crate::store::audit;
use crate::store::filing::{self as store_filing, FileCode, Filed, Loan, NewFiling, NewLoan};

/// A loan as a form or the API asks for it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct LoanInput {
    pub item: String,
    /// An officer of the office, by username.
    pub borrower_user: String,
    /// Or someone outside saraban.
    pub borrower_name: String,
    pub borrower_position: String,
    pub borrower_unit: String,
    pub borrower_email: String,
    pub purpose: String,
    /// `2 พ.ค. 2569` or ISO; today when empty.
    pub borrowed_on: String,
    pub due_on: String,
    /// The director or deputy who allowed an outsider's loan, by username (the actor when they
    /// are one).
    pub approved_by: String,
}

/// Which filing form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilingForm {
    /// แบบที่ 19 บัญชีหนังสือส่งเก็บ
    SendList,
    /// แบบที่ 20 ทะเบียนหนังสือเก็บ
    Register,
}

fn today() -> NaiveDate {
    thai_date::to_bangkok(Utc::now()).date()
}

fn date_field(text: &str, field: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    match text.trim() {
        "" => None,
        t => match thai_date::parse_date(t) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add(field, e.to_string());
                None
            }
        },
    }
}

impl Services {
    pub async fn file_codes(&self, actor: &Actor) -> Result<Vec<FileCode>> {
        Ok(self.store.file_codes(&actor.office.id).await?)
    }

    /// Adds a code to the filing plan (or renames it).
    pub async fn put_file_code(&self, actor: &Actor, code: &str, name: &str) -> Result<String> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        let (code, name) = filing::check_file_code(code, name).map_err(ServiceError::Invalid)?;
        self.store
            .put_file_code(&actor.office.id, &code, &name)
            .await?;
        Ok(code)
    }

    pub async fn filing_of(&self, actor: &Actor, letter_id: i64) -> Result<Option<Filed>> {
        self.letter(actor, letter_id).await?;
        Ok(self.store.filing_of(letter_id).await?)
    }

    /// Files a letter under a code of the plan (once), on `filed_on` (today when empty).
    pub async fn file_letter(
        &self,
        actor: &Actor,
        letter_id: i64,
        code: &str,
        filed_on: &str,
        note: &str,
    ) -> Result<Filed> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        let letter = self.letter(actor, letter_id).await?;
        let mut errors = FieldErrors::default();
        let code = code.split_whitespace().collect::<Vec<_>>().join(" ");
        let codes = self.store.file_codes(&actor.office.id).await?;
        if !codes.iter().any(|c| c.code == code) {
            errors.add(
                "file_code",
                "ไม่มีรหัสแฟ้มนี้ในแผนการเก็บของหน่วยงาน (เพิ่มได้ที่หน้างานเก็บหนังสือ)",
            );
        }
        let filed_on = date_field(filed_on, "filed_on", &mut errors).unwrap_or_else(today);
        if filed_on > today() {
            errors.add("filed_on", "วันเก็บต้องไม่เกินวันนี้");
        }
        if !errors.0.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        if self.store.filing_of(letter.id).await?.is_some() {
            return Err(ServiceError::Conflict("หนังสือฉบับนี้เก็บเข้าแฟ้มแล้ว".into()));
        }
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        store_filing::insert_filing(
            &mut tx,
            &NewFiling {
                office_id: &actor.office.id,
                letter_id: letter.id,
                file_code: &code,
                filed_on,
                by: actor.user.id,
                note: note.trim(),
                at: now,
            },
        )
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                ServiceError::Conflict("หนังสือฉบับนี้เก็บเข้าแฟ้มแล้ว".into())
            } else {
                e.into()
            }
        })?;
        let event = LetterHistory::Filed(history::Filed {
            file_code: code,
            filed_on: crate::store::date_to_db(filed_on),
        });
        audit::insert_event(&mut tx, letter.id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        self.store
            .filing_of(letter.id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// The letters filed in `year_be` as the filing forms list them, with their ids, in the
    /// order filed.
    /// The letters filed in `year_be`; with `words`, those holding every word.
    pub async fn filed_rows(
        &self,
        actor: &Actor,
        year_be: i32,
        words: &str,
    ) -> Result<Vec<(i64, FiledRow)>> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        let year = year_be - 543;
        let (from, to) = (
            NaiveDate::from_ymd_opt(year, 1, 1).ok_or(ServiceError::NotFound)?,
            NaiveDate::from_ymd_opt(year, 12, 31).ok_or(ServiceError::NotFound)?,
        );
        let filed = self
            .store
            .filed_between(&actor.office.id, from, to, words)
            .await?;
        let mut rows = Vec::with_capacity(filed.len());
        for f in filed {
            let l = self
                .store
                .find_letter(&actor.office.id, f.letter_id)
                .await?;
            rows.push((
                f.letter_id,
                FiledRow {
                    filed_on: f.filed_on,
                    number: format!(
                        "{} {}/{}",
                        l.register.number_label().trim_start_matches("เลขทะเบียน"),
                        l.number,
                        l.year_be
                    ),
                    doc_no: l.doc_no,
                    doc_date: l.doc_date,
                    subject: l.subject,
                    file_code: f.file_code,
                    keep_until: l.keep_until.label(),
                    remark: f.note,
                },
            ));
        }
        Ok(rows)
    }

    /// แบบ 19 or แบบ 20 for the letters filed in `year_be`.
    pub async fn filing_sheet(
        &self,
        actor: &Actor,
        form: FilingForm,
        year_be: i32,
    ) -> Result<RegisterSheet> {
        let rows: Vec<FiledRow> = self
            .filed_rows(actor, year_be, "")
            .await?
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        let office = &actor.office.name;
        Ok(match form {
            FilingForm::SendList => forms::filing_list_sheet(office, year_be, &rows),
            FilingForm::Register => forms::filed_register_sheet(office, year_be, &rows),
        })
    }

    /// Lends a filed letter (บัตรยืมหนังสือ).
    pub async fn lend(&self, actor: &Actor, letter_id: i64, input: &LoanInput) -> Result<Loan> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        let letter = self.letter(actor, letter_id).await?;
        let filed = self.store.filing_of(letter.id).await?;
        let mut errors = FieldErrors::default();
        let officer = match input.borrower_user.trim() {
            "" => None,
            name => match self.store.find_user_by_name(name).await {
                Ok(u) if u.office_id == actor.office.id && u.active => Some(u),
                _ => {
                    errors.add("borrower_user", "ไม่พบเจ้าหน้าที่ชื่อผู้ใช้นี้ในหน่วยงาน");
                    None
                }
            },
        };
        let is_head = |r: Role| matches!(r, Role::Director | Role::Deputy);
        let approver = if officer.is_some() || !input.borrower_user.trim().is_empty() {
            None
        } else if is_head(actor.user.role) && input.approved_by.trim().is_empty() {
            Some(actor.user.clone())
        } else {
            match input.approved_by.trim() {
                "" => None,
                name => match self.store.find_user_by_name(name).await {
                    Ok(u) if u.office_id == actor.office.id && is_head(u.role) && u.active => {
                        Some(u)
                    }
                    _ => {
                        errors.add(
                            "approved_by",
                            "ผู้อนุญาตต้องเป็นผู้อำนวยการหรือรองผู้อำนวยการของหน่วยงาน",
                        );
                        None
                    }
                },
            }
        };
        let borrowed_on = date_field(&input.borrowed_on, "borrowed_on", &mut errors);
        let due_on = date_field(&input.due_on, "due_on", &mut errors);
        let facts = LoanFacts {
            item: &input.item,
            officer: officer.as_ref().map(|u| u.id),
            name: &input.borrower_name,
            position: &input.borrower_position,
            unit: &input.borrower_unit,
            email: &input.borrower_email,
            purpose: &input.purpose,
            borrowed_on,
            due_on,
            secret: letter.secrecy.is_secret(),
            approved: approver.is_some(),
        };
        let checked = filing::check_loan(&facts, today());
        if !errors.0.is_empty() || checked.is_err() {
            if let Err(more) = checked {
                for (k, v) in more.0 {
                    if errors.get(&k).is_none() {
                        errors.add(&k, v);
                    }
                }
            }
            return Err(ServiceError::Invalid(errors));
        }
        let request = checked.map_err(ServiceError::Invalid)?;
        let Some(filed) = filed else {
            return Err(ServiceError::Conflict(
                "ให้ยืมได้เฉพาะหนังสือที่เก็บเข้าแฟ้มแล้ว (เก็บเข้าแฟ้มก่อน)".into(),
            ));
        };
        let (name, position, unit, email) = match (&request.borrower, &officer) {
            (Borrower::Officer { .. }, Some(u)) => (
                u.display_name().to_string(),
                u.role.label().to_string(),
                actor.office.name.clone(),
                String::new(),
            ),
            (
                Borrower::Outsider {
                    name,
                    position,
                    unit,
                    email,
                },
                _,
            ) => (name.clone(), position.clone(), unit.clone(), email.clone()),
            _ => return Err(ServiceError::Internal("borrower".into())),
        };
        let item = format!("{} (แฟ้ม {})", request.item, filed.file_code);
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        let loan_id = store_filing::insert_loan(
            &mut tx,
            &NewLoan {
                office_id: &actor.office.id,
                letter_id: letter.id,
                item: &item,
                borrower_user_id: officer.as_ref().map(|u| u.id),
                borrower_name: &name,
                borrower_position: &position,
                borrower_unit: &unit,
                borrower_email: &email,
                purpose: &request.purpose,
                handed_by: actor.user.id,
                approved_by: approver.as_ref().map(|u| u.id),
                borrowed_on: request.borrowed_on,
                due_on: request.due_on,
                at: now,
            },
        )
        .await?;
        let event = LetterHistory::Lent(history::Lent {
            loan_id,
            item,
            borrower: name,
            due_on: crate::store::date_to_db(request.due_on),
        });
        audit::insert_event(&mut tx, letter.id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_loan(&actor.office.id, loan_id).await?)
    }

    /// A loan comes back: who brought it and when (today when empty).
    pub async fn return_loan(
        &self,
        actor: &Actor,
        loan_id: i64,
        returned_by: &str,
        returned_on: &str,
    ) -> Result<Loan> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        let loan = self.store.find_loan(&actor.office.id, loan_id).await?;
        let mut errors = FieldErrors::default();
        let on = date_field(returned_on, "returned_on", &mut errors).unwrap_or_else(today);
        if on < loan.borrowed_on || on > today() {
            errors.add("returned_on", "วันส่งคืนต้องอยู่ระหว่างวันยืมกับวันนี้");
        }
        if !errors.0.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let who = match returned_by.trim() {
            "" => loan.borrower_name.clone(),
            w => w.to_string(),
        };
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        let letter_id =
            store_filing::return_loan(&mut tx, &actor.office.id, loan_id, &who, on, actor.user.id)
                .await?
                .ok_or_else(|| ServiceError::Conflict("รายการยืมนี้ส่งคืนแล้ว".into()))?;
        let event = LetterHistory::LoanReturned(history::LoanReturned {
            loan_id,
            returned_by: who,
            returned_on: crate::store::date_to_db(on),
        });
        audit::insert_event(&mut tx, letter_id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_loan(&actor.office.id, loan_id).await?)
    }

    /// The lending register, newest first: every loan, or only those out, overdue or returned.
    /// The office's loans in `status`; with `words`, those of letters holding every word.
    pub async fn loans(
        &self,
        actor: &Actor,
        status: Option<LoanStatus>,
        words: &str,
    ) -> Result<Vec<Loan>> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        let today = today();
        let returned = status.map(|s| s == LoanStatus::Returned);
        Ok(self
            .store
            .loans(&actor.office.id, returned, words)
            .await?
            .into_iter()
            .filter(|l| {
                status.is_none_or(|s| LoanStatus::of(l.due_on, l.returned_on.is_some(), today) == s)
            })
            .collect())
    }

    pub async fn loan(&self, actor: &Actor, loan_id: i64) -> Result<Loan> {
        super::records::require_records_desk(actor, "งานเก็บและให้ยืมหนังสือทำ")?;
        Ok(self.store.find_loan(&actor.office.id, loan_id).await?)
    }

    pub async fn letter_loans(&self, actor: &Actor, letter_id: i64) -> Result<Vec<Loan>> {
        self.letter(actor, letter_id).await?;
        Ok(self.store.letter_loans(letter_id).await?)
    }
}

/// A loan as the card and the lending register print it.
pub fn loan_row(l: &Loan) -> LoanRow {
    let mut borrower = l.borrower_name.clone();
    for part in [&l.borrower_position, &l.borrower_unit] {
        if !part.is_empty() {
            borrower.push_str(&format!(" {part}"));
        }
    }
    let mut handed = l.handed_by_name.clone();
    if let Some(approver) = &l.approved_by_name {
        handed.push_str(&format!(" (อนุญาตโดย {approver})"));
    }
    LoanRow {
        item: format!(
            "{} เลขทะเบียน {} ที่ {} เรื่อง {}",
            l.item, l.letter_number, l.letter_doc_no, l.letter_subject
        ),
        borrower,
        handed_by: handed,
        borrowed_on: l.borrowed_on,
        due_on: l.due_on,
        returned_by: l.returned_by.clone().unwrap_or_default(),
        returned_on: l.returned_on,
        status: LoanStatus::of(l.due_on, l.returned_on.is_some(), today())
            .label()
            .to_string(),
    }
}

/// บัตรยืมหนังสือ (แบบที่ 24) of one loan, or the lending register of many.
pub fn loans_sheet(office: &str, loans: &[Loan], card: bool) -> RegisterSheet {
    let year_be = loans
        .first()
        .map(|l| l.borrowed_on.year() + 543)
        .unwrap_or_else(|| today().year() + 543);
    let rows: Vec<LoanRow> = loans.iter().map(loan_row).collect();
    forms::loans_sheet(office, year_be, &rows, card)
}
