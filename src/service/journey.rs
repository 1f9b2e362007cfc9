//! The letter's journey: forward, propose to the director, endorse (and มอบ), acknowledge,
//! send back; the personal and group boxes; work groups; and verifying the history chain.

use super::{Actor, Result, ServiceError, Services};
use chrono::Utc;

use crate::domain::history::GivenTo;
use crate::domain::inbox::LetterBox;
use crate::domain::journey::{
    self, ActingAs, AssignmentKind, ChainReport, Decision, FollowUp, StepFacts,
    distributes_everything, may_endorse,
};
use crate::domain::letter::FieldErrors;
use crate::domain::thai_date;
use crate::domain::user::Role;
use crate::store::audit;
use crate::store::follow_up::{FollowUpItem, GroupCounts};
use crate::store::journey::{
    self as assignments, Assignment, BoxItem, Endorsement, NewAssignment, Notify, Target, WorkGroup,
};
use crate::store::letters::Letter;

/// Whom to give a letter to, as the form or the API names it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TargetInput {
    /// A user name of the same office.
    pub user: Option<String>,
    /// A work group id of the same office.
    pub group: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    let mut e = FieldErrors::default();
    e.add(field, message);
    ServiceError::Invalid(e)
}

/// One step of a letter's journey, as a use case asks for it.
pub(crate) struct Give<'a> {
    pub letter_id: i64,
    pub office_id: &'a str,
    pub by: i64,
    pub kind: AssignmentKind,
    pub targets: &'a [Target],
    pub note: &'a str,
    pub due_date: Option<chrono::NaiveDate>,
    pub endorsement: Option<(Decision, &'a str, ActingAs)>,
}

impl Services {
    /// Records a step with the history entry and การปฏิบัติ words the domain makes of it, then
    /// wakes the outbox for the notification e-mails it queued.
    pub(crate) async fn step(&self, give: &Give<'_>) -> Result<Vec<Assignment>> {
        let to: Vec<GivenTo> = give.targets.iter().map(Target::given_to).collect();
        let facts = StepFacts {
            kind: give.kind,
            to: &to,
            note: give.note,
            due_date: give.due_date,
            endorsement: give.endorsement,
        };
        let history = facts.history();
        let now = Utc::now();
        let action_line = facts.action_line(now);
        let assignment = NewAssignment {
            letter_id: give.letter_id,
            office_id: give.office_id,
            kind: give.kind,
            by: give.by,
            note: give.note,
            due_date: give.due_date,
        };
        let mut tx = self.store.begin_write().await?;
        if let Some(endorsement) = give.endorsement {
            assignments::insert_endorsement(
                &mut tx,
                give.letter_id,
                give.office_id,
                give.by,
                endorsement,
                now,
            )
            .await?;
        }
        let mut ids = Vec::with_capacity(give.targets.len());
        for target in give.targets {
            let id = assignments::insert_assignment(&mut tx, &assignment, target, now).await?;
            // An e-mail to each person given the letter who wants one, never to the giver.
            for (user_id, email) in assignments::notified_people(&mut tx, target).await? {
                if user_id != give.by {
                    assignments::queue_notification(
                        &mut tx,
                        &assignment,
                        id,
                        (user_id, &email),
                        now,
                    )
                    .await?;
                }
            }
            ids.push(id);
        }
        let action = assignments::action_of(&mut tx, give.letter_id).await?;
        assignments::set_action(
            &mut tx,
            give.letter_id,
            &journey::append_action(&action, &action_line),
        )
        .await?;
        audit::insert_event(&mut tx, give.letter_id, &history, Some(give.by), now).await?;
        crate::store::commit(tx).await?;
        let given = self.store.assignments_among(give.letter_id, &ids).await?;
        self.outbox_wake.notify_one();
        Ok(given)
    }

