// JavaScript helpers for jrpc-client-wasm: the few things that are simpler
// (and smaller) in JavaScript than through web-sys. Imported by src/js.rs.

/** The error every failed call rejects with: a real Error with `code` and `data`. */
export class JrpcError extends Error {
  constructor(message, code, data) {
    super(message);
    this.name = "JRPC.Error";
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

/** New JRPC.Error from Rust: `dataJson` is the data member as JSON text, if any. */
export function makeError(message, code, dataJson) {
  return new JrpcError(message, code, dataJson === undefined ? undefined : JSON.parse(dataJson));
}

/**
 * Makes the exported `JRPC.Error` class (whose instance `sample` is) recognise
 * JrpcError instances in `instanceof`, and makes its own instances Errors.
 */
export function linkErrorClass(sample) {
  const ctor = sample.constructor;
  if (Object.getPrototypeOf(ctor.prototype) === JrpcError.prototype) return;
  Object.setPrototypeOf(ctor.prototype, JrpcError.prototype);
  Object.defineProperty(ctor, Symbol.hasInstance, {
    value: (v) => v instanceof JrpcError || Object.prototype.isPrototypeOf.call(ctor.prototype, v),
  });
}

/** JSON text of `value` (undefined stays undefined); NaN and Infinity are refused. */
export function stringify(value) {
  if (value === undefined) return undefined;
  // NaN and Infinity come out as `null`: text without "null" cannot hold one,
  // and skips the replacer, which costs more than the whole call otherwise.
  const text = JSON.stringify(value);
  if (text === undefined || !text.includes("null")) return text;
  return JSON.stringify(value, (key, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new TypeError(`cannot send ${v} as JSON${key ? ` (in "${key}")` : ""}: JSON has no NaN or Infinity`);
    }
    return v;
  });
}

/** Calls a browser method: an array spreads into arguments, an object is one argument. */
export function applyMethod(fn, paramsJson) {
  if (paramsJson === undefined) return fn();
  const params = JSON.parse(paramsJson);
  return Array.isArray(params) ? fn(...params) : fn(params);
}

/** Milliseconds on a monotonic clock, in windows and workers alike. */
export function now() {
  return performance.now();
}

/** Whether `value` is a Promise or other thenable. */
export function isThenable(value) {
  try {
    return value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function";
  } catch {
    // A revoked Proxy or a throwing `then` getter: not something to await.
    return false;
  }
}

/**
 * The JSON-RPC error object (as JSON text) for a value a browser method threw:
 * an Error with a numeric `code` keeps its code (and `data`), anything else is -32603.
 */
export function describeThrown(e) {
  try {
    return describe(e);
  } catch {
    // Exotic throwables (no prototype, revoked Proxy) must still get an answer.
    return JSON.stringify({ code: -32603, message: "Internal error: the method threw a value that cannot be described" });
  }
}

function describe(e) {
  const hasCode = e !== null && typeof e === "object" && Number.isInteger(e.code);
  const message = e instanceof Error || (e !== null && typeof e === "object" && typeof e.message === "string")
    ? e.message
    : String(e);
  const error = { code: hasCode ? e.code : -32603, message: hasCode ? message : `Internal error: ${message}` };
  if (hasCode && e.data !== undefined) {
    try {
      error.data = JSON.parse(stringify(e.data));
    } catch {
      // Data that cannot be sent is left out rather than failing the reply.
    }
  }
  return JSON.stringify(error);
}

/** Marks a promise as handled, so its rejection is not reported as unhandled. */
export function markHandled(promise) {
  promise.catch(() => {});
}

/** The original jrpc.js callbacks on top of a call's promise. */
export function withCallbacks(promise, onSuccess, onError) {
  return promise.then(
    typeof onSuccess === "function" ? onSuccess : undefined,
    // Without onError a failure would be an unhandled rejection: say it clearly instead.
    typeof onError === "function" ? onError : (e) => console.warn("jrpc: request failed:", e),
  );
}
