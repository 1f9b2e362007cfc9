//! Lawful destruction (การทำลายหนังสือ, ระเบียบฯ ข้อ 66–70; electronic letters: ภาคผนวก 6 of the 2564
//! amendment): the yearly survey, the committee, its review, the head's approval, the National
//! Archives, and the destruction itself, as one list (บัญชีหนังสือขอทำลาย, แบบ 25) moving through
//! its steps in order. What is known of the rules and how sure we are is in `records.md`; the
//! unconfirmed ones (the 60-day windows, the committee's rank) are settings or documented choices.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::codes::state_enum;
use super::retention::{KeepUntil, RetentionClass};

state_enum!(
    /// Where a destruction list stands. Each step moves it one state on, never back.
    DisposalState "disposal state", {
        /// The survey's draft list (แบบ 25), waiting for a committee.
        Draft = "draft", "ร่างบัญชีหนังสือขอทำลาย";
        /// The head appointed the committee; it reviews each item.
        Committee = "committee", "คณะกรรมการกำลังพิจารณา";
        /// The chair submitted the reviewed list to the head.
        Submitted = "submitted", "เสนอหัวหน้าส่วนราชการ";
        /// The head approved it.
        Approved = "approved", "หัวหน้าส่วนราชการอนุมัติแล้ว";
        /// Sent to the National Archives (สำนักหอจดหมายเหตุแห่งชาติ), waiting for its answer.
        Sent = "sent", "ส่งบัญชีให้กรมศิลปากรแล้ว";
        /// The archives answered (or the window passed with no answer).
        Answered = "answered", "กรมศิลปากรตอบแล้ว";
        /// Done: the files of the destroyed letters are gone; the register rows stay.
        Destroyed = "destroyed", "ทำลายแล้ว";
    }
);

state_enum!(
    /// The committee's decision on one item (การพิจารณา).
    Decision "disposal decision", {
        /// Not reviewed yet.
        Pending = "pending", "ยังไม่พิจารณา";
        /// × : destroy.
        Destroy = "destroy", "ทำลาย (×)";
        /// Keep longer, to the year written in การพิจารณา.
        Keep = "keep", "เก็บต่อ";
    }
);

/// The steps of the workflow, in order; a step out of order is refused (409 in Thai).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    AppointCommittee,
    Review,
    Confirm,
    Submit,
    Approve,
    Send,
    ArchivesAnswer,
    Destroy,
}

impl Step {
    /// The states the step may be taken in.
    fn allowed_in(self) -> &'static [DisposalState] {
        use DisposalState::*;
        match self {
            Step::AppointCommittee => &[Draft, Committee],
            Step::Review | Step::Confirm | Step::Submit => &[Committee],
            Step::Approve => &[Submitted],
            Step::Send => &[Approved],
            Step::ArchivesAnswer => &[Sent],
            Step::Destroy => &[Sent, Answered],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Step::AppointCommittee => "แต่งตั้งคณะกรรมการ",
            Step::Review => "พิจารณารายการ",
            Step::Confirm => "ยืนยันผลการพิจารณา",
            Step::Submit => "เสนอบัญชี",
            Step::Approve => "อนุมัติ",
            Step::Send => "ส่งบัญชีให้กรมศิลปากร",
            Step::ArchivesAnswer => "บันทึกคำตอบของกรมศิลปากร",
            Step::Destroy => "ทำลาย",
        }
    }
}

/// Whether `step` may be taken now; the Thai reason when not.
pub fn check_step(state: DisposalState, step: Step) -> Result<(), String> {
    if step.allowed_in().contains(&state) {
        Ok(())
    } else {
        Err(format!(
            "ขั้นตอน “{}” ทำไม่ได้ในขณะนี้ บัญชีอยู่ในสถานะ “{}”",
            step.label(),
            state.label()
        ))
    }
}

/// A letter as the survey weighs it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub letter_id: i64,
    /// The year it was registered in.
    pub year_be: i32,
    pub class: RetentionClass,
    pub keep_until: KeepUntil,
    /// A legal hold is in force.
    pub held: bool,
    /// Already destroyed, handed to the National Archives, or on another open list.
    pub settled: bool,
}

/// The survey of `year_be` (ข้อ 66): letters whose keeping ended by the end of that year, never a
/// permanent or secret one, a held one, or one already settled. Returns their ids in order.
pub fn survey(year_be: i32, candidates: &[Candidate]) -> Vec<i64> {
    let Some(end) = NaiveDate::from_ymd_opt(year_be - 543, 12, 31) else {
        return Vec::new();
    };
    candidates
        .iter()
        .filter(|c| {
            !c.held
                && !c.settled
                && !matches!(c.class, RetentionClass::Permanent | RetentionClass::Secret)
                && matches!(c.keep_until, KeepUntil::Day(d) if d <= end)
        })
        .map(|c| c.letter_id)
        .collect()
}

