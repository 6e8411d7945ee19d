// The npm package as an app gets it: `npm pack`, the tarball installed into
// a scratch app that does `import { JRPC } from "jrpc-client-wasm"`, and the
// app run five ways, with no plugin and no configuration: a plain page (an
// import map), Vite's dev server, Vite's build, webpack 5 and esbuild. In
// each, Chromium makes a JSON-RPC 2.0 call and a call in the original jrpc
// dialect (its wasm is a second module, loaded on demand) to jrpc-server.
// Also: the types resolve through `exports`, and `jrpc-client-wasm/slim`
// takes the wasm's URL from the app.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { once } from "node:events";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { build as esbuild } from "esbuild";
import { build as viteBuild, createServer as viteServer } from "vite";
import webpack from "webpack";
import { Server, artifacts, env, launchChromium, watchConsole } from "./helpers.mjs";

const run = promisify(execFile);
/** npm pack / npm install of a local tarball without dependencies. */
const NPM_LIMIT_MS = 120_000;
/** A build of the scratch app, or one page's load and its two calls. */
const STEP_LIMIT_MS = 120_000;

/** The app's calls, both, with their results or the error in `#out`. */
const CALLS_JS = `export async function calls(JRPC) {
  const out = document.getElementById("out");
  const query = new URLSearchParams(location.search);
  try {
    const rpc = new JRPC.WebSocket(query.get("rpc"));
    const sum = await rpc.request("math.sum", [2, 3]);
    rpc.close();
    const legacy = new JRPC.WebSocket(query.get("legacy"), { dialect: "jrpc" });
    const added = await legacy.request("Add", [5, 10]);
    legacy.close();
    out.textContent = \`\${sum} \${added}\`;
  } catch (e) {
    out.textContent = \`error: \${e && e.message}\`;
  }
}
`;

/** The app, as the README says to write it. */
const MAIN_JS = `import { JRPC } from "jrpc-client-wasm";
import { calls } from "./calls.js";

await calls(JRPC);
`;

/** The app for a target without top-level await: the slim entry, and init() first. */
const SLIM_MAIN_JS = `import init, { JRPC } from "jrpc-client-wasm/slim";
import { calls } from "./calls.js";

init().then(() => calls(JRPC));
`;

const page = (head, script) => `<!doctype html>
<html>
<head><meta charset="utf-8"><title>jrpc-client-wasm</title><link rel="icon" href="data:,">${head}</head>
<body>
  <output id="out"></output>
  ${script}
</body>
</html>
`;

/** Vite's entry; esbuild's and webpack's output get the same page. */
const INDEX_HTML = page("", '<script type="module" src="./main.js"></script>');
const SLIM_INDEX_HTML = page("", '<script type="module" src="./slim-main.js"></script>');

/** No bundler: the package straight from node_modules, named by an import map. */
const PLAIN_HTML = page(
  `<script type="importmap">{"imports": {
    "jrpc-client-wasm": "./node_modules/jrpc-client-wasm/jrpc_client_wasm.js",
    "jrpc-client-wasm/slim": "./node_modules/jrpc-client-wasm/jrpc_client_wasm_slim.js"
  }}</script>`,
  '<script type="module" src="./main.js"></script>',
);

/** The slim entry: no wasm until `init` is given its URL; a wrong wasm fails, and a later init retries. */
const SLIM_HTML = PLAIN_HTML.replace(
  '<script type="module" src="./main.js"></script>',
  `<script type="module">
    import init, { JRPC } from "jrpc-client-wasm/slim";
    const out = document.getElementById("out");
    try {
      const url = new URLSearchParams(location.search).get("rpc");
      const refusal = () => { try { new JRPC.WebSocket(url).close(); return ""; } catch (e) { return e.message; } };
      const early = refusal();
      const pkg = new URL("./node_modules/jrpc-client-wasm/", location.href);
      const wrong = await init({ module_or_path: new URL("jrpc_dialect_bg.wasm", pkg) }).then(() => "loaded", refusal);
      await init({ module_or_path: new URL("jrpc_engine_bg.wasm", pkg) });
      const rpc = new JRPC.WebSocket(url);
      out.textContent = JSON.stringify({ early, wrong, sum: await rpc.request("math.sum", [4, 5]) });
      rpc.close();
    } catch (e) {
      out.textContent = \`error: \${e && e.message}\`;
    }
  </script>`,
);

