//! Buddhist-era dates as Thai clerks write them: `2 พ.ค. 2566`, `2 พฤษภาคม ๒๕๖๖`, `2 พค 2566`.
//!
//! The Buddhist era is the Gregorian year + 543 (chrono has no Thai calendar). Office time is
//! Asia/Bangkok, UTC+7 all year round (Thailand keeps no daylight saving).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike, Utc};
use thiserror::Error;

use super::digits;

/// Years between the Gregorian and the Buddhist era.
pub const BE_OFFSET: i32 = 543;

const MONTHS_FULL: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

const MONTHS_ABBR: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

/// Asia/Bangkok as a fixed offset.
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The wall-clock time in Bangkok of a UTC instant.
pub fn to_bangkok(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&bangkok()).naive_local()
}

/// The Buddhist-era calendar year of an instant, as seen in Bangkok.
pub fn be_year_of(at: DateTime<Utc>) -> i32 {
    to_bangkok(at).year() + BE_OFFSET
}

/// `2 พ.ค. 2566`
pub fn format_short(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS_ABBR[date.month0() as usize],
        date.year() + BE_OFFSET
    )
}

/// `2 พฤษภาคม 2566`
pub fn format_long(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS_FULL[date.month0() as usize],
        date.year() + BE_OFFSET
    )
}

/// `2 พ.ค. 2566 14:03 น.` in Bangkok time.
pub fn format_datetime(at: DateTime<Utc>) -> String {
    let local = to_bangkok(at);
    format!(
        "{} {:02}:{:02} น.",
        format_short(local.date()),
        local.hour(),
        local.minute()
    )
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DateError {
    #[error("รูปแบบวันที่ไม่ถูกต้อง (ตัวอย่าง 2 พ.ค. 2566 หรือ 2566-05-02)")]
    Format,
    #[error("ไม่มีวันที่นี้ในปฏิทิน")]
    NoSuchDay,
    #[error("ปี พ.ศ. ต้องอยู่ระหว่าง 2400 ถึง 2700 (พิมพ์ปีเต็ม เช่น 2569 หรือสองหลัก เช่น 69)")]
    YearOutOfRange,
}

/// Lowest and highest Buddhist-era year a letter's date may carry.
pub const MIN_YEAR_BE: i32 = 2400;
pub const MAX_YEAR_BE: i32 = 2700;

/// The Buddhist-era year a clerk meant: two digits are this Buddhist century (`69` → 2569, the
/// way `2 พ.ค. 69` is written on every letter), a year above 2400 is already Buddhist era, and any
/// other four-digit year is Gregorian (ISO dates). Anything that lands outside 2400–2700 BE is
/// refused rather than stored as year 609.
pub fn year_be_from_typed(year: i64) -> Result<i32, DateError> {
    let be = match year {
        0..=99 => 2500 + year,
        y if y >= i64::from(MIN_YEAR_BE) => y,
        y if y >= 1000 => y + i64::from(BE_OFFSET),
        _ => return Err(DateError::YearOutOfRange),
    };
    if (i64::from(MIN_YEAR_BE)..=i64::from(MAX_YEAR_BE)).contains(&be) {
        Ok(be as i32)
    } else {
        Err(DateError::YearOutOfRange)
    }
}

/// Reads a date the way a clerk may type it: `2 พ.ค. 2566`, `2 พฤษภาคม 2566`, `2 พค 2566`,
/// `2/5/2566`, `2566-05-02` (BE) or `2023-05-02` (ISO, Gregorian), in Thai or Arabic digits.
/// A year above 2400 is taken as Buddhist era, two digits as this Buddhist century (`2/5/69`); see
/// [`year_be_from_typed`].
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let text = digits::to_arabic(input.trim());
    let text = text.trim_start_matches("วันที่").trim();
    if text.is_empty() {
        return Err(DateError::Format);
    }
    let (day, month, year) = if let Some((d, m, y)) = split_numeric(text) {
        (d, m, y)
    } else {
        parse_thai_words(text)?
    };
    let year = year_be_from_typed(year)? - BE_OFFSET;
    let day = u32::try_from(day).map_err(|_| DateError::NoSuchDay)?;
    let month = u32::try_from(month).map_err(|_| DateError::NoSuchDay)?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::NoSuchDay)
}

/// `YYYY-MM-DD` or `D/M/YYYY`, as (day, month, year) still unchecked: a number too large for a
/// day is refused later, never wrapped.
fn split_numeric(text: &str) -> Option<(i64, i64, i64)> {
    if let Some((year, month, day)) = three_numbers(text, '-') {
        // ISO order: year first.
        return Some((day, month, year));
    }
    three_numbers(text, '/')
}

fn three_numbers(text: &str, sep: char) -> Option<(i64, i64, i64)> {
    let mut it = text.split(sep).map(|p| p.trim().parse::<i64>());
    let a = it.next()?.ok()?;
    let b = it.next()?.ok()?;
    let c = it.next()?.ok()?;
    if it.next().is_some() {
        return None;
    }
    Some((a, b, c))
}

