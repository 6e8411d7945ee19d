// @ts-check
// The jrpc demo page: a calculator whose answers come from the server,
// browser methods the server calls back, a live subscription that survives
// reconnects, and a board every page shares. No framework, no build step.
// Checked by TypeScript (the browser tests run `tsc --checkJs` over it)
// against api.d.ts, which `jrpc types` writes from the server's rpc.discover.

/** @typedef {import("./api").Api} Api */

/** An element of the page by id (the page has each one). @type {(id: string) => any} */
const $ = (id) => document.getElementById(id);
const STATES = ["connecting", "open", "reconnecting", "closed"];
const MAX_LOG = 200;

const pad = (n, w = 2) => String(n).padStart(w, "0");
function clock(ms, withMs = false) {
  const d = new Date(ms);
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${hms}.${pad(d.getMilliseconds(), 3)}` : hms;
}

function log(message, kind = "info") {
  const list = $("log");
  const item = document.createElement("li");
  item.dataset.kind = kind;
  const time = document.createElement("time");
  const now = Date.now();
  time.dateTime = new Date(now).toISOString();
  time.textContent = clock(now);
  item.append(time, " ", String(message));
  // Follow new lines unless the reader has scrolled up.
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(item);
  while (list.children.length > MAX_LOG) list.firstElementChild.remove();
  if (atEnd) list.scrollTop = list.scrollHeight;
}

function setStatus(state, text = state) {
  const el = $("status");
  el.dataset.state = STATES.includes(state) ? state : "closed";
  el.textContent = text;
}

function show(el, text, kind) {
  el.textContent = text;
  el.className = kind === "ok" ? "ok" : "error";
  el.dataset.kind = kind;
}

function describe(e) {
  return e && typeof e.message === "string" && e.message ? e.message : String(e);
}

// The package is build output: say how to get it rather than fail silently.
/** @type {typeof import("./pkg/jrpc_client_wasm.js").JRPC} */
let JRPC;
try {
  const pkg = await import("./pkg/jrpc_client_wasm.js");
  await pkg.default();
  JRPC = pkg.JRPC;
} catch (e) {
  $("load-error").hidden = false;
  $("load-error-detail").textContent = `(${describe(e)})`;
  setStatus("closed", "client not built");
  document.querySelectorAll("main button").forEach((b) => (/** @type {HTMLButtonElement} */ (b).disabled = true));
  throw e;
}

let lastCount = null;
const methods = {
  "ui.log": (message) => {
    log(`server says: ${message}`, "server");
    return true;
  },
  "ui.time": () => Date.now(),
  "demo.clients": ({ count }) => {
    $("clients").textContent = String(count);
    if (count !== lastCount) {
      const others = count - 1;
      log(count === 1 ? "1 page connected (just this one)"
        : `${count} pages connected (this one and ${others} other${others === 1 ? "" : "s"})`, "push");
      lastCount = count;
    }
  },
};

const scheme = location.protocol === "https:" ? "wss" : "ws";
const url = `${scheme}://${location.host}/rpc`;
/** @type {import("./pkg/jrpc_client_wasm.js").Client<Api>} */
const rpc = new JRPC.WebSocket(url, {
  methods,
  timeoutMs: 10000,
  reconnect: { initialDelayMs: 250, maxDelayMs: 5000 },
});
/** @type {any} */ (window).jrpcDemo = { rpc };

// Log the first loss and the recovery, not every failed attempt in between.
let isOpen = false;
let attempts = 0;
rpc.addEventListener("open", () => {
  setStatus("open", "connected");
  $("status").removeAttribute("title");
  log(attempts ? `reconnected after ${attempts} attempt${attempts === 1 ? "" : "s"}` : `connected to ${url}`, "conn");
  isOpen = true;
  attempts = 0;
});
rpc.addEventListener("close", (e) => {
  const why = `code ${e.code}${e.reason ? `, ${e.reason}` : ""}`;
  if (!e.willReconnect) {
    setStatus("closed");
    log(`connection closed (${why})`, "conn");
  } else {
    setStatus("reconnecting", attempts ? `reconnecting (attempt ${attempts})` : "reconnecting");
    if (isOpen || !attempts) log(`${isOpen ? "connection lost" : "could not connect"} (${why}); reconnecting`, "conn");
  }
  isOpen = false;
});
rpc.addEventListener("reconnecting", (e) => {
  attempts = e.attempt;
  setStatus("reconnecting", `reconnecting (attempt ${e.attempt})`);
  $("status").title = `next try in ${Math.round(e.delayMs)} ms`;
});
rpc.addEventListener("error", (e) => log(`error: ${describe(e.error)}`, "error"));
if (rpc.state !== "connecting") setStatus(rpc.state);

// Calculator: every result comes from the server.
const form = $("calc");
const result = $("result");
const expr = $("expr");
/** @type {HTMLButtonElement[]} */
const opButtons = [...form.querySelectorAll("button[data-method]")];

function operand(input) {
  const text = input.value.trim();
  const n = text === "" ? NaN : Number(text);
  input.setAttribute("aria-invalid", String(!Number.isFinite(n)));
  return n;
}

form.addEventListener("input", (e) => /** @type {Element} */ (e.target).removeAttribute("aria-invalid"));
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = event.submitter?.dataset.method ? event.submitter : $("add");
  const a = operand($("a"));
  const b = operand($("b"));
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    expr.textContent = "";
    show(result, "Enter two numbers", "invalid");
    (Number.isFinite(a) ? $("b") : $("a")).focus();
    return;
  }
  const shown = `${a} ${button.dataset.sym} ${b}`;
  form.setAttribute("aria-busy", "true");
  opButtons.forEach((btn) => (btn.disabled = true));
  expr.textContent = `${shown} =`;
  result.className = "pending";
  result.textContent = "…";
  try {
    const method = /** @type {"Add" | "Subtract" | "Multiply" | "Divide"} */ (button.dataset.method);
    const value = await rpc.request(method, { a, b });
    show(result, String(value), "ok");
  } catch (e) {
    expr.textContent = `${shown}: error${typeof e?.code === "number" ? ` ${e.code}` : ""}`;
    show(result, describe(e), "rpc");
  } finally {
    form.removeAttribute("aria-busy");
    opButtons.forEach((btn) => (btn.disabled = false));
  }
});

