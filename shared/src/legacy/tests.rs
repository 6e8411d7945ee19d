use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Incoming, incoming, outgoing};

const OPERANDS: &[&str] = &["a", "b"];

fn names(method: &str) -> Option<&'static [&'static str]> {
    (method == "Multiply").then_some(OPERANDS)
}

fn frame(text: &str) -> Incoming<'static> {
    Incoming::Frame(Cow::Owned(text.into()))
}

fn sent(text: &str) -> Vec<String> {
    let mut frames = Vec::new();
    outgoing(text, |f| frames.push(f));
    frames
}

#[test]
fn args_become_positional_params_and_kwargs_named_params() {
    assert_eq!(
        incoming(
            r#"{"method":"Add","args":[5,10],"kwargs":{},"id":0}"#,
            names
        ),
        frame(r#"{"jsonrpc":"2.0","method":"Add","params":[5,10],"id":0}"#)
    );
    assert_eq!(
        incoming(
            r#"{"method":"Add","args":[],"kwargs":{"a":1},"id":3}"#,
            names
        ),
        frame(r#"{"jsonrpc":"2.0","method":"Add","params":{"a":1},"id":3}"#)
    );
    assert_eq!(
        incoming(r#"{"method":"Add","kwargs":{"a":1},"id":3}"#, names),
        frame(r#"{"jsonrpc":"2.0","method":"Add","params":{"a":1},"id":3}"#)
    );
    // Neither: no params at all.
    assert_eq!(
        incoming(r#"{"method":"ping","id":1}"#, names),
        frame(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#)
    );
}

#[test]
fn a_missing_or_null_id_is_an_invoke() {
    let expected = frame(r#"{"jsonrpc":"2.0","method":"log","params":["x"]}"#);
    assert_eq!(
        incoming(r#"{"method":"log","args":["x"]}"#, names),
        expected
    );
    assert_eq!(
        incoming(r#"{"method":"log","args":["x"],"id":null}"#, names),
        expected
    );
}

#[test]
fn args_and_kwargs_together_are_merged_by_the_methods_parameter_names() {
    assert_eq!(
        incoming(
            r#"{"method":"Multiply","args":[6],"kwargs":{"b":7},"id":2}"#,
            names
        ),
        frame(r#"{"jsonrpc":"2.0","method":"Multiply","params":{"a":6,"b":7},"id":2}"#)
    );
    let reply = |text| match incoming(text, names) {
        Incoming::Reply(reply) => sent(&reply).concat(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        reply(r#"{"method":"Multiply","args":[6],"kwargs":{"a":7},"id":2}"#),
        r#"{"id":2,"result":"got multiple values for argument 'a'","error":"TypeError"}"#
    );
    assert_eq!(
        reply(r#"{"method":"Multiply","args":[6],"kwargs":{"c":7},"id":2}"#),
        r#"{"id":2,"result":"got an unexpected keyword argument 'c'","error":"TypeError"}"#
    );
    assert_eq!(
        reply(r#"{"method":"Multiply","args":[1,2,3],"kwargs":{"c":7},"id":2}"#),
        r#"{"id":2,"result":"takes at most 2 arguments","error":"TypeError"}"#
    );
    // A method whose names are not known cannot take both.
    assert!(reply(r#"{"method":"Add","args":[6],"kwargs":{"b":7},"id":"x"}"#).contains("not both"));
    // An invoke that fails gets no answer.
    assert_eq!(
        incoming(r#"{"method":"Add","args":[6],"kwargs":{"b":7}}"#, names),
        Incoming::Nothing
    );
}

#[test]
fn args_and_kwargs_of_the_wrong_type_are_a_type_error() {
    assert_eq!(
        incoming(r#"{"method":"Add","args":5,"id":1}"#, names),
        Incoming::Reply(
            r#"{"jsonrpc":"2.0","error":{"code":-32602,"message":"args must be a list"},"id":1}"#
                .into()
        )
    );
    assert_eq!(
        incoming(r#"{"method":"Add","kwargs":[1],"id":1}"#, names),
        Incoming::Reply(
            r#"{"jsonrpc":"2.0","error":{"code":-32602,"message":"kwargs must be an object"},"id":1}"#
                .into()
        )
    );
}

#[test]
fn what_is_no_legacy_message_goes_to_the_engine_unchanged() {
    for text in [
        "nope",
        "[1]",
        r#"{"method":5,"id":1}"#,
        r#"{"id":1}"#,
        r#"{"a":1} x"#,
    ] {
        assert_eq!(
            incoming(text, names),
            Incoming::Frame(Cow::Borrowed(text)),
            "{text}"
        );
    }
}

#[test]
fn responses_become_results_or_errors_that_keep_the_type_name() {
    assert_eq!(
        incoming(r#"{"id": 4, "result": [1], "error": null}"#, names),
        frame(r#"{"jsonrpc":"2.0","result":[1],"id":4}"#)
    );
    assert_eq!(
        incoming(
            r#"{"id":6,"result":"float division by zero","error":"ZeroDivisionError"}"#,
            names
        ),
        frame(
            r#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"float division by zero","data":{"type":"ZeroDivisionError"}},"id":6}"#
        )
    );
    // A message that is not a string is kept as its JSON text.
    assert_eq!(
        incoming(r#"{"id":6,"result":{"x":1},"error":"E"}"#, names),
        frame(
            r#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"{\"x\":1}","data":{"type":"E"}},"id":6}"#
        )
    );
}

#[test]
fn calls_from_this_side_carry_args_kwargs_and_an_id_only_when_answered() {
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","method":"show","params":{"n":1},"id":7}"#),
        [r#"{"method":"show","args":[],"kwargs":{"n":1},"id":7}"#]
    );
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","method":"tick"}"#),
        [r#"{"method":"tick","args":[],"kwargs":{}}"#]
    );
    assert!(sent(r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":7}}"#).is_empty());
}

#[test]
fn responses_from_this_side_carry_result_and_error() {
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","result":15,"id":0}"#),
        [r#"{"id":0,"result":15,"error":null}"#]
    );
    assert_eq!(
        sent(
            r#"{"jsonrpc":"2.0","error":{"code":100,"message":"division by zero","data":{"type":"ZeroDivisionError"}},"id":6}"#
        ),
        [r#"{"id":6,"result":"division by zero","error":"ZeroDivisionError"}"#]
    );
    assert_eq!(
        sent(
            r#"{"jsonrpc":"2.0","error":{"code":-32602,"message":"Invalid params","data":5},"id":1}"#
        ),
        [r#"{"id":1,"result":"Invalid params","error":"TypeError"}"#]
    );
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}"#),
        [r#"{"id":null,"result":"Parse error","error":"ValueError"}"#]
    );
}
