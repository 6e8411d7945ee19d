// The browser client when jrpc-test-server restarts (`test.restart`: a
// graceful shutdown, an outage, the same port again): clients reconnect with
// backoff and keep their methods, or give up after `maxRetries`; and `ready`
// when no server answers at all. A file of its own, so that the restart
// reaches only its own tests' clients. Each test body runs inside a fresh
// page (see `clientTests` in helpers.mjs; its argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("restart");

test("clients reconnect after a restart and keep their methods", async (h) => {
  const { openClient, answer, call, resolves, rejects, failure, json, check, eq } = h;
  const { expectCode, waitStarted, unique, Events } = h;
  const rpc = await openClient({ reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
  const events = Events.of(rpc);
  // `[event type, rpc.state]` as each event is dispatched.
  const states = [];
  const recordState = (event) => states.push([event.type, rpc.state]);
  for (const kind of ["open", "close", "reconnecting"]) rpc.addEventListener(kind, recordState);
  rpc.register("ui.add", (a, b) => a + b);
  rpc.register("ui.slow", (x) => new Promise((r) => setTimeout(() => r(x), 10)));
  // This client gives up after two failed attempts; the server stays down longer.
  const quitter = await openClient({ reconnect: { initialDelayMs: 20, maxDelayMs: 40, maxRetries: 2 } });
  const quitterEvents = Events.of(quitter);

  const key = unique("restart");
  const pending = call(rpc, "test.hang", [key]);
  await waitStarted(rpc, key);
  eq(await answer(rpc, "test.restart", [300]), "true");

  expectCode(await rejects(pending, "call pending at the restart"), -32003, "restart");
  await events.wait("reconnecting", 1);
  const firstClose = events.first("close");
  eq(firstClose?.code, 1001, "close.code");
  eq(firstClose?.willReconnect, true, "close.willReconnect");
  const reconnecting = events.first("reconnecting");
  eq(reconnecting?.attempt, 1, "reconnecting.attempt");
  const delay = reconnecting?.delayMs;
  check(typeof delay === "number" && delay >= 25 && delay <= 50, `first reconnect delay ${delay} is not within 25..=50 ms`);
  // Calls made while the server is down wait for the next connection.
  // Only microtasks ran since the close event; the reconnect timer has not fired.
  eq(rpc.state, "reconnecting");
  const queued = call(rpc, "Multiply", [6, 7]);

  await events.wait("open", 1);
  eq(rpc.state, "open");
  eq(json(await resolves(queued, "call queued while reconnecting")), "42");
  eq(await answer(rpc, "math.sum", [1, 2]), "3");
  eq(await answer(rpc, "demo.callback", ["ui.add", [2, 3]]), "5");
  eq(await answer(rpc, "demo.callback", ["ui.slow", ["later"]]), '"later"');
  // The sequence: close, reconnecting, (close, reconnecting)*, open; with
  // the state as each event was dispatched.
  const seen = states.slice();
  check(seen.length >= 3, `too few events: ${json(seen)}`);
  eq(seen[0], ["close", "reconnecting"], "the first event and state");
  eq(seen[seen.length - 1], ["open", "open"], "the last event and state");
  for (const [kind, state] of seen.slice(0, -1)) {
    check(kind !== "open" && state === "reconnecting", `unexpected event before the reopen: ${json(seen)}`);
  }
  check(seen.some(([kind]) => kind === "reconnecting"), `no reconnecting event: ${json(seen)}`);

  // The quitter gave up: closed for good, its calls rejected.
  await quitterEvents.wait("close", 3);
  eq(quitter.state, "closed");
  eq(quitterEvents.types(), ["close", "reconnecting", "close", "reconnecting", "close"]);
  eq(quitterEvents.last()?.willReconnect, false, "the last close.willReconnect");
  expectCode(await failure(quitter, "Add", [1, 2]), -32003, "request after giving up");

  // A fresh client connects as usual.
  const fresh = await openClient();
  eq(await answer(fresh, "Add", [2, 2]), "4");
  fresh.close();
  rpc.close();
});

test("ready rejects when no server answers and reconnect is off", async ({ JRPC, call, rejects, eq, expectCode }) => {
  // Port 9 (discard) on the loopback: nothing listens there.
  const rpc = new JRPC.WebSocket("ws://127.0.0.1:9/rpc", { reconnect: false });
  const queued = call(rpc, "Add", [1, 2]);
  expectCode(await rejects(rpc.ready, "ready without a server"), -32003, "ready");
  expectCode(await rejects(queued, "queued call without a server"), -32003, "queued call");
  eq(rpc.state, "closed");
});

test("subscriptions resubscribe after a restart and tell that what came between is unknown", async (h) => {
  const { openClient, answer, resolves, json, eq, Events } = h;
  const rpc = await openClient({ reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
  const events = Events.of(rpc);
  const gaps = [];
  const board = await resolves(rpc.subscribe("demo.board", undefined, { onGap: (n) => gaps.push(n) }), "subscribe");
  await answer(rpc, "demo.board.post", { text: "before" });
  eq((await resolves(board.next(), "the post before")).value.text, "before");
  const ticks = await resolves(rpc.subscribe("demo.ticks.subscribe", { everyMs: 50 }), "subscribe ticks");
  eq((await resolves(ticks.next(), "a tick")).value.n, 0);

  // The restarted server has a new board, without the old one's history.
  eq(await answer(rpc, "test.restart", [300]), "true");
  await events.wait("open", 1);
  await answer(rpc, "demo.board.post", { text: "after" });
  eq((await resolves(board.next(), "the post after")).value.text, "after");
  eq(json(gaps), "[null]", "one gap of an unknown size, before the post after");
  // The ticker is a stream of its own per subscriber: a new one starts at 0.
  let tick;
  do tick = (await resolves(ticks.next(), "a tick after")).value;
  while (tick.n !== 0);
  rpc.close();
});