// The server calls this page: demo.callback asks it to call ui.time / ui.log.
async function callBack(button, method, params, done) {
  const out = $("callback-result");
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  const start = performance.now();
  try {
    const answer = await rpc.request("demo.callback", [method, params]);
    done(answer, (performance.now() - start).toFixed(1));
  } catch (e) {
    show(out, `demo.callback failed: ${describe(e)}`, "rpc");
    log(`demo.callback(${method}) failed: ${describe(e)}`, "error");
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

$("callback").addEventListener("click", (event) =>
  callBack(event.currentTarget, "ui.time", [], (time, ms) => {
    const out = $("callback-result");
    const when = document.createElement("time");
    when.dateTime = new Date(time).toISOString();
    when.textContent = clock(time, true);
    out.className = "ok";
    out.dataset.kind = "ok";
    out.replaceChildren("Server asked this page for its clock: ", when, ` (round trip ${ms} ms)`);
    log(`server called ui.time → ${clock(time, true)} (round trip ${ms} ms)`, "callback");
  }));

// demo.greet has the server call ui.log with a greeting, by the name this
// connection signed in with (rpc.auth), which the server keeps per connection.
$("hello").addEventListener("click", async (event) => {
  const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
  button.disabled = true;
  const start = performance.now();
  try {
    const answer = await rpc.request("demo.greet");
    const ms = (performance.now() - start).toFixed(1);
    show($("callback-result"), `Server called ui.log; this page answered ${JSON.stringify(answer)} (round trip ${ms} ms)`, "ok");
  } catch (e) {
    show($("callback-result"), `demo.greet failed: ${describe(e)}`, "rpc");
  } finally {
    button.disabled = false;
  }
});

// Signing in: any name, no password. A browser cannot set headers on a
// WebSocket, so the name goes in-band, as rpc.auth's token, and again after
// every reconnect (a new connection knows nobody). rpc.auth is a system
// method, outside the generated Api: called untyped.
const NAME_KEY = "jrpc-demo-name";
let signedInAs = sessionStorage.getItem(NAME_KEY) ?? "";

/** @param {string} name */
async function signIn(name) {
  const untyped = /** @type {{ request(method: string, params: unknown[]): Promise<string> }} */ (/** @type {unknown} */ (rpc));
  const who = await untyped.request("rpc.auth", [name]);
  signedInAs = who;
  sessionStorage.setItem(NAME_KEY, who);
  $("who").textContent = `Signed in as ${who}.`;
  return who;
}

// Every new connection (the first, and each after a reconnect) signs in again.
rpc.addEventListener("open", () => {
  if (signedInAs) signIn(signedInAs).catch((e) => log(`signing in again failed: ${describe(e)}`, "error"));
});
/** @type {HTMLInputElement} */ ($("name")).value = signedInAs;

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = /** @type {HTMLInputElement} */ ($("name")).value;
  try {
    log(`signed in as ${await signIn(name)}`, "ok");
  } catch (e) {
    $("who").textContent = `Not signed in: ${describe(e)}`;
  }
});

