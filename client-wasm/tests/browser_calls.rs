//! Browser tests: requests, notifications, calls queued before the socket
//! opens, the `state` getter, and params the client must refuse.
//! Run with `cargo xtask test` (needs jrpc-test-server and a headless Chrome).

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use js_sys::{Array, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn positional_and_named_params() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    ensure_eq!(answer(&rpc, "math.sum", "[1, 2]").await?, "3");
    ensure_eq!(answer(&rpc, "math.sum", r#"{"x": 1, "y": 2}"#).await?, "3");
    ensure_eq!(answer(&rpc, "Add", "[5, 10]").await?, "15");
    ensure_eq!(answer(&rpc, "Add", r#"{"a": 5, "b": 10}"#).await?, "15");
    ensure_eq!(answer(&rpc, "Subtract", "[5, 10]").await?, "-5");
    ensure_eq!(answer(&rpc, "Multiply", "[2.5, 4]").await?, "10");
    ensure_eq!(answer(&rpc, "Divide", "[1, 4]").await?, "0.25");
    ensure_eq!(
        answer(&rpc, "demo.echo", r#"{"k": [1, "two", null]}"#).await?,
        r#"{"k":[1,"two",null]}"#
    );
    // No params at all: `demo.echo` answers null.
    ensure_eq!(answer(&rpc, "demo.echo", "").await?, "null");
    // An options object as third argument is read as options, not as kwargs.
    let p = call_with(
        &rpc,
        "math.sum",
        "[20, 22]",
        obj(&[("timeoutMs", 5000.into())]),
    )?;
    ensure_eq!(to_json(&resolves(&p, "math.sum with options").await?), "42");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn many_concurrent_requests_each_get_their_own_answer() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let promises: Vec<Promise> = (0..50)
        .map(|i| call(&rpc, "Add", &format!("[{i}, 1000]")))
        .collect::<Result<_, _>>()?;
    let all = resolves(
        &Promise::all(&promises.iter().collect::<Array>()),
        "50 requests",
    )
    .await?;
    let expected: Vec<String> = (0..50).map(|i| (i + 1000).to_string()).collect();
    let got: Vec<String> = Array::from(&all).iter().map(|v| to_json(&v)).collect();
    ensure_eq!(got, expected);
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn notifications_arrive_and_get_no_reply() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    // The server acts on a notification to demo.callback by calling this
    // browser method back, which proves the notification arrived.
    let seen = Deferred::new();
    rpc.register("ui.seen", seen.resolve.clone().into())?;
    rpc.invoke(
        "demo.callback".into(),
        json(r#"["ui.seen", ["via invoke"]]"#),
    )?;
    ensure_eq!(
        to_json(&resolves(&seen.promise, "ui.seen after invoke").await?),
        r#""via invoke""#
    );
    let again = Deferred::new();
    rpc.register("ui.seen", again.resolve.clone().into())?;
    rpc.notify(
        "demo.callback".into(),
        json(r#"{"method": "ui.seen", "params": ["via notify"]}"#),
    )?;
    ensure_eq!(
        to_json(&resolves(&again.promise, "ui.seen after notify").await?),
        r#""via notify""#
    );
    // A notification gets no reply: the next request's answer is its own.
    rpc.notify("demo.echo".into(), json("[1]"))?;
    rpc.invoke("no.such.method".into(), JsValue::UNDEFINED)?;
    ensure_eq!(
        answer(&rpc, "demo.echo", r#"["after"]"#).await?,
        r#"["after"]"#
    );
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn calls_made_before_the_socket_opens_are_queued_and_sent() -> TestResult {
    let rpc = client(JsValue::UNDEFINED)?;
    ensure_eq!(rpc.state(), "connecting");
    let seen = Deferred::new();
    rpc.register("ui.queued", seen.resolve.clone().into())?;
    let first = call(&rpc, "math.sum", "[1, 2]")?;
    rpc.notify(
        "demo.callback".into(),
        json(r#"["ui.queued", ["queued notification"]]"#),
    )?;
    let second = batch(
        &rpc,
        r#"b.request("Add", [2, 2]); b.request("Multiply", [3, 3]);"#,
        JsValue::UNDEFINED,
    )?;
    let third = call(&rpc, "Subtract", "[10, 1]")?;
    // Still connecting: these cannot have been answered yet.
    ensure!(
        settled_now(&first).await?.is_none(),
        "a queued call settled before the socket opened"
    );
    ensure_eq!(to_json(&resolves(&first, "queued request").await?), "3");
    ensure_eq!(to_json(&resolves(&second, "queued batch").await?), "[4,9]");
    ensure_eq!(to_json(&resolves(&third, "queued request").await?), "9");
    ensure_eq!(
        to_json(&resolves(&seen.promise, "queued notification").await?),
        r#""queued notification""#
    );
    ensure_eq!(rpc.state(), "open");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn the_queue_is_bounded() -> TestResult {
    let rpc = client(obj(&[("maxQueued", 2.into())]))?;
    let a = call(&rpc, "Add", "[1, 1]")?;
    let b = call(&rpc, "Add", "[2, 2]")?;
    let c = call(&rpc, "Add", "[3, 3]")?;
    let e = rejects(&c, "third queued call").await?;
    expect_code(&e, -32004, "queue full")?;
    let r = rpc.notify("demo.echo".into(), json("[1]"));
    match r {
        Err(e) => expect_code(&e, -32004, "queued notification over the limit")?,
        Ok(()) => {
            return Err(Fail(
                "a notification over the queue limit was accepted".into(),
            ));
        }
    }
    ensure_eq!(to_json(&resolves(&a, "first").await?), "2");
    ensure_eq!(to_json(&resolves(&b, "second").await?), "4");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn state_goes_connecting_open_closed() -> TestResult {
    let rpc = client(JsValue::UNDEFINED)?;
    ensure_eq!(rpc.url(), url()?);
    ensure_eq!(rpc.state(), "connecting");
    let events = Events::of(&rpc)?;
    resolves(&rpc.ready(), "ready").await?;
    ensure_eq!(rpc.state(), "open");
    events.wait("open", 1).await?;
    // A listener that was removed is not called.
    let removed = Events::of(&rpc)?;
    rpc.remove_event_listener("close", removed.listener.clone());
    rpc.close();
    ensure_eq!(rpc.state(), "closed");
    events.wait("close", 1).await?;
    let close = events.all().pop().unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&close, "willReconnect").as_bool(), Some(false));
    ensure_eq!(removed.types(), Vec::<String>::new());
    ensure_eq!(events.types(), vec!["open", "close"]);
    // Closing twice is harmless and emits nothing more.
    rpc.close();
    ensure_eq!(events.types(), vec!["open", "close"]);
    // An unknown event type is refused.
    expect_type_error(
        rpc.add_event_listener("message", func("", "")),
        "addEventListener(\"message\")",
    )?;
    Ok(())
}

#[wasm_bindgen_test]
async fn params_that_json_rpc_cannot_carry_are_type_errors() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let none = JsValue::UNDEFINED;
    // Named params with a mistyped option: refused, not sent as other params.
    let r = rpc.request(
        "math.sum".into(),
        obj(&[("x", 1.into()), ("y", 2.into())]),
        obj(&[("timeout", 5.into())]),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "request with an unknown option")?;
    let nan = Array::of2(&JsValue::from_f64(f64::NAN), &1.into());
    let r = rpc.request(
        "math.sum".into(),
        nan.clone().into(),
        none.clone(),
        none.clone(),
        none.clone(),
    );
    let message = expect_type_error(r, "request with NaN")?;
    ensure!(
        message.contains("NaN"),
        "the message should name NaN: {message}"
    );
    let named = obj(&[("x", JsValue::from_f64(f64::INFINITY)), ("y", 1.into())]);
    let r = rpc.request(
        "math.sum".into(),
        named,
        none.clone(),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "request with Infinity")?;
    expect_type_error(
        rpc.invoke("demo.echo".into(), nan.into()),
        "invoke with NaN",
    )?;
    // BigInt and cycles cannot be JSON either.
    let big = func("", "return [10n];").call0(&JsValue::UNDEFINED)?;
    let r = rpc.request(
        "demo.echo".into(),
        big,
        none.clone(),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "request with a BigInt")?;
    let cycle = func("", "const o = {}; o.self = o; return o;").call0(&JsValue::UNDEFINED)?;
    expect_type_error(rpc.notify("demo.echo".into(), cycle), "notify with a cycle")?;
    // Params must be an array or an object.
    let r = rpc.request(
        "demo.echo".into(),
        5.into(),
        none.clone(),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "request with a number as params")?;
    expect_type_error(
        rpc.notify("demo.echo".into(), "text".into()),
        "notify with a string as params",
    )?;
    // Both positional and named params: JSON-RPC has no such thing.
    let cb = func("", "").into();
    let r = rpc.request(
        "math.sum".into(),
        json("[1]"),
        json(r#"{"a": 1}"#),
        cb,
        none.clone(),
    );
    expect_type_error(r, "request(m, [1], {a: 1}, cb)")?;
    let r = rpc.request(
        "math.sum".into(),
        json("[1]"),
        json(r#"{"a": 1}"#),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "request(m, [1], {a: 1})")?;
    // Bad option values.
    let r = rpc.request(
        "math.sum".into(),
        json("[1, 2]"),
        obj(&[("timeoutMs", (-1).into())]),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "timeoutMs: -1")?;
    let r = rpc.request(
        "math.sum".into(),
        json("[1, 2]"),
        obj(&[("signal", 1.into())]),
        none.clone(),
        none.clone(),
    );
    expect_type_error(r, "signal: 1")?;
    expect_type_error(rpc.register("ui.x", 5.into()), "register a non-function")?;
    expect_type_error(
        rpc.register("rpc.reserved", func("", "").into()),
        "register rpc.*",
    )?;
    // The client still works after all that.
    ensure_eq!(answer(&rpc, "math.sum", "[1, 2]").await?, "3");
    // A bad constructor call.
    let r = construct(5.into(), none.clone(), none.clone(), none.clone()).map(|_| ());
    expect_type_error(r, "new JRPC.WebSocket(5)")?;
    let r = construct(
        url()?.into(),
        obj(&[("timeoutMs", "soon".into())]),
        none.clone(),
        none,
    )
    .map(|_| ());
    expect_type_error(r, "timeoutMs: \"soon\"")?;
    rpc.close();
    Ok(())
}
