//! A description of the machine, for the report.

use std::process::Command;

use crate::server::Pinning;

/// CPU model and count, memory, kernel, compiler, and how the cores were used.
pub fn describe(pinning: &Pinning) -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or_else(
            || "unknown".to_owned(),
            |(_, model)| model.trim().to_owned(),
        );
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        })
        .map_or_else(
            || "unknown".to_owned(),
            |kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0),
        );
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".to_owned(), |k| format!("Linux {}", k.trim()));
    let rustc = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map_or_else(|| "unknown".to_owned(), |v| v.trim().to_owned());
    let pinned = if pinning.available() {
        "servers on core 0, `jrpc bench` on core 1 (`taskset`)"
    } else {
        "not pinned (no `taskset`)"
    };
    vec![
        ("CPU".to_owned(), format!("{model}, {cores} cores")),
        ("memory".to_owned(), memory),
        ("OS".to_owned(), kernel),
        ("compiler".to_owned(), rustc),
        ("pinning".to_owned(), pinned.to_owned()),
    ]
}
