//! Methods that show and test the peer-to-peer side of jrpc: `demo.callback`
//! has the server call the caller back, `demo.echo` returns its params, and
//! `demo.sleep` waits (to exercise cancellation and timeouts).

use std::time::Duration;

use jrpc_shared::ErrorObject;
use serde::Deserialize;
use serde_json::value::RawValue;

use jrpc::{Connection, MethodDoc, MethodSet};

/// The params of `demo.callback`: `[method, params]` or
/// `{"method": .., "params": ..}`; `params` may be left out.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackArgs {
    /// The method to call on the calling connection.
    pub method: String,
    /// Its params: a JSON array or object, or null/absent for none.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub params: Option<Box<RawValue>>,
}

/// Method name: calls `method` with `params` back on the calling connection.
pub const CALLBACK: &str = "demo.callback";

/// Calls `args.method` on `conn` with the connection's default request
/// timeout and returns the peer's result as raw JSON. An error answer from the
/// peer is passed on unchanged; a timeout or closed connection becomes the
/// matching error object.
pub async fn callback(conn: Connection, args: CallbackArgs) -> Result<Box<RawValue>, ErrorObject> {
    // JSON-RPC params must be structured; say so here instead of failing
    // later with an encoding error that names no field.
    let structured = args
        .params
        .as_deref()
        .is_none_or(|p| matches!(p.get().as_bytes().first(), Some(b'[' | b'{')));
    if !structured {
        return Err(ErrorObject::invalid_params(
            "`params` must be an array, an object or null",
        ));
    }
    Ok(conn.request(&args.method, &args.params).await?)
}

/// Method name: the server greets the caller, by name once signed in, by
/// calling its `ui.log` back.
pub const GREET: &str = "demo.greet";

/// Calls `ui.log` on `conn` with a greeting for who it is (its
/// [`Identity`](jrpc::Identity), set by `rpc.auth`), and returns the page's answer.
pub async fn greet(conn: Connection) -> Result<Box<RawValue>, ErrorObject> {
    let text = match conn.extension::<jrpc::Identity>() {
        Some(jrpc::Identity(name)) => format!("hello, {name}"),
        None => "hello, stranger (sign in to be greeted by name)".to_owned(),
    };
    Ok(conn.request("ui.log", &(text,)).await?)
}

/// The longest name `rpc.auth` takes in the demo.
pub const MAX_NAME_CHARS: usize = 40;

/// The demo's sign-in (`rpc.auth`): any name, no password. The token is the
/// name, trimmed: 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub async fn sign_in(_conn: Connection, token: String) -> Result<jrpc::Identity, ErrorObject> {
    let name = token.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ErrorObject::new(
            jrpc::code::UNAUTHENTICATED,
            format!("a name is 1 to {MAX_NAME_CHARS} characters, without control characters"),
        ));
    }
    Ok(jrpc::Identity(name.to_owned()))
}

/// Method name: returns its params unchanged.
pub const ECHO: &str = "demo.echo";

/// Returns `params` as they came (`null` when absent).
pub fn echo(params: Option<Box<RawValue>>) -> Option<Box<RawValue>> {
    params
}

/// Method name: waits `[ms]` milliseconds, then returns `ms`.
pub const SLEEP: &str = "demo.sleep";

/// The longest `demo.sleep` waits, so one call cannot hold a slot for long.
pub const MAX_SLEEP_MS: u64 = 60_000;

/// The params of `demo.sleep`: `[ms]` or `{"ms": ..}`.
#[derive(Clone, Copy, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SleepArgs {
    /// Milliseconds to wait, at most 60,000 (`MAX_SLEEP_MS`).
    pub ms: u64,
}

/// Waits `ms` milliseconds (at most [`MAX_SLEEP_MS`]) and returns how long it
/// waited. Cancelling the call drops the future, which ends the wait early.
pub async fn sleep(SleepArgs { ms }: SleepArgs) -> Result<u64, ErrorObject> {
    let ms = capped(ms);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(ms)
}

fn capped(ms: u64) -> u64 {
    ms.min(MAX_SLEEP_MS)
}

