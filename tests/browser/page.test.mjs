// The demo page (www/) in headless Chromium against the real jrpc-server:
// the calculator, errors, invalid input, the server calling the page, the
// server's pushes, and a reconnect after the server restarts on the same port.
//
// The page's contract: `#status[data-state]` is connecting/open/reconnecting/
// closed; `#a`, `#b`, `#add`, `#subtract`, `#multiply`, `#divide`;
// `output#result` holds the number with class `ok`, or an error message with
// class `error` (`data-kind="invalid"` for bad input, which sends nothing);
// `#callback` → `#callback-result`; `#hello` (demo.greet) writes to `#log`;
// `#name`, `#sign-in-button` and `#who` sign in (rpc.auth); `#clients` from `demo.clients`;
// `#ticks[data-n]` the latest tick of the `demo.ticks` subscription and
// `#ticks-gap` what a resume missed; `#board-text`, `#board-post` and the
// posts of the shared `demo.board` topic in `#board`;
// `window.jrpcDemo = { rpc }`.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Server, artifacts, env, launchChromium, steps, watchConsole } from "./helpers.mjs";

/** Every Playwright wait is bounded by this unless it says otherwise. */
const WAIT_MS = 15_000;
/** The page reconnects with backoff (its maxDelayMs is a few seconds). */
const RECONNECT_MS = 30_000;

const www = path.resolve(env("JRPC_WWW"));
const serverArgs = (addr) => ["--addr", addr, "--www", www, "--push-interval", "1"];

let browser;
let page;
let consoleWatch;
/** Every JSON-RPC message the page sent or received, in order, across reconnects. */
const frames = [];
const servers = [];
/** The URL of every request the page made. */
const requested = [];

before(async () => {
  for (const file of ["index.html", "pkg/jrpc_client_wasm.js"]) {
    assert.ok(existsSync(path.join(www, file)), `${path.join(www, file)} is missing (JRPC_WWW=${www})`);
  }
  servers.push(await Server.start(serverArgs("127.0.0.1:0"), "page-server.log"));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.setDefaultTimeout(WAIT_MS);
  consoleWatch = watchConsole(page);
  // Chromium asks for /favicon.ico by itself when the page names no icon.
  consoleWatch.allowed.push(/^console\.error: Failed to load resource: .* 404 .*\/favicon\.ico\)$/);
  page.on("request", (request) => requested.push(request.url()));
  page.on("websocket", (ws) => {
    const record = (dir) => ({ payload }) => {
      let msg = null;
      try {
        msg = JSON.parse(String(payload));
      } catch {
        // not JSON: kept as null; the assertions look at JSON-RPC messages only
      }
      frames.push({ dir, msg: msg && typeof msg === "object" ? msg : null });
    };
    ws.on("framesent", record("sent"));
    ws.on("framereceived", record("received"));
  });
});

after(async () => {
  const dir = artifacts();
  try {
    if (page) await page.screenshot({ path: path.join(dir, "page.png"), fullPage: true });
  } catch (e) {
    console.error(`no screenshot: ${e.message}`);
  }
  if (consoleWatch) writeFileSync(path.join(dir, "page-console.log"), consoleWatch.all.join("\n") + "\n");
  await browser?.close();
  for (const server of servers) await server.kill();
});

/** Waits until a line of the page's log holds `text`. */
async function logShows(text) {
  await page.waitForFunction((t) => [...document.querySelectorAll("#log li")].some((li) => li.textContent.includes(t)), text);
}

/** Waits until `#status` has `data-state` `state`. */
async function statusIs(state, timeout = WAIT_MS) {
  await page.waitForSelector(`#status[data-state="${state}"]`, { state: "attached", timeout });
}

/** Fills `#a` and `#b` and clicks `#op`. */
async function calculate(a, op, b) {
  await page.fill("#a", String(a));
  await page.fill("#b", String(b));
  await page.click(`#${op}`);
}

