//! Lawful destruction as one workflow (ข้อ 66–70): survey → committee → review and each member's
//! confirmation → the chair's submission → the head's approval → sent to the National Archives →
//! its answer (or the window) → destruction. Every step is checked against the list's state (a
//! step out of order is a 409 in Thai) and written into the hash-chained history of every letter
//! on the list.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::{Actor, Result, ServiceError, Services};

mod forms;
use crate::domain::disposal::{self, Candidate, Decision, DisposalState, DisposalStep, Step};
use crate::domain::history::LetterHistory;
use crate::domain::retention::{Retention, RetentionClass};
use crate::domain::thai_date;
use crate::domain::user::Role;
use crate::files::Removed;
use crate::store::disposals::{self as store_disposals, Disposal, Fact};
use crate::store::{Tx, audit, time_to_db};
pub use forms::{destruction_memo, disposal_sheet};

/// One item's review as the committee gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewInput {
    pub letter_id: i64,
    pub decision: String,
    #[serde(default)]
    pub keep_until_be: Option<i32>,
}

/// A new draft list: what a survey or the head's order made. The list itself is read with
/// [`Services::disposal`]; a survey of 100 000 letters does not read them twice.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Drafted {
    pub id: i64,
    pub year_be: i32,
    pub item_count: usize,
}

/// What a destruction did.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Destruction {
    pub letters: usize,
    /// Items left on the list because a hold was placed after the review.
    pub held_back: usize,
    pub files_removed: u64,
    pub bytes_freed: u64,
    pub packs_rewritten: u64,
}

fn today() -> NaiveDate {
    thai_date::to_bangkok(Utc::now()).date()
}

fn conflict(message: String) -> ServiceError {
    ServiceError::Conflict(message)
}

impl Services {
    fn is_head(actor: &Actor) -> bool {
        matches!(actor.user.role, Role::Director | Role::Admin)
    }

