//! Making clients and calls against the test server.

use jrpc_client_wasm::JsClient;
use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::{Fail, TestResult, func, get, json, rejects, resolves, to_json, url};

/// `new JRPC.WebSocket(first, second, third, fourth)`, either form.
pub fn construct(
    first: JsValue,
    second: JsValue,
    third: JsValue,
    fourth: JsValue,
) -> Result<JsClient, JsValue> {
    JsClient::new(first, second, third, fourth)
}

/// `new JRPC.WebSocket(url, options)`.
pub fn client(options: JsValue) -> Result<JsClient, Fail> {
    Ok(construct(
        url()?.into(),
        options,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )?)
}

/// A client whose `ready` has resolved.
pub async fn open_client(options: JsValue) -> Result<JsClient, Fail> {
    let rpc = client(options)?;
    resolves(&rpc.ready(), "rpc.ready").await?;
    ensure_eq!(rpc.state(), "open");
    Ok(rpc)
}

/// `rpc.request(method, params)` with params as JSON text ("" for none).
pub fn call(rpc: &JsClient, method: &str, params: &str) -> Result<Promise, Fail> {
    call_with(rpc, method, params, JsValue::UNDEFINED)
}

/// `rpc.request(method, params, options)`.
pub fn call_with(
    rpc: &JsClient,
    method: &str,
    params: &str,
    options: JsValue,
) -> Result<Promise, Fail> {
    let params = if params.is_empty() {
        JsValue::UNDEFINED
    } else {
        json(params)
    };
    Ok(rpc.request(
        method.to_owned(),
        params,
        options,
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )?)
}

/// The JSON text of the result of `rpc.request(method, params)`.
pub async fn answer(rpc: &JsClient, method: &str, params: &str) -> Result<String, Fail> {
    let what = format!("{method} {params}");
    Ok(to_json(
        &resolves(&call(rpc, method, params)?, &what).await?,
    ))
}

/// The error `rpc.request(method, params)` rejects with.
pub async fn failure(rpc: &JsClient, method: &str, params: &str) -> Result<JsValue, Fail> {
    let what = format!("{method} {params}");
    rejects(&call(rpc, method, params)?, &what).await
}

/// Fails with `what` unless the server drops `test.hang` call `key` within 3 s
/// (`test.waitCancelled`: the server's own view that the handler stopped).
pub async fn expect_cancelled(rpc: &JsClient, key: &str, what: &str) -> TestResult {
    let params = format!("[{key:?}, 3000]");
    if answer(rpc, "test.waitCancelled", &params).await? == "true" {
        Ok(())
    } else {
        Err(Fail(format!("{what} (key {key})")))
    }
}

/// Polls `test.status` until the handler of `test.hang` `key` has started.
pub async fn wait_started(rpc: &JsClient, key: &str) -> TestResult {
    let params = format!("[{key:?}]");
    for _ in 0..200 {
        let status = resolves(&call(rpc, "test.status", &params)?, "test.status").await?;
        if get(&status, "started").as_bool() == Some(true) {
            return Ok(());
        }
    }
    Err(Fail(format!("test.hang {key} never started")))
}

/// `rpc.batch(build, options)`, with `build` a function of the builder.
pub fn batch(rpc: &JsClient, body: &str, options: JsValue) -> Result<Promise, Fail> {
    Ok(rpc.batch(func("b", body), options)?)
}
