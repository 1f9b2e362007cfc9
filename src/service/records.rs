//! The record's life: an earlier register brought in whole or not at all, a letter's retention
//! changed, legal holds placed and lifted. Each change is a line of the letter's hash-chained
//! history.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use super::{Actor, Result, ServiceError, Services};
use crate::domain::history::{self, LetterHistory};
use crate::domain::import::{self, ImportError, ImportRow, RowProblem};
use crate::domain::letter::LetterFields;
use crate::domain::register::Register;
use crate::domain::retention::{self, Retention};
use crate::domain::thai_date;
use crate::store::letters::NewLetter;
use crate::store::records::{self as store_records, ImportMark};
use crate::store::registration::{self, Placed};
use crate::store::{audit, closings};

/// What an import wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub register: Register,
    pub imported: usize,
    /// Per Buddhist-era year: how many rows, and the lowest and highest number.
    pub years: Vec<ImportedYear>,
    /// The year whose counter moved past the imported numbers (the current one), if any.
    pub counter_moved: Option<i32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportedYear {
    pub year_be: i32,
    pub rows: usize,
    pub first: i64,
    pub last: i64,
}

fn bangkok_to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_local_timezone(thai_date::bangkok())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| t.and_utc())
}

impl Services {
    /// Brings an earlier register (CSV or XLSX in the columns of saraban's own export) into
    /// `register`: every row, or none with the Thai report of every bad row. Rows keep their year
    /// and number; a number already in the register is a bad row. Counters of past years stay as
    /// they are; the current year's moves past the highest number brought in.
    pub async fn import_register(
        &self,
        actor: &Actor,
        register: Register,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ImportReport> {
        if !actor.user.role.can_register(register) {
            return Err(ServiceError::Forbidden(
                "นำเข้าทะเบียนได้เฉพาะเจ้าหน้าที่ธุรการและผู้ดูแลระบบ".into(),
            ));
        }
        let (header, rows) = crate::import::read_table(file_name, bytes)
            .map_err(|e| ServiceError::Unsupported(e.to_string()))?;
        let rows = import::read_rows(register, &header, &rows).map_err(|e| match e {
            ImportError::BadRows(problems) => ServiceError::ImportRefused(problems),
            other => ServiceError::Unsupported(other.to_string()),
        })?;
        let file = history::FileRef {
            name: file_name.to_string(),
            sha256: crate::security::sha256_hex(bytes),
        };
        self.write_import(actor, register, &rows, &file).await
    }

    async fn write_import(
        &self,
        actor: &Actor,
        register: Register,
        rows: &[ImportRow],
        file: &history::FileRef,
    ) -> Result<ImportReport> {
        let office = &actor.office;
        let series = register.series(office.circular_numbering);
        let now = Utc::now();
        let current_year = super::current_year(office);
        let mut tx = self.store.begin_write().await?;
        let rules = store_records::retention_rules(&mut tx, &office.id).await?;

        // Clashes with the register and closed years, checked before anything is written.
        let mut problems: Vec<RowProblem> = Vec::new();
        let mut taken: BTreeMap<i32, std::collections::BTreeSet<i64>> = BTreeMap::new();
        let mut closed: BTreeMap<i32, bool> = BTreeMap::new();
        // The office's own letters (not inbound) have a ที่ of their own, unique in the year.
        let own = register != Register::Inbound;
        let mut doc_nos: BTreeMap<i32, std::collections::BTreeSet<String>> = BTreeMap::new();
        for r in rows {
            if own
                && let std::collections::btree_map::Entry::Vacant(slot) = doc_nos.entry(r.year_be)
            {
                slot.insert(store_records::own_doc_nos(&mut tx, &office.id, r.year_be).await?);
            }
            if let std::collections::btree_map::Entry::Vacant(slot) = taken.entry(r.year_be) {
                slot.insert(
                    store_records::numbers_taken(&mut tx, &office.id, series, r.year_be).await?,
                );
                let is_closed =
                    closings::is_closed(&mut tx, &office.id, register, r.year_be).await?;
                closed.insert(r.year_be, is_closed);
            }
            let mut messages = Vec::new();
            if taken.get(&r.year_be).is_some_and(|t| t.contains(&r.number)) {
                messages.push(format!(
                    "{} {} ปี พ.ศ. {} มีอยู่ในทะเบียนแล้ว",
                    register.number_label(),
                    r.number,
                    r.year_be
                ));
            }
            if own {
                let year = doc_nos.entry(r.year_be).or_default();
                if r.doc_no.is_empty() {
                    messages.push("ไม่มีที่ (เลขที่หนังสือ) ซึ่งหนังสือส่งของสำนักงานต้องมี".into());
                } else if !year.insert(r.doc_no.clone()) {
                    messages.push(format!(
                        "ที่ {} ปี พ.ศ. {} ซ้ำกับหนังสือของสำนักงานที่มีอยู่แล้ว",
                        r.doc_no, r.year_be
                    ));
                }
            }
            if closed.get(&r.year_be).copied().unwrap_or(false) {
                messages.push(format!(
                    "{} ปี พ.ศ. {} ปิดทะเบียนประจำปีแล้ว",
                    register.label(),
                    r.year_be
                ));
            }
            if r.year_be > current_year {
                messages.push(format!("ปี พ.ศ. {} ยังมาไม่ถึง", r.year_be));
            }
            if !messages.is_empty() {
                problems.push(RowProblem {
                    row: r.row,
                    messages,
                });
            }
        }
        if !problems.is_empty() {
            // Nothing was written: dropping the transaction leaves the register as it was.
            return Err(ServiceError::ImportRefused(problems));
        }

        let mut years: BTreeMap<i32, ImportedYear> = BTreeMap::new();
        for r in rows {
            let fields = LetterFields {
                doc_no: Some(r.doc_no.clone()),
                doc_date: r.doc_date,
                from: r.from.clone(),
                to: r.to.clone(),
                subject: r.subject.clone(),
                action: r.action.clone(),
                remark: r.remark.clone(),
                speed: r.speed,
                secrecy: r.secrecy,
                letter_type: r.letter_type,
            };
            let new = NewLetter {
                office,
                register,
                fields: &fields,
                registered_by: actor.user.id,
                registered_at: bangkok_to_utc(r.registered),
                received_at: r.received.map(bangkok_to_utc),
                attachments: Vec::new(),
                inbox_entry_id: None,
                allow_duplicate: true,
            };
            // ที่ is kept as the earlier register wrote it, so export → import gives it back.
            let doc_no = r.doc_no.clone();
            let placed = Placed {
                series,
                year_be: r.year_be,
                number: r.number,
                doc_no: &doc_no,
                retention: r.retention.unwrap_or_else(|| {
                    retention::default_for(&rules, register, r.letter_type.code())
                }),
            };
            let id = registration::insert_letter(&mut tx, &new, &placed).await?;
            store_records::mark_imported(
                &mut tx,
                id,
                &ImportMark {
                    imported_by: actor.user.id,
                    imported_at: now,
                    cancelled: r.cancelled.clone(),
                },
            )
            .await?;
            let event = LetterHistory::Imported(history::Imported {
                file: file.clone(),
                row: r.row as i64,
            });
            audit::insert_event(&mut tx, id, &event, Some(actor.user.id), now).await?;
            let year = years.entry(r.year_be).or_insert(ImportedYear {
                year_be: r.year_be,
                rows: 0,
                first: r.number,
                last: r.number,
            });
            year.rows += 1;
            year.first = year.first.min(r.number);
            year.last = year.last.max(r.number);
        }
        let mut counter_moved = None;
        if let Some(year) = years.get(&current_year) {
            store_records::advance_counter(&mut tx, &office.id, series, current_year, year.last)
                .await?;
            counter_moved = Some(current_year);
        }
        crate::store::commit(tx).await?;
        Ok(ImportReport {
            register,
            imported: rows.len(),
            years: years.into_values().collect(),
            counter_moved,
        })
    }

    /// Changes a letter's retention (a clerk's decision), recorded in its history.
    pub async fn set_retention(
        &self,
        actor: &Actor,
        letter_id: i64,
        retention: Retention,
    ) -> Result<()> {
        require_records_desk(actor, "เปลี่ยนอายุการเก็บ")?;
        let letter = self.store.find_letter(&actor.office.id, letter_id).await?;
        if letter.retention == retention {
            return Ok(());
        }
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        store_records::set_letter_retention(&mut tx, letter_id, retention).await?;
        let event = LetterHistory::RetentionSet(history::RetentionSet {
            old: letter.retention.label(),
            new: retention.label(),
        });
        audit::insert_event(&mut tx, letter_id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        Ok(())
    }

    /// Places a legal hold: the letter may not be destroyed until it is lifted.
    pub async fn place_hold(&self, actor: &Actor, letter_id: i64, reason: &str) -> Result<i64> {
        require_records_desk(actor, "ระงับการทำลาย")?;
        let reason = required_reason(reason)?;
        self.store.find_letter(&actor.office.id, letter_id).await?;
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        let hold_id =
            store_records::insert_hold(&mut tx, letter_id, &reason, actor.user.id, now).await?;
        let event = LetterHistory::HoldPlaced(history::Hold { hold_id, reason });
        audit::insert_event(&mut tx, letter_id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        Ok(hold_id)
    }

    /// Lifts a hold; the letter's id.
    pub async fn lift_hold(&self, actor: &Actor, hold_id: i64, reason: &str) -> Result<i64> {
        require_records_desk(actor, "ระงับการทำลาย")?;
        let reason = required_reason(reason)?;
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        let letter_id = store_records::lift_hold(
            &mut tx,
            &actor.office.id,
            hold_id,
            &reason,
            actor.user.id,
            now,
        )
        .await?
        .ok_or(ServiceError::NotFound)?;
        let event = LetterHistory::HoldLifted(history::Hold { hold_id, reason });
        audit::insert_event(&mut tx, letter_id, &event, Some(actor.user.id), now).await?;
        crate::store::commit(tx).await?;
        Ok(letter_id)
    }
}

/// The record's life (retention, holds, filing, lending, destruction, handover) is the work of the
/// saraban desk: clerks, the director and administrators. `what` opens the Thai refusal.
pub(crate) fn require_records_desk(actor: &Actor, what: &str) -> Result<()> {
    if actor.user.role.can_cancel() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "{what}ได้เฉพาะเจ้าหน้าที่ธุรการ ผู้อำนวยการ และผู้ดูแลระบบ"
        )))
    }
}

