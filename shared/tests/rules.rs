//! The rules beyond the specification's examples: ids, params, reserved names,
//! non-finite numbers, cancellation, limits and outgoing calls.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{exchange, json, spec_methods};
use jrpc_shared::handler::{AsyncFn, DynHandler, SyncFn};
use jrpc_shared::{Action, ErrorObject, Inbound, Methods, Outbound, RawBuf};
use serde_json::json;

/// A table with one method, `slow`, whose handler never finishes.
fn slow_methods() -> Methods<DynHandler<()>> {
    let mut m: Methods<DynHandler<()>> = Methods::new();
    let never = |_: (), (): ()| std::future::pending::<Result<u8, ErrorObject>>();
    m.insert("slow", Box::new(AsyncFn::new(never))).unwrap();
    m
}

fn reply(request: &str) -> serde_json::Value {
    let sent = exchange(&spec_methods(), request);
    assert_eq!(sent.len(), 1, "{request} → {sent:?}");
    json(&sent[0])
}

#[test]
fn ids_round_trip_as_written() {
    for id in [
        "-7",
        "1.5",
        "123456789012345678901234567890",
        "1e400",
        r#""abc""#,
        r#""""#,
        "0",
    ] {
        let text = format!(r#"{{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":{id}}}"#);
        let sent = exchange(&spec_methods(), &text);
        assert_eq!(
            sent,
            vec![format!(r#"{{"jsonrpc":"2.0","result":2,"id":{id}}}"#)]
        );
    }
}

#[test]
fn null_id_is_answered() {
    assert_eq!(
        reply(r#"{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":null}"#),
        json!({"jsonrpc":"2.0","result":2,"id":null})
    );
}

#[test]
fn id_of_another_type_is_invalid_with_null_id() {
    for id in ["true", "[1]", r#"{"x":1}"#] {
        let text = format!(r#"{{"jsonrpc":"2.0","method":"subtract","params":[3,1],"id":{id}}}"#);
        assert_eq!(
            reply(&text),
            json!({"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid Request"},"id":null})
        );
    }
}

#[test]
fn not_a_request_object() {
    for text in [
        "1",
        "null",
        r#""x""#,
        r#"{"method": 1}"#,
        "true",
        r#"{"jsonrpc":"2.0"}"#,
    ] {
        assert_eq!(reply(text)["error"]["code"], -32600, "{text}");
    }
}

#[test]
fn params_must_be_array_or_object() {
    for params in ["3", r#""a""#, "null", "true"] {
        let text = format!(r#"{{"jsonrpc":"2.0","method":"sum","params":{params},"id":1}}"#);
        assert_eq!(reply(&text)["error"]["code"], -32600, "{params}");
    }
}

#[test]
fn wrong_version_is_invalid() {
    for v in [r#""1.0""#, "2.0", "null"] {
        let text = format!(r#"{{"jsonrpc":{v},"method":"sum","params":[1],"id":1}}"#);
        let r = reply(&text);
        assert_eq!(r["error"]["code"], -32600, "{v}");
        assert_eq!(r["id"], 1);
    }
    let r = reply(r#"{"method":"sum","params":[1],"id":1}"#);
    assert_eq!(r["error"]["code"], -32600);
}

#[test]
fn wrong_param_types_say_what_was_expected() {
    let r = reply(r#"{"jsonrpc":"2.0","method":"subtract","params":["a",1],"id":1}"#);
    assert_eq!(r["error"]["code"], -32602);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expected i64"),
        "{r}"
    );
    let r = reply(r#"{"jsonrpc":"2.0","method":"subtract","params":{"minuend":1},"id":1}"#);
    assert_eq!(r["error"]["code"], -32602);
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("subtrahend"),
        "{r}"
    );
}

#[test]
fn reserved_names_are_not_found_and_cannot_be_registered() {
    let r = reply(r#"{"jsonrpc":"2.0","method":"rpc.discover","id":1}"#);
    assert_eq!(r["error"]["code"], -32601);
    let mut m: Methods<()> = Methods::new();
    assert!(m.insert("rpc.x", ()).is_err());
    assert!(m.insert("$/cancelRequest", ()).is_err());
    m.insert("x", ()).unwrap();
    assert!(m.insert("x", ()).is_err());
}

#[test]
fn non_finite_results_are_errors() {
    let mut m: Methods<DynHandler<()>> = Methods::new();
    m.insert(
        "nan",
        Box::new(SyncFn::new(|_: (), (): ()| Ok::<_, ErrorObject>(f64::NAN))),
    )
    .unwrap();
    m.insert(
        "inf",
        Box::new(SyncFn::new(|_: (), (): ()| {
            Ok::<_, ErrorObject>(vec![1.0, f64::INFINITY])
        })),
    )
    .unwrap();
    for method in ["nan", "inf"] {
        let sent = exchange(
            &m,
            &format!(r#"{{"jsonrpc":"2.0","method":"{method}","id":1}}"#),
        );
        let r = json(&sent[0]);
        assert_eq!(r["error"]["code"], -32603, "{r}");
        assert!(
            !sent[0].contains("NaN") && !sent[0].contains("Infinity")
                || r["error"]["message"].is_string()
        );
        assert!(r.get("result").is_none());
    }
}

#[test]
fn duplicate_keys_are_invalid() {
    let r = reply(r#"{"jsonrpc":"2.0","method":"sum","method":"sum","params":[1],"id":1}"#);
    assert_eq!(r["error"]["code"], -32600);
}

/// A pending handler is cancelled by `$/cancelRequest`: the engine answers -32800 and tells the driver to drop it.
#[test]
fn cancel_request_answers_and_aborts() {
    let m = slow_methods();
    let mut inbound = Inbound::new(8);
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","method":"slow","id":"s1"}"#,
        &m,
        &mut actions,
    );
    let token = match actions.pop() {
        Some(Action::Call { token: Some(t), .. }) => t,
        _ => panic!("expected a call"),
    };
    assert_eq!(inbound.in_flight(), 1);
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"s1"}}"#,
        &m,
        &mut actions,
    );
    let mut replied = None;
    let mut aborted = None;
    for a in actions {
        match a {
            Action::Reply(t) => replied = Some(json(&t)),
            Action::Abort(t) => aborted = Some(t),
            _ => panic!("unexpected action"),
        }
    }
    assert_eq!(
        replied.unwrap(),
        json!({"jsonrpc":"2.0","error":{"code":-32800,"message":"Request cancelled"},"id":"s1"})
    );
    assert_eq!(aborted, Some(token));
    assert_eq!(inbound.in_flight(), 0);
    // The handler finishing late changes nothing: exactly one response per request.
    assert!(inbound.complete(token, Ok(RawBuf::null())).is_none());
}

#[test]
fn over_the_in_flight_limit_is_busy() {
    let m = slow_methods();
    let mut inbound = Inbound::new(2);
    let texts: Vec<String> = (1..=3)
        .map(|id| format!(r#"{{"jsonrpc":"2.0","method":"slow","id":{id}}}"#))
        .collect();
    let mut actions = Vec::new();
    for text in &texts {
        inbound.receive(text, &m, &mut actions);
    }
    let replies: Vec<_> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Reply(t) => Some(json(t)),
            _ => None,
        })
        .collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["error"]["code"], -32000);
    assert_eq!(replies[0]["id"], 3);
}

#[test]
fn batch_reply_waits_for_its_slowest_member() {
    let m = slow_methods();
    let mut inbound = Inbound::new(8);
    let mut actions = Vec::new();
    inbound.receive(
        r#"[{"jsonrpc":"2.0","method":"slow","id":1},{"jsonrpc":"2.0","method":"nope","id":2},{"jsonrpc":"2.0","method":"slow","id":3}]"#,
        &m,
        &mut actions,
    );
    let tokens: Vec<_> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Call { token, .. } => *token,
            Action::Reply(_) => panic!("batch replied early"),
            _ => None,
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    assert!(inbound.complete(tokens[1], Ok(RawBuf::null())).is_none());
    let text = inbound.complete(tokens[0], Ok(RawBuf::null())).unwrap();
    let v = json(&text);
    assert_eq!(v.as_array().unwrap().len(), 3);
}

#[test]
fn responses_settle_pending_calls_once() {
    let mut out: Outbound<&str> = Outbound::new();
    let (id, _) = out.request("x", None, "w").unwrap();
    let m: Methods<()> = Methods::new();
    let mut inbound = Inbound::new(8);
    let text = format!(r#"{{"jsonrpc":"2.0","result":{{"ok":true}},"id":{id}}}"#);
    for round in 0..2 {
        let mut actions = Vec::new();
        inbound.receive(&text, &m, &mut actions);
        assert_eq!(actions.len(), 1);
        let Action::Settle { id: got, outcome } = &actions[0] else {
            panic!()
        };
        assert_eq!(outcome.as_ref().unwrap().get(), r#"{"ok":true}"#);
        // The first response finds the waiter, the duplicate finds nothing.
        assert_eq!(out.take(*got), if round == 0 { Some("w") } else { None });
    }
    // Responses with ids this side never allocates are ignored without a reply.
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","result":1,"id":"zz"}"#,
        &m,
        &mut actions,
    );
    assert!(actions.is_empty());
}

#[test]
fn outgoing_cancel_and_close() {
    let mut out: Outbound<u8> = Outbound::new();
    let (a, _) = out.request("a", None, 1).unwrap();
    let (_b, _) = out.request("b", None, 2).unwrap();
    let (w, text) = out.cancel(a).unwrap();
    assert_eq!(w, 1);
    assert_eq!(
        json(&text),
        json!({"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":a}})
    );
    assert!(out.cancel(a).is_none());
    assert_eq!(out.close(), vec![2]);
    assert!(out.request("c", None, 3).is_err());
}

#[test]
fn refused_calls_get_the_refusal_and_running_ones_finish() {
    let m = slow_methods();
    let mut inbound = Inbound::new(8);
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","method":"slow","id":1}"#,
        &m,
        &mut actions,
    );
    let Some(Action::Call {
        token: Some(token), ..
    }) = actions.pop()
    else {
        panic!("expected a call")
    };
    inbound.refuse_new_calls(ErrorObject::new(-32000, "Server shutting down"));
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","method":"slow","id":2}"#,
        &m,
        &mut actions,
    );
    inbound.receive(r#"{"jsonrpc":"2.0","method":"slow"}"#, &m, &mut actions);
    assert_eq!(actions.len(), 1);
    let Action::Reply(text) = &actions[0] else {
        panic!("expected a reply")
    };
    assert_eq!(
        json(text),
        json!({"jsonrpc":"2.0","error":{"code":-32000,"message":"Server shutting down"},"id":2})
    );
    let done = inbound.complete(token, Ok(RawBuf::null())).unwrap();
    assert_eq!(json(&done)["id"], 1);
}

/// A `$/cancelRequest` inside a batch must not finish the batch early: every
/// other member still gets its answer, in the same reply.
#[test]
fn cancel_inside_a_batch_keeps_every_answer() {
    let m = slow_methods();
    let mut inbound = Inbound::new(8);
    let mut actions = Vec::new();
    inbound.receive(
        r#"[{"jsonrpc":"2.0","method":"slow","id":1},
            {"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1},"id":9},
            {"jsonrpc":"2.0","method":"slow","id":2},
            {"jsonrpc":"2.0","method":"nope","id":3}]"#,
        &m,
        &mut actions,
    );
    let mut pending = Vec::new();
    for action in actions {
        match action {
            Action::Call { token: Some(t), .. } => pending.push(t),
            Action::Reply(text) => panic!("the batch replied before id 2 finished: {text}"),
            _ => {}
        }
    }
    assert_eq!(pending.len(), 2);
    // Id 1 was cancelled: its late completion is ignored; id 2 completes the batch.
    assert!(inbound.complete(pending[0], Ok(RawBuf::null())).is_none());
    let reply = json(&inbound.complete(pending[1], Ok(RawBuf::null())).unwrap());
    let mut codes: Vec<(String, i64)> = reply
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].to_string(),
                r["error"]["code"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        vec![
            ("1".into(), -32800),
            ("2".into(), 0),
            ("3".into(), -32601),
            ("9".into(), 0)
        ]
    );
}

#[test]
fn an_over_long_batch_gets_one_error() {
    let m = slow_methods();
    let mut inbound = Inbound::new(8).with_max_batch_len(3);
    let mut actions = Vec::new();
    inbound.receive("[1,2,3,4,5]", &m, &mut actions);
    let [Action::Reply(text)] = actions.as_slice() else {
        panic!("expected one reply")
    };
    let reply = json(text);
    assert_eq!(reply["id"], serde_json::Value::Null);
    assert_eq!(reply["error"]["code"], -32600);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 3"),
        "{reply}"
    );
    // At the limit it is an ordinary batch.
    let mut actions = Vec::new();
    inbound.receive("[1,2,3]", &m, &mut actions);
    let [Action::Reply(text)] = actions.as_slice() else {
        panic!("expected one reply")
    };
    assert_eq!(json(text).as_array().unwrap().len(), 3);
}

/// Replies and settled ids of one frame given to `inbound`.
fn replies_and_settled(inbound: &mut Inbound, text: &str) -> (Vec<String>, Vec<(u64, i64)>) {
    let m = slow_methods();
    let mut actions = Vec::new();
    inbound.receive(text, &m, &mut actions);
    let mut replies = Vec::new();
    let mut settled = Vec::new();
    for action in actions {
        match action {
            Action::Reply(text) => replies.push(text),
            Action::Settle { id, outcome } => settled.push((id, outcome.unwrap_err().code)),
            Action::Call { .. } | Action::Abort(_) | Action::Subscription { .. } => {
                panic!("an over-sized frame ran something")
            }
        }
    }
    (replies, settled)
}

#[test]
fn an_oversized_frame_is_refused_without_a_reply_per_member() {
    let single = r#"{"jsonrpc":"2.0","method":"x","id":"a"}"#;
    let mut inbound = Inbound::new(8).with_max_message_size(single.len() - 1);
    let (replies, settled) = replies_and_settled(&mut inbound, single);
    assert!(settled.is_empty());
    let [reply] = replies.as_slice() else {
        panic!("{replies:?}")
    };
    let reply = json(reply);
    assert_eq!(reply["id"], "a");
    assert_eq!(reply["error"]["code"], -32001);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("the limit is 38 bytes")
    );

    let batch = r#"[{"jsonrpc":"2.0","method":"x","id":1},1,{"jsonrpc":"2.0","result":5,"id":7}]"#;
    let (replies, settled) = replies_and_settled(&mut inbound, batch);
    let [reply] = replies.as_slice() else {
        panic!("{replies:?}")
    };
    let reply = json(reply);
    assert_eq!(reply["id"], serde_json::Value::Null);
    assert_eq!(reply["error"]["code"], -32001);
    assert_eq!(settled, vec![(7, -32001)]);

    let notification = r#"{"jsonrpc":"2.0","method":"xxxxxxxxxxx"}"#;
    let (replies, settled) = replies_and_settled(&mut inbound, notification);
    assert!(replies.is_empty() && settled.is_empty());
    // At the limit it is read as usual.
    let mut inbound = Inbound::new(8).with_max_message_size(single.len());
    let (replies, _) = replies_and_settled(&mut inbound, single);
    assert_eq!(json(&replies[0])["error"]["code"], -32601);
}

#[test]
fn a_binary_frame_gets_a_parse_error() {
    let mut inbound = Inbound::new(8);
    let mut actions: Vec<Action<'_, '_, ()>> = Vec::new();
    inbound.receive_binary(&mut actions);
    let [Action::Reply(text)] = actions.as_slice() else {
        panic!("expected one reply")
    };
    let reply = json(text);
    assert_eq!(reply["id"], serde_json::Value::Null);
    assert_eq!(reply["error"]["code"], -32700);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("text frames")
    );
}

