// The client tests' helpers. This module runs in the page, not in node:
// `clientTests` (helpers.mjs) loads it into a fresh page for every test and
// hands it to the test's body as its only argument. It holds the package's
// `JRPC` and the test server's URL, makes clients and calls, and has the
// checks (each throws an Error saying what was expected, which fails the test).
//
// Every await is bounded (`within`, BOUND_MS), so a bug fails a test with a
// message instead of hanging it; nothing here sleeps to synchronise: tests
// wait for promises, events, or the server's own view (`test.status`,
// `test.waitCancelled`).

/** The package's `JRPC` namespace (`JRPC.WebSocket`, `JRPC.Error`), once loaded. */
export let JRPC;
/** jrpc-test-server's WebSocket URL, `ws://127.0.0.1:PORT/rpc`. */
export let url;
/** Its host and port, for the original `new JRPC.WebSocket(host, port)` form. */
export let host;
export let port;

/** The longest any single await may take before the test fails. */
export const BOUND_MS = 5_000;

/** Imports the web build's `entry` module and initialises it; once per page. */
export async function load(entry, serverUrl) {
  const pkg = await import(entry);
  // The wasm build's default export instantiates the wasm; a package that
  // needs no start-up work may export none.
  if (typeof pkg.default === "function") await pkg.default();
  JRPC = pkg.JRPC;
  if (typeof JRPC?.WebSocket !== "function" || typeof JRPC?.Error !== "function") {
    throw new Error(`${entry} exports no JRPC.WebSocket and JRPC.Error`);
  }
  url = serverUrl;
  const parsed = new URL(serverUrl);
  host = parsed.hostname;
  port = Number(parsed.port);
}

// ---- values and checks ----

/** JSON text of a value (`"undefined"` for what JSON cannot hold). */
export function json(value) {
  try {
    return JSON.stringify(value) ?? "undefined";
  } catch {
    return String(value);
  }
}

/** A readable form of any thrown or rejected value. */
export function describe(value) {
  if (value !== null && typeof value === "object" && typeof value.message === "string") {
    const name = value.name || "Error";
    return typeof value.code === "number" ? `${name} (code ${value.code}): ${value.message}` : `${name}: ${value.message}`;
  }
  return typeof value === "string" ? value : json(value);
}

/** Fails with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Fails unless `actual` is `expected`: `===` for primitives, same JSON for arrays and objects. */
export function eq(actual, expected, what = "the value") {
  const same =
    expected !== null && typeof expected === "object" ? json(actual) === json(expected) : actual === expected;
  const show = (v) => (typeof v === "string" ? JSON.stringify(v) : json(v));
  check(same, `${what} is ${show(actual)}, expected ${show(expected)}`);
}

/** Fails unless `error` is a `JRPC.Error` (and an `Error`) with this `code`. */
export function expectCode(error, code, what) {
  check(error instanceof JRPC.Error && error instanceof Error, `${what}: expected a JRPC.Error, got ${describe(error)}`);
  check(error.code === code, `${what}: expected code ${code}, got ${describe(error)}`);
}

/** Fails unless `fn()` throws a `TypeError`; returns its message. */
export function expectTypeError(fn, what) {
  let value;
  try {
    value = fn();
  } catch (e) {
    if (e instanceof TypeError) return e.message;
    throw new Error(`${what}: expected a TypeError, got ${describe(e)}`);
  }
  // A promise here (request, batch) may still reject: that is no TypeError at the call.
  value?.catch?.(() => {});
  throw new Error(`${what}: expected a TypeError, but it returned ${value instanceof Promise ? "a promise" : json(value)}`);
}

/** What `fn()` throws; fails with `otherwise` if it returns. */
export function thrown(fn, otherwise) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error(otherwise);
}

let uniqueCount = 0;
/** A `test.hang` key no other test (in this run or an earlier one) uses. */
export function unique(prefix) {
  uniqueCount += 1;
  return `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e9)}-${uniqueCount}`;
}

// ---- bounded awaits ----

const TIMED_OUT = Symbol("timed out");
const PENDING = Symbol("pending");

/**
 * Settles `promise` or gives up after `ms`: `{ ok: true, value }` or
 * `{ ok: false, error }`; a timeout fails the test. `what` (a string, or a
 * function giving one at the timeout) says what was waited for.
 */
