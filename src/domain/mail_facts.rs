//! What a Thai official e-mail tells about its letter, read from its subject and body when they
//! follow the usual form: `ที่ ศธ 04183/ว1891 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง …`.
//! Anything not found is left for the clerk.

use chrono::NaiveDate;

use super::digits;
use super::doc_no::DocNo;
use super::letter::Speed;
use super::thai_date;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LetterFacts {
    /// ด่วน / ด่วนมาก / ด่วนที่สุด written in the subject.
    pub speed: Speed,
    pub doc_no: Option<String>,
    pub doc_date: Option<NaiveDate>,
    /// The subject without reply/forward prefixes and without the `ที่ … ลงวันที่ …` part.
    pub subject: String,
}

const PREFIXES: &[&str] = &[
    "fwd:",
    "fw:",
    "re:",
    "aw:",
    "tr:",
    "sv:",
    "vs:",
    "wg:",
    "ตอบกลับ:",
    "ส่งต่อ:",
    "ตอบ:",
    "ตอบกลับ :",
    "ส่งต่อ :",
];

/// Drops `Fwd:`, `Re:`, `ตอบกลับ:`, `[ด่วน]`-free reply markers and the like, repeatedly.
pub fn clean_subject(subject: &str) -> String {
    let mut s = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    loop {
        let lower = s.to_lowercase();
        let Some(p) = PREFIXES.iter().find(|p| lower.starts_with(*p)) else {
            break;
        };
        // The prefixes are ASCII or Thai whose lower case has the same length.
        s = s[p.len()..].trim_start().to_string();
    }
    s
}

