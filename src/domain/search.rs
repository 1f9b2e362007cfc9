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
