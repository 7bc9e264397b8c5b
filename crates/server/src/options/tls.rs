//! `tls` blocks (top level, cluster, gateway, leafnodes, websocket, mqtt, resolver): their
//! fields, cipher suite and curve names, checked as nats-server's `parseTLS` does, into a
//! [`TlsConfig`]. The files must be readable (`tls_files`); what is in them is checked when the
//! server starts (`crate::tls`).

use std::path::PathBuf;
use std::time::Duration;

use rnats_conf::Value;

use super::check::{go_display, Ctx, Item, Step};
use super::duration::parse_go_duration;
use super::TlsConfig;
use super::{tls_names, tls_newer};

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
    let mut allow_insecure = false;
    let mut insecure_suites = Vec::new();
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
            "insecure"
            | "verify"
            | "verify_and_map"
            | "verify_cert_and_check_known_urls"
            | "allow_insecure_cipher_suites" => {
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
                    "verify_cert_and_check_known_urls" => {
                        block.verify |= *on;
                        block.check_known_urls = *on;
                    }
                    "insecure" => block.insecure = *on,
                    _ => allow_insecure = *on,
                }
            }
            "cipher_suites" | "curve_preferences" => {
                let elements = ctx.array(it)?;
                if elements.is_empty() {
                    return fail(ctx, &format!("'{key}' cannot be empty"));
                }
                for element in elements {
                    let name = ctx.str(Item::element(element))?;
                    if key == "cipher_suites" {
                        let Some(insecure) = tls_names::cipher(name) else {
                            return ctx.fail(&element.pos, format!("unrecognized cipher {name}"));
                        };
                        if insecure {
                            insecure_suites.push(name.to_string());
                        }
                        block.cipher_suites.push(name.to_string());
                    } else {
                        if !tls_names::curve(name) {
                            return ctx.fail(&element.pos, format!("unrecognized curve preference {name}"));
                        }
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
            "min_version" => {
                let version = match it.value {
                    Value::String(text) => tls_names::min_version(text),
                    other => Err(format!("'min_version' wrong type: {}", go_display(other))),
                };
                match version {
                    Ok(version) => block.min_version = Some(version.to_string()),
                    Err(e) => return ctx.fail(it.pos, format!("error parsing tls config: {e}")),
                }
            }
            // Newer than 2.9.10.
            "certs" | "certificates" => block.certs = tls_newer::certificates(ctx, it)?,
            "handshake_first" | "first" | "immediate" => {
                block.handshake_first = tls_newer::handshake_first(ctx, it, &entry.key)?;
            }
            "ocsp_peer" => {
                if tls_newer::ocsp_peer(ctx, it)? {
                    block.unsupported.push(key.clone());
                }
            }
            "cert_store" | "cert_match_by" | "cert_match" | "cert_match_skip_invalid" | "ca_certs_match" => {
                tls_newer::cert_store(ctx, &key, it)?;
            }
            _ => return fail(ctx, &format!("unknown field {:?}", entry.key)),
        }
    }
    if !block.certs.is_empty() && block.cert_file.is_some() {
        return ctx.fail(item.pos, "error parsing tls config, cannot combine 'cert_file' option with 'certs' option");
    }
    if !allow_insecure && !insecure_suites.is_empty() {
        let message = format!(
            "insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: {}",
            insecure_suites.join(", ")
        );
        return ctx.fail(item.pos, message);
    }
    Ok(block)
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
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
            r#"test.conf:2:7: error parsing tls config, unknown field "foo""#
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
            "test.conf:2:18: error parsing certificates config: both 'cert_file' and 'cert_key' options are required"
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