    /// A user's own address for notification e-mails, and how often (`each`, `daily`, `off`).
    pub async fn set_notifications(&self, actor: &Actor, email: &str, mode: &str) -> Result<()> {
        self.set_contact(actor.user.id, email, mode).await
    }

    /// `saraban user notify`.
    pub async fn set_user_notifications(
        &self,
        username: &str,
        email: &str,
        mode: &str,
    ) -> Result<()> {
        let user = self.store.find_user_by_name(username.trim()).await?;
        self.set_contact(user.id, email, mode).await
    }

    async fn set_contact(&self, user_id: i64, email: &str, mode: &str) -> Result<()> {
        let email = crate::domain::office::parse_email(email)
            .map_err(|_| invalid("email", "ที่อยู่อีเมลไม่ถูกต้อง"))?;
        let notify = Notify::parse(mode)
            .ok_or_else(|| invalid("notify", "เลือก each (ทุกฉบับ), daily (สรุปวันละครั้ง) หรือ off"))?;
        Ok(self.store.set_user_contact(user_id, &email, notify).await?)
    }

    async fn targets(&self, actor: &Actor, inputs: &[TargetInput]) -> Result<Vec<Target>> {
        let mut out: Vec<Target> = Vec::new();
        for t in inputs {
            let target = match (&t.user, &t.group) {
                (Some(name), None) => {
                    let user = self
                        .store
                        .find_user_by_name(name.trim())
                        .await
                        .ok()
                        .filter(|u| u.office_id == actor.office.id && u.active)
                        .ok_or_else(|| invalid("to", format!("ไม่พบผู้ใช้ {name} ในหน่วยงานนี้")))?;
                    Target::User {
                        id: user.id,
                        name: user.display_name().to_string(),
                    }
                }
                (None, Some(id)) => {
                    let group = self
                        .store
                        .find_work_group(id.trim())
                        .await
                        .ok()
                        .filter(|g| g.office_id == actor.office.id)
                        .ok_or_else(|| invalid("to", format!("ไม่พบกลุ่มงาน {id} ในหน่วยงานนี้")))?;
                    Target::Group {
                        id: group.id,
                        name: group.name,
                    }
                }
                _ => {
                    return Err(invalid(
                        "to",
                        "ผู้รับแต่ละรายต้องเป็น {user} หรือ {group} อย่างใดอย่างหนึ่ง",
                    ));
                }
            };
            if !out.contains(&target) {
                out.push(target);
            }
        }
        if out.is_empty() {
            return Err(invalid("to", "กรุณาเลือกผู้รับอย่างน้อยหนึ่งราย"));
        }
        Ok(out)
    }

    /// The letter, when the actor may pass it on: the saraban officers and executives any letter,
    /// anyone else what was given to them or their group.
    async fn letter_to_pass_on(&self, actor: &Actor, id: i64) -> Result<Letter> {
        let letter = self.letter(actor, id).await?;
        if letter.is_cancelled() {
            return Err(ServiceError::Conflict("รายการนี้ถูกยกเลิกแล้ว".into()));
        }
        if !distributes_everything(actor.user.role) {
            let groups = self.store.groups_of(actor.user.id).await?;
            if !self
                .store
                .given_to(letter.id, actor.user.id, &groups)
                .await?
            {
                return Err(ServiceError::Forbidden("ส่งต่อได้เฉพาะหนังสือที่ได้รับมอบ".into()));
            }
        }
        Ok(letter)
    }

