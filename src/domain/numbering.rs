//! Register numbers: one counter per (office, series, Buddhist-era year in Bangkok).
//!
//! The rules (ระเบียบงานสารบรรณ and the defects of AMSS++ we must not repeat):
//! - numbers start at the year's starting number (default 1) every 1 January, Bangkok time;
//! - they run without gaps and are never reused: a cancelled entry keeps its number;
//! - an office continuing a paper register may set the starting number, but only before the first
//!   number of that year is issued (changing it later would leave a gap or a duplicate).
//!
//! The store allocates inside the transaction that writes the entry and a UNIQUE key backs it up;
//! [`Counter`] is the same rule in plain Rust, for the tests and for the settings screen.

use thiserror::Error;

/// The first number a series issues when nobody set one.
pub const DEFAULT_START: i64 = 1;
/// Highest starting number a clerk may enter (a paper register never runs this long).
pub const MAX_START: i64 = 9_999_999;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NumberingError {
    #[error("เลขเริ่มต้นต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 9,999,999")]
    StartOutOfRange,
    #[error("ปีนี้ออกเลขไปแล้ว จึงเปลี่ยนเลขเริ่มต้นไม่ได้ (จะทำให้เลขขาดช่วงหรือซ้ำ)")]
    AlreadyIssued,
    #[error("ปี พ.ศ. ต้องอยู่ระหว่าง 2500 ถึง 2700")]
    YearOutOfRange,
    #[error(
        "ปี พ.ศ. {0} ออกเลขหนังสือเวียนไปแล้ว จึงเปลี่ยนวิธีออกเลขหนังสือเวียนกลางปีไม่ได้ (เลข ว จะซ้ำกัน) — เปลี่ยนได้ตั้งแต่ปีถัดไป ก่อนออกหนังสือเวียนฉบับแรกของปี"
    )]
    CircularSeriesInUse(i32),
}

/// Whether the office may move its circulars between the outbound series and a series of their
/// own. Once a year has issued a circular, both series already sit behind some `ว` number; the
/// other one would start again at 1 (or continue below numbers already used) and give a second
/// `ศธ 04183/ว1` in the same year. So the switch waits for a year with no circular yet.
pub fn check_circular_switch(
    changes: bool,
    year_be: i32,
    circulars_issued: i64,
) -> Result<(), NumberingError> {
    if changes && circulars_issued > 0 {
        Err(NumberingError::CircularSeriesInUse(year_be))
    } else {
        Ok(())
    }
}

/// Checks a starting number typed by a clerk.
pub fn parse_start(input: &str) -> Result<i64, NumberingError> {
    let text = super::digits::to_arabic(input.trim()).replace(',', "");
    let n: i64 = text.parse().map_err(|_| NumberingError::StartOutOfRange)?;
    if (1..=MAX_START).contains(&n) {
        Ok(n)
    } else {
        Err(NumberingError::StartOutOfRange)
    }
}

/// Checks a Buddhist-era year typed by a clerk (Thai or Arabic digits).
pub fn parse_year_be(input: &str) -> Result<i32, NumberingError> {
    let text = super::digits::to_arabic(input.trim());
    let year: i32 = text.parse().map_err(|_| NumberingError::YearOutOfRange)?;
    check_year_be(year)
}

/// The years a register may be kept for: 2500–2700 BE.
pub fn check_year_be(year: i32) -> Result<i32, NumberingError> {
    if (2500..=2700).contains(&year) {
        Ok(year)
    } else {
        Err(NumberingError::YearOutOfRange)
    }
}

/// One series' counter for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    start: i64,
    next: i64,
}

impl Counter {
    pub fn new(start: i64) -> Result<Counter, NumberingError> {
        if !(1..=MAX_START).contains(&start) {
            return Err(NumberingError::StartOutOfRange);
        }
        Ok(Counter { start, next: start })
    }

    /// Rebuilds a counter as stored.
    pub fn from_parts(start: i64, next: i64) -> Counter {
        Counter { start, next }
    }

    pub fn start(&self) -> i64 {
        self.start
    }

    /// The number the next registration will receive.
    pub fn next(&self) -> i64 {
        self.next
    }

    pub fn issued(&self) -> i64 {
        self.next - self.start
    }

    /// Issues the next number.
    pub fn allocate(&mut self) -> i64 {
        let n = self.next;
        self.next += 1;
        n
    }

    /// Moves the starting number; refused once any number of the year has been issued.
    pub fn set_start(&mut self, start: i64) -> Result<(), NumberingError> {
        if !(1..=MAX_START).contains(&start) {
            return Err(NumberingError::StartOutOfRange);
        }
        if self.issued() > 0 {
            return Err(NumberingError::AlreadyIssued);
        }
        self.start = start;
        self.next = start;
        Ok(())
    }
}

/// True when `numbers` are exactly `start, start+1, …` in some order: no gap, no duplicate.
pub fn is_gap_free(numbers: &[i64], start: i64) -> bool {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    sorted
        .iter()
        .enumerate()
        .all(|(i, n)| *n == start + i as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_consecutive_numbers_from_the_start() {
        let mut c = Counter::new(437).unwrap();
        let got: Vec<i64> = (0..5).map(|_| c.allocate()).collect();
        assert_eq!(got, vec![437, 438, 439, 440, 441]);
        assert!(is_gap_free(&got, 437));
        assert_eq!(c.next(), 442);
    }

    #[test]
    fn start_can_move_only_before_the_first_number() {
        let mut c = Counter::new(1).unwrap();
        c.set_start(130).unwrap();
        assert_eq!(c.allocate(), 130);
        assert_eq!(c.set_start(1), Err(NumberingError::AlreadyIssued));
        assert_eq!(c.next(), 131);
    }

    #[test]
    fn start_must_be_positive_and_sane() {
        assert_eq!(Counter::new(0), Err(NumberingError::StartOutOfRange));
        assert_eq!(parse_start("๑๓๐"), Ok(130));
        assert_eq!(parse_start("1,000"), Ok(1000));
        assert_eq!(parse_start("-1"), Err(NumberingError::StartOutOfRange));
        assert_eq!(parse_start("abc"), Err(NumberingError::StartOutOfRange));
    }

    #[test]
    fn gap_and_duplicate_detection() {
        assert!(is_gap_free(&[3, 1, 2], 1));
        assert!(!is_gap_free(&[1, 2, 4], 1));
        assert!(!is_gap_free(&[1, 2, 2], 1));
        assert!(!is_gap_free(&[2, 3], 1));
    }

    #[test]
    fn years_are_buddhist_era() {
        assert_eq!(parse_year_be("๒๕๖๖"), Ok(2566));
        assert_eq!(parse_year_be("2023"), Err(NumberingError::YearOutOfRange));
    }

    #[test]
    fn circulars_switch_series_only_in_a_year_with_no_circular_yet() {
        assert_eq!(check_circular_switch(true, 2569, 0), Ok(()));
        assert_eq!(check_circular_switch(false, 2569, 7), Ok(()));
        assert_eq!(
            check_circular_switch(true, 2569, 1),
            Err(NumberingError::CircularSeriesInUse(2569))
        );
    }
}
