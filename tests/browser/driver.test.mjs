// Unit tests of the browser driver's pure parts, in Node (no browser, no
// wasm): reconnect backoff, the one deadline timer of `Calls` with a
// stand-in engine and a hand-driven clock, and a subscription's bounded
// buffer of items and gaps.

import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_BACKOFF, delayMs } from "../../client-wasm/js/backoff.js";
import { Calls } from "../../client-wasm/js/calls.js";

test("backoff doubles up to the maximum, with jitter", () => {
  assert.equal(delayMs(DEFAULT_BACKOFF, 0, 0), 125);
  assert.equal(delayMs(DEFAULT_BACKOFF, 0, 1), 250);
  assert.equal(delayMs(DEFAULT_BACKOFF, 3, 1), 2000);
  assert.equal(delayMs(DEFAULT_BACKOFF, 30, 1), 30000);
  assert.equal(delayMs(DEFAULT_BACKOFF, 1000, 0.5), 22500);
  for (let attempt = 0; attempt < 20; attempt++) {
    const d = delayMs(DEFAULT_BACKOFF, attempt, 0.37);
    assert.ok(d > 0 && d <= 30000, `attempt ${attempt}: ${d}`);
  }
});

/** An engine that numbers requests and remembers what waits, as the real one does. */
class FakeEngine {
  constructor() {
    this.next = 1;
    this.waiting = new Set();
  }
  template(method, params) {
    this.templates = (this.templates ?? 0) + 1;
    return `{"method":"${method}"${params ? ',"params":' : ""}\0,"id":\0}`;
  }
  request() {
    this.last = this.next++;
    this.waiting.add(this.last);
    return this.last;
  }
  cancel(id) {
    return this.waiting.delete(id) ? `cancel ${id}` : undefined;
  }
  id() {
    return this.last;
  }
  reset() {
    this.waiting.clear();
  }
}

/** Replaces the clock and setTimeout for the length of `body`. */
async function withClock(body) {
  const saved = { setTimeout, clearTimeout, now: performance.now };
  const clock = { now: 0, timers: new Map(), next: 1, set: [] };
  globalThis.setTimeout = (fn, ms) => {
    const id = clock.next++;
    clock.timers.set(id, { fn, at: clock.now + ms });
    clock.set.push(clock.now + ms);
    return id;
  };
  globalThis.clearTimeout = (id) => clock.timers.delete(id);
  performance.now = () => clock.now;
  clock.advance = (to) => {
    clock.now = to;
    for (const [id, t] of [...clock.timers]) {
      if (t.at <= to) {
        clock.timers.delete(id);
        t.fn();
      }
    }
  };
  try {
    await body(clock);
  } finally {
    globalThis.setTimeout = saved.setTimeout;
    globalThis.clearTimeout = saved.clearTimeout;
    performance.now = saved.now;
  }
}

test("one timer: it moves only for a call due before every other", () =>
  withClock(async (clock) => {
    const sent = [];
    const engine = new FakeEngine();
    let settled = 0;
    const calls = new Calls(engine, (text) => (sent.push(text), true), 10, 30000, () => settled++);
    const outcome = (p) => p.then((v) => ["ok", v], (e) => ["error", e.code, e.message]);
    clock.now = 10.2;
    const a = outcome(calls.request("a", undefined, { timeoutMs: 100 }));
    assert.deepEqual(clock.set, [111]);
    clock.now = 20;
    const b = outcome(calls.request("b", undefined, { timeoutMs: 500 }));
    assert.deepEqual(clock.set, [111], "a later deadline leaves the timer");
    const c = outcome(calls.request("c", undefined, { timeoutMs: 50 }));
    assert.deepEqual(clock.set, [111, 70], "an earlier one moves it");
    assert.equal(clock.timers.size, 1, "one timer at a time");
    const d = outcome(calls.request("d", undefined, { timeoutMs: Infinity }));
    assert.equal(clock.set.length, 2, "no timeout, no timer");

    clock.advance(70);
    assert.deepEqual(await c, ["error", -32002, "no answer within 50 ms; the request was cancelled"]);
    assert.ok(sent.includes("cancel 3"), "the server is told");
    assert.deepEqual(clock.set, [111, 70, 111], "then set for the next due");
    engine.waiting.delete(1); // the engine took the response's id before reporting it
    calls.settle(1, "answered");
    assert.deepEqual(await a, ["ok", "answered"]);
    clock.advance(111);
    assert.deepEqual(clock.set.slice(3), [520], "the settled call no longer counts");
    clock.advance(520);
    assert.equal((await b)[1], -32002);
    assert.equal(clock.timers.size, 0, "nothing left with a deadline");
    assert.deepEqual([...engine.waiting], [4], "only the call without a timeout waits");
    calls.close(new Error("closed"));
    assert.deepEqual(await d, ["error", undefined, "closed"]);
    assert.equal(engine.waiting.size, 0);
    assert.equal(settled, 4, "the client hears of every call that leaves the book");
  }));

