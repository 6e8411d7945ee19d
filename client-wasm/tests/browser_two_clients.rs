//! Browser test: one page may create more than one `JRPC.WebSocket`.
//! A test binary of its own, so that no other test has created a client
//! before (a regression test: the second construction used to throw, because
//! `linkErrorClass` in src/glue.js redefined a non-configurable property).

#![cfg(target_arch = "wasm32")]

#[macro_use]
mod common;

use common::*;
use jrpc_client_wasm::JsClient;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_page_can_create_a_second_client() -> TestResult {
    let none = || JsValue::UNDEFINED;
    let first = JsClient::new(url()?.into(), none(), none(), none())?;
    let second = JsClient::new(url()?.into(), none(), none(), none())?;
    ensure_eq!(answer(&first, "Add", "[1, 2]").await?, "3");
    ensure_eq!(answer(&second, "Add", "[3, 4]").await?, "7");
    let e = failure(&second, "Divide", "[1, 0]").await?;
    expect_code(&e, 100, "Divide by zero on the second client")?;
    first.close();
    second.close();
    // And a third one after both are closed.
    let third = JsClient::new(url()?.into(), none(), none(), none())?;
    ensure_eq!(answer(&third, "Add", "[5, 6]").await?, "11");
    third.close();
    Ok(())
}
