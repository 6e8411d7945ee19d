//! Browser tests: the `JRPC.Error`s calls reject with, for errors the server
//! answers with and for errors raised in the browser.

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use jrpc_client_wasm::JsError;
use js_sys::Reflect;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn an_application_error_keeps_code_and_message() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let e = failure(&rpc, "Divide", "[1, 0]").await?;
    expect_code(&e, 100, "Divide 1/0")?;
    ensure!(
        e.is_instance_of::<js_sys::Error>(),
        "not an Error: {}",
        describe(&e)
    );
    ensure_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("division by zero")
    );
    ensure_eq!(get(&e, "name").as_string().as_deref(), Some("JRPC.Error"));
    // A real Error: it has a stack.
    ensure!(get(&e, "stack").is_string(), "JRPC.Error has no stack");
    // The server sent no data, so there is none.
    ensure!(
        !Reflect::has(&e, &"data".into())? || get(&e, "data").is_undefined(),
        "unexpected data: {}",
        to_json(&get(&e, "data"))
    );
    // Named params, same error.
    let e = failure(&rpc, "Divide", r#"{"a": 5, "b": 0}"#).await?;
    expect_code(&e, 100, "Divide 5/0 with named params")?;
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn protocol_errors_have_their_codes() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let e = failure(&rpc, "no.such.method", "[1]").await?;
    expect_code(&e, -32601, "unknown method")?;
    let e = failure(&rpc, "Add", r#"["x", 1]"#).await?;
    expect_code(&e, -32602, "Add with a string")?;
    let e = failure(&rpc, "math.sum", "[1]").await?;
    expect_code(&e, -32602, "math.sum with one addend")?;
    let e = failure(&rpc, "math.sum", r#"{"x": 1, "z": 2}"#).await?;
    expect_code(&e, -32602, "math.sum with an unknown name")?;
    let e = failure(&rpc, "Add", "").await?;
    expect_code(&e, -32602, "Add without params")?;
    // Methods named rpc.* are reserved: never found.
    let e = failure(&rpc, "rpc.discover", "").await?;
    expect_code(&e, -32601, "rpc.discover")?;
    // The connection is fine after errors.
    ensure_eq!(answer(&rpc, "Add", "[1, 1]").await?, "2");
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn error_data_from_the_server_is_passed_on() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    // A browser method fails with data; demo.callback hands the peer's error
    // object on unchanged, so the server sends it back with its data.
    rpc.register(
        "ui.failWithData",
        func("", r#"const e = new Error("nope"); e.code = 7; e.data = {k: [1, "two"], ok: false}; throw e;"#).into(),
    )?;
    let e = failure(&rpc, "demo.callback", r#"["ui.failWithData", []]"#).await?;
    expect_code(&e, 7, "error with data")?;
    ensure_eq!(get(&e, "message").as_string().as_deref(), Some("nope"));
    ensure_eq!(to_json(&get(&e, "data")), r#"{"k":[1,"two"],"ok":false}"#);
    // Data that is not an object.
    rpc.register(
        "ui.failWithText",
        func(
            "",
            r#"throw Object.assign(new Error("t"), {code: 8, data: "why"});"#,
        )
        .into(),
    )?;
    let e = failure(&rpc, "demo.callback", r#"["ui.failWithText"]"#).await?;
    expect_code(&e, 8, "error with string data")?;
    ensure_eq!(to_json(&get(&e, "data")), r#""why""#);
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
fn the_error_class_can_be_constructed_from_javascript() -> TestResult {
    // `new JRPC.Error(message, code, data)`.
    let e: JsValue = JsError::new("custom".into(), Some(42.0), json(r#"{"why": 1}"#)).into();
    ensure!(
        is_jrpc_error(&e),
        "new JRPC.Error is not instanceof JRPC.Error"
    );
    ensure_eq!(get(&e, "message").as_string().as_deref(), Some("custom"));
    ensure_eq!(code_of(&e), Some(42.0));
    ensure_eq!(to_json(&get(&e, "data")), r#"{"why":1}"#);
    let e: JsValue = JsError::new("default code".into(), None, JsValue::UNDEFINED).into();
    ensure_eq!(code_of(&e), Some(-32603.0));
    ensure!(get(&e, "data").is_undefined(), "data should be undefined");
    // Other errors are not JRPC.Errors.
    ensure!(
        !is_jrpc_error(&js_sys::Error::new("plain").into()),
        "a plain Error is instanceof JRPC.Error"
    );
    ensure!(
        !is_jrpc_error(&json(r#"{"code": 1, "message": "m"}"#)),
        "an object is instanceof JRPC.Error"
    );
    Ok(())
}

#[wasm_bindgen_test]
async fn constructed_errors_are_errors_once_a_client_exists() -> TestResult {
    // The class is linked to Error when the first client is created.
    let rpc = client(JsValue::UNDEFINED)?;
    let e: JsValue = JsError::new("custom".into(), Some(42.0), JsValue::UNDEFINED).into();
    ensure!(
        e.is_instance_of::<js_sys::Error>(),
        "new JRPC.Error(..) is not instanceof Error"
    );
    ensure!(
        is_jrpc_error(&e),
        "new JRPC.Error is not instanceof JRPC.Error"
    );
    rpc.close();
    Ok(())
}
