// `JRPC.WebSocket`: the client. Argument handling, the connection's life
// (socket, state, reconnects, events) and the engine's reports; the app's
// calls are kept by `Calls`, protocol decisions are the engine's.

import { Engine } from "./jrpc_engine.js";
import { Batch } from "./batch.js";
import { delayMs } from "./backoff.js";
import { Calls } from "./calls.js";
import { loadDialect } from "./dialect.js";
import { engineReady } from "./load.js";
import { CONNECTION_CLOSED, INTERNAL_ERROR, JrpcError, REQUEST_TIMEOUT } from "./errors.js";
import { Listeners } from "./events.js";
import { run } from "./methods.js";
import { callOptions, construct, isObject, legacyParams, methodName, paramsJson, subscribeOptions } from "./options.js";
import { Subscriptions } from "./subscriptions.js";

/** How long a connection must stay open to count as stable (see `openedAt`). */
const STABLE_CONNECTION_MS = 5000;

/** A two-way JSON-RPC 2.0 connection to a server. See the package README. */
export class Client {
  /** `new JRPC.WebSocket(url, options)`, or `(host, port, localMethods, onOpen)`. */
  constructor(first, second, third, fourth) {
    const { config, methods, onOpen } = construct(first, second, third, fourth);
    engineReady();
    this.config = config;
    this.state_ = "connecting";
    this.listeners = new Listeners();
    /** Browser methods by the engine's slot; slot 0 is the library's `rpc.reconnect`. */
    this.fns = [() => this.moveOn()];
    this.attempt = 0;
    /** When the connection opened (`Date.now()`), to tell a stable one from one that flaps. */
    this.openedAt = undefined;
    /** Counts connections: a browser method's answer goes only to the one its call came on. */
    this.generation = 0;
    this.reconnectTimer = undefined;
    /** The frame the engine is reading, which its offsets point into. */
    this.frame = "";
    /** Browser methods a frame called, run once the engine is done with it. */
    this.started = [];
    /** With the jrpc dialect: its translators (see dialect.js), once loaded. */
    this.translate = undefined;
    this.engine = new Engine(this.sink(), config.maxInFlight);
    // Sent only on an open connection the server has not asked to leave (a
    // cancel, there too), or the sign-in itself (see `authenticate`). A call
    // that ends may be the last the client waited for before it leaves:
    // checked once the engine is done with the frame (see `moveOn`).
    this.calls = new Calls(
      this.engine,
      (text, cancel) => ((this.state_ === "open" && (!this.moving || cancel)) || this.authing) && this.write(text),
      config.maxQueued,
      config.timeoutMs,
      () => this.moving && queueMicrotask(() => this.moveOn()),
    );
    this.subs = new Subscriptions(this.engine, this.calls);
    this.ready_ = new Promise((resolve, reject) => (this.settleReady = [resolve, reject]));
    // Handled: an app that never awaits `ready` gets no "unhandled rejection"
    // report when the client closes before opening.
    this.ready_.catch(() => {});
    this.open();
    if (isObject(methods)) {
      for (const [name, fn] of Object.entries(methods)) this.register(name, fn);
    }
    if (onOpen) this.addEventListener("open", onOpen);
  }

  /** Resolves once the connection is first open; rejects if it closes for good before. */
  get ready() {
    return this.ready_;
  }

  /** `"connecting"`, `"open"`, `"reconnecting"` or `"closed"`. */
  get state() {
    return this.state_;
  }

  /** The server's URL. */
  get url() {
    return this.config.url;
  }

  /**
   * `request(method, params, {timeoutMs, signal})`: the promise of the
   * result; also the original `request(method, args, kwargs, onSuccess, onError)`.
   */
  request(method, params, third, onSuccess, onError) {
    methodName(method);
    const callbacks = typeof onSuccess === "function" || typeof onError === "function";
    if (!callbacks) {
      const options = callOptions(third);
      if (options) return this.calls.request(method, paramsJson(params), options);
      // Named params followed by something that is not call options is a
      // mistake (say `{timeout: 5}`): guessing would send wrong params.
      if (isObject(params) && !Array.isArray(params)) {
        throw new TypeError("jrpc: the third argument of request(method, params, options) may only hold timeoutMs and signal");
      }
    }
    const promise = this.calls.request(method, legacyParams(params, third), {});
    if (!callbacks) return promise;
    return promise.then(
      typeof onSuccess === "function" ? onSuccess : undefined,
      // Without onError a failure would be an unhandled rejection: say it clearly instead.
      typeof onError === "function" ? onError : (e) => console.warn("jrpc: request failed:", e),
    );
  }