fn parse_thai_words(text: &str) -> Result<(i64, i64, i64), DateError> {
    let day_end = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or(DateError::Format)?;
    let day: i64 = text[..day_end].parse().map_err(|_| DateError::Format)?;
    let rest = text[day_end..].trim();
    let year_start = rest
        .rfind(|c: char| !c.is_ascii_digit())
        .map(|i| i + rest[i..].chars().next().map_or(1, char::len_utf8))
        .ok_or(DateError::Format)?;
    let year: i64 = rest[year_start..]
        .parse()
        .map_err(|_| DateError::YearOutOfRange)?;
    let month_word = rest[..year_start].trim().trim_end_matches("พ.ศ.").trim();
    let month = month_from_word(month_word).ok_or(DateError::Format)?;
    Ok((day, i64::from(month), year))
}

/// Month number from a full name, the dotted abbreviation or the abbreviation without dots.
fn month_from_word(word: &str) -> Option<u32> {
    let bare: String = word.chars().filter(|c| *c != '.' && *c != ' ').collect();
    if bare.is_empty() {
        return None;
    }
    (0..12).find_map(|i| {
        let abbr: String = MONTHS_ABBR[i].chars().filter(|c| *c != '.').collect();
        (MONTHS_FULL[i] == bare || abbr == bare).then_some(i as u32 + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn formats_short_and_long_buddhist_dates() {
        assert_eq!(format_short(d(2023, 5, 2)), "2 พ.ค. 2566");
        assert_eq!(format_long(d(2023, 5, 2)), "2 พฤษภาคม 2566");
        assert_eq!(format_short(d(2024, 12, 31)), "31 ธ.ค. 2567");
    }

    #[test]
    fn parses_every_way_a_clerk_writes_a_date() {
        for input in [
            "2 พ.ค. 2566",
            "2 พฤษภาคม 2566",
            "2 พค 2566",
            "๒ พ.ค. ๒๕๖๖",
            "วันที่ 2 พฤษภาคม พ.ศ. 2566",
            "2/5/2566",
            "2566-05-02",
            "2023-05-02",
            "2 พ.ค.2566",
        ] {
            assert_eq!(parse_date(input), Ok(d(2023, 5, 2)), "{input}");
        }
    }

    #[test]
    fn formatting_then_parsing_gives_the_same_date() {
        let mut day = d(2023, 1, 1);
        while day < d(2025, 1, 1) {
            assert_eq!(parse_date(&format_short(day)), Ok(day));
            assert_eq!(parse_date(&format_long(day)), Ok(day));
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn refuses_nonsense_and_impossible_days() {
        assert_eq!(parse_date(""), Err(DateError::Format));
        assert_eq!(parse_date("พรุ่งนี้"), Err(DateError::Format));
        assert_eq!(parse_date("2 ม.ม. 2566"), Err(DateError::Format));
        assert_eq!(parse_date("30 ก.พ. 2566"), Err(DateError::NoSuchDay));
    }

    #[test]
    fn two_digit_years_are_this_buddhist_century() {
        for input in ["2/5/69", "2 พ.ค. 69", "๒ พ.ค. ๖๙", "2 พฤษภาคม 69"]
        {
            assert_eq!(parse_date(input), Ok(d(2026, 5, 2)), "{input}");
        }
        assert_eq!(parse_date("1/1/00"), Ok(d(1957, 1, 1)));
    }

    #[test]
    fn years_outside_2400_to_2700_be_and_overflowing_numbers_are_refused() {
        for input in [
            "2/5/609",
            "2 พ.ค. 612",
            "2/5/9999",
            "9999-05-02",
            "2/5/2701",
            "2/5/1800",
            "2 พ.ค. 99999999999999999999",
        ] {
            assert_eq!(parse_date(input), Err(DateError::YearOutOfRange), "{input}");
        }
        for input in [
            "2566-05-4294967298",
            "4294967298/5/2566",
            "2/4294967301/2566",
        ] {
            assert_eq!(parse_date(input), Err(DateError::NoSuchDay), "{input}");
        }
    }

    #[test]
    fn the_year_turns_at_midnight_bangkok_time_not_utc() {
        // 31 Dec 2023 17:00 UTC is already 1 Jan 2024 00:00 in Bangkok.
        let before = Utc.with_ymd_and_hms(2023, 12, 31, 16, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2023, 12, 31, 17, 0, 0).unwrap();
        assert_eq!(be_year_of(before), 2566);
        assert_eq!(be_year_of(after), 2567);
    }

    #[test]
    fn datetime_is_shown_in_bangkok_time() {
        let at = Utc.with_ymd_and_hms(2023, 5, 9, 7, 3, 25).unwrap();
        assert_eq!(format_datetime(at), "9 พ.ค. 2566 14:03 น.");
    }
}
