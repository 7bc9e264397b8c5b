//! `tls { certs = [...] }`: several certificates, the one for a handshake chosen by the
//! server name the client asks for, as Go's `crypto/tls` chooses (the first whose DNS names
//! match, wildcards covering one label; the first of all when none does or the client names
//! none).

use std::fmt;
use std::sync::Arc;

use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;
use x509_parser::extensions::GeneralName;

/// Certificates in configuration order, each with the DNS names it covers.
pub(crate) struct CertsByName {
    certs: Vec<(Vec<String>, Arc<CertifiedKey>)>,
}

impl fmt::Debug for CertsByName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.certs.iter().map(|(names, _)| names)).finish()
    }
}

impl CertsByName {
    /// `certs` must not be empty.
    pub(crate) fn new(certs: Vec<Arc<CertifiedKey>>) -> CertsByName {
        let certs = certs.into_iter().map(|key| (dns_names(&key), key)).collect();
        CertsByName { certs }
    }

    fn choose(&self, server_name: Option<&str>) -> Option<Arc<CertifiedKey>> {
        let chosen = server_name.and_then(|name| {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            self.certs.iter().find(|(names, _)| names.iter().any(|pattern| matches(pattern, &name)))
        });
        chosen.or_else(|| self.certs.first()).map(|(_, key)| Arc::clone(key))
    }
}

impl ResolvesServerCert for CertsByName {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.choose(hello.server_name())
    }
}

/// The DNS names of a certified key's end-entity certificate (lower case).
fn dns_names(key: &CertifiedKey) -> Vec<String> {
    let Some(der) = key.cert.first() else { return Vec::new() };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(der.as_ref()) else { return Vec::new() };
    let Ok(Some(san)) = cert.subject_alternative_name() else { return Vec::new() };
    san.value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(dns.trim_end_matches('.').to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// Go's host name match: exact, or `*.` covering exactly one leading label.
fn matches(pattern: &str, name: &str) -> bool {
    if pattern == name {
        return true;
    }
    match (pattern.strip_prefix("*."), name.split_once('.')) {
        (Some(rest), Some((label, name_rest))) => !label.is_empty() && rest == name_rest,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_go_matches_them() {
        assert!(matches("a.example", "a.example"));
        assert!(matches("*.example", "a.example"));
        assert!(!matches("*.example", "b.a.example"));
        assert!(!matches("*.example", "example"));
        assert!(!matches("a.example", "b.example"));
    }

    fn certified(name: &str) -> Arc<CertifiedKey> {
        use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
        let pair = rcgen::generate_simple_self_signed(vec![name.to_string()]).expect("certificate");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pair.signing_key.serialize_der()));
        let provider = tokio_rustls::rustls::crypto::ring::default_provider();
        Arc::new(CertifiedKey::from_der(vec![pair.cert.der().clone()], key, &provider).expect("certified key"))
    }

    #[test]
    fn the_named_certificate_else_the_first() {
        let (a, b) = (certified("a.example"), certified("*.b.example"));
        let certs = CertsByName::new(vec![Arc::clone(&a), Arc::clone(&b)]);
        let chosen = |name| certs.choose(name).map(|key| key.cert[0].clone());
        assert_eq!(chosen(Some("x.b.example")), Some(b.cert[0].clone()));
        assert_eq!(chosen(Some("A.Example.")), Some(a.cert[0].clone()));
        assert_eq!(chosen(Some("nobody.example")), Some(a.cert[0].clone()), "no match: the first");
        assert_eq!(chosen(None), Some(a.cert[0].clone()), "no name: the first");
    }
}