  /** Sends a notification: no answer, no promise. */
  invoke(method, params) {
    const error = this.calls.notify(methodName(method), paramsJson(params));
    if (error) throw error;
  }

  /** Same as `invoke`. */
  notify(method, params) {
    this.invoke(method, params);
  }

  /**
   * `batch(b => { b.request(..); b.invoke(..) }, {timeoutMs, signal})`: one
   * message; resolves with the requests' results in order.
   */
  batch(build, options) {
    const opts = callOptions(options);
    if (!opts) throw new TypeError("jrpc: batch options may only hold timeoutMs and signal");
    if (typeof build !== "function") throw new TypeError("jrpc: batch takes a function that adds the calls");
    const builder = new Batch();
    let returned, entries;
    try {
      returned = build(builder);
    } finally {
      entries = builder.take();
    }
    if (returned !== null && typeof returned === "object" && typeof returned.then === "function") {
      throw new TypeError("jrpc: the batch callback must add its calls synchronously (it returned a Promise)");
    }
    return this.calls.batch(entries, opts);
  }

  /**
   * `subscribe(name, params, {signal, onGap, unsubscribe, bufferSize, timeoutMs})`:
   * resolves, once the server accepted, with an async iterator of the items
   * that resubscribes by itself after a reconnect.
   */
  subscribe(name, params, options) {
    if (this.config.legacy) throw new TypeError('jrpc: subscriptions need JSON-RPC 2.0; the "jrpc" dialect has none');
    return this.subs.open(methodName(name), paramsJson(params), subscribeOptions(options));
  }

  /** Makes `method` callable by the server; the function may return a value or a Promise. */
  register(method, fn) {
    methodName(method);
    if (typeof fn !== "function") throw new TypeError(`jrpc: the method "${method}" must be a function`);
    const slot = this.engine.register(method, false);
    if (slot === -1) {
      throw new TypeError(`jrpc: method name "${method}" is reserved: names starting with "rpc." belong to JSON-RPC itself`);
    }
    if (slot < 0) throw new TypeError(`jrpc: method name "${method}" is handled by the library (request cancellation)`);
    this.fns[slot] = fn;
  }

  /** Removes a browser method; returns whether it was registered. */
  unregister(method) {
    const slot = this.engine.register(methodName(method), true);
    if (slot < 0) return false;
    delete this.fns[slot];
    return true;
  }

  /** Listens to `"open"`, `"close"`, `"reconnecting"` or `"error"`. */
  addEventListener(type, listener) {
    this.listeners.add(type, listener);
  }

  /** Removes a listener added with `addEventListener`. */
  removeEventListener(type, listener) {
    this.listeners.remove(type, listener);
  }

  /** Closes the connection for good; waiting calls reject. */
  close() {
    this.closeWith(1000, "closed by the client", true);
  }

  /** Kept from the wasm-bindgen class: nothing to free (the connection lives until `close()`). */
  free() {}

  // ---- the connection's life ----

  open() {
    this.moving = false;
    if (this.config.legacy && !this.translate) return this.openDialect();
    const ws = new globalThis.WebSocket(this.config.url);
    // Binary frames are not JSON-RPC; an ArrayBuffer is the cheapest to discard.
    ws.binaryType = "arraybuffer";
    ws.onopen = () => this.authenticate();
    ws.onmessage = ({ data }) => (typeof data === "string" ? this.received(data) : this.binary());
    ws.onclose = (e) => this.dropped(e.code, e.reason, e.wasClean);
    this.socket = ws;
  }

