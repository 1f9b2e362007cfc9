//! `saraban bench`: measurements against real servers on loopback, printed as figures.

pub mod ingest;
pub mod maillab;
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

/// Starts a new peak for [`peak_rss_kb`].
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
