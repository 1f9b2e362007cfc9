//! The registers an office keeps (ทะเบียน) and the number series behind them.

use serde::{Deserialize, Serialize};

use super::codes::state_enum;

/// A register of the office. Each has its own list; the number series behind it is [`Series`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Register {
    /// ทะเบียนหนังสือรับ
    Inbound,
    /// ทะเบียนหนังสือส่ง
    Outbound,
    /// หนังสือเวียน (ว)
    Circular,
    /// คำสั่ง, numbered `N/พ.ศ.`
    Order,
}

impl Register {
    pub const ALL: [Register; 4] = [
        Register::Inbound,
        Register::Outbound,
        Register::Circular,
        Register::Order,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Register::Inbound => "inbound",
            Register::Outbound => "outbound",
            Register::Circular => "circular",
            Register::Order => "order",
        }
    }

    pub fn parse(code: &str) -> Option<Register> {
        Register::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The register's name as the manual writes it.
    pub fn label(self) -> &'static str {
        match self {
            Register::Inbound => "ทะเบียนหนังสือรับ",
            Register::Outbound => "ทะเบียนหนังสือส่ง",
            Register::Circular => "ทะเบียนหนังสือเวียน",
            Register::Order => "ทะเบียนคำสั่ง",
        }
    }

    /// The word before the number: เลขทะเบียนรับ / ส่ง / คำสั่ง.
    pub fn number_label(self) -> &'static str {
        match self {
            Register::Inbound => "เลขทะเบียนรับ",
            Register::Outbound | Register::Circular => "เลขทะเบียนส่ง",
            Register::Order => "คำสั่งที่",
        }
    }

    /// The number series this register draws from, given the office's circular setting.
    pub fn series(self, circular: CircularNumbering) -> Series {
        match (self, circular) {
            (Register::Inbound, _) => Series::Inbound,
            (Register::Outbound, _)
            | (Register::Circular, CircularNumbering::SharedWithOutbound) => Series::Outbound,
            (Register::Circular, CircularNumbering::Separate) => Series::Circular,
            (Register::Order, _) => Series::Order,
        }
    }

    /// Whether the office writes the letter's `ที่` itself (outbound, circular, order) or copies it
    /// from the letter received (inbound).
    pub fn generates_doc_no(self) -> bool {
        self != Register::Inbound
    }
}

/// How circulars are numbered: in the ordinary outbound series or a series of their own.
/// Both are found in practice; the regulation lets the office choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CircularNumbering {
    #[default]
    SharedWithOutbound,
    Separate,
}

impl CircularNumbering {
    pub fn code(self) -> &'static str {
        match self {
            CircularNumbering::SharedWithOutbound => "shared_with_outbound",
            CircularNumbering::Separate => "separate",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "shared_with_outbound" | "shared" => Some(CircularNumbering::SharedWithOutbound),
            "separate" => Some(CircularNumbering::Separate),
            _ => None,
        }
    }
}

/// One running number series: the counter key is (office, series, Buddhist-era year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Series {
    Inbound,
    Outbound,
    Circular,
    Order,
}

impl Series {
    pub const ALL: [Series; 4] = [
        Series::Inbound,
        Series::Outbound,
        Series::Circular,
        Series::Order,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Series::Inbound => "inbound",
            Series::Outbound => "outbound",
            Series::Circular => "circular",
            Series::Order => "order",
        }
    }

    pub fn parse(code: &str) -> Option<Series> {
        Series::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Series::Inbound => "เลขทะเบียนรับ",
            Series::Outbound => "เลขทะเบียนส่ง",
            Series::Circular => "เลขหนังสือเวียน (ว)",
            Series::Order => "เลขคำสั่ง",
        }
    }
}

