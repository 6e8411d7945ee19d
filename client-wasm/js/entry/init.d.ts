
/**
 * Loads the wasm once. The package's main entry has already done it, so this
 * resolves at once there; `jrpc-client-wasm/slim` needs it before the first
 * `new JRPC.WebSocket`. Without an argument the wasm is fetched from beside
 * the module (or, where a bundler did not copy it, taken from the package's
 * inline copy); `module_or_path` gives its URL, a Request or Response, its
 * bytes, or a compiled module.
 */
export default function init(options?: { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module | Promise<RequestInfo | URL | Response | BufferSource | WebAssembly.Module> }): Promise<unknown>;
/** Loads the wasm from its bytes or a compiled module, synchronously. */
export function initSync(module: { module: BufferSource | WebAssembly.Module }): unknown;