  /** Loads the jrpc dialect's translators, then opens; a client whose module cannot load closes. */
  openDialect() {
    loadDialect().then(
      (translate) => {
        this.translate = translate;
        if (this.state_ !== "closed") this.open();
      },
      (e) => {
        // Closed meanwhile: nothing waits for it, and the close event was the last.
        if (this.state_ === "closed") return;
        const error = new JrpcError(`the jrpc dialect's module did not load: ${e?.message ?? e}`, INTERNAL_ERROR);
        this.listeners.emit({ type: "error", error });
        this.closeWith(1006, "the jrpc dialect's module did not load", false);
      },
    );
  }

  /** Writes `text` to the socket (to a jrpc server, as the dialect's frames); whether the browser took it. */
  write(text) {
    if (!this.config.legacy) return this.put(text);
    const frames = this.translate(text, false);
    return frames === undefined || frames.split("\0").every((frame) => this.put(frame));
  }

  put(text) {
    try {
      return this.socket?.readyState === 1 && (this.socket.send(text), true);
    } catch {
      return false;
    }
  }

  /** Detaches the socket's handlers (events of an old socket must not reach a newer one) and closes it. */
  detach() {
    clearInterval(this.beat);
    const ws = this.socket;
    this.socket = undefined;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close(1000);
  }

  /**
   * With the `auth` option, a new connection first sends the token
   * (`rpc.auth`), alone: it counts as open, and calls waiting for it go out,
   * only once the server took it. A failure closes the socket, which
   * reconnects with backoff and asks for a token again.
   */
  authenticate() {
    const auth = this.config.auth;
    if (!auth) return this.opened();
    const generation = this.generation;
    const current = () => generation === this.generation && this.state_ !== "closed";
    Promise.resolve()
      .then(auth)
      .then((token) => {
        if (!current()) return;
        this.authing = true;
        try {
          return this.calls.request("rpc.auth", paramsJson([token]), {});
        } finally {
          this.authing = false;
        }
      })
      .then(
        () => current() && this.opened(),
        (e) => {
          if (!current()) return;
          this.listeners.emit({ type: "error", error: new JrpcError(`jrpc: signing in failed: ${e?.message ?? e}`, e?.code, e?.data) });
          this.socket?.close(4001, "signing in failed");
        },
      );
  }

  opened() {
    this.state_ = "open";
    // A browser sees no pings: a server that sent nothing for a while is
    // asked something (any answer, even "method not found", will do), and
    // given up when it does not answer in time.
    // Beyond 2^31 - 1 ms a browser timer fires at once: Infinity means never.
    const every = this.config.heartbeatMs;
    if (every > 0 && every < 2147483648) {
      const generation = this.generation;
      let seen = this.heard;
      this.beat = setInterval(() => {
        if (seen === this.heard) {
          this.calls
            .request("rpc.ping", undefined, { timeoutMs: every })
            .catch((e) => e.code === REQUEST_TIMEOUT && generation === this.generation && this.dropped(1006, "the server went silent", false));
        }
        seen = this.heard;
      }, every);
    }
    this.openedAt = Date.now();
    this.subs.opened();
    this.calls.flush();
    this.settleReady?.[0]();
    this.settleReady = undefined;
    this.listeners.emit({ type: "open" });
  }

  received(text) {
    this.heard = (this.heard | 0) + 1;
    if (this.config.legacy) {
      // The dialect's frame as JSON-RPC 2.0, which the engine's offsets then
      // point into; or (after a NUL) the answer to a call refused at once.
      text = this.translate(text, true);
      if (text === undefined) return;
      if (text[0] === "\0") return this.write(text.slice(1));
    }
    this.frame = text;
    try {
      this.engine.receive(text);
    } finally {
      this.frame = "";
    }
    const started = this.started;
    // Most frames start no browser method: no new list for them.
    if (started.length === 0) return;
    this.started = [];
    const generation = this.generation;
    for (const [fn, params, token] of started) {
      // A method that closed the client ends the frame's other calls too.
      if (this.state_ === "closed") break;
      run(fn, params, (result, error) => this.answer(token, generation, result, error));
    }
  }