    /// ส่ง: gives a registered letter to people or groups, with a note and a due date.
    pub async fn forward(
        &self,
        actor: &Actor,
        id: i64,
        to: &[TargetInput],
        note: &str,
        due_date: &str,
    ) -> Result<Vec<Assignment>> {
        let letter = self.letter_to_pass_on(actor, id).await?;
        let targets = self.targets(actor, to).await?;
        let due = match due_date.trim() {
            "" => None,
            d => {
                let date =
                    thai_date::parse_date(d).map_err(|e| invalid("due_date", e.to_string()))?;
                Some(
                    crate::domain::journey::check_due_date(date, chrono::Utc::now())
                        .map_err(|e| invalid("due_date", e))?,
                )
            }
        };
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(invalid("note", "ข้อความยาวเกิน 2000 ตัวอักษร"));
        }
        self.step(&Give {
            letter_id: letter.id,
            office_id: &actor.office.id,
            by: actor.user.id,
            kind: AssignmentKind::Forward,
            targets: &targets,
            note,
            due_date: due,
            endorsement: None,
        })
        .await
    }

    /// เสนอ: proposes the letter to the director or a deputy, with a short summary.
    pub async fn propose(
        &self,
        actor: &Actor,
        id: i64,
        to: &str,
        summary: &str,
    ) -> Result<Vec<Assignment>> {
        let letter = self.letter_to_pass_on(actor, id).await?;
        let director = self
            .store
            .find_user_by_name(to.trim())
            .await
            .ok()
            .filter(|u| u.office_id == actor.office.id && u.active)
            .ok_or_else(|| invalid("to", format!("ไม่พบผู้ใช้ {to} ในหน่วยงานนี้")))?;
        if !matches!(director.role, Role::Director | Role::Deputy) {
            return Err(invalid("to", "เสนอได้เฉพาะผู้อำนวยการหรือรองผู้อำนวยการ"));
        }
        let summary = summary.trim();
        if summary.is_empty() || summary.chars().count() > 2000 {
            return Err(invalid("summary", "กรุณาสรุปเรื่องที่เสนอ (ไม่เกิน 2000 ตัวอักษร)"));
        }
        self.step(&Give {
            letter_id: letter.id,
            office_id: &actor.office.id,
            by: actor.user.id,
            kind: AssignmentKind::Propose,
            targets: &[Target::User {
                id: director.id,
                name: director.display_name().to_string(),
            }],
            note: summary,
            due_date: None,
            endorsement: None,
        })
        .await
    }

    /// เกษียนหนังสือ: the director's (or deputy's) decision, with text; มอบ gives the letter
    /// in the same step. What was proposed to them counts as acknowledged.
    pub async fn endorse(
        &self,
        actor: &Actor,
        id: i64,
        decision: &str,
        text: &str,
        assign_to: &[TargetInput],
        acting_as: &str,
    ) -> Result<Endorsement> {
        if !may_endorse(actor.user.role) {
            return Err(ServiceError::Forbidden(
                "เกษียนหนังสือได้เฉพาะผู้อำนวยการหรือรองผู้อำนวยการ".into(),
            ));
        }
        let letter = self.letter(actor, id).await?;
        if letter.is_cancelled() {
            return Err(ServiceError::Conflict("รายการนี้ถูกยกเลิกแล้ว".into()));
        }
        let decision = Decision::parse(decision).ok_or_else(|| {
            invalid(
                "decision",
                "เลือกข้อสั่งการ: ทราบ อนุญาต อนุมัติ ชอบ ลงนามแล้ว มอบ หรือ แจ้ง",
            )
        })?;
        let acting = ActingAs::parse(acting_as)
            .ok_or_else(|| invalid("acting_as", "ระบุ รักษาราชการแทน หรือ ปฏิบัติราชการแทน หรือเว้นว่าง"))?;
        let text = text.trim();
        if text.chars().count() > 2000 {
            return Err(invalid("text", "ข้อความยาวเกิน 2000 ตัวอักษร"));
        }
        if decision == Decision::Inform && text.is_empty() {
            return Err(invalid("text", "กรุณาระบุสิ่งที่แจ้ง"));
        }
        let targets = if assign_to.is_empty() {
            if decision == Decision::Assign {
                return Err(invalid("assign_to", "มอบ: กรุณาเลือกผู้รับมอบ"));
            }
            Vec::new()
        } else {
            self.targets(actor, assign_to).await?
        };
        // What was proposed to the endorser is now done.
        self.acknowledge_given(actor, letter.id).await?;
        self.step(&Give {
            letter_id: letter.id,
            office_id: &actor.office.id,
            by: actor.user.id,
            kind: AssignmentKind::Assign,
            targets: &targets,
            note: text,
            due_date: None,
            endorsement: Some((decision, text, acting)),
        })
        .await?;
        self.store
            .endorsements(letter.id)
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)
    }

    /// ดำเนินการแล้ว: the person (or a member of the group) the letter was given to has done what
    /// it asked, with an optional note. Acknowledges it too if that was not done.
    pub async fn mark_done(&self, actor: &Actor, id: i64, note: &str) -> Result<u64> {
        let letter = self.letter(actor, id).await?;
        let note = note.split_whitespace().collect::<Vec<_>>().join(" ");
        if note.chars().count() > 2000 {
            return Err(invalid("note", "ข้อความยาวเกิน 2000 ตัวอักษร"));
        }
        let n = self
            .store
            .mark_done(letter.id, actor.user.id, &note)
            .await?;
        if n == 0 {
            return Err(ServiceError::Conflict(
                "ไม่มีงานของหนังสือฉบับนี้ที่มอบให้ท่านและยังไม่ได้ดำเนินการ".into(),
            ));
        }
        Ok(n)
    }

    /// The follow-up list (ติดตามงาน): for the saraban officers and the executives, who pass
    /// letters on; secrets only as they may see them.
    pub async fn follow_up(&self, actor: &Actor, which: FollowUp) -> Result<Vec<FollowUpItem>> {
        self.require_follow_up(actor)?;
        let today = thai_date::to_bangkok(chrono::Utc::now()).date();
        Ok(self
            .store
            .follow_up(
                &actor.office.id,
                which,
                today,
                Services::secrecy_restriction(actor),
            )
            .await?)
    }

    /// Per work group: not acknowledged, and overdue (the dashboard).
    pub async fn group_follow_up_counts(&self, actor: &Actor) -> Result<Vec<GroupCounts>> {
        self.require_follow_up(actor)?;
        let today = thai_date::to_bangkok(chrono::Utc::now()).date();
        Ok(self
            .store
            .group_follow_up_counts(&actor.office.id, today)
            .await?)
    }

    fn require_follow_up(&self, actor: &Actor) -> Result<()> {
        if distributes_everything(actor.user.role) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "ติดตามงานได้เฉพาะเจ้าหน้าที่ธุรการ ผู้บริหาร และผู้ดูแลระบบ".into(),
            ))
        }
    }

    /// รับทราบ: one click by the person the letter was given to (or a member of the group).
    pub async fn acknowledge(&self, actor: &Actor, id: i64) -> Result<u64> {
        let letter = self.letter(actor, id).await?;
        let n = self.acknowledge_given(actor, letter.id).await?;
        if n == 0 {
            return Err(ServiceError::Conflict(
                "ไม่มีหนังสือฉบับนี้ที่มอบให้ท่านและยังไม่ได้รับทราบ".into(),
            ));
        }
        Ok(n)
    }

    /// Marks what was given to the actor, or to a group of theirs, as acknowledged; how many.
    async fn acknowledge_given(&self, actor: &Actor, letter_id: i64) -> Result<u64> {
        Ok(self.store.acknowledge(letter_id, actor.user.id).await?)
    }

    /// ส่งคืน: back to whoever gave it to the actor (or their group), with a note.
    pub async fn return_letter(
        &self,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<Vec<Assignment>> {
        let letter = self.letter(actor, id).await?;
        let groups = self.store.groups_of(actor.user.id).await?;
        let given = self
            .store
            .assignments(letter.id)
            .await?
            .into_iter()
            .rev()
            .find(|a| {
                a.kind != AssignmentKind::Return
                    && (a.to_user_id == Some(actor.user.id)
                        || a.to_group_id.as_ref().is_some_and(|g| groups.contains(g)))
            })
            .ok_or_else(|| ServiceError::Conflict("ส่งคืนได้เฉพาะหนังสือที่ได้รับมอบ".into()))?;
        let back_to = self.store.find_user(given.from_user_id).await?;
        self.store.acknowledge(letter.id, actor.user.id).await?;
        self.step(&Give {
            letter_id: letter.id,
            office_id: &actor.office.id,
            by: actor.user.id,
            kind: AssignmentKind::Return,
            targets: &[Target::User {
                id: back_to.id,
                name: back_to.display_name().to_string(),
            }],
            note: note.trim(),
            due_date: None,
            endorsement: None,
        })
        .await
    }

    pub async fn journey(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(Vec<Assignment>, Vec<Endorsement>)> {
        let letter = self.letter(actor, id).await?;
        self.journey_of(&letter).await
    }

    /// The journey of a letter already read through [`Services::letter`].
    pub async fn journey_of(&self, letter: &Letter) -> Result<(Vec<Assignment>, Vec<Endorsement>)> {
        Ok((
            self.store.assignments(letter.id).await?,
            self.store.endorsements(letter.id).await?,
        ))
    }

    /// The work groups the actor is a member of.
    pub async fn groups_of_actor(&self, actor: &Actor) -> Result<Vec<String>> {
        Ok(self.store.groups_of(actor.user.id).await?)
    }

    /// Where and how the actor is told of letters given to them, if they have said.
    pub async fn my_notifications(&self, actor: &Actor) -> Result<Option<(String, Notify)>> {
        Ok(self.store.user_contact(actor.user.id).await?)
    }

    /// The personal or group box, urgent first; secret letters are there only because they
    /// were given to the actor.
    pub async fn letter_box(&self, actor: &Actor, which: LetterBox) -> Result<Vec<BoxItem>> {
        let groups = self.store.groups_of(actor.user.id).await?;
        Ok(self
            .store
            .box_items(
                &actor.office.id,
                actor.user.id,
                &groups,
                which != LetterBox::Group,
            )
            .await?)
    }

    /// Letters given to the actor (or their groups) not yet acknowledged: the dashboard's count.
    pub async fn unacknowledged(&self, actor: &Actor) -> Result<i64> {
        let groups = self.store.groups_of(actor.user.id).await?;
        self.unacknowledged_in(actor, &groups).await
    }

    /// As [`Services::unacknowledged`], for a caller that has read the actor's groups already.
    pub async fn unacknowledged_in(&self, actor: &Actor, groups: &[String]) -> Result<i64> {
        Ok(self.store.unacknowledged(actor.user.id, groups).await?)
    }

    /// People and groups of the actor's office a letter can be given to.
    pub async fn distribution_targets(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<crate::store::users::User>, Vec<WorkGroup>)> {
        let users = self
            .store
            .list_users(&actor.office.id)
            .await?
            .into_iter()
            .filter(|u| u.active && u.id != actor.user.id)
            .collect();
        Ok((users, self.store.work_groups(&actor.office.id).await?))
    }

    /// `saraban group add`.
    pub async fn create_work_group(&self, office_id: &str, id: &str, name: &str) -> Result<()> {
        self.store.find_office(office_id).await?;
        let id = id.trim();
        let mut e = FieldErrors::default();
        if id.is_empty()
            || id.len() > 50
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            e.add("id", "รหัสกลุ่มใช้ตัวอักษรอังกฤษ ตัวเลข - และ _ ไม่เกิน 50 ตัว");
        }
        if name.trim().is_empty() || name.chars().count() > 200 {
            e.add("name", "กรุณาระบุชื่อกลุ่มงาน (ไม่เกิน 200 ตัวอักษร)");
        }
        if !e.is_empty() {
            return Err(ServiceError::Invalid(e));
        }
        self.store
            .create_work_group(office_id, id, name.trim())
            .await
            .map_err(|err| {
                if err.is_unique_violation() {
                    invalid("id", format!("มีกลุ่มรหัส {id} แล้ว"))
                } else {
                    err.into()
                }
            })
    }

    /// `saraban group member add`.
    pub async fn add_work_group_member(&self, group_id: &str, username: &str) -> Result<()> {
        let group = self.store.find_work_group(group_id.trim()).await?;
        let user = self.store.find_user_by_name(username.trim()).await?;
        if user.office_id != group.office_id {
            return Err(invalid(
                "user",
                format!("{} ไม่ได้อยู่ในหน่วยงานเดียวกับกลุ่ม", user.username),
            ));
        }
        Ok(self.store.add_work_group_member(&group.id, user.id).await?)
    }

    /// The office's work groups, with their members (the setup page).
    pub async fn work_groups_of_office(&self, actor: &Actor) -> Result<Vec<WorkGroup>> {
        Ok(self.store.work_groups(&actor.office.id).await?)
    }

    /// A new work group of the actor's office (the setup page and the API).
    pub async fn add_work_group(&self, actor: &Actor, id: &str, name: &str) -> Result<WorkGroup> {
        self.require_group_setup(actor)?;
        self.create_work_group(&actor.office.id, id, name).await?;
        Ok(self.store.find_work_group(id.trim()).await?)
    }

    /// Renames a work group of the actor's office.
    pub async fn rename_work_group(
        &self,
        actor: &Actor,
        id: &str,
        name: &str,
    ) -> Result<WorkGroup> {
        self.require_group_setup(actor)?;
        let group = self.own_work_group(actor, id).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("name", "กรุณาระบุชื่อกลุ่มงาน (ไม่เกิน 200 ตัวอักษร)"));
        }
        self.store.rename_work_group(&group.id, name).await?;
        Ok(self.store.find_work_group(&group.id).await?)
    }

    /// Sets who belongs to a work group, by login name; every name must be an active officer of
    /// the same office.
    pub async fn set_work_group_members(
        &self,
        actor: &Actor,
        id: &str,
        usernames: &[String],
    ) -> Result<WorkGroup> {
        self.require_group_setup(actor)?;
        let group = self.own_work_group(actor, id).await?;
        let mut ids = Vec::new();
        let mut unknown = Vec::new();
        for name in usernames {
            match self.store.find_user_by_name(name.trim()).await {
                Ok(u) if u.office_id == actor.office.id && u.active => ids.push(u.id),
                _ => unknown.push(name.trim().to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(invalid(
                "users",
                format!("ไม่พบเจ้าหน้าที่ในหน่วยงานนี้: {}", unknown.join(", ")),
            ));
        }
        self.store.set_work_group_members(&group.id, &ids).await?;
        Ok(self.store.find_work_group(&group.id).await?)
    }

    async fn own_work_group(&self, actor: &Actor, id: &str) -> Result<WorkGroup> {
        match self.store.find_work_group(id.trim()).await {
            Ok(g) if g.office_id == actor.office.id => Ok(g),
            Ok(_) | Err(crate::store::StoreError::NotFound) => Err(ServiceError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Work groups and school groups are set up by the executives, clerks and admins.
    pub(super) fn require_group_setup(&self, actor: &Actor) -> Result<()> {
        if actor.user.role.can_manage_settings() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "เฉพาะผู้บริหาร เจ้าหน้าที่ธุรการ และผู้ดูแลระบบ จัดกลุ่มงานและกลุ่มโรงเรียนได้".into(),
            ))
        }
    }

    /// `saraban audit verify`.
    pub async fn verify_audit(&self) -> Result<ChainReport> {
        let (entries, head) = self.store.audit_chain().await?;
        Ok(journey::verify_chain(&entries, &head))
    }
}
