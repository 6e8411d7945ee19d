// Subscriptions in the browser client (`rpc.subscribe`) against
// jrpc-test-server: items as an async iterator, the server's end and
// errors, unsubscribe (explicit, `break`, the AbortSignal), the options,
// and the automatic resubscribe after a dropped connection, which resumes
// from the last item got. `count.subscribe [n, failure?]` sends 0..n-1 and
// ends; `test.subscriptions` is the caller's count at the server. Each test
// body runs inside a fresh page (see `clientTests` in helpers.mjs).

import { clientTests } from "./helpers.mjs";

const test = clientTests("subscribe");

test("items arrive in order and the iterator ends when the server completes", async (h) => {
  const { openClient, resolves, answer, json, eq } = h;
  const rpc = await openClient();
  // The name without `subscribe` stands for count.subscribe / count.unsubscribe.
  const sub = await resolves(rpc.subscribe("count", [5]), "subscribe count");
  const got = [];
  const read = (async () => {
    for await (const item of sub) got.push(item);
  })();
  await resolves(read, "the iterator to end");
  eq(json(got), "[0,1,2,3,4]");
  eq(json(await resolves(sub.next(), "next after the end")), '{"done":true}');
  eq(await resolves(sub.unsubscribe(), "unsubscribe after the end"), false);
  eq(await answer(rpc, "test.subscriptions"), "0");
  rpc.close();
});

test("a failed subscription rejects the iterator once, with the server's error", async (h) => {
  const { openClient, resolves, rejects, json, eq, check, JRPC } = h;
  const rpc = await openClient();
  const sub = await resolves(rpc.subscribe("count.subscribe", [2, "sensor offline"]), "subscribe");
  eq(json(await resolves(sub.next(), "item 0")), '{"value":0,"done":false}');
  eq(json(await resolves(sub.next(), "item 1")), '{"value":1,"done":false}');
  const error = await rejects(sub.next(), "next after the failure");
  check(error instanceof JRPC.Error, `not a JRPC.Error: ${error}`);
  eq(error.code, 7, "error.code");
  eq(error.message, "sensor offline", "error.message");
  eq(json(await resolves(sub.next(), "next after the error")), '{"done":true}');
  rpc.close();
});

test("a refused subscribe rejects with the server's error and holds nothing", async (h) => {
  const { openClient, rejects, answer, expectCode, expectTypeError, eq } = h;
  const rpc = await openClient();
  expectCode(await rejects(rpc.subscribe("count", [101]), "count 101"), -32602, "too many items");
  expectCode(await rejects(rpc.subscribe("nothing.subscribe"), "unknown"), -32601, "no such method");
  expectTypeError(() => rpc.subscribe(42), "a method name that is no string");
  expectTypeError(() => rpc.subscribe("count", 5), "params that are neither array nor object");
  expectTypeError(() => rpc.subscribe("count", [1], { onGap: 1 }), "onGap that is no function");
  expectTypeError(() => rpc.subscribe("count", [1], { bufsize: 1 }), "an unknown option");
  eq(await answer(rpc, "test.subscriptions"), "0");
  rpc.close();
});

test("unsubscribe, break and the signal end a live subscription at the server", async (h) => {
  const { openClient, resolves, rejects, answer, expectCode, eq, check } = h;
  const rpc = await openClient();
  const ticks = () => rpc.subscribe("demo.ticks", { everyMs: 20 });

  const a = await resolves(ticks(), "subscribe a");
  const first = await resolves(a.next(), "a tick");
  eq(first.value.n, 0, "the first tick's n");
  check(typeof first.value.at === "number", "a tick has its server time");
  eq(await answer(rpc, "test.subscriptions"), "1");
  eq(await resolves(a.unsubscribe(), "unsubscribe"), true);
  eq(await answer(rpc, "test.subscriptions"), "0");
  // Ticks that arrived before the unsubscribe stay readable (a slow
  // machine may have got one more in the meantime); then it ends.
  let late = 0;
  while (!(await resolves(a.next(), "next after unsubscribe")).done) {
    check(++late <= 100, "the subscription ends after the ticks already received");
  }

  const b = await resolves(ticks(), "subscribe b");
  let seen = 0;
  for await (const tick of b) {
    eq(tick.n, seen, "ticks in order");
    if (++seen === 3) break;
  }
  // `break` sent the unsubscribe; the server reads this request after it.
  eq(await answer(rpc, "test.subscriptions"), "0");

  const abort = new AbortController();
  const c = await resolves(rpc.subscribe("demo.ticks", { everyMs: 20 }, { signal: abort.signal }), "subscribe c");
  await resolves(c.next(), "a tick of c");
  const waiting = (async () => {
    for (;;) await c.next();
  })();
  abort.abort();
  expectCode(await rejects(waiting, "the iterator after abort"), -32800, "aborted");
  eq(await answer(rpc, "test.subscriptions"), "0");
  // An already aborted signal subscribes nothing.
  expectCode(await rejects(rpc.subscribe("demo.ticks", {}, { signal: abort.signal }), "aborted first"), -32800, "pre-aborted");
  eq(await answer(rpc, "test.subscriptions"), "0");
  rpc.close();
});

