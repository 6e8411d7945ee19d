// The original jrpc dialect (`dialect: "jrpc"`): its translators are a wasm
// module of their own (the crate's `dialect` feature), imported the first
// time a client chooses the dialect, so that no other page downloads them.

import { auto } from "./load.js";

let loading;

/** The module's `translate(text, incoming)`, once it is loaded and instantiated. */
export function loadDialect() {
  loading ??= import("./jrpc_dialect.js")
    .then(async (module) => {
      // Found the way the engine's wasm is (see load.js).
      module.initSync({
        module: await auto(() => new URL("jrpc_dialect_bg.wasm", import.meta.url), () => import("./jrpc_dialect_inline.js")),
      });
      return module.translate;
    })
    .catch((e) => {
      // The import or the wasm's fetch failed: a later client may try again (the network may be back).
      loading = undefined;
      throw e;
    });
  return loading;
}
