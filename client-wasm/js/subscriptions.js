// Subscriptions: the server's live items as async iterators that outlive
// reconnects. The engine routes the server's messages to them by key, tells
// gaps, and writes the `resume` member of a resubscribe; this keeps each
// one's items until the app reads them, and resubscribes after a reconnect.

import { CONNECTION_CLOSED, JrpcError, REQUEST_CANCELLED, REQUEST_TIMEOUT, aborted } from "./errors.js";

/** Given-up subscribe requests remembered, to end one the server accepts late. */
const MAX_ABANDONED = 64;

export class Subscriptions {
  /** `calls.request(method, params, options, key)` sends subscribe requests (`key`) and unsubscribes. */
  constructor(engine, calls) {
    this.engine = engine;
    this.calls = calls;
    /** key → Subscription, from the subscribe request until it ends. */
    this.live = new Map();
    /** key → unsubscribe method, of subscribe requests given up on (timed out, aborted). */
    this.abandoned = new Map();
    this.nextKey = 1;
  }

  /** A subscribe request of `sub` failed with `e`: if it was given up on, the server may still accept it. */
  gaveUp(sub, e) {
    if (e?.code !== REQUEST_TIMEOUT && e?.code !== REQUEST_CANCELLED) return;
    if (this.abandoned.size >= MAX_ABANDONED) this.abandoned.delete(this.abandoned.keys().next().value);
    this.abandoned.set(sub.key, sub.unsubscribeMethod);
  }

  /** `rpc.subscribe(name, params, options)`: resolves once the server accepted. */
  async open(name, params, options) {
    const [method, unsubscribe] = this.engine.subscribe(0, name, false).split("\0");
    const sub = new Subscription(this, this.nextKey++, method, params, options.unsubscribe ?? unsubscribe, options);
    this.live.set(sub.key, sub);
    try {
      await this.calls.request(method, params, options, sub.key);
    } catch (e) {
      this.live.delete(sub.key);
      this.gaveUp(sub, e);
      throw e;
    }
    // Ended already (by the server, in the answer's frame): its items stay readable.
    if (sub.ended) return sub;
    sub.state = "live";
    const signal = options.signal;
    if (signal) {
      // An unsubscribe that fails (a wrong name, say) has nobody to tell.
      sub.onAbort = () => void sub.stop(aborted()).catch(() => {});
      if (signal.aborted) sub.onAbort();
      else signal.addEventListener("abort", sub.onAbort, { once: true });
    }
    return sub;
  }

  /** The engine read a message of subscription `key` (see the engine's sink): defers all app code. */
  deliver(key, frame, start, end, error) {
    if (start === -3) return this.endLate(key, error);
    const sub = this.live.get(key);
    if (!sub) return;
    if (start >= 0) sub.push({ value: JSON.parse(frame.slice(start, end)) });
    else if (start === -1) sub.push({ gap: end < 0 ? null : end });
    else {
      const e = error === undefined ? undefined : JSON.parse(error);
      sub.end(e && new JrpcError(e.message, e.code, e.data));
    }
  }

  /** A subscribe request given up on was accepted after all: ends it at the server, with `params` from the engine. */
  endLate(key, params) {
    const method = this.abandoned.get(key);
    if (method === undefined) return;
    this.abandoned.delete(key);
    // After the engine's report: sending is a call into it.
    queueMicrotask(() => this.calls.request(method, params, {}).catch(() => {}));
  }

  /** The connection dropped: live subscriptions resume on the next one. */
  lost() {
    for (const sub of this.live.values()) if (sub.state === "live") sub.state = "lost";
  }

  /** A connection opened: resubscribes each lost subscription from where it stood (the engine adds where). */
  opened() {
    for (const sub of this.live.values()) {
      if (sub.state !== "lost") continue;
      sub.state = "subscribing";
      this.calls.request(sub.method, sub.params, { timeoutMs: sub.timeoutMs }, sub.key).then(
        // Ended by the app meanwhile: the server's new subscription goes too.
        () => (sub.ended ? sub.release().catch(() => {}) : (sub.state = "live")),
        (e) => {
          // Lost again before the answer: the next connection tries again.
          if (e.code === CONNECTION_CLOSED && !this.calls.closed) return (sub.state = "lost");
          this.gaveUp(sub, e);
          sub.end(e);
          // Its place in the engine's book goes too.
          this.engine.subscribe(sub.key, undefined, true);
        },
      );
    }
  }

