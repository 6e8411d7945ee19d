
/** Loads the wasm (fetched from beside this file unless given); call once before `JRPC`. */
export default function init(module_or_path?: { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }): Promise<unknown>;
/** Loads the wasm from bytes or a compiled module, synchronously. */
export function initSync(module: { module: BufferSource | WebAssembly.Module }): unknown;
