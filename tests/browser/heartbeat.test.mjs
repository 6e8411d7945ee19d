// A silent server: jrpc-server stopped with SIGSTOP keeps its sockets open
// and answers nothing. The browser sees no WebSocket pings, so the client
// asks something after `heartbeatMs` of silence, gives the connection up
// when no answer comes in time (failing the call that was waiting with
// -32003), and reconnects once the server runs again (SIGCONT).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import path from "node:path";
import { Server, artifacts, env, launchChromium, watchConsole } from "./helpers.mjs";

let server;
let browser;

/** Resolves once process `pid` is stopped (state T in /proc): a signal is
 * delivered a moment after `kill` returns, and a call sent meanwhile would
 * still be answered. Bounded to 5 s. */
async function stopped(pid) {
  for (let i = 0; i < 500; i++) {
    if (readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("T")) return;
    await delay(10);
  }
  throw new Error(`process ${pid} did not stop within 5 s`);
}

before(async () => {
  const www = path.resolve(env("JRPC_WWW"));
  server = await Server.start(["--addr", "127.0.0.1:0", "--www", www, "--push-interval", "0"], "heartbeat-server.log");
  browser = await launchChromium();
});

after(async () => {
  server?.child.kill("SIGCONT");
  await browser?.close();
  await server?.stop().catch(() => server.kill());
});

test("a client gives up a server that went silent, and reconnects when it is back", { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const watch = watchConsole(page);
  try {
    await page.goto(server.url);
    await page.evaluate(async () => {
      const { JRPC } = await import("/pkg/jrpc_client_wasm.js");
      const events = [];
      const rpc = new JRPC.WebSocket(`ws://${location.host}/rpc`, {
        heartbeatMs: 300,
        reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
      });
      for (const kind of ["open", "close", "reconnecting"]) rpc.addEventListener(kind, (e) => events.push({ type: e.type, reason: e.reason }));
      await rpc.ready;
      window.silent = { rpc, events };
    });
    assert.equal(await page.evaluate(() => window.silent.rpc.request("math.sum", [1, 2])), 3);

    server.child.kill("SIGSTOP");
    await stopped(server.child.pid);
    const waiting = await page.evaluate(async () => {
      const started = performance.now();
      try {
        await window.silent.rpc.request("math.sum", [2, 2], { timeoutMs: 20_000 });
        return { settled: "resolved" };
      } catch (e) {
        return { code: e.code, ms: performance.now() - started };
      }
    });
    // Given up by the heartbeat (two periods, about 0.6 s), not by the call's own 20 s.
    assert.equal(waiting.code, -32003, JSON.stringify(waiting));
    assert.ok(waiting.ms < 5_000, JSON.stringify(waiting));
    const close = await page.evaluate(() => window.silent.events.find((e) => e.type === "close"));
    assert.deepEqual(close, { type: "close", reason: "the server went silent" });

    server.child.kill("SIGCONT");
    await page.waitForFunction(() => window.silent.events.filter((e) => e.type === "open").length >= 2);
    assert.equal(await page.evaluate(() => window.silent.rpc.request("math.sum", [3, 4])), 7);
    await page.evaluate(() => window.silent.rpc.close());
    // Connection attempts while the server was stopped may fail; Chromium logs each one.
    watch.allowed.push(/WebSocket connection to .* failed/);
    assert.deepEqual(watch.unexpected(), []);
  } finally {
    writeFileSync(path.join(artifacts(), "heartbeat-console.log"), watch.all.join("\n") + "\n");
    await page.close();
  }
});