fn required_reason(reason: &str) -> Result<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        let mut errors = crate::domain::letter::FieldErrors::default();
        errors.add("reason", "กรุณาระบุเหตุผล");
        return Err(ServiceError::Invalid(errors));
    }
    Ok(reason.to_string())
}

impl Services {
    /// Who a command-line operator's action in an office is credited to: the officer named
    /// `as_user` (of that office), or else its first active officer whose role `may` do it.
    pub(crate) async fn operator_actor(
        &self,
        office_id: &str,
        as_user: Option<&str>,
        may: impl Fn(crate::domain::user::Role) -> bool,
    ) -> Result<Actor> {
        let office = self.store.find_office(office_id.trim()).await?;
        let user = match as_user {
            Some(name) => {
                let user = self.store.find_user_by_name(name.trim()).await?;
                if user.office_id != office.id {
                    return Err(ServiceError::NotFound);
                }
                user
            }
            None => self
                .store
                .list_users(&office.id)
                .await?
                .into_iter()
                .filter(|u| u.active && may(u.role))
                .min_by_key(|u| (u.role, u.id))
                .ok_or_else(|| {
                    ServiceError::Conflict(
                        "สำนักงานนี้ยังไม่มีเจ้าหน้าที่ที่ทำงานนี้ได้ ให้เพิ่มผู้ใช้ก่อน หรือระบุ --as".into(),
                    )
                })?,
        };
        Ok(Actor { user, office })
    }