    fn require_head(actor: &Actor, what: &str) -> Result<()> {
        if Self::is_head(actor) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!(
                "{what}ได้เฉพาะผู้อำนวยการ (หัวหน้าส่วนราชการ) และผู้ดูแลระบบ"
            )))
        }
    }

    /// Writes one step into the history of every letter on the list.
    async fn log_step(
        &self,
        tx: &mut Tx,
        (disposal_id, year_be): (i64, i32),
        letters: impl Iterator<Item = (i64, String)>,
        step: &str,
        actor: &Actor,
    ) -> Result<()> {
        let events: Vec<(i64, LetterHistory)> = letters
            .map(|(letter_id, detail)| {
                (
                    letter_id,
                    LetterHistory::Disposal(DisposalStep {
                        disposal_id,
                        year_be,
                        step: step.to_string(),
                        detail,
                    }),
                )
            })
            .collect();
        audit::insert_events(
            self.store.kind(),
            tx,
            &events,
            Some(actor.user.id),
            Utc::now(),
        )
        .await?;
        Ok(())
    }

    pub async fn disposals(&self, actor: &Actor) -> Result<Vec<Disposal>> {
        super::records::require_records_desk(actor, "งานทำลายหนังสือทำ")?;
        Ok(self.store.disposals(&actor.office.id).await?)
    }

    pub async fn disposal(&self, actor: &Actor, id: i64) -> Result<Disposal> {
        super::records::require_records_desk(actor, "งานทำลายหนังสือทำ")?;
        Ok(self.store.find_disposal(&actor.office.id, id).await?)
    }

    /// The survey of `year_be` (ข้อ 66): a draft list of the letters whose keeping ended by the end
    /// of that year. 409 when the year has not ended, or when nothing is due.
    pub async fn survey(&self, actor: &Actor, year_be: i32) -> Result<Drafted> {
        super::records::require_records_desk(actor, "งานทำลายหนังสือทำ")?;
        let this_year = thai_date::to_bangkok(Utc::now()).date();
        if year_be >= disposal::year_be_of(this_year) {
            return Err(conflict(format!(
                "สำรวจหนังสือขอทำลายได้เมื่อสิ้นปี พ.ศ. {year_be} แล้ว"
            )));
        }
        self.make_list(actor, year_be, "survey", |candidates| {
            disposal::survey(year_be, candidates)
        })
        .await
    }

    /// The head's order (ภาคผนวก 6 of the 2564 amendment): a draft list of the electronic letters
    /// kept over 10 years, oldest first (at most `limit`), through the same committee, approval,
    /// National Archives and destruction as the survey's.
    pub async fn order_over_ten_years(
        &self,
        actor: &Actor,
        limit: Option<usize>,
    ) -> Result<Drafted> {
        Self::require_head(actor, "สั่งทำลายหนังสืออิเล็กทรอนิกส์ที่เก็บเกิน 10 ปี")?;
        let year_be = disposal::year_be_of(thai_date::to_bangkok(Utc::now()).date());
        self.make_list(actor, year_be, "over_ten_years", |candidates| {
            disposal::over_ten_years(year_be, candidates, limit)
        })
        .await
    }

    async fn make_list(
        &self,
        actor: &Actor,
        year_be: i32,
        basis: &str,
        choose: impl FnOnce(&[Candidate]) -> Vec<i64>,
    ) -> Result<Drafted> {
        let mut tx = self.store.begin_write().await?;
        let (counting, rows) =
            store_disposals::survey_rows(&mut tx, &actor.office.id, year_be + 1).await?;
        let candidates: Vec<Candidate> = rows
            .iter()
            .map(|r| Candidate {
                letter_id: r.letter_id,
                year_be: r.year_be,
                class: r.retention.class,
                keep_until: r
                    .retention
                    .keep_until(thai_date::to_bangkok(r.registered_at).date(), counting),
                held: r.held,
                settled: r.listed,
            })
            .collect();
        let due = choose(&candidates);
        if due.is_empty() {
            return Err(conflict(if basis == "survey" {
                format!("ไม่มีหนังสือที่ครบอายุการเก็บภายในสิ้นปี พ.ศ. {year_be} (หรืออยู่ในบัญชีอื่นแล้ว)")
            } else {
                "ไม่มีหนังสือที่เก็บเกิน 10 ปีซึ่งทำลายได้ (หรืออยู่ในบัญชีอื่นแล้ว)".to_string()
            }));
        }
        let now = Utc::now();
        let id = store_disposals::insert_disposal(
            self.store.kind(),
            &mut tx,
            &actor.office.id,
            (year_be, basis),
            actor.user.id,
            now,
            &due,
        )
        .await?;
        let draft = Drafted {
            id,
            year_be,
            item_count: due.len(),
        };
        let why = if basis == "survey" {
            "สำรวจ ครบอายุการเก็บ"
        } else {
            "คำสั่งหัวหน้าส่วนราชการ ทำลายหนังสืออิเล็กทรอนิกส์ที่เก็บเกิน 10 ปี"
        };
        self.log_step(
            &mut tx,
            (id, year_be),
            due.iter()
                .enumerate()
                .map(|(n, id)| (*id, format!("{why} ลำดับที่ {}", n + 1))),
            "surveyed",
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(draft)
    }

    /// The head appoints the committee: a chair and at least two members, by username.
    pub async fn appoint_committee(
        &self,
        actor: &Actor,
        id: i64,
        chair: &str,
        members: &[String],
    ) -> Result<Disposal> {
        Self::require_head(actor, "แต่งตั้งคณะกรรมการ")?;
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        disposal::check_step(d.state, Step::AppointCommittee).map_err(conflict)?;
        let mut ids = Vec::new();
        let mut names = Vec::new();
        for name in std::iter::once(chair).chain(members.iter().map(String::as_str)) {
            match self.store.find_user_by_name(name.trim()).await {
                Ok(u) if u.office_id == actor.office.id && u.active => {
                    if !self
                        .records
                        .committee_roles
                        .iter()
                        .any(|r| r == u.role.code())
                    {
                        let mut errors = crate::domain::letter::FieldErrors::default();
                        errors.add(
                            "members",
                            format!(
                                "{} มีบทบาท{} ซึ่งการตั้งค่า [records] committee_roles ไม่ให้เป็นกรรมการ",
                                u.display_name(),
                                u.role.label()
                            ),
                        );
                        return Err(ServiceError::Invalid(errors));
                    }
                    ids.push(u.id);
                    names.push(u.display_name().to_string());
                }
                _ => {
                    let mut errors = crate::domain::letter::FieldErrors::default();
                    errors.add(
                        "members",
                        format!("ไม่พบเจ้าหน้าที่ “{}” ในหน่วยงาน", name.trim()),
                    );
                    return Err(ServiceError::Invalid(errors));
                }
            }
        }
        disposal::check_committee(ids[0], &ids[1..]).map_err(|m| {
            let mut errors = crate::domain::letter::FieldErrors::default();
            errors.add("members", m);
            ServiceError::Invalid(errors)
        })?;
        let mut tx = self.store.begin_write().await?;
        store_disposals::set_committee(&mut tx, id, ids[0], &ids[1..], actor.user.id).await?;
        store_disposals::set_state(&mut tx, id, DisposalState::Committee).await?;
        let line = format!(
            "แต่งตั้งคณะกรรมการ ประธาน {} กรรมการ {}",
            names[0],
            names[1..].join(", ")
        );
        self.log_step(
            &mut tx,
            (d.id, d.year_be),
            d.items.iter().map(|i| (i.letter_id, line.clone())),
            "committee",
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_disposal(&actor.office.id, id).await?)
    }

    fn member_of(d: &Disposal, actor: &Actor) -> Result<bool> {
        match d.members.iter().find(|m| m.user_id == actor.user.id) {
            Some(m) => Ok(m.is_chair),
            None => Err(ServiceError::Forbidden("เฉพาะคณะกรรมการของบัญชีนี้".into())),
        }
    }

    /// The committee marks items destroy (×) or keep to a later year (การพิจารณา). A change asks
    /// every member to confirm again.
    pub async fn review(&self, actor: &Actor, id: i64, items: &[ReviewInput]) -> Result<Disposal> {
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        Self::member_of(&d, actor)?;
        disposal::check_step(d.state, Step::Review).map_err(conflict)?;
        let mut checked = Vec::new();
        let mut errors = crate::domain::letter::FieldErrors::default();
        for (n, item) in items.iter().enumerate() {
            let decision = Decision::from_code(item.decision.trim()).unwrap_or(Decision::Pending);
            match disposal::check_review(decision, item.keep_until_be, d.year_be) {
                Ok(keep) => checked.push((item.letter_id, decision, keep)),
                Err(m) => errors.add(&format!("items.{n}"), m),
            }
        }
        if !errors.0.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let mut tx = self.store.begin_write().await?;
        for (letter_id, decision, keep) in &checked {
            if !store_disposals::set_decision(&mut tx, id, *letter_id, *decision, *keep).await? {
                return Err(ServiceError::Invalid({
                    let mut e = crate::domain::letter::FieldErrors::default();
                    e.add("items", format!("หนังสือรหัส {letter_id} ไม่อยู่ในบัญชีนี้"));
                    e
                }));
            }
        }
        store_disposals::clear_confirmations(&mut tx, id).await?;
        self.log_step(
            &mut tx,
            (d.id, d.year_be),
            checked.iter().map(|(letter_id, decision, keep)| {
                (
                    *letter_id,
                    match keep {
                        Some(y) => format!("คณะกรรมการพิจารณา: เก็บต่อถึง พ.ศ. {y}"),
                        None => format!("คณะกรรมการพิจารณา: {}", decision.label()),
                    },
                )
            }),
            "reviewed",
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_disposal(&actor.office.id, id).await?)
    }

    /// A member confirms the review as it stands.
    pub async fn confirm_review(&self, actor: &Actor, id: i64) -> Result<Disposal> {
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        Self::member_of(&d, actor)?;
        disposal::check_step(d.state, Step::Confirm).map_err(conflict)?;
        if d.items.iter().any(|i| i.decision == Decision::Pending) {
            return Err(conflict("ยังมีรายการที่คณะกรรมการยังไม่พิจารณา".into()));
        }
        let mut tx = self.store.begin_write().await?;
        store_disposals::confirm(&mut tx, id, actor.user.id, Utc::now()).await?;
        let line = format!("กรรมการ {} ยืนยันผลการพิจารณา", actor.user.display_name());
        self.log_step(
            &mut tx,
            (d.id, d.year_be),
            d.items.iter().map(|i| (i.letter_id, line.clone())),
            "confirmed",
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_disposal(&actor.office.id, id).await?)
    }

    /// The chair submits the reviewed list to the head, once every member confirmed.
    pub async fn submit_disposal(&self, actor: &Actor, id: i64) -> Result<Disposal> {
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        if !Self::member_of(&d, actor)? {
            return Err(ServiceError::Forbidden(
                "เสนอบัญชีได้เฉพาะประธานกรรมการ".into(),
            ));
        }
        disposal::check_step(d.state, Step::Submit).map_err(conflict)?;
        if d.items.iter().any(|i| i.decision == Decision::Pending) {
            return Err(conflict("ยังมีรายการที่คณะกรรมการยังไม่พิจารณา".into()));
        }
        let waiting: Vec<&str> = d
            .members
            .iter()
            .filter(|m| m.confirmed_at.is_none())
            .map(|m| m.name.as_str())
            .collect();
        if !waiting.is_empty() {
            return Err(conflict(format!(
                "กรรมการยังไม่ยืนยันผลการพิจารณา: {}",
                waiting.join(", ")
            )));
        }
        self.move_on(
            actor,
            &d,
            DisposalState::Submitted,
            Some((Fact::Submitted, time_to_db(Utc::now()))),
            "submitted",
            "ประธานกรรมการเสนอบัญชีต่อหัวหน้าส่วนราชการ".into(),
        )
        .await
    }

    /// The head approves the list.
    pub async fn approve_disposal(&self, actor: &Actor, id: i64) -> Result<Disposal> {
        Self::require_head(actor, "อนุมัติบัญชีหนังสือขอทำลาย")?;
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        disposal::check_step(d.state, Step::Approve).map_err(conflict)?;
        let line = format!("{} อนุมัติบัญชี", actor.user.display_name());
        self.move_on(
            actor,
            &d,
            DisposalState::Approved,
            Some((Fact::Approved(actor.user.id), time_to_db(Utc::now()))),
            "approved",
            line,
        )
        .await
    }

    /// The list (original and copy) sent to the National Archives on `sent_on`.
    pub async fn disposal_sent(&self, actor: &Actor, id: i64, sent_on: &str) -> Result<Disposal> {
        super::records::require_records_desk(actor, "งานทำลายหนังสือทำ")?;
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        disposal::check_step(d.state, Step::Send).map_err(conflict)?;
        let on = match sent_on.trim() {
            "" => today(),
            t => thai_date::parse_date(t).map_err(|e| {
                let mut errors = crate::domain::letter::FieldErrors::default();
                errors.add("sent_on", e.to_string());
                ServiceError::Invalid(errors)
            })?,
        };
        let line = format!(
            "ส่งบัญชี (ต้นฉบับและสำเนา) ให้สำนักหอจดหมายเหตุแห่งชาติ เมื่อ {}",
            thai_date::format_short(on)
        );
        self.move_on(
            actor,
            &d,
            DisposalState::Sent,
            Some((Fact::Sent, crate::store::date_to_db(on))),
            "sent",
            line,
        )
        .await
    }

    /// The National Archives' answer: the letters it wants kept are kept, for ever.
    pub async fn archives_answer(&self, actor: &Actor, id: i64, keep: &[i64]) -> Result<Disposal> {
        super::records::require_records_desk(actor, "งานทำลายหนังสือทำ")?;
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        disposal::check_step(d.state, Step::ArchivesAnswer).map_err(conflict)?;
        let listed: BTreeSet<i64> = d.items.iter().map(|i| i.letter_id).collect();
        if let Some(stranger) = keep.iter().find(|k| !listed.contains(k)) {
            let mut errors = crate::domain::letter::FieldErrors::default();
            errors.add("keep", format!("หนังสือรหัส {stranger} ไม่อยู่ในบัญชีนี้"));
            return Err(ServiceError::Invalid(errors));
        }
        let mut tx = self.store.begin_write().await?;
        for letter_id in keep {
            store_disposals::archives_keep(&mut tx, id, *letter_id).await?;
            crate::store::records::set_letter_retention(
                &mut tx,
                *letter_id,
                Retention::of(RetentionClass::Permanent),
            )
            .await?;
        }
        store_disposals::mark(
            &mut tx,
            id,
            Fact::Answered,
            crate::store::date_to_db(today()),
        )
        .await?;
        store_disposals::set_state(&mut tx, id, DisposalState::Answered).await?;
        let kept: BTreeSet<i64> = keep.iter().copied().collect();
        self.log_step(
            &mut tx,
            (d.id, d.year_be),
            d.items.iter().map(|i| {
                (
                    i.letter_id,
                    if kept.contains(&i.letter_id) {
                        "กรมศิลปากรขอให้เก็บไว้: ห้ามทำลาย".to_string()
                    } else {
                        "กรมศิลปากรตอบแล้ว ไม่ขอเก็บ".to_string()
                    },
                )
            }),
            "archives_answer",
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_disposal(&actor.office.id, id).await?)
    }

    async fn move_on(
        &self,
        actor: &Actor,
        d: &Disposal,
        to: DisposalState,
        fact: Option<(Fact, String)>,
        step: &str,
        line: String,
    ) -> Result<Disposal> {
        let mut tx = self.store.begin_write().await?;
        if let Some((fact, value)) = fact {
            store_disposals::mark(&mut tx, d.id, fact, value).await?;
        }
        store_disposals::set_state(&mut tx, d.id, to).await?;
        self.log_step(
            &mut tx,
            (d.id, d.year_be),
            d.items.iter().map(|i| (i.letter_id, line.clone())),
            step,
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(self.store.find_disposal(&actor.office.id, d.id).await?)
    }

    /// Destroys the letters the committee marked × (and the archives did not keep, and no hold
    /// stops): their files are removed for good, including from pack files, unless a kept record
    /// names the same bytes; the register rows stay, marked. Kept items get their new
    /// keep-until.
    pub async fn destroy(&self, actor: &Actor, id: i64) -> Result<Destruction> {
        super::records::require_records_desk(actor, "งานทำลายหนังสือทำ")?;
        let d = self.store.find_disposal(&actor.office.id, id).await?;
        disposal::may_destroy(
            d.state,
            d.sent_on,
            today(),
            self.records.archives_answer_days,
        )
        .map_err(conflict)?;
        let now = Utc::now();
        let mut tx = self.store.begin_write().await?;
        let mut doomed = Vec::new();
        let mut held_back = 0;
        for item in &d.items {
            match (item.decision, item.archives_keep) {
                (Decision::Destroy, false) => {
                    if store_disposals::is_held(&mut tx, item.letter_id).await? {
                        held_back += 1;
                    } else {
                        doomed.push(item);
                    }
                }
                (Decision::Keep, false) => {
                    // การพิจารณา: kept to a later year, as another law's period would be.
                    if let Some(until) = item.keep_until_be {
                        let years = (until - item.letter_year_be).max(1);
                        crate::store::records::set_letter_retention(
                            &mut tx,
                            item.letter_id,
                            Retention {
                                class: RetentionClass::ByLaw,
                                years: Some(years),
                            },
                        )
                        .await?;
                    }
                }
                _ => {}
            }
        }
        let ids: Vec<i64> = doomed.iter().map(|i| i.letter_id).collect();
        let files = store_disposals::files_of(&mut tx, &ids).await?;
        let kept = store_disposals::still_named(&mut tx, &files, &ids).await?;
        let removable: BTreeSet<String> = files.difference(&kept).cloned().collect();
        let on = today();
        for item in &doomed {
            let note = disposal::destroyed_remark(d.year_be, item.item_no, on);
            store_disposals::mark_destroyed(&mut tx, item.letter_id, &note, now).await?;
        }
        store_disposals::forget_files(&mut tx, &removable).await?;
        // The destroyed letters are no longer found by their files' words.
        crate::store::search_columns::refresh_search_columns(&mut tx, &ids).await?;
        let entries = crate::store::inbox_text::entries_of_letters(&mut tx, &ids).await?;
        crate::store::inbox_text::refresh_entries(&mut tx, &entries).await?;
        store_disposals::mark(&mut tx, id, Fact::Destroyed(actor.user.id), time_to_db(now)).await?;
        store_disposals::set_state(&mut tx, id, DisposalState::Destroyed).await?;
        let destroyed: BTreeSet<i64> = ids.iter().copied().collect();
        self.log_step(
            &mut tx,
            (d.id, d.year_be),
            d.items.iter().map(|i| {
                let line = if destroyed.contains(&i.letter_id) {
                    disposal::destroyed_remark(d.year_be, i.item_no, on)
                } else if i.archives_keep {
                    "ไม่ทำลาย: กรมศิลปากรขอให้เก็บไว้".to_string()
                } else if i.decision == Decision::Destroy {
                    "ไม่ทำลาย: มีการระงับการทำลาย".to_string()
                } else {
                    format!(
                        "ไม่ทำลาย: เก็บต่อถึง พ.ศ. {}",
                        i.keep_until_be.unwrap_or_default()
                    )
                };
                (i.letter_id, line)
            }),
            "destroyed",
            actor,
        )
        .await?;
        crate::store::commit(tx).await?;
        // Recorded first, removed second: a failure here leaves bytes nothing names, never a
        // register that names bytes it no longer has. Bytes another letter names are left.
        let removed: Removed = self
            .remove_files_no_one_names(
                removable.into_iter().collect(),
                crate::files::Copies::All,
                None,
                "destruction",
            )
            .await?
            .removed;
        let mut tx = self.store.begin_write().await?;
        store_disposals::record_freed(&mut tx, id, removed.files, removed.bytes).await?;
        crate::store::commit(tx).await?;
        Ok(Destruction {
            letters: doomed.len(),
            held_back,
            files_removed: removed.files,
            bytes_freed: removed.bytes,
            packs_rewritten: removed.packs_rewritten,
        })
    }
}

impl Services {
    /// The survey nobody has to remember (ข้อ 66): while `today` is in the window after a year
    /// ended (`[records] survey_window_days`), every office without that year's survey list gets
    /// its draft, credited to its first administrator, director or clerk. An office with nothing
    /// due is asked again on the next call. How many lists were made.
    pub async fn survey_due_offices(&self, today: NaiveDate) -> Result<usize> {
        let last_year = disposal::year_be_of(today) - 1;
        if !disposal::in_survey_window(last_year, today, self.records.survey_window_days) {
            return Ok(0);
        }
        let mut made = 0;
        for office in self.store.list_offices().await? {
            if self.store.has_survey(&office.id, last_year).await? {
                continue;
            }
            let actor = match self
                .operator_actor(&office.id, None, |r| r.can_cancel())
                .await
            {
                Ok(actor) => actor,
                Err(ServiceError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            };
            match self.survey(&actor, last_year).await {
                Ok(_) => made += 1,
                Err(ServiceError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(made)
    }

    /// `saraban records survey`: the operator runs the survey of a past year for an office,
    /// credited to one of its officers (`as_user`), or to its first administrator or clerk.
    pub async fn survey_as(
        &self,
        office_id: &str,
        as_user: Option<&str>,
        year_be: i32,
    ) -> Result<Disposal> {
        let actor = self
            .operator_actor(office_id, as_user, |r| r.can_cancel())
            .await?;
        let drafted = self.survey(&actor, year_be).await?;
        self.disposal(&actor, drafted.id).await
    }
}
