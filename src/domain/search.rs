//! What a search asks of the text index: its words, split into those the trigram index can find
//! and those too short for it, and how a total is told once it is past what is worth counting.

use super::digits::search_key;

/// The shortest word the trigram index can find (three characters make one trigram).
pub const INDEX_MIN_CHARS: usize = 3;

/// Totals are exact up to this many matches; past it a list says "more than".
pub const COUNT_CAP: i64 = 10_000;

/// A search text, normalised (Arabic digits, lower case, folded spaces) and split into words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchWords {
    /// Words of [`INDEX_MIN_CHARS`] characters or more: the index finds them.
    pub indexed: Vec<String>,
    /// Shorter words: checked on the letters the other words (or the year) narrowed to.
    pub short: Vec<String>,
}

impl SearchWords {
    pub fn parse(text: &str) -> SearchWords {
        let mut words = SearchWords::default();
        for word in search_key(text).split(' ').filter(|w| !w.is_empty()) {
            let word = word.to_string();
            if words.indexed.contains(&word) || words.short.contains(&word) {
                continue;
            }
            if word.chars().count() >= INDEX_MIN_CHARS {
                words.indexed.push(word);
            } else {
                words.short.push(word);
            }
        }
        words
    }

    pub fn is_empty(&self) -> bool {
        self.indexed.is_empty() && self.short.is_empty()
    }

    /// Every word, the indexed ones first.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.indexed.iter().chain(&self.short).map(String::as_str)
    }

    /// Only short words: the index cannot narrow the search, so it must be bounded by a year.
    pub fn needs_year(&self) -> bool {
        self.indexed.is_empty() && !self.short.is_empty()
    }
}

/// A word in the one-byte-per-letter form PostgreSQL's narrow copy of the search text keeps
/// (migration 0029, `saraban_search_bytes`): ASCII as it is, the Thai block's letters as in
/// TIS-620 (U+0E01 → 0xA1, …), anything else as the byte of `€`. A Thai letter takes one byte
/// instead of UTF-8's three, so a substring test reads a third of the bytes; every letter but
/// the placeholder has its own byte, so a word without one matches exactly where its text does.
/// `None` for a word holding a character outside that set (or `€`, or NUL): such a word is
/// checked on the text itself.
pub fn one_byte_form(word: &str) -> Option<Vec<u8>> {
    word.chars()
        .map(|c| match u32::from(c) {
            n @ 0x01..=0x7F => Some(n as u8),
            n @ (0x0E01..=0x0E3A | 0x0E3F..=0x0E5B) => Some((n - 0x0E00 + 0xA0) as u8),
            _ => None,
        })
        .collect()
}

/// How many entries a list found: exact up to [`COUNT_CAP`], "more than" past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub count: i64,
    /// True when there are more than `count` (which is then [`COUNT_CAP`]).
    pub more: bool,
}

impl Total {
    pub fn exact(count: i64) -> Total {
        Total { count, more: false }
    }

    /// From a count taken with `LIMIT COUNT_CAP + 1`.
    pub fn from_capped(counted: i64) -> Total {
        if counted > COUNT_CAP {
            Total {
                count: COUNT_CAP,
                more: true,
            }
        } else {
            Total::exact(counted)
        }
    }

    /// "12 รายการ", "1,234 รายการ", "มากกว่า 10,000 รายการ".
    pub fn label(&self) -> String {
        let n = grouped(self.count);
        if self.more {
            format!("มากกว่า {n} รายการ")
        } else {
            format!("{n} รายการ")
        }
    }
}

/// A count with thousands separated by commas, as Thai forms print it.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_by_what_the_index_can_find() {
        let w = SearchWords::parse("  ศธ ๐๔๑๘๓/ว๑๘๙๑  ประชุม ก ประชุม ");
        assert_eq!(w.indexed, vec!["04183/ว1891", "ประชุม"]);
        assert_eq!(w.short, vec!["ศธ", "ก"]);
        assert!(!w.needs_year());
        assert_eq!(w.all().count(), 4);
        let short = SearchWords::parse("ศธ AB");
        assert!(short.needs_year());
        assert_eq!(short.short, vec!["ศธ", "ab"]);
        assert!(SearchWords::parse("   ").is_empty());
    }

    #[test]
    fn words_take_one_byte_a_letter_or_are_left_to_the_text() {
        assert_eq!(
            one_byte_form("ประชุม"),
            Some(vec![0xBB, 0xC3, 0xD0, 0xAA, 0xD8, 0xC1])
        );
        assert_eq!(
            one_byte_form("ว12/a"),
            Some(vec![0xC7, b'1', b'2', b'/', b'a'])
        );
        // The first and last Thai letters, and the baht sign after the gap.
        assert_eq!(one_byte_form("ก๛ฺ฿"), Some(vec![0xA1, 0xFB, 0xDA, 0xDF]));
        assert_eq!(one_byte_form("café"), None);
        assert_eq!(one_byte_form("€"), None);
        assert_eq!(one_byte_form("\u{e3b}"), None);
    }

    #[test]
    fn totals_are_exact_up_to_the_cap() {
        assert_eq!(Total::from_capped(7).label(), "7 รายการ");
        assert_eq!(Total::from_capped(10_000).label(), "10,000 รายการ");
        let over = Total::from_capped(10_001);
        assert!(over.more);
        assert_eq!(over.count, COUNT_CAP);
        assert_eq!(over.label(), "มากกว่า 10,000 รายการ");
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(0), "0");
    }
}
