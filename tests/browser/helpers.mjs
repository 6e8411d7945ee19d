// Shared by the browser tests: the real `jrpc-server` and `jrpc-test-server`
// binaries in child processes, headless Chromium through playwright-core, a
// console watch, and the setting of the client tests (`clientTests`: a static
// server for the package, a fresh page per test, the test body run inside it).
//
// Settings come from the environment, which `cargo xtask test` fills in:
//   JRPC_SERVER_BIN       the jrpc-server binary (debug build)
//   JRPC_TEST_SERVER_BIN  the jrpc-test-server binary (debug build), for the client tests
//   JRPC_WWW              the demo page's directory (www/, with the web package in www/pkg)
//   JRPC_PKG              the npm package, as built (www/pkg), for package.test.mjs
//   JRPC_BIN              the jrpc CLI binary (debug build), for types.test.mjs
//   JRPC_TEST_CERT_BIN    jrpc-test-cert (writes a self-signed certificate), for tls.test.mjs
//   JRPC_ARTIFACTS        where screenshots and logs go (default tests/artifacts/)
//   CHROMIUM              the Chromium binary (default /usr/bin/chromium)

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { once } from "node:events";
import http from "node:http";
import path from "node:path";
import { after, afterEach, before, beforeEach, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const ROOT = path.resolve(here, "../..");

/** The environment variable `name`, or an error that says who sets it. */
export function env(name, fallback) {
  const value = process.env[name] || fallback;
  if (!value) {
    throw new Error(`${name} is not set; run the browser tests with \`cargo xtask test\``);
  }
  return value;
}

/** The artifacts directory, created if needed. */
export function artifacts() {
  const dir = path.resolve(env("JRPC_ARTIFACTS", path.join(ROOT, "tests/artifacts")));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** How long the server may take to print its address or to exit. */
const SERVER_LIMIT_MS = 20_000;

/** Servers still running: killed if this process exits without stopping them. */
const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});
// A signal would end the process without "exit" (Ctrl-C reaches the servers
// too, as they share the terminal's process group; a SIGTERM does not).
for (const [signal, number] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]]) {
  process.once(signal, () => process.exit(128 + number));
}

/** What jrpc-server prints once it listens: its address. */
const READY = /^jrpc-server listening on (https?):\/\/(\S+?)\/ /;
/** What jrpc-test-server prints once it listens: its WebSocket URL and address. */
const TEST_READY = /^jrpc-test-server listening on (ws:\/\/([^/\s]+)\/\S*)$/;

/**
 * A server binary in a child process, shared by `Server` and `TestServer`:
 * `launch()` resolves once the startup line matches `ready` (the match is
 * kept in `listening`); its stderr (the log) goes to the file `logName` in
 * the artifacts directory.
 */
class ChildServer {
  static async launch(name, bin, args, logName, ready) {
    const log = createWriteStream(path.join(artifacts(), logName), { flags: "w" });
    await once(log, "open");
    log.write(`$ ${bin} ${args.join(" ")}\n`);
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "info", NO_COLOR: "1" },
    });
    running.add(child);
    const server = new this(name, child, log);
    child.stderr.pipe(log, { end: false });
    try {
      server.listening = await readStartupLine(name, child, ready);
    } catch (e) {
      await server.kill().catch(() => {});
      throw e;
    }
    return server;
  }

  constructor(name, child, log) {
    this.name = name;
    this.child = child;
    this.log = log;
    /** The match of the startup line. */
    this.listening = null;
    // "close" comes after the exit and the end of stdout and stderr, so
    // nothing is written to the log after it ends.
    this.exited = new Promise((resolve) => {
      child.once("exit", () => running.delete(child));
      child.once("close", (code, signal) => {
        log.end(`(exited: code ${code}, signal ${signal})\n`);
        resolve({ code, signal });
      });
    });
  }

  /** SIGTERM, then waits for the exit (graceful shutdown). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill("SIGTERM");
    return withTimeout(this.exited, SERVER_LIMIT_MS, `${this.name} did not exit after SIGTERM`);
  }

  /** For clean-up on every way out: SIGKILL if still running, then waits for the exit. */
  async kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await withTimeout(this.exited, SERVER_LIMIT_MS, `${this.name} did not exit after SIGKILL`);
  }
}

/**
 * A running `jrpc-server`. `start()` resolves once it listens; its stderr
 * (the log) goes to the file `logName` in the artifacts directory.
 */
export class Server extends ChildServer {
  /**
   * @param {string[]} args  flags for jrpc-server; @param {string} logName
   * @param {{pinToCore?: number}} options  run it on one CPU core (through `taskset`, when it exists)
   */
  static async start(args, logName, { pinToCore } = {}) {
    let bin = env("JRPC_SERVER_BIN");
    if (pinToCore !== undefined && existsSync("/usr/bin/taskset")) {
      args = ["-c", String(pinToCore), bin, ...args];
      bin = "/usr/bin/taskset";
    }
    const server = await this.launch("jrpc-server", bin, args, logName, READY);
    /** `127.0.0.1:PORT` */
    server.addr = server.listening[2];
    /** `http` or, with --tls-cert, `https` */
    server.scheme = server.listening[1];
    return server;
  }

