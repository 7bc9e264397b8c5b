//! The names a `tls` block may use, as nats-server 2.15.1 knows them: Go's cipher suites
//! (`tls.CipherSuites()` and `tls.InsecureCipherSuites()`, the second refused unless
//! `allow_insecure_cipher_suites` is set), Go 1.26's curves, and TLS versions.

/// Cipher suites Go considers secure.
const SECURE: [&str; 13] = [
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
];

/// Cipher suites Go knows but calls insecure (RSA key exchange, RC4, 3DES, CBC with SHA-256).
const INSECURE: [&str; 12] = [
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
];

/// Curve names nats-server 2.15.1 accepts (built with Go 1.26: the post-quantum hybrids too).
const CURVES: [&str; 7] =
    ["SecP384r1MLKEM1024", "SecP256r1MLKEM768", "X25519MLKEM768", "X25519", "CurveP256", "CurveP384", "CurveP521"];

/// A cipher suite name: `Some(insecure)` when Go knows it.
pub(crate) fn cipher(name: &str) -> Option<bool> {
    if SECURE.contains(&name) {
        Some(false)
    } else if INSECURE.contains(&name) {
        Some(true)
    } else {
        None
    }
}

/// Whether Go knows the curve name.
pub(crate) fn curve(name: &str) -> bool {
    CURVES.contains(&name)
}

/// `min_version`: "1.2" and "1.3" are kept; nats-server's text for anything else.
pub(crate) fn min_version(text: &str) -> Result<&str, String> {
    match text {
        "1.2" | "1.3" => Ok(text),
        "1.0" | "1.1" => Err(format!("unsupported TLS version: TLS {text}")),
        _ => Err(format!("unknown version: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_go_knows_them() {
        assert_eq!(cipher("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), Some(false));
        assert_eq!(cipher("TLS_RSA_WITH_AES_128_GCM_SHA256"), Some(true));
        assert_eq!(cipher("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"), None, "2.9's short alias is gone");
        assert!(curve("X25519MLKEM768") && !curve("P256"));
        assert_eq!(min_version("1.1"), Err("unsupported TLS version: TLS 1.1".into()));
        assert_eq!(min_version("TLS1.3"), Err("unknown version: TLS1.3".into()));
    }
}
