//! Client TLS with rustls: the server configuration built from a `tls {}` block (certificate,
//! key, client verification, versions, cipher suites, curves) and what a finished handshake
//! tells about the client (its certificate, for `verify_and_map` and `pinned_certs`).
//!
//! Settings rustls cannot honour (TLS 1.0/1.1, CBC/RC4/3DES and static-RSA cipher suites,
//! RSA keys under 2048 bits) fail here, at start, with the reason: silently serving weaker or
//! different security than the file asks for is not an option.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls::{
    self,
    crypto::{ring as provider, CryptoProvider, SupportedKxGroup},
    pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer},
    server::WebPkiClientVerifier,
    sign::CertifiedKey,
    RootCertStore, ServerConfig, SupportedCipherSuite,
};
use tokio_rustls::TlsAcceptor;

use crate::auth::CertIdentity;
use crate::options::TlsConfig;

/// Why the TLS configuration cannot be used.
#[derive(Debug)]
pub struct TlsSetupError(pub String);

impl std::fmt::Display for TlsSetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsSetupError {}

impl From<TlsSetupError> for io::Error {
    fn from(e: TlsSetupError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidInput, e.0)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, TlsSetupError> {
    Err(TlsSetupError(message.into()))
}

/// A listener's TLS (clients, leaf nodes; routes and gateways next), ready to accept.
pub struct ListenerTls {
    /// Performs handshakes.
    pub acceptor: TlsAcceptor,
    /// Handshake time limit.
    pub timeout: Duration,
    /// Client certificates are required and verified.
    pub verify: bool,
    /// Users come from client certificates.
    pub map_users: bool,
    /// Accepted client key hashes (empty: any verified client).
    pub pinned: Vec<String>,
    /// TLS before INFO; a non-zero delay allows falling back to INFO first.
    pub handshake_first: Option<Duration>,
}

impl ListenerTls {
    /// Builds the TLS setup of a `tls {}` block.
    pub fn new(config: &TlsConfig) -> Result<ListenerTls, TlsSetupError> {
        if let Some(key) = config.unsupported.first() {
            return fail(format!("tls {key} is not supported by rnats"));
        }
        let mut pairs: Vec<(&Path, &Path)> = config.certs.iter().map(|(c, k)| (c.as_path(), k.as_path())).collect();
        if let (Some(cert_file), Some(key_file), true) = (&config.cert_file, &config.key_file, pairs.is_empty()) {
            pairs.push((cert_file, key_file));
        }
        if pairs.is_empty() {
            return fail("TLS Server certificate must be present and valid");
        }
        let provider = Arc::new(crypto_provider(config)?);
        let mut keys = Vec::with_capacity(pairs.len());
        for (cert_file, key_file) in pairs {
            let chain = load_certificates(cert_file)?;
            let key = load_key(key_file)?;
            let certified = CertifiedKey::from_der(chain, key, &provider).map_err(|e| {
                TlsSetupError(format!(
                    "tls: cannot use the key in {} with its certificate: {e} (rnats needs RSA keys of at least 2048 bits, or ECDSA/Ed25519 keys)",
                    key_file.display()
                ))
            })?;
            keys.push(Arc::new(certified));
        }
        let versions: &[&rustls::SupportedProtocolVersion] = match config.min_version.as_deref() {
            None | Some("1.2") => &[&rustls::version::TLS13, &rustls::version::TLS12],
            Some("1.3") => &[&rustls::version::TLS13],
            Some(other @ ("1.0" | "1.1")) => {
                return fail(format!("tls min_version {other} is not supported by rnats (TLS 1.2 and 1.3 only)"));
            }
            Some(other) => return fail(format!("unknown tls min_version {other:?}")),
        };
        let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_protocol_versions(versions)
            .map_err(|e| TlsSetupError(format!("tls: {e}")))?;
        let builder = if config.verify {
            let roots = Arc::new(client_roots(config.ca_file.as_deref())?);
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| TlsSetupError(format!("tls: client certificate verification: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        } else {
            builder.with_no_client_auth()
        };
        let server = builder.with_cert_resolver(Arc::new(crate::tls_certs::CertsByName::new(keys)));
        Ok(ListenerTls {
            acceptor: TlsAcceptor::from(Arc::new(server)),
            timeout: if config.timeout.is_zero() { DEFAULT_TLS_TIMEOUT } else { config.timeout },
            verify: config.verify,
            map_users: config.map_users,
            pinned: config.pinned_certs.clone(),
            handshake_first: config.handshake_first,
        })
    }

    /// Whether a handshake's client certificate passes `pinned_certs`.
    pub fn accepts_pin(&self, identity: Option<&CertIdentity>) -> bool {
        self.pinned.is_empty() || identity.is_some_and(|id| self.pinned.contains(&id.spki_sha256))
    }
}

/// The client side of TLS (a leaf node connecting to its hub): the hub's certificate checked
/// against `ca_file` (or the system roots), our certificate offered when the block has one.
pub fn client_config(config: Option<&TlsConfig>) -> Result<Arc<rustls::ClientConfig>, TlsSetupError> {
    let provider = Arc::new(match config {
        Some(config) => crypto_provider(config)?,
        None => provider::default_provider(),
    });
    let roots = client_roots(config.and_then(|c| c.ca_file.as_deref()))?;
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError(format!("tls: {e}")))?
        .with_root_certificates(roots);
    let client = match config.and_then(|c| c.cert_file.as_deref().zip(c.key_file.as_deref())) {
        Some((cert, key)) => builder
            .with_client_auth_cert(load_certificates(cert)?, load_key(key)?)
            .map_err(|e| TlsSetupError(format!("tls: cannot use the key in {}: {e}", key.display())))?,
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(client))
}

/// nats-server's handshake time limit when the block gives none.
pub const DEFAULT_TLS_TIMEOUT: Duration = Duration::from_secs(2);

/// The client's certificate, as `verify_and_map` and `pinned_certs` read it.
pub fn peer_identity(connection: &rustls::ServerConnection) -> Option<CertIdentity> {
    let first = connection.peer_certificates()?.first()?;
    CertIdentity::from_der(first.as_ref())
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, TlsSetupError> {
    std::fs::read(path).map_err(|e| TlsSetupError(format!("error opening {what} {}: {e}", path.display())))
}

fn load_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let pem = read(path, "certificate file")?;
    let chain: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&pem).collect();
    match chain {
        Ok(chain) if !chain.is_empty() => Ok(chain),
        Ok(_) => fail(format!("no certificate found in {}", path.display())),
        Err(e) => fail(format!("error parsing certificate file {}: {e}", path.display())),
    }
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsSetupError> {
    let pem = read(path, "key file")?;
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| TlsSetupError(format!("error parsing private key file {}: {e}", path.display())))
}

/// The client CAs: `ca_file`, or the system's roots as nats-server falls back to.
fn client_roots(ca_file: Option<&Path>) -> Result<RootCertStore, TlsSetupError> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in load_certificates(path)? {
                roots.add(cert).map_err(|e| TlsSetupError(format!("error adding CA from {}: {e}", path.display())))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
            if roots.is_empty() {
                return fail("tls verify needs a ca_file: no system certificate authorities were found");
            }
        }
    }
    Ok(roots)
}