/// `demo.callback`, `demo.echo` and `demo.sleep`, ready to add to a server.
pub fn methods() -> MethodSet {
    let mut set = MethodSet::new();
    set.method(CALLBACK, callback)
        .sync_method(ECHO, |_: Connection, params| {
            Ok::<_, ErrorObject>(echo(params))
        })
        .method(SLEEP, |_: Connection, args| sleep(args))
        .method(GREET, |conn: Connection, (): ()| greet(conn));
    set.describe(
        CALLBACK,
        MethodDoc::new("Calls a method of the caller back, and answers with its answer")
            .params::<CallbackArgs>()
            .result::<serde_json::Value>(),
    )
    .describe(
        ECHO,
        MethodDoc::new("Answers with its params as they came (null when none)")
            .result::<serde_json::Value>(),
    )
    .describe(
        GREET,
        MethodDoc::new(
            "Greets the caller by calling its ui.log back, by name once signed in (rpc.auth)",
        )
        .params::<()>()
        .result::<bool>(),
    )
    .describe(
        SLEEP,
        MethodDoc::new("Waits ms milliseconds (at most 60,000), then answers how long")
            .params::<SleepArgs>()
            .result::<u64>(),
    );
    set
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use jrpc::{Client, Server, ServerHandle, code};
    use serde_json::{Value, json};

    async fn start() -> (ServerHandle, Client) {
        let server = Server::builder()
            .methods(methods())
            .bind("127.0.0.1:0")
            .await
            .unwrap()
            .spawn();
        let client = Client::builder()
            .sync_method("ui.add", |_: Connection, (a, b): (i64, i64)| {
                Ok::<_, ErrorObject>(a + b)
            })
            .sync_method("ui.fail", |_: Connection, (): ()| {
                Err::<(), _>(ErrorObject::new(7, "nope").with_data(&[1, 2]))
            })
            .connect(&server.url())
            .await
            .unwrap();
        (server, client)
    }

    #[tokio::test]
    async fn callback_reaches_the_caller() {
        let (server, client) = start().await;
        let positional: Value = client
            .request(CALLBACK, &json!(["ui.add", [2, 3]]))
            .await
            .unwrap();
        assert_eq!(positional, json!(5));
        let named: Value = client
            .request(CALLBACK, &json!({"method": "ui.add", "params": [4, 5]}))
            .await
            .unwrap();
        assert_eq!(named, json!(9));
        server.shutdown();
        server.stopped().await;
    }

    #[tokio::test]
    async fn callback_passes_errors_through() {
        let (server, client) = start().await;
        let err = client
            .request::<Value, _>(CALLBACK, &json!(["ui.fail"]))
            .await
            .unwrap_err();
        assert_eq!(
            ErrorObject::from(err),
            ErrorObject::new(7, "nope").with_data(&[1, 2])
        );
        let err = client
            .request::<Value, _>(CALLBACK, &json!(["no.such.method", null]))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code::METHOD_NOT_FOUND);
        let err = client
            .request::<Value, _>(CALLBACK, &json!(["ui.add", 5]))
            .await
            .unwrap_err();
        assert_eq!(err.code(), code::INVALID_PARAMS);
        server.shutdown();
        server.stopped().await;
    }

    #[tokio::test]
    async fn echo_and_sleep() {
        let (server, client) = start().await;
        let echoed: Value = client
            .request(ECHO, &json!({"k": [1, "two"]}))
            .await
            .unwrap();
        assert_eq!(echoed, json!({"k": [1, "two"]}));
        let nothing: Value = client.request(ECHO, &()).await.unwrap();
        assert_eq!(nothing, Value::Null);
        let slept: u64 = client.request(SLEEP, &[5]).await.unwrap();
        assert_eq!(slept, 5);
        server.shutdown();
        server.stopped().await;
    }

    #[test]
    fn sleep_is_capped() {
        assert_eq!(capped(u64::MAX), MAX_SLEEP_MS);
        assert_eq!(capped(MAX_SLEEP_MS), MAX_SLEEP_MS);
        assert_eq!(capped(1), 1);
    }
}
