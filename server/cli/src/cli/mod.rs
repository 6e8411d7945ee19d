//! The implementation of the `jrpc` command-line client.
//!
//! The binary (`src/bin/jrpc.rs`) only parses [`Cli`] and calls [`run`]; the
//! logic lives here so it can be tested. Each subcommand has its own module:
//! [`call`] sends one request or notification and prints the answer,
//! [`subscribe`] follows a subscription, [`mod@describe`] shows what a
//! server serves (`methods`, `describe`), [`types`] writes TypeScript
//! declarations of it, [`mod@bench`] measures a server.
//!
//! A failed command returns a [`Failure`], whose [`Failure::exit_code`] follows
//! the table in `jrpc --help`.

pub mod args;
pub mod bench;
pub mod call;
pub mod describe;
pub mod lists;
pub mod output;
pub mod subscribe;
pub mod types;

use std::fmt;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// The server `jrpc` talks to when neither `--url` nor `JRPC_URL` says otherwise.
pub const DEFAULT_URL: &str = "ws://127.0.0.1:8080/rpc";

/// The default server for `--dialect jrpc`: where the original jrpc
/// command line connected (`jrpc-server --legacy-addr 127.0.0.1:9000`).
pub const LEGACY_DEFAULT_URL: &str = "ws://127.0.0.1:9000";

/// The environment variable that sets the server URL when `--url` is not given.
pub const URL_ENV: &str = "JRPC_URL";

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  the server answered with an error
  2  usage error (bad arguments or URL)
  3  could not connect, no answer in time, connection lost, or output failed";

/// Calls methods on a JSON-RPC 2.0 server over WebSocket, from the shell.
#[derive(Debug, Parser)]
#[command(name = "jrpc", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// The server's WebSocket URL [env: JRPC_URL] [default: ws://127.0.0.1:8080/rpc].
    #[arg(long, global = true, value_name = "URL")]
    pub url: Option<String>,
    /// For a wss:// URL, also trust the CA certificates in this PEM file (a
    /// private CA, a self-signed server); the system's roots always count.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca: Option<std::path::PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The server URL: `--url`, else `$JRPC_URL`, else [`DEFAULT_URL`]
    /// ([`LEGACY_DEFAULT_URL`] with `--dialect jrpc`).
    pub fn url(&self) -> String {
        // Done by hand rather than with clap's `env` attribute, which needs a
        // clap feature the workspace does not enable.
        self.url_with(std::env::var(URL_ENV).ok())
    }

    /// [`Cli::url`] with `env` as the value of `JRPC_URL`.
    fn url_with(&self, env: Option<String>) -> String {
        let legacy =
            matches!(&self.command, Command::Call(c) if c.dialect == call::DialectArg::Jrpc);
        let default = if legacy {
            LEGACY_DEFAULT_URL
        } else {
            DEFAULT_URL
        };
        self.url
            .clone()
            .or_else(|| env.filter(|url| !url.is_empty()))
            .unwrap_or_else(|| default.to_owned())
    }

    /// Parses a command line, where `call` may be left out as the original
    /// jrpc tool had no subcommands: `jrpc Add -a 5,10` (or `jrpc -a 5,10
    /// Add`) is `jrpc call Add -a 5,10`. A mistyped subcommand keeps clap's
    /// "did you mean" answer.
    pub fn try_parse_args<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::error::{ContextKind, ErrorKind};
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let error = match Cli::try_parse_from(&args) {
            Ok(cli) => return Ok(cli),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::InvalidSubcommand | ErrorKind::UnknownArgument
                ) =>
            {
                e
            }
            Err(e) => return Err(e),
        };
        let named_a_subcommand = args.iter().skip(1).any(|a| {
            Cli::command()
                .get_subcommands()
                .any(|c| a.to_str() == Some(c.get_name()))
        });
        if error.get(ContextKind::SuggestedSubcommand).is_some() || named_a_subcommand {
            return Err(error);
        }
        // `call` goes after the global options; the rest is its own.
        let mut at = 1;
        while let Some(arg) = args.get(at).map(|a| a.to_string_lossy()) {
            match &*arg {
                "--url" => at += 2,
                url if url.starts_with("--url=") => at += 1,
                _ => break,
            }
        }
        let mut with_call = args;
        with_call.insert(at.min(with_call.len()), "call".into());
        Cli::try_parse_from(with_call)
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Call a method and print its result as JSON.
    Call(call::CallArgs),
    /// Follow a subscription: print its items as JSON lines.
    Subscribe(subscribe::SubscribeArgs),
    /// List the server's methods, from its rpc.discover (OpenRPC) description.
    Methods(describe::MethodsArgs),
    /// Show one method's description: params, result and errors, with their JSON Schemas.
    Describe(describe::DescribeArgs),
    /// Write TypeScript declarations of the server's API (for `JRPC.WebSocket<Api>`).
    Types(types::TypesArgs),
    /// Measure calls per second and latency against a server (like wrk).
    Bench(bench::BenchArgs),
}

/// Runs the parsed command line; output goes to stdout.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let url = Endpoint {
        url: cli.url(),
        ca: cli.ca.clone(),
    };
    match cli.command {
        Command::Call(args) => call::run(&url, &args, &mut std::io::stdout().lock()).await,
        Command::Subscribe(args) => {
            subscribe::run(&url, &args, &mut std::io::stdout(), &mut std::io::stderr()).await
        }
        Command::Methods(args) => describe::methods(&url, &args, &mut std::io::stdout()).await,
        Command::Describe(args) => describe::describe(&url, &args, &mut std::io::stdout()).await,
        Command::Types(args) => types::run(&url, &args, &mut std::io::stdout()).await,
        Command::Bench(args) => bench::run(&url, &args, &mut std::io::stdout()).await,
    }
}

