//! Listing and searching the registers. A text index narrows a search (SQLite: FTS5 with the
//! trigram tokenizer over `search_all`; PostgreSQL: a pg_trgm GIN index on it, and for common
//! words a one-byte copy of it read in the list's order), and the letters' own normalised
//! columns (or that exact copy) decide, so a search means exactly what the old `LIKE` scan
//! meant: every word somewhere in the chosen field, Thai digits as Arabic ones, case and spacing
//! folded, the secrecy rule inside the query. Totals are exact up to [`COUNT_CAP`].

use sqlx::Row;

use super::letters::{LetterQuery, SELECT_LETTER, SearchField, letter_from_row, search_column};
use super::search_sql::{Bind, Cond, bound, fts_then, render, visible_to_cond};
use super::{DbKind, Result, Store, like_contains};
use crate::domain::search::{COUNT_CAP, SearchWords, Total, one_byte_form};
use crate::store::letters::Letter;

/// A query split into what the index can narrow and what every row must satisfy.
struct Plan {
    /// Office, register, year, secrecy and each word on its own column: always applied.
    conds: Vec<Cond>,
    /// SQLite: the indexed words, asked of FTS5 as phrases (empty when the index has nothing to
    /// do).
    fts_words: Vec<String>,
    /// The `LIKE` checks the phrases answer exactly: needed only when the index is not used.
    answered_by_index: Vec<Cond>,
    /// Whether the total is counted exactly (a register's year, unsearched) or capped.
    exact_total: bool,
    /// The total is the register-year's kept count (unsearched, every letter visible).
    kept_count: bool,
    /// PostgreSQL, for a page of many matches: `conds` with each word checked by `strpos` (the
    /// same substring test) instead of `LIKE`, so that the register is read in its own order
    /// and the page stops when full, rather than every match fetched through the trigram
    /// index and sorted (524 ms for two common words at 1 000 000 letters; 1 ms this way).
    ordered_conds: Vec<Cond>,
    /// Office, register, year and secrecy: which letters the list is of, whatever the words.
    scope: Vec<Cond>,
    /// Each word checked by `strpos` on the chosen field (empty: no words).
    word_checks: Vec<Cond>,
    /// PostgreSQL, a search in all fields whose every word has a one-byte form: each word
    /// checked by `position` on `letters_text_bytes` (migration 0029), which holds the columns
    /// of `scope` and `order` too, so that a list read in order reads that narrow table.
    byte_checks: Option<Vec<Cond>>,
    /// The list's order, newest first.
    order: &'static str,
    /// Office, register and year, for SQLite's text index keys (see [`super::text_key`]).
    office_id: String,
    register: Option<crate::domain::register::Register>,
    year_be: Option<i32>,
    /// SQLite: the indexed words in the range of keys of the scope say exactly which letters
    /// match (no other condition is left to check on the letters), so the count needs no join.
    answered_by_keys: bool,
}

/// PostgreSQL: from this many matches a page is read in the register's order (see
/// [`Plan::ordered_conds`]).
const MANY_MATCHES: i64 = 2000;

/// PostgreSQL's one-byte copy of the search text (migration 0029), read as `l` when
/// [`Plan::byte_checks`] serve a search.
const TEXT_COPY: &str = "letters_text_bytes";

/// The office, and the register and year when given, as conditions on columns named with
/// `prefix` (`"l."` on the letters, `""` on the register counts).
fn place_conds(
    prefix: &str,
    office_id: &str,
    register: Option<crate::domain::register::Register>,
    year_be: Option<i32>,
) -> Vec<Cond> {
    let mut conds = vec![Cond::new(
        format!("{prefix}office_id = ?"),
        vec![Bind::Text(office_id.to_string())],
    )];
    if let Some(r) = register {
        conds.push(Cond::new(
            format!("{prefix}register = ?"),
            vec![Bind::Text(r.code().to_string())],
        ));
    }
    if let Some(y) = year_be {
        conds.push(Cond::new(
            format!("{prefix}year_be = ?"),
            vec![Bind::Int(i64::from(y))],
        ));
    }
    conds
}

