//! `saraban bench`: measurements against real servers on loopback, printed as figures. Built only
//! with the `bench` feature; the servers come from the `saraban-lab` workspace member, which
//! production builds do not link.

pub mod ingest;
pub mod ocr;
pub mod outputs;
pub mod records;
pub mod scale;
pub mod search;
pub mod send;

/// Peak resident memory of this process since the last reset, in KB (Linux).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// CPU time this process has used so far (user + system, all threads), in seconds.
fn cpu_seconds() -> f64 {
    saraban_lab::procs::cpu_seconds(None, false)
}

/// Starts a new peak for [`peak_rss_kb`].
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// What a benchmark works in: its database and services, and its office's officers.
struct BenchOffice {
    store: crate::store::Store,
    services: crate::service::Services,
    /// One per `(username, role)` asked for, in that order.
    officers: Vec<crate::service::Actor>,
}

/// Opens (and migrates) `config`'s database with its services, creates the office
/// `(id, name, prefix, kind)` and an officer for each `(username, role)`, password
/// `bench-password`.
async fn bench_office(
    config: &crate::config::Config,
    (id, name, prefix, kind): (&str, &str, &str, &str),
    officers: &[(&str, &str)],
) -> anyhow::Result<BenchOffice> {
    let setup = |e: &dyn std::fmt::Display| anyhow::anyhow!("bench setup: {e}");
    let store = crate::app::open_store(config)
        .await
        .map_err(|e| setup(&e))?;
    let services = crate::app::services(store.clone(), config)
        .await
        .map_err(|e| setup(&e))?;
    let office = crate::service::create_office(&store, id, name, prefix, kind, None, None)
        .await
        .map_err(|e| setup(&e))?;
    let mut actors = Vec::new();
    for (username, role) in officers {
        crate::service::create_user(
            &store,
            id,
            &crate::service::NewUserInput {
                username: username.to_string(),
                full_name: String::new(),
                role: role.to_string(),
                password: "bench-password".into(),
            },
        )
        .await
        .map_err(|e| setup(&e))?;
        actors.push(crate::service::Actor {
            user: store
                .find_user_by_name(username)
                .await
                .map_err(|e| setup(&e))?,
            office: office.clone(),
        });
    }
    Ok(BenchOffice {
        store,
        services,
        officers: actors,
    })
}
