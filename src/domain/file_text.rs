//! The words inside a letter's files: what kind of file it is (from its bytes, not its name),
//! cleaning what Tesseract reads from a Thai scan, the fields a scanned letter proposes, and where
//! a search's words were found, with the words marked.

use super::digits;
use super::mail_facts::{self, LetterFacts};

/// How a file's text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Its text layer (pdftotext), or OCR of its pages when it has none (a scan).
    Pdf,
    Docx,
    Xlsx,
    /// Word 97–2003.
    Doc,
    /// A scan: JPEG, PNG or TIFF, read by OCR.
    Image,
    /// Plain text (UTF-8).
    Text,
    /// Nothing to read (archives, audio, unknown formats).
    Other,
}

impl FileFormat {
    /// Tells the format by the file's first bytes; the name only tells a zip's Word from its
    /// Excel when the parts list is not in the first bytes, and plain text from other bytes.
    pub fn sniff(bytes: &[u8], name: &str) -> FileFormat {
        let lower = name.to_lowercase();
        if bytes.starts_with(b"%PDF-") {
            return FileFormat::Pdf;
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF])
            || bytes.starts_with(b"\x89PNG\r\n\x1a\n")
            || bytes.starts_with(b"II*\0")
            || bytes.starts_with(b"MM\0*")
        {
            return FileFormat::Image;
        }
        if bytes.starts_with(b"PK\x03\x04") {
            // An Office Open XML file: the parts say which; the name when they are not near.
            let head = &bytes[..bytes.len().min(64 * 1024)];
            if contains(head, b"word/") || lower.ends_with(".docx") {
                return FileFormat::Docx;
            }
            if contains(head, b"xl/") || lower.ends_with(".xlsx") {
                return FileFormat::Xlsx;
            }
            return FileFormat::Other;
        }
        if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // OLE compound files are Word, Excel or PowerPoint 97–2003; only Word is read.
            return if lower.ends_with(".doc") {
                FileFormat::Doc
            } else {
                FileFormat::Other
            };
        }
        if (lower.ends_with(".txt") || lower.ends_with(".csv"))
            && std::str::from_utf8(bytes).is_ok()
        {
            return FileFormat::Text;
        }
        FileFormat::Other
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Cleans text read by OCR from a Thai page: Tesseract writes สระอำ as nikhahit + sara aa
/// (which neither looks nor searches the same), and its lines carry stray spaces. The labels of
/// an official letter it often misreads by a tone mark (`ที`, `ลงวันที`, `เรือง`) are repaired at
/// the start of a line, so the letter's fields can be read from it.
pub fn clean_ocr(text: &str) -> String {
    let text = text.replace("\u{0E4D}\u{0E32}", "\u{0E33}");
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let repaired = [
            ("ที ", "ที่ "),
            ("ลงวันทิ ", "ลงวันที่ "),
            ("ลงวันที ", "ลงวันที่ "),
            ("เรือง ", "เรื่อง "),
        ]
        .iter()
        .find_map(|(wrong, right)| {
            line.strip_prefix(wrong)
                .map(|rest| format!("{right}{rest}"))
        })
        .unwrap_or(line);
        out.push(repaired);
    }
    // Paragraph breaks stay one empty line.
    let mut joined = out.join("\n");
    while joined.contains("\n\n\n") {
        joined = joined.replace("\n\n\n", "\n\n");
    }
    joined.trim().to_string()
}

/// Mends a Thai PDF's text layer as poppler reads it: a combining mark's zero advance often
/// reads as a gap, so `กระป๋ อง` comes out for `กระป๋อง`. A space between a tone mark or an
/// upper vowel and a Thai letter is dropped (a real phrase break there only joins two phrases,
/// which a search by substring does not mind); a space before a digit or Latin text stays.
pub fn mend_pdf_spacing(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' '
            && i > 0
            && is_thai_mark(chars[i - 1])
            && chars.get(i + 1).is_some_and(|&n| is_thai_letter(n))
        {
            continue;
        }
        out.push(c);
    }
    out
}

fn is_thai_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

fn is_thai_letter(c: char) -> bool {
    matches!(c, '\u{0E01}'..='\u{0E4E}')
}

/// What a letter's own text proposes for its entry: ที่, ลงวันที่ and เรื่อง read as from an
/// e-mail, and จาก from the `ส่วนราชการ` line of a memo, a `จาก` line, or what follows the ที่ on
/// its line (where the sending office stands in an external letter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    pub facts: LetterFacts,
    pub from: Option<String>,
}

impl Proposal {
    pub fn is_empty(&self) -> bool {
        self.facts.doc_no.is_none()
            && self.facts.doc_date.is_none()
            && self.facts.subject.is_empty()
            && self.from.is_none()
    }
}

