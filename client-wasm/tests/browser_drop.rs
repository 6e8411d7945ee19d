//! Browser tests: the server closes every connection (`test.dropAll`).
//! A test binary of its own: dropping connections would disturb other tests.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fast_reconnect() -> JsValue {
    obj(&[(
        "reconnect",
        obj(&[("initialDelayMs", 50.into()), ("maxDelayMs", 200.into())]),
    )])
}

#[wasm_bindgen_test]
async fn pending_calls_reject_when_the_server_drops_the_connection_then_it_reconnects() -> TestResult
{
    let rpc = open_client(fast_reconnect()).await?;
    let events = Events::of(&rpc)?;
    rpc.register("ui.add", func("a, b", "return a + b;").into())?;
    let key = unique("drop");
    let pending = call(&rpc, "test.hang", &format!("[{key:?}]"))?;
    wait_started(&rpc, &key).await?;
    // Another client has the server drop every connection.
    let other = open_client(fast_reconnect()).await?;
    ensure_eq!(answer(&other, "test.dropAll", "").await?, "true");
    let e = rejects(&pending, "call pending when the connection dropped").await?;
    expect_code(&e, -32003, "dropped connection")?;
    events.wait("reconnecting", 1).await?;
    let close = events
        .all()
        .into_iter()
        .find(|e| get(e, "type").as_string().as_deref() == Some("close"));
    let close = close.unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&close, "code").as_f64(), Some(1000.0));
    ensure_eq!(get(&close, "willReconnect").as_bool(), Some(true));
    // A call made while reconnecting waits for the new connection.
    // Only microtasks ran since the close event; the reconnect timer has not fired.
    ensure_eq!(rpc.state(), "reconnecting");
    let queued = call(&rpc, "Add", "[20, 22]")?;
    events.wait("open", 1).await?;
    ensure_eq!(rpc.state(), "open");
    ensure_eq!(
        to_json(&resolves(&queued, "call queued while reconnecting").await?),
        "42"
    );
    ensure_eq!(answer(&rpc, "Add", "[1, 2]").await?, "3");
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.add", [2, 3]]"#).await?,
        "5"
    );
    expect_cancelled(&rpc, &key, "the dropped connection's call kept running").await?;
    // The other client reconnects too.
    ensure_eq!(answer(&other, "Add", "[2, 2]").await?, "4");
    rpc.close();
    other.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn without_reconnect_a_drop_closes_the_client_for_good() -> TestResult {
    let rpc = open_client(obj(&[("reconnect", false.into())])).await?;
    let events = Events::of(&rpc)?;
    let key = unique("drop-final");
    let pending = call(&rpc, "test.hang", &format!("[{key:?}]"))?;
    wait_started(&rpc, &key).await?;
    let other = open_client(fast_reconnect()).await?;
    ensure_eq!(answer(&other, "test.dropAll", "").await?, "true");
    expect_code(
        &rejects(&pending, "pending call").await?,
        -32003,
        "dropped connection",
    )?;
    events.wait("close", 1).await?;
    ensure_eq!(rpc.state(), "closed");
    let close = events.all().pop().unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&close, "willReconnect").as_bool(), Some(false));
    expect_code(
        &failure(&rpc, "Add", "[1, 2]").await?,
        -32003,
        "request after the final close",
    )?;
    ensure_eq!(events.types(), vec!["close"]);
    // The server is fine: the other client reconnects.
    ensure_eq!(answer(&other, "Add", "[2, 2]").await?, "4");
    other.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn a_browser_method_answer_from_a_lost_connection_does_not_answer_a_new_call() -> TestResult {
    let rpc = open_client(fast_reconnect()).await?;
    let events = Events::of(&rpc)?;
    // The server calls a browser method that is still working when the
    // connection drops...
    let old = Held::new();
    rpc.register("ui.old", old.method.clone().into())?;
    let lost = call(&rpc, "demo.callback", r#"["ui.old", ["before"]]"#)?;
    resolves(&old.called, "ui.old called").await?;
    let other = open_client(fast_reconnect()).await?;
    ensure_eq!(answer(&other, "test.dropAll", "").await?, "true");
    expect_code(
        &rejects(&lost, "demo.callback when the connection dropped").await?,
        -32003,
        "drop",
    )?;
    events.wait("open", 1).await?;
    // ...and after the reconnect it calls another one.
    let new = Held::new();
    rpc.register("ui.new", new.method.clone().into())?;
    let current = call(&rpc, "demo.callback", r#"["ui.new", ["after"]]"#)?;
    ensure_eq!(
        to_json(&resolves(&new.called, "ui.new called").await?),
        r#"["after"]"#
    );
    // The old method finishes first: its answer belongs to a closed
    // connection and must go nowhere.
    old.answer(&"stale".into())?;
    new.answer(&"fresh".into())?;
    let result = resolves(&current, "demo.callback of ui.new").await?;
    ensure_eq!(to_json(&result), r#""fresh""#);
    rpc.close();
    other.close();
    Ok(())
}
