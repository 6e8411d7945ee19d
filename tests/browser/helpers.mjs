// Shared by the browser tests: the real `jrpc-server` binary in a child
// process, headless Chromium through playwright-core, and a console watch.
//
// Settings come from the environment, which `cargo xtask test` fills in:
//   JRPC_SERVER_BIN   the jrpc-server binary (debug build)
//   JRPC_WWW          the demo page's directory (www/, with www/pkg built)
//   JRPC_PKG_BUNDLER  the bundler build of the npm package (client-wasm/pkg-bundler)
//   JRPC_ARTIFACTS    where screenshots and logs go (default tests/artifacts/)
//   CHROMIUM          the Chromium binary (default /usr/bin/chromium)

import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
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

/** What the server prints once it listens. */
const READY = /^jrpc-server listening on http:\/\/(\S+?)\/ /;

/**
 * A running `jrpc-server`. `start()` resolves once it listens; its stderr
 * (the log) goes to the file `logName` in the artifacts directory.
 */
export class Server {
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
    const log = createWriteStream(path.join(artifacts(), logName), { flags: "w" });
    await once(log, "open");
    log.write(`$ ${bin} ${args.join(" ")}\n`);
    const child = spawn(bin, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "info", NO_COLOR: "1" },
    });
    running.add(child);
    const server = new Server(child, log);
    child.stderr.pipe(log, { end: false });
    try {
      server.addr = await readAddr(child);
    } catch (e) {
      await server.kill().catch(() => {});
      throw e;
    }
    return server;
  }

  constructor(child, log) {
    this.child = child;
    this.log = log;
    /** `127.0.0.1:PORT` */
    this.addr = "";
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

  get port() {
    return Number(this.addr.split(":").pop());
  }

  get url() {
    return `http://${this.addr}/`;
  }

  /** SIGTERM, then waits for the exit (graceful shutdown). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill("SIGTERM");
    return withTimeout(this.exited, SERVER_LIMIT_MS, "jrpc-server did not exit after SIGTERM");
  }

  /** For clean-up on every way out: SIGKILL if still running, then waits for the exit. */
  async kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await withTimeout(this.exited, SERVER_LIMIT_MS, "jrpc-server did not exit after SIGKILL");
  }
}

/** The `HOST:PORT` from the server's startup line. */
async function readAddr(child) {
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
      reject(new Error(`jrpc-server exited before listening (code ${code}, signal ${signal}); see its log in the artifacts`)));
    child.once("error", reject);
  });
  const first = await withTimeout(line, SERVER_LIMIT_MS, "jrpc-server printed no startup line");
  const match = READY.exec(first);
  if (!match) throw new Error(`unexpected first line from jrpc-server: ${JSON.stringify(first)}`);
  return match[1];
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
export function launchChromium() {
  return chromium.launch({
    executablePath: env("CHROMIUM", "/usr/bin/chromium"),
    headless: true,
    args: [
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
