//! `jrpc-test-cert DIR`: writes `DIR/cert.pem` and `DIR/key.pem`, a
//! self-signed certificate for localhost and 127.0.0.1, for the browser's
//! TLS test (`tests/browser/tls.test.mjs`), which serves them with
//! `jrpc-server --tls-cert --tls-key`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: jrpc-test-cert DIR");
        return ExitCode::from(2);
    };
    match jrpc_tests::cert::write_self_signed(&dir) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jrpc-test-cert: cannot write into {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
