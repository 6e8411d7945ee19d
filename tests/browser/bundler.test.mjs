// The bundler build of the npm package, as an app would use it:
// `npm pack`, installed into a scratch Vite app that does
// `import { JRPC } from "jrpc-client-wasm"`, built with Vite and
// vite-plugin-wasm, served by jrpc-server and run in headless Chromium.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { build } from "vite";
import wasm from "vite-plugin-wasm";
import { Server, artifacts, env, launchChromium, steps, watchConsole } from "./helpers.mjs";

const run = promisify(execFile);
/** npm pack / npm install of a local tarball without dependencies. */
const NPM_LIMIT_MS = 120_000;

const INDEX_HTML = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>jrpc-client-wasm through Vite</title><link rel="icon" href="data:,"></head>
<body>
  <output id="out"></output>
  <script type="module" src="./main.js"></script>
</body>
</html>
`;

// The import an app writes; no init(): the bundler build instantiates the wasm itself.
const MAIN_JS = `import { JRPC } from "jrpc-client-wasm";

const out = document.getElementById("out");
try {
  const rpc = new JRPC.WebSocket(\`ws://\${location.host}/rpc\`);
  const sum = await rpc.request("math.sum", [2, 3]);
  out.textContent = String(sum);
  rpc.close();
} catch (e) {
  out.className = "error";
  out.textContent = \`error: \${e && e.message}\`;
}
`;

let scratch;
let server;
let browser;

before(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "jrpc-bundler-test-"));
});

after(async () => {
  await browser?.close();
  await server?.kill();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test("import { JRPC } from \"jrpc-client-wasm\" through Vite", { timeout: 240_000 }, async (t) => {
  const step = steps(t);
  const app = path.join(scratch, "app");
  const dist = path.join(app, "dist");

  await step("npm pack, and install the tarball into a scratch app", async () => {
    const pkg = path.resolve(env("JRPC_PKG_BUNDLER"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", scratch, pkg], {
      timeout: NPM_LIMIT_MS,
    });
    const [{ filename }] = JSON.parse(stdout);
    const tarball = path.join(scratch, filename);

    await mkdir(app);
    await writeFile(path.join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true, type: "module" }, null, 2));
    await writeFile(path.join(app, "index.html"), INDEX_HTML);
    await writeFile(path.join(app, "main.js"), MAIN_JS);
    await run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
      cwd: app,
      timeout: NPM_LIMIT_MS,
    });
  });

  await step("vite build", async () => {
    // vite and vite-plugin-wasm come from tests/browser/node_modules; the
    // package from the scratch app's own node_modules.
    await build({
      root: app,
      configFile: false,
      logLevel: "warn",
      plugins: [wasm()],
      build: { target: "esnext", outDir: dist, emptyOutDir: true },
    });
  });

  await step("the bundle calls jrpc-server from Chromium", async () => {
    server = await Server.start(["--addr", "127.0.0.1:0", "--www", dist, "--push-interval", "0"], "bundler-server.log");
    browser = await launchChromium();
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const consoleWatch = watchConsole(page);
    try {
      await page.goto(server.url);
      await page.waitForFunction(() => document.getElementById("out")?.textContent !== "");
      assert.equal(await page.textContent("#out"), "5");
      assert.deepEqual(consoleWatch.unexpected(), []);
    } finally {
      writeFileSync(path.join(artifacts(), "bundler-console.log"), consoleWatch.all.join("\n") + "\n");
    }
  });
});