/** Waits for `#result` to show exactly `text` with class `cls`. */
const resultIs = (text, cls) => resultMatches(new RegExp(`^${escapeRegExp(text)}$`), cls);
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Waits for `#result`'s trimmed text to match `re`, with class `cls`. */
async function resultMatches(re, cls) {
  try {
    await page.waitForFunction(
      ([source, cls]) => {
        const el = document.getElementById("result");
        return el && new RegExp(source).test(el.textContent.trim()) && el.classList.contains(cls);
      },
      [re.source, cls],
    );
  } catch (e) {
    const text = await page.textContent("#result").catch(() => null);
    const got = await page.getAttribute("#result", "class").catch(() => null);
    throw new Error(`#result never matched ${re} with class ${cls}; it shows ${JSON.stringify(text)} (class ${JSON.stringify(got)})\n${e.message}`);
  }
}

/** The page's subscriptions, which it opens (and reopens) by itself, whatever a step does. */
const SUBSCRIBES = ["demo.ticks.subscribe", "demo.board.subscribe"];

/** The requests and notifications the page sent from index `from` on (its own subscribes aside). */
const callsSentSince = (from) =>
  frames.slice(from).filter((f) => f.dir === "sent" && f.msg && "method" in f.msg && !SUBSCRIBES.includes(f.msg.method));

