//! Every input through the original jrpc dialect's translators
//! (`legacy::incoming`, `legacy::outgoing`, `legacy::name_positions`), each
//! result checked against a serde_json reading of the input (see
//! `legacy_oracle`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/legacy_oracle/mod.rs"]
mod legacy_oracle;

fuzz_target!(|data: &[u8]| {
    legacy_oracle::check(data);
});