  /**
   * The server is shutting down and asked to move (`rpc.reconnect`): new
   * calls wait for the next connection (behind a load balancer, another
   * server), and this one is left as soon as the calls sent on it are
   * answered, so that the restart fails none of them.
   */
  moveOn() {
    if (this.state_ !== "open") return;
    this.moving = true;
    // Its pings would wait with the calls; the server is there until it closes.
    clearInterval(this.beat);
    for (const w of this.calls.pending.values()) if (w.sent) return;
    this.attempt = 0;
    this.dropped(1001, "the server asked to reconnect", true);
  }

  binary() {
    // Answered as the native side answers it (the engine decides); the page learns of it too.
    this.engine.receive(undefined);
    const message = "the server sent a binary frame, which JSON-RPC does not use; ignored";
    this.listeners.emit({ type: "error", error: new JrpcError(message, INTERNAL_ERROR) });
  }

  /** A browser method finished: answers the server if it still waits on this connection. */
  answer(token, generation, result, error) {
    if (token < 0) {
      // A notification: nobody waits for the answer.
      if (error) console.warn("jrpc: a notification handler failed:", error.message);
      return;
    }
    if (generation !== this.generation || this.state_ === "closed") return;
    const reply = this.engine.complete(token, error ? JSON.stringify(error) : result, !!error);
    if (reply !== undefined) this.write(reply);
  }

  /** What the engine reports while it reads a frame. It runs no app code: browser methods wait in `started`. */
  sink() {
    return {
      send: (text) => this.write(text),
      settle: (id, start, end) => {
        let value;
        try {
          value = JSON.parse(this.frame.slice(start, end));
        } catch (e) {
          return this.calls.fail(id, e);
        }
        this.calls.settle(id, value);
      },
      reject: (id, json) => {
        const e = JSON.parse(json);
        this.calls.fail(id, new JrpcError(e.message, e.code, e.data));
      },
      call: (slot, token, start, end) => {
        const fn = this.fns[slot];
        if (fn) this.started.push([fn, start < 0 ? undefined : this.frame.slice(start, end), token]);
      },
      item: (key, start, end, error) => this.subs.deliver(key, this.frame, start, end, error),
    };
  }

  dropped(code, reason, wasClean) {
    this.detach();
    this.engine.reset(false);
    this.generation++;
    const neverOpened = this.state_ !== "open";
    // Only a connection that stayed up resets the retry count: one the server
    // closes at once (refused, full) must not retry forever.
    if (this.openedAt !== undefined && Date.now() - this.openedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
    this.openedAt = undefined;
    this.calls.lost();
    this.subs.lost();
    const backoff = this.config.reconnect;
    const retry = backoff && this.attempt < backoff.maxRetries;
    let reconnecting;
    if (retry) {
      const delay = delayMs(backoff, this.attempt, Math.random());
      this.attempt++;
      this.state_ = "reconnecting";
      reconnecting = { type: "reconnecting", attempt: this.attempt, delayMs: delay };
      this.reconnectTimer = setTimeout(() => this.reconnect(), delay);
    } else {
      this.shut(neverOpened && !backoff ? "could not connect" : "the connection closed and reconnecting gave up");
    }
    this.listeners.emit({ type: "close", code, reason, wasClean, willReconnect: !!retry });
    // A close listener may have closed the client meanwhile.
    if (reconnecting && this.state_ === "reconnecting") this.listeners.emit(reconnecting);
  }

  reconnect() {
    this.reconnectTimer = undefined;
    try {
      this.open();
    } catch (e) {
      // The URL worked before, so this is unexpected: report it and stop.
      this.listeners.emit({ type: "error", error: e });
      this.closeWith(1006, "reconnecting failed", false);
    }
  }

  /** Closes for good (once) and fires the `close` event. */
  closeWith(code, reason, wasClean) {
    if (this.state_ === "closed") return;
    this.shut(reason);
    this.listeners.emit({ type: "close", code, reason, wasClean, willReconnect: false });
  }

  /** Ends the client for good: state closed, socket and timers gone, every waiting call and `ready` rejected. */
  shut(why) {
    this.state_ = "closed";
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.detach();
    const error = new JrpcError(`connection closed: ${why}`, CONNECTION_CLOSED);
    this.calls.close(error);
    this.subs.close(error);
    this.settleReady?.[1](error);
    this.settleReady = undefined;
  }
}
