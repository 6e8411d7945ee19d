// Running a browser method the server called: call the app's function with
// the params, await it if it returns a promise, and hand the outcome to
// `finish` as JSON text: `finish(resultJson)` or `finish(undefined, error)`.

import { INTERNAL_ERROR, describeThrown } from "./errors.js";
import { stringify } from "./json.js";

/** Calls `fn` with `params` (JSON text, or undefined for none). */
export function run(fn, params, finish) {
  const settle = (value) => {
    let text;
    try {
      text = stringify(value);
    } catch (e) {
      const detail = e instanceof Error ? e.message : typeof e === "string" ? e : "";
      return finish(undefined, { code: INTERNAL_ERROR, message: `Internal error: the method's result cannot be sent as JSON: ${detail}` });
    }
    finish(text ?? "null");
  };
  const failed = (e) => finish(undefined, describeThrown(e));
  let value;
  try {
    if (params === undefined) value = fn();
    else {
      const p = JSON.parse(params);
      // An array spreads into arguments, an object is one argument.
      value = Array.isArray(p) ? fn(...p) : fn(p);
    }
  } catch (e) {
    return failed(e);
  }
  if (isThenable(value)) Promise.resolve(value).then(settle, failed);
  else settle(value);
}

/** Whether `value` is a Promise or another thenable. */
function isThenable(value) {
  try {
    return value !== null && (typeof value === "object" || typeof value === "function") && typeof value.then === "function";
  } catch {
    // A revoked Proxy or a throwing `then` getter: not something to await.
    return false;
  }
}
