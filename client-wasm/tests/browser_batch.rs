//! Browser tests: batches (`rpc.batch(b => { b.request(..); b.invoke(..) })`).

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn batch_results_come_in_order_and_its_notifications_arrive() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let seen = Deferred::new();
    rpc.register("ui.batchSeen", seen.resolve.clone().into())?;
    let p = batch(
        &rpc,
        r#"b.request("demo.sleep", [30]);
           b.invoke("demo.callback", ["ui.batchSeen", [7]]);
           b.request("math.sum", {x: 1, y: 2});
           b.notify("demo.echo", [0]);
           b.request("Divide", [6, 3]);"#,
        JsValue::UNDEFINED,
    )?;
    // demo.sleep answers last, yet its result stays first.
    ensure_eq!(to_json(&resolves(&p, "batch").await?), "[30,3,2]");
    ensure_eq!(
        to_json(&resolves(&seen.promise, "the batch's notification").await?),
        "7"
    );
    // Only notifications: nothing to wait for, resolves with [].
    let p = batch(&rpc, r#"b.invoke("demo.echo", [1]);"#, JsValue::UNDEFINED)?;
    ensure_eq!(
        to_json(&resolves(&p, "notification-only batch").await?),
        "[]"
    );
    let p = batch(&rpc, "", obj(&[("timeoutMs", 5000.into())]))?;
    ensure_eq!(to_json(&resolves(&p, "empty batch").await?), "[]");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn a_failing_member_rejects_the_batch_with_its_error() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let p = batch(
        &rpc,
        r#"b.request("Add", [1, 2]); b.request("Divide", [1, 0]); b.request("Add", [3, 4]);"#,
        JsValue::UNDEFINED,
    )?;
    let e = rejects(&p, "batch with Divide by zero").await?;
    expect_code(&e, 100, "batch member")?;
    ensure_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("division by zero")
    );
    // Bad options and bad params are refused synchronously.
    let r = rpc.batch(func("b", ""), obj(&[("retries", 3.into())]));
    expect_type_error(r, "batch with an unknown option")?;
    let r = rpc.batch(
        func("b", r#"b.request("Add", [NaN, 1]);"#),
        JsValue::UNDEFINED,
    );
    expect_type_error(r, "batch member with NaN")?;
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn a_batch_builder_only_takes_calls_while_its_callback_runs() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    // Keeping the builder and using it after the callback returned throws.
    let keep = func(
        "b",
        "globalThis.__jrpcKeptBatch = b; b.request(\"Add\", [1, 1]);",
    );
    let p = rpc
        .batch(keep, JsValue::UNDEFINED)
        .map_err(|e| Fail(describe(&e)))?;
    ensure_eq!(to_json(&resolves(&p, "batch").await?), "[2]");
    let late = func("", "globalThis.__jrpcKeptBatch.request(\"Add\", [2, 2]);");
    expect_type_error(
        late.call0(&JsValue::UNDEFINED),
        "a call added after the batch was sent",
    )?;
    // An async callback cannot add calls in time: refused instead of sending [].
    let asynchronous = func(
        "b",
        "return Promise.resolve().then(() => b.request(\"Add\", [1, 2]));",
    );
    expect_type_error(
        rpc.batch(asynchronous, JsValue::UNDEFINED),
        "an async batch callback",
    )?;
    rpc.close();
    // After close even a batch of only notifications rejects.
    let p = batch(&rpc, r#"b.invoke("demo.echo", [1]);"#, JsValue::UNDEFINED)?;
    expect_code(
        &rejects(&p, "notification batch after close").await?,
        -32003,
        "closed batch",
    )?;
    Ok(())
}
