//! The receipt stamp (ตรารับหนังสือ): what a registered inbound letter's first page carries, and
//! the office's choices of where and how it is drawn. Drawing it on a PDF is `outputs::stamp`.

use chrono::{DateTime, Timelike, Utc};
use sha2::{Digest, Sha256};

use super::codes::state_enum;
use super::thai_date;

state_enum!(
    /// Which corner of the displayed first page the stamp sits in (`top_right` as on paper).
    StampCorner "stamp corner", {
        TopRight = "top_right", "มุมขวาบน";
        TopLeft = "top_left", "มุมซ้ายบน";
        BottomRight = "bottom_right", "มุมขวาล่าง";
        BottomLeft = "bottom_left", "มุมซ้ายล่าง";
    }
);

/// An office's stamp: corner, text size in points, and whether the box is filled white (it then
/// hides what is under it on a scan) or left transparent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StampSettings {
    pub corner: StampCorner,
    pub font_size: u8,
    pub filled: bool,
}

impl Default for StampSettings {
    fn default() -> Self {
        StampSettings {
            corner: StampCorner::TopRight,
            font_size: DEFAULT_FONT_SIZE,
            filled: true,
        }
    }
}

pub const DEFAULT_FONT_SIZE: u8 = 11;
pub const FONT_SIZES: std::ops::RangeInclusive<u8> = 8..=18;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StampSettingsError {
    #[error("ตำแหน่งตรารับต้องเป็นมุมขวาบน ซ้ายบน ขวาล่าง หรือซ้ายล่าง")]
    Corner,
    #[error("ขนาดตัวอักษรของตรารับต้องเป็นเลข 8 ถึง 18 พอยต์")]
    FontSize,
}

impl StampSettings {
    /// Reads the settings form or API fields; empty means "as before".
    pub fn with_changes(
        self,
        corner: Option<&str>,
        font_size: Option<&str>,
        filled: Option<bool>,
    ) -> Result<StampSettings, StampSettingsError> {
        let mut next = self;
        if let Some(code) = corner.map(str::trim).filter(|c| !c.is_empty()) {
            next.corner = StampCorner::from_code(code).ok_or(StampSettingsError::Corner)?;
        }
        if let Some(size) = font_size.map(str::trim).filter(|s| !s.is_empty()) {
            let size: u8 = super::digits::to_arabic(size)
                .parse()
                .map_err(|_| StampSettingsError::FontSize)?;
            if !FONT_SIZES.contains(&size) {
                return Err(StampSettingsError::FontSize);
            }
            next.font_size = size;
        }
        if let Some(filled) = filled {
            next.filled = filled;
        }
        Ok(next)
    }
}

/// The stamp's text, line by line: the office, `เลขรับ 12`, `วันที่ 2 พ.ค. 2566`, `เวลา 09.05 น.`
/// (the time the letter was received, in Bangkok).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptStamp {
    pub lines: Vec<String>,
    pub settings: StampSettings,
    /// ตรากำหนดเก็บ (`เก็บถึง พ.ศ. 2579`, `ห้ามทำลาย`), drawn in its own box at the bottom right.
    pub keep: Option<String>,
}

impl ReceiptStamp {
    pub fn new(
        office: &str,
        number: i64,
        received: DateTime<Utc>,
        settings: StampSettings,
    ) -> Self {
        let local = thai_date::to_bangkok(received);
        let lines = vec![
            office.to_string(),
            format!("เลขรับ {number}"),
            format!("วันที่ {}", thai_date::format_short(local.date())),
            format!("เวลา {:02}.{:02} น.", local.hour(), local.minute()),
        ];
        ReceiptStamp {
            lines,
            settings,
            keep: None,
        }
    }

    /// The same stamp with the ตรากำหนดเก็บ beside it.
    pub fn with_keep_mark(mut self, keep: impl Into<String>) -> Self {
        self.keep = Some(keep.into());
        self
    }

    /// What the stamped copy of a file depends on: the file, these lines, the settings and the
    /// drawing code's version. A changed office name or setting makes a new copy; the same
    /// inputs find the copy already made.
    pub fn key(&self, source_sha256: &str) -> String {
        let mut hash = Sha256::new();
        hash.update(format!("stamp v{STAMP_VERSION}\n{source_sha256}\n"));
        for line in &self.lines {
            hash.update(line.as_bytes());
            hash.update(b"\n");
        }
        let s = self.settings;
        hash.update(format!("{} {} {}", s.corner.code(), s.font_size, s.filled));
        if let Some(keep) = &self.keep {
            hash.update(format!("\nkeep {keep}"));
        }
        hex::encode(hash.finalize())
    }
}

/// Bump when the drawing changes, so copies made by older code are made again.
pub const STAMP_VERSION: u32 = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_stamp_reads_as_on_paper_in_bangkok_time() {
        // 02:05 UTC is 09:05 in Bangkok.
        let at = Utc.with_ymd_and_hms(2023, 5, 2, 2, 5, 0).unwrap();
        let stamp = ReceiptStamp::new("สพป.อุบลราชธานี เขต 1", 1234, at, StampSettings::default());
        assert_eq!(
            stamp.lines,
            [
                "สพป.อุบลราชธานี เขต 1",
                "เลขรับ 1234",
                "วันที่ 2 พ.ค. 2566",
                "เวลา 09.05 น."
            ]
        );
    }

    #[test]
    fn the_key_changes_with_what_is_drawn() {
        let at = Utc.with_ymd_and_hms(2023, 5, 2, 2, 5, 0).unwrap();
        let a = ReceiptStamp::new("ก", 1, at, StampSettings::default());
        let b = ReceiptStamp::new("ก", 2, at, StampSettings::default());
        let moved = StampSettings {
            corner: StampCorner::TopLeft,
            ..StampSettings::default()
        };
        let c = ReceiptStamp::new("ก", 1, at, moved);
        assert_eq!(a.key("f"), a.clone().key("f"));
        assert_ne!(a.key("f"), b.key("f"));
        assert_ne!(a.key("f"), c.key("f"));
        assert_ne!(a.key("f"), a.key("g"));
    }

    #[test]
    fn settings_are_checked() {
        let s = StampSettings::default();
        let changed = s
            .with_changes(Some("bottom_left"), Some("๑๔"), Some(false))
            .unwrap();
        assert_eq!(changed.corner, StampCorner::BottomLeft);
        assert_eq!(changed.font_size, 14);
        assert!(!changed.filled);
        assert_eq!(
            s.with_changes(Some("middle"), None, None),
            Err(StampSettingsError::Corner)
        );
        assert_eq!(
            s.with_changes(None, Some("40"), None),
            Err(StampSettingsError::FontSize)
        );
        assert_eq!(s.with_changes(Some(""), Some(" "), None), Ok(s));
    }
}
