// jrpc-client-wasm, bundler build: the bundler loads the wasm; use `JRPC`.
export { JRPC } from "./jrpc.js";
