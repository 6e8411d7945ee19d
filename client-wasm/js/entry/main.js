// jrpc-client-wasm: `import { JRPC } from "jrpc-client-wasm"` and use it.
// The wasm is loaded here, once, before the importing module runs; if it
// fails, `new JRPC.WebSocket` throws with the reason (the app still runs).
import init from "./jrpc_client_wasm_slim.js";

await init().catch(() => {});

export { default, initSync, JRPC } from "./jrpc_client_wasm_slim.js";
