//! `jrpc`: the command-line client. `jrpc call Add 5 10` prints `15`.
//!
//! All logic lives in [`jrpc_cli::cli`]; this only parses the command line,
//! runs it and turns a failure into a message and an exit code.

use std::process::ExitCode;

use jrpc_cli::cli::{Cli, run};

// One connection and one call need no worker threads; the current-thread
// runtime also makes `--notify`'s flush before exit deterministic.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::try_parse_args(std::env::args_os()).unwrap_or_else(|e| e.exit());
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("jrpc: {failure}");
            failure.exit_code()
        }
    }
}