/// ring's provider narrowed to the configured cipher suites and curves.
fn crypto_provider(config: &TlsConfig) -> Result<CryptoProvider, TlsSetupError> {
    let mut provider = provider::default_provider();
    if !config.cipher_suites.is_empty() {
        let mut chosen: Vec<SupportedCipherSuite> = tls13_suites();
        let mut refused = Vec::new();
        for name in &config.cipher_suites {
            match tls12_suite(name) {
                Some(suite) if !chosen.contains(&suite) => chosen.push(suite),
                Some(_) => {}
                None if name.starts_with("TLS_AES_") || name.starts_with("TLS_CHACHA20_") => {}
                None => refused.push(name.as_str()),
            }
        }
        if !refused.is_empty() {
            return fail(format!(
                "tls cipher suites not supported by rnats: {} (only AEAD suites with ECDHE: AES-GCM and ChaCha20-Poly1305)",
                refused.join(", ")
            ));
        }
        provider.cipher_suites = chosen;
    }
    if !config.curve_preferences.is_empty() {
        let mut groups: Vec<&'static dyn SupportedKxGroup> = Vec::new();
        let mut refused = Vec::new();
        for name in &config.curve_preferences {
            match name.as_str() {
                "X25519" => groups.push(provider::kx_group::X25519),
                "CurveP256" => groups.push(provider::kx_group::SECP256R1),
                "CurveP384" => groups.push(provider::kx_group::SECP384R1),
                other => refused.push(other),
            }
        }
        if !refused.is_empty() {
            return fail(format!("tls curve preferences not supported by rnats: {}", refused.join(", ")));
        }
        provider.kx_groups = groups;
    }
    Ok(provider)
}

fn tls13_suites() -> Vec<SupportedCipherSuite> {
    vec![
        provider::cipher_suite::TLS13_AES_128_GCM_SHA256,
        provider::cipher_suite::TLS13_AES_256_GCM_SHA384,
        provider::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
    ]
}

/// A TLS 1.2 suite by its Go name (both of Go's spellings of the ChaCha20 ones).
fn tls12_suite(name: &str) -> Option<SupportedCipherSuite> {
    use provider::cipher_suite::*;
    Some(match name {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305" | "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => {
            TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
        }
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305" | "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => {
            TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(suites: &[&str], curves: &[&str]) -> TlsConfig {
        TlsConfig {
            cipher_suites: suites.iter().map(|s| s.to_string()).collect(),
            curve_preferences: curves.iter().map(|s| s.to_string()).collect(),
            ..TlsConfig::default()
        }
    }

    #[test]
    fn aead_suites_and_curves_map_to_rustls() {
        let provider = crypto_provider(&config(
            &["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305"],
            &["X25519", "CurveP256"],
        ))
        .expect("supported");
        assert_eq!(provider.cipher_suites.len(), 5, "three TLS 1.3 suites and the two named");
        assert_eq!(provider.kx_groups.len(), 2);
    }

    #[test]
    fn weak_suites_and_versions_fail_with_the_reason() {
        let weak = config(&["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"], &[]);
        let Err(e) = crypto_provider(&weak) else { panic!("refused") };
        assert!(e.0.contains("TLS_RSA_WITH_AES_128_CBC_SHA"), "{e}");
        let Err(e) = crypto_provider(&config(&[], &["CurveP521"])) else { panic!("refused") };
        assert!(e.0.contains("CurveP521"), "{e}");
        let old = TlsConfig { min_version: Some("1.1".into()), ..TlsConfig::default() };
        let Err(e) = ListenerTls::new(&old) else { panic!("refused") };
        assert!(e.0.contains("certificate"), "no certificate comes first: {e}");
    }
}
