// The browser client (JRPC.WebSocket) against jrpc-test-server: requests,
// notifications, calls queued before the socket opens, the `state` getter,
// and params the client must refuse. Each test body runs inside a fresh page
// (see `clientTests` in helpers.mjs; its argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("calls");

test("positional and named params", async ({ openClient, answer, call, resolves, json, eq }) => {
  const rpc = await openClient();
  eq(await answer(rpc, "math.sum", [1, 2]), "3");
  eq(await answer(rpc, "math.sum", { x: 1, y: 2 }), "3");
  eq(await answer(rpc, "Add", [5, 10]), "15");
  eq(await answer(rpc, "Add", { a: 5, b: 10 }), "15");
  eq(await answer(rpc, "Subtract", [5, 10]), "-5");
  eq(await answer(rpc, "Multiply", [2.5, 4]), "10");
  eq(await answer(rpc, "Divide", [1, 4]), "0.25");
  eq(await answer(rpc, "demo.echo", { k: [1, "two", null] }), '{"k":[1,"two",null]}');
  // No params at all: `demo.echo` answers null.
  eq(await answer(rpc, "demo.echo"), "null");
  // An options object as third argument is read as options, not as kwargs.
  const p = call(rpc, "math.sum", [20, 22], { timeoutMs: 5000 });
  eq(json(await resolves(p, "math.sum with options")), "42");
  rpc.close();
});

test("many concurrent requests each get their own answer", async ({ openClient, call, resolves, json, eq }) => {
  const rpc = await openClient();
  const promises = Array.from({ length: 50 }, (_, i) => call(rpc, "Add", [i, 1000]));
  const all = await resolves(Promise.all(promises), "50 requests");
  const expected = Array.from({ length: 50 }, (_, i) => String(i + 1000));
  eq(all.map(json), expected);
  rpc.close();
});

test("notifications arrive and get no reply", async ({ openClient, answer, resolves, json, eq, Deferred }) => {
  const rpc = await openClient();
  // The server acts on a notification to demo.callback by calling this
  // browser method back, which proves the notification arrived.
  const seen = new Deferred();
  rpc.register("ui.seen", seen.resolve);
  rpc.invoke("demo.callback", ["ui.seen", ["via invoke"]]);
  eq(json(await resolves(seen.promise, "ui.seen after invoke")), '"via invoke"');
  const again = new Deferred();
  rpc.register("ui.seen", again.resolve);
  rpc.notify("demo.callback", { method: "ui.seen", params: ["via notify"] });
  eq(json(await resolves(again.promise, "ui.seen after notify")), '"via notify"');
  // A notification gets no reply: the next request's answer is its own.
  rpc.notify("demo.echo", [1]);
  rpc.invoke("no.such.method");
  eq(await answer(rpc, "demo.echo", ["after"]), '["after"]');
  rpc.close();
});

test("calls made before the socket opens are queued and sent", async (h) => {
  const { client, call, resolves, settledNow, json, eq, check, Deferred } = h;
  const rpc = client();
  eq(rpc.state, "connecting");
  const seen = new Deferred();
  rpc.register("ui.queued", seen.resolve);
  const first = call(rpc, "math.sum", [1, 2]);
  rpc.notify("demo.callback", ["ui.queued", ["queued notification"]]);
  const second = rpc.batch((b) => {
    b.request("Add", [2, 2]);
    b.request("Multiply", [3, 3]);
  });
  const third = call(rpc, "Subtract", [10, 1]);
  // Still connecting: these cannot have been answered yet.
  check((await settledNow(first)) === null, "a queued call settled before the socket opened");
  eq(json(await resolves(first, "queued request")), "3");
  eq(json(await resolves(second, "queued batch")), "[4,9]");
  eq(json(await resolves(third, "queued request")), "9");
  eq(json(await resolves(seen.promise, "queued notification")), '"queued notification"');
  eq(rpc.state, "open");
  rpc.close();
});

