//! Browser tests: the original jrpc.js API, `new JRPC.WebSocket(host, port,
//! localMethods, onOpen)` and `request(method, args, kwargs, onSuccess, onError)`.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use jrpc_client_wasm::JsClient;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `new JRPC.WebSocket(host, port, localMethods, onOpen)`.
fn legacy_client(port: JsValue, methods: JsValue, on_open: JsValue) -> Result<JsClient, Fail> {
    let (host, _) = host_and_port()?;
    Ok(construct(host.into(), port, methods, on_open)?)
}

#[wasm_bindgen_test]
async fn host_port_methods_and_on_open() -> TestResult {
    let (_, port) = host_and_port()?;
    let opened = Deferred::new();
    let methods = obj(&[("ui.add", func("a, b", "return a + b;").into())]);
    let rpc = legacy_client(port.into(), methods, opened.resolve.clone().into())?;
    ensure_eq!(rpc.url(), url()?);
    let event = resolves(&opened.promise, "onOpen").await?;
    ensure_eq!(get(&event, "type").as_string().as_deref(), Some("open"));
    ensure_eq!(rpc.state(), "open");
    // The server calls a local method given to the constructor.
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.add", [2, 3]]"#).await?,
        "5"
    );
    rpc.close();
    // The port may be a string, and localMethods and onOpen may be left out.
    let rpc = legacy_client(
        port.to_string().into(),
        JsValue::UNDEFINED,
        JsValue::UNDEFINED,
    )?;
    ensure_eq!(rpc.url(), url()?);
    ensure_eq!(answer(&rpc, "Add", "[1, 1]").await?, "2");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn request_with_callbacks() -> TestResult {
    let (_, port) = host_and_port()?;
    let rpc = legacy_client(port.into(), JsValue::UNDEFINED, JsValue::UNDEFINED)?;
    let none = || JsValue::UNDEFINED;

    // Positional args, onSuccess.
    let (ok, err) = (Deferred::new(), Deferred::new());
    let _ = rpc.request(
        "Add".into(),
        json("[5, 10]"),
        none(),
        ok.resolve.clone().into(),
        err.resolve.clone().into(),
    )?;
    ensure_eq!(
        to_json(&resolves(&ok.promise, "onSuccess of Add args").await?),
        "15"
    );

    // Named kwargs with empty args.
    let (ok, err) = (Deferred::new(), Deferred::new());
    let _ = rpc.request(
        "Subtract".into(),
        json("[]"),
        json(r#"{"a": 5, "b": 10}"#),
        ok.resolve.clone().into(),
        err.resolve.clone().into(),
    )?;
    ensure_eq!(
        to_json(&resolves(&ok.promise, "onSuccess of Subtract kwargs").await?),
        "-5"
    );

    // Empty kwargs with args.
    let (ok, err) = (Deferred::new(), Deferred::new());
    let _ = rpc.request(
        "Multiply".into(),
        json("[3, 4]"),
        json("{}"),
        ok.resolve.clone().into(),
        err.resolve.clone().into(),
    )?;
    ensure_eq!(
        to_json(&resolves(&ok.promise, "onSuccess of Multiply").await?),
        "12"
    );

    // An error goes to onError, as a JRPC.Error.
    let (ok, err) = (Deferred::new(), Deferred::new());
    let _ = rpc.request(
        "Divide".into(),
        json("[1, 0]"),
        none(),
        ok.resolve.clone().into(),
        err.resolve.clone().into(),
    )?;
    let e = resolves(&err.promise, "onError of Divide by zero").await?;
    expect_code(&e, 100, "onError")?;
    ensure_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("division by zero")
    );
    ensure!(
        settled_now(&ok.promise).await?.is_none(),
        "onSuccess was called for a failed call"
    );

    // Only onError given, the call succeeds: the returned promise has the result.
    let err = Deferred::new();
    let p = rpc.request(
        "Add".into(),
        json("[2, 2]"),
        none(),
        none(),
        err.resolve.clone().into(),
    )?;
    ensure_eq!(
        to_json(&resolves(&p, "promise of a call with only onError").await?),
        "4"
    );

    // Only onSuccess: the returned promise resolves with what onSuccess returns.
    let p = rpc.request(
        "Add".into(),
        json("[2, 3]"),
        none(),
        func("r", "return r * 10;").into(),
        none(),
    )?;
    ensure_eq!(
        to_json(&resolves(&p, "promise of a call with onSuccess").await?),
        "50"
    );

    // Without callbacks, the same call returns a promise of the result.
    let p = rpc.request(
        "Add".into(),
        json("[]"),
        json(r#"{"a": 1, "b": 2}"#),
        none(),
        none(),
    )?;
    ensure_eq!(
        to_json(&resolves(&p, "kwargs without callbacks").await?),
        "3"
    );
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn args_and_kwargs_together_are_a_type_error() -> TestResult {
    let (_, port) = host_and_port()?;
    let rpc = legacy_client(port.into(), JsValue::UNDEFINED, JsValue::UNDEFINED)?;
    let cb = || JsValue::from(func("", ""));
    let r = rpc.request(
        "Add".into(),
        json("[1]"),
        json(r#"{"a": 1}"#),
        cb(),
        JsValue::UNDEFINED,
    );
    let message = expect_type_error(r, "request(m, [1], {a: 1}, cb)")?;
    ensure!(
        message.contains("args") && message.contains("kwargs"),
        "unhelpful message: {message}"
    );
    let r = rpc.request(
        "Add".into(),
        json("[1]"),
        json(r#"{"a": 1}"#),
        JsValue::UNDEFINED,
        cb(),
    );
    expect_type_error(r, "request(m, [1], {a: 1}, undefined, onError)")?;
    // NaN in legacy args too.
    let nan = js_sys::Array::of2(&JsValue::from_f64(f64::NAN), &1.into());
    let r = rpc.request("Add".into(), nan.into(), JsValue::UNDEFINED, cb(), cb());
    expect_type_error(r, "legacy request with NaN")?;
    ensure_eq!(answer(&rpc, "Add", "[1, 2]").await?, "3");
    rpc.close();
    Ok(())
}