    /// `saraban import register`: the operator brings an earlier register into an office, credited
    /// to one of its officers (`as_user`), or to its first administrator or clerk.
    pub async fn import_register_as(
        &self,
        office_id: &str,
        as_user: Option<&str>,
        register: Register,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<ImportReport> {
        let actor = self
            .operator_actor(office_id, as_user, |r| r.can_register(register))
            .await?;
        self.import_register(&actor, register, file_name, bytes)
            .await
    }
}

impl Services {
    /// A letter's legal holds, newest first (the letter must be one the actor may read).
    pub async fn legal_holds(
        &self,
        actor: &Actor,
        letter_id: i64,
    ) -> Result<Vec<crate::store::records::LegalHold>> {
        self.letter(actor, letter_id).await?;
        Ok(self.store.legal_holds(letter_id).await?)
    }
}

/// A retention default as a form or the API gives it: register and letter type codes ('' = any),
/// the class, and years for another law.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct RetentionRuleInput {
    pub register: String,
    pub letter_type: String,
    pub class: String,
    pub years: Option<i32>,
}

impl Services {
    /// The office's retention settings: how "เก็บถึง" is counted and the defaults for new letters.
    pub async fn retention_settings(
        &self,
        actor: &Actor,
    ) -> Result<(retention::Counting, Vec<retention::RetentionRule>)> {
        Ok((
            actor.office.retention_counting,
            self.store.retention_defaults(&actor.office.id).await?,
        ))
    }

