// One page may create more than one JRPC.WebSocket: a regression test (the
// second construction used to throw, because the wasm build's first client
// linked JRPC.Error to Error by redefining a non-configurable property).
// Its page is fresh, as for every client test (see `clientTests` in
// helpers.mjs), so no client was created in it before.

import { clientTests } from "./helpers.mjs";

const test = clientTests("two-clients");

test("a page can create a second client", async ({ JRPC, url, answer, failure, eq, expectCode }) => {
  const first = new JRPC.WebSocket(url);
  const second = new JRPC.WebSocket(url);
  eq(await answer(first, "Add", [1, 2]), "3");
  eq(await answer(second, "Add", [3, 4]), "7");
  expectCode(await failure(second, "Divide", [1, 0]), 100, "Divide by zero on the second client");
  first.close();
  second.close();
  // And a third one after both are closed.
  const third = new JRPC.WebSocket(url);
  eq(await answer(third, "Add", [5, 6]), "11");
  third.close();
});