test("a call queued before the socket opens leaves the queue when it times out", () =>
  withClock(async (clock) => {
    let open = false;
    const sent = [];
    const engine = new FakeEngine();
    const calls = new Calls(engine, (text) => open && (sent.push(text), true), 2, 30000, () => {});
    const first = calls.request("first", undefined, { timeoutMs: 10 }).catch((e) => e.code);
    const second = calls.request("second", undefined, {});
    const third = calls.request("third", undefined, {});
    assert.equal((await third.catch((e) => e)).code, -32004, "the queue is bounded");
    assert.deepEqual([...engine.waiting], [1, 2], "a refused call leaves the engine too");
    clock.advance(10);
    assert.equal(await first, -32002);
    open = true;
    calls.flush();
    assert.deepEqual(sent, ['{"method":"second","id":2}'], "no cancel for a call never sent");
    engine.waiting.delete(2);
    calls.settle(2, 42);
    assert.equal(await second, 42);
  }));

test("call text: the engine's template per method, filled in, kept and bounded", () => {
  const sent = [];
  const engine = new FakeEngine();
  const calls = new Calls(engine, (text) => (sent.push(text), true), 10, Infinity, () => {});
  calls.request("a", "[1]", {});
  calls.request("a", "[2]", {});
  calls.notify("a", "[3]");
  calls.request("a", undefined, {});
  calls.notify("a");
  assert.deepEqual(sent, [
    '{"method":"a","params":[1],"id":1}',
    '{"method":"a","params":[2],"id":2}',
    '{"method":"a","params":[3]}',
    '{"method":"a","id":3}',
    '{"method":"a"}',
  ]);
  assert.equal(engine.templates, 2, "one template with params, one without, each asked for once");
  for (let i = 0; i < 300; i++) calls.notify(`m${i}`, "[0]");
  assert.equal(engine.templates, 302);
  calls.notify("a", "[4]");
  assert.equal(engine.templates, 303, "the kept templates are bounded: an old one is asked for again");
  assert.equal(sent.at(-1), '{"method":"a","params":[4]}');
});