fn plan(kind: DbKind, q: &LetterQuery) -> Plan {
    let mut conds = place_conds("l.", &q.office_id, q.register, q.year_be);
    let mut ordered_conds = conds.clone();
    let mut scope = conds.clone();
    let mut word_checks = Vec::new();
    let words = q.q.as_deref().map(SearchWords::parse).unwrap_or_default();
    let byte_checks =
        (kind == DbKind::Postgres && q.field == SearchField::All && !words.is_empty())
            .then(|| {
                words
                    .all()
                    .map(|w| {
                        one_byte_form(w)
                            .map(|b| Cond::new("position(? IN l.text) > 0", vec![Bind::Bytes(b)]))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .flatten();
    let mut fts_words = Vec::new();
    let mut answered_by_index = Vec::new();
    if !words.is_empty() {
        if q.field == SearchField::Number {
            let text: Vec<&str> = words.all().collect();
            let number = match text.join(" ").parse::<i64>() {
                Ok(n) => Cond::new("l.number = ?", vec![Bind::Int(n)]),
                Err(_) => Cond::new("1 = 0", vec![]),
            };
            conds.push(number.clone());
            ordered_conds.push(number.clone());
            scope.push(number);
        } else {
            let column = search_column(q.field);
            for word in &words.indexed {
                match kind {
                    // A phrase of the word's trigrams: exactly where it is a substring.
                    DbKind::Sqlite => fts_words.push(word.clone()),
                    // pg_trgm serves LIKE on `search_all` itself; a search in one field asks
                    // `search_all` too, which holds every field, so the index still narrows it.
                    DbKind::Postgres if column != "l.search_all" => conds.push(Cond::new(
                        "l.search_all LIKE ? ESCAPE '\\'",
                        vec![Bind::Text(like_contains(word))],
                    )),
                    DbKind::Postgres => {}
                }
            }
            // Every word must appear in the chosen field: Thai has no spaces between words, so a
            // substring match is the honest search. SQLite's index already answered that exactly
            // for the indexed words in `search_all`.
            let exact_in_index = kind == DbKind::Sqlite && column == "l.search_all";
            for word in words.all() {
                let found = Cond::new(
                    format!("strpos({column}, ?) > 0"),
                    vec![Bind::Text(word.to_string())],
                );
                ordered_conds.push(found.clone());
                word_checks.push(found);
                let check = Cond::new(
                    format!("{column} LIKE ? ESCAPE '\\'"),
                    vec![Bind::Text(like_contains(word))],
                );
                if exact_in_index && words.indexed.iter().any(|w| w == word) {
                    answered_by_index.push(check);
                } else {
                    conds.push(check);
                }
            }
        }
    }
    if let Some(user) = q.restricted_to_user {
        conds.push(visible_to_cond(user));
        ordered_conds.push(visible_to_cond(user));
        scope.push(visible_to_cond(user));
    }
    // Only office, register and year are left on the letters: the keys' range answers them.
    let scope_conds = 1 + usize::from(q.register.is_some()) + usize::from(q.year_be.is_some());
    let answered_by_keys = kind == DbKind::Sqlite
        && !fts_words.is_empty()
        && conds.len() == scope_conds
        && super::text_key::range_is_exact(q.register, q.year_be);
    Plan {
        office_id: q.office_id.clone(),
        register: q.register,
        year_be: q.year_be,
        answered_by_keys,
        ordered_conds,
        scope,
        word_checks,
        byte_checks,
        order: if q.register.is_some() {
            "l.year_be DESC, l.number DESC, l.id DESC"
        } else {
            "l.registered_at DESC, l.id DESC"
        },
        conds,
        fts_words,
        answered_by_index,
        exact_total: words.is_empty() && q.register.is_some() && q.year_be.is_some(),
        kept_count: words.is_empty()
            && q.register.is_some()
            && q.year_be.is_some()
            && q.restricted_to_user.is_none(),
    }
}

impl Store {
    /// A page of a register (or of every register), newest first, and how many entries match:
    /// exactly up to [`COUNT_CAP`], "more than" past it.
    pub async fn list_letters(&self, q: &LetterQuery) -> Result<(Vec<Letter>, Total)> {
        let plan = plan(self.kind(), q);
        let conds: Vec<&Cond> = plan.conds.iter().collect();
        let keys = self.text_key_range(&plan).await?;
        let (total, use_index) = self.count(&plan, &conds, keys).await?;

        let per_page = q.per_page.clamp(1, 200);
        let page = crate::domain::register::clamp_page(q.page);
        let offset = (page - 1) * per_page;
        let use_index = use_index
            && !read_in_order(
                offset + per_page,
                self.letters_in_scope(&plan).await?,
                total.count,
            );
        let order = plan.order;
        // Few matches: the index's letters, sorted. Many (a common word): the register read in
        // its own order, each row checked, stops as soon as the page is full; on PostgreSQL,
        // the narrow copy of the text read when the words allow it.
        let many_on_postgres =
            self.kind() == DbKind::Postgres && (total.more || total.count >= MANY_MATCHES);
        let copy_checks = plan
            .byte_checks
            .as_ref()
            .filter(|_| many_on_postgres && !use_index);
        let table = if copy_checks.is_some() {
            TEXT_COPY
        } else {
            "letters"
        };
        let (select, where_sql, binds) = if use_index {
            // `CROSS JOIN` keeps SQLite from turning the join around (asking the index once per
            // letter of the register).
            let (source, where_sql, binds) = fts_then(&plan.fts_words, keys, &conds);
            let select = SELECT_LETTER.replacen(
                "FROM letters l",
                &format!("FROM ({source}) m CROSS JOIN letters l ON l.id = m.id"),
                1,
            );
            (select, where_sql, binds)
        } else if let Some(checks) = copy_checks {
            let all: Vec<&Cond> = plan.scope.iter().chain(checks).collect();
            let (where_sql, binds) = render(&all, 1);
            (SELECT_LETTER.to_string(), where_sql, binds)
        } else if many_on_postgres {
            let all: Vec<&Cond> = plan.ordered_conds.iter().collect();
            let (where_sql, binds) = render(&all, 1);
            (SELECT_LETTER.to_string(), where_sql, binds)
        } else {
            let mut all = conds.clone();
            all.extend(plan.answered_by_index.iter());
            let (where_sql, binds) = render(&all, 1);
            (SELECT_LETTER.to_string(), where_sql, binds)
        };
        let list_sql = if (offset > 0 && !use_index) || copy_checks.is_some() {
            // The page's letters picked first from the conditions alone, then read whole. Read
            // whole and then skipped, the letters before a later page each cost their joins
            // and counts (PostgreSQL, 100 000-letter year: page 50 took 21–23 ms that way and
            // 5–6 ms this way, page 200 123 ms and 10–11 ms).
            let join = match self.kind() {
                DbKind::Sqlite => "CROSS JOIN",
                DbKind::Postgres => "JOIN",
            };
            let select = SELECT_LETTER.replacen(
                "FROM letters l",
                &format!(
                    "FROM (SELECT l.id FROM {table} l WHERE {where_sql}
                           ORDER BY {order} LIMIT {per_page} OFFSET {offset}) page
                     {join} letters l ON l.id = page.id"
                ),
                1,
            );
            format!("{select} ORDER BY {order}")
        } else {
            format!("{select} WHERE {where_sql} ORDER BY {order} LIMIT {per_page} OFFSET {offset}")
        };
        let rows = bound(sqlx::query(sqlx::AssertSqlSafe(list_sql)), &binds)
            .fetch_all(self.pool())
            .await?;
        let letters = rows
            .iter()
            .map(letter_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((letters, total))
    }

    /// How many letters the list is of before its words, from the kept register counts of its
    /// office (and register, and year); the secrecy rule not applied. (PostgreSQL sums BIGINT
    /// as NUMERIC: cast back.)
    async fn letters_in_scope(&self, plan: &Plan) -> Result<i64> {
        let conds = place_conds("", &plan.office_id, plan.register, plan.year_be);
        let (where_sql, binds) = render(&conds.iter().collect::<Vec<_>>(), 1);
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(entries), 0) AS BIGINT) AS n FROM register_counts WHERE {where_sql}"
        );
        Ok(bound(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// SQLite, for a search with indexed words: the range of text index keys of its office (and
    /// register, and year). `None` otherwise.
    async fn text_key_range(&self, plan: &Plan) -> Result<Option<(i64, i64)>> {
        if self.kind() != DbKind::Sqlite || plan.fts_words.is_empty() {
            return Ok(None);
        }
        let no: Option<i64> =
            sqlx::query("SELECT no FROM letters_text_offices WHERE office_id = $1")
                .bind(plan.office_id.clone())
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get("no"))
                .transpose()?;
        Ok(no.map(|no| super::text_key::range(no, plan.register, plan.year_be)))
    }

    /// The total, and whether the page should be read through the index (SQLite: few matches).
    /// `keys`: the scope's range of text index keys (SQLite).
    async fn count(
        &self,
        plan: &Plan,
        conds: &[&Cond],
        keys: Option<(i64, i64)>,
    ) -> Result<(Total, bool)> {
        if plan.kept_count {
            return Ok((Total::exact(self.letters_in_scope(plan).await?), false));
        }
        if plan.exact_total {
            let (where_sql, binds) = render(conds, 1);
            let sql = format!("SELECT COUNT(*) AS n FROM letters l WHERE {where_sql}");
            let n: i64 = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?;
            return Ok((Total::exact(n), false));
        }
        if let Some(total) = self.count_common_words(plan).await? {
            return Ok((total, false));
        }
        let cap = COUNT_CAP + 1;
        let sql_and_binds = if plan.fts_words.is_empty() {
            let mut all = conds.to_vec();
            all.extend(plan.answered_by_index.iter());
            let (where_sql, binds) = render(&all, 1);
            (
                format!(
                    "SELECT COUNT(*) AS n FROM
                     (SELECT 1 FROM letters l WHERE {where_sql} LIMIT {cap}) AS c"
                ),
                binds,
            )
        } else if let (true, Some(_)) = (plan.answered_by_keys, keys) {
            // The index alone: the words, in the scope's range of keys.
            let (source, _, binds) = fts_then(&plan.fts_words, keys, &[]);
            (
                format!("SELECT COUNT(*) AS n FROM ({source} LIMIT {cap}) AS c"),
                binds,
            )
        } else {
            // Driven from the index: each match joined to its letter, counted up to the cap. The
            // letter is read from a narrow index of what the conditions ask (office, register,
            // year, secrecy), not from its wide row.
            let (source, where_sql, binds) = fts_then(&plan.fts_words, keys, conds);
            (
                format!(
                    "SELECT COUNT(*) AS n FROM
                     (SELECT 1 FROM ({source}) m
                      CROSS JOIN letters l INDEXED BY letters_search_scope ON l.id = m.id
                      WHERE {where_sql} LIMIT {cap}) AS c"
                ),
                binds,
            )
        };
        let (sql, binds) = sql_and_binds;
        let n: i64 = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let total = Total::from_capped(n);
        Ok((total, !plan.fts_words.is_empty() && !total.more))
    }

    /// PostgreSQL: the total of a search whose words are in a good share of the letters,
    /// counted by reading the newest letters in the list's order until the cap is passed;
    /// `None` when the words are rarer (the trigram index counts them better).
    ///
    /// pg_trgm's index only proposes candidates, so an exact count up to the cap checks every
    /// match's text anyway; for a common word the index also decodes every posting of its
    /// trigrams first, and the planner's other choice, a scan with `LIKE`, reads the oldest
    /// letters from disk. The newest letters are the ones in memory, `strpos` is twice as quick
    /// as `LIKE`, and the reading stops as soon as the cap is passed (ประชุม, in a third of
    /// 1 000 000 letters, `EXPLAIN ANALYZE`: 26 ms against 64–70 ms). When every word has a
    /// one-byte form the reading is of `letters_text_bytes` (~250-byte rows, a byte search over a
    /// third of the bytes: 21 ms against 40 ms on a slower day). Which way is better is told by
    /// the newest [`SAMPLE_ROWS`] letters of the list: when the words are in at least one in
    /// [`NEWEST_READ_SHARE`] (on the copy, [`NEWEST_READ_SHARE_BYTES`]) of them the newest are
    /// read; when the list is no longer than the sample, the sample is the count.
    async fn count_common_words(&self, plan: &Plan) -> Result<Option<Total>> {
        if self.kind() != DbKind::Postgres || plan.word_checks.is_empty() {
            return Ok(None);
        }
        // The narrow one-byte copy of the text when every word has that form.
        let (table, word_checks, share) = match &plan.byte_checks {
            Some(checks) => (TEXT_COPY, checks, NEWEST_READ_SHARE_BYTES),
            None => ("letters", &plan.word_checks, NEWEST_READ_SHARE),
        };
        let scope: Vec<&Cond> = plan.scope.iter().collect();
        let (scope_sql, scope_binds) = render(&scope, 1);
        let words: Vec<&Cond> = word_checks.iter().collect();
        let (words_sql, word_binds) = render(&words, scope_binds.len() + 1);
        let order = plan.order;
        let sample = format!(
            "SELECT COUNT(*) AS seen, COALESCE(SUM(hit), 0) AS hits FROM
             (SELECT CASE WHEN {words_sql} THEN 1 ELSE 0 END AS hit FROM {table} l
              WHERE {scope_sql} ORDER BY {order} LIMIT {SAMPLE_ROWS}) AS s"
        );
        let binds: Vec<Bind> = scope_binds.into_iter().chain(word_binds).collect();
        let row = bound(sqlx::query(sqlx::AssertSqlSafe(sample)), &binds)
            .fetch_one(self.pool())
            .await?;
        let (seen, hits): (i64, i64) = (row.try_get("seen")?, row.try_get("hits")?);
        if seen < SAMPLE_ROWS {
            // The whole list was read: this is the total.
            return Ok(Some(Total::exact(hits)));
        }
        if hits * share < seen {
            return Ok(None);
        }
        let all: Vec<&Cond> = plan.scope.iter().chain(word_checks).collect();
        let (where_sql, binds) = render(&all, 1);
        let cap = COUNT_CAP + 1;
        let sql = format!(
            "SELECT COUNT(*) AS n FROM
             (SELECT 1 FROM {table} l WHERE {where_sql} ORDER BY {order} LIMIT {cap}) AS c"
        );
        let n: i64 = bound(sqlx::query(sqlx::AssertSqlSafe(sql)), &binds)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        Ok(Some(Total::from_capped(n)))
    }
}

/// SQLite: whether the first `wanted` letters of a list of `scope` letters, `matches` of which
/// hold the words (an exact count, under the cap), are better read in the list's own order with
/// each letter checked (about `wanted × scope / matches` letters read, ~2 µs each: the `LIKE`
/// scan of 1 000 000 letters takes about 2 s) than by fetching every match from the index and
/// sorting them (~10 µs each: 7 153 matches took 71 ms at 100 000 letters).
fn read_in_order(wanted: i64, scope: i64, matches: i64) -> bool {
    matches > 0
        && wanted.saturating_mul(scope).saturating_mul(2)
            < matches.saturating_mul(matches).saturating_mul(10)
}

/// PostgreSQL: how many of the newest letters of a list tell whether its words are common.
const SAMPLE_ROWS: i64 = 1000;
/// PostgreSQL: words found in at least one in this many of the newest letters are counted by
/// reading the newest letters (about 10 × the cap at most, when they are that common).
/// Measured at 1 000 000 letters, on `letters` with `strpos`, for words in 6 % to 31 % of the
/// letters: reading the newest won from about 10 % up (13 %: 118 against 202 ms; 19 %: 80
/// against 229 ms), the index below it (6–7 %: 121–148 against 213–220 ms).
const NEWEST_READ_SHARE: i64 = 10;
/// The same when the reading is of the one-byte copy (`letters_text_bytes`), about twice as
/// quick: อบรม พัฒนาครู (7 %) 86 ms against 126 ms through the index, which costs about the same
/// for any word of a few per cent, so the two meet near 5 %.
const NEWEST_READ_SHARE_BYTES: i64 = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::search_sql::fts_all_phrases;

    #[test]
    fn the_plan_narrows_with_the_index_and_checks_every_word() {
        let q = LetterQuery {
            office_id: "o".into(),
            q: Some("ประชุม ศธ".into()),
            field: SearchField::Subject,
            ..Default::default()
        };
        let sqlite = plan(DbKind::Sqlite, &q);
        assert_eq!(sqlite.fts_words, vec!["ประชุม"]);
        let pg = plan(DbKind::Postgres, &q);
        let ordered: Vec<&str> = pg.ordered_conds.iter().map(|c| c.sql.as_str()).collect();
        assert_eq!(
            ordered,
            vec![
                "l.office_id = ?",
                "strpos(l.search_subject, ?) > 0",
                "strpos(l.search_subject, ?) > 0"
            ],
            "no trigram narrowing, each word checked as a substring"
        );
        assert_eq!(
            sqlite
                .conds
                .iter()
                .filter(|c| c.sql.starts_with("l.search_subject LIKE"))
                .count(),
            2
        );
        assert!(!sqlite.exact_total);
        let pg = plan(DbKind::Postgres, &q);
        assert!(pg.fts_words.is_empty());
        assert_eq!(
            pg.conds
                .iter()
                .filter(|c| c.sql.starts_with("l.search_all LIKE"))
                .count(),
            1
        );
        // In every field, SQLite's phrase answers the indexed word exactly: only the short one
        // is checked row by row.
        let everywhere = plan(
            DbKind::Sqlite,
            &LetterQuery {
                field: SearchField::All,
                ..q.clone()
            },
        );
        let checked: Vec<&str> = everywhere
            .conds
            .iter()
            .filter(|c| c.sql.contains("LIKE"))
            .map(|c| c.sql.as_str())
            .collect();
        assert_eq!(checked, vec!["l.search_all LIKE ? ESCAPE '\\'"]);
        assert_eq!(everywhere.answered_by_index.len(), 1);
        let quoted = fts_all_phrases(&["a\"b".to_string(), "ประชุม".to_string()]);
        assert_eq!(quoted, "\"a\"\"b\" AND \"ประชุม\"");
        let register = LetterQuery {
            office_id: "o".into(),
            register: Some(crate::domain::register::Register::Inbound),
            year_be: Some(2569),
            ..Default::default()
        };
        let unsearched = plan(DbKind::Sqlite, &register);
        assert!(unsearched.exact_total);
        assert!(unsearched.kept_count);
        let restricted = LetterQuery {
            restricted_to_user: Some(3),
            ..register
        };
        assert!(!plan(DbKind::Sqlite, &restricted).kept_count);
    }

    #[test]
    fn the_count_is_read_from_the_keys_alone_only_when_nothing_else_is_asked_of_the_letters() {
        use crate::domain::register::Register;
        let words = |q: &str, field, register, year_be, user| LetterQuery {
            office_id: "o".into(),
            q: Some(q.into()),
            field,
            register,
            year_be,
            restricted_to_user: user,
            ..Default::default()
        };
        let keys = |q: &LetterQuery| plan(DbKind::Sqlite, q).answered_by_keys;
        let inbound = Some(Register::Inbound);
        assert!(keys(&words("ประชุม", SearchField::All, None, None, None)));
        assert!(keys(&words(
            "ประชุม อบรม",
            SearchField::All,
            inbound,
            Some(2569),
            None
        )));
        // The secrecy rule, a short word, one field, or a year across registers: on the letters.
        assert!(!keys(&words(
            "ประชุม",
            SearchField::All,
            inbound,
            None,
            Some(7)
        )));
        assert!(!keys(&words(
            "ประชุม ๑๒",
            SearchField::All,
            inbound,
            None,
            None
        )));
        assert!(!keys(&words(
            "ประชุม",
            SearchField::Subject,
            inbound,
            None,
            None
        )));
        assert!(!keys(&words(
            "ประชุม",
            SearchField::All,
            None,
            Some(2569),
            None
        )));
        assert!(
            !plan(
                DbKind::Postgres,
                &words("ประชุม", SearchField::All, None, None, None)
            )
            .answered_by_keys
        );
    }

    #[test]
    fn the_one_byte_copy_serves_searches_in_all_fields_with_one_byte_words() {
        let q = |text: &str, field| LetterQuery {
            office_id: "o".into(),
            q: Some(text.into()),
            field,
            ..Default::default()
        };
        let checks = |kind, q: &LetterQuery| plan(kind, q).byte_checks.map(|c| c.len());
        assert_eq!(
            checks(DbKind::Postgres, &q("ประชุม ๑๒ ab", SearchField::All)),
            Some(3)
        );
        // A word with a character the copy holds only as its placeholder: the text itself.
        assert_eq!(
            checks(DbKind::Postgres, &q("ประชุม café", SearchField::All)),
            None
        );
        assert_eq!(
            checks(DbKind::Postgres, &q("ประชุม", SearchField::Subject)),
            None
        );
        assert_eq!(checks(DbKind::Sqlite, &q("ประชุม", SearchField::All)), None);
        assert_eq!(checks(DbKind::Postgres, &q(" ", SearchField::All)), None);
    }

    #[test]
    fn many_matches_are_read_in_the_lists_order_and_few_from_the_index() {
        // 7 153 of 100 000 letters: about 700 letters read in order against 7 153 sorted.
        assert!(read_in_order(50, 100_000, 7_153));
        // 10 of 1 000 000: five million read in order against ten sorted.
        assert!(!read_in_order(50, 1_000_000, 10));
        // 2 000 of 1 000 000: 25 000 read (~50 ms) against 2 000 sorted (~20 ms).
        assert!(!read_in_order(50, 1_000_000, 2_000));
        // A later page reads further.
        assert!(read_in_order(50, 1_000_000, 9_000));
        assert!(!read_in_order(2_500, 1_000_000, 9_000));
        assert!(!read_in_order(50, 1_000, 0));
    }
}
