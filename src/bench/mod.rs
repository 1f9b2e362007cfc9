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

/// CPU time this process has used so far (user + system, all threads), in seconds.
fn cpu_seconds() -> f64 {
    process_cpu_seconds("self", false)
}

/// CPU time of the process `pid` (`self` for this one) from `/proc/PID/stat`: user and system
/// time (fields 14 and 15), and with `waited_children` also that of the children it has waited
/// for (fields 16 and 17). Fields are counted after the command name's closing parenthesis (the
/// name itself may hold spaces), in clock ticks of 1/100 s. A process that is gone counts 0.
fn process_cpu_seconds(pid: &str, waited_children: bool) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let ticks: f64 = rest
        .split_whitespace()
        .skip(11)
        .take(if waited_children { 4 } else { 2 })
        .filter_map(|v| v.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// Starts a new peak for [`peak_rss_kb`].
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