  get port() {
    return Number(this.addr.split(":").pop());
  }

  get url() {
    return `${this.scheme}://${this.addr}/`;
  }
}

/**
 * A running `jrpc-test-server` (the demo methods and the `test.*` controls,
 * any Origin accepted) on a free port of 127.0.0.1: what the client tests
 * (client-*.test.mjs) talk to.
 */
export class TestServer extends ChildServer {
  /** @param {string} logName  its log's file name in the artifacts directory */
  static async start(logName) {
    const args = ["--addr", "127.0.0.1:0"];
    const server = await this.launch("jrpc-test-server", env("JRPC_TEST_SERVER_BIN"), args, logName, TEST_READY);
    /** `ws://127.0.0.1:PORT/rpc` */
    server.url = server.listening[1];
    /** `127.0.0.1:PORT` */
    server.addr = server.listening[2];
    return server;
  }
}

/** The startup line of server `name`, matched against `ready`. */
async function readStartupLine(name, child, ready) {
  let buffered = "";
  const line = new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      if (buffered === null) return; // already found; keep draining
      buffered += chunk;
      const end = buffered.indexOf("\n");
      if (end >= 0) {
        const first = buffered.slice(0, end);
        buffered = null;
        resolve(first);
      }
    });
    child.once("exit", (code, signal) =>
      reject(new Error(`${name} exited before listening (code ${code}, signal ${signal}); see its log in the artifacts`)));
    child.once("error", reject);
  });
  const first = await withTimeout(line, SERVER_LIMIT_MS, `${name} printed no startup line`);
  const match = ready.exec(first.trim());
  if (!match) throw new Error(`unexpected first line from ${name}: ${JSON.stringify(first)}`);
  return match;
}

/** `promise`, or a rejection with `message` after `ms`. */
export function withTimeout(promise, ms, message) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (within ${ms} ms)`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** Headless Chromium (the system one: Playwright's downloads are not used). */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: env("CHROMIUM", "/usr/bin/chromium"),
    headless: true,
    args: [
      ...extraArgs,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
    timeout: 30_000,
  });
}

/**
 * Records a page's console errors and uncaught exceptions. `unexpected()`
 * lists those that no pattern in `allowed` (a mutable array of RegExps)
 * matches; `all` keeps everything the console printed, for the artifacts.
 */
export function watchConsole(page) {
  const watch = {
    allowed: [],
    problems: [],
    all: [],
    unexpected() {
      return this.problems.filter((text) => !this.allowed.some((re) => re.test(text)));
    },
  };
  page.on("console", (msg) => {
    const where = msg.location()?.url ? ` (${msg.location().url})` : "";
    const text = `console.${msg.type()}: ${msg.text()}${where}`;
    watch.all.push(text);
    if (msg.type() === "error") watch.problems.push(text);
  });
  page.on("pageerror", (error) => {
    const text = `page error: ${error.stack || error.message}`;
    watch.all.push(text);
    watch.problems.push(text);
  });
  return watch;
}

/**
 * Subtests of `t` that depend on each other: once one fails, the later ones
 * are skipped (each would otherwise fail on its own timeout), except those
 * marked `always` (such as the final console check).
 */
export function steps(t) {
  let failed = null;
  return (name, fn, { always = false } = {}) =>
    t.test(name, async (st) => {
      if (failed && !always) {
        st.skip(`after the failure of "${failed}"`);
        return;
      }
      try {
        await fn(st);
      } catch (e) {
        failed ??= name;
        throw e;
      }
    });
}

/** Content types of the files the client tests' page loads. */
const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  // `WebAssembly.instantiateStreaming` insists on this one.
  ".wasm": "application/wasm",
};

/**
 * Static files over HTTP on 127.0.0.1 (port 0): `mounts` maps a URL path to
 * a file, or a URL prefix ending in `/` to a directory; `/` is an empty page.
 * The client tests' page needs an http:// origin to import ES modules and
 * fetch the wasm (file:// can do neither).
 */
export class StaticServer {
  static async start(mounts) {
    const server = http.createServer((req, res) => serveFile(mounts, req, res));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return new StaticServer(server);
  }

  constructor(server) {
    this.server = server;
    /** `http://127.0.0.1:PORT/` */
    this.url = `http://127.0.0.1:${server.address().port}/`;
  }

  /** Stops listening and drops kept-alive connections. */
  async close() {
    const closed = once(this.server, "close");
    this.server.close();
    this.server.closeAllConnections();
    await withTimeout(closed, SERVER_LIMIT_MS, "the static file server did not close");
  }
}

const EMPTY_PAGE = '<!doctype html><meta charset="utf-8"><title>jrpc client tests</title><link rel="icon" href="data:,">\n';

