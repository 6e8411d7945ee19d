use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::{Incoming, incoming, outgoing};

fn frame(text: &str) -> Incoming<'static> {
    Incoming::Frame(Cow::Owned(text.into()))
}

fn sent(text: &str) -> Vec<String> {
    let mut frames = Vec::new();
    outgoing(text, &super::ErrorNames::default().with(7, "Custom"), |f| {
        frames.push(f)
    });
    frames
}

#[test]
fn args_become_positional_params_and_kwargs_named_params() {
    assert_eq!(
        incoming(r#"{"method":"Add","args":[5,10],"kwargs":{},"id":0}"#),
        frame(r#"{"jsonrpc":"2.0","method":"Add","params":[5,10],"id":0}"#)
    );
    assert_eq!(
        incoming(r#"{"method":"Add","args":[],"kwargs":{"a":1},"id":3}"#),
        frame(r#"{"jsonrpc":"2.0","method":"Add","params":{"a":1},"id":3}"#)
    );
    assert_eq!(
        incoming(r#"{"method":"Add","kwargs":{"a":1},"id":3}"#),
        frame(r#"{"jsonrpc":"2.0","method":"Add","params":{"a":1},"id":3}"#)
    );
    // Neither: no params at all.
    assert_eq!(
        incoming(r#"{"method":"ping","id":1}"#),
        frame(r#"{"jsonrpc":"2.0","method":"ping","id":1}"#)
    );
}

#[test]
fn a_missing_or_null_id_is_an_invoke() {
    let expected = frame(r#"{"jsonrpc":"2.0","method":"log","params":["x"]}"#);
    assert_eq!(incoming(r#"{"method":"log","args":["x"]}"#), expected);
    assert_eq!(
        incoming(r#"{"method":"log","args":["x"],"id":null}"#),
        expected
    );
}

#[test]
#[cfg(feature = "mixed-params")]
fn args_and_kwargs_together_become_named_params_keyed_by_position() {
    assert_eq!(
        incoming(r#"{"method":"Multiply","args":[6],"kwargs":{"b":7},"id":2}"#),
        frame(r#"{"jsonrpc":"2.0","method":"Multiply","params":{"0":6,"b":7},"id":2}"#)
    );
    // And back: such params are `args` and `kwargs` again.
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","method":"Multiply","params":{"0":6,"1":[1],"b":7},"id":2}"#),
        [r#"{"method":"Multiply","args":[6,[1]],"kwargs":{"b":7},"id":2}"#]
    );
    // Without a "0" member an object is named params, whatever its keys.
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","method":"f","params":{"1":6},"id":2}"#),
        [r#"{"method":"f","args":[],"kwargs":{"1":6},"id":2}"#]
    );
}

#[test]
#[cfg(feature = "mixed-params")]
fn kwargs_named_like_positions_and_too_many_args_are_a_type_error() {
    let refused = |text| match incoming(text) {
        Incoming::Reply(reply) => sent(&reply).concat(),
        other => panic!("{other:?}"),
    };
    let named = r#"{"id":1,"result":"a keyword argument may not be named like a position ('0')","error":"TypeError"}"#;
    assert_eq!(
        refused(r#"{"method":"f","args":[1],"kwargs":{"0":7},"id":1}"#),
        named
    );
    assert_eq!(
        refused(r#"{"method":"f","kwargs":{"0":7,"1":5},"id":1}"#),
        named
    );
    let args: Vec<String> = (0..=super::MAX_POSITIONAL).map(|i| i.to_string()).collect();
    let text = format!(
        r#"{{"method":"f","args":[{}],"kwargs":{{"b":1}},"id":1}}"#,
        args.join(",")
    );
    assert!(refused(&text).contains("more than 255 positional arguments"));
}

/// The browser's build: a call is positional or named, never both, and
/// named params travel as they are.
#[test]
#[cfg(not(feature = "mixed-params"))]
fn without_mixed_params_a_call_with_both_is_refused_and_named_params_pass_as_they_are() {
    let Incoming::Reply(reply) = incoming(r#"{"method":"f","args":[1],"kwargs":{"b":7},"id":4}"#)
    else {
        panic!("a call with both is answered at once");
    };
    assert_eq!(
        sent(&reply),
        [alloc::format!(
            r#"{{"id":4,"result":"{}","error":"TypeError"}}"#,
            super::NOT_BOTH
        )]
    );
    assert_eq!(
        incoming(r#"{"method":"f","args":[1],"kwargs":{"b":7}}"#),
        Incoming::Nothing
    );
    assert_eq!(
        incoming(r#"{"method":"f","args":[],"kwargs":{"0":7},"id":4}"#),
        frame(r#"{"jsonrpc":"2.0","method":"f","params":{"0":7},"id":4}"#)
    );
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","method":"f","params":{"0":6,"b":7},"id":2}"#),
        [r#"{"method":"f","args":[],"kwargs":{"0":6,"b":7},"id":2}"#]
    );
}

#[test]
fn any_false_error_is_a_success_as_in_the_original() {
    for error in ["null", "false", "0", "-0.0", "\"\"", "[]", "{ }"] {
        let text = format!(r#"{{"id":1,"result":5,"error":{error}}}"#);
        assert_eq!(
            incoming(&text),
            frame(r#"{"jsonrpc":"2.0","result":5,"id":1}"#),
            "{text}"
        );
    }
}

#[test]
fn json_rpc_sent_to_the_legacy_side_goes_to_the_engine_and_bad_invokes_get_nothing() {
    let text = r#"{"jsonrpc":"2.0","method":"Add","params":[1,2],"id":3}"#;
    assert_eq!(incoming(text), Incoming::Frame(Cow::Borrowed(text)));
    assert_eq!(incoming(r#"{"method":5}"#), Incoming::Nothing);
    assert_eq!(incoming(r#"{"method":5,"id":null}"#), Incoming::Nothing);
    let answered = r#"{"method":5,"id":1}"#;
    assert_eq!(incoming(answered), Incoming::Frame(Cow::Borrowed(answered)));
}

#[test]
#[cfg(feature = "mixed-params")]
fn positions_take_the_names_of_the_parameters() {
    let names = ["a", "b"];
    let named = |params| super::name_positions(params, &names);
    assert_eq!(
        named(r#"{"0":6,"1":7}"#),
        Some(Ok(r#"{"a":6,"b":7}"#.into()))
    );
    assert_eq!(
        named(r#"{"b":7,"0":6}"#),
        Some(Ok(r#"{"a":6,"b":7}"#.into()))
    );
    assert_eq!(named(r#"{"a":7}"#), None);
    assert_eq!(named("[1]"), None);
    let err = |params| named(params).unwrap().unwrap_err();
    assert_eq!(
        err(r#"{"0":6,"a":7}"#),
        "got multiple values for argument 'a'"
    );
    assert_eq!(
        err(r#"{"0":6,"c":7}"#),
        "got an unexpected keyword argument 'c'"
    );
    assert_eq!(
        err(r#"{"0":1,"1":2,"2":3}"#),
        "takes at most 2 positional arguments"
    );
    let gap = "positional arguments must be keyed 0, 1, 2, ... once each, without a gap";
    assert_eq!(err(r#"{"0":1,"2":3}"#), gap);
    // Far positions cost nothing: memory follows the members, not the numbers.
    assert_eq!(err(r#"{"0":1,"18446744073709551615":3}"#), gap);
    let many: Vec<String> = (0..=super::MAX_POSITIONAL)
        .map(|i| format!("\"{i}\":1"))
        .collect();
    let many = format!("{{{}}}", many.join(","));
    assert_eq!(err(&many), "more than 255 positional arguments");
    // A key with a leading zero is no position.
    assert_eq!(
        err(r#"{"0":1,"01":3}"#),
        "got an unexpected keyword argument '01'"
    );
}

#[test]
fn args_and_kwargs_of_the_wrong_type_are_a_type_error() {
    assert_eq!(
        incoming(r#"{"method":"Add","args":5,"id":1}"#),
        Incoming::Reply(
            r#"{"jsonrpc":"2.0","error":{"code":-32602,"message":"args must be a list"},"id":1}"#
                .into()
        )
    );
    assert_eq!(
        incoming(r#"{"method":"Add","kwargs":[1],"id":1}"#),
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
            incoming(text),
            Incoming::Frame(Cow::Borrowed(text)),
            "{text}"
        );
    }
}

#[test]
fn responses_become_results_or_errors_that_keep_the_type_name() {
    assert_eq!(
        incoming(r#"{"id": 4, "result": [1], "error": null}"#),
        frame(r#"{"jsonrpc":"2.0","result":[1],"id":4}"#)
    );
    assert_eq!(
        incoming(r#"{"id":6,"result":"float division by zero","error":"ZeroDivisionError"}"#),
        frame(
            r#"{"jsonrpc":"2.0","error":{"code":-32603,"message":"float division by zero","data":{"type":"ZeroDivisionError"}},"id":6}"#
        )
    );
    // A message that is not a string is kept as its JSON text.
    assert_eq!(
        incoming(r#"{"id":6,"result":{"x":1},"error":"E"}"#),
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
    // A name given for an application code; data.type wins over it.
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","error":{"code":7,"message":"m"},"id":1}"#),
        [r#"{"id":1,"result":"m","error":"Custom"}"#]
    );
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","error":{"code":7,"message":"m","data":{"type":"T"}},"id":1}"#),
        [r#"{"id":1,"result":"m","error":"T"}"#]
    );
    assert_eq!(
        sent(r#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}"#),
        [r#"{"id":null,"result":"Parse error","error":"ValueError"}"#]
    );
}
