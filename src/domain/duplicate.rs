//! The same letter registered twice: it arrives on paper and by e-mail, or from two senders.
//! Two inbound letters are the same when their `ที่`, `ลงวันที่` and `จาก` agree once the ways of
//! writing them are folded away, or when they carry the same file.

use chrono::NaiveDate;

use super::digits;

/// An inbound letter already in the registers, as a clerk is told about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Duplicate {
    pub id: i64,
    pub number: i64,
    pub year_be: i32,
}

/// `ที่ ศธ ๐๔๑๘๓/ว ๑๘๙๑` and `ศธ04183/ว1891` are one number: Arabic digits, no `ที่`, no white
/// space, no dots, lower case.
pub fn doc_no_key(doc_no: &str) -> String {
    let arabic = digits::to_arabic(doc_no.trim());
    let bare = arabic.strip_prefix("ที่").unwrap_or(&arabic);
    bare.chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `สำนักงานเขตพื้นที่การศึกษาประถมศึกษา  ขอนแก่น เขต 1` folded the same way: white space and dots
/// dropped, digits Arabic, lower case.
pub fn sender_key(sender: &str) -> String {
    digits::to_arabic(sender)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .flat_map(char::to_lowercase)
        .collect()
}

/// What identifies an inbound letter for the duplicate check.
#[derive(Debug, Clone, Copy)]
pub struct LetterKey<'a> {
    pub doc_no: &'a str,
    pub doc_date: NaiveDate,
    pub sender: &'a str,
}

/// Whether two inbound letters are the same by number, date and sender. A letter without a
/// number never matches this way (its file may still match).
pub fn same_letter(a: LetterKey<'_>, b: LetterKey<'_>) -> bool {
    let number = doc_no_key(a.doc_no);
    !number.is_empty()
        && number == doc_no_key(b.doc_no)
        && a.doc_date == b.doc_date
        && sender_key(a.sender) == sender_key(b.sender)
}

/// The message a clerk reads: "ลงทะเบียนแล้วเป็นเลขรับ 41/2569 — ลงซ้ำหรือไม่?".
pub fn message(found: &[Duplicate]) -> String {
    let numbers: Vec<String> = found
        .iter()
        .map(|d| format!("{}/{}", d.number, d.year_be))
        .collect();
    format!(
        "หนังสือฉบับนี้ลงทะเบียนแล้วเป็นเลขรับ {} — ลงซ้ำหรือไม่?",
        numbers.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(doc_no: &'a str, sender: &'a str) -> LetterKey<'a> {
        LetterKey {
            doc_no,
            doc_date: NaiveDate::from_ymd_opt(2026, 5, 2).unwrap(),
            sender,
        }
    }

    #[test]
    fn the_same_number_date_and_sender_written_differently_match() {
        assert!(same_letter(
            key("ที่ ศธ ๐๔๑๘๓/ว ๑๘๙๑", "สพป. ขอนแก่น  เขต ๑"),
            key("ศธ04183/ว1891", "สพป.ขอนแก่น เขต 1"),
        ));
    }

    #[test]
    fn another_sender_date_or_number_is_another_letter() {
        let a = key("ศธ 04183/ว1891", "สพป.ขอนแก่น เขต 1");
        assert!(!same_letter(a, key("ศธ 04183/ว1892", "สพป.ขอนแก่น เขต 1")));
        assert!(!same_letter(a, key("ศธ 04183/ว1891", "สพป.ขอนแก่น เขต 2")));
        let mut later = a;
        later.doc_date = NaiveDate::from_ymd_opt(2026, 5, 3).unwrap();
        assert!(!same_letter(a, later));
        assert!(!same_letter(key("", "x"), key("", "x")));
    }

    #[test]
    fn the_message_names_every_number_found() {
        let found = [Duplicate {
            id: 7,
            number: 41,
            year_be: 2569,
        }];
        assert_eq!(
            message(&found),
            "หนังสือฉบับนี้ลงทะเบียนแล้วเป็นเลขรับ 41/2569 — ลงซ้ำหรือไม่?"
        );
    }
}