/// Where a command connects: the URL (what it derefs to) and the CA file
/// to trust for `wss://`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The server's WebSocket URL.
    pub url: String,
    /// `--ca`: a PEM file of CA certificates trusted besides the system's.
    pub ca: Option<std::path::PathBuf>,
}

impl From<&str> for Endpoint {
    fn from(url: &str) -> Self {
        Endpoint {
            url: url.to_owned(),
            ca: None,
        }
    }
}

impl std::ops::Deref for Endpoint {
    type Target = str;
    fn deref(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

/// What kind of failure ended a command; decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The server answered with an error object (exit code 1).
    Rpc,
    /// The command line was wrong (exit code 2).
    Usage,
    /// Connecting, waiting for the answer or writing the output failed (exit code 3).
    Transport,
}

/// Why a command failed, with the message to show (without the `jrpc: ` prefix).
#[derive(Debug)]
pub struct Failure {
    /// The kind of failure.
    pub kind: FailureKind,
    /// What to tell the user; may span several lines.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` with `message`.
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Failure {
            kind,
            message: message.into(),
        }
    }

    /// The server answered with an error (exit code 1).
    pub fn rpc(message: impl Into<String>) -> Self {
        Self::new(FailureKind::Rpc, message)
    }

    /// The command line was wrong (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(FailureKind::Usage, message)
    }

    /// Connecting, waiting or writing failed (exit code 3).
    pub fn transport(message: impl Into<String>) -> Self {
        Self::new(FailureKind::Transport, message)
    }

    /// The numeric exit code, as listed in `jrpc --help`.
    pub fn code(&self) -> u8 {
        match self.kind {
            FailureKind::Rpc => 1,
            FailureKind::Usage => 2,
            FailureKind::Transport => 3,
        }
    }

    /// The process exit code, as listed in `jrpc --help`.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// What became of writing `what` (the result, the report, ...) to standard
/// output. A reader that went away (`jrpc subscribe .. | head -3`) ends the
/// command quietly, as it ends any Unix tool, rather than with an error.
pub(crate) fn output(written: std::io::Result<()>, what: &str) -> Result<(), Failure> {
    match written {
        Err(e) if !reader_gone(&e) => {
            Err(Failure::transport(format!("could not write {what}: {e}")))
        }
        _ => Ok(()),
    }
}

/// Whether writing failed because the output's reader closed it.
pub(crate) fn reader_gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn help_lists_the_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("3  could not connect"), "{help}");
    }

    #[test]
    fn call_may_be_left_out_as_in_the_original_tool() {
        let cli = Cli::try_parse_args(["jrpc", "Add", "-a", "5,10"]).unwrap();
        let Command::Call(call) = &cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(
            (call.call.method.as_str(), &call.list_args[..]),
            ("Add", &["5,10".to_owned()][..])
        );
        let cli =
            Cli::try_parse_args(["jrpc", "--url", "ws://h:1/", "Multiply", "-a", "6"]).unwrap();
        assert_eq!(cli.url(), "ws://h:1/");
        assert!(matches!(cli.command, Command::Call(_)));
        // The subcommands are still themselves.
        let cli = Cli::try_parse_args(["jrpc", "bench", "--connections", "2"]).unwrap();
        assert!(matches!(cli.command, Command::Bench(_)));
        // And a usage error is still one.
        assert!(Cli::try_parse_args(["jrpc", "Add", "--nope"]).is_err());
    }

    #[test]
    fn the_jrpc_dialect_defaults_to_the_original_port() {
        let cli = Cli::try_parse_args(["jrpc", "Add", "-a", "1,2", "--dialect", "jrpc"]).unwrap();
        assert_eq!(cli.url_with(None), LEGACY_DEFAULT_URL);
        assert_eq!(cli.url_with(Some("ws://h:1/".into())), "ws://h:1/");
        let cli = Cli::try_parse_args(["jrpc", "Add", "-a", "1,2"]).unwrap();
        assert_eq!(cli.url_with(None), DEFAULT_URL);
    }

    #[test]
    fn options_may_come_before_the_method_and_mistyped_subcommands_are_said_so() {
        let cli = Cli::try_parse_args(["jrpc", "-a", "1,2", "Add"]).unwrap();
        let Command::Call(call) = &cli.command else {
            panic!("{cli:?}")
        };
        assert_eq!(call.call.method, "Add");
        let cli =
            Cli::try_parse_args(["jrpc", "--url=ws://h:1/", "--dialect", "jrpc", "Add"]).unwrap();
        assert_eq!(cli.url_with(None), "ws://h:1/");
        let e = Cli::try_parse_args(["jrpc", "bnech", "--connections", "2"]).unwrap_err();
        assert!(e.to_string().contains("bench"), "{e}");
        let e = Cli::try_parse_args(["jrpc", "--nope", "call", "m"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument, "{e}");
    }

    #[test]
    fn url_may_come_before_or_after_the_subcommand() {
        let before = Cli::try_parse_from(["jrpc", "--url", "ws://h:1/x", "call", "m"]).unwrap();
        let after = Cli::try_parse_from(["jrpc", "call", "m", "--url", "ws://h:1/x"]).unwrap();
        assert_eq!(before.url(), "ws://h:1/x");
        assert_eq!(after.url(), "ws://h:1/x");
    }
}
