// The browser client's `rpc.close()`, which ends a client for good, against
// jrpc-test-server. Each test body runs inside a fresh page (see
// `clientTests` in helpers.mjs; its argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("close");

test("close rejects waiting calls and later ones and does not reconnect", async (h) => {
  const { openClient, answer, call, rejects, rejectedNow, eq, thrown } = h;
  const { expectCode, expectCancelled, waitStarted, unique, Events } = h;
  const rpc = await openClient({ reconnect: { initialDelayMs: 10, maxDelayMs: 20 } });
  const events = Events.of(rpc);
  const key = unique("close");
  const pending = call(rpc, "test.hang", [key]);
  await waitStarted(rpc, key);
  rpc.close();
  eq(rpc.state, "closed");
  // Rejected during close() itself.
  expectCode(await rejectedNow(pending, "a call pending at close()"), -32003, "call pending at close");
  expectCode(await rejects(call(rpc, "Add", [1, 2]), "request after close"), -32003, "request after close");
  const batch = rpc.batch((b) => {
    b.request("Add", [1, 2]);
  });
  expectCode(await rejects(batch, "batch after close"), -32003, "batch after close");
  const e = thrown(() => rpc.notify("demo.echo", [1]), "notify after close() did not throw");
  expectCode(e, -32003, "notify after close");
  // The server sees the connection go (the hanging call is dropped).
  const other = await openClient();
  await expectCancelled(other, key, "the server kept the closed client's call running");
  // Long enough for several reconnect attempts (10-20 ms apart): none happens.
  eq(await answer(other, "demo.sleep", [150]), "150");
  eq(rpc.state, "closed");
  eq(events.types(), ["close"]);
  eq(events.last()?.willReconnect, false, "close.willReconnect");
  other.close();
});

test("close before open rejects ready and queued calls", async ({ client, call, rejects, eq, expectCode }) => {
  const rpc = client();
  const queued = call(rpc, "Add", [1, 2]);
  rpc.close();
  eq(rpc.state, "closed");
  expectCode(await rejects(queued, "queued call at close"), -32003, "queued call at close");
  expectCode(await rejects(rpc.ready, "ready after close"), -32003, "ready after close");
});
