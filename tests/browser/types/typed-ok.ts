// Must compile (tsc --strict) against the `Api` that `jrpc types` writes for
// jrpc-server's demo: every call form, typed results, subscriptions, batches,
// browser methods. See types.test.mjs.
import init, { JRPC } from "./jrpc_client_wasm";
import type { Api, Tick } from "./api";

export async function main(url: string): Promise<number> {
  await init();
  const rpc = new JRPC.WebSocket<Api>(url, {
    methods: {
      "ui.time": () => Date.now(),
      "ui.log": async (message: string) => message.length > 0,
      "demo.clients": ({ count }) => void count,
    },
  });
  const sum: number = await rpc.request("Add", [5, 10]);
  const named: number = await rpc.request("Divide", { a: 1, b: 4 }, { timeoutMs: 1000 });
  const total: number = await rpc.request("math.sum", { x: 1, y: 2 });
  const echoed: unknown = await rpc.request("demo.echo", { anything: [1] });
  await rpc.request("demo.sleep", [10]);
  rpc.invoke("demo.callback", ["ui.time"]);
  rpc.notify("demo.callback", { method: "ui.log", params: ["hi"] });
  const results = await rpc.batch((b) => {
    b.request("Add", [1, 2]);
    b.invoke("Multiply", { a: 2, b: 3 });
  });
  const ticks = await rpc.subscribe("demo.ticks", { everyMs: 100 }, { onGap: (n) => void n });
  for await (const tick of ticks) {
    const t: Tick = tick;
    const at: number = tick.at;
    if (t.n + at > 0) break;
  }
  const board = await rpc.subscribe("demo.board.subscribe");
  for await (const post of board) {
    const text: string = post.text;
    void text;
  }
  rpc.register("ui.time", () => 42);
  const posted: number = await rpc.request("demo.board.post", ["hello"]);
  return sum + named + total + posted + results.length + (echoed === null ? 0 : 1);
}
