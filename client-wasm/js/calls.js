// The book of the app's calls to the server: who waits for which id, the
// calls' deadlines (one timer for the earliest), and the messages written
// while the socket was not open.
//
// One owner for the three, because every way a call ends (answer, timeout,
// abort, lost connection, close) must update them together, and the engine's
// table of waiting ids with them: an id leaves the engine (`cancel`
// or a response it settles) exactly when it leaves `pending`.

import { CONNECTION_CLOSED, JrpcError, QUEUE_FULL, REQUEST_TIMEOUT, aborted, closed } from "./errors.js";

/** setTimeout's largest delay. */
const MAX_DELAY = 2147483647;
/** Call templates kept at most (one per method the app calls, and params or none). */
const MAX_TEMPLATES = 256;

export class Calls {
  /**
   * `send(text, cancel)` writes to the open socket and says whether it did
   * (a cancel goes out on a connection that takes no new calls, too);
   * `settled()` is told each time a call leaves the book.
   */
  constructor(engine, send, maxQueued, timeoutMs, settled) {
    this.engine = engine;
    this.send = send;
    this.settled = settled;
    this.maxQueued = maxQueued;
    this.timeoutMs = timeoutMs;
    /** id → {resolve, reject, sent, at, timeoutMs, signal, onAbort} */
    this.pending = new Map();
    /** Messages not sent yet: {ids, text}, in order. */
    this.queue = [];
    this.timer = undefined;
    this.firesAt = undefined;
    this.closed = false;
    /** The engine's call templates, in their three pieces, by method: without params, with. */
    this.templates = [new Map(), new Map()];
  }

  /** Sends a request (the subscribe request of subscription `key`, if given); the promise of its result. */
  request(method, params, options, key) {
    return new Promise((resolve, reject) => {
      // Like fetch: an already aborted signal means the call is never sent.
      if (options.signal?.aborted) return reject(aborted());
      const id = this.engine.request(key ?? 0);
      if (!id) return reject(closed());
      // A resubscribe ends with where to resume from.
      const text = this.text(method, params, id, key && this.engine.subscribe(key, undefined, false));
      const waiter = { resolve, reject, sent: false };
      this.pending.set(id, waiter);
      // Sent at once in the usual case, without the queue's book-keeping.
      const full = (waiter.sent = this.send(text)) ? undefined : this.enqueue([id], text);
      if (full) {
        this.finish(id);
        this.engine.cancel(id);
        return reject(full);
      }
      this.arm(id, waiter, options);
    });
  }

  /** Sends a notification; the error to throw, if any. */
  notify(method, params) {
    if (this.closed) return closed();
    return this.sendOrQueue([], this.text(method, params));
  }

  /** A call's text from the engine's template for the method (kept here, so no string crosses into wasm per call); a notification without `id`; `end` in place of the template's last piece. */
  text(method, params, id, end) {
    // Keyed by the name itself: a key made per call would be hashed per call.
    const templates = this.templates[params === undefined ? 0 : 1];
    let t = templates.get(method);
    if (!t) {
      // Bounded: an app that makes up method names must not grow it for ever.
      if (templates.size >= MAX_TEMPLATES) templates.clear();
      templates.set(method, (t = this.engine.template(method, params !== undefined).split("\0")));
    }
    return t[0] + (params ?? "") + (id === undefined ? "" : t[1] + id) + (end ?? t[2]);
  }

