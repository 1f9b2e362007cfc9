//! `saraban bench`: measurements against real servers on loopback, printed as figures. Built only
//! with the `bench` feature; the servers come from the `saraban-lab` workspace member, which
//! production builds do not link.

pub mod ingest;
pub mod outputs;
pub mod records;
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
    saraban_lab::process_cpu_seconds("self", false)
}

/// Starts a new peak for [`peak_rss_kb`].
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
