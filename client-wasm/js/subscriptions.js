// Subscriptions: the server's live items as async iterators that outlive
// reconnects. The engine routes the server's messages to them by key, tells
// gaps, and writes the `resume` member of a resubscribe; this keeps each
// one's items until the app reads them, and resubscribes after a reconnect.

import { CONNECTION_CLOSED, JrpcError, aborted } from "./errors.js";

export class Subscriptions {
  /** `calls.request(method, params, options, key)` sends subscribe requests (`key`) and unsubscribes. */
  constructor(engine, calls) {
    this.engine = engine;
    this.calls = calls;
    /** key → Subscription, from the subscribe request until it ends. */
    this.live = new Map();
    this.nextKey = 1;
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
      throw e;
    }
    sub.state = "live";
    const signal = options.signal;
    if (signal) {
      sub.onAbort = () => sub.stop(aborted());
      signal.addEventListener("abort", sub.onAbort, { once: true });
    }
    return sub;
  }

  /** The engine read a message of subscription `key` (see the engine's sink): defers all app code. */
  deliver(key, frame, start, end, error) {
    const sub = this.live.get(key);
    if (!sub) return;
    if (start >= 0) sub.push({ value: JSON.parse(frame.slice(start, end)) });
    else if (start === -1) sub.push({ gap: end < 0 ? null : end });
    else {
      const e = error === undefined ? undefined : JSON.parse(error);
      sub.end(e && new JrpcError(e.message, e.code, e.data));
    }
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
      this.calls.request(sub.method, sub.params, {}, sub.key).then(
        // Ended by the app meanwhile: the server's new subscription goes too.
        () => (sub.ended ? sub.release() : (sub.state = "live")),
        // Lost again before the answer: the next connection tries again.
        (e) => (e.code === CONNECTION_CLOSED && !this.calls.closed ? (sub.state = "lost") : sub.end(e)),
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
