//! The Markdown report: the targets, every figure, and where it goes in
//! `docs/BENCHMARKS.md`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::browser::Browser;
use crate::load::Run;
use crate::scenario::{Measure, SCENARIOS, Scenario};
use crate::server::Kind;
use crate::stats::median;

/// The report owns the text between these lines; the rest of the file is prose.
const START: &str = "<!-- results:start (written by the benchmark suite; edits between the markers are replaced) -->";
const END: &str = "<!-- results:end -->";

/// Idle connection memory target, KiB.
const IDLE_TARGET_KIB: f64 = 8.0;
/// Notification flood memory target, KiB (64 MiB).
const FLOOD_TARGET_KIB: f64 = 64.0 * 1024.0;
/// The CPU-per-call advantage over jsonrpsee asked for at 32 × 16 (the
/// lean-engine issue's targets).
const THROUGHPUT_CPU_TARGET: f64 = 6.0;
/// The same in batches of 10.
const BATCH_CPU_TARGET: f64 = 4.0;
/// The same per delivered item in the fan-out (the subscriptions issue).
const FANOUT_CPU_TARGET: f64 = 3.0;

/// What the report says about the run itself.
pub struct Context {
    /// `(what, value)` lines about the machine.
    pub machine: Vec<(String, String)>,
    /// How to reproduce the run.
    pub command: String,
    /// Rounds run.
    pub rounds: u32,
    /// Seconds per timed scenario.
    pub duration: u32,
    /// How long the whole run took.
    pub elapsed: Duration,
}

/// A target where jrpc's figure must be low: scenario key, target text, the
/// figure, how to show it, and when it is met (given jrpc's and jsonrpsee's).
type Lower = (
    &'static str,
    &'static str,
    fn(&Figures) -> Option<f64>,
    fn(Option<f64>) -> String,
    fn(f64, f64) -> bool,
);

/// Medians of one scenario on one server.
struct Figures {
    rate: Option<f64>,
    cpu_us: Option<f64>,
    p50: Option<f64>,
    p99: Option<f64>,
    rss_growth_kib: Option<f64>,
    idle_kib: Option<f64>,
    errors: u64,
}

fn figures(runs: &[Run], scenario: &Scenario, kind: Kind) -> Figures {
    let mine: Vec<&Run> = runs
        .iter()
        .filter(|r| r.kind == kind && r.scenario.key == scenario.key)
        .collect();
    let med = |f: &dyn Fn(&Run) -> Option<f64>| median(mine.iter().filter_map(|r| f(r)).collect());
    Figures {
        rate: med(&|r| r.rate()),
        cpu_us: med(&|r| r.cpu_us()),
        p50: med(&|r| r.latency_us("p50")),
        p99: med(&|r| r.latency_us("p99")),
        rss_growth_kib: med(&|r| r.rss_growth_kib()),
        idle_kib: med(&|r| r.idle_kib()),
        errors: mine.iter().map(|r| r.errors()).sum(),
    }
}

