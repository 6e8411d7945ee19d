// `rpc.discover` of jrpc-server, in both of its method sets, checked against
// the official OpenRPC meta-schema (the `@open-rpc/meta-schema` package,
// with the JSON Schema meta-schema it refers to) by ajv; and a document
// that breaks the rules must fail, so the check itself is known to bite.
// The document is fetched over WebSocket from a page in Chromium, as a
// browser app would.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import openrpcMetaSchema from "@open-rpc/meta-schema";
import jsonSchemaMetaSchema from "@json-schema-tools/meta-schema";
import Ajv from "ajv";
import { Server, env, launchChromium } from "./helpers.mjs";

const www = path.resolve(env("JRPC_WWW"));
let browser;
const servers = [];

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.stop().catch(() => server.kill());
});

/** The meta-schema's validator. */
function metaSchema() {
  const copy = (schema) => {
    const c = structuredClone(schema.default ?? schema);
    // Custom meta-schema URIs, which ajv need not know to validate with them.
    delete c.$schema;
    return c;
  };
  const jsonSchema = copy(jsonSchemaMetaSchema);
  // ajv cannot follow a JSON pointer through a property named `$ref`: the
  // one place the OpenRPC meta-schema does that gets its target inline.
  const refProperty = "https://meta.json-schema.tools/#/definitions/JSONSchemaObject/properties/$ref";
  const inline = (node) => {
    if (Array.isArray(node)) return node.map(inline);
    if (node === null || typeof node !== "object") return node;
    if (node.$ref === refProperty) return structuredClone(jsonSchema.definitions.JSONSchemaObject.properties.$ref);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  const byUri = structuredClone(jsonSchema);
  delete byUri.$id;
  ajv.addSchema(byUri, "https://meta.json-schema.tools");
  return ajv.compile(inline(copy(openrpcMetaSchema)));
}

/** jrpc-server with `args`' answer to rpc.discover, fetched by a page. */
async function discover(args, logName) {
  const server = await Server.start(["--addr", "127.0.0.1:0", "--www", www, ...args], logName);
  servers.push(server);
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    return await page.evaluate(
      (url) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", method: "rpc.discover", id: 1 }));
          ws.onmessage = ({ data }) => {
            ws.close();
            const reply = JSON.parse(data);
            if (reply.id === 1) resolve(reply);
          };
          ws.onerror = () => reject(new Error(`no WebSocket to ${url}`));
        }),
      `ws://${server.addr}/rpc`,
    );
  } finally {
    await page.close();
  }
}

test("rpc.discover answers OpenRPC documents that the meta-schema accepts", async () => {
  const validate = metaSchema();
  for (const [args, name] of [[[], "math"], [["--methods", "spec"], "spec"]]) {
    const reply = await discover(args, `openrpc-${name}-server.log`);
    assert.equal(reply.error, undefined, JSON.stringify(reply.error));
    const document = reply.result;
    assert.equal(document.openrpc, "1.3.2");
    assert.ok(document.methods.length >= 6, `${name}: ${document.methods.length} methods`);
    assert.ok(validate(document), `${name}: ${JSON.stringify(validate.errors, null, 1)}`);
  }
});

test("the meta-schema check refuses documents that break OpenRPC's rules", async () => {
  const validate = metaSchema();
  const { result: document } = await discover([], "openrpc-broken-server.log");
  const broken = [
    (d) => (d.methods[0].params = "a, b"),
    (d) => (d.methods[0].paramStructure = "sometimes"),
    (d) => (d.methods[0].params[0].schema = { type: 5 }),
    (d) => delete d.info,
    (d) => delete d.methods[0].name,
  ];
  for (const [i, breakIt] of broken.entries()) {
    const copy = structuredClone(document);
    breakIt(copy);
    assert.equal(validate(copy), false, `broken document ${i} was accepted`);
  }
});
