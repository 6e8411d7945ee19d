//! A self-signed certificate for the TLS tests, made at run time (rcgen):
//! nothing secret is committed, and nothing expires in the repository.

use std::path::{Path, PathBuf};

/// Writes a self-signed certificate for `localhost` and `127.0.0.1` and its
/// private key, both PEM, into `dir`; returns their paths (cert, key).
pub fn write_self_signed(dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(std::io::Error::other)?;
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem())?;
    std::fs::write(&key, certified.signing_key.serialize_pem())?;
    Ok((cert, key))
}
