// A rolling restart costs no call: jrpc-server, stopped with SIGTERM, tells
// its clients to reconnect (`rpc.reconnect`) before it closes. The browser
// client then sends new calls only on a new connection (here, the server
// started again on the same port, as a load balancer's other server would
// be), and leaves the old one once the calls it sent there are answered.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Server, env, launchChromium, watchConsole, withTimeout } from "./helpers.mjs";

const www = path.resolve(env("JRPC_WWW"));
const args = (addr) => ["--addr", addr, "--www", www, "--push-interval", "0"];
let servers = [];
let browser;

before(async () => {
  servers.push(await Server.start(args("127.0.0.1:0"), "move-server.log"));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop().catch(() => server.kill());
});

test("told to reconnect, the client moves without failing a call", { timeout: 60_000 }, async () => {
  const [first] = servers;
  const page = await browser.newPage();
  page.setDefaultTimeout(15_000);
  const watch = watchConsole(page);
  // Reconnect attempts while the old server drains get its 503; Chromium logs each.
  watch.allowed.push(new RegExp(`WebSocket connection to 'ws://127\\.0\\.0\\.1:${first.port}/rpc' failed`));
  // Chromium asks for /favicon.ico by itself for a page that names no icon.
  watch.allowed.push(/^console\.error: Failed to load resource: .* 404 .*\/favicon\.ico\)$/);
  /** Every JSON-RPC message, by the socket it went over. */
  const sockets = [];
  const sent = (frames, method) => frames.filter((f) => f.dir === "sent" && f.msg.method === method);
  /** Our client's first socket: the one the running calls went over. */
  const first_socket = () => sockets.find((frames) => sent(frames, "demo.sleep").length > 0);
  let noticed;
  const notice = new Promise((resolve) => (noticed = resolve));
  page.on("websocket", (ws) => {
    const frames = [];
    sockets.push(frames);
    const record = (dir) => ({ payload }) => {
      frames.push({ dir, msg: JSON.parse(String(payload)) });
      if (dir === "received" && frames.at(-1).msg.method === "rpc.reconnect" && frames === first_socket()) noticed();
    };
    ws.on("framesent", record("sent"));
    ws.on("framereceived", record("received"));
  });
  try {
    // A page of the server's origin that opens no socket of its own.
    await page.goto(`${first.url}style.css`);
    await page.evaluate(async () => {
      const { JRPC } = await import("/pkg/jrpc_client_wasm.js");
      const events = [];
      const rpc = new JRPC.WebSocket(`ws://${location.host}/rpc`, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
      for (const kind of ["open", "close"]) rpc.addEventListener(kind, (e) => events.push({ type: e.type, code: e.code, reason: e.reason }));
      await rpc.ready;
      // Calls running when the server is told to stop: one it answers, one
      // the page gives up on while the client waits to leave.
      const slow = rpc.request("demo.sleep", [700]);
      const abort = new AbortController();
      const dropped = rpc.request("demo.sleep", [20_000], { signal: abort.signal }).catch((e) => e.code);
      window.move = { rpc, events, slow, abort, dropped };
    });
    first.child.kill("SIGTERM");
    await withTimeout(notice, 10_000, "no rpc.reconnect from the server");
    // A call made after the notice: not sent on the old connection.
    await page.evaluate(() => {
      window.move.after = window.move.rpc.request("math.sum", [2, 3]);
    });
    assert.equal(await page.evaluate(() => window.move.slow), 700, "the running call is answered on the old connection");
    // The last call it waits for is given up on: the cancel still goes to
    // the old server, and then the client leaves at once.
    assert.equal(await page.evaluate(() => window.move.events.some((e) => e.type === "close")), false, "it waits for its calls");
    assert.equal(await page.evaluate(() => (window.move.abort.abort(), window.move.dropped)), -32800);
    await page.waitForFunction(() => window.move.events.some((e) => e.type === "close"), null, { timeout: 5_000 });

    // The old server drains and exits; the "other server" takes its place.
    const exit = await withTimeout(first.exited, 20_000, "the first server did not exit");
    assert.equal(exit.code, 0, JSON.stringify(exit));
    servers.push(await Server.start(args(`127.0.0.1:${first.port}`), "move-server-2.log"));
    assert.equal(await page.evaluate(() => window.move.after), 5, "the call made after the notice is answered by the new server");

    const events = await page.evaluate(() => window.move.events);
    assert.deepEqual(
      events.find((e) => e.type === "close"),
      { type: "close", code: 1001, reason: "the server asked to reconnect" },
      "the client left by itself, after its running call was answered",
    );
    const old = first_socket();
    assert.equal(sent(old, "math.sum").length, 0, "nothing new went to the server that asked to be left");
    assert.equal(sent(old, "$/cancelRequest").length, 1, "the cancel went out on the old connection");
    const moved = sockets.filter((frames) => frames !== old && sent(frames, "math.sum").length > 0);
    assert.equal(moved.length, 1, "the held call went out once, on a new connection");
    await page.evaluate(() => window.move.rpc.close());
    assert.deepEqual(watch.unexpected(), []);
  } finally {
    await page.close();
  }
});
