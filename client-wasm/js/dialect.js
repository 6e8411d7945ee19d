// The original jrpc dialect (`dialect: "jrpc"`): its translators are a wasm
// module of their own (the crate's `dialect` feature), imported the first
// time a client chooses the dialect, so that no other page downloads them.

let loading;

/** The module's `translate(text, incoming)`, once it is loaded (and, in the web build, instantiated). */
export function loadDialect() {
  loading ??= import("./jrpc_dialect.js")
    .then(async (module) => {
      // The web build's glue instantiates on `init()`; the bundler's on import.
      if (typeof module.default === "function") await module.default();
      return module.translate;
    })
    .catch((e) => {
      // The import or the wasm's fetch failed: a later client may try again (the network may be back).
      loading = undefined;
      throw e;
    });
  return loading;
}
