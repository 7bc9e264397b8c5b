//! `tls` blocks (top level, cluster, gateway, leafnodes, websocket, mqtt, resolver): their
//! fields, cipher suite and curve names, checked as nats-server's `parseTLS` does, into a
//! [`TlsConfig`]. The files must be readable (`tls_files`); what is in them is checked when the
//! server starts (`crate::tls`).

use std::path::PathBuf;
use std::time::Duration;

use rnats_conf::Value;

use super::check::{Ctx, Item, Step};
use super::duration::parse_go_duration;
use super::TlsConfig;

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

/// A `tls` block where nats-server also builds the TLS configuration (`GenTLSConfig`): a
/// certificate needs its key and the other way round. `client_ctx`: the block belongs to a
/// listener that serves clients (where `verify_cert_and_check_known_urls` is refused).
pub(crate) fn tls_section(ctx: &mut Ctx, item: Item<'_>, client_ctx: bool) -> Step<TlsConfig> {
    let block = parse_tls(ctx, item, client_ctx)?;
    let several = !block.certs.is_empty();
    if !several && block.cert_file.is_some() && block.key_file.is_none() {
        return ctx.fail(item.pos, "missing 'key_file' in TLS configuration");
    }
    if !several && block.cert_file.is_none() && block.key_file.is_some() {
        return ctx.fail(item.pos, "missing 'cert_file' in TLS configuration");
    }
    if !super::tls_files::check(ctx, item.pos, &block) {
        return Err(super::check::Abort);
    }
    Ok(block)
}

/// nats-server's `parseTLS`: the first problem ends the block.
pub(crate) fn parse_tls(ctx: &mut Ctx, item: Item<'_>, client_ctx: bool) -> Step<TlsConfig> {
    let map = ctx.map(item)?;
    let mut block = TlsConfig::default();
    for entry in map.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        let fail = |ctx: &mut Ctx, what: &str| ctx.fail(it.pos, format!("error parsing tls config, {what}"));
        match key.as_str() {
            "cert_file" | "key_file" | "ca_file" => {
                let Value::String(path) = it.value else {
                    return fail(ctx, &format!("expected '{key}' to be filename"));
                };
                let path = Some(PathBuf::from(path));
                match key.as_str() {
                    "cert_file" => block.cert_file = path,
                    "key_file" => block.key_file = path,
                    _ => block.ca_file = path,
                }
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
                match key.as_str() {
                    "verify" => block.verify |= *on,
                    // Mapping implies verifying, as in nats-server.
                    "verify_and_map" => {
                        block.verify |= *on;
                        block.map_users = *on;
                    }
                    "verify_cert_and_check_known_urls" => block.verify |= *on,
                    "insecure" => block.insecure = *on,
                    _ => {}
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
                    if key == "cipher_suites" {
                        block.cipher_suites.push(name.to_string());
                    } else {
                        block.curve_preferences.push(name.to_string());
                    }
                }
            }
            "timeout" => match it.value {
                Value::Integer(n) => block.timeout = Duration::from_secs(u64::try_from(*n).unwrap_or(0)),
                Value::Float(f) => block.timeout = Duration::try_from_secs_f64(*f).unwrap_or_default(),
                Value::String(text) => match parse_go_duration(text) {
                    Ok(nanos) => block.timeout = Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)),
                    Err(e) => return fail(ctx, &format!("'timeout' {e}")),
                },
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
                for element in elements.iter() {
                    let entry = ctx.str(Item::element(element))?.to_ascii_lowercase();
                    if entry.len() != 64 || !entry.bytes().all(|b| b.is_ascii_hexdigit()) {
                        let message = format!(
                            "error parsing tls config, 'pinned_certs' key {entry} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo"
                        );
                        return ctx.fail(&element.pos, message);
                    }
                    block.pinned_certs.push(entry);
                }
            }
            // Newer than 2.9.10: accepted as the newer servers accept them.
            "certs" | "certificates" => block.certs = certificates(ctx, it)?,
            "handshake_first" | "first" | "immediate" => block.handshake_first = handshake_first(ctx, it, &entry.key)?,
            "min_version" => block.min_version = Some(ctx.str(it)?.to_string()),
            "cert_store" | "cert_match_by" | "cert_match" => {
                ctx.str(it)?;
                block.unsupported.push(key.clone());
            }
            "ca_certs_match" => {
                ctx.string_list("ca_certs_match", it)?;
                block.unsupported.push(key.clone());
            }
            "ocsp_peer" => {
                if !matches!(it.value, Value::Bool(_) | Value::Map(_)) {
                    return fail(ctx, "'ocsp_peer' wrong type");
                }
                block.unsupported.push(key.clone());
            }
            _ => return fail(ctx, &format!("unknown field [{:?}]", entry.key)),
        }
    }
    Ok(block)
}

