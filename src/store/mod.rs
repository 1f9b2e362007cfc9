//! Storage adapter: one sqlx `Any` code path for SQLite (embedded default) and PostgreSQL.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor, Row};
use thiserror::Error;

use crate::domain::codes::Coded;

pub mod arrivals;
pub mod audit;
pub mod blobs;
pub mod bulk;
pub mod closings;
pub mod deliveries;
pub mod disposals;
pub mod dkim_keys;
pub mod domain_pauses;
pub mod file_alarms;
pub mod file_removals;
pub mod file_texts;
pub mod filing;
pub mod follow_up;
pub mod garbage;
pub mod handovers;
pub mod held_files;
pub mod inbox;
pub mod inbox_text;
pub mod journey;
pub mod letters;
pub mod login_failures;
pub mod mailboxes;
pub mod offices;
pub mod ops;
pub mod records;
pub mod registration;
pub mod school_groups;
pub mod search;
pub mod search_columns;
mod search_sql;
pub mod sender_checks;
pub mod settings;
pub mod smtp;
pub mod stamps;
pub mod text_key;
pub mod users;
pub mod work_groups;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// The database behind the registers.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    kind: DbKind,
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("not found")]
    NotFound,
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("cannot create the database directory: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// True when the database refused a row because a UNIQUE key already holds it.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// `($1, $2), ($3, $4)` for `rows` rows of `per_row` parameters; `(?, ?), (?, ?)` on SQLite,
/// whose lookup of a numbered parameter walks the whole list (quadratic in a long statement).
pub(crate) fn placeholders(kind: DbKind, rows: usize, per_row: usize) -> String {
    (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=per_row)
                .map(|c| match kind {
                    DbKind::Sqlite => "?".to_string(),
                    DbKind::Postgres => format!("${}", r * per_row + c),
                })
                .collect();
            format!("({})", params.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$1,$2,…,$n`: the parameters of an `IN (…)` list.
pub(crate) fn numbered_list(n: usize) -> String {
    numbered_list_from(1, n)
}

/// `$first,…`: the `n` parameters of an `IN (…)` list bound after `first - 1` others.
pub(crate) fn numbered_list_from(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `1,2,3`: ids written into a statement's `IN (…)`. They are integers, so this is safe, and a
/// long list costs no parameters.
pub(crate) fn inline_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Inserts `rows` in statements of at most `per_statement` rows each. `statement` turns the
/// `VALUES` list into the whole SQL; `bind` binds one row's `columns` values in order. Returns
/// how many rows the database took (fewer when a conflict clause skipped some).
pub(crate) async fn insert_rows<T>(
    kind: DbKind,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    rows: &[T],
    per_statement: usize,
    columns: usize,
    statement: impl Fn(&str) -> String,
    bind: impl Fn(AnyQuery<'static>, &T) -> AnyQuery<'static>,
) -> Result<u64> {
    let mut taken = 0;
    for chunk in rows.chunks(per_statement) {
        let sql = statement(&placeholders(kind, chunk.len(), columns));
        let query = chunk
            .iter()
            .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), &bind);
        taken += query.execute(&mut **tx).await?.rows_affected();
    }
    Ok(taken)
}

/// A write the database refused because of what it already holds. The store names the case; the
/// services say it to people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// An office with this id exists.
    OfficeIdTaken(String),
    /// A user with this login name exists.
    UsernameTaken(String),
    /// The letter was cancelled or changed since it was read.
    LetterChanged,
    /// The letter was cancelled already.
    LetterCancelled,
    /// Only a failed or delayed e-mail can be sent again.
    NotRetryable,
    /// Another worker took over the delivery's lease.
    LeaseLost,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open write transaction: a unit of work the services compose from the store's functions.
/// Dropped without [`commit`], it rolls back.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Which database a transaction talks to.
pub(crate) fn kind_of(tx: &Tx) -> DbKind {
    use std::ops::Deref;
    if tx.deref().backend_name().eq_ignore_ascii_case("sqlite") {
        DbKind::Sqlite
    } else {
        DbKind::Postgres
    }
}

/// Commits a unit of work.
pub async fn commit(tx: Tx) -> Result<()> {
    Ok(tx.commit().await?)
}

/// Reads a state kept as a code; a code this version does not know is corrupt data, not a guess.
pub(crate) fn coded<T: Coded>(row: &sqlx::any::AnyRow, column: &str) -> Result<T> {
    let code: String = row.try_get(column)?;
    T::from_code(&code).ok_or_else(|| StoreError::Corrupt(format!("{} {code:?}", T::WHAT)))
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

impl Store {
    /// Connects; for SQLite the file (and its directory) is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else {
            DbKind::Postgres
        };
        let url = match kind {
            DbKind::Sqlite => prepare_sqlite_url(url)?,
            DbKind::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let mut pool_options = AnyPoolOptions::new().max_connections(max_connections.max(1));
        if kind == DbKind::Sqlite {
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers work while a clerk registers; the busy timeout makes
                    // concurrent writers queue instead of failing.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 30000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    // Pages read through the OS's cache, which every connection shares: with
                    // SQLite's own cache (2 MB per connection) a search of a common word read
                    // the text index three times slower on a connection that had not read it.
                    conn.execute("PRAGMA mmap_size = 1073741824").await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options.connect_with(options).await?;
        Ok(Store { pool, kind })
    }

    pub async fn migrate(&self) -> Result<()> {
        match self.kind {
            DbKind::Sqlite => SQLITE_MIGRATOR.run(&self.pool).await?,
            DbKind::Postgres => POSTGRES_MIGRATOR.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so concurrent registrations wait their turn instead of failing on a lock upgrade.
    pub async fn begin_write(&self) -> Result<Tx> {
        Ok(match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DbKind::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://./data/saraban.db` → the same with `mode=rwc`, after creating `./data`.
fn prepare_sqlite_url(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let dir = std::path::Path::new(path).parent();
    if let Some(dir) = dir.filter(|d| path != ":memory:" && !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(match query {
        Some(q) if q.contains("mode=") => format!("sqlite://{path}?{q}"),
        Some(q) => format!("sqlite://{path}?{q}&mode=rwc"),
        None => format!("sqlite://{path}?mode=rwc"),
    })
}

/// Times are stored as fixed-width RFC 3339 UTC text, so text order is time order.
pub fn time_to_db(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn time_from_db(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("time {s:?}: {e}")))
}

pub fn date_to_db(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn date_from_db(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
}

/// A LIKE pattern that matches `needle` anywhere, with `%`, `_` and `\` taken literally.
pub fn like_contains(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode() {
        let dir = std::env::temp_dir().join("saraban-url-test");
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(
            prepare_sqlite_url(&url).unwrap(),
            format!("sqlite://{}/x.db?mode=rwc", dir.display())
        );
        assert!(dir.exists());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_contains("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn times_sort_as_text() {
        let a = time_to_db(
            DateTime::parse_from_rfc3339("2023-05-08T09:00:00Z")
                .unwrap()
                .into(),
        );
        let b = time_to_db(
            DateTime::parse_from_rfc3339("2023-05-08T10:00:00.5Z")
                .unwrap()
                .into(),
        );
        assert!(a < b);
        assert_eq!(
            time_from_db(&a).unwrap().to_rfc3339(),
            "2023-05-08T09:00:00+00:00"
        );
    }
}