test("the demo page against jrpc-server", { timeout: 180_000 }, async (t) => {
  const step = steps(t);
  const server = servers[0];
  await page.goto(server.url);

  await step("connects", async () => {
    await statusIs("open");
    const state = await page.evaluate(() => window.jrpcDemo?.rpc?.state);
    assert.equal(state, "open", "window.jrpcDemo.rpc.state");
  });

  await step("calculates on the server", async () => {
    for (const [a, op, b, want] of [
      [5, "add", 10, "15"],
      [7, "subtract", 10, "-3"],
      [6, "multiply", 7, "42"],
      [1, "divide", 4, "0.25"],
    ]) {
      const from = frames.length;
      await calculate(a, op, b);
      await resultIs(want, "ok");
      assert.equal(callsSentSince(from).length, 1, `one request for ${a} ${op} ${b}`);
    }
  });

  await step("shows the server's error", async () => {
    await calculate(1, "divide", 0);
    await resultMatches(/division by zero/, "error");
    assert.notEqual(await page.getAttribute("#result", "data-kind"), "invalid");
  });

  await step("rejects invalid input without sending it", async () => {
    const from = frames.length;
    await page.fill("#a", "");
    await page.fill("#b", "3");
    await page.click("#add");
    await page.waitForSelector('#result.error[data-kind="invalid"]', { state: "attached" });
    const message = (await page.textContent("#result")).trim();
    assert.ok(message.length > 0, "an invalid-input message");
    assert.doesNotMatch(message, /division by zero/);
    // A valid call afterwards: when its answer is shown, anything the invalid
    // click had sent would have been sent before it.
    await calculate(1, "add", 1);
    await resultIs("2", "ok");
    const sent = callsSentSince(from);
    assert.equal(sent.length, 1, `only the valid call was sent: ${JSON.stringify(sent.map((f) => f.msg))}`);
  });

  await step("the server calls the page back", async () => {
    const from = frames.length;
    await page.click("#callback");
    await page.waitForFunction(() => {
      const el = document.getElementById("callback-result");
      return el && el.textContent.trim() !== "" && !el.classList.contains("error");
    });
    // On the wire: a request from the server, and the page's answer to it.
    const incoming = frames.slice(from).filter((f) => f.dir === "received" && f.msg?.method && "id" in f.msg);
    assert.ok(incoming.length >= 1, "the server sent the page a request");
    const answered = frames
      .slice(from)
      .some((f) => f.dir === "sent" && f.msg && "result" in f.msg && incoming.some((r) => r.msg.id === f.msg.id));
    assert.ok(answered, "the page answered the server's request");
    const text = (await page.textContent("#callback-result")).trim();
    assert.ok(text.length > 0, "#callback-result shows the round trip");
  });

  await step("signs in by name, and the server greets the page by it", async () => {
    await page.click("#hello");
    await logShows("server says: hello, stranger");
    await page.fill("#name", "Ada Lovelace");
    await page.click("#sign-in-button");
    await page.waitForFunction(() => document.getElementById("who")?.textContent === "Signed in as Ada Lovelace.");
    const signIn = frames.filter((f) => f.dir === "sent" && f.msg?.method === "rpc.auth");
    assert.deepEqual(signIn.map((f) => f.msg.params), [["Ada Lovelace"]]);
    await page.click("#hello");
    await logShows("server says: hello, Ada Lovelace");
  });

  await step("receives the server's pushes", async () => {
    // --push-interval 1: demo.clients arrives every second.
    await page.waitForFunction(() => /^[1-9]\d*$/.test(document.getElementById("clients")?.textContent.trim()));
    assert.ok(
      frames.some((f) => f.dir === "received" && f.msg?.method === "demo.clients" && !("id" in f.msg)),
      "a demo.clients notification",
    );
  });

  await step("shows a live subscription", async () => {
    await page.waitForFunction(() => Number(document.getElementById("ticks")?.dataset.n) >= 2);
    assert.ok(
      frames.some((f) => f.dir === "received" && f.msg?.method === "demo.ticks" && f.msg.params?.result?.n >= 0),
      "demo.ticks notifications",
    );
  });

  await step("two pages talk through the shared board", async () => {
    const other = await browser.newPage();
    try {
      await other.goto(server.url);
      await other.waitForFunction(() => window.jrpcDemo?.rpc?.state === "open");
      const text = `hello from the first page ${Date.now()}`;
      await page.fill("#board-text", text);
      await page.click("#board-post");
      for (const p of [page, other]) {
        await p.waitForFunction((t) => [...document.querySelectorAll("#board li")].some((li) => li.textContent.includes(t)), text);
      }
    } finally {
      await other.close();
    }
  });

  await step("reconnects when the server restarts on the same port", async () => {
    const port = server.port;
    // Connection attempts while the server is down fail; Chromium logs each one.
    consoleWatch.allowed.push(new RegExp(`WebSocket connection to 'ws://127\\.0\\.0\\.1:${port}/rpc' failed`));
    const exit = await server.stop();
    assert.equal(exit.code, 0, `jrpc-server exits cleanly on SIGTERM (${JSON.stringify(exit)})`);
    await page.waitForFunction(() => document.getElementById("status").dataset.state !== "open");
    await statusIs("reconnecting");

    servers.push(await Server.start(serverArgs(`127.0.0.1:${port}`), "page-server-restarted.log"));
    await statusIs("open", RECONNECT_MS);
    await calculate(2, "add", 3);
    await resultIs("5", "ok");
  });

  await step("the subscription resumes after the restart and shows what it missed", async () => {
    // The new server run is a new stream: its ticks count from 0 again.
    await page.waitForFunction(() => /^Resumed after the server restarted: about \d+ ticks? missed/.test(document.getElementById("ticks-gap")?.textContent));
    const n = Number(await page.getAttribute("#ticks", "data-n"));
    await page.waitForFunction((from) => Number(document.getElementById("ticks")?.dataset.n) > from, n);
    const resumed = frames.filter((f) => f.dir === "sent" && f.msg?.method === "demo.ticks.subscribe" && f.msg.resume);
    assert.ok(resumed.length >= 1, "the page resubscribed with a resume member");
  });

  await step("signs in again on the new connection after the restart", async () => {
    const lines = await page.locator("#log li").count();
    await page.click("#hello");
    await page.waitForFunction(
      (from) => [...document.querySelectorAll("#log li")].slice(from).some((li) => li.textContent.includes("server says: hello, Ada Lovelace")),
      lines,
    );
  });

  await step("loads no module it does not use", () => {
    // The jrpc dialect's translators are fetched only by a client that chooses that dialect.
    assert.deepEqual(requested.filter((url) => /jrpc_dialect/.test(url)), []);
    assert.ok(requested.some((url) => /jrpc_engine_bg\.wasm$/.test(url)), "the engine's wasm was loaded");
  });

  // Also after a failure: an error on the console often says why.
  await step(
    "no unexpected console errors",
    () => {
      assert.deepEqual(consoleWatch.unexpected(), []);
    },
    { always: true },
  );
});