    /// Sets how "เก็บถึง" is counted, and (when given) replaces the defaults for new letters.
    /// Letters already registered keep their class; their "เก็บถึง" follows the new counting.
    pub async fn set_retention_settings(
        &self,
        actor: &Actor,
        counting: Option<&str>,
        rules: Option<&[RetentionRuleInput]>,
    ) -> Result<()> {
        self.require_settings(actor)?;
        let mut errors = crate::domain::letter::FieldErrors::default();
        let counting = match counting.map(str::trim) {
            None | Some("") => None,
            Some(code) => match retention::Counting::from_code(code) {
                Some(c) => Some(c),
                None => {
                    errors.add(
                        "retention_counting",
                        "วิธีนับต้องเป็น end_of_year หรือ from_registration",
                    );
                    None
                }
            },
        };
        let mut parsed = Vec::new();
        for (i, r) in rules.unwrap_or(&[]).iter().enumerate() {
            let register = match r.register.trim() {
                "" => None,
                code => match Register::parse(code) {
                    Some(reg) => Some(reg),
                    None => {
                        errors.add(&format!("retention_defaults.{i}.register"), "ไม่รู้จักทะเบียนนี้");
                        continue;
                    }
                },
            };
            let letter_type = match r.letter_type.trim() {
                "" => None,
                t => match crate::domain::letter::LetterType::parse(t) {
                    Some(lt) => Some(lt.code().to_string()),
                    None => {
                        errors.add(
                            &format!("retention_defaults.{i}.letter_type"),
                            "ไม่รู้จักชนิดหนังสือนี้",
                        );
                        continue;
                    }
                },
            };
            let class = retention::RetentionClass::from_code(r.class.trim())
                .or_else(|| Retention::parse(&r.class).ok().map(|x| x.class));
            match class.map(|c| Retention::new(c, r.years)) {
                Some(Ok(ret)) => parsed.push((register, letter_type, ret)),
                Some(Err(e)) => errors.add(&format!("retention_defaults.{i}.years"), e.to_string()),
                None => errors.add(&format!("retention_defaults.{i}.class"), "ไม่รู้จักอายุการเก็บนี้"),
            }
        }
        if !errors.0.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        if let Some(c) = counting {
            self.store
                .set_retention_counting(&actor.office.id, c)
                .await?;
        }
        if rules.is_some() {
            self.store
                .set_retention_defaults(&actor.office.id, &parsed)
                .await?;
        }
        Ok(())
    }
}