/** Subscriptions with a stand-in engine and calls: what the app reads, in order. */
async function subscription(options) {
  const { Subscriptions } = await import("../../client-wasm/js/subscriptions.js");
  const engine = { subscribe: (key, name) => (name ? `${name}.subscribe\0${name}.unsubscribe` : undefined) };
  const calls = { request: async () => '"s1"', closed: false };
  const subs = new Subscriptions(engine, calls);
  const sub = await subs.open("t", undefined, { bufferSize: 3, ...options });
  const frame = JSON.stringify([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  // The engine's report of item `k` of `frame` (offsets of its text).
  const item = (k) => {
    const start = frame.indexOf(String(10 + k));
    subs.deliver(sub.key, frame, start, start + 2);
  };
  const gap = (n) => subs.deliver(sub.key, frame, -1, n ?? -1);
  const end = (error) => subs.deliver(sub.key, frame, -2, 0, error && JSON.stringify(error));
  return { sub, item, gap, end };
}

/** Reads `sub` to its end: `["item", v]`, `["gap", n]`, then `["done"]` or `["error", code]`. */
async function readAll(sub, log) {
  try {
    for await (const value of sub) log.push(["item", value]);
    log.push(["done"]);
  } catch (e) {
    log.push(["error", e.code]);
  }
  return log;
}

test("a subscription's buffer keeps the newest items and counts the rest as gaps", async () => {
  const log = [];
  const { sub, item, gap, end } = await subscription({ onGap: (n) => log.push(["gap", n]) });
  for (let k = 0; k < 6; k++) item(k);
  gap(2);
  gap(3);
  item(6);
  end({ code: 7, message: "over" });
  await readAll(sub, log);
  // Seven items into three places: 10 to 13 dropped as the newer came
  // (one gap of 4), the server's own gaps of 2 and 3 merged (5).
  assert.deepEqual(log, [
    ["gap", 4],
    ["item", 14],
    ["item", 15],
    ["gap", 5],
    ["item", 16],
    ["error", 7],
  ]);
  assert.deepEqual(await sub.next(), { value: undefined, done: true }, "an error is reported once");
});

test("a gap of unknown size stays unknown when merged", async () => {
  const log = [];
  const { sub, item, gap, end } = await subscription({ onGap: (n) => log.push(["gap", n]) });
  item(0);
  gap(null);
  gap(4);
  item(1);
  end();
  await readAll(sub, log);
  assert.deepEqual(log, [["item", 10], ["gap", null], ["item", 11], ["done"]]);
});

test("a waiting reader is woken after the engine's report, not inside it", async () => {
  const { sub, item, end } = await subscription({});
  const next = sub.next();
  let settled = false;
  next.then(() => (settled = true));
  item(0);
  assert.equal(settled, false, "app code never runs inside the engine's report");
  assert.deepEqual(await next, { value: 10, done: false });
  end();
  assert.deepEqual(await sub.next(), { value: undefined, done: true });
});

test("a subscribe given up on and accepted late is ended at the server, after the engine's report", { timeout: 5000 }, async () => {
  const { Subscriptions } = await import("../../client-wasm/js/subscriptions.js");
  const sent = [];
  const engine = { subscribe: (key, name) => (name ? `${name}.subscribe\0${name}.unsubscribe` : undefined) };
  const calls = {
    closed: false,
    request: async (method, params) => {
      sent.push([method, params]);
      if (method === "t.subscribe") throw Object.assign(new Error("no answer"), { code: -32002 });
      return true;
    },
  };
  const subs = new Subscriptions(engine, calls);
  await assert.rejects(subs.open("t", undefined, { bufferSize: 3 }), { code: -32002 });
  // The engine reports the late acceptance (key 1) with the unsubscribe params.
  subs.deliver(1, "", -3, 0, '["s7"]');
  assert.deepEqual(sent, [["t.subscribe", undefined]], "nothing is sent inside the report");
  await Promise.resolve();
  assert.deepEqual(sent[1], ["t.unsubscribe", '["s7"]']);
  // Once only, and never for a subscription nobody gave up on.
  subs.deliver(1, "", -3, 0, '["s7"]');
  subs.deliver(9, "", -3, 0, '["s8"]');
  await Promise.resolve();
  assert.equal(sent.length, 2);
});

test("an abort that fails to unsubscribe rejects nothing unhandled, and an abort before the answer ends it", { timeout: 5000 }, async () => {
  const { Subscriptions } = await import("../../client-wasm/js/subscriptions.js");
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  try {
    const engine = { subscribe: (key, name, stop) => (name ? `${name}.subscribe\0${name}.unsubscribe` : stop ? '["s1"]' : undefined) };
    const ac = new AbortController();
    const calls = {
      closed: false,
      request: async (method) => {
        if (method === "t.unsubscribe") throw Object.assign(new Error("Method not found"), { code: -32601 });
        // Aborted while the answer is on its way.
        if (method === "t.subscribe") ac.abort();
        return '"s1"';
      },
    };
    const sub = await new Subscriptions(engine, calls).open("t", undefined, { bufferSize: 3, signal: ac.signal });
    await assert.rejects(sub.next(), { code: -32800 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
