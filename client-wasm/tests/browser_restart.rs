//! Browser tests: the server restarts (`test.restart`) and clients reconnect.
//! A test binary of its own: a restart would disturb other tests.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use jrpc_client_wasm::JsClient;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Records `(event type, rpc.state)` as each event is dispatched.
type StateLog = Rc<RefCell<Vec<(String, String)>>>;
/// The listener that fills a [`StateLog`]; keep it alive while it listens.
type Listener = Closure<dyn Fn(JsValue)>;

fn record_states(rpc: &Rc<JsClient>) -> Result<(StateLog, Listener), Fail> {
    let log = StateLog::default();
    let weak = Rc::downgrade(rpc);
    let sink = Rc::clone(&log);
    let listener = Listener::new(move |event: JsValue| {
        let state = weak.upgrade().map(|rpc| rpc.state()).unwrap_or_default();
        let kind = get(&event, "type").as_string().unwrap_or_default();
        sink.borrow_mut().push((kind, state));
    });
    for kind in ["open", "close", "reconnecting"] {
        rpc.add_event_listener(kind, listener.as_ref().clone().into())?;
    }
    Ok((log, listener))
}

#[wasm_bindgen_test]
async fn clients_reconnect_after_a_restart_and_keep_their_methods() -> TestResult {
    let options = obj(&[(
        "reconnect",
        obj(&[("initialDelayMs", 50.into()), ("maxDelayMs", 200.into())]),
    )]);
    let rpc = Rc::new(open_client(options).await?);
    let events = Events::of(&rpc)?;
    let (states, _listener) = record_states(&rpc)?;
    rpc.register("ui.add", func("a, b", "return a + b;").into())?;
    rpc.register(
        "ui.slow",
        func("x", "return new Promise(r => setTimeout(() => r(x), 10));").into(),
    )?;
    // This client gives up after two failed attempts; the server stays down longer.
    let quitter = open_client(obj(&[(
        "reconnect",
        obj(&[
            ("initialDelayMs", 20.into()),
            ("maxDelayMs", 40.into()),
            ("maxRetries", 2.into()),
        ]),
    )]))
    .await?;
    let quitter_events = Events::of(&quitter)?;

    let key = unique("restart");
    let pending = call(&rpc, "test.hang", &format!("[{key:?}]"))?;
    wait_started(&rpc, &key).await?;
    ensure_eq!(answer(&rpc, "test.restart", "[300]").await?, "true");

    expect_code(
        &rejects(&pending, "call pending at the restart").await?,
        -32003,
        "restart",
    )?;
    events.wait("reconnecting", 1).await?;
    let first_close = events
        .all()
        .into_iter()
        .find(|e| get(e, "type").as_string().as_deref() == Some("close"));
    let first_close = first_close.unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&first_close, "code").as_f64(), Some(1001.0));
    ensure_eq!(get(&first_close, "willReconnect").as_bool(), Some(true));
    let reconnecting = events
        .all()
        .into_iter()
        .find(|e| get(e, "type").as_string().as_deref() == Some("reconnecting"));
    let reconnecting = reconnecting.unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&reconnecting, "attempt").as_f64(), Some(1.0));
    let delay = get(&reconnecting, "delayMs").as_f64().unwrap_or(-1.0);
    ensure!(
        (25.0..=50.0).contains(&delay),
        "first reconnect delay {delay} is not within 25..=50 ms"
    );
    // Calls made while the server is down wait for the next connection.
    // Only microtasks ran since the close event; the reconnect timer has not fired.
    ensure_eq!(rpc.state(), "reconnecting");
    let queued = call(&rpc, "Multiply", "[6, 7]")?;

    events.wait("open", 1).await?;
    ensure_eq!(rpc.state(), "open");
    ensure_eq!(
        to_json(&resolves(&queued, "call queued while reconnecting").await?),
        "42"
    );
    ensure_eq!(answer(&rpc, "math.sum", "[1, 2]").await?, "3");
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.add", [2, 3]]"#).await?,
        "5"
    );
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.slow", ["later"]]"#).await?,
        r#""later""#
    );
    // The sequence: close, reconnecting, (close, reconnecting)*, open; with
    // the state as each event was dispatched.
    let seen = states.borrow().clone();
    ensure!(seen.len() >= 3, "too few events: {seen:?}");
    ensure_eq!(seen[0], ("close".to_owned(), "reconnecting".to_owned()));
    ensure_eq!(seen[seen.len() - 1], ("open".to_owned(), "open".to_owned()));
    for (kind, state) in &seen[..seen.len() - 1] {
        ensure!(
            kind != "open" && state == "reconnecting",
            "unexpected event before the reopen: {seen:?}"
        );
    }
    ensure!(
        seen.iter().any(|(kind, _)| kind == "reconnecting"),
        "no reconnecting event: {seen:?}"
    );

    // The quitter gave up: closed for good, its calls rejected.
    quitter_events.wait("close", 3).await?;
    ensure_eq!(quitter.state(), "closed");
    ensure_eq!(
        quitter_events.types(),
        vec!["close", "reconnecting", "close", "reconnecting", "close"]
    );
    let last = quitter_events.all().pop().unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&last, "willReconnect").as_bool(), Some(false));
    expect_code(
        &failure(&quitter, "Add", "[1, 2]").await?,
        -32003,
        "request after giving up",
    )?;

    // A fresh client connects as usual.
    let fresh = open_client(JsValue::UNDEFINED).await?;
    ensure_eq!(answer(&fresh, "Add", "[2, 2]").await?, "4");
    fresh.close();
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn ready_rejects_when_no_server_answers_and_reconnect_is_off() -> TestResult {
    // Port 9 (discard) on the loopback: nothing listens there.
    let rpc = construct(
        "ws://127.0.0.1:9/rpc".into(),
        obj(&[("reconnect", false.into())]),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )?;
    let queued = call(&rpc, "Add", "[1, 2]")?;
    expect_code(
        &rejects(&rpc.ready(), "ready without a server").await?,
        -32003,
        "ready",
    )?;
    expect_code(
        &rejects(&queued, "queued call without a server").await?,
        -32003,
        "queued call",
    )?;
    ensure_eq!(rpc.state(), "closed");
    Ok(())
}
