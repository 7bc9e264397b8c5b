//! What Go makes of a certificate, key or CA file's contents (`tls.X509KeyPair`,
//! `CertPool.AppendCertsFromPEM`), with its texts, so a file nats-server refuses is refused
//! when the configuration is read. Whether rustls can use what Go accepts is another question
//! (`tls_serve`).

use base64::Engine as _;
use tokio_rustls::rustls::crypto::ring::default_provider;
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};
use tokio_rustls::rustls::sign::CertifiedKey;
use tokio_rustls::rustls::{Error as RustlsError, InconsistentKeys};

/// One PEM block: its type (`CERTIFICATE`, `RSA PRIVATE KEY`, ...), whether it had headers,
/// and its bytes.
struct Block {
    kind: String,
    headers: bool,
    der: Vec<u8>,
}

/// The blocks Go's `pem.Decode` would find, in order (undecodable ones are skipped, as Go
/// skips them).
fn blocks(data: &[u8]) -> Vec<Block> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(kind) = line.trim().strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) else {
            continue;
        };
        let (mut body, mut headers, mut ended) = (String::new(), false, false);
        for line in lines.by_ref() {
            let line = line.trim();
            if line.starts_with("-----END ") {
                ended = true;
                break;
            }
            if line.contains(':') {
                headers = true;
            } else {
                body.push_str(line);
            }
        }
        if let (true, Ok(der)) = (ended, base64::engine::general_purpose::STANDARD.decode(body.as_bytes())) {
            out.push(Block { kind: kind.to_string(), headers, der });
        }
    }
    out
}

/// Go's `tls.X509KeyPair`: the first certificate and the first private key, which must parse
/// and belong together. `Err` holds Go's text.
pub(crate) fn key_pair(cert_pem: &[u8], key_pem: &[u8]) -> Result<(), String> {
    let certs: Vec<Block> = blocks(cert_pem).into_iter().filter(|b| b.kind == "CERTIFICATE").collect();
    let Some(first) = certs.first() else {
        if blocks(cert_pem).iter().any(|b| b.kind.ends_with("PRIVATE KEY")) {
            return Err("tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched".into());
        }
        return Err("tls: failed to find any PEM data in certificate input".into());
    };
    let key_blocks = blocks(key_pem);
    let Some(key) = key_blocks.iter().find(|b| b.kind == "PRIVATE KEY" || b.kind.ends_with(" PRIVATE KEY")) else {
        if key_blocks.iter().any(|b| b.kind == "CERTIFICATE") {
            return Err("tls: found a certificate rather than a key in the PEM for the private key".into());
        }
        return Err("tls: failed to find any PEM data in key input".into());
    };
    if x509_parser::parse_x509_certificate(&first.der).is_err() {
        return Err("x509: malformed certificate".into());
    }
    // Go tries each encoding whatever the block says; so do we.
    let candidates = [
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.der.clone())),
        PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(key.der.clone())),
        PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(key.der.clone())),
    ];
    let provider = default_provider();
    let chain = vec![CertificateDer::from(first.der.clone())];
    for candidate in candidates {
        match CertifiedKey::from_der(chain.clone(), candidate, &provider) {
            Ok(_) => return Ok(()),
            Err(RustlsError::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
                return Err("tls: private key does not match public key".into());
            }
            Err(_) => {}
        }
    }
    // A key ring cannot load (an RSA key under 2048 bits, a curve it lacks) may still be one
    // Go takes: whether rnats can serve it is decided later, with rnats's own words.
    Ok(())
}

/// Go's `CertPool.AppendCertsFromPEM` for a `ca_file`: at least one certificate must parse.
pub(crate) fn ca_certificates(pem: &[u8]) -> Result<(), String> {
    let parsed = blocks(pem)
        .iter()
        .filter(|b| b.kind == "CERTIFICATE" && !b.headers)
        .any(|b| x509_parser::parse_x509_certificate(&b.der).is_ok());
    if parsed {
        Ok(())
    } else {
        Err("failed to parse root ca certificate".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_texts_for_wrong_contents() {
        let pki = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
        let (cert, key) = (pki.cert.pem(), pki.signing_key.serialize_pem());
        assert_eq!(key_pair(cert.as_bytes(), key.as_bytes()), Ok(()));
        assert_eq!(key_pair(b"", key.as_bytes()), Err("tls: failed to find any PEM data in certificate input".into()));
        assert!(
            key_pair(key.as_bytes(), cert.as_bytes()).is_err_and(|e| e.contains("PEM inputs may have been switched"))
        );
        assert_eq!(
            key_pair(cert.as_bytes(), cert.as_bytes()),
            Err("tls: found a certificate rather than a key in the PEM for the private key".into())
        );
        assert_eq!(key_pair(cert.as_bytes(), b"x"), Err("tls: failed to find any PEM data in key input".into()));
        let other = rcgen::generate_simple_self_signed(vec!["other".to_string()]).expect("certificate");
        assert_eq!(
            key_pair(cert.as_bytes(), other.signing_key.serialize_pem().as_bytes()),
            Err("tls: private key does not match public key".into())
        );
        assert_eq!(ca_certificates(cert.as_bytes()), Ok(()));
        assert_eq!(ca_certificates(key.as_bytes()), Err("failed to parse root ca certificate".into()));
    }
}
