//! The `tls` fields added after nats-server 2.9, as 2.15.1 reads them: several certificates
//! chosen by server name (`certs`), TLS before INFO (`handshake_first`), OCSP checks of peers
//! (`ocsp_peer`) and the Windows certificate store (`cert_store` and its matchers, refused on
//! other systems as nats-server refuses them).

use std::path::PathBuf;
use std::time::Duration;

use rnats_conf::Value;

use super::check::{go_type, Ctx, Item, Step};
use super::duration::parse_go_duration;

/// nats-server prints the type of the whole `tls` block where one of these fields has the
/// wrong type, which is always a map.
const BLOCK_TYPE: &str = "map[string]interface {}";

/// `certs = [ {cert_file, key_file}, ... ]`: the pairs in order.
pub(crate) fn certificates(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<(PathBuf, PathBuf)>> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("error parsing certificates config: unsupported type {BLOCK_TYPE}"));
    };
    let mut pairs = Vec::with_capacity(elements.len());
    for element in elements.iter() {
        let Value::Map(pair) = &element.value else {
            let found = go_type(&element.value);
            return ctx.fail(&element.pos, format!("error parsing certificates config: unsupported type {found}"));
        };
        let (mut cert, mut key) = (String::new(), String::new());
        // Go reports a missing half at the last field it read.
        let mut last = &element.pos;
        for entry in pair.iter() {
            last = &entry.key_pos;
            let Value::String(file) = &entry.value.value else {
                let found = go_type(&entry.value.value);
                return ctx.fail(last, format!("error parsing certificates config: unsupported type {found}"));
            };
            // Matched as written: nats-server does not fold the case of these two.
            match entry.key.as_str() {
                "cert_file" => cert = file.clone(),
                "key_file" => key = file.clone(),
                other => return ctx.fail(last, format!("error parsing tls certs config, unknown field {other:?}")),
            }
        }
        if cert.is_empty() || key.is_empty() {
            let message = "error parsing certificates config: both 'cert_file' and 'cert_key' options are required";
            return ctx.fail(last, message);
        }
        pairs.push((cert.into(), key.into()));
    }
    Ok(pairs)
}

/// `handshake_first`: `true`/"on" for TLS before INFO, "auto" or a duration for TLS first with
/// a plaintext fallback after that delay (none for a delay of zero or less). `None`: off.
pub(crate) fn handshake_first(ctx: &mut Ctx, item: Item<'_>, key: &str) -> Step<Option<Duration>> {
    match item.value {
        Value::Bool(on) => Ok(on.then_some(Duration::ZERO)),
        Value::String(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "on" => Ok(Some(Duration::ZERO)),
            "false" | "off" => Ok(None),
            "auto" | "auto_fallback" => Ok(Some(DEFAULT_HANDSHAKE_FIRST_FALLBACK)),
            _ => match parse_go_duration(text) {
                Ok(nanos) => Ok(Some(Duration::from_nanos(u64::try_from(nanos).unwrap_or(0)))),
                Err(_) => ctx.fail(item.pos, format!("field {key:?}'s value {text:?} is invalid")),
            },
        },
        other => ctx.fail(item.pos, format!("field {key:?} should be a boolean or a string, got {}", go_type(other))),
    }
}

/// nats-server's fallback delay for `handshake_first: auto`.
const DEFAULT_HANDSHAKE_FIRST_FALLBACK: Duration = Duration::from_millis(50);

/// `ocsp_peer`: `true`, or a map of options; returns whether peers' certificates are to be
/// checked with OCSP. A problem inside the map is reported at `ocsp_peer` with the inner
/// position in the text, as nats-server nests them.
pub(crate) fn ocsp_peer(ctx: &mut Ctx, item: Item<'_>) -> Step<bool> {
    let fields = match item.value {
        Value::Bool(on) => return Ok(*on),
        Value::Map(fields) => fields,
        _ => return ctx.fail(item.pos, format!("error parsing ocsp peer config: unsupported type {BLOCK_TYPE}")),
    };
    let mut verify = false;
    for entry in fields.iter() {
        let inner = &entry.key_pos;
        let field = entry.key.to_ascii_lowercase();
        let problem = match (field.as_str(), &entry.value.value) {
            ("verify", Value::Bool(on)) => {
                verify = *on;
                None
            }
            ("warn_only" | "unknown_is_good" | "allow_when_ca_unreachable", Value::Bool(_)) => None,
            ("allowed_clockskew" | "ca_timeout" | "cache_ttl_when_next_update_unset", value) => match value {
                Value::Integer(_) | Value::Float(_) => None,
                Value::String(text) => match parse_go_duration(text) {
                    Ok(_) => None,
                    // Go words this one's failure differently from the other two.
                    Err(_) if field == "allowed_clockskew" => Some("conversion error: unexpected type".to_string()),
                    Err(e) => Some(format!("conversion error: {e}")),
                },
                _ => Some("conversion error: unexpected type".to_string()),
            },
            // A wrong type is reported as an unknown field, as nats-server does.
            _ => Some(format!("unknown field [{:?}]", entry.key)),
        };
        if let Some(problem) = problem {
            return ctx.fail(item.pos, format!("{inner}: error parsing tls peer config, {problem}"));
        }
    }
    Ok(verify)
}

/// The Windows certificate store fields. `cert_store` is refused here as nats-server refuses
/// it on any other system; the matchers alone do nothing there, so they only get a note.
pub(crate) fn cert_store(ctx: &mut Ctx, key: &str, item: Item<'_>) -> Step<()> {
    let non_empty = |ctx: &mut Ctx| match item.value {
        Value::String(text) if !text.is_empty() => Ok(text.to_ascii_lowercase()),
        _ => ctx.fail(item.pos, format!("expected '{key}' to be a valid non-empty string")),
    };
    match key {
        "cert_store" => {
            let store = non_empty(ctx)?;
            if matches!(store.as_str(), "windowscurrentuser" | "windowslocalmachine") {
                return ctx.fail(item.pos, "cert_store not compatible with current operating system");
            }
            return ctx.fail(item.pos, "cert store type not implemented");
        }
        "cert_match_by" => {
            if !matches!(non_empty(ctx)?.as_str(), "issuer" | "subject" | "thumbprint") {
                return ctx.fail(item.pos, "cert match by type not implemented");
            }
        }
        "cert_match" => {
            non_empty(ctx)?;
        }
        "cert_match_skip_invalid" => {
            if !matches!(item.value, Value::Bool(_)) {
                return ctx.fail(item.pos, "expected 'cert_match_skip_invalid' to be a boolean");
            }
        }
        // ca_certs_match: strings; nats-server lets any other single value pass.
        _ => {
            if let Value::Array(elements) = item.value {
                if elements.iter().any(|e| !matches!(e.value, Value::String(_))) {
                    let message = "error parsing ca_cert_match: unsupported type *conf.token where string is expected";
                    return ctx.fail(item.pos, message);
                }
            }
        }
    }
    ctx.note(item.pos, format!("tls {key} is not active without cert_store; the setting is ignored"));
    Ok(())
}
