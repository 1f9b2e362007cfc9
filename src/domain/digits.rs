//! Thai digits (๐–๙) and Arabic digits are the same number in input and search.

const THAI_ZERO: u32 = '๐' as u32;

/// Replaces every Thai digit with its Arabic twin; everything else is kept.
pub fn to_arabic(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '๐'..='๙' => char::from_digit(c as u32 - THAI_ZERO, 10).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Replaces every Arabic digit with its Thai twin (for documents printed the formal way).
pub fn to_thai(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => char::from_u32(THAI_ZERO + d).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The form used for search: Arabic digits, lower case, runs of white space folded to one space.
pub fn search_key(text: &str) -> String {
    let arabic = to_arabic(text).to_lowercase();
    arabic.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_and_arabic_digits_round_trip() {
        assert_eq!(to_arabic("ศธ ๐๔๑๘๓/ว๑๘๙๑"), "ศธ 04183/ว1891");
        assert_eq!(to_thai("ศธ 04183/ว1891"), "ศธ ๐๔๑๘๓/ว๑๘๙๑");
        assert_eq!(to_arabic(&to_thai("0123456789")), "0123456789");
    }

    #[test]
    fn search_key_folds_digits_case_and_space() {
        assert_eq!(search_key("  ขอ   อนุญาต ๒๕๖๖ PDF "), "ขอ อนุญาต 2566 pdf");
    }
}
