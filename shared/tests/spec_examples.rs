//! Every example in the JSON-RPC 2.0 specification's "Examples" section, fed to
//! the engine as raw text; the engine must answer exactly as the specification does.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{exchange, json, spec_methods};
use serde_json::{Value, json};

/// Asserts one reply equal to `expected` (as JSON values).
fn one(request: &str, expected: Value) {
    let sent = exchange(&spec_methods(), request);
    assert_eq!(
        sent.len(),
        1,
        "expected one reply to {request}, got {sent:?}"
    );
    assert_eq!(json(&sent[0]), expected, "reply to {request}");
}

/// Asserts a batch reply holding exactly `expected` (any order, as the specification allows).
fn batch(request: &str, expected: Value) {
    let sent = exchange(&spec_methods(), request);
    assert_eq!(sent.len(), 1, "expected one batch reply, got {sent:?}");
    let mut got = json(&sent[0])
        .as_array()
        .cloned()
        .expect("a batch reply is an array");
    let mut want = expected.as_array().cloned().unwrap();
    let key = |v: &Value| v.to_string();
    got.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(got, want);
}

fn nothing(request: &str) {
    let sent = exchange(&spec_methods(), request);
    assert!(
        sent.is_empty(),
        "expected no reply to {request}, got {sent:?}"
    );
}

#[test]
fn positional_parameters() {
    one(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
        json!({"jsonrpc": "2.0", "result": 19, "id": 1}),
    );
    one(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
        json!({"jsonrpc": "2.0", "result": -19, "id": 2}),
    );
}

#[test]
fn named_parameters() {
    one(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
        json!({"jsonrpc": "2.0", "result": 19, "id": 3}),
    );
    one(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
        json!({"jsonrpc": "2.0", "result": 19, "id": 4}),
    );
}

#[test]
fn notifications_get_no_reply() {
    nothing(r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#);
    nothing(r#"{"jsonrpc": "2.0", "method": "foobar"}"#);
}

#[test]
fn non_existent_method() {
    one(
        r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
        json!({"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}),
    );
}

#[test]
fn invalid_json() {
    one(
        r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
        json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}),
    );
}

#[test]
fn invalid_request_object() {
    one(
        r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
        json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}),
    );
}

#[test]
fn batch_invalid_json() {
    one(
        r#"[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]"#,
        json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}),
    );
}

#[test]
fn empty_array() {
    one(
        "[]",
        json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}),
    );
}

#[test]
fn invalid_batch_but_not_empty() {
    batch(
        "[1]",
        json!([{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}]),
    );
}

#[test]
fn invalid_batch() {
    let e = json!({"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null});
    batch("[1,2,3]", json!([e, e, e]));
}

#[test]
fn mixed_batch() {
    batch(
        r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]"#,
        json!([
            {"jsonrpc": "2.0", "result": 7, "id": "1"},
            {"jsonrpc": "2.0", "result": 19, "id": "2"},
            {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
            {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
            {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
        ]),
    );
}

#[test]
fn batch_of_notifications_sends_nothing() {
    nothing(
        r#"[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]"#,
    );
}