/// The results section, markers included.
pub fn render(context: &Context, runs: &[Run], browser: Option<&Browser>) -> String {
    let all: Vec<(&Scenario, Figures, Figures)> = SCENARIOS
        .iter()
        .map(|s| {
            (
                s,
                figures(runs, s, Kind::Jrpc),
                figures(runs, s, Kind::Jsonrpsee),
            )
        })
        .collect();
    let find = |key: &str| all.iter().find(|(s, _, _)| s.key == key);
    let mut out = String::new();
    let _ = writeln!(out, "{START}");
    let _ = writeln!(
        out,
        "\n## Results of {}\n\n`{}`, {} rounds, {} s per timed scenario, {:.0} s in all. \
         Figures are medians over the rounds; each run had a fresh server.\n",
        today(),
        context.command,
        context.rounds,
        context.duration,
        context.elapsed.as_secs_f64()
    );
    out.push_str("| machine | |\n|---|---|\n");
    for (what, value) in &context.machine {
        let _ = writeln!(out, "| {what} | {value} |");
    }

    out.push_str(
        "\n### Targets\n\nThe ratio is how many times less CPU jrpc spends for the CPU targets, \
         and jrpc's figure divided by the other's for the rest (below 1 is better for \
         latency and memory, above 1 for calls per second). For server CPU and the browser \
         it is the median of the ratios of each round, in which both ran side by side: \
         the machine's drift from round to round moves both together and cancels out of \
         a round's ratio, but not out of the ratio of two medians. The figures beside it \
         are each side's medians.\n\n\
         | target | jrpc | jsonrpsee | ratio | met |\n|---|---|---|---|---|\n",
    );
    let mut row = |target: &str, mine: String, theirs: String, ratio: String, met: Option<bool>| {
        let met = match met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured",
        };
        let _ = writeln!(out, "| {target} | {mine} | {theirs} | {ratio} | {met} |");
    };
    for (key, what, target) in [
        (
            "throughput",
            "32 × 16: server CPU per call",
            THROUGHPUT_CPU_TARGET,
        ),
        (
            "batch",
            "batches of 10: server CPU per call",
            BATCH_CPU_TARGET,
        ),
        (
            "fanout",
            "fan-out: server CPU per delivered item",
            FANOUT_CPU_TARGET,
        ),
    ] {
        if let Some((scenario, j, r)) = find(key) {
            let ratio = paired_cpu_ratio(runs, scenario);
            row(
                &format!("{what} at least {target}× less than jsonrpsee's"),
                us(j.cpu_us),
                us(r.cpu_us),
                ratio.map_or("".into(), |x| format!("{x:.2}× less")),
                ratio.map(|x| x >= target),
            );
        }
    }
    // Lower is better for each: (scenario, target, figure, its format, met when).
    let lower: [Lower; 3] = [
        (
            "throughput",
            "32 × 16: p99 latency no worse",
            |f| f.p99,
            ms,
            |a, b| a <= b,
        ),
        (
            "latency",
            "1 × 1: p50 latency no worse",
            |f| f.p50,
            ms,
            |a, b| a <= b,
        ),
        (
            "idle",
            "idle connection: ≤ 8 KiB of RSS each",
            |f| f.idle_kib,
            kib,
            |mine, _| mine <= IDLE_TARGET_KIB,
        ),
    ];
    for (key, target, pick, show, met) in lower {
        if let Some((_, j, r)) = find(key) {
            let (mine, theirs) = (pick(j), pick(r));
            row(
                target,
                show(mine),
                show(theirs),
                ratio(mine, theirs).map_or("".into(), |x| format!("{x:.2}×")),
                both(mine, theirs).map(|(a, b)| met(a, b)),
            );
        }
    }
    if let Some((_, j, r)) = find("flood") {
        row(
            "100,000 notifications: RSS growth < 64 MiB, then the request answered",
            format!("{}, {}", kib(j.rss_growth_kib), answered(j.errors)),
            format!("{}, {}", kib(r.rss_growth_kib), answered(r.errors)),
            String::new(),
            j.rss_growth_kib
                .map(|g| g < FLOOD_TARGET_KIB && j.errors == 0),
        );
    }
    if let Some((_, j, r)) = find("fanout") {
        row(
            "fan-out with a subscriber that never reads: RSS growth < 64 MiB",
            kib(j.rss_growth_kib),
            kib(r.rss_growth_kib),
            String::new(),
            j.rss_growth_kib.map(|g| g < FLOOD_TARGET_KIB),
        );
    }
    match browser.and_then(|b| Some((b, b.of("jrpc")?, b.of("json-rpc-2.0")?))) {
        Some((b, (js, jc), (os, oc))) => {
            let (sequential, concurrent) = b.ratios("jrpc", "json-rpc-2.0");
            let times = |x: Option<f64>| x.map_or("".into(), |x| format!("{x:.2}×"));
            row(
                "browser, sequential calls/s: at least json-rpc-2.0's",
                rate(Some(js)),
                format!("json-rpc-2.0: {}", rate(Some(os))),
                times(sequential),
                sequential.map(|x| x >= 1.0),
            );
            row(
                &format!(
                    "browser, {} in flight calls/s: at least json-rpc-2.0's",
                    b.in_flight
                ),
                rate(Some(jc)),
                format!("json-rpc-2.0: {}", rate(Some(oc))),
                times(concurrent),
                concurrent.map(|x| x >= 1.0),
            );
        }
        None => row(
            "browser: at least json-rpc-2.0's calls/s",
            "".into(),
            "".into(),
            "".into(),
            None,
        ),
    }

    let _ = writeln!(
        out,
        "\n### Every figure\n\nServer CPU is the server process's user + system time \
         (from /proc) divided by the calls (or notifications) answered in the measured window; \
         in the fan-out, by the items delivered, and its calls/s are deliveries/s. \
         Latency is measured by `jrpc bench` from send to answer (in the fan-out, from post to \
         delivery). Memory is the server's RSS: growth of its peak over the run for the flood \
         and the fan-out, growth per connection for the idle ones.\n"
    );
    out.push_str("| scenario | server | calls/s | server CPU per call | p50 | p99 | memory | errors |\n|---|---|---|---|---|---|---|---|\n");
    for (scenario, j, r) in &all {
        for (name, f) in [("jrpc", j), ("jsonrpsee", r)] {
            let memory = match scenario.kind {
                Measure::Idle => format!("{} per connection", kib(f.idle_kib)),
                Measure::Flood | Measure::Calls | Measure::Fanout => {
                    format!("peak +{}", kib(f.rss_growth_kib))
                }
            };
            let _ = writeln!(
                out,
                "| {} | {name} | {} | {} | {} | {} | {memory} | {} |",
                scenario.title,
                rate(f.rate),
                us(f.cpu_us),
                ms(f.p50),
                ms(f.p99),
                f.errors
            );
        }
    }

    if let Some(b) = browser {
        let _ = writeln!(
            out,
            "\n### Browser\n\nChromium {}, headless; the page and `jrpc-server` (release, core 0) on loopback; \
             `math.sum` through each client, {} ms per mode, {} rounds alternating the clients; medians.\n",
            b.chromium, b.ms, b.rounds
        );
        let _ = writeln!(
            out,
            "| client | sequential calls/s | {} in flight calls/s |\n|---|---|---|",
            b.in_flight
        );
        for (name, s, c) in &b.clients {
            let _ = writeln!(out, "| {name} | {} | {} |", rate(Some(*s)), rate(Some(*c)));
        }
    }
    let _ = writeln!(out, "\n{END}");
    out
}

