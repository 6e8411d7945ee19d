//! Browser tests: methods registered in the browser that the server calls
//! (through `demo.callback`, which calls the caller back and returns the answer).

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use jrpc_client_wasm::JsError;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_server_calls_a_browser_method_and_gets_its_result() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    rpc.register("ui.add", func("a, b", "return a + b;").into())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.add", [2, 3]]"#).await?,
        "5"
    );
    ensure_eq!(
        answer(
            &rpc,
            "demo.callback",
            r#"{"method": "ui.add", "params": [4, 5]}"#
        )
        .await?,
        "9"
    );
    // Named params arrive as one object argument.
    rpc.register("ui.greet", func("p", "return `hello ${p.name}`;").into())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.greet", {"name": "jrpc"}]"#).await?,
        r#""hello jrpc""#
    );
    // No params: called with no arguments; undefined answers null.
    rpc.register("ui.count", func("", "return arguments.length;").into())?;
    ensure_eq!(answer(&rpc, "demo.callback", r#"["ui.count"]"#).await?, "0");
    rpc.register("ui.nothing", func("", "").into())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.nothing", []]"#).await?,
        "null"
    );
    // A structured result.
    rpc.register(
        "ui.obj",
        func("", r#"return {a: [1, {b: null}], s: "x"};"#).into(),
    )?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.obj", []]"#).await?,
        r#"{"a":[1,{"b":null}],"s":"x"}"#
    );
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn a_browser_method_may_return_a_promise() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    rpc.register(
        "ui.slowMultiply",
        func(
            "a, b",
            "return new Promise(r => setTimeout(() => r(a * b), 20));",
        )
        .into(),
    )?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.slowMultiply", [6, 7]]"#).await?,
        "42"
    );
    rpc.register(
        "ui.async",
        func("x", "return (async () => x + 1)();").into(),
    )?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.async", [1]]"#).await?,
        "2"
    );
    // A rejected promise with a numeric code keeps its code.
    rpc.register(
        "ui.asyncFail",
        func(
            "",
            r#"return Promise.reject(Object.assign(new Error("later"), {code: 9}));"#,
        )
        .into(),
    )?;
    let e = failure(&rpc, "demo.callback", r#"["ui.asyncFail", []]"#).await?;
    expect_code(&e, 9, "a rejected promise")?;
    ensure_eq!(get(&e, "message").as_string().as_deref(), Some("later"));
    // A Rust closure as a browser method (any JS function works).
    let double = Closure::<dyn Fn(f64) -> f64>::new(|x| x * 2.0);
    rpc.register("ui.double", double.as_ref().clone())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.double", [21]]"#).await?,
        "42"
    );
    rpc.close();
    drop(double);
    Ok(())
}

