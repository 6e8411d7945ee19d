// Without an `Api` everything works as before: any name, explicit result
// and item types. See types.test.mjs.
import init, { JRPC } from "./jrpc_client_wasm";
async function main() {
  await init();
  const rpc = new JRPC.WebSocket("ws://127.0.0.1:1/rpc");
  const ac = new AbortController();
  const sub = await rpc.subscribe<{ n: number; at: number }>("demo.ticks", { everyMs: 100 }, { signal: ac.signal, onGap: (m) => console.log(m ?? "unknown") });
  for await (const t of sub) { const n: number = t.n; console.log(n); break; }
  const ok: boolean = await sub.unsubscribe();
  console.log(ok);
}
main();
