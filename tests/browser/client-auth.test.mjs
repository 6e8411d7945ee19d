// The `auth` option: every connection sends its token (`rpc.auth`) before
// anything else, again after each reconnect, and calls made meanwhile wait
// for the server's answer; a refused token is an `error` event and a
// reconnect with backoff. Against jrpc-test-server, whose `rpc.auth` takes
// `user:NAME` and whose `test.secret` needs a signed-in caller (-32006).

import { clientTests } from "./helpers.mjs";

const test = clientTests("auth");

test("auth signs each connection in first, and calls made meanwhile wait for it", async (h) => {
  const { client, resolves, answer, eq, Events } = h;
  let asked = 0;
  const rpc = client({
    auth: async () => {
      asked++;
      return "user:ada";
    },
    reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
  });
  const events = Events.of(rpc);
  // Made before the socket opened; the guarded method takes it only because
  // the sign-in went first.
  eq(await resolves(rpc.request("test.secret"), "test.secret made before open"), "ada");
  eq(rpc.state, "open");
  eq(asked, 1, "auth() calls");
  eq(await answer(rpc, "test.whoami"), '"ada"');
  // A new connection knows nobody: the client signs in again, before the
  // call queued while it was reconnecting.
  eq(await answer(rpc, "test.dropAll", []), "true");
  await events.wait("reconnecting", 1);
  const queued = rpc.request("test.secret");
  await events.wait("open", 2);
  eq(asked, 2, "auth() calls after the reconnect");
  eq(await resolves(queued, "test.secret queued while reconnecting"), "ada");
  rpc.close();
});

test("a refused token is an error event, and the client reconnects and asks again", async (h) => {
  const { client, resolves, answer, eq, check, expectCode, Events } = h;
  const tokens = ["not a token", "user:bob"];
  let asked = 0;
  const rpc = client({ auth: () => tokens[Math.min(asked++, 1)], reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  const events = Events.of(rpc);
  await resolves(rpc.ready, "ready after the second sign-in");
  const error = events.first("error")?.error;
  expectCode(error, -32006, "the refused sign-in");
  check(/^jrpc: signing in failed: unknown token/.test(error.message), `message: ${error.message}`);
  check(events.types().indexOf("reconnecting") < events.types().indexOf("open"), `events: ${events.types()}`);
  eq(asked, 2, "auth() calls");
  eq(await answer(rpc, "test.whoami"), '"bob"');
  rpc.close();
});

test("without auth a guarded method answers -32006; auth must be a function", async (h) => {
  const { openClient, failure, expectCode, expectTypeError, client, check } = h;
  const rpc = await openClient();
  expectCode(await failure(rpc, "test.secret"), -32006, "test.secret without signing in");
  rpc.close();
  const message = expectTypeError(() => client({ auth: "user:ada" }), "auth as a string");
  check(message.includes("option auth must be a function"), message);
});
