//! End-to-end tests of jrpc live in `tests/`; this library holds what they
//! share with the browser tests:
//!
//! - [`test_server`]: the server the browser client's tests talk to (run as
//!   the `jrpc-test-server` binary by `tests/browser/client-*.test.mjs`): the
//!   demo methods plus `test.*` control methods that let a test observe
//!   cancellation and provoke connection loss and server restarts from the
//!   browser side.
//! - [`cert`]: a self-signed certificate made at run time, for the TLS
//!   tests (and the `jrpc-test-cert` binary the browser's TLS test runs).

pub mod cert;
pub mod test_server;
