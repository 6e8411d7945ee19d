//! Every input, as one frame, through `Inbound::receive` on four engines
//! (fresh; tight limits; requests and calls of its own in flight; the same,
//! shutting down), each held to an oracle that reads the frame with
//! serde_json and predicts every handler run, response settled, handler
//! aborted and reply written (see `inbound_oracle`). Bytes that are not UTF-8
//! are a binary frame (`receive_binary`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/inbound_oracle/mod.rs"]
mod inbound_oracle;

fuzz_target!(|data: &[u8]| {
    inbound_oracle::check(data);
});