  /** Sends `entries` (`[method, params, isRequest]`) as one message. */
  batch(entries, options) {
    if (options.signal?.aborted) return Promise.reject(aborted());
    if (this.closed) return Promise.reject(closed());
    for (const [method, params, request] of entries) this.engine.batch(method, params, request);
    const text = this.engine.batch();
    // An empty batch is not sent (JSON-RPC has none): it has no results.
    if (text === undefined) return Promise.resolve([]);
    const ids = [];
    for (const [, , request] of entries) if (request) ids.push(this.engine.id(ids.length));
    const results = ids.map((id) => new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, sent: false })));
    const full = this.sendOrQueue(ids, text);
    if (full) {
      for (const id of ids) {
        this.finish(id);
        this.engine.cancel(id);
      }
      return Promise.reject(full);
    }
    for (const id of ids) this.arm(id, this.pending.get(id), options);
    return Promise.all(results);
  }

  /** Starts the timeout and abort listener of call `id`, which `waiter` waits for. */
  arm(id, waiter, options) {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    if (Number.isFinite(timeoutMs) && timeoutMs >= 0) {
      const now = performance.now();
      waiter.at = Math.ceil(now + timeoutMs);
      waiter.timeoutMs = Math.trunc(timeoutMs);
      // The timer moves only for a call due before every other.
      if (this.firesAt === undefined || waiter.at < this.firesAt) this.setTimer(waiter.at, now);
    }
    const signal = options.signal;
    if (signal) {
      waiter.signal = signal;
      waiter.onAbort = () => this.giveUp(id, aborted());
      signal.addEventListener("abort", waiter.onAbort);
    }
  }

  setTimer(at, now) {
    clearTimeout(this.timer);
    this.firesAt = at;
    this.timer = setTimeout(() => this.expire(), Math.min(Math.max(at - now, 0), MAX_DELAY));
  }

  /** The timer fired: fails the calls that are due and sets it for the next. */
  expire() {
    const now = performance.now();
    this.timer = this.firesAt = undefined;
    let next;
    const due = [];
    for (const [id, w] of this.pending) {
      if (w.at === undefined) continue;
      if (w.at <= now) due.push([id, w.timeoutMs]);
      else if (next === undefined || w.at < next) next = w.at;
    }
    if (next !== undefined) this.setTimer(next, now);
    for (const [id, ms] of due) {
      this.giveUp(id, new JrpcError(`no answer within ${ms} ms; the request was cancelled`, REQUEST_TIMEOUT));
    }
  }

  /** Gives up on call `id` (timeout, abort), telling the server if it was sent. */
  giveUp(id, error) {
    const cancel = this.engine.cancel(id);
    const waiter = this.finish(id);
    if (!waiter) return;
    if (waiter.sent) {
      if (cancel !== undefined) this.send(cancel, true);
    } else {
      // Not sent yet: out of its queued message, and a message (a request or
      // a batch) none of whose calls still waits is dropped.
      this.queue = this.queue.filter((u) => {
        const i = u.ids.indexOf(id);
        if (i < 0) return true;
        u.ids.splice(i, 1);
        return u.ids.length > 0;
      });
    }
    waiter.reject(error);
  }

  /** The server answered call `id` (the engine has settled it). */
  settle(id, value) {
    this.finish(id)?.resolve(value);
  }

  /** The server failed call `id`, or its answer could not be read. */
  fail(id, error) {
    this.finish(id)?.reject(error);
  }

  /** Takes call `id` out of the book, with its abort listener. */
  finish(id) {
    const waiter = this.pending.get(id);
    if (!waiter) return undefined;
    this.pending.delete(id);
    waiter.signal?.removeEventListener("abort", waiter.onAbort);
    this.settled();
    return waiter;
  }

  /** The socket opened: sends the queued messages in order. */
  flush() {
    while (this.queue.length > 0 && this.send(this.queue[0].text)) this.markSent(this.queue.shift().ids);
  }

  /** The connection dropped: calls it carried fail; queued ones wait for the next. */
  lost() {
    for (const [id, w] of this.pending) {
      if (!w.sent) continue;
      this.finish(id);
      this.engine.cancel(id);
      w.reject(new JrpcError("connection lost before the answer arrived", CONNECTION_CLOSED));
    }
  }

  /** Closed for good: the queue is dropped and every call fails with `error`. */
  close(error) {
    this.closed = true;
    this.queue = [];
    clearTimeout(this.timer);
    this.timer = this.firesAt = undefined;
    this.engine.reset(true);
    for (const id of [...this.pending.keys()]) this.finish(id).reject(error);
  }

  /** Sends `text` now if the socket is open, else queues it (bounded): the error for a full queue. */
  sendOrQueue(ids, text) {
    if (this.send(text)) {
      this.markSent(ids);
      return undefined;
    }
    return this.enqueue(ids, text);
  }

  /** Queues `text` (bounded) until the socket opens: the error for a full queue. */
  enqueue(ids, text) {
    if (this.queue.length >= this.maxQueued) {
      return new JrpcError(`too many calls are waiting for the connection to open (the limit is ${this.maxQueued})`, QUEUE_FULL);
    }
    this.queue.push({ ids, text });
    return undefined;
  }

  markSent(ids) {
    for (const id of ids) {
      const w = this.pending.get(id);
      if (w) w.sent = true;
    }
  }
}
