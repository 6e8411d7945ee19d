//! Driving the engine and comparing.

use super::*;

/// Gives `text` to the engine and checks what it does against the model;
/// returns the bytes sent and the number of actions.
pub(super) fn step(
    inbound: &mut Inbound,
    model: &mut Model,
    methods: &Methods<usize>,
    outbound: &mut Outbound<u64>,
    text: &str,
    frame: &Frame<'_>,
) -> (usize, usize) {
    let mut actions = Vec::new();
    inbound.receive(text, methods, &mut actions);
    let n_actions = actions.len();

    let oversize = text.len() > model.config.max_message_size;
    let mut want = Expected::default();
    if oversize {
        model.refuse(frame, text.len(), &mut want);
    } else {
        model.frame(frame, &mut want);
    }
    let ctx = || format!("input {text:?}, {:?}, frame {frame:?}", model.config);

    let mut calls = Vec::new();
    let mut settles = Vec::new();
    let mut aborts = Vec::new();
    let mut replies = Vec::new();
    let mut sent = 0;
    for action in actions {
        match action {
            Action::Call {
                handler,
                method,
                params,
                token,
                ..
            } => {
                assert_eq!(
                    METHODS.get(*handler),
                    Some(&&*method),
                    "handler of {method}"
                );
                calls.push((method.into_owned(), params.map(|p| p.get()), token));
            }
            Action::Settle { id, outcome } => settles.push((id, outcome)),
            Action::Abort(token) => aborts.push(token),
            // Nothing is subscribed here, so nothing is routed.
            Action::Subscription { key, .. } => panic!("routed to subscription {key}"),
            Action::Reply(reply) => {
                sent += reply.len();
                replies.push(read_sent(&reply));
            }
        }
    }

    // -32700 exactly for what serde_json refuses, within the size limit.
    let parse_error = replies.iter().any(|r| {
        matches!(
            r,
            Sent::One(Resp {
                body: Body::Error { code: -32700, .. },
                ..
            })
        )
    });
    assert_eq!(
        parse_error,
        !oversize && matches!(frame, Frame::NotJson),
        "-32700 must answer exactly the invalid JSON: {}",
        ctx()
    );

    assert_eq!(replies, want.replies, "replies: {}", ctx());

    let got_calls: Vec<_> = calls
        .iter()
        .map(|(m, p, t)| (m.as_str(), *p, t.is_some()))
        .collect();
    let want_calls: Vec<_> = want
        .calls
        .iter()
        .map(|(m, p, o)| (m.as_str(), *p, o.is_some()))
        .collect();
    assert_eq!(got_calls, want_calls, "handlers run: {}", ctx());
    for ((_, _, token), (_, _, ordinal)) in calls.iter().zip(&want.calls) {
        if let (Some(token), Some(ordinal)) = (token, ordinal) {
            assert!(
                model.reqs.iter().all(|r| r.token != Some(*token)),
                "a token given twice: {}",
                ctx()
            );
            model.reqs[*ordinal].token = Some(*token);
        }
    }

    let got_aborts: Vec<Option<usize>> = aborts
        .iter()
        .map(|t| model.reqs.iter().position(|r| r.token == Some(*t)))
        .collect();
    let want_aborts: Vec<Option<usize>> = want.aborts.iter().map(|o| Some(*o)).collect();
    assert_eq!(
        got_aborts,
        want_aborts,
        "aborted (by ordinal; ids {:?}): {}",
        model.reqs.iter().map(|r| &r.id).collect::<Vec<_>>(),
        ctx()
    );

    assert_eq!(
        settles.len(),
        want.settles.len(),
        "settled: {settles:?}: {}",
        ctx()
    );
    for ((id, outcome), (want_id, want_outcome)) in settles.iter().zip(&want.settles) {
        assert_eq!(id, want_id, "settled: {}", ctx());
        let agrees = match (outcome, want_outcome) {
            (Ok(raw), Want::Ok(want)) => raw.get() == *want,
            (
                Err(e),
                Want::Err {
                    code,
                    message,
                    data,
                },
            ) => e.code == *code && e.message == *message && e.data_json() == *data,
            (Err(e), Want::Malformed(raw)) => {
                e.code == -32603
                    && e.message
                        .starts_with("Internal error: the peer sent a malformed error object: ")
                    && e.data_json() == Some(*raw)
            }
            _ => false,
        };
        assert!(
            agrees,
            "settled {id} with {outcome:?}, want {want_outcome:?}: {}",
            ctx()
        );
        // The first response for a pending call finds it, a later one nothing.
        let was_pending = model.pending.iter().position(|p| p == id);
        assert_eq!(
            outbound.take(*id).is_some(),
            was_pending.is_some(),
            "{}",
            ctx()
        );
        if let Some(at) = was_pending {
            model.pending.remove(at);
        }
    }
    (sent, n_actions)
}

/// Completes every request the engine ran, in order or in reverse, and
/// checks what each completion sends; returns the bytes sent.
pub(super) fn finish(inbound: &mut Inbound, model: &mut Model, reverse: bool) -> usize {
    let mut order: Vec<usize> = (0..model.reqs.len()).collect();
    if reverse {
        order.reverse();
    }
    let mut sent = 0;
    for ordinal in order {
        let token = model.reqs[ordinal]
            .token
            .expect("the engine ran every request");
        let (result, body) = outcome_for(ordinal);
        let got = complete(inbound, ordinal, token, result).map(|text| {
            sent += text.len();
            read_sent(&text)
        });
        let want = if model.reqs[ordinal].alive {
            model.complete(ordinal, body)
        } else {
            // Cancelled: answered already.
            None
        };
        assert_eq!(
            got, want,
            "completing request {ordinal} ({:?})",
            model.config
        );
        assert!(
            inbound.complete(token, Ok(RawBuf::null())).is_none(),
            "request {ordinal} answered twice"
        );
    }
    assert_eq!(inbound.in_flight(), 0, "requests left in flight");
    assert!(
        model.batches.iter().all(|b| b.done),
        "model: a batch never finished"
    );
    sent
}

/// Completes request `ordinal` with `result` in the way its ordinal picks:
/// as a value ([`Inbound::complete`]), or written into the reply
/// ([`Inbound::complete_with`], as a handler that is ready at once), the
/// latter after a first try whose handler is not ready, which must change
/// nothing. Both ways must send the same.
fn complete(
    inbound: &mut Inbound,
    ordinal: usize,
    token: CallToken,
    result: HandlerResult,
) -> Option<String> {
    if ordinal % 2 == 0 {
        return inbound.complete(token, result);
    }
    let in_flight = inbound.in_flight();
    let later = inbound.complete_with(token, |out| {
        out.push_str("not sent");
        Answer::Later(ordinal)
    });
    assert!(
        matches!(later, Completion::Later(o) if o == ordinal),
        "a handler that is not ready answers nothing"
    );
    assert_eq!(inbound.in_flight(), in_flight, "still in flight");
    let mut ran = false;
    let done = inbound.complete_with(token, |out| {
        ran = true;
        match result {
            Ok(raw) => {
                out.push_str(raw.get());
                Answer::Written
            }
            Err(error) => {
                out.push_str("not sent");
                Answer::Failed(error)
            }
        }
    });
    // Also for a request answered already: its handler runs all the same.
    assert!(ran, "the handler of request {ordinal} did not run");
    match done {
        Completion::Done(reply) => reply,
        Completion::Later(()) => panic!("request {ordinal} answered later"),
    }
}
