//! `saraban bench search`: an office with N letters over 10 Buddhist-era years (Thai subjects from
//! a register's usual vocabulary), written through the bulk path of the real schema, then, side
//! by side, the old `LIKE` scan and the text index for a rare word, a common word, two words and
//! a document number in Thai digits; register pages 1 and 50; the dashboard's counts; and
//! `/healthz` as the server's floor. Also the index's size and build time, and what it adds to
//! one registration.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use sqlx::{Executor, Row};

use crate::config::Config;
use crate::domain::letter::LetterInput;
use crate::domain::register::Register;
use crate::service::Actor;
use crate::store::bulk::BulkLetter;
use crate::store::{DbKind, Store};

const OFFICE: &str = "bench";
const FIRST_YEAR: i32 = 2560;
const YEARS: i32 = 10;
/// Rounds of each query: p50 and p95 are over these.
const ROUNDS: usize = 30;

/// A row of the report: a query's p50/p95 in ms, through the index and (where it applies) the old
/// scan.
struct Timed {
    what: String,
    found: String,
    index: (f64, f64),
    old: Option<(f64, f64)>,
    target: &'static str,
}

pub struct SearchReport {
    letters: usize,
    db: &'static str,
    fill_s: f64,
    index_build_s: f64,
    index_mb: f64,
    register_ms_without: f64,
    register_ms_with: f64,
    healthz: (f64, f64),
    rows: Vec<Timed>,
}

fn setup(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("bench setup: {e}")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn p50_p95(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.95))
}

/// A small deterministic generator (no dependency for a benchmark's dice).
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() as usize) % words.len()]
    }
}

const OPENINGS: &[&str] = &[
    "ขอเชิญ",
    "ขอความร่วมมือ",
    "แจ้ง",
    "ประชาสัมพันธ์",
    "ขอส่ง",
    "ขออนุญาต",
    "รายงาน",
    "ขอเชิญเข้าร่วม",
    "ขอให้จัดส่ง",
    "ซักซ้อมความเข้าใจ",
];
const TOPICS: &[&str] = &[
    "ประชุมผู้บริหารสถานศึกษา",
    "อบรมเชิงปฏิบัติการพัฒนาครู",
    "ประชุมคณะกรรมการสถานศึกษาขั้นพื้นฐาน",
    "การประเมินคุณภาพภายในสถานศึกษา",
    "การแข่งขันทักษะวิชาการ",
    "โครงการอาหารกลางวัน",
    "การรับนักเรียนปีการศึกษา",
    "การจัดสรรงบประมาณ",
    "การเลื่อนเงินเดือนข้าราชการครู",
    "การสอบวัดความรู้ระดับชาติ",
    "ประชุมเชิงปฏิบัติการจัดทำแผน",
    "การป้องกันยาเสพติดในสถานศึกษา",
    "การรายงานข้อมูลนักเรียนรายบุคคล",
    "ลูกเสือ เนตรนารี และยุวกาชาด",
];
const TAILS: &[&str] = &[
    "ประจำปีงบประมาณ",
    "ภาคเรียนที่ ๑",
    "ภาคเรียนที่ ๒",
    "ระดับเขตพื้นที่",
    "ครั้งที่ ๑",
    "ครั้งที่ ๒",
    "ผ่านระบบออนไลน์",
    "ณ ห้องประชุมสำนักงาน",
];
const SENDERS: &[&str] = &[
    "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน",
    "สำนักงานศึกษาธิการจังหวัดอุบลราชธานี",
    "กระทรวงศึกษาธิการ",
    "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาอุบลราชธานี",
    "โรงเรียนบ้านหนองบัว",
    "โรงเรียนอนุบาลอุบลราชธานี",
    "องค์การบริหารส่วนจังหวัดอุบลราชธานี",
];
/// Found in one letter in 100 000.
const RARE: &str = "ฝายชะลอน้ำ";

