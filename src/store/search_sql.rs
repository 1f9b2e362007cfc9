//! The SQL of searches built at run time: conditions with their bound values, numbered in
//! order, and the pieces of SQLite's text index (FTS5 phrases, the ids of the letters that hold
//! every word) that the register search, the inbox and the filed and lent lists share.

use super::DbKind;
use super::like_contains;
use crate::domain::search::SearchWords;

/// A value bound to a query built at run time.
#[derive(Clone)]
pub(super) enum Bind {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
}

/// One condition of a query built at run time: SQL with a `?` for each bound value, in order.
#[derive(Clone)]
pub(super) struct Cond {
    pub(super) sql: String,
    pub(super) binds: Vec<Bind>,
}

impl Cond {
    pub(super) fn new(sql: impl Into<String>, binds: Vec<Bind>) -> Cond {
        Cond {
            sql: sql.into(),
            binds,
        }
    }
}

/// Conditions joined by AND, numbered `$1…` from `first`, with their values.
pub(super) fn render(conds: &[&Cond], first: usize) -> (String, Vec<Bind>) {
    let mut n = first;
    let mut parts = Vec::new();
    let mut binds = Vec::new();
    for c in conds {
        let mut sql = String::new();
        for (i, piece) in c.sql.split('?').enumerate() {
            if i > 0 {
                sql.push_str(&format!("${n}"));
                n += 1;
            }
            sql.push_str(piece);
        }
        parts.push(sql);
        binds.extend(c.binds.iter().cloned());
    }
    if parts.is_empty() {
        parts.push("1 = 1".into());
    }
    (parts.join(" AND "), binds)
}

pub(super) fn bound<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = match b {
            Bind::Text(s) => q.bind(s.clone()),
            Bind::Int(n) => q.bind(*n),
            Bind::Bytes(b) => q.bind(b.clone()),
        };
    }
    q
}

/// [`super::letters::VISIBLE_TO`] as a condition, the user bound at both of its `?`.
pub(super) fn visible_to_cond(user: i64) -> Cond {
    Cond::new(
        super::letters::VISIBLE_TO,
        vec![Bind::Int(user), Bind::Int(user)],
    )
}

/// An FTS5 query asking for every word, each a phrase of its trigrams, quoted so that nothing
/// in it is read as FTS5 syntax.
pub(super) fn fts_all_phrases(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// SQLite: the subquery of the ids of the letters whose `search_all` holds every word (within
/// the range of text index keys `keys`, when given), and `conds` numbered after it, with the
/// values of both.
pub(super) fn fts_then(
    words: &[String],
    keys: Option<(i64, i64)>,
    conds: &[&Cond],
) -> (String, String, Vec<Bind>) {
    let mut sql = format!(
        "SELECT {} AS id FROM letters_text WHERE letters_text MATCH ?",
        super::text_key::LETTER_ID_OF_ROWID
    );
    let mut binds = vec![Bind::Text(fts_all_phrases(words))];
    if let Some((first, last)) = keys {
        sql.push_str(" AND rowid BETWEEN ? AND ?");
        binds.extend([Bind::Int(first), Bind::Int(last)]);
    }
    let fts = Cond::new(sql, binds);
    let (source, mut binds) = render(&[&fts], 1);
    let (where_sql, rest) = render(conds, binds.len() + 1);
    binds.extend(rest);
    (source, where_sql, binds)
}

/// The letters (as `l`) that hold every word of `text` in any of their fields, as one SQL
/// condition numbered from `$first`, with its values: what a register search in all fields
/// means (the index narrows, `search_all` decides), for the short lists that are not registers
/// (letters filed, letters lent). `None` when the text has no words.
pub(super) fn letters_with_words(
    kind: DbKind,
    text: &str,
    first: usize,
) -> Option<(String, Vec<String>)> {
    let words = SearchWords::parse(text);
    if words.is_empty() {
        return None;
    }
    let mut conds = Vec::new();
    if kind == DbKind::Sqlite && !words.indexed.is_empty() {
        conds.push(Cond::new(
            format!(
                "l.id IN (SELECT {} FROM letters_text WHERE letters_text MATCH ?)",
                super::text_key::LETTER_ID_OF_ROWID
            ),
            vec![Bind::Text(fts_all_phrases(&words.indexed))],
        ));
    }
    for word in words.all() {
        let answered = kind == DbKind::Sqlite && words.indexed.iter().any(|w| w == word);
        if !answered {
            conds.push(Cond::new(
                "l.search_all LIKE ? ESCAPE '\\'",
                vec![Bind::Text(like_contains(word))],
            ));
        }
    }
    let (sql, binds) = render(&conds.iter().collect::<Vec<_>>(), first);
    let binds = binds
        .into_iter()
        .map(|b| match b {
            Bind::Text(s) => s,
            Bind::Int(n) => n.to_string(),
            // Only text and numbers are bound above.
            Bind::Bytes(_) => unreachable!("no bytes are bound for a list's words"),
        })
        .collect();
    Some((sql, binds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_words_condition_uses_the_index_and_checks_short_words() {
        let (sql, binds) = letters_with_words(DbKind::Sqlite, "ประชุม ๑๒", 3).unwrap();
        assert_eq!(
            sql,
            "l.id IN (SELECT (rowid & 4294967295) FROM letters_text WHERE letters_text MATCH $3) \
             AND l.search_all LIKE $4 ESCAPE '\\'"
        );
        assert_eq!(binds, vec!["\"ประชุม\"".to_string(), "%12%".into()]);
        let (sql, binds) = letters_with_words(DbKind::Postgres, "ประชุม", 1).unwrap();
        assert_eq!(sql, "l.search_all LIKE $1 ESCAPE '\\'");
        assert_eq!(binds, vec!["%ประชุม%".to_string()]);
        assert!(letters_with_words(DbKind::Postgres, "  ", 1).is_none());
    }

    #[test]
    fn conditions_are_numbered_in_order() {
        let a = Cond::new("l.office_id = ?", vec![Bind::Text("x".into())]);
        let b = visible_to_cond(7);
        let (sql, binds) = render(&[&a, &b], 1);
        assert!(sql.starts_with("l.office_id = $1 AND (l.secrecy"));
        assert!(sql.contains("a.to_user_id = $2") && sql.contains("m.user_id = $3"));
        assert_eq!(binds.len(), 3);
        assert_eq!(render(&[], 1).0, "1 = 1");
    }
}
