// The browser client's batches, `rpc.batch(b => { b.request(..); b.invoke(..) })`,
// against jrpc-test-server. Each test body runs inside a fresh page (see
// `clientTests` in helpers.mjs; its argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("batch");

test("batch results come in order and its notifications arrive", async (h) => {
  const { openClient, resolves, json, eq, Deferred } = h;
  const rpc = await openClient();
  const seen = new Deferred();
  rpc.register("ui.batchSeen", seen.resolve);
  const p = rpc.batch((b) => {
    b.request("demo.sleep", [30]);
    b.invoke("demo.callback", ["ui.batchSeen", [7]]);
    b.request("math.sum", { x: 1, y: 2 });
    b.notify("demo.echo", [0]);
    b.request("Divide", [6, 3]);
  });
  // demo.sleep answers last, yet its result stays first.
  eq(json(await resolves(p, "batch")), "[30,3,2]");
  eq(json(await resolves(seen.promise, "the batch's notification")), "7");
  // Only notifications: nothing to wait for, resolves with [].
  const notifications = rpc.batch((b) => {
    b.invoke("demo.echo", [1]);
  });
  eq(json(await resolves(notifications, "notification-only batch")), "[]");
  const empty = rpc.batch(() => {}, { timeoutMs: 5000 });
  eq(json(await resolves(empty, "empty batch")), "[]");
  rpc.close();
});

test("a failing member rejects the batch with its error", async (h) => {
  const { openClient, rejects, eq, expectCode, expectTypeError } = h;
  const rpc = await openClient();
  const p = rpc.batch((b) => {
    b.request("Add", [1, 2]);
    b.request("Divide", [1, 0]);
    b.request("Add", [3, 4]);
  });
  const e = await rejects(p, "batch with Divide by zero");
  expectCode(e, 100, "batch member");
  eq(e.message, "division by zero");
  // Bad options and bad params are refused synchronously.
  expectTypeError(() => rpc.batch(() => {}, { retries: 3 }), "batch with an unknown option");
  const nan = (b) => {
    b.request("Add", [NaN, 1]);
  };
  expectTypeError(() => rpc.batch(nan), "batch member with NaN");
  rpc.close();
});

test("a batch builder only takes calls while its callback runs", async (h) => {
  const { openClient, resolves, rejects, json, eq, expectCode, expectTypeError } = h;
  const rpc = await openClient();
  // Keeping the builder and using it after the callback returned throws.
  let kept;
  const p = rpc.batch((b) => {
    kept = b;
    b.request("Add", [1, 1]);
  });
  eq(json(await resolves(p, "batch")), "[2]");
  expectTypeError(() => kept.request("Add", [2, 2]), "a call added after the batch was sent");
  // An async callback cannot add calls in time: refused instead of sending [].
  const asynchronous = (b) => Promise.resolve().then(() => b.request("Add", [1, 2]));
  expectTypeError(() => rpc.batch(asynchronous), "an async batch callback");
  rpc.close();
  // After close even a batch of only notifications rejects.
  const closed = rpc.batch((b) => {
    b.invoke("demo.echo", [1]);
  });
  expectCode(await rejects(closed, "notification batch after close"), -32003, "closed batch");
});
