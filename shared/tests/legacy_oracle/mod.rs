//! The oracle of the `legacy_translate` fuzz target (and of the corpus
//! replay in `fuzz_corpus.rs`): every input through the legacy dialect's
//! translators, each result held to what serde_json reads in the input.
//!
//! - `legacy::incoming`: no panic; a translated frame is valid JSON-RPC 2.0
//!   text with the input's method, id (absent for a missing or null id) and
//!   params (`args`, `kwargs`, or both keyed by position); an early reply is
//!   a -32602 error response with the input's id.
//! - `legacy::outgoing`: no panic; every frame is a JSON object, a legacy
//!   request (with `method`, `args`, `kwargs`) or response (`id`, `result`, `error`).
//! - `legacy::name_positions`: no panic; what it gives is a JSON object.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use jrpc_shared::json;
use jrpc_shared::legacy::{ErrorNames, Incoming, incoming, name_positions, outgoing};
use serde_json::{Map, Value, json};

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_incoming(text);
    check_outgoing(text);
    if let Some(Ok(named)) = name_positions(text, &["a", "b", "c"]) {
        valid(&named, text);
        assert!(named.starts_with('{'), "{named}");
    }
}

/// `out` is one JSON value by the crate's scanner (which accepts what JSON
/// allows and serde_json does not: lone surrogates, numbers beyond `f64`).
fn valid(out: &str, input: &str) {
    if let Err(e) = json::validate(out) {
        panic!("{input:?} gave invalid JSON {out:?}: {e:?}");
    }
}

fn check_incoming(text: &str) {
    let translated = incoming(text);
    let out: Option<&str> = match &translated {
        Incoming::Frame(frame) => Some(frame),
        Incoming::Reply(reply) => Some(reply),
        Incoming::Nothing => None,
    };
    if let Some(out) = out.filter(|out| *out != text) {
        assert!(
            json::validate(text).is_ok(),
            "translated invalid JSON {text:?}"
        );
        valid(out, text);
    }
    // The rest compares values, where serde_json reads the input.
    let Ok(input) = serde_json::from_str::<Map<String, Value>>(text) else {
        return;
    };
    match translated {
        Incoming::Frame(frame) if frame == text => {}
        Incoming::Frame(frame) => {
            let Ok(out) = serde_json::from_str::<Map<String, Value>>(&frame) else {
                return;
            };
            assert_eq!(out.get("jsonrpc"), Some(&json!("2.0")), "{frame}");
            if let Some(method) = out.get("method") {
                assert_eq!(input.get("method"), Some(method), "{text} -> {frame}");
                let id = input.get("id").filter(|id| !id.is_null());
                assert_eq!(out.get("id"), id, "{text} -> {frame}");
                check_params(&input, out.get("params"), text, &frame);
            } else {
                let id = input.get("id").cloned().unwrap_or(Value::Null);
                assert_eq!(out.get("id"), Some(&id), "{text} -> {frame}");
                let failed = input.get("error").is_some_and(truthy);
                assert_eq!(out.contains_key("error"), failed, "{text} -> {frame}");
                if !failed {
                    let result = input.get("result").cloned().unwrap_or(Value::Null);
                    assert_eq!(out.get("result"), Some(&result), "{text} -> {frame}");
                }
            }
        }
        Incoming::Reply(reply) => {
            let out: Value = serde_json::from_str(&reply).unwrap();
            assert_eq!(out["error"]["code"], -32602, "{reply}");
            let id = input.get("id").unwrap();
            if id.is_string() || id.is_number() {
                assert_eq!(&out["id"], id, "{text} -> {reply}");
            }
        }
        Incoming::Nothing => {
            assert!(input.get("id").is_none_or(Value::is_null), "{text}");
        }
    }
}

/// What Python's `if x:` takes as true.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The params of a translated call against the input's `args` and `kwargs`.
fn check_params(input: &Map<String, Value>, params: Option<&Value>, text: &str, frame: &str) {
    let present = |key| input.get(key).filter(|v| !v.is_null());
    let args = present("args")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let kwargs = present("kwargs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let expected = match (args.is_empty(), kwargs.is_empty()) {
        (_, true) => present("args").map(|_| Value::Array(args)),
        (true, false) => Some(Value::Object(kwargs)),
        (false, false) => {
            let mut mixed: Map<String, Value> = args
                .into_iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect();
            mixed.extend(kwargs);
            Some(Value::Object(mixed))
        }
    };
    assert_eq!(params, expected.as_ref(), "{text} -> {frame}");
}

fn check_outgoing(text: &str) {
    let names = ErrorNames::default().with(1, "One");
    outgoing(text, &names, |frame| {
        valid(&frame, text);
        let Ok(out) = serde_json::from_str::<Map<String, Value>>(&frame) else {
            return;
        };
        if out.contains_key("method") {
            assert!(out["method"].is_string(), "{frame}");
            assert!(
                out["args"].is_array() && out["kwargs"].is_object(),
                "{frame}"
            );
        } else {
            assert!(
                out.contains_key("id") && out.contains_key("result"),
                "{frame}"
            );
            assert!(
                out["error"].is_null() || out["error"].is_string() || out.contains_key("error")
            );
        }
    });
}
