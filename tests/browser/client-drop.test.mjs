// The browser client when jrpc-test-server closes every connection
// (`test.dropAll`): pending calls reject, the client reconnects (or, without
// reconnect, closes for good). A file of its own, so that its drops reach
// only its own tests' clients: its tests run one after the other against
// this file's server. Each test body runs inside a fresh page (see
// `clientTests` in helpers.mjs; its argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("drop");

test("pending calls reject when the server drops the connection then it reconnects", async (h) => {
  const { openClient, answer, call, resolves, rejects, json, eq } = h;
  const { expectCode, expectCancelled, waitStarted, unique, Events } = h;
  const fastReconnect = { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } };
  const rpc = await openClient(fastReconnect);
  const events = Events.of(rpc);
  rpc.register("ui.add", (a, b) => a + b);
  const key = unique("drop");
  const pending = call(rpc, "test.hang", [key]);
  await waitStarted(rpc, key);
  // Another client has the server drop every connection.
  const other = await openClient(fastReconnect);
  eq(await answer(other, "test.dropAll"), "true");
  const e = await rejects(pending, "call pending when the connection dropped");
  expectCode(e, -32003, "dropped connection");
  await events.wait("reconnecting", 1);
  const close = events.first("close");
  eq(close?.code, 1000, "close.code");
  eq(close?.willReconnect, true, "close.willReconnect");
  // A call made while reconnecting waits for the new connection.
  // Only microtasks ran since the close event; the reconnect timer has not fired.
  eq(rpc.state, "reconnecting");
  const queued = call(rpc, "Add", [20, 22]);
  await events.wait("open", 1);
  eq(rpc.state, "open");
  eq(json(await resolves(queued, "call queued while reconnecting")), "42");
  eq(await answer(rpc, "Add", [1, 2]), "3");
  eq(await answer(rpc, "demo.callback", ["ui.add", [2, 3]]), "5");
  await expectCancelled(rpc, key, "the dropped connection's call kept running");
  // The other client reconnects too.
  eq(await answer(other, "Add", [2, 2]), "4");
  rpc.close();
  other.close();
});

test("without reconnect a drop closes the client for good", async (h) => {
  const { openClient, answer, call, rejects, failure, eq, expectCode, waitStarted, unique, Events } = h;
  const rpc = await openClient({ reconnect: false });
  const events = Events.of(rpc);
  const key = unique("drop-final");
  const pending = call(rpc, "test.hang", [key]);
  await waitStarted(rpc, key);
  const other = await openClient({ reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
  eq(await answer(other, "test.dropAll"), "true");
  expectCode(await rejects(pending, "pending call"), -32003, "dropped connection");
  await events.wait("close", 1);
  eq(rpc.state, "closed");
  eq(events.last()?.willReconnect, false, "close.willReconnect");
  expectCode(await failure(rpc, "Add", [1, 2]), -32003, "request after the final close");
  eq(events.types(), ["close"]);
  // The server is fine: the other client reconnects.
  eq(await answer(other, "Add", [2, 2]), "4");
  other.close();
});

test("a browser method answer from a lost connection does not answer a new call", async (h) => {
  const { openClient, answer, call, resolves, rejects, json, eq, expectCode, Events, Held } = h;
  const fastReconnect = { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } };
  const rpc = await openClient(fastReconnect);
  const events = Events.of(rpc);
  // The server calls a browser method that is still working when the
  // connection drops...
  const old = new Held();
  rpc.register("ui.old", old.method);
  const lost = call(rpc, "demo.callback", ["ui.old", ["before"]]);
  await resolves(old.called, "ui.old called");
  const other = await openClient(fastReconnect);
  eq(await answer(other, "test.dropAll"), "true");
  expectCode(await rejects(lost, "demo.callback when the connection dropped"), -32003, "drop");
  await events.wait("open", 1);
  // ...and after the reconnect it calls another one.
  const fresh = new Held();
  rpc.register("ui.new", fresh.method);
  const current = call(rpc, "demo.callback", ["ui.new", ["after"]]);
  eq(json(await resolves(fresh.called, "ui.new called")), '["after"]');
  // The old method finishes first: its answer belongs to a closed
  // connection and must go nowhere.
  old.answer("stale");
  fresh.answer("fresh");
  eq(json(await resolves(current, "demo.callback of ui.new")), '"fresh"');
  rpc.close();
  other.close();
});
