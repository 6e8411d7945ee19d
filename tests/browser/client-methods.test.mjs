// Methods registered in the browser that jrpc-test-server calls, through
// `demo.callback`, which calls the caller back and returns the answer. Each
// test body runs inside a fresh page (see `clientTests` in helpers.mjs; its
// argument is client-harness.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("methods");

test("the server calls a browser method and gets its result", async ({ openClient, answer, eq }) => {
  const rpc = await openClient();
  rpc.register("ui.add", (a, b) => a + b);
  eq(await answer(rpc, "demo.callback", ["ui.add", [2, 3]]), "5");
  eq(await answer(rpc, "demo.callback", { method: "ui.add", params: [4, 5] }), "9");
  // Named params arrive as one object argument.
  rpc.register("ui.greet", (p) => `hello ${p.name}`);
  eq(await answer(rpc, "demo.callback", ["ui.greet", { name: "jrpc" }]), '"hello jrpc"');
  // No params: called with no arguments; undefined answers null.
  rpc.register("ui.count", function () {
    return arguments.length;
  });
  eq(await answer(rpc, "demo.callback", ["ui.count"]), "0");
  rpc.register("ui.nothing", () => {});
  eq(await answer(rpc, "demo.callback", ["ui.nothing", []]), "null");
  // A structured result.
  rpc.register("ui.obj", () => ({ a: [1, { b: null }], s: "x" }));
  eq(await answer(rpc, "demo.callback", ["ui.obj", []]), '{"a":[1,{"b":null}],"s":"x"}');
  rpc.close();
});

test("a browser method may return a promise", async ({ openClient, answer, failure, eq, expectCode }) => {
  const rpc = await openClient();
  // The method's own timer is what is being tested: an answer that comes later.
  rpc.register("ui.slowMultiply", (a, b) => new Promise((r) => setTimeout(() => r(a * b), 20)));
  eq(await answer(rpc, "demo.callback", ["ui.slowMultiply", [6, 7]]), "42");
  rpc.register("ui.async", (x) => (async () => x + 1)());
  eq(await answer(rpc, "demo.callback", ["ui.async", [1]]), "2");
  // A rejected promise with a numeric code keeps its code.
  rpc.register("ui.asyncFail", () => Promise.reject(Object.assign(new Error("later"), { code: 9 })));
  const e = await failure(rpc, "demo.callback", ["ui.asyncFail", []]);
  expectCode(e, 9, "a rejected promise");
  eq(e.message, "later");
  // Any function works, not only one written as such: a bound function here
  // (the Rust test registered a wasm-bindgen Closure).
  rpc.register("ui.double", ((factor, x) => x * factor).bind(null, 2));
  eq(await answer(rpc, "demo.callback", ["ui.double", [21]]), "42");
  rpc.close();
});

test("a thrown error with a code keeps it and other throws are internal errors", async (h) => {
  const { JRPC, openClient, answer, failure, json, check, eq, expectCode } = h;
  const rpc = await openClient();
  rpc.register("ui.coded", () => {
    throw Object.assign(new Error("coded failure"), { code: 1234 });
  });
  const coded = await failure(rpc, "demo.callback", ["ui.coded", []]);
  expectCode(coded, 1234, "Error with a code");
  eq(coded.message, "coded failure");
  // A JRPC.Error thrown by the method.
  rpc.register("ui.jrpcError", () => {
    throw new JRPC.Error("from JRPC.Error", -32001, [3]);
  });
  const thrown = await failure(rpc, "demo.callback", ["ui.jrpcError", []]);
  expectCode(thrown, -32001, "thrown JRPC.Error");
  eq(thrown.message, "from JRPC.Error");
  eq(json(thrown.data), "[3]");
  // A plain throw: -32603 whose message says what was thrown.
  rpc.register("ui.plain", () => {
    throw new Error("boom");
  });
  const plain = await failure(rpc, "demo.callback", ["ui.plain", []]);
  expectCode(plain, -32603, "plain Error");
  check(String(plain.message).includes("boom"), `message ${json(plain.message)} does not say what was thrown`);
  rpc.register("ui.string", () => {
    throw "just a string";
  });
  expectCode(await failure(rpc, "demo.callback", ["ui.string", []]), -32603, "thrown string");
  // A code that is not an integer does not count.
  rpc.register("ui.badCode", () => {
    throw Object.assign(new Error("x"), { code: "12" });
  });
  expectCode(await failure(rpc, "demo.callback", ["ui.badCode", []]), -32603, "Error with a string code");
  // A result JSON cannot carry.
  rpc.register("ui.nan", () => NaN);
  expectCode(await failure(rpc, "demo.callback", ["ui.nan", []]), -32603, "a NaN result");
  // The connection still works afterwards.
  rpc.register("ui.ok", () => 1);
  eq(await answer(rpc, "demo.callback", ["ui.ok", []]), "1");
  rpc.close();
});

test("unknown and unregistered browser methods are not found", async ({ openClient, answer, failure, eq, expectCode }) => {
  const rpc = await openClient();
  expectCode(await failure(rpc, "demo.callback", ["ui.nope", []]), -32601, "unknown browser method");
  rpc.register("ui.temp", () => 1);
  eq(await answer(rpc, "demo.callback", ["ui.temp", []]), "1");
  eq(rpc.unregister("ui.temp"), true, "unregister of a registered method");
  eq(rpc.unregister("ui.temp"), false, "second unregister");
  expectCode(await failure(rpc, "demo.callback", ["ui.temp", []]), -32601, "unregistered browser method");
  // Registering again replaces.
  rpc.register("ui.temp", () => 1);
  rpc.register("ui.temp", () => 2);
  eq(await answer(rpc, "demo.callback", ["ui.temp", []]), "2");
  rpc.close();
});

test("methods can be given to the constructor", async ({ JRPC, url, client, answer, eq, expectTypeError }) => {
  const methods = {
    "ui.add": (a, b) => a + b,
    "ui.neg": (x) => -x,
  };
  const rpc = client({ methods });
  eq(await answer(rpc, "demo.callback", ["ui.add", [2, 3]]), "5");
  eq(await answer(rpc, "demo.callback", ["ui.neg", [4]]), "-4");
  rpc.close();
  // A method that is not a function is refused.
  expectTypeError(() => new JRPC.WebSocket(url, { methods: { "ui.x": 5 } }), "methods: {ui.x: 5}");
});

test("a browser method may call the server while it runs", async ({ openClient, answer, eq }) => {
  const rpc = await openClient();
  // The method itself makes a request on the same client: no re-entrancy trouble.
  rpc.register("ui.viaServer", (a, b) => rpc.request("Multiply", [a, b]));
  eq(await answer(rpc, "demo.callback", ["ui.viaServer", [6, 7]]), "42");
  rpc.close();
});

test("calls beyond max in flight are refused as busy", async (h) => {
  const { openClient, answer, call, resolves, failure, json, eq, expectCode, Held } = h;
  const rpc = await openClient({ maxInFlight: 1 });
  const held = new Held();
  rpc.register("ui.hold", held.method);
  rpc.register("ui.add", (a, b) => a + b);
  const first = call(rpc, "demo.callback", ["ui.hold", [1]]);
  await resolves(held.called, "ui.hold called");
  // One browser method is running: the next call from the server is refused.
  expectCode(await failure(rpc, "demo.callback", ["ui.add", [1, 2]]), -32000, "second call while one runs");
  held.answer("done");
  eq(json(await resolves(first, "the held call")), '"done"');
  // The slot is free again.
  eq(await answer(rpc, "demo.callback", ["ui.add", [1, 2]]), "3");
  rpc.close();
});