/// The head's order under ภาคผนวก 6 (2564): electronic letters kept over 10 years (registered more
/// than 10 calendar years before `year_be`), oldest first, at most `limit`; never a permanent,
/// secret or law-governed one, a held one, or one already settled. `candidates` come oldest
/// first.
pub fn over_ten_years(year_be: i32, candidates: &[Candidate], limit: Option<usize>) -> Vec<i64> {
    candidates
        .iter()
        .filter(|c| {
            !c.held
                && !c.settled
                && c.year_be + 10 < year_be
                && !matches!(
                    c.class,
                    RetentionClass::Permanent | RetentionClass::Secret | RetentionClass::ByLaw
                )
        })
        .take(limit.unwrap_or(usize::MAX))
        .map(|c| c.letter_id)
        .collect()
}

/// Whether `today` is in the survey window after `year_be` ended (the first `window_days` days of
/// the next year; 60 by default, a setting): when the dashboard asks for the survey.
pub fn in_survey_window(year_be: i32, today: NaiveDate, window_days: i64) -> bool {
    match NaiveDate::from_ymd_opt(year_be - 543 + 1, 1, 1) {
        Some(start) => today >= start && (today - start).num_days() < window_days,
        None => false,
    }
}

/// A committee as the head appoints it: a chair and at least two members, all different people.
pub fn check_committee(chair: i64, members: &[i64]) -> Result<(), String> {
    let mut all: Vec<i64> = members.to_vec();
    all.push(chair);
    all.sort_unstable();
    all.dedup();
    if members.len() < 2 {
        return Err("คณะกรรมการต้องมีประธานและกรรมการอย่างน้อย 2 คน".into());
    }
    if all.len() != members.len() + 1 {
        return Err("ประธานและกรรมการต้องเป็นคนละคนกัน".into());
    }
    Ok(())
}

/// One item's review: destroy, or keep with the new keep-until year (which must be later).
pub fn check_review(
    decision: Decision,
    keep_until_be: Option<i32>,
    list_year_be: i32,
) -> Result<Option<i32>, String> {
    match decision {
        Decision::Pending => Err("ต้องระบุการพิจารณา: destroy หรือ keep".into()),
        Decision::Destroy => Ok(None),
        Decision::Keep => match keep_until_be {
            Some(y) if y > list_year_be => Ok(Some(y)),
            Some(_) => Err(format!("เก็บต่อถึงปี พ.ศ. ต้องหลังปี {list_year_be} ของบัญชี")),
            None => Err("เก็บต่อต้องระบุว่าเก็บถึงปี พ.ศ. ใด (keep_until_be)".into()),
        },
    }
}

/// Whether destruction may go ahead: after the archives answered, or when the window (days after
/// the list was sent; 60 by default, a setting) passed without an answer.
pub fn may_destroy(
    state: DisposalState,
    sent_on: Option<NaiveDate>,
    today: NaiveDate,
    window_days: i64,
) -> Result<(), String> {
    match (state, sent_on) {
        (DisposalState::Answered, _) => Ok(()),
        (DisposalState::Sent, Some(sent)) if (today - sent).num_days() >= window_days => Ok(()),
        (DisposalState::Sent, Some(sent)) => Err(format!(
            "ยังไม่ครบ {window_days} วันนับจากวันส่งบัญชีให้กรมศิลปากร ({}) และยังไม่มีคำตอบ",
            super::thai_date::format_short(sent)
        )),
        _ => check_step(state, Step::Destroy),
    }
}

/// What the register's row says of a destroyed letter.
pub fn destroyed_remark(list_year_be: i32, item_no: i64, on: NaiveDate) -> String {
    format!(
        "ทำลายแล้ว ตามบัญชีหนังสือขอทำลาย ปี {list_year_be} ลำดับที่ {item_no} เมื่อ {}",
        super::thai_date::format_short(on)
    )
}

/// The hash-chained history's record of one step, on each letter of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DisposalStep {
    pub disposal_id: i64,
    pub year_be: i32,
    /// `surveyed`, `committee`, `reviewed`, `confirmed`, `submitted`, `approved`, `sent`,
    /// `archives_answer`, `destroyed`.
    pub step: String,
    /// What the step decided for this letter, in Thai.
    pub detail: String,
}

/// Whether a letter registered in `letter_year_be` has reached 20 years in `year_be` (ข้อ 58:
/// counted in calendar years of registration, a documented choice): it then goes on the year's
/// handover lists, to the National Archives (แบบ 21) or kept by the office (แบบ 22).
pub fn handover_due(letter_year_be: i32, year_be: i32) -> bool {
    letter_year_be + 20 <= year_be
}

