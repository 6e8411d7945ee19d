// The builder a `batch` callback receives.

import { methodName, paramsJson } from "./options.js";

export class Batch {
  constructor() {
    /** `[method, params, isRequest]`; null once the batch was sent. */
    this.entries = [];
  }

  /** Adds a request; its result is at this position in the batch's results. */
  request(method, params) {
    this.push(method, params, true);
  }

  /** Adds a notification. */
  invoke(method, params) {
    this.push(method, params, false);
  }

  /** Same as `invoke`. */
  notify(method, params) {
    this.push(method, params, false);
  }

  push(method, params, request) {
    const text = paramsJson(params);
    if (!this.entries) throw new TypeError("jrpc: this batch was already sent; add calls inside the batch callback");
    this.entries.push([methodName(method), text, request]);
  }

  /** Ends the builder: later additions throw. */
  take() {
    const entries = this.entries;
    this.entries = null;
    return entries;
  }
}