async function serveFile(mounts, req, res) {
  const reply = (status, type, body) => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  if (req.method !== "GET" && req.method !== "HEAD") return reply(405, "text/plain", "method not allowed\n");
  const { pathname } = new URL(req.url, "http://localhost");
  if (pathname === "/") return reply(200, CONTENT_TYPES[".html"], EMPTY_PAGE);
  try {
    const file = mountedFile(mounts, decodeURIComponent(pathname));
    if (!file) throw new Error("not mounted");
    const body = await readFile(file);
    reply(200, CONTENT_TYPES[path.extname(file)] || "application/octet-stream", body);
  } catch {
    reply(404, "text/plain", `not found: ${pathname}\n`);
  }
}

/** The file that URL path `pathname` names in `mounts`, or null; never one outside a mounted directory. */
function mountedFile(mounts, pathname) {
  for (const [prefix, target] of Object.entries(mounts)) {
    if (pathname === prefix) return target;
    if (prefix.endsWith("/") && pathname.startsWith(prefix)) {
      const dir = path.resolve(target);
      const file = path.resolve(dir, "." + pathname.slice(prefix.length - 1));
      if (file.startsWith(dir + path.sep)) return file;
    }
  }
  return null;
}

/** A client test's own bound; each await inside the page has a shorter one. */
const CLIENT_TEST_LIMIT_MS = 60_000;

/**
 * The setting of a client test file (`client-NAME.test.mjs`): its own
 * `jrpc-test-server`, a static server for the web package and the in-page
 * helpers (client-harness.mjs), and one Chromium; then a new browser context
 * and page for each test, so that every test starts with the package freshly
 * loaded and no client of an earlier test alive (closing the context closes
 * their sockets). Logs go to `client-NAME-server.log` and
 * `client-NAME-console.log` in the artifacts.
 *
 * Returns `test(name, fn)`, a node:test test that runs `fn(harness)` inside
 * the page, where `harness` is client-harness.mjs's module (the package's
 * `JRPC`, the server's `url`, the checks): `fn` is sent to the page as
 * source text, so it can use nothing from this process but that argument.
 */
export function clientTests(name) {
  const state = { entry: null, server: null, files: null, browser: null, context: null, page: null, watch: null };
  const consoleLines = [];

  before(async () => {
    const pkg = path.join(path.resolve(env("JRPC_WWW")), "pkg");
    state.entry = `/pkg/${packageEntry(pkg)}`;
    state.server = await TestServer.start(`client-${name}-server.log`);
    state.files = await StaticServer.start({
      "/pkg/": pkg,
      "/client-harness.mjs": path.join(here, "client-harness.mjs"),
    });
    state.browser = await launchChromium();
  });

  beforeEach(async () => {
    state.context = await state.browser.newContext();
    state.page = await state.context.newPage();
    state.page.setDefaultTimeout(15_000);
    state.watch = watchConsole(state.page);
    await state.page.goto(state.files.url);
    await state.page.evaluate(async ([entry, url]) => {
      const harness = await import("/client-harness.mjs");
      await harness.load(entry, url);
      window.jrpcTest = harness;
    }, [state.entry, state.server.url]);
  });

  afterEach(async (t) => {
    consoleLines.push(`== ${t.name}: ${t.passed ? "passed" : "FAILED"}`, ...(state.watch?.all ?? []));
    await state.context?.close();
    state.context = state.page = state.watch = null;
  });

  after(async () => {
    writeFileSync(path.join(artifacts(), `client-${name}-console.log`), consoleLines.join("\n") + "\n");
    await state.browser?.close();
    await state.files?.close();
    if (state.server) await state.server.stop().catch(() => state.server.kill());
  });

  return (testName, fn) => {
    const where = callerLocation();
    test(testName, { timeout: CLIENT_TEST_LIMIT_MS }, () => runInPage(state.page, fn, where));
  };
}

/**
 * The module a page imports from the package in `dir`: its package.json's
 * `module` or `main` (the file name is the package's business, not the tests').
 */
export function packageEntry(dir) {
  const manifest = path.join(dir, "package.json");
  if (!existsSync(manifest)) {
    throw new Error(`${manifest} is missing: build the web package first (cargo xtask test does)`);
  }
  const { module, main } = JSON.parse(readFileSync(manifest, "utf8"));
  const entry = module || main;
  if (!entry || !existsSync(path.join(dir, entry))) {
    throw new Error(`${manifest} names no entry module that exists (module: ${module}, main: ${main})`);
  }
  return entry;
}

/**
 * Runs `fn(window.jrpcTest)` in `page`. The source is padded and named so
 * that the page's stack traces point at `fn`'s lines in its test file.
 */
function runInPage(page, fn, where) {
  const source = `${"\n".repeat(Math.max(0, where.line - 1))}(${fn})\n//# sourceURL=${where.file}`;
  return page.evaluate(async (source) => {
    const test = (0, eval)(source);
    await test(window.jrpcTest);
  }, source);
}

/** File name and line of the code that called the caller of this function. */
function callerLocation() {
  const frame = new Error().stack.split("\n")[3] ?? "";
  const match = /(?:\(|at )(?:file:\/\/)?([^()\s]+):(\d+):\d+\)?$/.exec(frame.trim());
  return match ? { file: path.basename(match[1]), line: Number(match[2]) } : { file: "client-test.js", line: 1 };
}