state_enum!(
    /// Which field a search of a register looks in (the manual's "ค้นหาหนังสือ จาก [เรื่อง]").
    SearchField "search field", {
        All = "all", "ทุกช่อง";
        Subject = "subject", "เรื่อง";
        DocNo = "doc_no", "ที่";
        Sender = "from", "จาก";
        Recipient = "to", "ถึง";
        /// The register number, read from the all-fields text.
        Number = "number", "เลขทะเบียน";
    }
);

// state_enum! makes the enum, so it cannot take #[derive(Default)].
#[allow(clippy::derivable_impls)]
impl Default for SearchField {
    fn default() -> Self {
        SearchField::All
    }
}

/// Most words one search may hold: each is a condition on the register, and a clerk never
/// types more than a few.
pub const MAX_SEARCH_WORDS: usize = 20;
/// The last page a list shows; a larger `page` shows this one's (empty) place instead of
/// overflowing.
pub const MAX_PAGE: i64 = 1_000_000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ListError {
    #[error("ค้นหาได้ไม่เกิน {MAX_SEARCH_WORDS} คำต่อครั้ง")]
    TooManyWords,
    #[error("เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1")]
    BadPage,
}

/// Refuses a search of more than [`MAX_SEARCH_WORDS`] words.
pub fn check_search(text: &str) -> Result<(), ListError> {
    if text.split_whitespace().count() > MAX_SEARCH_WORDS {
        Err(ListError::TooManyWords)
    } else {
        Ok(())
    }
}

/// A page number as typed in a query: empty is page 1, a number above [`MAX_PAGE`] is
/// [`MAX_PAGE`], anything else that is not a positive number is refused.
pub fn page_number(text: &str) -> Result<i64, ListError> {
    let text = super::digits::to_arabic(text.trim());
    if text.is_empty() {
        return Ok(1);
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(ListError::BadPage);
    }
    match text.parse::<i64>() {
        Ok(0) => Err(ListError::BadPage),
        Ok(n) => Ok(n.min(MAX_PAGE)),
        // All digits but too long for i64: far beyond the last page.
        Err(_) => Ok(MAX_PAGE),
    }
}

/// A page number given as a number (the store's guard): within 1..=[`MAX_PAGE`].
pub fn clamp_page(page: i64) -> i64 {
    page.clamp(1, MAX_PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_far_beyond_the_data_are_clamped_and_nonsense_refused() {
        assert_eq!(page_number(""), Ok(1));
        assert_eq!(page_number("๓"), Ok(3));
        assert_eq!(page_number("9223372036854775807"), Ok(MAX_PAGE));
        assert_eq!(page_number("99999999999999999999999"), Ok(MAX_PAGE));
        assert_eq!(page_number("0"), Err(ListError::BadPage));
        assert_eq!(page_number("-1"), Err(ListError::BadPage));
        assert_eq!(page_number("abc"), Err(ListError::BadPage));
        assert_eq!(clamp_page(i64::MAX), MAX_PAGE);
        assert_eq!(clamp_page(i64::MIN), 1);
    }

    #[test]
    fn a_search_of_hundreds_of_words_is_refused() {
        assert_eq!(check_search("ประชุม ครู"), Ok(()));
        assert_eq!(
            check_search(&"คำ ".repeat(300)),
            Err(ListError::TooManyWords)
        );
    }

    #[test]
    fn circulars_share_the_outbound_series_unless_the_office_separates_them() {
        assert_eq!(
            Register::Circular.series(CircularNumbering::SharedWithOutbound),
            Series::Outbound
        );
        assert_eq!(
            Register::Circular.series(CircularNumbering::Separate),
            Series::Circular
        );
        assert_eq!(
            Register::Outbound.series(CircularNumbering::Separate),
            Series::Outbound
        );
    }

    #[test]
    fn codes_round_trip() {
        for r in Register::ALL {
            assert_eq!(Register::parse(r.code()), Some(r));
        }
        for s in Series::ALL {
            assert_eq!(Series::parse(s.code()), Some(s));
        }
        assert_eq!(Register::parse("bogus"), None);
    }
}
