//! `jrpc-bench-suite`: `jrpc-server` and a jsonrpsee reference server measured
//! side by side, in one run, with identical load from `jrpc bench`.
//!
//! Run it through `cargo xtask bench`, which builds the release binaries, runs
//! the browser benchmark and passes everything here. Each scenario starts a
//! fresh server pinned to core 0 (`taskset`), runs the load generator pinned
//! to core 1, and alternates the two servers over the rounds. The medians go
//! to `docs/BENCHMARKS.md`, between the markers the report owns.

mod browser;
mod load;
mod machine;
mod report;
mod scenario;
mod server;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use load::Run;
use scenario::SCENARIOS;
use server::Kind;

/// Measures jrpc-server against a jsonrpsee reference and writes the report.
#[derive(Debug, Parser)]
#[command(name = "jrpc-bench-suite")]
struct Args {
    /// The jrpc-server binary (release build).
    #[arg(long, value_name = "PATH")]
    jrpc_server: PathBuf,
    /// The jsonrpsee reference server binary (release build).
    #[arg(long, value_name = "PATH")]
    reference: PathBuf,
    /// The `jrpc` binary, whose `bench` subcommand makes the load.
    #[arg(long, value_name = "PATH")]
    jrpc: PathBuf,
    /// Rounds; each measures every scenario on both servers, in alternating order.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(2..=20))]
    rounds: u32,
    /// Seconds measured per timed scenario (after a one-second warm-up).
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    duration: u32,
    /// The browser benchmark's results (JSON from tests/browser/bench.mjs), to include.
    #[arg(long, value_name = "FILE")]
    browser_results: Option<PathBuf>,
    /// The Markdown file whose results section is rewritten.
    #[arg(long, value_name = "FILE", default_value = "docs/BENCHMARKS.md")]
    out: PathBuf,
    /// Also write every run's raw figures here, as JSON.
    #[arg(long, value_name = "FILE")]
    raw: Option<PathBuf>,
    /// The command line to record in the report as the way to reproduce it.
    #[arg(long, value_name = "TEXT", default_value = "cargo xtask bench")]
    command: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jrpc-bench-suite: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let pinning = server::Pinning::detect();
    if !pinning.available() {
        eprintln!("jrpc-bench-suite: taskset not found: servers and load are not pinned to cores");
    }
    let mut runs: Vec<Run> = Vec::new();
    for round in 0..args.rounds {
        for scenario in SCENARIOS {
            let mut order = [Kind::Jrpc, Kind::Jsonrpsee];
            if round % 2 == 1 {
                order.reverse();
            }
            for kind in order {
                let binary = match kind {
                    Kind::Jrpc => &args.jrpc_server,
                    Kind::Jsonrpsee => &args.reference,
                };
                let server = server::Running::start(kind, binary, &pinning)?;
                let run = load::measure(
                    &args.jrpc,
                    &pinning,
                    &server,
                    scenario,
                    round,
                    args.duration,
                );
                drop(server);
                let run = run?;
                eprintln!(
                    "jrpc-bench-suite: round {} {:<10} {:<9} {}",
                    round + 1,
                    scenario.key,
                    kind.name(),
                    run.summary()
                );
                runs.push(run);
            }
        }
    }
    if let Some(path) = &args.raw {
        let raw = serde_json::to_string_pretty(&load::to_json(&runs))
            .map_err(|e| format!("cannot encode the raw results: {e}"))?;
        std::fs::write(path, raw + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let browser = args
        .browser_results
        .as_deref()
        .map(browser::read)
        .transpose()?;
    let context = report::Context {
        machine: machine::describe(&pinning),
        command: args.command.clone(),
        rounds: args.rounds,
        duration: args.duration,
        elapsed: started.elapsed(),
    };
    let section = report::render(&context, &runs, browser.as_ref());
    report::write_section(&args.out, &section)?;
    print!("{section}");
    eprintln!(
        "jrpc-bench-suite: wrote {} ({} runs in {:.0} s)",
        args.out.display(),
        runs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