test("the queue is bounded", async ({ client, call, resolves, rejects, json, eq, expectCode, thrown }) => {
  const rpc = client({ maxQueued: 2 });
  const a = call(rpc, "Add", [1, 1]);
  const b = call(rpc, "Add", [2, 2]);
  const c = call(rpc, "Add", [3, 3]);
  expectCode(await rejects(c, "third queued call"), -32004, "queue full");
  const e = thrown(() => rpc.notify("demo.echo", [1]), "a notification over the queue limit was accepted");
  expectCode(e, -32004, "queued notification over the limit");
  eq(json(await resolves(a, "first")), "2");
  eq(json(await resolves(b, "second")), "4");
  rpc.close();
});

test("state goes connecting open closed", async (h) => {
  const { client, url, resolves, eq, expectTypeError, Events } = h;
  const rpc = client();
  eq(rpc.url, url);
  eq(rpc.state, "connecting");
  const events = Events.of(rpc);
  await resolves(rpc.ready, "ready");
  eq(rpc.state, "open");
  await events.wait("open", 1);
  // A listener that was removed is not called.
  const removed = Events.of(rpc);
  rpc.removeEventListener("close", removed.listener);
  rpc.close();
  eq(rpc.state, "closed");
  await events.wait("close", 1);
  eq(events.last()?.willReconnect, false, "close.willReconnect");
  eq(removed.types(), []);
  eq(events.types(), ["open", "close"]);
  // Closing twice is harmless and emits nothing more.
  rpc.close();
  eq(events.types(), ["open", "close"]);
  // An unknown event type is refused.
  expectTypeError(() => rpc.addEventListener("message", () => {}), 'addEventListener("message")');
});

test("params that json rpc cannot carry are type errors", async (h) => {
  const { JRPC, url, openClient, answer, check, eq, expectTypeError } = h;
  const rpc = await openClient();
  // Named params with a mistyped option: refused, not sent as other params.
  expectTypeError(() => rpc.request("math.sum", { x: 1, y: 2 }, { timeout: 5 }), "request with an unknown option");
  const nan = [NaN, 1];
  const message = expectTypeError(() => rpc.request("math.sum", nan), "request with NaN");
  check(message.includes("NaN"), `the message should name NaN: ${message}`);
  expectTypeError(() => rpc.request("math.sum", { x: Infinity, y: 1 }), "request with Infinity");
  expectTypeError(() => rpc.invoke("demo.echo", nan), "invoke with NaN");
  // BigInt and cycles cannot be JSON either.
  expectTypeError(() => rpc.request("demo.echo", [10n]), "request with a BigInt");
  const cycle = {};
  cycle.self = cycle;
  expectTypeError(() => rpc.notify("demo.echo", cycle), "notify with a cycle");
  // Params must be an array or an object.
  expectTypeError(() => rpc.request("demo.echo", 5), "request with a number as params");
  expectTypeError(() => rpc.notify("demo.echo", "text"), "notify with a string as params");
  // Both positional and named params: JSON-RPC has no such thing.
  expectTypeError(() => rpc.request("math.sum", [1], { a: 1 }, () => {}), "request(m, [1], {a: 1}, cb)");
  expectTypeError(() => rpc.request("math.sum", [1], { a: 1 }), "request(m, [1], {a: 1})");
  // Bad option values.
  expectTypeError(() => rpc.request("math.sum", [1, 2], { timeoutMs: -1 }), "timeoutMs: -1");
  expectTypeError(() => rpc.request("math.sum", [1, 2], { signal: 1 }), "signal: 1");
  expectTypeError(() => rpc.register("ui.x", 5), "register a non-function");
  expectTypeError(() => rpc.register("rpc.reserved", () => {}), "register rpc.*");
  // The client still works after all that.
  eq(await answer(rpc, "math.sum", [1, 2]), "3");
  // A bad constructor call.
  expectTypeError(() => new JRPC.WebSocket(5), "new JRPC.WebSocket(5)");
  expectTypeError(() => new JRPC.WebSocket(url, { timeoutMs: "soon" }), 'timeoutMs: "soon"');
  rpc.close();
});
