// The browser benchmark: loads bench/index.html in headless Chromium from a
// release `jrpc-server` and measures calls per second through the jrpc wasm
// client and through json-rpc-2.0 over a plain WebSocket, in the same page.
// Not a test: it reports, it asserts nothing about speed. Run by
// `cargo xtask bench`, which sets the environment:
//   JRPC_SERVER_BIN  the jrpc-server binary (release build)
//   JRPC_PKG_WEB     the web build of the npm package (www/pkg)
//   CHROMIUM         the Chromium binary
//   JRPC_BENCH_OUT   where to write the results as JSON
//   JRPC_BENCH_ROUNDS, JRPC_BENCH_MS  rounds and milliseconds per mode (5, 2000)
// The server is pinned to core 0 when `taskset` exists (Chromium and this
// script inherit the caller's affinity: xtask runs them on core 1).

import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "vite";
import { ROOT, Server, env, launchChromium, watchConsole, withTimeout } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);

/** The page's directory: the bench page, the wasm package and json-rpc-2.0 as an ES module. */
async function prepareSite() {
  const site = path.join(ROOT, "target/bench/site");
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  cpSync(path.join(here, "bench"), site, { recursive: true });
  cpSync(env("JRPC_PKG_WEB"), path.join(site, "pkg"), { recursive: true });
  // json-rpc-2.0 ships CommonJS only: Vite turns it into one ES module.
  await build({
    configFile: false,
    logLevel: "warn",
    build: {
      lib: {
        entry: require.resolve("json-rpc-2.0"),
        formats: ["es"],
        fileName: () => "json-rpc-2.0.js",
      },
      outDir: path.join(site, "vendor"),
      emptyOutDir: true,
      minify: false,
    },
  });
  return site;
}

async function main() {
  const rounds = Number(process.env.JRPC_BENCH_ROUNDS || 5);
  const ms = Number(process.env.JRPC_BENCH_MS || 2000);
  const out = env("JRPC_BENCH_OUT");
  const site = await prepareSite();
  const args = ["--addr", "127.0.0.1:0", "--www", site];
  const server = await Server.start(args, "bench-server.log", { pinToCore: 0 });
  let browser;
  try {
    // gc(), so that each client's slice collects its own garbage (bench/bench.js).
    browser = await launchChromium(["--js-flags=--expose-gc"]);
    const page = await browser.newPage();
    const console = watchConsole(page);
    await page.goto(server.url + "index.html");
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 });
    const limit = (rounds + 1) * 2 * (2 * ms + 10_000) + 30_000;
    const results = await withTimeout(
      page.evaluate((options) => window.runBench(options), { rounds, ms, inFlight: 100 }),
      limit,
      "the browser benchmark did not finish",
    );
    const problems = console.unexpected();
    if (problems.length) throw new Error(`the page logged errors:\n${problems.join("\n")}`);
    results.chromium = browser.version();
    writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
    for (const run of results.runs) {
      const rate = (n) => `${Math.round(n).toLocaleString("en-US")} calls/s`;
      process.stdout.write(
        `browser ${run.client.padEnd(13)} round ${run.round + 1}: sequential ${rate(run.sequential)}, ` +
          `${results.inFlight} in flight ${rate(run.concurrent)}\n`,
      );
    }
  } finally {
    await browser?.close();
    await server.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`browser benchmark failed: ${e.stack || e}\n`);
  process.exit(1);
});