fn both(a: Option<f64>, b: Option<f64>) -> Option<(f64, f64)> {
    Some((a?, b?))
}

/// `a / b`, when both exist and `b` is not zero.
/// How many times less server CPU per call jrpc spent than jsonrpsee in
/// `scenario`: the median over the rounds of each round's ratio.
fn paired_cpu_ratio(runs: &[Run], scenario: &Scenario) -> Option<f64> {
    let theirs = |round: u32| {
        runs.iter()
            .find(|r| {
                r.kind == Kind::Jsonrpsee && r.round == round && r.scenario.key == scenario.key
            })
            .and_then(Run::cpu_us)
    };
    let ratios = runs
        .iter()
        .filter(|r| r.kind == Kind::Jrpc && r.scenario.key == scenario.key)
        .filter_map(|r| ratio(theirs(r.round), r.cpu_us()))
        .collect();
    median(ratios)
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    both(a, b).filter(|(_, b)| *b > 0.0).map(|(a, b)| a / b)
}

fn us(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2} µs"))
}

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.3} ms", v / 1000.0))
}

fn kib(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| {
        if v.abs() >= 10_240.0 {
            format!("{:.1} MiB", v / 1024.0)
        } else {
            format!("{v:.1} KiB")
        }
    })
}

fn rate(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| {
        if v >= 10_000.0 {
            format!("{:.0}k", v / 1000.0)
        } else {
            format!("{v:.0}")
        }
    })
}

fn answered(errors: u64) -> &'static str {
    if errors == 0 {
        "answered"
    } else {
        "**errors**"
    }
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Replaces the results section of `path` (or appends one), keeping the prose around it.
pub fn write_section(path: &Path, section: &str) -> Result<(), String> {
    let old = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "# Benchmarks\n\n".to_owned(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let new = match (old.find(START), old.find(END)) {
        (Some(start), Some(end)) if start < end => {
            format!(
                "{}{}{}",
                &old[..start],
                section.trim_end(),
                &old[end + END.len()..]
            )
        }
        _ => format!("{}\n{section}", old.trim_end()),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, new).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs of the 32 × 16 scenario with these `(jrpc, jsonrpsee)` CPU
    /// figures per round, in the suite's order (it flips every round).
    fn throughput_rounds(cpu: &[(f64, f64)]) -> Vec<Run> {
        let scenario = SCENARIOS.iter().find(|s| s.key == "throughput").unwrap();
        let run = |kind, round, cpu: f64| Run {
            scenario,
            kind,
            round,
            report: serde_json::json!({"server": {"cpu_us_per_call": cpu}}),
        };
        let mut runs = Vec::new();
        for (round, &(mine, theirs)) in (0u32..).zip(cpu) {
            let mut pair = [
                run(Kind::Jrpc, round, mine),
                run(Kind::Jsonrpsee, round, theirs),
            ];
            if round % 2 == 1 {
                pair.reverse();
            }
            runs.extend(pair);
        }
        runs
    }

    #[test]
    fn cpu_ratios_are_paired_by_round() {
        let throughput = SCENARIOS.iter().find(|s| s.key == "throughput").unwrap();
        // The machine slows down from round to round; each round's ratio stays near 6.
        let runs = throughput_rounds(&[(1.0, 6.2), (1.5, 9.0), (2.0, 11.6)]);
        let ratio = paired_cpu_ratio(&runs, throughput).unwrap();
        assert!((ratio - 6.0).abs() < 1e-9, "{ratio}");
        // One round much slower for jrpc alone: the ratio of the two medians
        // (7.0 / 1.5 = 4.67) mixes rounds; the paired median stays at 6.
        let skewed = throughput_rounds(&[(1.0, 6.0), (1.5, 9.0), (2.0, 7.0)]);
        let ratio = paired_cpu_ratio(&skewed, throughput).unwrap();
        assert!((ratio - 6.0).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn the_section_is_replaced_and_the_prose_kept() {
        let dir = std::env::temp_dir().join(format!("jrpc-bench-report-{}", std::process::id()));
        let path = dir.join("B.md");
        write_section(&path, &format!("{START}\nfirst\n{END}\n")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# Benchmarks\n") && text.contains("first"),
            "{text}"
        );
        std::fs::write(&path, format!("intro\n{START}\nfirst\n{END}\nafter\n")).unwrap();
        write_section(&path, &format!("{START}\nsecond\n{END}\n")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("intro\n{START}\nsecond\n{END}\nafter\n"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