/// The history's record of a letter on a 20-year list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HandoverStep {
    pub handover_id: i64,
    pub year_be: i32,
    /// Kept by the office (แบบ 22) rather than handed over (แบบ 21).
    pub kept: bool,
    /// The Bangkok date (ISO) it was handed over or listed.
    pub on: String,
}

/// The calendar year (BE) a date falls in.
pub fn year_be_of(date: NaiveDate) -> i32 {
    date.year() + 543
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_survey_across_classes_and_years() {
        let c = |id, class, keep, held, settled| Candidate {
            letter_id: id,
            year_be: 2556,
            class,
            keep_until: keep,
            held,
            settled,
        };
        use RetentionClass::*;
        let end_2566 = KeepUntil::Day(day(2023, 12, 31));
        let cases = vec![
            c(1, TenYears, end_2566, false, false),
            c(2, OneYear, KeepUntil::Day(day(2023, 6, 1)), false, false),
            c(3, FiveYears, KeepUntil::Day(day(2024, 1, 1)), false, false),
            c(4, Permanent, KeepUntil::Forever, false, false),
            c(5, Secret, KeepUntil::SecrecyRules, false, false),
            c(6, TenYears, end_2566, true, false),
            c(7, TenYears, end_2566, false, true),
            c(8, ByLaw, KeepUntil::Day(day(2020, 12, 31)), false, false),
        ];
        // Table: survey year → ids listed.
        for (year, expected) in [
            (2565, vec![8]),
            (2566, vec![1, 2, 8]),
            (2567, vec![1, 2, 3, 8]),
        ] {
            assert_eq!(survey(year, &cases), expected, "survey of {year}");
        }
    }

    #[test]
    fn twenty_years_are_counted_in_calendar_years() {
        assert!(handover_due(2549, 2569));
        assert!(handover_due(2540, 2569));
        assert!(!handover_due(2550, 2569));
    }

    #[test]
    fn the_ten_year_order_takes_the_oldest_ordinary_letters() {
        let c = |id, year_be, class| Candidate {
            letter_id: id,
            year_be,
            class,
            keep_until: KeepUntil::Forever,
            held: false,
            settled: false,
        };
        use RetentionClass::*;
        let letters = vec![
            c(1, 2550, TenYears),
            c(2, 2551, Permanent),
            c(3, 2552, ByLaw),
            c(4, 2553, OneYear),
            c(5, 2558, TenYears),
            c(6, 2560, TenYears),
        ];
        assert_eq!(over_ten_years(2569, &letters, None), vec![1, 4, 5]);
        assert_eq!(over_ten_years(2569, &letters, Some(2)), vec![1, 4]);
    }

    #[test]
    fn steps_go_in_order() {
        use DisposalState::*;
        assert!(check_step(Draft, Step::AppointCommittee).is_ok());
        assert!(check_step(Draft, Step::Review).is_err());
        assert!(check_step(Committee, Step::Approve).is_err());
        assert!(check_step(Submitted, Step::Approve).is_ok());
        let refusal = check_step(Draft, Step::Destroy).unwrap_err();
        assert!(
            refusal.contains("ทำลาย") && refusal.contains("ร่างบัญชี"),
            "{refusal}"
        );
        assert!(check_step(Destroyed, Step::Destroy).is_err());
    }

    #[test]
    fn committee_and_review_rules() {
        assert!(check_committee(1, &[2, 3]).is_ok());
        assert!(check_committee(1, &[2]).is_err());
        assert!(check_committee(1, &[1, 2]).is_err());
        assert!(check_committee(1, &[2, 2]).is_err());
        assert_eq!(check_review(Decision::Destroy, None, 2566), Ok(None));
        assert_eq!(
            check_review(Decision::Keep, Some(2570), 2566),
            Ok(Some(2570))
        );
        assert!(check_review(Decision::Keep, Some(2566), 2566).is_err());
        assert!(check_review(Decision::Keep, None, 2566).is_err());
        assert!(check_review(Decision::Pending, None, 2566).is_err());
    }

    #[test]
    fn destruction_waits_for_the_archives_or_the_window() {
        use DisposalState::*;
        let sent = day(2024, 2, 1);
        assert!(may_destroy(Sent, Some(sent), day(2024, 3, 1), 60).is_err());
        assert!(may_destroy(Sent, Some(sent), day(2024, 4, 1), 60).is_ok());
        assert!(may_destroy(Answered, Some(sent), day(2024, 2, 2), 60).is_ok());
        assert!(may_destroy(Approved, None, day(2024, 4, 1), 60).is_err());
        assert!(in_survey_window(2566, day(2024, 1, 1), 60));
        assert!(in_survey_window(2566, day(2024, 2, 29), 60));
        assert!(!in_survey_window(2566, day(2024, 3, 1), 60));
        assert!(!in_survey_window(2566, day(2023, 12, 31), 60));
    }
}
