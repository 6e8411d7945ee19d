// The browser package against a TLS server: `jrpc-server --tls-cert
// --tls-key` serves the demo page over https:// and the WebSocket over
// wss://, with a certificate made at run time (`jrpc-test-cert`). Chromium
// is told to accept it (a self-signed certificate); the page connects over
// wss:// by itself, and the package makes a call.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Server, artifacts, env, launchChromium, watchConsole } from "./helpers.mjs";

const run = promisify(execFile);

let scratch;
let server;
let browser;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "jrpc-tls-test-"));
  await run(env("JRPC_TEST_CERT_BIN"), [scratch], { timeout: 20_000 });
  const www = path.resolve(env("JRPC_WWW"));
  server = await Server.start(
    ["--addr", "127.0.0.1:0", "--www", www, "--push-interval", "0",
      "--tls-cert", path.join(scratch, "cert.pem"), "--tls-key", path.join(scratch, "key.pem")],
    "tls-server.log",
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop().catch(() => server.kill());
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test("the page over https:// connects over wss:// and the package calls the server", { timeout: 60_000 }, async () => {
  assert.equal(server.scheme, "https");
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watch = watchConsole(page);
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  try {
    await page.goto(server.url);
    await page.waitForSelector('#status[data-state="open"]', { state: "attached" });
    const sum = await page.evaluate(async () => {
      const { JRPC } = await import("/pkg/jrpc_client_wasm.js");
      const rpc = new JRPC.WebSocket(`wss://${location.host}/rpc`);
      try {
        return await rpc.request("math.sum", [2, 3]);
      } finally {
        rpc.close();
      }
    });
    assert.equal(sum, 5);
    assert.ok(sockets.length >= 2, JSON.stringify(sockets));
    for (const url of sockets) assert.match(url, /^wss:\/\/127\.0\.0\.1:\d+\/rpc$/);
    assert.deepEqual(watch.unexpected(), []);
  } finally {
    writeFileSync(path.join(artifacts(), "tls-console.log"), watch.all.join("\n") + "\n");
    await context.close();
  }
});
