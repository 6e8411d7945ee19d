// The browser benchmark: the same calls through two clients, in one page,
// against the server that served it.
//   jrpc        this project's wasm client (JRPC.WebSocket)
//   json-rpc-2.0  the popular JavaScript library, over a plain browser WebSocket
// Each mode runs for a fixed time and counts calls whose result was checked.
// `window.runBench(options)` resolves to the measurements; `window.benchReady`
// tells the runner the page has loaded.

import init, { JRPC } from "./pkg/jrpc_client_wasm.js";
import * as jsonRpcModule from "./vendor/json-rpc-2.0.js";

const { JSONRPCClient } = jsonRpcModule.JSONRPCClient ? jsonRpcModule : jsonRpcModule.default;
const METHOD = "math.sum";
const PARAMS = [1, 2];
const EXPECTED = 3;

function socketUrl() {
  return `ws://${location.host}/rpc`;
}

/** The jrpc wasm client: `call()` makes one request. */
async function openJrpc() {
  const rpc = new JRPC.WebSocket(socketUrl(), { reconnect: false });
  await rpc.ready;
  return { call: () => rpc.request(METHOD, PARAMS), close: () => rpc.close() };
}

/** json-rpc-2.0 over a browser WebSocket, wired as its README shows. */
async function openJsonRpc2() {
  const ws = new WebSocket(socketUrl());
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("json-rpc-2.0: the WebSocket did not open"));
  });
  const client = new JSONRPCClient((request) => {
    ws.send(JSON.stringify(request));
  });
  ws.onmessage = (event) => client.receive(JSON.parse(event.data));
  ws.onclose = () => client.rejectAllPendingRequests("connection closed");
  return { call: () => client.request(METHOD, PARAMS), close: () => ws.close() };
}

const CLIENTS = { jrpc: openJrpc, "json-rpc-2.0": openJsonRpc2 };

/** Runs `inFlight` loops of calls until `ms` have passed; the calls made and the seconds taken. */
async function measure(client, inFlight, ms) {
  let calls = 0;
  const start = performance.now();
  const deadline = start + ms;
  async function loop() {
    while (performance.now() < deadline) {
      const result = await client.call();
      if (result !== EXPECTED) throw new Error(`math.sum answered ${JSON.stringify(result)}`);
      calls += 1;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, loop));
  // The garbage a client made is collected inside its own slice (the runner
  // exposes gc()): the slices alternate, and otherwise one client's garbage
  // is collected while the other is being timed.
  globalThis.gc?.();
  return { calls, seconds: (performance.now() - start) / 1000 };
}

/**
 * Each round opens both clients and measures sequential calls (one in
 * flight), then `inFlight` concurrent ones, `ms` per client and mode, cut in
 * `slices` that alternate between the clients (the first client flips every
 * slice). Interleaving that finely lets both clients share whatever else the
 * machine does in the meantime, so the ratio of the two holds even where the
 * absolute figures drift.
 */
async function runBench({ rounds = 3, ms = 2000, inFlight = 100, warmupCalls = 500, slices = 8 } = {}) {
  // One uncounted pass of each client first: the first moments of a page
  // (compiling the wasm to its optimised tier, the first connections) are
  // not what either client costs afterwards.
  for (const open of Object.values(CLIENTS)) {
    const client = await open();
    try {
      await measure(client, 1, ms / 4);
      await measure(client, inFlight, ms / 4);
    } finally {
      client.close();
    }
  }
  const runs = [];
  const names = Object.keys(CLIENTS);
  for (let round = 0; round < rounds; round++) {
    const clients = {};
    try {
      for (const name of names) clients[name] = await CLIENTS[name]();
      for (const name of names) for (let i = 0; i < warmupCalls; i++) await clients[name].call();
      const rates = {};
      for (const [mode, width] of [["sequential", 1], ["concurrent", inFlight]]) {
        const total = Object.fromEntries(names.map((name) => [name, { calls: 0, seconds: 0 }]));
        for (let s = 0; s < slices; s++) {
          const order = (round + s) % 2 === 0 ? names : [...names].reverse();
          for (const name of order) {
            const { calls, seconds } = await measure(clients[name], width, ms / slices);
            total[name].calls += calls;
            total[name].seconds += seconds;
          }
        }
        for (const name of names) (rates[name] ??= {})[mode] = total[name].calls / total[name].seconds;
      }
      for (const name of names) runs.push({ client: name, round, ...rates[name] });
    } finally {
      for (const client of Object.values(clients)) client.close();
    }
  }
  document.getElementById("out").textContent = JSON.stringify(runs, null, 2);
  return { userAgent: navigator.userAgent, inFlight, ms, slices, runs };
}

await init();
window.runBench = runBench;
window.benchReady = true;
