//! `jrpc subscribe`: follow a subscription, one JSON line per item on stdout.

use std::io::Write;
use std::time::Duration;

use futures_util::StreamExt;
use jrpc_shared::subscription::method_names;
use serde_json::value::RawValue;

use super::args::MethodArgs;
use super::call::connect;
use super::call::rpc_error_message;
use super::output::compact;
use super::{Endpoint, Failure};
use jrpc::{CallError, Client, SubscriptionError};

/// How long to wait for the unsubscribe answer and the close once done.
const WIND_DOWN: Duration = Duration::from_secs(2);

const SUBSCRIBE_HELP: &str = "\
Prints each item as one line of JSON, until the server ends the subscription,
--count items have arrived, or Ctrl-C; then unsubscribes. Items the server
reports lost (a gap) are noted on stderr. Each ARG is a JSON value, as for
`jrpc call`.

METHOD is the subscribe method, and its last `subscribe` made `unsubscribe`
is the unsubscribe method (`eth_subscribe` -> `eth_unsubscribe`); or it is a
subscription's name without `subscribe`, whose methods are NAME.subscribe and
NAME.unsubscribe (`demo.ticks`). --unsubscribe NAME overrides either.

Examples:
  jrpc subscribe demo.ticks '{\"everyMs\":200}' --count 5
  jrpc subscribe demo.board.subscribe";

/// The options of `jrpc subscribe`.
#[derive(Debug, clap::Args)]
#[command(after_help = SUBSCRIBE_HELP)]
pub struct SubscribeArgs {
    /// The subscribe method (or the subscription's name) and its params.
    #[command(flatten)]
    pub subscribe: MethodArgs,
    /// The unsubscribe method (default: from METHOD, see below).
    #[arg(long, value_name = "METHOD")]
    pub unsubscribe: Option<String>,
    /// Stop after this many items.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Seconds allowed for connecting and the subscribe answer (fractions allowed).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = super::call::parse_timeout)]
    pub timeout: Duration,
}

/// Runs `jrpc subscribe` against `url` until it ends; items go to `out`,
/// notes about gaps to `err`.
pub async fn run(
    url: &Endpoint,
    args: &SubscribeArgs,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Result<(), Failure> {
    let [method, unsubscribe] = method_names(&args.subscribe.method);
    let unsubscribe = args.unsubscribe.clone().unwrap_or(unsubscribe);
    let params = args
        .subscribe
        .params()
        .map_err(|e| Failure::usage(e.to_string()))?;
    let timeout = args.timeout;
    let deadline = crate::cli::args::deadline_after(timeout);
    let client = connect(url, Client::builder(), timeout, deadline).await?;
    let subscribing = client.subscribe::<Box<RawValue>, _>(&method, &params, &unsubscribe);
    let mut sub = match tokio::time::timeout_at(deadline, subscribing).await {
        Ok(Ok(sub)) => sub,
        // The method named, since it may have been made from a name.
        Ok(Err(CallError::Rpc(e))) => {
            return Err(Failure::rpc(format!("{method}: {}", rpc_error_message(&e))));
        }
        Ok(Err(e)) => {
            return Err(Failure::transport(format!(
                "could not subscribe at {url}: {e}"
            )));
        }
        Err(_) => {
            return Err(Failure::transport(format!(
                "no answer from {url}: timed out after {}s",
                timeout.as_secs_f64()
            )));
        }
    };
    let mut got = 0u64;
    let interrupted = jrpc::shutdown_signal();
    tokio::pin!(interrupted);
    let outcome = loop {
        if args.count.is_some_and(|n| got >= n) {
            break Ok(());
        }
        let next = tokio::select! {
            next = sub.next() => next,
            () = &mut interrupted => break Ok(()),
        };
        match next {
            None => break Ok(()),
            Some(Ok(item)) => {
                got += 1;
                let written = writeln!(out, "{}", compact(item.get())).and_then(|()| out.flush());
                match written {
                    Ok(()) => {}
                    // Nobody reads any more: ended like Ctrl-C ends it.
                    Err(e) if super::reader_gone(&e) => break Ok(()),
                    Err(e) => {
                        break Err(Failure::transport(format!("could not write an item: {e}")));
                    }
                }
            }
            Some(Err(SubscriptionError::Gap { missed })) => {
                let note = match missed {
                    Some(n) => format!("jrpc: {n} items were lost"),
                    None => "jrpc: an unknown number of items were lost".to_owned(),
                };
                let _ = writeln!(err, "{note}");
            }
            Some(Err(SubscriptionError::Decode(e))) => {
                break Err(Failure::transport(format!(
                    "an item from {url} is not JSON: {e}"
                )));
            }
            Some(Err(SubscriptionError::Ended(e))) => {
                break Err(Failure::rpc(rpc_error_message(&e)));
            }
            Some(Err(SubscriptionError::ConnectionClosed)) => {
                break Err(Failure::transport(format!(
                    "the connection to {url} closed"
                )));
            }
            // The error is non-exhaustive: a kind added later still ends the command clearly.
            Some(Err(e)) => {
                break Err(Failure::transport(format!(
                    "the subscription to {url} failed: {e}"
                )));
            }
        }
    };
    // Done: end the subscription at the server, then close.
    let _ = tokio::time::timeout(WIND_DOWN, sub.unsubscribe()).await;
    client.close();
    let _ = tokio::time::timeout(WIND_DOWN, client.closed()).await;
    outcome
}
