// jrpc-client-wasm, web build: `await init()` loads the wasm once, then use `JRPC`.
export { JRPC } from "./jrpc.js";
export { default, initSync } from "./jrpc_engine.js";