/// Letters of `year_be`, numbered from 1, registered through the year.
fn generate(dice: &mut Dice, year_be: i32, count: usize, n0: usize) -> Vec<BulkLetter> {
    let year = year_be - 543;
    let start = Utc
        .with_ymd_and_hms(year, 1, 2, 2, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    (0..count)
        .map(|i| {
            let n = i as i64 + 1;
            let global = n0 + i;
            let mut subject = format!(
                "{}{} {}",
                dice.pick(OPENINGS),
                dice.pick(TOPICS),
                dice.pick(TAILS)
            );
            if global.is_multiple_of(100_000) {
                subject.push_str(&format!(" โครงการ{RARE}"));
            }
            let registered_at =
                start + chrono::Duration::seconds((i as i64) * (360 * 86_400) / count as i64);
            BulkLetter {
                register: Register::Inbound,
                year_be,
                number: n,
                doc_no: format!("ศธ 04{:03}/ว{}", dice.next() % 1000, n),
                doc_date: registered_at.date_naive(),
                sender: dice.pick(SENDERS).to_string(),
                recipient: "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุบลราชธานี เขต 1".into(),
                subject,
                registered_at,
            }
        })
        .collect()
}

/// Drops the text index's triggers (to fill without them; their SQL is handed back), or makes
/// them again and builds the index; returns the seconds it took.
async fn text_index(store: &Store, build: Option<&[String]>) -> anyhow::Result<(f64, Vec<String>)> {
    let t = Instant::now();
    let mut kept = Vec::new();
    let statements: Vec<String> = match (store.kind(), build) {
        (DbKind::Sqlite, None) => {
            let triggers: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'letters'
                   AND name LIKE 'letters_text%'",
            )
            .fetch_all(store.pool())
            .await?;
            let (names, sql): (Vec<String>, Vec<String>) = triggers.into_iter().unzip();
            kept = sql;
            names.iter().map(|n| format!("DROP TRIGGER {n}")).collect()
        }
        (DbKind::Sqlite, Some(triggers)) => {
            store.rebuild_text_index(None).await?;
            triggers.to_vec()
        }
        (DbKind::Postgres, None) => vec![
            "DROP INDEX letters_search_trgm".into(),
            "ALTER TABLE letters DISABLE TRIGGER letters_text_bytes_insert".into(),
        ],
        (DbKind::Postgres, Some(_)) => {
            store.rebuild_text_index(None).await?;
            vec![
                "CREATE INDEX letters_search_trgm ON letters USING gin (search_all gin_trgm_ops)"
                    .into(),
                "ALTER TABLE letters ENABLE TRIGGER letters_text_bytes_insert".into(),
                "VACUUM ANALYZE letters_text_bytes".into(),
            ]
        }
    };
    for s in statements {
        store.pool().execute(sqlx::AssertSqlSafe(s)).await?;
    }
    if store.kind() == DbKind::Postgres {
        store.pool().execute("ANALYZE letters").await?;
    }
    Ok((t.elapsed().as_secs_f64(), kept))
}

/// The database's size in bytes (SQLite: the file's pages; PostgreSQL: the letters table and
/// its indexes, and the one-byte copy of their search text with its indexes).
async fn database_bytes(store: &Store) -> anyhow::Result<i64> {
    let row = match store.kind() {
        DbKind::Sqlite => {
            sqlx::query(
                "SELECT (SELECT page_count FROM pragma_page_count()) *
                        (SELECT page_size FROM pragma_page_size()) AS n",
            )
            .fetch_one(store.pool())
            .await?
        }
        DbKind::Postgres => {
            sqlx::query(
                "SELECT (pg_total_relation_size('letters')
                         + pg_total_relation_size('letters_text_bytes'))::BIGINT AS n",
            )
            .fetch_one(store.pool())
            .await?
        }
    };
    Ok(row.try_get("n")?)
}

/// Registers `n` letters the usual way and returns the p50 in ms.
async fn registrations(
    services: &crate::service::Services,
    clerk: &Actor,
    n: usize,
    first: usize,
) -> anyhow::Result<f64> {
    let mut ms = Vec::new();
    for i in first..first + n {
        let input = LetterInput {
            doc_no: format!("ศธ 04006/ว{}", 900_000 + i),
            doc_date: "2026-12-01".into(),
            from: "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน".into(),
            to: "ผู้อำนวยการ".into(),
            subject: format!("ขอเชิญประชุมผู้บริหารสถานศึกษา วัดความเร็ว {i}"),
            ..Default::default()
        };
        let t = Instant::now();
        services
            .register_letter(clerk, Register::Inbound, &input, Vec::new(), &[])
            .await
            .map_err(setup)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(p50_p95(ms).0)
}

/// The old search: a `LIKE` scan of `search_all` for every word, its total and first page.
async fn old_like(store: &Store, words: &[&str]) -> anyhow::Result<i64> {
    let mut conds = vec![
        "l.office_id = $1".to_string(),
        "l.register = $2".to_string(),
    ];
    for i in 0..words.len() {
        conds.push(format!("l.search_all LIKE ${} ESCAPE '\\'", i + 3));
    }
    let where_sql = conds.join(" AND ");
    let bind = |sql: String| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(OFFICE)
            .bind(Register::Inbound.code());
        for w in words {
            q = q.bind(crate::store::like_contains(w));
        }
        q
    };
    let total: i64 = bind(format!(
        "SELECT COUNT(*) AS n FROM letters l WHERE {where_sql}"
    ))
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    bind(format!(
        "SELECT l.id FROM letters l WHERE {where_sql}
         ORDER BY l.year_be DESC, l.number DESC, l.id DESC LIMIT 50"
    ))
    .fetch_all(store.pool())
    .await?;
    Ok(total)
}

