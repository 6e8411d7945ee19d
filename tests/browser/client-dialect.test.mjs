// The browser package speaking the original jrpc dialect (`dialect: "jrpc"`)
// to jrpc-server's legacy endpoint (`--legacy-addr`), with the same API as
// JSON-RPC 2.0: requests, named params, errors with their type names,
// notifications, batches, timeouts, and methods the server calls. The page
// records every frame on the socket, so the test also checks what went over
// the wire: the dialect's shape, never a `jsonrpc` member, never id 0, and
// no `$/cancelRequest` (the dialect cannot cancel).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Server, env, launchChromium, packageEntry, watchConsole } from "./helpers.mjs";

const WAIT_MS = 15_000;

let server;
let legacyPort;
let browser;

before(async () => {
  const www = path.resolve(env("JRPC_WWW"));
  const args = ["--addr", "127.0.0.1:0", "--www", www, "--legacy-addr", "127.0.0.1:0"];
  server = await Server.start(args, "client-dialect-server.log");
  const legacy = /original jrpc dialect ws:\/\/127\.0\.0\.1:(\d+)\//.exec(server.listening.input);
  assert.ok(legacy, `no legacy endpoint in the startup line: ${server.listening.input}`);
  legacyPort = Number(legacy[1]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page from the main port (whose origin the legacy endpoint accepts) with the package loaded and the socket recorded. */
async function openPage() {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const console = watchConsole(page);
  await page.goto(`${server.url}index.html`);
  const entry = `/pkg/${packageEntry(path.join(path.resolve(env("JRPC_WWW")), "pkg"))}`;
  await page.evaluate(async ([entry, port]) => {
    const pkg = await import(entry);
    await pkg.default();
    // Every frame each way on the dialect's socket, parsed, in order (the
    // demo page's own client, which subscribes on load, is not recorded).
    const frames = { sent: [], received: [] };
    const dialectUrl = `ws://127.0.0.1:${port}`;
    class Recorded extends WebSocket {
      constructor(url) {
        super(url);
        this.recorded = String(url).startsWith(dialectUrl);
        if (this.recorded) this.addEventListener("message", (e) => frames.received.push(JSON.parse(e.data)));
      }
      send(text) {
        if (this.recorded) frames.sent.push(JSON.parse(text));
        super.send(text);
      }
    }
    globalThis.WebSocket = Recorded;
    const methods = {
      greet: (name, punctuation = "") => `hello ${name}${punctuation}`,
      named: ({ a, b }) => a * b,
      fail: () => {
        throw new RangeError("out of range");
      },
    };
    const rpc = new pkg.JRPC.WebSocket(`ws://127.0.0.1:${port}`, { dialect: "jrpc", methods });
    await rpc.ready;
    window.dialect = { rpc, frames, JRPC: pkg.JRPC };
  }, [entry, legacyPort]);
  return { page, console };
}

/** `rpc.request(...)` in the page: `{result}` or `{error: {name, code, message, data}}`. */
function request(page, method, params, options) {
  return page.evaluate(async ([method, params, options]) => {
    try {
      return { result: await window.dialect.rpc.request(method, params, options) };
    } catch (e) {
      return { error: { name: e.name, code: e.code, message: e.message, data: e.data } };
    }
  }, [method, params, options]);
}

test("requests, named params and errors with their type names", async () => {
  const { page, console } = await openPage();
  // The original calculator converts the strings its inputs send.
  assert.deepEqual(await request(page, "Add", ["5", "10"]), { result: 15 });
  assert.deepEqual(await request(page, "Subtract", { a: 10, b: 4 }), { result: 6 });
  const zero = await request(page, "Divide", [1, 0]);
  assert.equal(zero.error?.name, "JRPC.Error", JSON.stringify(zero));
  assert.equal(zero.error.message, "division by zero");
  assert.deepEqual(zero.error.data, { type: "ZeroDivisionError" });
  const unknown = await request(page, "NoSuchMethod", []);
  assert.deepEqual(unknown.error?.data, { type: "KeyError" }, JSON.stringify(unknown));

  const sent = await page.evaluate(() => window.dialect.frames.sent);
  assert.deepEqual(sent[0], { method: "Add", args: ["5", "10"], kwargs: {}, id: sent[0].id });
  assert.deepEqual(sent[1], { method: "Subtract", args: [], kwargs: { a: 10, b: 4 }, id: sent[1].id });
  for (const frame of sent) {
    assert.ok(!("jsonrpc" in frame), JSON.stringify(frame));
    assert.ok(Number.isInteger(frame.id) && frame.id > 0, JSON.stringify(frame));
  }
  const received = await page.evaluate(() => window.dialect.frames.received);
  assert.deepEqual(received[0], { id: sent[0].id, result: 15, error: null });
  assert.deepEqual(console.unexpected(), []);
  await page.close();
});

test("notifications, batches and timeouts keep the API; nothing the dialect lacks is sent", async () => {
  const { page, console } = await openPage();
  const outcome = await page.evaluate(async () => {
    const { rpc, JRPC } = window.dialect;
    rpc.invoke("Add", [1, 2]);
    const batch = await rpc.batch((b) => {
      b.request("Add", [1, 2]);
      b.invoke("Add", [3, 4]);
      b.request("Multiply", { a: 3, b: 4 });
    });
    let timedOut;
    try {
      await rpc.request("demo.sleep", [10_000], { timeoutMs: 50 });
    } catch (e) {
      timedOut = { isError: e instanceof JRPC.Error, code: e.code };
    }
    // Still usable after the call it gave up on.
    const after = await rpc.request("Add", [2, 2]);
    return { batch, timedOut, after };
  });
  assert.deepEqual(outcome, { batch: [3, 12], timedOut: { isError: true, code: -32002 }, after: 4 });
  const sent = await page.evaluate(() => window.dialect.frames.sent);
  // The invoke has no id; a batch goes as one frame per call (the dialect has none).
  assert.deepEqual(sent[0], { method: "Add", args: [1, 2], kwargs: {} });
  assert.deepEqual(sent.slice(1, 4).map((f) => [f.method, "id" in f]), [["Add", true], ["Add", false], ["Multiply", true]]);
  assert.ok(sent.every((f) => !Array.isArray(f) && f.method !== "$/cancelRequest"), JSON.stringify(sent));
  assert.deepEqual(console.unexpected(), []);
  await page.close();
});

test("the server calls the page's methods in the dialect", async () => {
  const { page, console } = await openPage();
  assert.deepEqual(await request(page, "demo.callback", { method: "greet", params: ["jrpc"] }), { result: "hello jrpc" });
  assert.deepEqual(await request(page, "demo.callback", { method: "named", params: { a: 6, b: 7 } }), { result: 42 });
  // A method that throws: the server gets the failure, and so does the caller.
  const failed = await request(page, "demo.callback", { method: "fail" });
  assert.match(failed.error?.message ?? "", /out of range/, JSON.stringify(failed));
  // Positional and named together: the package's methods take one or the other.
  const both = await request(page, "demo.callback", { method: "greet", params: { 0: "jrpc", punctuation: "!" } });
  assert.match(both.error?.message ?? "", /not both/, JSON.stringify(both));

  const calls = await page.evaluate(() => window.dialect.frames.received.filter((f) => "method" in f));
  assert.equal(calls.length, 4);
  assert.deepEqual([calls[0].args, calls[0].kwargs], [["jrpc"], {}]);
  const answers = await page.evaluate(() => window.dialect.frames.sent.filter((f) => !("method" in f)));
  assert.deepEqual(answers[0], { id: calls[0].id, result: "hello jrpc", error: null });
  assert.equal(answers[2].id, calls[2].id);
  assert.match(answers[2].result, /out of range/);
  assert.equal(answers[3].error, "TypeError");
  assert.deepEqual(console.unexpected(), []);
  await page.close();
});

test("a dialect the package does not speak is a TypeError", async () => {
  const { page } = await openPage();
  const message = await page.evaluate(() => {
    try {
      new window.dialect.JRPC.WebSocket("ws://127.0.0.1:1", { dialect: "xml-rpc" });
    } catch (e) {
      return e instanceof TypeError && e.message;
    }
  });
  assert.match(message || "", /dialect must be "json-rpc" or "jrpc"/);
  await page.close();
});
