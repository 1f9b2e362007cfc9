//! The machine's processes as Linux's /proc shows them: what the harness needs to stop a server
//! with everything it started, and what the benchmarks need to tell each program's CPU time.
//! Everything here is empty (or false) where there is no /proc.

/// One line of `/proc/<pid>/stat`, the fields we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub pid: u32,
    /// The command's name (at most 15 bytes; may hold spaces and parentheses).
    pub comm: String,
    /// `R`, `S`, `D`, `Z` (a zombie waiting to be reaped), `X` (dead), …
    pub state: char,
    pub ppid: u32,
    /// User plus system CPU time, in clock ticks ([`ticks_per_second`]).
    pub cpu_ticks: u64,
    /// The same of the children it has waited for (once reaped, theirs is counted only here).
    pub waited_children_ticks: u64,
    /// Its nice value, -20 (first served) to 19 (last).
    pub nice: i64,
}

impl Process {
    /// Not a zombie, not dead.
    pub fn is_running(&self) -> bool {
        !matches!(self.state, 'Z' | 'X')
    }
}

/// Parses a `/proc/<pid>/stat` line: "pid (comm) state ppid pgrp … utime stime …". The name
/// is found by the last `)`, as it may itself hold `)` and spaces.
pub fn parse_stat(line: &str) -> Option<Process> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let pid = line[..open].trim().parse().ok()?;
    let comm = line.get(open + 1..close)?.to_string();
    let fields: Vec<&str> = line[close + 1..].split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    let ppid = fields.get(1)?.parse().ok()?;
    // utime, stime, cutime and cstime are fields 14 to 17 of the line: 12 to 15 after the name.
    let ticks = |at: [usize; 2]| -> u64 {
        at.iter()
            .filter_map(|i| fields.get(*i)?.parse::<u64>().ok())
            .sum()
    };
    let (cpu_ticks, waited_children_ticks) = (ticks([11, 12]), ticks([13, 14]));
    // Field 19 of the line.
    let nice = fields.get(16).and_then(|f| f.parse().ok()).unwrap_or(0);
    Some(Process {
        pid,
        comm,
        state,
        ppid,
        cpu_ticks,
        waited_children_ticks,
        nice,
    })
}

/// One process, if it exists.
pub fn process(pid: u32) -> Option<Process> {
    parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The threads of process `pid` now, each as its own line of /proc (its name is the thread's).
pub fn threads(pid: u32) -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| parse_stat(&std::fs::read_to_string(e.path().join("stat")).ok()?))
        .collect()
}

/// The pids /proc lists now.
fn pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect()
}

/// Every process now (those that end while being read are left out).
pub fn all() -> Vec<Process> {
    pids().into_iter().filter_map(process).collect()
}

/// Whether `pid` is a process that still runs (a zombie waiting to be reaped does not).
pub fn is_running(pid: u32) -> bool {
    process(pid).is_some_and(|p| p.is_running())
}

/// Every process below `root`: its children, their children, …
pub fn descendants(root: u32) -> Vec<u32> {
    let everyone = all();
    let mut found = Vec::new();
    let mut next = vec![root];
    while let Some(parent) = next.pop() {
        for p in &everyone {
            if p.ppid == parent && p.pid > 1 && !found.contains(&p.pid) {
                found.push(p.pid);
                next.push(p.pid);
            }
        }
    }
    found
}

/// The processes with `arg` among the arguments of their command line.
pub fn with_arg(arg: &str) -> Vec<u32> {
    pids()
        .into_iter()
        .filter(|pid| *pid > 1)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmd| cmd.split(|b| *b == 0).any(|a| a == arg.as_bytes()))
        })
        .collect()
}

/// CPU seconds `pid` has used (`None`: this process), with those of the children it has
/// waited for when `waited_children`; 0 for a process that is gone.
pub fn cpu_seconds(pid: Option<u32>, waited_children: bool) -> f64 {
    let found = match pid {
        Some(pid) => process(pid),
        None => process(std::process::id()),
    };
    let ticks = found.map_or(0, |p| {
        p.cpu_ticks
            + if waited_children {
                p.waited_children_ticks
            } else {
                0
            }
    });
    ticks as f64 / ticks_per_second() as f64
}

/// Clock ticks per second, the unit of [`Process::cpu_ticks`].
pub fn ticks_per_second() -> u64 {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).unwrap_or(100).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_spaces_and_parentheses_is_read_whole() {
        let line = "4242 (weird) name) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 39 19 9 0";
        assert_eq!(
            parse_stat("7 (a) R 1 7 7 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0")
                .map(|p| (p.cpu_ticks, p.waited_children_ticks)),
            Some((11, 15))
        );
        let p = parse_stat(line).unwrap();
        assert_eq!(
            p,
            Process {
                pid: 4242,
                comm: "weird) name".into(),
                state: 'S',
                ppid: 17,
                cpu_ticks: 281,
                waited_children_ticks: 0,
                nice: 19,
            }
        );
        assert!(p.is_running());
        assert!(
            !parse_stat("1 (z) Z 0 0 0 0 0 0 0 0 0 0 0 0")
                .unwrap()
                .is_running()
        );
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn this_process_is_seen_running_with_its_parent() {
        let me = process(std::process::id()).unwrap();
        assert!(me.is_running());
        assert!(is_running(std::process::id()));
        assert!(descendants(me.ppid).contains(&me.pid));
        let threads = threads(me.pid);
        assert!(threads.iter().any(|t| t.pid == me.pid), "{threads:?}");
    }
}
