//! Project automation, run as `cargo xtask <task>` (the alias is in `.cargo/config.toml`).
//!
//! - `cargo xtask demo [jrpc-server flags]`: builds and starts `jrpc-server`
//!   with the math example and the `www/` page on http://127.0.0.1:8080/.
//! - `cargo xtask test`: runs every test of the project.
//!
//! Each task installs what it needs when it is missing and skips what is
//! already there, so the same command works on a fresh machine and quickly on
//! a warm one.

mod run;
mod tasks;

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        Some("demo") => tasks::demo(&rest),
        Some("test") => tasks::test(&rest),
        Some("-h" | "--help") | None => {
            print!("{}", USAGE);
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task {other:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  demo [flags]   build and start jrpc-server (math example, www/ page) on http://127.0.0.1:8080/;
                 flags go to jrpc-server (see `cargo run --bin jrpc-server -- --help`)
  test [args]    run every test of the project; args go to `cargo test`
";