/// `GET path` over a new connection, read to the end; the body, or an error unless 200.
async fn http_get(addr: &str, path: &str, token: Option<&str>) -> anyhow::Result<Vec<u8>> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n")
                .as_bytes(),
        )
        .await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    anyhow::ensure!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{path}: {}",
        String::from_utf8_lossy(&answer[..answer.len().min(200)])
    );
    let start = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(answer.len(), |p| p + 4);
    Ok(answer[start..].to_vec())
}

pub async fn run(count: usize, db: &str) -> anyhow::Result<SearchReport> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::default();
    let (db_name, pg) = match db {
        "sqlite" => {
            config.database.url = format!("sqlite://{}/bench.db", dir.path().display());
            ("SQLite", None)
        }
        "postgres" => {
            let pg = saraban_lab::postgres::Postgres::start();
            sqlx::any::install_default_drivers();
            let admin = sqlx::AnyPool::connect(&pg.url("postgres")).await?;
            admin.execute("CREATE DATABASE saraban_bench").await?;
            admin.close().await;
            config.database.url = pg.url("saraban_bench");
            ("PostgreSQL", Some(pg))
        }
        other => anyhow::bail!("--db must be sqlite or postgres, not {other}"),
    };
    config.storage.root = dir.path().join("files");
    let bench = super::bench_office(
        &config,
        (
            OFFICE,
            "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุบลราชธานี เขต 1",
            "ศธ 04183",
            "district",
        ),
        &[("bench-clerk", "clerk")],
    )
    .await?;
    let (store, services) = (bench.store, bench.services);
    let clerk = bench
        .officers
        .into_iter()
        .next()
        .ok_or_else(|| setup("no clerk"))?;

    // The registers of ten years, written without the index, which is then built in one go.
    let (_, triggers) = text_index(&store, None).await?;
    let t = Instant::now();
    let per_year = count / YEARS as usize;
    let mut dice = Dice(20_250_101);
    for y in 0..YEARS {
        let letters = generate(&mut dice, FIRST_YEAR + y, per_year, y as usize * per_year);
        for chunk in letters.chunks(20_000) {
            store
                .bulk_insert_letters(OFFICE, clerk.user.id, chunk)
                .await
                .map_err(setup)?;
        }
    }
    if store.kind() == DbKind::Postgres {
        store.pool().execute("VACUUM ANALYZE letters").await?;
    }
    let fill_s = t.elapsed().as_secs_f64();
    let register_ms_without = registrations(&services, &clerk, 40, 0).await?;
    let searches: [(&str, &str, &str, &[&str]); 4] = [
        ("rare word", RARE, "all", &[RARE]),
        ("common word", "ประชุม", "all", &["ประชุม"]),
        ("two words", "อบรม พัฒนาครู", "all", &["อบรม", "พัฒนาครู"]),
        ("ที่ in Thai digits", "ว๑๒๓๔๕", "doc_no", &["ว12345"]),
    ];
    // The old scan, before the index exists (PostgreSQL would otherwise serve the same LIKE from
    // it). It is slow: fewer rounds.
    let mut old_scans = Vec::new();
    for (_, _, _, old_words) in &searches {
        let mut old = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            old_like(&store, old_words).await?;
            old.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        old_scans.push(p50_p95(old));
    }
    let before = database_bytes(&store).await?;
    let (index_build_s, _) = text_index(&store, Some(&triggers)).await?;
    let index_mb = (database_bytes(&store).await? - before) as f64 / 1_048_576.0;
    let register_ms_with = registrations(&services, &clerk, 40, 1000).await?;

    // saraban's own web application on loopback, asked over HTTP with an API token.
    let (_, token) = services
        .issue_api_token("bench-clerk", "bench")
        .await
        .map_err(setup)?;
    let app = crate::app::build_router(store.clone(), config.clone())
        .await
        .map_err(setup)?;
    let listener = crate::app::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::app::serve_on(listener, app, async {
        let _ = stopped.await;
    }));
    let addr = base.trim_start_matches("http://").to_string();
    let get = |path: String| {
        let addr = addr.clone();
        let token = token.clone();
        async move {
            let t = Instant::now();
            let body = http_get(&addr, &path, Some(&token)).await?;
            let took = t.elapsed().as_secs_f64() * 1000.0;
            Ok::<_, anyhow::Error>((took, serde_json::from_slice::<serde_json::Value>(&body)?))
        }
    };
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };

    let mut healthz = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        http_get(&addr, "/healthz", None).await?;
        healthz.push(t.elapsed().as_secs_f64() * 1000.0);
    }

    let mut rows = Vec::new();
    for ((what, q, field, _), old) in searches.into_iter().zip(old_scans) {
        let path = format!(
            "/api/v1/letters?register=inbound&field={field}&per_page=50&q={}",
            enc(q)
        );
        get(path.clone()).await?; // warm
        let mut ms = Vec::new();
        let mut found = String::new();
        for _ in 0..ROUNDS {
            let (took, body) = get(path.clone()).await?;
            ms.push(took);
            found = format!(
                "{}{}",
                if body["total_more"].as_bool() == Some(true) {
                    "> "
                } else {
                    ""
                },
                body["total"]
            );
        }
        rows.push(Timed {
            what: format!("search: {what} ({q})"),
            found,
            index: p50_p95(ms),
            old: Some(old),
            target: "p95 ≤ 20 ms, ≥ 100× the scan",
        });
    }
    let last_year = FIRST_YEAR + YEARS - 1;
    for page in [1, 50] {
        let path =
            format!("/api/v1/letters?register=inbound&year_be={last_year}&per_page=50&page={page}");
        get(path.clone()).await?;
        let mut ms = Vec::new();
        let mut found = String::new();
        for _ in 0..ROUNDS {
            let (took, body) = get(path.clone()).await?;
            ms.push(took);
            found = body["total"].to_string();
        }
        rows.push(Timed {
            what: format!("register {last_year}, page {page}"),
            found,
            index: p50_p95(ms),
            old: None,
            target: "≤ 10 ms",
        });
    }
    let mut ms = Vec::new();
    for _ in 0..ROUNDS {
        let t = Instant::now();
        store
            .count_letters(OFFICE, last_year, None)
            .await
            .map_err(setup)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    rows.push(Timed {
        what: format!("dashboard counts of {last_year} (in process)"),
        found: String::new(),
        index: p50_p95(ms),
        old: None,
        target: "≤ 10 ms",
    });
    let _ = stop.send(());
    server.await??;
    services.close().await;
    // A debugging aid: the filled database kept for a look with sqlite3 or psql.
    if std::env::var_os("SARABAN_BENCH_KEEP").is_some() {
        eprintln!("kept: {}", dir.keep().display());
        if let Some(pg) = pg {
            eprintln!("kept running: {}", pg.url("saraban_bench"));
            std::mem::forget(pg);
        }
    }
    Ok(SearchReport {
        letters: count,
        db: db_name,
        fill_s,
        index_build_s,
        index_mb,
        register_ms_without,
        register_ms_with,
        healthz: p50_p95(healthz),
        rows,
    })
}

