//! The server's CPU time and memory, read from /proc (Linux).

/// Clock ticks per second of /proc's CPU times (Linux's usual `USER_HZ`).
const CLOCK_TICKS: u64 = 100;

/// CPU time and memory of a process, from /proc.
#[derive(Clone, Copy, Debug)]
pub(super) struct ProcSample {
    pub(super) cpu_micros: u64,
    pub(super) rss_kib: u64,
    /// The peak RSS so far (`VmHWM`).
    pub(super) peak_rss_kib: u64,
}

pub(super) fn sample(pid: u32) -> Result<ProcSample, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read /proc/{pid}/stat: {e}"))?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15; the list starts at field 3.
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    let (Some(utime), Some(stime)) = (ticks(11), ticks(12)) else {
        return Err(format!("cannot parse /proc/{pid}/stat"));
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    let kib = |field: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
    };
    let (rss_kib, peak_rss_kib) = (kib("VmRSS:")?, kib("VmHWM:")?);
    Ok(ProcSample {
        cpu_micros: (utime + stime) * 1_000_000 / CLOCK_TICKS,
        rss_kib,
        peak_rss_kib,
    })
}
