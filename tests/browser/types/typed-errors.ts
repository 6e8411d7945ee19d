// Every line after `@ts-expect-error` must be a compile error against the
// generated `Api`: tsc fails on a directive with no error under it, so this
// test fails if the types get looser. See types.test.mjs.
import { JRPC } from "./jrpc_client_wasm";
import type { Api } from "./api";

export async function mistakes(url: string) {
  const rpc = new JRPC.WebSocket<Api>(url);
  // @ts-expect-error: no such method
  await rpc.request("Ad", [5, 10]);
  // @ts-expect-error: a string where a number goes
  await rpc.request("Add", [5, "10"]);
  // @ts-expect-error: a named param that does not exist
  await rpc.request("Add", { a: 1, c: 2 });
  // @ts-expect-error: a param missing
  await rpc.request("Divide", { a: 1 });
  // @ts-expect-error: Add needs params
  await rpc.request("Add");
  // @ts-expect-error: the result is a number
  const s: string = await rpc.request("Add", [1, 2]);
  // @ts-expect-error: no such notification
  rpc.invoke("demo.calback", ["ui.time"]);
  await rpc.batch((b) => {
    // @ts-expect-error: wrong params in a batch
    b.request("Multiply", [1, true]);
  });
  // @ts-expect-error: no such subscription
  await rpc.subscribe("demo.tocks");
  // @ts-expect-error: wrong subscription params
  await rpc.subscribe("demo.ticks", { everyMs: "fast" });
  const ticks = await rpc.subscribe("demo.ticks");
  for await (const tick of ticks) {
    // @ts-expect-error: a tick has no text
    void tick.text;
  }
  // @ts-expect-error: the page's clock answers a number
  rpc.register("ui.time", () => "noon");
  // @ts-expect-error: not a method the server calls
  rpc.register("ui.unknown", () => 1);
  // @ts-expect-error: the untyped form is for clients without an Api
  await rpc.request<number>("Add", [1, 2]);
  // @ts-expect-error: a browser method with the wrong params
  new JRPC.WebSocket<Api>(url, { methods: { "ui.log": (message: number) => message > 0 } });
  void s;
}