impl SearchReport {
    pub fn report(&self) -> String {
        let mut out = format!(
            "search: {} letters of one office over {YEARS} years, {}\n\
             filled in {:.0} s (bulk path, without the index); index built in {:.0} s, {:.0} MB\n\
             one registration: p50 {:.1} ms with the index, {:.1} ms without\n\
             /healthz over HTTP: p50 {:.2} ms, p95 {:.2} ms\n\n\
             | query (over HTTP, first page of 50 + total) | found | index p50 / p95 ms | LIKE scan p50 / p95 ms | faster | target |\n\
             |---|---|---|---|---|---|\n",
            self.letters,
            self.db,
            self.fill_s,
            self.index_build_s,
            self.index_mb,
            self.register_ms_with,
            self.register_ms_without,
            self.healthz.0,
            self.healthz.1,
        );
        for r in &self.rows {
            let (old, faster) = match r.old {
                Some((p50, p95)) => (
                    format!("{p50:.1} / {p95:.1}"),
                    format!("{:.0}×", p50 / r.index.0.max(1e-6)),
                ),
                None => ("–".into(), "–".into()),
            };
            out.push_str(&format!(
                "| {} | {} | {:.1} / {:.1} | {old} | {faster} | {} |\n",
                r.what, r.found, r.index.0, r.index.1, r.target
            ));
        }
        out
    }
}
