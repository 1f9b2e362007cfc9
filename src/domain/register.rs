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

#[cfg(test)]
mod tests {
    use super::*;

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
