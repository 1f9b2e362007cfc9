//! The SQLite and PostgreSQL migrations are two spellings of one schema. Both are migrated from
//! scratch and read back from the databases' own catalogues: tables, columns (kind of type and
//! nullability), primary keys, unique and plain indexes, and foreign keys must be the same.
//! A column or index added to one tree and not the other fails here, not in production.

use std::collections::{BTreeMap, BTreeSet};

use saraban::store::Store;
use sqlx::Row;

use crate::helpers::{init, postgres};

/// What both databases can say of a table, in words that do not depend on the dialect.
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    /// column → (kind of type, nullable)
    columns: BTreeMap<String, (&'static str, bool)>,
    primary_key: Vec<String>,
    /// (unique, columns in order): indexes by what they cover, not by name.
    indexes: BTreeSet<(bool, Vec<String>)>,
    /// (columns, referenced table, referenced columns)
    foreign_keys: BTreeSet<(Vec<String>, String, Vec<String>)>,
}

/// Integer, text, real and bytes: the four kinds `sqlx::Any` carries.
fn kind_of(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("real") || t.contains("double") || t.contains("float") {
        "real"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else {
        "other"
    }
}

async fn texts(store: &Store, sql: &str, binds: &[&str]) -> Vec<Vec<String>> {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| (0..r.len()).map(|i| r.get::<String, _>(i)).collect())
        .collect()
}

/// The text index is each database's own (docs/design.md, "Search"): SQLite's FTS5 tables
/// `letters_text` and `inbox_text` (with their shadow tables, skipped by name) and the narrow
/// index its count joins through; PostgreSQL's pg_trgm GIN indexes and its one-byte copy of the
/// search text, `letters_text_bytes` (skipped by name). What they serve is tested on both in
/// search_index.rs.
const TEXT_INDEX_PARTS: [&str; 3] = [
    "letters_search_scope",
    "letters_search_trgm",
    "inbox_search_trgm",
];

async fn sqlite_schema(store: &Store) -> BTreeMap<String, Table> {
    let mut out = BTreeMap::new();
    let tables = texts(
        store,
        "SELECT name FROM sqlite_master WHERE type = 'table'
           AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'
           AND name NOT LIKE 'letters_text%' AND name NOT LIKE 'inbox_text%' ORDER BY name",
        &[],
    )
    .await;
    for t in tables.into_iter().map(|r| r[0].clone()) {
        let mut table = Table::default();
        let mut pk: Vec<(String, String)> = Vec::new();
        for c in texts(
            store,
            "SELECT name, type, CAST(\"notnull\" AS TEXT), CAST(pk AS TEXT) FROM pragma_table_info($1)",
            &[&t],
        )
        .await
        {
            // SQLite lets a primary-key column hold NULL unless it says NOT NULL; PostgreSQL
            // never does. A key column counts as not null on both.
            let nullable = c[2] == "0" && c[3] == "0";
            table.columns.insert(c[0].clone(), (kind_of(&c[1]), nullable));
            if c[3] != "0" {
                pk.push((c[3].clone(), c[0].clone()));
            }
        }
        pk.sort_by_key(|(n, _)| n.parse::<i64>().unwrap_or(0));
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        for i in texts(
            store,
            "SELECT name, CAST(\"unique\" AS TEXT), origin FROM pragma_index_list($1)",
            &[&t],
        )
        .await
        {
            if i[2] == "pk" || TEXT_INDEX_PARTS.contains(&i[0].as_str()) {
                continue;
            }
            let columns: Vec<String> = texts(
                store,
                "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                &[&i[0]],
            )
            .await
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
            table.indexes.insert((i[1] == "1", columns));
        }
        let mut fks: BTreeMap<String, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for f in texts(
            store,
            "SELECT CAST(id AS TEXT), \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($1) ORDER BY id, seq",
            &[&t],
        )
        .await
        {
            let entry = fks.entry(f[0].clone()).or_default();
            entry.0 = f[1].clone();
            entry.1.push(f[2].clone());
            entry.2.push(f[3].clone());
        }
        for (_, (to, from_cols, to_cols)) in fks {
            table.foreign_keys.insert((from_cols, to, to_cols));
        }
        out.insert(t, table);
    }
    out
}

async fn postgres_schema(store: &Store) -> BTreeMap<String, Table> {
    let mut out = BTreeMap::new();
    let tables = texts(
        store,
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
            AND table_name <> '_sqlx_migrations' AND table_name NOT LIKE 'letters_text%'
          ORDER BY 1",
        &[],
    )
    .await;
    for t in tables.into_iter().map(|r| r[0].clone()) {
        let mut table = Table::default();
        for c in texts(
            store,
            "SELECT column_name::text, data_type::text, is_nullable::text
               FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            &[&t],
        )
        .await
        {
            table
                .columns
                .insert(c[0].clone(), (kind_of(&c[1]), c[2] == "YES"));
        }
        // Every index with its columns in order; the primary key's index is the key.
        for i in texts(
            store,
            "SELECT ix.indisprimary::text, ix.indisunique::text,
                    string_agg(a.attname::text, ',' ORDER BY k.ord), ic.relname::text
               FROM pg_index ix
               JOIN pg_class tc ON tc.oid = ix.indrelid
               JOIN pg_class ic ON ic.oid = ix.indexrelid
               CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.attnum
              WHERE tc.relname = $1 AND tc.relnamespace = 'public'::regnamespace
              GROUP BY ic.relname, ix.indisprimary, ix.indisunique",
            &[&t],
        )
        .await
        {
            if TEXT_INDEX_PARTS.contains(&i[3].as_str()) {
                continue;
            }
            let columns: Vec<String> = i[2].split(',').map(str::to_string).collect();
            if i[0] == "true" {
                table.primary_key = columns;
            } else {
                table.indexes.insert((i[1] == "true", columns));
            }
        }
        for f in texts(
            store,
            "SELECT string_agg(a.attname::text, ',' ORDER BY k.ord), rt.relname::text,
                    string_agg(ra.attname::text, ',' ORDER BY k.ord)
               FROM pg_constraint c
               JOIN pg_class tc ON tc.oid = c.conrelid
               JOIN pg_class rt ON rt.oid = c.confrelid
               CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, fattnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
               JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.fattnum
              WHERE c.contype = 'f' AND tc.relname = $1 AND tc.relnamespace = 'public'::regnamespace
              GROUP BY c.conname, rt.relname",
            &[&t],
        )
        .await
        {
            table.foreign_keys.insert((
                f[0].split(',').map(str::to_string).collect(),
                f[1].clone(),
                f[2].split(',').map(str::to_string).collect(),
            ));
        }
        out.insert(t, table);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_migrate_to_the_same_schema() {
    init();
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Store::connect(&format!("sqlite://{}/schema.db", dir.path().display()), 1)
        .await
        .expect("sqlite");
    sqlite.migrate().await.expect("migrate sqlite");
    let pg = Store::connect(&postgres::fresh_database().await, 2)
        .await
        .expect("postgres");
    pg.migrate().await.expect("migrate postgres");

    let lite = sqlite_schema(&sqlite).await;
    let post = postgres_schema(&pg).await;
    assert!(lite.len() > 20, "the schema was read: {:?}", lite.keys());
    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        post.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    let mut drift = Vec::new();
    for (name, l) in &lite {
        let p = &post[name];
        if l != p {
            drift.push(format!("{name}:\n  sqlite   {l:?}\n  postgres {p:?}"));
        }
    }
    assert!(drift.is_empty(), "schema drift:\n{}", drift.join("\n"));
}
