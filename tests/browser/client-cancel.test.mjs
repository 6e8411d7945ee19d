// The browser client's calls that end early, timeouts and AbortSignals,
// checked on the server too: jrpc-test-server's `test.hang` marks its key
// cancelled when the server drops the call (`test.status`,
// `test.waitCancelled`). Each test body runs inside a fresh page (see
// `clientTests` in helpers.mjs; its argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("cancel");

test("a timeout rejects and cancels the call on the server", async (h) => {
  const { openClient, answer, call, rejects, eq, expectCode, expectCancelled, unique } = h;
  const rpc = await openClient();
  const key = unique("timeout");
  const e = await rejects(call(rpc, "test.hang", [key], { timeoutMs: 200 }), "test.hang with timeoutMs 200");
  expectCode(e, -32002, "timeout");
  await expectCancelled(rpc, key, "the server never dropped the timed-out call");
  // The client's default timeout (constructor option) works the same.
  const short = await openClient({ timeoutMs: 150 });
  const other = unique("default-timeout");
  const e2 = await rejects(call(short, "test.hang", [other]), "test.hang with the default timeout");
  expectCode(e2, -32002, "default timeout");
  await expectCancelled(rpc, other, "the server never dropped the call");
  // A call that answers in time is not affected, and the client still works.
  eq(await answer(short, "Add", [1, 2]), "3");
  short.close();
  rpc.close();
});

test("a batch times out as a whole", async ({ openClient, rejects, expectCode, expectCancelled, unique }) => {
  const rpc = await openClient();
  const key = unique("batch-timeout");
  const build = (b) => {
    b.request("Add", [1, 2]);
    b.request("test.hang", [key]);
  };
  const e = await rejects(rpc.batch(build, { timeoutMs: 200 }), "batch with a hanging member");
  expectCode(e, -32002, "batch timeout");
  await expectCancelled(rpc, key, "the server never dropped the batch's hanging call");
  rpc.close();
});

test("aborting rejects at once and cancels the call on the server", async (h) => {
  const { openClient, answer, call, resolves, settledNow, rejectedNow, json, eq, check } = h;
  const { expectCode, expectCancelled, waitStarted, unique } = h;
  const rpc = await openClient();
  const key = unique("abort");
  const controller = new AbortController();
  const p = call(rpc, "test.hang", [key], { signal: controller.signal });
  await waitStarted(rpc, key);
  check((await settledNow(p)) === null, "the call settled before it was aborted");
  controller.abort();
  expectCode(await rejectedNow(p, "an aborted call"), -32800, "abort");
  await expectCancelled(rpc, key, "the server never dropped the aborted call");
  // A signal that is already aborted: rejects at once, the server drops the call.
  const preAborted = unique("pre-aborted");
  const q = call(rpc, "test.hang", [preAborted], { signal: controller.signal });
  expectCode(await rejectedNow(q, "a call with an aborted signal"), -32800, "already aborted signal");
  const status = await resolves(call(rpc, "test.status", [preAborted]), "test.status");
  // Like fetch: a call whose signal is already aborted is never sent.
  check(status?.started === false, "a call with an already aborted signal reached the server");
  // Aborting after the answer changes nothing.
  const late = new AbortController();
  eq(json(await resolves(call(rpc, "Add", [2, 2], { signal: late.signal }), "Add with a signal")), "4");
  late.abort();
  eq(await answer(rpc, "Add", [1, 1]), "2");
  rpc.close();
});

test("one signal aborts a whole batch", async (h) => {
  const { openClient, rejects, expectCode, expectCancelled, waitStarted, unique } = h;
  const rpc = await openClient();
  const [a, b] = [unique("batch-abort-a"), unique("batch-abort-b")];
  const controller = new AbortController();
  const build = (batch) => {
    batch.request("test.hang", [a]);
    batch.request("test.hang", [b]);
  };
  const p = rpc.batch(build, { signal: controller.signal });
  await waitStarted(rpc, a);
  await waitStarted(rpc, b);
  controller.abort();
  expectCode(await rejects(p, "aborted batch"), -32800, "batch abort");
  await expectCancelled(rpc, a, "first member not cancelled on the server");
  await expectCancelled(rpc, b, "second member not cancelled on the server");
  rpc.close();
});

test("an aborted queued request is never sent", async (h) => {
  const { client, call, resolves, rejects, json, eq, expectCode, unique } = h;
  const rpc = client();
  eq(rpc.state, "connecting");
  const key = unique("queued-abort");
  const controller = new AbortController();
  const p = call(rpc, "test.hang", [key], { signal: controller.signal });
  controller.abort();
  expectCode(await rejects(p, "aborted queued request"), -32800, "queued abort");
  await resolves(rpc.ready, "ready");
  // test.hang marks its key when dispatched, and test.status is answered
  // after everything sent before it: the queue was flushed on open.
  const status = await resolves(call(rpc, "test.status", [key]), "test.status");
  eq(json(status), '{"started":false,"cancelled":false}');
  rpc.close();
});

test("an aborted queued batch is never sent", async (h) => {
  const { client, call, resolves, rejects, json, eq, expectCode, unique } = h;
  const rpc = client();
  const [a, b] = [unique("queued-batch-a"), unique("queued-batch-b")];
  const controller = new AbortController();
  const build = (batch) => {
    batch.request("test.hang", [a]);
    batch.request("test.hang", [b]);
  };
  const p = rpc.batch(build, { signal: controller.signal });
  controller.abort();
  expectCode(await rejects(p, "aborted queued batch"), -32800, "queued batch abort");
  await resolves(rpc.ready, "ready");
  eq(json(await resolves(call(rpc, "test.status", [a]), "test.status")), '{"started":false,"cancelled":false}');
  eq(json(await resolves(call(rpc, "test.status", [b]), "test.status")), '{"started":false,"cancelled":false}');
  rpc.close();
});
