// The browser client's `JRPC.Error`s: what calls reject with, for errors the
// server answers with and for errors raised in the browser, and the class
// itself. Each test body runs inside a fresh page (see `clientTests` in
// helpers.mjs; its argument is client-harness.mjs), so the class tests see a
// package in which no client has been created yet.

import { clientTests } from "./helpers.mjs";

const test = clientTests("errors");

test("an application error keeps code and message", async (h) => {
  const { openClient, failure, describe, json, check, eq, expectCode } = h;
  const rpc = await openClient();
  const e = await failure(rpc, "Divide", [1, 0]);
  expectCode(e, 100, "Divide 1/0");
  check(e instanceof Error, `not an Error: ${describe(e)}`);
  eq(e.message, "division by zero");
  eq(e.name, "JRPC.Error");
  // A real Error: it has a stack.
  check(typeof e.stack === "string", "JRPC.Error has no stack");
  // The server sent no data, so there is none.
  check(!("data" in e) || e.data === undefined, `unexpected data: ${json(e.data)}`);
  // Named params, same error.
  expectCode(await failure(rpc, "Divide", { a: 5, b: 0 }), 100, "Divide 5/0 with named params");
  rpc.close();
});

test("protocol errors have their codes", async ({ openClient, answer, failure, eq, expectCode }) => {
  const rpc = await openClient();
  expectCode(await failure(rpc, "no.such.method", [1]), -32601, "unknown method");
  // A name that JSON must escape is written as a valid string, with or without params (else the
  // server could not read the id, and the call would get no answer at all).
  const odd = 'no "such" \\ método\n\u2028\u0001';
  expectCode(await failure(rpc, odd, [1]), -32601, "unknown method with an odd name");
  expectCode(await failure(rpc, odd), -32601, "unknown method with an odd name, no params");
  rpc.notify(odd, { a: 1 });
  expectCode(await failure(rpc, "Add", ["x", 1]), -32602, "Add with a string");
  expectCode(await failure(rpc, "math.sum", [1]), -32602, "math.sum with one addend");
  expectCode(await failure(rpc, "math.sum", { x: 1, z: 2 }), -32602, "math.sum with an unknown name");
  expectCode(await failure(rpc, "Add"), -32602, "Add without params");
  // Methods named rpc.* are reserved: never found.
  expectCode(await failure(rpc, "rpc.discover"), -32601, "rpc.discover");
  // The connection is fine after errors.
  eq(await answer(rpc, "Add", [1, 1]), "2");
  rpc.close();
});

test("error data from the server is passed on", async ({ openClient, failure, json, eq, expectCode }) => {
  const rpc = await openClient();
  // A browser method fails with data; demo.callback hands the peer's error
  // object on unchanged, so the server sends it back with its data.
  rpc.register("ui.failWithData", () => {
    const e = new Error("nope");
    e.code = 7;
    e.data = { k: [1, "two"], ok: false };
    throw e;
  });
  const e = await failure(rpc, "demo.callback", ["ui.failWithData", []]);
  expectCode(e, 7, "error with data");
  eq(e.message, "nope");
  eq(json(e.data), '{"k":[1,"two"],"ok":false}');
  // Data that is not an object.
  rpc.register("ui.failWithText", () => {
    throw Object.assign(new Error("t"), { code: 8, data: "why" });
  });
  const text = await failure(rpc, "demo.callback", ["ui.failWithText"]);
  expectCode(text, 8, "error with string data");
  eq(json(text.data), '"why"');
  rpc.close();
});

test("the error class can be constructed from javascript", async ({ JRPC, json, check, eq }) => {
  // `new JRPC.Error(message, code, data)`, before any client exists.
  const e = new JRPC.Error("custom", 42, { why: 1 });
  check(e instanceof JRPC.Error, "new JRPC.Error is not instanceof JRPC.Error");
  eq(e.message, "custom");
  eq(e.code, 42);
  eq(json(e.data), '{"why":1}');
  const byDefault = new JRPC.Error("default code");
  eq(byDefault.code, -32603);
  check(byDefault.data === undefined, "data should be undefined");
  // Other errors are not JRPC.Errors.
  check(!(new Error("plain") instanceof JRPC.Error), "a plain Error is instanceof JRPC.Error");
  check(!({ code: 1, message: "m" } instanceof JRPC.Error), "an object is instanceof JRPC.Error");
});

test("constructed errors are errors once a client exists", async ({ JRPC, client, check }) => {
  // The class is linked to Error when the first client is created.
  const rpc = client();
  const e = new JRPC.Error("custom", 42);
  check(e instanceof Error, "new JRPC.Error(..) is not instanceof Error");
  check(e instanceof JRPC.Error, "new JRPC.Error is not instanceof JRPC.Error");
  rpc.close();
});
