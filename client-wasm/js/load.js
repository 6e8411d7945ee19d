// Where the wasm comes from. A page, webpack 5 and Vite's build serve the
// `.wasm` beside this module (bundlers copy a `new URL("…", import.meta.url)`
// asset). Vite's dev server pre-bundles the package without it, and esbuild
// never copies it: there the fetch fails or answers something that is not
// wasm, and a module holding the same bytes (base64) is imported instead, so
// the package works with no plugin and no configuration anywhere.

import { initSync as instantiate } from "./jrpc_engine.js";
import { INTERNAL_ERROR, JrpcError } from "./errors.js";

/** The engine's loading: a promise while it runs, `true` once done, an Error if it failed. */
let engine;

/**
 * Loads the engine once. Without a source, from beside this module, else
 * from the package's inline copy; with `{module_or_path}`, from that URL,
 * Request, Response, bytes or compiled module. A failure is kept for
 * `new JRPC.WebSocket` to report, and a later call tries again.
 */
export default function init(options) {
  if (engine === true || engine?.then) return Promise.resolve(engine);
  const source = options?.constructor === Object ? options.module_or_path : options;
  return (engine = (source == null
    ? auto(() => new URL("jrpc_engine_bg.wasm", import.meta.url), () => import("./jrpc_engine_inline.js"))
    : compile(source)
  )
    .then((module) => initSync({ module }))
    .catch((e) => {
      engine = e instanceof Error ? e : new Error(String(e));
      throw e;
    }));
}

/** Instantiates the engine from its bytes or compiled module, at once. */
export function initSync(module) {
  const exports = instantiate(module);
  engine = true;
  return exports;
}

/** Throws the reason `new JRPC.WebSocket` cannot run yet: the wasm failed, or is not loaded. */
export function engineReady() {
  if (engine === true) return;
  throw new JrpcError(
    engine instanceof Error
      ? `jrpc: the client's wasm did not load: ${engine.message}`
      : "jrpc: the client's wasm is not loaded yet: await init() first (or import the package's main entry, which does)",
    INTERNAL_ERROR,
  );
}

/**
 * The wasm at `url()` compiled, when it is there and is wasm; otherwise the
 * one whose bytes `inline()`'s module exports, as base64. A failure to
 * compile (a Content-Security-Policy without 'wasm-unsafe-eval') is not a
 * reason to fetch the copy: it would fail the same way.
 */
export async function auto(url, inline) {
  let bytes;
  try {
    const response = await fetch(url());
    if (response.ok) bytes = new Uint8Array(await response.arrayBuffer());
  } catch {
    // Not there, not reachable, or no `import.meta.url` (an IIFE bundle): the inline copy.
  }
  // "\0asm": a server's fallback page (Vite's dev server answers an HTML page) is not wasm.
  if (!(bytes?.[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d)) {
    bytes = Uint8Array.from(atob((await inline()).default), (c) => c.charCodeAt(0));
  }
  return WebAssembly.compile(bytes);
}

/** `source` (anything `init({module_or_path})` takes) compiled. */
async function compile(source) {
  source = await source;
  if (source instanceof WebAssembly.Module) return source;
  if (!(source instanceof Response)) {
    if (!(typeof source === "string" || source instanceof URL || source instanceof Request)) {
      return WebAssembly.compile(source);
    }
    source = await fetch(source);
  }
  if (!source.ok) throw new Error(`fetching ${source.url} answered ${source.status} ${source.statusText}`);
  return WebAssembly.compile(await source.arrayBuffer());
}
