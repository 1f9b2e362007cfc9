//! The letters' history is one hash chain: each entry's hash covers the previous entry's hash and
//! every field of its own, so an entry changed, removed, reordered or cut off at the end breaks
//! the chain where it happened. `saraban audit verify` reads the chain through [`verify_chain`].

use sha2::{Digest, Sha256};

/// The hash of one history entry: over the previous entry's hash and every field of this one,
/// so changing, removing or reordering any entry breaks every hash after it.
pub fn audit_hash(
    prev: &str,
    letter_id: i64,
    kind: &str,
    actor: Option<i64>,
    at: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &letter_id.to_string(),
        kind,
        &actor.map(|a| a.to_string()).unwrap_or_default(),
        at,
        detail,
    ] {
        // Length-prefixed, so no two different entries hash the same text.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// One stored entry, as the chain verifier reads it.
pub struct ChainEntry {
    pub id: i64,
    pub letter_id: i64,
    pub kind: String,
    pub actor: Option<i64>,
    pub at: String,
    pub detail: String,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// What verifying the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    /// Intact: how many entries are chained, and how many came before the chain existed.
    Intact { chained: usize, before_chain: usize },
    /// The first entry that does not fit, and why.
    Broken { id: i64, reason: String },
}

/// Checks entries in id order; `head` is the hash the database says is the last one.
pub fn verify_chain(entries: &[ChainEntry], head: &str) -> ChainReport {
    let mut prev = String::new();
    let mut chained = 0;
    let mut before_chain = 0;
    for e in entries {
        let (Some(stored_prev), Some(stored)) = (&e.prev_hash, &e.hash) else {
            if chained == 0 {
                // History written before the chain was introduced.
                before_chain += 1;
                continue;
            }
            return ChainReport::Broken {
                id: e.id,
                reason: "ไม่มีค่าแฮช (แทรกเข้ามาภายหลัง)".into(),
            };
        };
        if *stored_prev != prev {
            return ChainReport::Broken {
                id: e.id,
                reason: "แฮชของรายการก่อนหน้าไม่ตรง (มีรายการถูกลบหรือสลับ)".into(),
            };
        }
        let expected = audit_hash(&prev, e.letter_id, &e.kind, e.actor, &e.at, &e.detail);
        if *stored != expected {
            return ChainReport::Broken {
                id: e.id,
                reason: "เนื้อหาไม่ตรงกับแฮช (ถูกแก้ไข)".into(),
            };
        }
        prev = expected;
        chained += 1;
    }
    if prev != head {
        return ChainReport::Broken {
            id: entries.last().map(|e| e.id).unwrap_or(0),
            reason: "รายการสุดท้ายไม่ตรงกับหัวโซ่ (มีรายการท้ายถูกลบ)".into(),
        };
    }
    ChainReport::Intact {
        chained,
        before_chain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> (Vec<ChainEntry>, String) {
        let mut prev = String::new();
        let mut out = Vec::new();
        for i in 0..n {
            let detail = format!("{{\"n\":{i}}}");
            let at = format!("2026-11-24T00:00:0{i}.000000Z");
            let hash = audit_hash(&prev, 1, "registered", Some(2), &at, &detail);
            out.push(ChainEntry {
                id: i as i64 + 1,
                letter_id: 1,
                kind: "registered".into(),
                actor: Some(2),
                at,
                detail,
                prev_hash: Some(prev.clone()),
                hash: Some(hash.clone()),
            });
            prev = hash;
        }
        (out, prev)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let (entries, head) = chain(4);
        assert_eq!(
            verify_chain(&entries, &head),
            ChainReport::Intact {
                chained: 4,
                before_chain: 0
            }
        );
        assert_eq!(
            verify_chain(&[], ""),
            ChainReport::Intact {
                chained: 0,
                before_chain: 0
            }
        );
    }

    #[test]
    fn edits_removals_and_truncation_are_found() {
        let (mut entries, head) = chain(4);
        entries[2].detail = "{\"n\":99}".into();
        assert!(matches!(
            verify_chain(&entries, &head),
            ChainReport::Broken { id: 3, .. }
        ));
        let (mut entries, head) = chain(4);
        entries.remove(1);
        assert!(matches!(
            verify_chain(&entries, &head),
            ChainReport::Broken { id: 3, .. }
        ));
        let (mut entries, head) = chain(4);
        entries.pop();
        assert!(matches!(
            verify_chain(&entries, &head),
            ChainReport::Broken { id: 3, .. }
        ));
        let (mut entries, head) = chain(4);
        entries[1].actor = Some(9);
        assert!(matches!(
            verify_chain(&entries, &head),
            ChainReport::Broken { id: 2, .. }
        ));
    }

    #[test]
    fn history_before_the_chain_is_counted_not_failed() {
        let (mut entries, head) = chain(2);
        entries.insert(
            0,
            ChainEntry {
                id: 0,
                letter_id: 1,
                kind: "registered".into(),
                actor: None,
                at: String::new(),
                detail: String::new(),
                prev_hash: None,
                hash: None,
            },
        );
        assert_eq!(
            verify_chain(&entries, &head),
            ChainReport::Intact {
                chained: 2,
                before_chain: 1
            }
        );
    }
}
