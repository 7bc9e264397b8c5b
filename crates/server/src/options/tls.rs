//! `tls` blocks (top level, cluster, gateway, leafnodes, websocket, mqtt, resolver): their
//! fields, cipher suite and curve names, checked as nats-server's `parseTLS` does. Certificate
//! files are not read: rnats does not serve TLS yet.

use rnats_conf::Value;

use super::check::{Ctx, Item, Step};
use super::duration::parse_go_duration;

/// Cipher suite names nats-server accepts: 2.9's table and the names newer versions take
/// from Go's `tls.CipherSuites()`/`tls.InsecureCipherSuites()`.
const CIPHERS: [&str; 27] = [
    "TLS_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

/// Curve names nats-server accepts.
const CURVES: [&str; 4] = ["X25519", "CurveP256", "CurveP384", "CurveP521"];

/// What the callers need from a parsed `tls` block.
#[derive(Debug, Default)]
pub(crate) struct TlsBlock {
    pub cert_file: bool,
    pub key_file: bool,
    /// `certs` (several certificate pairs, newer than 2.9.10).
    pub certs: bool,
}

/// A `tls` block where nats-server also builds the TLS configuration (`GenTLSConfig`): a
/// certificate needs its key and the other way round. `client_ctx`: the block belongs to a
/// listener that serves clients (where `verify_cert_and_check_known_urls` is refused).
pub(crate) fn tls_section(ctx: &mut Ctx, item: Item<'_>, client_ctx: bool) -> Step<()> {
    let block = parse_tls(ctx, item, client_ctx)?;
    if !block.certs && block.cert_file && !block.key_file {
        return ctx.fail(item.pos, "missing 'key_file' in TLS configuration");
    }
    if !block.certs && !block.cert_file && block.key_file {
        return ctx.fail(item.pos, "missing 'cert_file' in TLS configuration");
    }
    Ok(())
}

/// nats-server's `parseTLS`: the first problem ends the block.
pub(crate) fn parse_tls(ctx: &mut Ctx, item: Item<'_>, client_ctx: bool) -> Step<TlsBlock> {
    let map = ctx.map(item)?;
    let mut block = TlsBlock::default();
    for entry in map.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        let fail = |ctx: &mut Ctx, what: &str| ctx.fail(it.pos, format!("error parsing tls config, {what}"));
        match key.as_str() {
            "cert_file" | "key_file" | "ca_file" => {
                if !matches!(it.value, Value::String(_)) {
                    return fail(ctx, &format!("expected '{key}' to be filename"));
                }
                block.cert_file |= key == "cert_file";
                block.key_file |= key == "key_file";
            }
            "insecure" | "verify" | "verify_and_map" | "verify_cert_and_check_known_urls"
            // Newer than 2.9.10.
            | "allow_insecure_cipher_suites" | "cert_match_skip_invalid" => {
                let Value::Bool(on) = it.value else {
                    return fail(ctx, &format!("expected '{key}' to be a boolean"));
                };
                if key == "verify_cert_and_check_known_urls" && *on && client_ctx {
                    return ctx.fail(it.pos, "verify_cert_and_check_known_urls not supported in this context");
                }
            }
            "cipher_suites" | "curve_preferences" => {
                let elements = ctx.array(it)?;
                if elements.is_empty() {
                    return fail(ctx, &format!("'{key}' cannot be empty"));
                }
                for element in elements {
                    let name = ctx.str(Item::element(element))?;
                    if key == "cipher_suites" && !CIPHERS.contains(&name) {
                        return ctx.fail(&element.pos, format!("unrecognized cipher {name}"));
                    }
                    if key == "curve_preferences" && !CURVES.contains(&name) {
                        return ctx.fail(&element.pos, format!("unrecognized curve preference {name}"));
                    }
                }
            }
            "timeout" => match it.value {
                Value::Integer(_) | Value::Float(_) => {}
                Value::String(text) => {
                    if let Err(e) = parse_go_duration(text) {
                        return fail(ctx, &format!("'timeout' {e}"));
                    }
                }
                _ => return fail(ctx, "'timeout' wrong type"),
            },
            "connection_rate_limit" => {
                if !matches!(it.value, Value::Integer(_)) {
                    return fail(ctx, "'connection_rate_limit' wrong type");
                }
            }
            "pinned_certs" => {
                let Value::Array(elements) = it.value else {
                    return fail(
                        ctx,
                        "expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo",
                    );
                };
                for element in elements {
                    let entry = ctx.str(Item::element(element))?.to_ascii_lowercase();
                    if entry.len() != 64 || !entry.bytes().all(|b| b.is_ascii_hexdigit()) {
                        let message = format!(
                            "error parsing tls config, 'pinned_certs' key {entry} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"
                        );
                        return ctx.fail(&element.pos, message);
                    }
                }
            }
            // Newer than 2.9.10: accepted as the newer servers accept them.
            "certs" | "certificates" => {
                certificates(ctx, it)?;
                block.certs = true;
            }
            "handshake_first" | "first" | "immediate" => {
                if !matches!(it.value, Value::Bool(_) | Value::String(_)) {
                    return ctx.fail(it.pos, format!("field {:?} should be a boolean or a string", entry.key));
                }
            }
            "cert_store" | "cert_match_by" | "cert_match" | "min_version" => {
                ctx.str(it)?;
            }
            "ca_certs_match" => {
                ctx.string_list("ca_certs_match", it)?;
            }
            "ocsp_peer" => {
                if !matches!(it.value, Value::Bool(_) | Value::Map(_)) {
                    return fail(ctx, "'ocsp_peer' wrong type");
                }
            }
            _ => return fail(ctx, &format!("unknown field [{:?}]", entry.key)),
        }
    }
    Ok(block)
}

