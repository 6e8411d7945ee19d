//! Browser tests: calls that end early (timeouts and `AbortSignal`s),
//! checked on the server too: `test.hang` marks its key cancelled when the
//! server drops the call.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::AbortController;

wasm_bindgen_test_configure!(run_in_browser);

fn hang_params(key: &str) -> String {
    format!("[{key:?}]")
}

#[wasm_bindgen_test]
async fn a_timeout_rejects_and_cancels_the_call_on_the_server() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let key = unique("timeout");
    let p = call_with(
        &rpc,
        "test.hang",
        &hang_params(&key),
        obj(&[("timeoutMs", 200.into())]),
    )?;
    let e = rejects(&p, "test.hang with timeoutMs 200").await?;
    expect_code(&e, -32002, "timeout")?;
    expect_cancelled(&rpc, &key, "the server never dropped the timed-out call").await?;
    // The client's default timeout (constructor option) works the same.
    let short = open_client(obj(&[("timeoutMs", 150.into())])).await?;
    let key = unique("default-timeout");
    let e = rejects(
        &call(&short, "test.hang", &hang_params(&key))?,
        "test.hang with the default timeout",
    )
    .await?;
    expect_code(&e, -32002, "default timeout")?;
    expect_cancelled(&rpc, &key, "the server never dropped the call").await?;
    // A call that answers in time is not affected, and the client still works.
    ensure_eq!(answer(&short, "Add", "[1, 2]").await?, "3");
    short.close();
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn a_batch_times_out_as_a_whole() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let key = unique("batch-timeout");
    let body = format!(r#"b.request("Add", [1, 2]); b.request("test.hang", [{key:?}]);"#);
    let p = rpc.batch(func("b", &body), obj(&[("timeoutMs", 200.into())]))?;
    let e = rejects(&p, "batch with a hanging member").await?;
    expect_code(&e, -32002, "batch timeout")?;
    expect_cancelled(
        &rpc,
        &key,
        "the server never dropped the batch's hanging call",
    )
    .await?;
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn aborting_rejects_at_once_and_cancels_the_call_on_the_server() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let key = unique("abort");
    let controller = AbortController::new()?;
    let p = call_with(
        &rpc,
        "test.hang",
        &hang_params(&key),
        obj(&[("signal", controller.signal().into())]),
    )?;
    wait_started(&rpc, &key).await?;
    ensure!(
        settled_now(&p).await?.is_none(),
        "the call settled before it was aborted"
    );
    controller.abort();
    let e = match settled_now(&p).await? {
        Some(Err(e)) => e,
        Some(Ok(v)) => return Err(Fail(format!("aborted call resolved with {}", to_json(&v)))),
        None => return Err(Fail("an aborted call did not reject at once".into())),
    };
    expect_code(&e, -32800, "abort")?;
    expect_cancelled(&rpc, &key, "the server never dropped the aborted call").await?;
    // A signal that is already aborted: rejects at once, the server drops the call.
    let key = unique("pre-aborted");
    let p = call_with(
        &rpc,
        "test.hang",
        &hang_params(&key),
        obj(&[("signal", controller.signal().into())]),
    )?;
    match settled_now(&p).await? {
        Some(Err(e)) => expect_code(&e, -32800, "already aborted signal")?,
        other => {
            return Err(Fail(format!(
                "a call with an aborted signal did not reject at once: {other:?}"
            )));
        }
    }
    let status = resolves(
        &call(&rpc, "test.status", &hang_params(&key))?,
        "test.status",
    )
    .await?;
    // Like fetch: a call whose signal is already aborted is never sent.
    ensure!(
        get(&status, "started").as_bool() == Some(false),
        "a call with an already aborted signal reached the server"
    );
    // Aborting after the answer changes nothing.
    let late = AbortController::new()?;
    let p = call_with(
        &rpc,
        "Add",
        "[2, 2]",
        obj(&[("signal", late.signal().into())]),
    )?;
    ensure_eq!(to_json(&resolves(&p, "Add with a signal").await?), "4");
    late.abort();
    ensure_eq!(answer(&rpc, "Add", "[1, 1]").await?, "2");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn one_signal_aborts_a_whole_batch() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let (a, b) = (unique("batch-abort-a"), unique("batch-abort-b"));
    let controller = AbortController::new()?;
    let body = format!(r#"b.request("test.hang", [{a:?}]); b.request("test.hang", [{b:?}]);"#);
    let p = rpc.batch(
        func("b", &body),
        obj(&[("signal", controller.signal().into())]),
    )?;
    wait_started(&rpc, &a).await?;
    wait_started(&rpc, &b).await?;
    controller.abort();
    let e = rejects(&p, "aborted batch").await?;
    expect_code(&e, -32800, "batch abort")?;
    expect_cancelled(&rpc, &a, "first member not cancelled on the server").await?;
    expect_cancelled(&rpc, &b, "second member not cancelled on the server").await?;
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn an_aborted_queued_request_is_never_sent() -> TestResult {
    let rpc = client(JsValue::UNDEFINED)?;
    ensure_eq!(rpc.state(), "connecting");
    let key = unique("queued-abort");
    let controller = AbortController::new()?;
    let p = call_with(
        &rpc,
        "test.hang",
        &hang_params(&key),
        obj(&[("signal", controller.signal().into())]),
    )?;
    controller.abort();
    expect_code(
        &rejects(&p, "aborted queued request").await?,
        -32800,
        "queued abort",
    )?;
    resolves(&rpc.ready(), "ready").await?;
    // test.hang marks its key when dispatched, and test.status is answered
    // after everything sent before it: the queue was flushed on open.
    let status = resolves(
        &call(&rpc, "test.status", &hang_params(&key))?,
        "test.status",
    )
    .await?;
    ensure_eq!(to_json(&status), r#"{"started":false,"cancelled":false}"#);
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn an_aborted_queued_batch_is_never_sent() -> TestResult {
    let rpc = client(JsValue::UNDEFINED)?;
    let (a, b) = (unique("queued-batch-a"), unique("queued-batch-b"));
    let controller = AbortController::new()?;
    let body = format!(r#"b.request("test.hang", [{a:?}]); b.request("test.hang", [{b:?}]);"#);
    let p = rpc.batch(
        func("b", &body),
        obj(&[("signal", controller.signal().into())]),
    )?;
    controller.abort();
    expect_code(
        &rejects(&p, "aborted queued batch").await?,
        -32800,
        "queued batch abort",
    )?;
    resolves(&rpc.ready(), "ready").await?;
    let status = resolves(&call(&rpc, "test.status", &hang_params(&a))?, "test.status").await?;
    ensure_eq!(to_json(&status), r#"{"started":false,"cancelled":false}"#);
    let status = resolves(&call(&rpc, "test.status", &hang_params(&b))?, "test.status").await?;
    ensure_eq!(to_json(&status), r#"{"started":false,"cancelled":false}"#);
    rpc.close();
    Ok(())
}