/** Resolves at the next "open" event. */
const nextOpen = () =>
  new Promise((resolve) => {
    const once = () => {
      rpc.removeEventListener("open", once);
      resolve();
    };
    rpc.addEventListener("open", once);
  });

// A live subscription: ticks pushed by the server. After a reconnect the
// client resubscribes by itself; a new server run (a restart) starts a new
// stream, which the client reports as a gap of unknown size: the ticks' own
// server times tell how much was missed.
const TICK_MS = 500;
async function followTicks() {
  let last = null;
  let missedUnknown = false;
  const onGap = (missed) => {
    if (missed === null) missedUnknown = true;
    else $("ticks-gap").textContent = `Missed ${missed} tick${missed === 1 ? "" : "s"} (this page fell behind).`;
  };
  for (;;) {
    try {
      const ticks = await rpc.subscribe("demo.ticks", { everyMs: TICK_MS }, { onGap });
      for await (const tick of ticks) {
        if (missedUnknown && last) {
          const away = tick.at - last.at;
          const missed = Math.max(0, Math.round(away / TICK_MS) - 1);
          $("ticks-gap").textContent =
            `Resumed after the server restarted: about ${missed} tick${missed === 1 ? "" : "s"} missed (${(away / 1000).toFixed(1)} s).`;
          log(`ticks resumed on a new stream; about ${missed} missed`, "push");
        }
        missedUnknown = false;
        last = tick;
        $("ticks").textContent = String(tick.n);
        $("ticks").dataset.n = String(tick.n);
        $("ticks-at").textContent = clock(tick.at, true);
      }
      return;
    } catch (e) {
      if (rpc.state === "closed") {
        $("ticks-gap").textContent = `Stopped: ${describe(e)}`;
        return;
      }
      // Refused or lost while subscribing: try again once the connection is back.
      log(`ticks: ${describe(e)}; subscribing again`, "error");
      await nextOpen();
    }
  }
}

// The shared board: a topic every page subscribes to.
function boardLine(text, kind, at) {
  const list = $("board");
  const item = document.createElement("li");
  item.dataset.kind = kind;
  if (at !== undefined) {
    const time = document.createElement("time");
    time.dateTime = new Date(at).toISOString();
    time.textContent = clock(at);
    item.append(time, " ");
  }
  item.append(text);
  list.append(item);
  while (list.children.length > 50) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

async function followBoard() {
  const onGap = (missed) =>
    boardLine(missed === null ? "The server restarted: earlier posts may be missing." : `${missed} post${missed === 1 ? "" : "s"} missed.`, "gap");
  for (;;) {
    try {
      for await (const post of await rpc.subscribe("demo.board", undefined, { onGap })) boardLine(post.text, "post", post.at);
      return;
    } catch (e) {
      if (rpc.state === "closed") return;
      log(`board: ${describe(e)}; subscribing again`, "error");
      await nextOpen();
    }
  }
}

$("board-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("board-text");
  const text = input.value.trim();
  if (!text) return input.focus();
  $("board-post").disabled = true;
  try {
    await rpc.request("demo.board.post", { text });
    input.value = "";
  } catch (e) {
    log(`posting failed: ${describe(e)}`, "error");
  } finally {
    $("board-post").disabled = false;
  }
});

followTicks();
followBoard();
