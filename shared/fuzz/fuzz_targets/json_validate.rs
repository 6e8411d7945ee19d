//! Every UTF-8 input: `json::validate` and serde_json agree on validity, and
//! reading it member by member with a `Cursor` yields slices, strings and
//! integers that serde_json reads the same way (see `json_oracle`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/json_oracle/mod.rs"]
mod json_oracle;

fuzz_target!(|data: &[u8]| {
    // The scanner takes `&str`: invalid UTF-8 never reaches it.
    if let Ok(text) = std::str::from_utf8(data) {
        json_oracle::check(text);
    }
});