/// Whether a subject answers another mail (`Re:`, `ตอบกลับ:`): its quoted original is not the
/// letter.
pub fn is_reply(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    ["re:", "aw:", "sv:", "vs:", "ตอบกลับ", "ตอบ:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Reads the facts from a subject and, for what the subject lacks, the first lines of the body.
pub fn extract(subject: &str, body: &str) -> LetterFacts {
    let cleaned = clean_subject(subject);
    let from_subject = scan(&cleaned);
    let head: String = body.lines().take(40).collect::<Vec<_>>().join("\n");
    let from_body = scan(&head);
    let subject = from_subject
        .title
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| {
            if from_subject.doc_no.is_some() {
                from_body.title.clone().unwrap_or_else(|| cleaned.clone())
            } else {
                cleaned.clone()
            }
        });
    LetterFacts {
        speed: speed_in(&cleaned),
        doc_no: from_subject.doc_no.or(from_body.doc_no),
        doc_date: from_subject.doc_date.or(from_body.doc_date),
        subject,
    }
}

/// Reads the facts from a letter's own text (a scan's OCR, a file's first lines): the subject
/// is what follows its เรื่อง, empty when it has none.
pub fn from_text(text: &str) -> LetterFacts {
    let found = scan(text);
    LetterFacts {
        speed: speed_in(found.title.as_deref().unwrap_or("")),
        doc_no: found.doc_no,
        doc_date: found.doc_date,
        subject: found.title.unwrap_or_default(),
    }
}

/// The speed a sender marks in the subject (`ด่วนที่สุด`, `[ด่วนมาก]`, …), the highest named.
pub fn speed_in(subject: &str) -> Speed {
    if subject.contains("ด่วนที่สุด") {
        Speed::MostUrgent
    } else if subject.contains("ด่วนมาก") {
        Speed::VeryUrgent
    } else if subject.contains("ด่วน") {
        Speed::Urgent
    } else {
        Speed::Normal
    }
}

struct Scan {
    doc_no: Option<String>,
    doc_date: Option<NaiveDate>,
    title: Option<String>,
}

/// Finds `ที่ …`, `ลงวันที่ …` / `วันที่ …` and `เรื่อง …` in a text.
fn scan(text: &str) -> Scan {
    let text = digits::to_arabic(text);
    let mut out = Scan {
        doc_no: None,
        doc_date: None,
        title: None,
    };
    // เรื่อง: the rest of its line, from the first เรื่อง that starts the subject.
    if let Some(i) = subject_marker(&text) {
        let rest = &text[i + "เรื่อง".len()..];
        let line = rest
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches([':', ' '])
            .trim();
        out.title = Some(line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    // ลงวันที่ / วันที่: try the words that follow, longest first.
    for marker in ["ลงวันที่", "ลงวันที"] {
        if let Some(i) = text.find(marker) {
            out.doc_date = date_after(&text[i + marker.len()..]);
            if out.doc_date.is_some() {
                break;
            }
        }
    }
    // ที่: a `ที่` that starts a word and is not the end of ลงวันที่/วันที่.
    let mut search_from = 0;
    while let Some(pos) = text[search_from..].find("ที่") {
        let at = search_from + pos;
        search_from = at + "ที่".len();
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| !c.is_whitespace() && c != ':' && c != '(' && c != '[') {
            continue; // part of a word such as วันที่
        }
        let rest = &text[search_from..];
        let end = ["ลงวันที่", "ลงวันที", "วันที่", "เรื่อง", "\n"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        let candidate = rest[..end].trim().trim_start_matches(':').trim();
        if let Ok(n) = DocNo::parse(candidate) {
            out.doc_no = Some(n.to_string());
            break;
        }
    }
    if out.doc_date.is_none()
        && let Some(i) = text.find("วันที่")
    {
        out.doc_date = date_after(&text[i + "วันที่".len()..]);
    }
    out
}

/// Where the `เรื่อง` that opens the subject is: one that begins its line (after any speed mark
/// such as `[ด่วนที่สุด]`) or that follows the letter's `ที่ …` / `ลงวันที่ …`. A เรื่อง inside a
/// sentence ("ขอสอบถามเรื่องการสมัครงาน") is part of the subject, not its start.
fn subject_marker(text: &str) -> Option<usize> {
    text.match_indices("เรื่อง").map(|(i, _)| i).find(|&i| {
        let line_start = text[..i].rfind('\n').map_or(0, |n| n + 1);
        let before = text[line_start..i].trim();
        let unmarked = before
            .replace("ด่วนที่สุด", "")
            .replace("ด่วนมาก", "")
            .replace("ด่วน", "")
            .replace("ลับที่สุด", "")
            .replace("ลับมาก", "")
            .replace("ลับ", "");
        let unmarked = unmarked.trim_matches(|c: char| c.is_whitespace() || "[]():-".contains(c));
        unmarked.is_empty()
            || unmarked.starts_with("ที่")
            || before.contains("ลงวันที่")
            || before.contains("วันที่")
    })
}

/// The longest run of the next few words that reads as a date.
fn date_after(rest: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = rest.split_whitespace().take(5).collect();
    (1..=words.len().min(5))
        .rev()
        .find_map(|n| thai_date::parse_date(&words[..n].join(" ")).ok())
}

/// A Message-ID as stored and compared: without `<>`, white space or case in the domain part
/// folded away. Returns `None` for an empty value.
pub fn normalise_message_id(raw: &str) -> Option<String> {
    let trimmed = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    if trimmed.is_empty() {
        return None;
    }
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match compact.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_ascii_lowercase()),
        None => compact,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn reads_the_usual_subject_line() {
        let f = extract(
            "ที่ ศธ 04183/ว1891 ลงวันที่ 2 พฤษภาคม 2566 เรื่อง สรุปโครงการทำบุญวันละบาท",
            "",
        );
        assert_eq!(f.doc_no.as_deref(), Some("ศธ 04183/ว1891"));
        assert_eq!(f.doc_date, d(2023, 5, 2));
        assert_eq!(f.subject, "สรุปโครงการทำบุญวันละบาท");
    }

    #[test]
    fn thai_digits_and_forward_prefixes() {
        let f = extract(
            "Fwd: ตอบกลับ: ที่ ศธ ๐๔๑๘๓/ว๑๙๐๗ ลงวันที่ ๓ พ.ค. ๒๕๖๖ เรื่อง การย้ายข้าราชการครู",
            "",
        );
        assert_eq!(f.doc_no.as_deref(), Some("ศธ 04183/ว1907"));
        assert_eq!(f.doc_date, d(2023, 5, 3));
        assert_eq!(f.subject, "การย้ายข้าราชการครู");
    }

    #[test]
    fn missing_facts_come_from_the_body() {
        let body = "เรียน ผู้อำนวยการ\nที่ ศธ 04183.006/130\nวันที่ 28 เมษายน 2566\nเรื่อง ขออนุญาตไปราชการ\n";
        let f = extract("ขออนุญาตไปราชการ", body);
        assert_eq!(f.doc_no.as_deref(), Some("ศธ 04183.006/130"));
        assert_eq!(f.doc_date, d(2023, 4, 28));
        assert_eq!(f.subject, "ขออนุญาตไปราชการ");
    }

    #[test]
    fn ordinary_mail_leaves_the_facts_empty() {
        let f = extract("RE: Lunch on Friday?", "See you there.");
        assert_eq!(f.doc_no, None);
        assert_eq!(f.doc_date, None);
        assert_eq!(f.subject, "Lunch on Friday?");
        // วันที่ inside a sentence is not a document number.
        let f = extract("แจ้งวันที่ประชุม", "");
        assert_eq!(f.doc_no, None);
    }

    #[test]
    fn speed_marked_in_the_subject() {
        assert_eq!(
            extract("ด่วนที่สุด ที่ ศธ 04183/ว1 เรื่อง ประชุม", "").speed,
            Speed::MostUrgent
        );
        assert_eq!(extract("[ด่วนมาก] แจ้งกำหนดการ", "").speed, Speed::VeryUrgent);
        assert_eq!(extract("ด่วน ส่งรายงาน", "").speed, Speed::Urgent);
        assert_eq!(extract("ส่งรายงาน", "").speed, Speed::Normal);
    }

    #[test]
    fn message_ids_are_normalised() {
        assert_eq!(
            normalise_message_id(" <Abc.123@Mail.Example.GO.TH> "),
            Some("Abc.123@mail.example.go.th".into())
        );
        assert_eq!(normalise_message_id("<>"), None);
        assert_eq!(normalise_message_id(""), None);
    }

    #[test]
    fn an_inner_rueang_is_part_of_the_subject_not_its_start() {
        let facts = extract("ขอสอบถามเรื่องการสมัครงาน", "");
        assert_eq!(facts.subject, "ขอสอบถามเรื่องการสมัครงาน");
        let facts = extract(
            "ที่ ศธ 04183/ว5 ลงวันที่ 2 พ.ค. 69 เรื่อง ขอสอบถามเรื่องการสมัครงาน",
            "",
        );
        assert_eq!(facts.subject, "ขอสอบถามเรื่องการสมัครงาน");
        assert_eq!(facts.doc_date, NaiveDate::from_ymd_opt(2026, 5, 2));
        assert_eq!(extract("[ด่วนที่สุด] เรื่อง ประชุมครู", "").subject, "ประชุมครู");
        let body = "เรียน ผู้อำนวยการ\nด้วยโรงเรียนขอสอบถามเรื่องการสมัครงาน\n";
        assert_eq!(extract("ใบสมัคร", body).subject, "ใบสมัคร");
    }
}
