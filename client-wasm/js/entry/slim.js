// jrpc-client-wasm/slim: the client without loading its wasm; `await
// init()` (or `init({ module_or_path })` with your own URL or bytes) first.
export { JRPC } from "./jrpc.js";
export { default, initSync } from "./load.js";