pub fn propose(text: &str) -> Proposal {
    let head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    let mut facts = mail_facts::from_text(&head);
    // On paper the sending office stands on the ที่ line after the number: the number ends at
    // the first space after its `/`.
    if let Some(no) = &facts.doc_no
        && let Some((prefix, tail)) = no.rsplit_once('/')
    {
        let number = tail.split_whitespace().next().unwrap_or(tail);
        facts.doc_no = Some(format!("{prefix}/{number}"));
    }
    let from = head.lines().find_map(|line| {
        let line = line.trim();
        for label in ["ส่วนราชการ", "จาก"] {
            if let Some(rest) = line.strip_prefix(label) {
                let rest = rest.trim_start_matches([':', ' ']).trim();
                if !rest.is_empty() {
                    return Some(rest.to_string());
                }
            }
        }
        let doc_no = facts.doc_no.as_deref()?;
        let arabic = digits::to_arabic(line);
        let at = arabic.find(doc_no)?;
        if !arabic[..at].trim_end().ends_with("ที่") {
            return None;
        }
        let rest = arabic[at + doc_no.len()..].trim();
        (!rest.is_empty()).then(|| rest.to_string())
    });
    Proposal { facts, from }
}

/// Where a search's words were found in one letter: a place (เรื่อง, ที่, a file's name, a
/// file's text) and the piece of it that holds them, cut into plain and marked runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub place: String,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub marked: bool,
}

/// How many characters of a file's line are shown around the first word found.
const AROUND: usize = 60;

/// The places among `places` (label, text) that hold any of `words` (as the search matches
/// them: Thai digits as Arabic, case folded), each with its first line that holds one, the words
/// marked. At most `limit` places, in the order given.
pub fn where_found(words: &[String], places: &[(String, String)], limit: usize) -> Vec<Found> {
    let words: Vec<Vec<char>> = words
        .iter()
        .map(|w| digits::search_key(w).chars().collect::<Vec<_>>())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = Vec::new();
    for (place, text) in places {
        if out.len() >= limit {
            break;
        }
        let line = text.lines().find_map(|line| {
            let marks = marks_in(line, &words);
            marks.iter().any(|m| *m).then_some((line, marks))
        });
        if let Some((line, marks)) = line {
            out.push(Found {
                place: place.clone(),
                runs: runs_around(line, &marks),
            });
        }
    }
    out
}

/// For each character of `line`, whether it is part of a word found there.
fn marks_in(line: &str, words: &[Vec<char>]) -> Vec<bool> {
    let folded: Vec<char> = line
        .chars()
        .map(|c| {
            let key: Vec<char> = digits::search_key(&c.to_string()).chars().collect();
            // One character folds to one (digits, case) or to nothing (a space).
            key.first().copied().unwrap_or(' ')
        })
        .collect();
    let mut marks = vec![false; folded.len()];
    for word in words {
        if word.len() > folded.len() {
            continue;
        }
        for start in 0..=folded.len() - word.len() {
            if folded[start..start + word.len()] == word[..] {
                marks[start..start + word.len()].fill(true);
            }
        }
    }
    marks
}