  /** The client closed for good: every subscription ends with `error`. */
  close(error) {
    for (const sub of [...this.live.values()]) sub.end(error);
  }
}

/**
 * One subscription: `for await (const item of sub)`, ended by the server,
 * `unsubscribe()`, `break`, the signal, or the client's close.
 */
class Subscription {
  constructor(owner, key, method, params, unsubscribe, options) {
    this.owner = owner;
    this.key = key;
    this.method = method;
    this.params = params;
    this.unsubscribeMethod = unsubscribe;
    this.onGap = options.onGap;
    this.signal = options.signal;
    /** The subscribe request's own timeout, for resubscribes too. */
    this.timeoutMs = options.timeoutMs;
    this.bufferSize = options.bufferSize;
    /** `"subscribing"`, `"live"`, `"lost"` (waiting for a connection) or `"ended"`. */
    this.state = "subscribing";
    /** What the app has not read yet: `{value}` and `{gap}`, in order; `items` of them values. */
    this.queue = [];
    this.items = 0;
    /** `next()` calls waiting for an item: [resolve, reject]. */
    this.waiting = [];
    /** Once ended: `{error}` (undefined error: completed). */
    this.ended = undefined;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  /** The next item; rejects with the `JRPC.Error` the subscription ended with. */
  next() {
    for (let entry; (entry = this.queue.shift()); ) {
      if (!("gap" in entry)) {
        this.items--;
        return Promise.resolve({ value: entry.value, done: false });
      }
      try {
        this.onGap?.(entry.gap);
      } catch (e) {
        console.warn("jrpc: an onGap callback threw:", e);
      }
    }
    const ended = this.ended;
    if (ended) {
      // An error is reported once; then the iterator is done, as a finished generator.
      const error = ended.error;
      ended.error = undefined;
      return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiting.push([resolve, reject]));
  }

  /** `break` out of `for await`: unsubscribes. */
  return() {
    this.unsubscribe().catch(() => {});
    return Promise.resolve({ value: undefined, done: true });
  }

  /**
   * Ends the subscription and tells the server: resolves with its answer
   * (`false` when there was nothing to end there, e.g. while reconnecting).
   */
  unsubscribe() {
    return this.stop(undefined);
  }

  /** Ends it here with `error` (or done), and at the server if it is live there. */
  stop(error) {
    if (this.ended) return Promise.resolve(false);
    this.end(error);
    return this.release();
  }

  /** Forgets it in the engine, and unsubscribes at the server if it is live there: the server's answer. */
  release() {
    const params = this.owner.engine.subscribe(this.key, undefined, true);
    if (params === undefined) return Promise.resolve(false);
    return this.owner.calls.request(this.unsubscribeMethod, params, {}).then(
      (answer) => answer === true,
      // Gone with the connection is gone all the same.
      (e) => (e.code === CONNECTION_CLOSED ? false : Promise.reject(e)),
    );
  }

  /** An item or a gap (`{gap: n | null}`) for the app; the oldest item goes when the buffer is full. */
  push(entry) {
    const queue = this.queue;
    if ("gap" in entry) {
      this.gap(queue.length, entry.gap);
    } else {
      if (this.items >= this.bufferSize) {
        // What the app misses is a gap too.
        const i = queue.findIndex((e) => "value" in e);
        queue.splice(i, 1);
        this.items--;
        this.gap(i, 1);
      }
      queue.push(entry);
      this.items++;
    }
    this.wake();
  }

  /** Puts a gap of `missed` items (null: unknown) at `i`, merged with one beside it: gaps alone never fill the queue. */
  gap(i, missed) {
    const next = [this.queue[i - 1], this.queue[i]].find((e) => e && "gap" in e);
    if (next) next.gap = next.gap === null || missed === null ? null : next.gap + missed;
    else this.queue.splice(i, 0, { gap: missed });
  }

  /** Ended (by the server, the client, or the app): items already got stay readable. */
  end(error) {
    if (this.ended) return;
    this.ended = { error };
    this.state = "ended";
    // The engine's book is not touched here: this may run inside its report.
    this.owner.live.delete(this.key);
    this.signal?.removeEventListener("abort", this.onAbort);
    while (this.waiting.length > 0) this.wake();
  }

  /** Answers the first waiting `next()`, later: never app code inside the engine's report. */
  wake() {
    const waiter = this.waiting.shift();
    if (waiter) Promise.resolve().then(() => this.next().then(...waiter));
  }
}
