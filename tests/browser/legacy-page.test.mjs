// A page written for the original jrpc.js, served unchanged by jrpc-server,
// against its legacy endpoint (`--legacy-addr`): the calculator adds the
// strings its inputs send, a division by zero reaches the page's errback
// with a type name and a message, and the server calls the page's
// `(args, kwargs)` methods in the dialect. The page's jrpc.js is a stand-in
// written to the letter of the original's protocol (see its header).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ROOT, Server, StaticServer, launchChromium, watchConsole } from "./helpers.mjs";

const WAIT_MS = 15_000;
const www = path.join(ROOT, "tests/browser/legacy-page");

let server;
let legacyPort;
let browser;

before(async () => {
  const args = ["--addr", "127.0.0.1:0", "--www", www, "--legacy-addr", "127.0.0.1:0"];
  server = await Server.start(args, "legacy-page-server.log");
  const line = server.listening.input;
  const legacy = /original jrpc dialect ws:\/\/127\.0\.0\.1:(\d+)\//.exec(line);
  assert.ok(legacy, `no legacy endpoint in the startup line: ${line}`);
  legacyPort = Number(legacy[1]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The calculator page from the main port, connected to the legacy port. */
async function openPage(origin = server.url) {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const console = watchConsole(page);
  await page.goto(`${origin}index.html?port=${legacyPort}`);
  return { page, console };
}

/** Calls `rpc.request` in the page; resolves with what reached callback or errback. */
function request(page, method, args, kwargs) {
  return page.evaluate(
    ([method, args, kwargs]) =>
      new Promise((resolve) =>
        window.legacy.rpc.request(method, args, kwargs,
          (result) => resolve({ result }),
          (error, message) => resolve({ error, message }))),
    [method, args, kwargs]);
}

test("the calculator computes from the strings its inputs send", async () => {
  const { page, console } = await openPage();
  await page.evaluate(() => window.legacy.rpc.opened);
  await page.click("#add");
  await page.waitForFunction(() => document.getElementById("result").textContent !== "");
  assert.equal(await page.textContent("#result"), "15");
  assert.equal(await page.getAttribute("#result", "class"), "ok");

  await page.fill("#a", "1");
  await page.fill("#b", "0");
  await page.click("#divide");
  await page.waitForFunction(() => document.getElementById("result").className === "error");
  assert.equal(await page.textContent("#result"), "ZeroDivisionError: division by zero");
  assert.deepEqual(console.unexpected(), []);
  await page.close();
});

test("the server calls the page's (args, kwargs) methods, never with id 0", async () => {
  const { page, console } = await openPage();
  await page.evaluate(() => window.legacy.rpc.opened);
  assert.deepEqual(await request(page, "demo.callback", [], { method: "greet", params: ["jrpc"] }),
    { result: "hello jrpc" });
  // Positional and named together reach the page as args and kwargs.
  const mixed = { method: "greet", params: { 0: "jrpc", punctuation: "!" } };
  assert.deepEqual(await request(page, "demo.callback", [], mixed), { result: "hello jrpc!" });
  // A page method that throws: its error's name and message come back.
  assert.deepEqual(await request(page, "demo.callback", [], { method: "fail" }),
    { error: "RangeError", message: "out of range" });

  const calls = await page.evaluate(() => window.legacy.rpc.received.filter((m) => "method" in m));
  assert.equal(calls.length, 3);
  for (const call of calls) {
    assert.ok(Number.isInteger(call.id) && call.id !== 0, `id ${call.id}`);
    assert.ok(!("jsonrpc" in call), JSON.stringify(call));
  }
  assert.deepEqual(calls[1].args, ["jrpc"]);
  assert.deepEqual(calls[1].kwargs, { punctuation: "!" });
  assert.deepEqual(console.unexpected(), []);
  await page.close();
});

test("a page from a foreign origin may not connect", async () => {
  const files = await StaticServer.start({ "/": www + "/" });
  try {
    const { page, console } = await openPage(files.url);
    const state = await page.waitForFunction(() => {
      const ws = window.legacy.rpc.ws;
      return ws.readyState === WebSocket.CLOSED && "closed";
    });
    assert.equal(await state.jsonValue(), "closed");
    // Chromium reports the refused handshake on the console.
    assert.ok(console.problems.some((p) => /403/.test(p)), console.problems.join("\n"));
    await page.close();
  } finally {
    files.server.close();
  }
});
