//! SQLite: where a letter sits in the text index. The FTS5 table's rowid is the letter's key,
//! not its id: office number (17 bits) | register (2) | Buddhist-era year (12) | letter id (32),
//! spelt in SQL by the view `letters_text_keys` (migration 0028). A search in an office, in a
//! register of it, or in a year of that register is then one range of rowids, which FTS5 seeks
//! to itself, and its count needs no join to the letters.

use crate::domain::register::Register;

const OFFICE_SHIFT: u32 = 46;
const REGISTER_SHIFT: u32 = 44;
const YEAR_SHIFT: u32 = 32;

/// The letter's id in a key, in SQL over the FTS5 table's `rowid`.
pub const LETTER_ID_OF_ROWID: &str = "(rowid & 4294967295)";

/// The register's place in the key, as the view's `CASE` gives it.
fn register_no(register: Register) -> i64 {
    match register {
        Register::Inbound => 0,
        Register::Outbound => 1,
        Register::Circular => 2,
        Register::Order => 3,
    }
}

/// A letter's key, as the view computes it.
pub fn key(office_no: i64, register: Register, year_be: i32, letter_id: i64) -> i64 {
    (office_no << OFFICE_SHIFT)
        | (register_no(register) << REGISTER_SHIFT)
        | (i64::from(year_be) << YEAR_SHIFT)
        | letter_id
}

/// The first and last key of an office's letters, or of one register of it, or of one year of
/// that register. A year without a register is not one range: the office's is given, and the
/// year must be checked on the letters.
pub fn range(office_no: i64, register: Option<Register>, year_be: Option<i32>) -> (i64, i64) {
    let office = office_no << OFFICE_SHIFT;
    let (first, width) = match (register, year_be) {
        (None, _) => (office, 1i64 << OFFICE_SHIFT),
        (Some(r), None) => (
            office | (register_no(r) << REGISTER_SHIFT),
            1 << REGISTER_SHIFT,
        ),
        (Some(r), Some(y)) => (
            office | (register_no(r) << REGISTER_SHIFT) | (i64::from(y) << YEAR_SHIFT),
            1 << YEAR_SHIFT,
        ),
    };
    (first, first + (width - 1))
}

/// Whether [`range`] alone says which letters are in scope (it does unless a year is asked
/// without a register).
pub fn range_is_exact(register: Option<Register>, year_be: Option<i32>) -> bool {
    register.is_some() || year_be.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letters_key_falls_in_its_office_register_and_year_and_no_other() {
        let k = key(7, Register::Outbound, 2569, 123_456);
        assert_eq!(k & 4_294_967_295, 123_456, "the id comes back out");
        let within = |r: (i64, i64)| within_of(r, k);
        assert!(within(range(7, None, None)));
        assert!(within(range(7, Some(Register::Outbound), None)));
        assert!(within(range(7, Some(Register::Outbound), Some(2569))));
        assert!(!within(range(6, None, None)));
        assert!(!within(range(8, None, None)));
        assert!(!within(range(7, Some(Register::Inbound), None)));
        assert!(!within(range(7, Some(Register::Circular), None)));
        assert!(!within(range(7, Some(Register::Outbound), Some(2568))));
        assert!(!within(range(7, Some(Register::Outbound), Some(2570))));
        // The largest office number and letter id the key holds stay positive and in range.
        let last = key((1 << 17) - 1, Register::Order, 4095, 4_294_967_295);
        assert!(last > 0 && within_of(range((1 << 17) - 1, None, None), last));
        assert!(range_is_exact(Some(Register::Inbound), Some(2569)));
        assert!(range_is_exact(None, None));
        assert!(!range_is_exact(None, Some(2569)));
    }

    fn within_of((a, b): (i64, i64), k: i64) -> bool {
        a <= k && k <= b
    }
}