test("closing the client ends its subscriptions with the close error", async (h) => {
  const { openClient, resolves, rejects, expectCode } = h;
  const rpc = await openClient();
  const sub = await resolves(rpc.subscribe("demo.ticks", { everyMs: 1000 }), "subscribe");
  const next = sub.next();
  rpc.close();
  expectCode(await rejects(next, "next after close"), -32003, "closed");
  expectCode(await rejects(rpc.subscribe("demo.ticks"), "subscribe after close"), -32003, "subscribe on a closed client");
});

test("a slow reader's buffer is bounded: the oldest items go, and the gap says how many", async (h) => {
  const { openClient, resolves, answer, json, eq, check } = h;
  const rpc = await openClient();
  const gaps = [];
  const read = [];
  const sub = await resolves(rpc.subscribe("count", [100], { bufferSize: 4, onGap: (n) => gaps.push([n, read.length]) }), "subscribe");
  // Not read until the server has sent everything (its count is then 0):
  // whatever arrived meanwhile beyond four items was dropped.
  for (let i = 0; i < 100 && (await answer(rpc, "test.subscriptions")) !== "0"; i++);
  for await (const item of sub) read.push(item);
  check(read.length >= 4, `at least the newest four items: ${json(read)}`);
  eq(read[read.length - 1], 99, "the last item");
  // Every item the app missed is counted, once, just before the next one it gets.
  let expected = 0;
  let g = 0;
  for (const [k, item] of read.entries()) {
    if (item !== expected) {
      eq(json(gaps[g]), json([item - expected, k]), `the gap before item ${item}`);
      g++;
    }
    expected = item + 1;
  }
  eq(g, gaps.length, `every gap matches skipped items: ${json(gaps)} for ${json(read)}`);
  rpc.close();
});

test("after a dropped connection a subscription resumes where it was, by itself", async (h) => {
  const { openClient, resolves, answer, json, eq, check, Events } = h;
  // Every frame this page sends, to see the resubscribe.
  const sent = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    sent.push(String(data));
    return send.call(this, data);
  };
  // Reconnects after 0.5 to 1 s: the posts below are made while it is away
  // (were it back sooner, it would get them live: the test holds either way).
  const rpc = await openClient({ reconnect: { initialDelayMs: 1000, maxDelayMs: 1000 } });
  const events = Events.of(rpc);
  const gaps = [];
  const board = await resolves(rpc.subscribe("demo.board", undefined, { onGap: (n) => gaps.push(n) }), "subscribe");
  const poster = await openClient({ reconnect: false });
  const first = Number(await answer(poster, "demo.board.post", { text: "one" }));
  eq((await resolves(board.next(), "the first post")).value.text, "one");

  // The server closes every connection: this client reconnects, the poster does not.
  eq(await answer(rpc, "test.dropAll"), "true");
  await events.wait("close", 1);
  const again = await openClient({ reconnect: false });
  eq(Number(await answer(again, "demo.board.post", { text: "two" })), first + 1, "the second post's number");
  eq(Number(await answer(again, "demo.board.post", { text: "three" })), first + 2, "the third post's number");
  await events.wait("open", 1);
  eq((await resolves(board.next(), "the second post")).value.text, "two");
  eq((await resolves(board.next(), "the third post")).value.text, "three");
  eq(json(gaps), "[]", "no gap: nothing was lost");
  // The resubscribe asked to resume after the post it had got.
  const resubscribes = sent.map((t) => JSON.parse(t)).filter((m) => m.method === "demo.board.subscribe");
  eq(resubscribes.length, 2, "subscribed, then resubscribed once");
  check(resubscribes[0].resume === undefined, `the first subscribe resumes nothing: ${json(resubscribes[0])}`);
  eq(typeof resubscribes[1].resume?.epoch, "string", "the resubscribe's resume.epoch");
  eq(resubscribes[1].resume?.seq, first, "the resubscribe's resume.seq: the last post got");
  WebSocket.prototype.send = send;
  rpc.close();
  again.close();
});