/** Both entries' declarations, through `exports`, as a TypeScript app sees them. */
const TYPES_TS = `import { JRPC } from "jrpc-client-wasm";
import init, { JRPC as Slim } from "jrpc-client-wasm/slim";

await init({ module_or_path: new URL("https://example.test/jrpc_engine_bg.wasm") });
const rpc: InstanceType<typeof JRPC.WebSocket> = new Slim.WebSocket("ws://127.0.0.1:8080/rpc");
const answer: Promise<unknown> = rpc.request("math.sum", [1, 2]);
void answer;
// @ts-expect-error: the URL is a string
new JRPC.WebSocket(8080);
`;

let scratch;
let app;
let browser;
const consoleLines = [];

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "jrpc-package-test-"));
  app = path.join(scratch, "app");
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", scratch, path.resolve(env("JRPC_PKG"))], {
    timeout: NPM_LIMIT_MS,
  });
  const [{ filename }] = JSON.parse(stdout);
  await mkdir(app);
  await writeFile(path.join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true, type: "module" }, null, 2));
  const files = {
    "calls.js": CALLS_JS,
    "main.js": MAIN_JS,
    "slim-main.js": SLIM_MAIN_JS,
    "index.html": INDEX_HTML,
    "slim-index.html": SLIM_INDEX_HTML,
    "plain.html": PLAIN_HTML,
    "slim.html": SLIM_HTML,
    "types.ts": TYPES_TS,
  };
  for (const [name, text] of Object.entries(files)) {
    await writeFile(path.join(app, name), text);
  }
  await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", path.join(scratch, filename)], {
    cwd: app,
    timeout: NPM_LIMIT_MS,
  });
  browser = await launchChromium();
});