/// `certs = [ {cert_file, key_file}, ... ]` (newer than 2.9.10).
fn certificates(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    for element in ctx.array(item)? {
        let pair = ctx.map(Item::element(element))?;
        let mut cert = false;
        let mut key = false;
        for entry in pair.iter() {
            let it = Item::entry(entry);
            match entry.key.to_ascii_lowercase().as_str() {
                "cert_file" => cert = !ctx.str(it)?.is_empty(),
                "key_file" => key = !ctx.str(it)?.is_empty(),
                _ => return ctx.fail(it.pos, format!("error parsing tls certs config, unknown field {:?}", entry.key)),
            }
        }
        if !cert || !key {
            return ctx.fail(
                &element.pos,
                "error parsing certificates config: both 'cert_file' and 'key_file' options are required",
            );
        }
    }
    Ok(())
}

/// Cases checked against nats-server 2.9.10 (`nats-server -t`): the expected texts are its
/// output for the same file.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        assert_eq!(
            first_error("\ntls { foo: 1 }\n"),
            r#"test.conf:2:7: error parsing tls config, unknown field ["foo"]"#
        );
        assert_eq!(
            first_error("\ntls { cipher_suites: \"x\" }\n"),
            r#"test.conf:2:7: interface conversion: interface {} is string, not []interface {}"#
        );
        assert_eq!(
            first_error("\ntls { timeout: true }\n"),
            r#"test.conf:2:7: error parsing tls config, 'timeout' wrong type"#
        );
        assert_eq!(
            first_error("\ntls = 5\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not map[string]interface {}"#
        );
        options("\ntls { verify: true, timeout: 2 }\n");
        assert_eq!(
            first_error("\ntls { cert_file: \"a.pem\" }\n"),
            r#"test.conf:2:1: missing 'key_file' in TLS configuration"#
        );
        assert_eq!(
            first_error("\ntls { key_file: \"a.pem\" }\n"),
            r#"test.conf:2:1: missing 'cert_file' in TLS configuration"#
        );
        assert_eq!(
            first_error("\ntls { cert_file: 5 }\n"),
            r#"test.conf:2:7: error parsing tls config, expected 'cert_file' to be filename"#
        );
        assert_eq!(
            first_error("\ntls { verify: \"yes\" }\n"),
            r#"test.conf:2:7: error parsing tls config, expected 'verify' to be a boolean"#
        );
        assert_eq!(
            first_error("\ntls { timeout: \"x\" }\n"),
            r#"test.conf:2:7: error parsing tls config, 'timeout' time: invalid duration "x""#
        );
        options("\ntls { timeout: \"2s\", connection_rate_limit: 5 }\n");
        assert_eq!(
            first_error("\ntls { connection_rate_limit: \"x\" }\n"),
            r#"test.conf:2:7: error parsing tls config, 'connection_rate_limit' wrong type"#
        );
        assert_eq!(
            first_error("\ntls { pinned_certs: \"x\" }\n"),
            r#"test.conf:2:7: error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"#
        );
        assert_eq!(
            first_error("\ntls { pinned_certs: [\"abc\"] }\n"),
            r#"test.conf:2:23: error parsing tls config, 'pinned_certs' key abc does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"#
        );
        options("\ntls { pinned_certs: [\"a0a1a2a3a4a5a6a7a8a9a0a1a2a3a4a5a6a7a8a9a0a1a2a3a4a5a6a7a8a9abcd\"] }\n");
        assert_eq!(first_error("\ntls {\n  cipher_suites: [\n    \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\n    \"BAD_CIPHER\"\n  ]\n}\n"), r#"test.conf:5:6: unrecognized cipher BAD_CIPHER"#);
        assert_eq!(
            first_error("\ntls {\n  cipher_suites: []\n}\n"),
            r#"test.conf:3:3: error parsing tls config, 'cipher_suites' cannot be empty"#
        );
        options("\ntls {\n  curve_preferences: [\"CurveP256\", \"X25519\"]\n}\n");
        assert_eq!(
            first_error("\ntls {\n  curve_preferences: [\"GARBAGE\"]\n}\n"),
            r#"test.conf:3:24: unrecognized curve preference GARBAGE"#
        );
        assert_eq!(
            first_error("\ntls {\n  curve_preferences: []\n}\n"),
            r#"test.conf:3:3: error parsing tls config, 'curve_preferences' cannot be empty"#
        );
        assert_eq!(
            first_error("\ntls { verify_cert_and_check_known_urls: true }\n"),
            r#"test.conf:2:7: verify_cert_and_check_known_urls not supported in this context"#
        );
        options("\ncluster { tls { verify_cert_and_check_known_urls: true } }\n");
        assert_eq!(
            first_error("\ntls { insecure: 5 }\n"),
            r#"test.conf:2:7: error parsing tls config, expected 'insecure' to be a boolean"#
        );
        options("\ntls { verify_and_map: true }\n");
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{first_error, options, warnings};

    #[test]
    fn newer_fields_are_accepted() {
        options("\ntls {\n  certs = [ {cert_file: \"a.pem\", key_file: \"a.key\"}, {cert_file: \"b.pem\", key_file: \"b.key\"} ]\n}\n");
        options("\ntls { cert_file: \"a.pem\", key_file: \"a.key\", allow_insecure_cipher_suites: true, handshake_first: true, min_version: \"1.3\" }\n");
        options("\ntls { cipher_suites: [\"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256\"] }\n");
        assert_eq!(
            first_error("\ntls { certs = [ {cert_file: \"a.pem\"} ] }\n"),
            "test.conf:2:37: error parsing certificates config: both 'cert_file' and 'key_file' options are required"
        );
    }

    #[test]
    fn one_warning_for_the_block() {
        assert_eq!(
            warnings("\ntls { cert_file: \"a.pem\", key_file: \"a.key\", verify: true }\n"),
            ["test.conf:2:1: tls is not supported yet by rnats; the setting is ignored"]
        );
    }
}