/// The line cut to [`AROUND`] characters either side of its first mark, as runs.
fn runs_around(line: &str, marks: &[bool]) -> Vec<Run> {
    let chars: Vec<char> = line.chars().collect();
    let first = marks.iter().position(|m| *m).unwrap_or(0);
    let last = marks.iter().rposition(|m| *m).unwrap_or(0);
    let start = first.saturating_sub(AROUND);
    let end = (last + 1 + AROUND).min(chars.len()).max(first + 1);
    let mut runs: Vec<Run> = Vec::new();
    if start > 0 {
        runs.push(Run {
            text: "…".into(),
            marked: false,
        });
    }
    for i in start..end {
        match runs.last_mut() {
            Some(run) if run.marked == marks[i] && run.text != "…" => run.text.push(chars[i]),
            _ => runs.push(Run {
                text: chars[i].to_string(),
                marked: marks[i],
            }),
        }
    }
    if end < chars.len() {
        runs.push(Run {
            text: "…".into(),
            marked: false,
        });
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_bytes() {
        assert_eq!(FileFormat::sniff(b"%PDF-1.7\n", "x.bin"), FileFormat::Pdf);
        assert_eq!(FileFormat::sniff(b"%PDF-1.4", "scan.PDF"), FileFormat::Pdf);
        assert_eq!(
            FileFormat::sniff(b"\xFF\xD8\xFF\xE0", "a"),
            FileFormat::Image
        );
        assert_eq!(
            FileFormat::sniff(b"\x89PNG\r\n\x1a\n..", "a.png"),
            FileFormat::Image
        );
        assert_eq!(
            FileFormat::sniff(b"PK\x03\x04....word/document.xml", "a.zip"),
            FileFormat::Docx
        );
        assert_eq!(
            FileFormat::sniff(b"PK\x03\x04....xl/workbook.xml", "a"),
            FileFormat::Xlsx
        );
        assert_eq!(
            FileFormat::sniff(b"PK\x03\x04....", "photos.zip"),
            FileFormat::Other
        );
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0];
        assert_eq!(FileFormat::sniff(&ole, "หนังสือ.DOC"), FileFormat::Doc);
        assert_eq!(FileFormat::sniff(&ole, "งบ.xls"), FileFormat::Other);
        assert_eq!(
            FileFormat::sniff("ข้อความ".as_bytes(), "a.txt"),
            FileFormat::Text
        );
        assert_eq!(FileFormat::sniff(b"\xFF\xFE", "a.txt"), FileFormat::Other);
    }

    #[test]
    fn ocr_text_is_cleaned_and_its_labels_repaired() {
        let read = "ที ศธ 04183/ว1891\nลงวันทิ 2 พฤษภาคม 2566\n\n\n\nเรือง ขอเชิญประชุม\nสํานักงาน  เขต";
        assert_eq!(
            clean_ocr(read),
            "ที่ ศธ 04183/ว1891\nลงวันที่ 2 พฤษภาคม 2566\n\nเรื่อง ขอเชิญประชุม\nสำนักงาน เขต"
        );
        // A ที inside a line is a word of its own, left as read.
        assert_eq!(clean_ocr("มีที ดิน"), "มีที ดิน");
    }

    #[test]
    fn a_pdf_layer_gap_after_a_tone_mark_is_mended() {
        assert_eq!(
            mend_pdf_spacing("โครงการปลาทูน่ากระป๋ องเพื่อ ประจำปี ๒๕๖๖ ปี 2566 ที่ ABC"),
            "โครงการปลาทูน่ากระป๋องเพื่อ ประจำปี ๒๕๖๖ ปี 2566 ที่ ABC"
        );
    }

    #[test]
    fn a_scanned_letter_proposes_its_fields() {
        let text = "ที่ ศธ 04183/ว1891 สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต 1\n\
                    2 พฤษภาคม 2566\nเรื่อง ขอเชิญประชุมคณะกรรมการ\nเรียน ผู้อำนวยการโรงเรียน";
        let p = propose(text);
        assert_eq!(p.facts.doc_no.as_deref(), Some("ศธ 04183/ว1891"));
        assert_eq!(p.facts.subject, "ขอเชิญประชุมคณะกรรมการ");
        assert_eq!(
            p.from.as_deref(),
            Some("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต 1")
        );
        let memo = propose(
            "ส่วนราชการ โรงเรียนบ้านหนองบัว\nที่ ศธ ๐๔๑๘๓/๑๒ วันที่ ๓ มีนาคม ๒๕๖๗\nเรื่อง ขออนุญาตไปราชการ",
        );
        assert_eq!(memo.from.as_deref(), Some("โรงเรียนบ้านหนองบัว"));
        assert_eq!(memo.facts.doc_no.as_deref(), Some("ศธ 04183/12"));
        assert!(memo.facts.doc_date.is_some());
        assert!(propose("ภาพถ่ายกิจกรรม").is_empty());
    }

    fn shown(f: &Found) -> String {
        f.runs
            .iter()
            .map(|r| {
                if r.marked {
                    format!("[{}]", r.text)
                } else {
                    r.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn the_place_and_line_of_the_words_are_shown_marked() {
        let places = vec![
            ("เรื่อง".to_string(), "ขอเชิญประชุม".to_string()),
            (
                "ไฟล์ คำสั่ง.pdf".to_string(),
                "หน้าแรก\nคำสั่งที่ ๑๒/๒๕๖๖ แต่งตั้งครูเวร\nท้าย".to_string(),
            ),
        ];
        let words = vec!["12/2566".to_string(), "ครูเวร".to_string()];
        let found = where_found(&words, &places, 3);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].place, "ไฟล์ คำสั่ง.pdf");
        assert_eq!(shown(&found[0]), "คำสั่งที่ [๑๒/๒๕๖๖] แต่งตั้ง[ครูเวร]");
        let pdf = vec!["PDF".to_string()];
        let named = vec![("ไฟล์".to_string(), "Report.pdf".to_string())];
        assert_eq!(shown(&where_found(&pdf, &named, 3)[0]), "Report.[pdf]");
        assert!(where_found(&words, &places[..1], 3).is_empty());
    }

    #[test]
    fn a_long_line_is_cut_around_the_words() {
        let line = format!("{}ครูเวร{}", "ก".repeat(200), "ข".repeat(200));
        let found = where_found(&["ครูเวร".into()], &[("ไฟล์".into(), line)], 1);
        let text = shown(&found[0]);
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert_eq!(text.chars().count(), 1 + AROUND + 8 + AROUND + 1);
    }
}
