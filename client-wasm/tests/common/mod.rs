//! Helpers shared by the browser tests: the server's URL and `Fail` here,
//! JavaScript values and error checks in `js`, clients and calls in `rpc`,
//! bounded awaits and event recording in `wait`.
//!
//! Every await is bounded (`wait::within`), so a bug fails a test instead of
//! hanging the run. Tests that drop or restart the server live in test
//! binaries of their own (each runs in its own browser session, one after
//! the other); the others use unique `test.hang` keys.
//!
//! Tests return `Result<(), Fail>` instead of panicking: a panic in wasm is a
//! trap that can leave the page's executor stuck, which would turn one failure
//! into a hang of every later test.

#![allow(dead_code, missing_docs)]

use std::fmt;

use wasm_bindgen::prelude::*;

/// A failed check, with a message saying what was expected.
pub struct Fail(pub String);

impl fmt::Debug for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<JsValue> for Fail {
    fn from(value: JsValue) -> Fail {
        Fail(format!(
            "unexpected JavaScript exception: {}",
            describe(&value)
        ))
    }
}

pub type TestResult = Result<(), Fail>;

/// `ensure!(condition, "format", args..)`: fails the test with the message.
#[allow(unused_macros)]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::common::Fail(format!("{}:{}: {}", file!(), line!(), format!($($fmt)+))));
        }
    };
}

/// `ensure_eq!(left, right)`: fails the test showing both values.
#[allow(unused_macros)]
macro_rules! ensure_eq {
    ($left:expr, $right:expr $(,)?) => {
        match (&$left, &$right) {
            (l, r) => {
                if l != r {
                    return Err($crate::common::Fail(format!(
                        "{}:{}: `{}` is {:?}, expected {:?}",
                        file!(),
                        line!(),
                        stringify!($left),
                        l,
                        r
                    )));
                }
            }
        }
    };
}

/// The test server's WebSocket URL, baked in at compile time.
pub fn url() -> Result<String, Fail> {
    option_env!("JRPC_TEST_URL")
        .map(str::to_owned)
        .ok_or_else(|| {
            Fail(
                "JRPC_TEST_URL is not set: the browser tests need jrpc-test-server; \
             run them with `cargo xtask test`, which starts it and sets JRPC_TEST_URL"
                    .to_owned(),
            )
        })
}

/// `(host, port)` of the test server, for the original constructor form.
pub fn host_and_port() -> Result<(String, u16), Fail> {
    let url = url()?;
    let rest = url
        .strip_prefix("ws://")
        .ok_or_else(|| Fail(format!("not a ws:// URL: {url}")))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| Fail(format!("no port in {url}")))?;
    let port = port
        .parse()
        .map_err(|_| Fail(format!("bad port in {url}")))?;
    Ok((host.to_owned(), port))
}

/// A readable form of any thrown or rejected value.
pub fn describe(value: &JsValue) -> String {
    let code = get(value, "code");
    let message = get(value, "message");
    match (message.as_string(), code.as_f64()) {
        (Some(m), Some(c)) => format!("{} (code {c}): {m}", name_of(value)),
        (Some(m), None) => format!("{}: {m}", name_of(value)),
        _ => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    }
}

fn name_of(value: &JsValue) -> String {
    get(value, "name")
        .as_string()
        .unwrap_or_else(|| "Error".to_owned())
}

mod js;
mod rpc;
mod wait;

pub use js::*;
pub use rpc::*;
pub use wait::*;