/// `handshake_first` (newer than 2.9.10): `true`/"on" for TLS before INFO, "auto" or a
/// duration for TLS first with a plaintext fallback after that delay. `None`: off.
fn handshake_first(ctx: &mut Ctx, item: Item<'_>, key: &str) -> Step<Option<Duration>> {
    match item.value {
        Value::Bool(on) => Ok(on.then_some(Duration::ZERO)),
        Value::String(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "on" => Ok(Some(Duration::ZERO)),
            "false" | "off" => Ok(None),
            "auto" | "auto_fallback" => Ok(Some(DEFAULT_HANDSHAKE_FIRST_FALLBACK)),
            _ => match parse_go_duration(text) {
                Ok(nanos) if nanos > 0 => Ok(Some(Duration::from_nanos(nanos as u64))),
                _ => ctx.fail(item.pos, format!("field {key:?}'s value {text:?} is invalid")),
            },
        },
        _ => ctx.fail(item.pos, format!("field {key:?} should be a boolean or a string")),
    }
}

/// nats-server's fallback delay for `handshake_first: auto`.
const DEFAULT_HANDSHAKE_FIRST_FALLBACK: Duration = Duration::from_millis(50);

/// `certs = [ {cert_file, key_file}, ... ]` (newer than 2.9.10).
fn certificates(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<(PathBuf, PathBuf)>> {
    let mut pairs = Vec::new();
    for element in ctx.array(item)? {
        let pair = ctx.map(Item::element(element))?;
        let mut cert = String::new();
        let mut key = String::new();
        for entry in pair.iter() {
            let it = Item::entry(entry);
            match entry.key.to_ascii_lowercase().as_str() {
                "cert_file" => cert = ctx.str(it)?.to_string(),
                "key_file" => key = ctx.str(it)?.to_string(),
                _ => return ctx.fail(it.pos, format!("error parsing tls certs config, unknown field {:?}", entry.key)),
            }
        }
        if cert.is_empty() || key.is_empty() {
            return ctx.fail(
                &element.pos,
                "error parsing certificates config: both 'cert_file' and 'key_file' options are required",
            );
        }
        pairs.push((cert.into(), key.into()));
    }
    Ok(pairs)
}

/// Cases checked against nats-server 2.9.10 (`nats-server -t`): the expected texts are its
/// output for the same file.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    /// nats-server 2.15.1 (and 2.9.10) read the files while reading the configuration and
    /// report an unreadable one at the `tls` key.
    #[test]
    fn unreadable_files_are_reported_at_the_block() {
        let missing = "open missing.pem: no such file or directory";
        assert_eq!(
            first_error("\ntls { cert_file: \"missing.pem\", key_file: \"a.key\" }\n"),
            format!("test.conf:2:1: error parsing X509 certificate/key pair: {missing}")
        );
        assert_eq!(
            first_error("\ntls { cert_file: \"a.pem\", key_file: \"missing.pem\", ca_file: \"missing-ca.pem\" }\n"),
            format!("test.conf:2:1: error parsing X509 certificate/key pair: {missing}"),
            "the pair first"
        );
        assert_eq!(
            first_error("\ntls { cert_file: \"a.pem\", key_file: \"a.key\", ca_file: \"missing.pem\" }\n"),
            format!("test.conf:2:1: {missing}")
        );
        assert_eq!(
            first_error(
                "\nleafnodes {\n  port: -1\n  tls {\n    cert_file: \"missing.pem\"\n    key_file: \"a.key\"\n  }\n}\n"
            ),
            format!("test.conf:4:3: error parsing X509 certificate/key pair: {missing}")
        );
        assert_eq!(
            first_error("\ntls { certs = [ {cert_file: \"a.pem\", key_file: \"a.key\"}, {cert_file: \"missing.pem\", key_file: \"b.key\"} ] }\n"),
            format!("test.conf:2:1: error parsing X509 certificate/key pair 2/2: {missing}")
        );
        assert_eq!(
            first_error("\ntls { cert_file: \"/\", key_file: \"a.key\" }\n"),
            "test.conf:2:1: error parsing X509 certificate/key pair: read /: is a directory"
        );
    }

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
    fn the_block_is_captured() {
        let o = options(
            "\ntls { cert_file: \"a.pem\", key_file: \"a.key\", ca_file: \"ca.pem\", verify_and_map: true, timeout: 0.5,\n\
             cipher_suites: [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"], handshake_first: \"300ms\" }\nallow_non_tls: true\n",
        );
        let tls = o.tls.expect("tls");
        assert_eq!(tls.cert_file.as_deref(), Some(std::path::Path::new("a.pem")));
        assert_eq!(tls.ca_file.as_deref(), Some(std::path::Path::new("ca.pem")));
        assert!(tls.verify && tls.map_users);
        assert_eq!(tls.timeout, std::time::Duration::from_millis(500));
        assert_eq!(tls.cipher_suites, ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        assert_eq!(tls.handshake_first, Some(std::time::Duration::from_millis(300)));
        assert!(o.allow_non_tls);
        assert!(warnings("\ntls { cert_file: \"a.pem\", key_file: \"a.key\", verify: true }\n").is_empty());
        assert_eq!(
            options("\ntls { handshake_first: true }\n").tls.expect("tls").handshake_first,
            Some(Default::default())
        );
        assert_eq!(options("\ntls { handshake_first: \"off\" }\n").tls.expect("tls").handshake_first, None);
        assert_eq!(
            first_error("\ntls { handshake_first: \"sometimes\" }\n"),
            r#"test.conf:2:7: field "handshake_first"'s value "sometimes" is invalid"#
        );
    }
}