after(async () => {
  writeFileSync(path.join(artifacts(), "package-console.log"), consoleLines.join("\n") + "\n");
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * `path` of a jrpc-server serving `www` (plus `args`), loaded in a new page
 * with the URLs of both endpoints in its query; what `#out` then says, the
 * page's requests, and its console.
 */
async function load(name, www, pagePath, args = []) {
  const server = await Server.start(
    ["--addr", "127.0.0.1:0", "--www", www, "--legacy-addr", "127.0.0.1:0", "--push-interval", "0", ...args],
    `package-${name}-server.log`,
  );
  let context;
  let watch;
  try {
    context = await browser.newContext();
    watch = watchConsole(await context.newPage());
    return await openPage(context, watch, server, pagePath);
  } finally {
    consoleLines.push(`== ${name}`, ...(watch?.all ?? []));
    await context?.close();
    await server.stop().catch(() => server.kill());
  }
}

/** Opens `origin + pagePath` (the server's own origin if none) in `context`'s page; see `load`. */
async function openPage(context, watch, server, pagePath, origin = server.url) {
  const [tab] = context.pages();
  tab.setDefaultTimeout(30_000);
  const requests = [];
  tab.on("response", (r) => requests.push({ url: r.url(), status: r.status(), type: r.headers()["content-type"] }));
  const legacy = /original jrpc dialect (ws:\/\/127\.0\.0\.1:\d+)\//.exec(server.listening.input);
  assert.ok(legacy, `no legacy endpoint in the startup line: ${server.listening.input}`);
  const query = new URLSearchParams({ rpc: `ws://${server.addr}/rpc`, legacy: legacy[1] });
  await tab.goto(new URL(`${pagePath}?${query}`, origin).href);
  await tab.waitForFunction(() => document.getElementById("out")?.textContent !== "");
  return { out: await tab.textContent("#out"), requests, watch };
}

/**
 * The wasm files the page got (as wasm), and whether it loaded an inline
 * copy: a module named so (Vite's dev server keeps the names) or, when the
 * page's files are in `dist`, any script holding base64 wasm (bundlers
 * rename chunks).
 */
async function wasmUse(requests, dist) {
  const wasm = (r) => r.url.endsWith(".wasm") && r.status === 200 && r.type === "application/wasm";
  let inline = requests.some((r) => r.url.includes("_inline"));
  for (const r of dist ? requests : []) {
    const { pathname } = new URL(r.url);
    if (!pathname.endsWith(".js")) continue;
    const text = await readFile(path.join(dist, decodeURIComponent(pathname)), "utf8").catch(() => "");
    // "\0asm" in base64.
    inline ||= text.includes("AGFzbQ");
  }
  return { fetched: requests.filter(wasm).map((r) => path.basename(new URL(r.url).pathname)).sort(), inline };
}

/**
 * Loads `pagePath` of the build in `dist`: both calls work, with the two
 * `.wasm` files the bundler copied (neither inline copy), and the console
 * stays clean.
 */
async function callsWithTheCopiedWasm(name, dist, pagePath) {
  const { out, requests, watch } = await load(name, dist, pagePath);
  assert.equal(out, "5 15");
  const use = await wasmUse(requests, dist);
  assert.equal(use.inline, false, JSON.stringify(requests));
  assert.equal(use.fetched.length, 2, JSON.stringify(requests));
  assert.deepEqual(watch.unexpected(), []);
}

test("a plain page imports the package from node_modules; the wasm beside it is used", { timeout: STEP_LIMIT_MS }, async () => {
  const { out, requests, watch } = await load("plain", app, "plain.html");
  assert.equal(out, "5 15");
  assert.deepEqual(await wasmUse(requests, app), { fetched: ["jrpc_dialect_bg.wasm", "jrpc_engine_bg.wasm"], inline: false });
  assert.deepEqual(watch.unexpected(), []);
});

test("jrpc-client-wasm/slim: init takes the wasm's URL; before it, or after a wrong wasm, the client says why", { timeout: STEP_LIMIT_MS }, async () => {
  const { out, requests, watch } = await load("slim", app, "slim.html");
  const { early, wrong, sum } = JSON.parse(out.startsWith("{") ? out : JSON.stringify({ early: out }));
  assert.match(early, /jrpc: the client's wasm is not loaded yet: await init\(\) first/);
  // The dialect's wasm does not link as the engine: the failure is kept, and the next init tries again.
  assert.match(wrong, /^jrpc: the client's wasm did not load: .*(import|Import)/);
  assert.equal(sum, 9);
  assert.deepEqual(await wasmUse(requests, app), { fetched: ["jrpc_dialect_bg.wasm", "jrpc_engine_bg.wasm"], inline: false });
  assert.deepEqual(watch.unexpected(), []);
});

test("the types resolve, both entries, under each of TypeScript's module resolutions", { timeout: STEP_LIMIT_MS }, async () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  // `bundler` and `node16` read `exports`; the older `node` reads `types` and `typesVersions`.
  for (const [module, resolution] of [["esnext", "bundler"], ["node16", "node16"], ["esnext", "node"]]) {
    const flags = ["--noEmit", "--strict", "--target", "es2022", "--module", module, "--moduleResolution", resolution, "--lib", "es2022,dom"];
    try {
      await run(process.execPath, [tsc, ...flags, "types.ts"], { cwd: app, timeout: STEP_LIMIT_MS });
    } catch (e) {
      assert.fail(`tsc (moduleResolution ${resolution}) failed:\n${e.stdout}${e.stderr}`);
    }
  }
});

test("Vite's production build copies the wasm, and the app uses it", { timeout: STEP_LIMIT_MS }, async () => {
  const dist = path.join(scratch, "dist-vite");
  await viteBuild({ root: app, configFile: false, logLevel: "warn", build: { outDir: dist, emptyOutDir: true } });
  await callsWithTheCopiedWasm("vite-build", dist, "index.html");
});

test("webpack 5 copies the wasm, and the app uses it", { timeout: STEP_LIMIT_MS }, async () => {
  const dist = path.join(scratch, "dist-webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack(
      { mode: "production", context: app, entry: "./main.js", output: { path: dist, clean: true }, performance: { hints: false } },
      (e, result) => (e ? reject(e) : resolve(result)),
    ));
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  await writeFile(path.join(dist, "index.html"), INDEX_HTML);
  await callsWithTheCopiedWasm("webpack", dist, "index.html");
});

test("esbuild leaves the wasm out; the inline copy takes its place", { timeout: STEP_LIMIT_MS }, async () => {
  const dist = path.join(scratch, "dist-esbuild");
  await esbuild({ entryPoints: [path.join(app, "main.js")], bundle: true, format: "esm", outdir: dist, logLevel: "warning" });
  await writeFile(path.join(dist, "index.html"), INDEX_HTML);
  assert.deepEqual((await readdir(dist)).filter((f) => f.endsWith(".wasm")), []);
  const { out, requests, watch } = await load("esbuild", dist, "index.html");
  assert.equal(out, "5 15");
  assert.deepEqual(await wasmUse(requests, dist), { fetched: [], inline: true });
  // The browser reports the fetch that found no wasm; nothing else.
  watch.allowed.push(/Failed to load resource: the server responded with a status of 404/);
  assert.deepEqual(watch.unexpected(), []);
});

test("esbuild with splitting and the wasm copied beside: the inline copies stay unfetched", { timeout: STEP_LIMIT_MS }, async () => {
  const dist = path.join(scratch, "dist-esbuild-split");
  await esbuild({ entryPoints: [path.join(app, "main.js")], bundle: true, splitting: true, format: "esm", outdir: dist, logLevel: "warning" });
  await writeFile(path.join(dist, "index.html"), INDEX_HTML);
  for (const name of ["jrpc_engine_bg.wasm", "jrpc_dialect_bg.wasm"]) {
    await copyFile(path.join(app, "node_modules/jrpc-client-wasm", name), path.join(dist, name));
  }
  const { out, requests, watch } = await load("esbuild-split", dist, "index.html");
  assert.equal(out, "5 15");
  // The inline copies are chunks of their own, and neither was loaded.
  assert.deepEqual(await wasmUse(requests, dist), { fetched: ["jrpc_dialect_bg.wasm", "jrpc_engine_bg.wasm"], inline: false });
  assert.deepEqual(watch.unexpected(), []);
});

test("Vite's build for es2020 (no top-level await, as Vite 6 builds by default): the slim entry", { timeout: STEP_LIMIT_MS }, async () => {
  const dist = path.join(scratch, "dist-vite-es2020");
  await viteBuild({
    root: app,
    configFile: false,
    logLevel: "warn",
    build: { outDir: dist, emptyOutDir: true, target: "es2020", rollupOptions: { input: path.join(app, "slim-index.html") } },
  });
  await callsWithTheCopiedWasm("vite-es2020", dist, "slim-index.html");
});

test("Vite's dev server, which pre-bundles the package without its wasm", { timeout: STEP_LIMIT_MS }, async () => {
  // Vite's own server on a free port (its `port: 0` means its default,
  // 5173): the same middlewares, in an HTTP server of ours.
  let vite;
  let server;
  const http = createHttpServer((req, res) => vite.middlewares(req, res));
  const context = await browser.newContext();
  const watch = watchConsole(await context.newPage());
  try {
    vite = await viteServer({
      root: app,
      configFile: false,
      logLevel: "warn",
      appType: "spa",
      server: { middlewareMode: true, hmr: false },
    });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const origin = `http://127.0.0.1:${http.address().port}`;
    // The page comes from Vite's port: the server must accept its origin.
    server = await Server.start(
      ["--addr", "127.0.0.1:0", "--legacy-addr", "127.0.0.1:0", "--push-interval", "0", "--allow-origin", origin],
      "package-vite-dev-server.log",
    );
    const { out, requests } = await openPage(context, watch, server, "/index.html", origin);
    assert.equal(out, "5 15");
    // Vite answers its fallback page for the wasm's URL: the inline copies are used.
    assert.deepEqual(await wasmUse(requests), { fetched: [], inline: true });
    assert.deepEqual(watch.unexpected(), []);
  } finally {
    consoleLines.push("== vite-dev", ...watch.all);
    await context.close();
    await server?.stop().catch(() => server.kill());
    http.close();
    http.closeAllConnections();
    await vite?.close();
  }
});