#[wasm_bindgen_test]
async fn a_thrown_error_with_a_code_keeps_it_and_other_throws_are_internal_errors() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    rpc.register(
        "ui.coded",
        func(
            "",
            r#"throw Object.assign(new Error("coded failure"), {code: 1234});"#,
        )
        .into(),
    )?;
    let e = failure(&rpc, "demo.callback", r#"["ui.coded", []]"#).await?;
    expect_code(&e, 1234, "Error with a code")?;
    ensure_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("coded failure")
    );
    // A JRPC.Error thrown by the method (here built in Rust and thrown by a closure).
    let thrower = Closure::<dyn Fn() -> Result<JsValue, JsValue>>::new(|| {
        Err(JsError::new("from JRPC.Error".into(), Some(-32001.0), json("[3]")).into())
    });
    rpc.register("ui.jrpcError", thrower.as_ref().clone())?;
    let e = failure(&rpc, "demo.callback", r#"["ui.jrpcError", []]"#).await?;
    expect_code(&e, -32001, "thrown JRPC.Error")?;
    ensure_eq!(
        get(&e, "message").as_string().as_deref(),
        Some("from JRPC.Error")
    );
    ensure_eq!(to_json(&get(&e, "data")), "[3]");
    // A plain throw: -32603 whose message says what was thrown.
    rpc.register("ui.plain", func("", r#"throw new Error("boom");"#).into())?;
    let e = failure(&rpc, "demo.callback", r#"["ui.plain", []]"#).await?;
    expect_code(&e, -32603, "plain Error")?;
    let message = get(&e, "message").as_string().unwrap_or_default();
    ensure!(
        message.contains("boom"),
        "message {message:?} does not say what was thrown"
    );
    rpc.register("ui.string", func("", r#"throw "just a string";"#).into())?;
    let e = failure(&rpc, "demo.callback", r#"["ui.string", []]"#).await?;
    expect_code(&e, -32603, "thrown string")?;
    // A code that is not an integer does not count.
    rpc.register(
        "ui.badCode",
        func("", r#"throw Object.assign(new Error("x"), {code: "12"});"#).into(),
    )?;
    let e = failure(&rpc, "demo.callback", r#"["ui.badCode", []]"#).await?;
    expect_code(&e, -32603, "Error with a string code")?;
    // A result JSON cannot carry.
    rpc.register("ui.nan", func("", "return NaN;").into())?;
    let e = failure(&rpc, "demo.callback", r#"["ui.nan", []]"#).await?;
    expect_code(&e, -32603, "a NaN result")?;
    // The connection still works afterwards.
    rpc.register("ui.ok", func("", "return 1;").into())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.ok", []]"#).await?,
        "1"
    );
    rpc.close();
    drop(thrower);
    Ok(())
}

#[wasm_bindgen_test]
async fn unknown_and_unregistered_browser_methods_are_not_found() -> TestResult {
    let rpc = open_client(JsValue::UNDEFINED).await?;
    let e = failure(&rpc, "demo.callback", r#"["ui.nope", []]"#).await?;
    expect_code(&e, -32601, "unknown browser method")?;
    rpc.register("ui.temp", func("", "return 1;").into())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.temp", []]"#).await?,
        "1"
    );
    ensure!(
        rpc.unregister("ui.temp"),
        "unregister of a registered method returned false"
    );
    ensure!(
        !rpc.unregister("ui.temp"),
        "second unregister returned true"
    );
    let e = failure(&rpc, "demo.callback", r#"["ui.temp", []]"#).await?;
    expect_code(&e, -32601, "unregistered browser method")?;
    // Registering again replaces.
    rpc.register("ui.temp", func("", "return 1;").into())?;
    rpc.register("ui.temp", func("", "return 2;").into())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.temp", []]"#).await?,
        "2"
    );
    rpc.close();
    Ok(())
}

#[wasm_bindgen_test]
async fn methods_can_be_given_to_the_constructor() -> TestResult {
    let methods = obj(&[
        ("ui.add", func("a, b", "return a + b;").into()),
        ("ui.neg", func("x", "return -x;").into()),
    ]);
    let rpc = client(obj(&[("methods", methods)]))?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.add", [2, 3]]"#).await?,
        "5"
    );
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.neg", [4]]"#).await?,
        "-4"
    );
    rpc.close();
    // A method that is not a function is refused.
    let bad = obj(&[("methods", obj(&[("ui.x", 5.into())]))]);
    let r = construct(url()?.into(), bad, JsValue::UNDEFINED, JsValue::UNDEFINED).map(|_| ());
    expect_type_error(r, "methods: {ui.x: 5}")?;
    Ok(())
}

#[wasm_bindgen_test]
async fn a_browser_method_may_call_the_server_while_it_runs() -> TestResult {
    let rpc = std::rc::Rc::new(open_client(JsValue::UNDEFINED).await?);
    // The method itself makes a request on the same client: no re-entrancy trouble.
    let inner = std::rc::Rc::downgrade(&rpc);
    let nested = Closure::<dyn Fn(f64, f64) -> Result<js_sys::Promise, JsValue>>::new(
        move |a: f64, b: f64| {
            let rpc = inner
                .upgrade()
                .ok_or_else(|| JsValue::from_str("client gone"))?;
            rpc.request(
                "Multiply".into(),
                js_sys::Array::of2(&a.into(), &b.into()).into(),
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
                JsValue::UNDEFINED,
            )
        },
    );
    rpc.register("ui.viaServer", nested.as_ref().clone())?;
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.viaServer", [6, 7]]"#).await?,
        "42"
    );
    rpc.close();
    drop(nested);
    Ok(())
}

#[wasm_bindgen_test]
async fn calls_beyond_max_in_flight_are_refused_as_busy() -> TestResult {
    let rpc = open_client(obj(&[("maxInFlight", 1.into())])).await?;
    let held = Held::new();
    rpc.register("ui.hold", held.method.clone().into())?;
    rpc.register("ui.add", func("a, b", "return a + b;").into())?;
    let first = call(&rpc, "demo.callback", r#"["ui.hold", [1]]"#)?;
    resolves(&held.called, "ui.hold called").await?;
    // One browser method is running: the next call from the server is refused.
    let e = failure(&rpc, "demo.callback", r#"["ui.add", [1, 2]]"#).await?;
    expect_code(&e, -32000, "second call while one runs")?;
    held.answer(&"done".into())?;
    ensure_eq!(
        to_json(&resolves(&first, "the held call").await?),
        r#""done""#
    );
    // The slot is free again.
    ensure_eq!(
        answer(&rpc, "demo.callback", r#"["ui.add", [1, 2]]"#).await?,
        "3"
    );
    rpc.close();
    Ok(())
}
