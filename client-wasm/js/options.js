// Reading the constructor's and the calls' arguments: options and params.

import { DEFAULT_BACKOFF } from "./backoff.js";
import { stringify } from "./json.js";

/** The WebSocket path of jrpc-server, for the `(host, port)` form. */
const DEFAULT_PATH = "/rpc";

export const isObject = (v) => typeof v === "object" && v !== null;

const get = (object, key) => (isObject(object) ? object[key] : undefined);

function number(object, key) {
  const value = get(object, key);
  if (value === undefined) return undefined;
  if (typeof value === "number" && value >= 0) return value;
  throw new TypeError(`jrpc: option ${key} must be a non-negative number`);
}

/** A port as `u32`: a number (truncated), or a string of digits. */
function port(value) {
  if (typeof value === "number") return value > 0 ? Math.min(Math.trunc(value), 4294967295) : 0;
  if (typeof value === "string" && /^\+?\d+$/.test(value) && Number(value) <= 4294967295) return Number(value);
  return undefined;
}

/**
 * `new JRPC.WebSocket(url, options)` or the original `(host, port,
 * localMethods, onOpen)`: `{config, methods, onOpen}`.
 */
export function construct(first, second, third, fourth) {
  const p = port(second);
  if (typeof first === "string" && p !== undefined) {
    return {
      config: config(`ws://${first}:${p}${DEFAULT_PATH}`, undefined),
      methods: third,
      onOpen: typeof fourth === "function" ? fourth : undefined,
    };
  }
  if (typeof first !== "string") {
    throw new TypeError('jrpc: new JRPC.WebSocket(url, options) needs a URL such as "ws://127.0.0.1:8080/rpc"');
  }
  return { config: config(first, second), methods: get(second, "methods") };
}

function config(url, options) {
  if (!(options === undefined || options === null || isObject(options))) {
    throw new TypeError("jrpc: the second argument must be an options object");
  }
  const dialect = get(options, "dialect") ?? "json-rpc";
  if (dialect !== "json-rpc" && dialect !== "jrpc") {
    throw new TypeError('jrpc: option dialect must be "json-rpc" or "jrpc" (the original jrpc protocol)');
  }
  const auth = get(options, "auth");
  if (auth !== undefined && typeof auth !== "function") {
    throw new TypeError("jrpc: option auth must be a function that returns the token (or a promise of it)");
  }
  return {
    url,
    auth,
    legacy: dialect === "jrpc",
    timeoutMs: number(options, "timeoutMs") ?? 30000,
    heartbeatMs: number(options, "heartbeatMs") ?? 30000,
    reconnect: reconnect(get(options, "reconnect")),
    maxQueued: Math.trunc(number(options, "maxQueued") ?? 1024),
    maxInFlight: Math.max(1, Math.trunc(Math.min(number(options, "maxInFlight") ?? 1024, 4294967295))),
  };
}

function reconnect(value) {
  if (value === undefined || value === true) return DEFAULT_BACKOFF;
  if (value === false || value === null) return null;
  return {
    initialDelayMs: number(value, "initialDelayMs") ?? DEFAULT_BACKOFF.initialDelayMs,
    maxDelayMs: number(value, "maxDelayMs") ?? DEFAULT_BACKOFF.maxDelayMs,
    maxRetries: number(value, "maxRetries") ?? DEFAULT_BACKOFF.maxRetries,
  };
}

/** The options of a call given none (shared: read, never written). */
const NO_OPTIONS = Object.freeze({});

/** Per-call options `{timeoutMs, signal}`; `null` if `value` is not such an object. */
export function callOptions(value) {
  if (value === undefined || value === null) return NO_OPTIONS;
  if (!isObject(value) || Array.isArray(value)) return null;
  if (!Object.keys(value).every((k) => k === "timeoutMs" || k === "signal")) return null;
  let signal = value.signal;
  if (signal === null) signal = undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError("jrpc: option signal must be an AbortSignal");
  }
  return { timeoutMs: number(value, "timeoutMs"), signal };
}

/** Params as JSON text: undefined for none, else an array or an object. */
export function paramsJson(params) {
  if (params === undefined || params === null) return undefined;
  const text = stringify(params) ?? "";
  if (text[0] !== "[" && text[0] !== "{") {
    throw new TypeError("jrpc: params must be an array (positional) or an object (named), or omitted");
  }
  return text;
}

/** `args` and `kwargs` of the original API: named params when `args` is empty. */
export function legacyParams(args, kwargs) {
  const hasArgs = Array.isArray(args) && args.length > 0;
  const hasKwargs = isObject(kwargs) && Object.keys(kwargs).length > 0;
  if (hasArgs && hasKwargs) {
    throw new TypeError("jrpc: JSON-RPC 2.0 params are either positional or named: pass args or kwargs, not both");
  }
  return paramsJson(hasKwargs ? kwargs : args);
}

/** A method name, which must be a string. */
export function methodName(method) {
  if (typeof method !== "string") throw new TypeError("jrpc: the method name must be a string");
  return method;
}

/** `rpc.subscribe` options: the call options, `onGap`, `unsubscribe` and `bufferSize`. */
export function subscribeOptions(value) {
  const { onGap, unsubscribe, bufferSize, ...rest } = isObject(value) ? value : {};
  const options = Array.isArray(value) ? null : callOptions(isObject(value) ? rest : value);
  if (!options) throw new TypeError("jrpc: subscribe options may only hold timeoutMs, signal, onGap, unsubscribe and bufferSize");
  if (onGap !== undefined && typeof onGap !== "function") throw new TypeError("jrpc: option onGap must be a function");
  if (unsubscribe !== undefined) methodName(unsubscribe);
  return { ...options, onGap, unsubscribe, bufferSize: Math.max(1, Math.trunc(number(value, "bufferSize") ?? 1024)) };
}
