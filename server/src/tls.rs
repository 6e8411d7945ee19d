//! TLS with rustls (feature `tls`): `https://` and `wss://` for the server
//! ([`ServerBuilder::tls`](crate::ServerBuilder::tls)) and `wss://` for the
//! client, which trusts the system's roots unless given a config of its own
//! ([`ClientBuilder::tls`](crate::ClientBuilder::tls)). The configs come from
//! PEM files here, or are built with rustls directly. Always the ring
//! provider, chosen here rather than process-wide, so another crate's
//! choice of provider cannot make these fail.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::Path;
//! let config = jrpc::tls::server_config(Path::new("cert.pem"), Path::new("key.pem"))?;
//! let server = jrpc::Server::builder().tls(config).bind("0.0.0.0:8443").await?;
//! // And a client that also trusts a private CA:
//! let trust = jrpc::tls::client_config(&[Path::new("ca.pem")])?;
//! let client = jrpc::Client::builder().tls(trust).connect("wss://example.test:8443/rpc").await?;
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

pub use rustls::{ClientConfig, ServerConfig};

/// Why a TLS config could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("cannot read {path}: {source}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        source: rustls_pki_types::pem::Error,
    },
    /// A certificate file held no certificate.
    #[error("{0} holds no PEM certificate")]
    NoCertificate(PathBuf),
    /// rustls refused the certificate, the key or the settings.
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
    /// No trusted root at all: the system has none, and none was given.
    #[error("no trusted root certificates: the system has none (give a CA file)")]
    NoRoots,
}

/// rustls's ring provider. Deprecated upstream for its lack of a
/// post-quantum key exchange (browsers then agree on X25519); kept because
/// aws-lc-rs, which has one, needs a heavier C build on every machine that
/// compiles jrpc. Moving is a one-line change here.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates in the PEM file at `path`.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = |source| TlsError::Pem {
        path: path.to_owned(),
        source,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(pem)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.to_owned()));
    }
    Ok(certs)
}

/// A server config from a PEM certificate chain (the server's certificate
/// first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = certificates(cert)?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|source| TlsError::Pem {
        path: key.to_owned(),
        source,
    })?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// A client config that trusts the system's roots and the CA certificates
/// in the PEM files `extra_cas` (a private CA, a self-signed server).
pub fn client_config(extra_cas: &[&Path]) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    // Unreadable system certificates are skipped: the extra CAs may be all
    // that is needed.
    let system = rustls_native_certs::load_native_certs();
    for cert in system.certs {
        let _ = roots.add(cert);
    }
    for path in extra_cas {
        for cert in certificates(path)? {
            roots.add(cert)?;
        }
    }
    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The config a client uses for `wss://` when given none: the system's
/// roots, loaded once per process.
pub(crate) fn default_client_config() -> Result<Arc<ClientConfig>, &'static TlsError> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, TlsError>> = OnceLock::new();
    CONFIG
        .get_or_init(|| client_config(&[]))
        .as_ref()
        .map(Arc::clone)
}
