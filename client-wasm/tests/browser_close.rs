//! Browser tests: `rpc.close()` ends the client for good.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn hang_params(key: &str) -> String {
    format!("[{key:?}]")
}

#[wasm_bindgen_test]
async fn close_rejects_waiting_calls_and_later_ones_and_does_not_reconnect() -> TestResult {
    let rpc = open_client(obj(&[(
        "reconnect",
        obj(&[("initialDelayMs", 10.into()), ("maxDelayMs", 20.into())]),
    )]))
    .await?;
    let events = Events::of(&rpc)?;
    let key = unique("close");
    let pending = call(&rpc, "test.hang", &hang_params(&key))?;
    wait_started(&rpc, &key).await?;
    rpc.close();
    ensure_eq!(rpc.state(), "closed");
    // Rejected during close() itself.
    match settled_now(&pending).await? {
        Some(Err(e)) => expect_code(&e, -32003, "call pending at close")?,
        other => {
            return Err(Fail(format!(
                "a call pending at close() was not rejected at once: {other:?}"
            )));
        }
    }
    let later = call(&rpc, "Add", "[1, 2]")?;
    expect_code(
        &rejects(&later, "request after close").await?,
        -32003,
        "request after close",
    )?;
    let batch = rpc.batch(
        func("b", r#"b.request("Add", [1, 2]);"#),
        JsValue::UNDEFINED,
    )?;
    expect_code(
        &rejects(&batch, "batch after close").await?,
        -32003,
        "batch after close",
    )?;
    match rpc.notify("demo.echo".into(), json("[1]")) {
        Err(e) => expect_code(&e, -32003, "notify after close")?,
        Ok(()) => return Err(Fail("notify after close() did not throw".into())),
    }
    // The server sees the connection go (the hanging call is dropped).
    let other = open_client(JsValue::UNDEFINED).await?;
    expect_cancelled(
        &other,
        &key,
        "the server kept the closed client's call running",
    )
    .await?;
    // Long enough for several reconnect attempts (10-20 ms apart): none happens.
    ensure_eq!(answer(&other, "demo.sleep", "[150]").await?, "150");
    ensure_eq!(rpc.state(), "closed");
    ensure_eq!(events.types(), vec!["close"]);
    let close = events.all().pop().unwrap_or(JsValue::UNDEFINED);
    ensure_eq!(get(&close, "willReconnect").as_bool(), Some(false));
    other.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn close_before_open_rejects_ready_and_queued_calls() -> TestResult {
    let rpc = client(JsValue::UNDEFINED)?;
    let queued: Promise = call(&rpc, "Add", "[1, 2]")?;
    rpc.close();
    ensure_eq!(rpc.state(), "closed");
    expect_code(
        &rejects(&queued, "queued call at close").await?,
        -32003,
        "queued call at close",
    )?;
    expect_code(
        &rejects(&rpc.ready(), "ready after close").await?,
        -32003,
        "ready after close",
    )?;
    Ok(())
}