#[test]
fn a_batch_of_cancels_reaches_every_call_through_the_index() {
    let m = slow_methods();
    let mut inbound = Inbound::new(2048);
    let calls: Vec<String> = (0..1024)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","method":"slow","id":{i}}}"#))
        .collect();
    let mut actions = Vec::new();
    inbound.receive(&format!("[{}]", calls.join(",")), &m, &mut actions);
    assert_eq!(inbound.in_flight(), 1024);
    let cancels: Vec<String> = (0..1024)
        .rev()
        .map(|i| format!(r#"{{"jsonrpc":"2.0","method":"$/cancelRequest","params":{{"id":{i}}}}}"#))
        .collect();
    let cancels = format!("[{}]", cancels.join(","));
    let mut actions = Vec::new();
    inbound.receive(&cancels, &m, &mut actions);
    let aborts = actions
        .iter()
        .filter(|a| matches!(a, Action::Abort(_)))
        .count();
    assert_eq!(aborts, 1024);
    assert_eq!(inbound.in_flight(), 0);
    // The first batch's reply went out with the last cancel: 1024 x -32800.
    let replies: Vec<&String> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Reply(text) => Some(text),
            _ => None,
        })
        .collect();
    let [reply] = replies.as_slice() else {
        panic!("{} replies", replies.len())
    };
    let reply = json(reply);
    let answers = reply.as_array().unwrap();
    assert_eq!(answers.len(), 1024);
    assert!(answers.iter().all(|a| a["error"]["code"] == -32800));
    // The index follows calls that start after it was built.
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","method":"slow","id":"late"}"#,
        &m,
        &mut actions,
    );
    let mut actions = Vec::new();
    inbound.receive(
        r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":["late"]}"#,
        &m,
        &mut actions,
    );
    assert!(actions.iter().any(|a| matches!(a, Action::Abort(_))));
    assert_eq!(inbound.in_flight(), 0);
}

#[test]
fn a_method_without_params_takes_empty_ones() {
    for params in ["[]", "{}", "[ ]", "{\n}"] {
        let request =
            format!(r#"{{"jsonrpc":"2.0","method":"get_data","params":{params},"id":1}}"#);
        assert_eq!(reply(&request)["result"], json!(["hello", 5]), "{params}");
    }
    // Non-empty params are still refused.
    let refused = reply(r#"{"jsonrpc":"2.0","method":"get_data","params":[1],"id":1}"#);
    assert_eq!(refused["error"]["code"], -32602);
}
