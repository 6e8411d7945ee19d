// Typed end to end: `jrpc types` writes TypeScript declarations of
// jrpc-server's API (from its rpc.discover), and `tsc --noEmit --strict`
// checks the fixtures in types/ against them and the package's own
// declarations: typed-ok.ts must compile, every line marked
// `@ts-expect-error` in typed-errors.ts must really be an error, and
// untyped-ok.ts (no `Api`) must compile as before. Also: the declarations
// from a saved document (`--openrpc`) are the same, and www/api.d.ts, which
// the demo page checks itself against, is up to date.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Server, env } from "./helpers.mjs";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const www = path.resolve(env("JRPC_WWW"));
const tsc = path.join(here, "node_modules", "typescript", "bin", "tsc");
const TSC_FLAGS = ["--noEmit", "--strict", "--target", "es2020", "--lib", "es2020,dom,dom.asynciterable", "--moduleResolution", "node"];
/** Each tool run is bounded. */
const LIMIT_MS = 120_000;

let server;
let dir;

before(async () => {
  server = await Server.start(["--addr", "127.0.0.1:0", "--no-www"], "types-server.log");
  dir = mkdtempSync(path.join(os.tmpdir(), "jrpc-types-"));
  copyFileSync(path.join(www, "pkg", "jrpc_client_wasm.d.ts"), path.join(dir, "jrpc_client_wasm.d.ts"));
});

after(async () => {
  await server?.stop().catch(() => server.kill());
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const wsUrl = () => `ws://${server.addr}/rpc`;

/** `jrpc ARGS`: its stdout (fails the test with its stderr when it fails). */
async function jrpc(...args) {
  const { stdout } = await run(env("JRPC_BIN"), args, { timeout: LIMIT_MS, maxBuffer: 1 << 24 });
  return stdout;
}

/** tsc over `files` in the scratch directory: its output, and whether it passed. */
async function typecheck(files) {
  try {
    await run(process.execPath, [tsc, ...TSC_FLAGS, ...files], { cwd: dir, timeout: LIMIT_MS });
    return { ok: true, output: "" };
  } catch (e) {
    return { ok: false, output: `${e.stdout}${e.stderr}` };
  }
}

test("the generated Api types calls, results, subscriptions and browser methods", async () => {
  await jrpc("types", "--url", wsUrl(), "--out", path.join(dir, "api.d.ts"));
  for (const fixture of ["typed-ok.ts", "typed-errors.ts", "untyped-ok.ts"]) {
    copyFileSync(path.join(here, "types", fixture), path.join(dir, fixture));
  }
  const all = await typecheck(["typed-ok.ts", "typed-errors.ts", "untyped-ok.ts"]);
  assert.ok(all.ok, all.output);

  // The check bites: an expected error that is not one fails it.
  const errors = readFileSync(path.join(dir, "typed-errors.ts"), "utf8");
  writeFileSync(path.join(dir, "loose.ts"), errors.replace('rpc.request("Ad", [5, 10])', 'rpc.request("Add", [5, 10])'));
  const loose = await typecheck(["loose.ts"]);
  assert.equal(loose.ok, false, "a fixed line under @ts-expect-error must fail the check");
  assert.match(loose.output, /Unused '@ts-expect-error' directive/);
});

test("a saved document gives the same declarations, and www/api.d.ts is up to date", async () => {
  const fromServer = await jrpc("types", "--url", wsUrl());
  const document = path.join(dir, "openrpc.json");
  writeFileSync(document, await jrpc("call", "rpc.discover", "--url", wsUrl()));
  const fromFile = await jrpc("types", "--openrpc", document);
  // Only the line that says where it came from differs.
  const body = (text) => text.split("\n").slice(1).join("\n");
  assert.equal(body(fromFile), body(fromServer));
  const committed = readFileSync(path.join(www, "api.d.ts"), "utf8");
  assert.equal(
    body(committed),
    body(fromServer),
    "www/api.d.ts is stale: regenerate it with `jrpc types --out www/api.d.ts` against jrpc-server",
  );
});

test("the demo page checks itself against the generated Api", async () => {
  // JSDoc types in a plain script (`// @ts-check`): calls, params and results.
  const flags = ["--noEmit", "--allowJs", "--checkJs", "--moduleDetection", "force", "--target", "es2022", "--module", "es2022"];
  const page = ["--moduleResolution", "bundler", "--lib", "es2022,dom,dom.iterable,dom.asynciterable"];
  const check = async (file) => {
    try {
      await run(process.execPath, [tsc, ...flags, ...page, file], { cwd: www, timeout: LIMIT_MS });
      return "";
    } catch (e) {
      return `${e.stdout}${e.stderr}` || "tsc failed";
    }
  };
  assert.equal(await check("app.js"), "");
  // A call the server does not serve fails the check.
  const broken = readFileSync(path.join(www, "app.js"), "utf8").replace('"demo.board.post", { text }', '"demo.board.post", { txt: text }');
  assert.notEqual(broken, readFileSync(path.join(www, "app.js"), "utf8"), "the page posts to the board");
  const copy = path.join(www, "app-broken-check.js");
  writeFileSync(copy, broken);
  try {
    assert.match(await check("app-broken-check.js"), /'txt' does not exist/);
  } finally {
    rmSync(copy, { force: true });
  }
});