export async function within(promise, ms, what) {
  let timer;
  const limit = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  let settled;
  try {
    const value = await Promise.race([promise, limit]);
    settled = value === TIMED_OUT ? null : { ok: true, value };
  } catch (error) {
    settled = { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
  if (settled === null) {
    throw new Error(`timed out after ${ms} ms waiting for ${typeof what === "function" ? what() : what}`);
  }
  return settled;
}

/** The value `promise` resolves with (bounded by BOUND_MS). */
export async function resolves(promise, what) {
  const settled = await within(promise, BOUND_MS, what);
  if (!settled.ok) throw new Error(`${what} rejected: ${describe(settled.error)}`);
  return settled.value;
}

/** The value `promise` rejects with (bounded by BOUND_MS). */
export async function rejects(promise, what) {
  const settled = await within(promise, BOUND_MS, what);
  if (settled.ok) throw new Error(`${what} resolved with ${json(settled.value)} instead of rejecting`);
  return settled.error;
}

/**
 * How `promise` is settled right now, without waiting for timers or I/O:
 * `null` while pending, else `{ ok, value }` / `{ ok, error }`. The promise
 * itself goes first into the race (not a `.then` of it, which would settle
 * one microtask too late), so an already settled promise wins.
 */
export async function settledNow(promise) {
  try {
    const value = await Promise.race([promise, Promise.resolve(PENDING)]);
    return value === PENDING ? null : { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The error `promise` has already rejected with; fails if it is pending or resolved. */
export async function rejectedNow(promise, what) {
  const now = await settledNow(promise);
  check(now !== null, `${what} did not reject at once (still pending)`);
  check(!now.ok, `${what} resolved with ${json(now.value)} instead of rejecting at once`);
  return now.error;
}

// ---- clients and calls ----

/** `new JRPC.WebSocket(url, options)`, not waiting for it to open. */
export function client(options) {
  return options === undefined ? new JRPC.WebSocket(url) : new JRPC.WebSocket(url, options);
}

/** A client whose `ready` has resolved. */
export async function openClient(options) {
  const rpc = client(options);
  await resolves(rpc.ready, "rpc.ready");
  eq(rpc.state, "open", "rpc.state after ready");
  return rpc;
}

/** `rpc.request(method, params)`, or with `options` as third argument. */
export function call(rpc, method, params, options) {
  return options === undefined ? rpc.request(method, params) : rpc.request(method, params, options);
}

/** The JSON text of the result of `rpc.request(method, params)`. */
export async function answer(rpc, method, params) {
  return json(await resolves(call(rpc, method, params), `${method} ${json(params)}`));
}

/** The error `rpc.request(method, params)` rejects with. */
export async function failure(rpc, method, params) {
  return rejects(call(rpc, method, params), `${method} ${json(params)}`);
}

/** Fails with `what` unless the server drops `test.hang` call `key` within 3 s
 * (`test.waitCancelled`: the server's own view that the handler stopped). */
export async function expectCancelled(rpc, key, what) {
  check((await answer(rpc, "test.waitCancelled", [key, 3000])) === "true", `${what} (key ${key})`);
}

/** Asks `test.status` until the handler of `test.hang` `key` has started
 * (each answer comes after the server has read everything sent before it). */
export async function waitStarted(rpc, key) {
  for (let i = 0; i < 200; i++) {
    const status = await resolves(call(rpc, "test.status", [key]), "test.status");
    if (status?.started === true) return;
  }
  throw new Error(`test.hang ${key} never started`);
}

// ---- callbacks ----

/** A promise with its resolve and reject functions, for callbacks. */
export class Deferred {
  constructor() {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** A browser method that reports its call and answers only when released. */
export class Held {
  constructor() {
    let onCall;
    let release;
    /** Resolves with the call's arguments (an array) once it is called. */
    this.called = new Promise((resolve) => {
      onCall = resolve;
    });
    const answer = new Promise((resolve) => {
      release = resolve;
    });
    /** The function to register. */
    this.method = (...args) => {
      onCall(args);
      return answer;
    };
    /** Answers the call with `value`. */
    this.answer = (value) => release(value);
  }
}

/** Records a client's events and lets a test wait for them. */
export class Events {
  /** Listens to every event type of `rpc`. */
  static of(rpc) {
    const events = new Events();
    for (const kind of ["open", "close", "reconnecting", "error"]) rpc.addEventListener(kind, events.listener);
    return events;
  }

  constructor() {
    this.log = [];
    this.wakers = [];
    /** The listener itself, e.g. to remove it. */
    this.listener = (event) => {
      this.log.push(event);
      for (const wake of this.wakers.splice(0)) wake();
    };
  }

  /** The types of the events so far, in order. */
  types() {
    return this.log.map((e) => e.type);
  }

  /** The first event of type `kind`, or undefined. */
  first(kind) {
    return this.log.find((e) => e.type === kind);
  }

  /** The latest event, or undefined. */
  last() {
    return this.log[this.log.length - 1];
  }

  /** Waits until `count` events of type `kind` have been seen. */
  async wait(kind, count) {
    const reached = () => this.log.filter((e) => e.type === kind).length >= count;
    const seen = new Promise((resolve) => {
      const test = () => (reached() ? resolve() : this.wakers.push(test));
      test();
    });
    // The description is made at the timeout, to show what had been seen by then.
    await within(seen, BOUND_MS, () => `${count} "${kind}" event(s); saw ${json(this.types())}`);
  }
}
