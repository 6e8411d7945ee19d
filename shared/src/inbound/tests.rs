//! The engine's own unit tests of `Inbound` (the protocol contract is in
//! `shared/tests/`).

use super::*;

/// The `$/cancelRequest` path, which goes through the index of the
/// peer's ids (a hash map with `std`, a sorted table without): built from the
/// calls in flight at the first cancel, kept up to date after it.
#[test]
fn cancel_finds_calls_registered_before_and_after_the_index() {
    let mut methods = Methods::new();
    methods.insert("m", ()).unwrap();
    let mut inbound = Inbound::new(8);
    let call = |inbound: &mut Inbound, text: &str| {
        let mut actions = Vec::new();
        inbound.receive(text, &methods, &mut actions);
        actions
            .into_iter()
            .map(|action| match action {
                Action::Call { token, .. } => format!("call {:?}", token.map(|t| t.0)),
                Action::Reply(text) => text,
                Action::Abort(token) => format!("abort {}", token.0),
                Action::Settle { id, .. } => format!("settle {id}"),
                Action::Subscription { key, .. } => format!("subscription {key}"),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        call(&mut inbound, r#"{"jsonrpc":"2.0","method":"m","id":1}"#),
        ["call Some(0)"]
    );
    assert_eq!(
        call(&mut inbound, r#"{"jsonrpc":"2.0","method":"m","id":"b"}"#),
        ["call Some(1)"]
    );
    let cancel = |id: &str| {
        format!(r#"{{"jsonrpc":"2.0","method":"$/cancelRequest","params":{{"id":{id}}}}}"#)
    };
    assert_eq!(
        call(&mut inbound, &cancel("1")),
        [
            r#"{"jsonrpc":"2.0","error":{"code":-32800,"message":"Request cancelled"},"id":1}"#,
            "abort 0"
        ]
    );
    assert_eq!(inbound.complete(CallToken(0), Ok(RawBuf::null())), None);
    // Unknown now, and never seen.
    assert!(call(&mut inbound, &cancel("1")).is_empty());
    assert!(call(&mut inbound, &cancel("2")).is_empty());
    // Registered after the index was built.
    assert_eq!(
        call(&mut inbound, r#"{"jsonrpc":"2.0","method":"m","id":3}"#),
        ["call Some(2)"]
    );
    assert_eq!(call(&mut inbound, &cancel("3")).len(), 2);
    // In the index from the start, answered normally.
    assert_eq!(
        inbound
            .complete(CallToken(1), Ok(RawBuf::null()))
            .as_deref(),
        Some(r#"{"jsonrpc":"2.0","result":null,"id":"b"}"#)
    );
    assert!(call(&mut inbound, &cancel(r#""b""#)).is_empty());
    assert_eq!(inbound.in_flight(), 0);
}

/// A batch answered out of order, one request at once with
/// `complete_with` and the others later: the reply gathers them all
/// (run with and without `std`, so on both kinds of table).
#[test]
fn a_batch_reply_gathers_answers_given_in_any_order() {
    let mut methods = Methods::new();
    methods.insert("m", ()).unwrap();
    let mut inbound = Inbound::new(8);
    let mut actions = Vec::new();
    let frame = r#"[{"jsonrpc":"2.0","method":"m","id":"a"},{"jsonrpc":"2.0","method":"m","id":2},{"jsonrpc":"2.0","method":"m"},{"jsonrpc":"2.0","method":"m","id":3}]"#;
    inbound.receive(frame, &methods, &mut actions);
    let tokens: Vec<CallToken> = actions
        .into_iter()
        .filter_map(|action| match action {
            Action::Call { token, .. } => token,
            _ => None,
        })
        .collect();
    let [a, two, three] = tokens[..] else {
        panic!("three requests, got {tokens:?}");
    };
    assert_eq!(inbound.in_flight(), 3);
    assert_eq!(inbound.complete(three, Ok(RawBuf::null())), None);
    let now = inbound.complete_with(two, |out: &mut String| {
        out.push('2');
        Answer::<()>::Written
    });
    assert!(matches!(now, Completion::Done(None)));
    let last = inbound.complete(a, Err(ErrorObject::request_cancelled()));
    assert_eq!(
        last.as_deref(),
        Some(concat!(
            r#"[{"jsonrpc":"2.0","result":null,"id":3},"#,
            r#"{"jsonrpc":"2.0","result":2,"id":2},"#,
            r#"{"jsonrpc":"2.0","error":{"code":-32800,"message":"Request cancelled"},"id":"a"}]"#
        ))
    );
    assert_eq!(inbound.in_flight(), 0);
    assert_eq!(inbound.complete(a, Ok(RawBuf::null())), None);
}
