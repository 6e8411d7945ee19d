// The browser client's original jrpc.js API against jrpc-test-server:
// `new JRPC.WebSocket(host, port, localMethods, onOpen)` and
// `request(method, args, kwargs, onSuccess, onError)`. Each test body runs
// inside a fresh page (see `clientTests` in helpers.mjs; its argument is
// client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("legacy");

test("host port methods and on open", async ({ JRPC, url, host, port, answer, resolves, eq, Deferred }) => {
  const opened = new Deferred();
  const methods = { "ui.add": (a, b) => a + b };
  const rpc = new JRPC.WebSocket(host, port, methods, opened.resolve);
  eq(rpc.url, url);
  const event = await resolves(opened.promise, "onOpen");
  eq(event?.type, "open", "the type of onOpen's event");
  eq(rpc.state, "open");
  // The server calls a local method given to the constructor.
  eq(await answer(rpc, "demo.callback", ["ui.add", [2, 3]]), "5");
  rpc.close();
  // The port may be a string, and localMethods and onOpen may be left out.
  const again = new JRPC.WebSocket(host, String(port));
  eq(again.url, url);
  eq(await answer(again, "Add", [1, 1]), "2");
  again.close();
});

test("request with callbacks", async (h) => {
  const { JRPC, host, port, resolves, settledNow, json, check, eq, expectCode, Deferred } = h;
  const rpc = new JRPC.WebSocket(host, port);

  // Positional args, onSuccess.
  let [ok, err] = [new Deferred(), new Deferred()];
  rpc.request("Add", [5, 10], undefined, ok.resolve, err.resolve);
  eq(json(await resolves(ok.promise, "onSuccess of Add args")), "15");

  // Named kwargs with empty args.
  [ok, err] = [new Deferred(), new Deferred()];
  rpc.request("Subtract", [], { a: 5, b: 10 }, ok.resolve, err.resolve);
  eq(json(await resolves(ok.promise, "onSuccess of Subtract kwargs")), "-5");

  // Empty kwargs with args.
  [ok, err] = [new Deferred(), new Deferred()];
  rpc.request("Multiply", [3, 4], {}, ok.resolve, err.resolve);
  eq(json(await resolves(ok.promise, "onSuccess of Multiply")), "12");

  // An error goes to onError, as a JRPC.Error.
  [ok, err] = [new Deferred(), new Deferred()];
  rpc.request("Divide", [1, 0], undefined, ok.resolve, err.resolve);
  const e = await resolves(err.promise, "onError of Divide by zero");
  expectCode(e, 100, "onError");
  eq(e.message, "division by zero");
  check((await settledNow(ok.promise)) === null, "onSuccess was called for a failed call");

  // Only onError given, the call succeeds: the returned promise has the result.
  err = new Deferred();
  const onlyOnError = rpc.request("Add", [2, 2], undefined, undefined, err.resolve);
  eq(json(await resolves(onlyOnError, "promise of a call with only onError")), "4");

  // Only onSuccess: the returned promise resolves with what onSuccess returns.
  const onlyOnSuccess = rpc.request("Add", [2, 3], undefined, (r) => r * 10);
  eq(json(await resolves(onlyOnSuccess, "promise of a call with onSuccess")), "50");

  // Without callbacks, the same call returns a promise of the result.
  const noCallbacks = rpc.request("Add", [], { a: 1, b: 2 });
  eq(json(await resolves(noCallbacks, "kwargs without callbacks")), "3");
  rpc.close();
});

test("args and kwargs together are a type error", async ({ JRPC, host, port, answer, check, eq, expectTypeError }) => {
  const rpc = new JRPC.WebSocket(host, port);
  const cb = () => {};
  const message = expectTypeError(() => rpc.request("Add", [1], { a: 1 }, cb), "request(m, [1], {a: 1}, cb)");
  check(message.includes("args") && message.includes("kwargs"), `unhelpful message: ${message}`);
  expectTypeError(
    () => rpc.request("Add", [1], { a: 1 }, undefined, cb),
    "request(m, [1], {a: 1}, undefined, onError)",
  );
  // NaN in legacy args too.
  expectTypeError(() => rpc.request("Add", [NaN, 1], undefined, cb, cb), "legacy request with NaN");
  eq(await answer(rpc, "Add", [1, 2]), "3");
  rpc.close();
});
