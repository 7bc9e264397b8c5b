//! Top-level settings added after nats-server 2.9, checked as 2.15.1 checks them: feature
//! flags, the write timeout policy, trusted proxies, the OCSP response cache.

use rnats_conf::Value;

use super::check::{go_type, Ctx, Item, Step};
use super::duration::parse_go_duration;

/// `feature_flags { name: bool }`.
pub(crate) fn feature_flags(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("error parsing feature flags: unsupported type {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        if !matches!(entry.value.value, Value::Bool(_)) {
            let found = go_type(&entry.value.value);
            let message = format!("error parsing feature flag {:?}: expected bool, got {found}", entry.key);
            return ctx.fail(&entry.key_pos, message);
        }
    }
    Ok(())
}

/// What to do with a connection whose write does not finish within its write deadline
/// (`write_timeout`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WriteTimeoutPolicy {
    /// Not set: the connection kind's own (clients are closed, routes, gateways and leaf
    /// nodes retry).
    #[default]
    Default,
    /// `close`.
    Close,
    /// `retry`.
    Retry,
}

/// `write_timeout` (top level, cluster, gateway, leafnodes); a wrong value is reported and
/// reads as not set, as in nats-server.
pub(crate) fn write_timeout(ctx: &mut Ctx, item: Item<'_>) -> Step<WriteTimeoutPolicy> {
    Ok(match ctx.str(item)? {
        "default" => WriteTimeoutPolicy::Default,
        "close" => WriteTimeoutPolicy::Close,
        "retry" => WriteTimeoutPolicy::Retry,
        _ => {
            ctx.error(item.pos, "write_timeout must be 'default', 'close' or 'retry'");
            WriteTimeoutPolicy::Default
        }
    })
}

/// `proxies { trusted: [ {key: <public nkey>} ] }`.
pub(crate) fn proxies(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("expected proxies to be a map/struct, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        if !entry.key.eq_ignore_ascii_case("trusted") {
            ctx.unknown_field(entry);
            continue;
        }
        let it = Item::entry(entry);
        let Value::Array(elements) = it.value else {
            let found = go_type(it.value);
            ctx.error(it.pos, format!("expected proxies' trusted field to be an array, got {found}"));
            continue;
        };
        ctx.section(|ctx| {
            for element in elements.iter() {
                let Value::Map(proxy) = &element.value else {
                    let found = go_type(&element.value);
                    ctx.error(&element.pos, format!("expected proxies' trusted entry to be a map/struct, got {found}"));
                    continue;
                };
                for field in proxy.iter() {
                    if !matches!(field.key.to_ascii_lowercase().as_str(), "key" | "public_key") {
                        ctx.unknown_field(field);
                        continue;
                    }
                    let key = ctx.str(Item::entry(field))?;
                    if nkeys::from_public_key(key).is_err() {
                        ctx.error(&field.key_pos, format!("invalid proxy key {key:?}"));
                    }
                }
            }
            Ok(())
        });
    }
    Ok(())
}

/// `ocsp_cache`: a boolean or `{type, local_store, preserve_revoked, save_interval}`.
pub(crate) fn ocsp_cache(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let fields = match item.value {
        Value::Bool(_) => return Ok(()),
        Value::Map(fields) => fields,
        // nats-server's message for this case names tags.
        other => return ctx.fail(item.pos, format!("error parsing tags: unsupported type {}", go_type(other))),
    };
    for entry in fields.iter() {
        let field = entry.key.to_ascii_lowercase();
        let unknown = || format!("error parsing OCSP peer cache config, unknown field [{:?}]", entry.key);
        let problem = match (field.as_str(), &entry.value.value) {
            ("type", Value::String(kind)) => (!matches!(kind.to_ascii_lowercase().as_str(), "none" | "local"))
                .then(|| format!("error parsing OCSP peer cache config, unknown type [{kind}]")),
            ("local_store", Value::String(_)) | ("preserve_revoked", Value::Bool(_)) => None,
            ("save_interval", Value::Integer(_) | Value::Float(_)) => None,
            ("save_interval", Value::String(text)) => {
                parse_go_duration(text).err().map(|e| format!("error parsing tls peer config, conversion error: {e}"))
            }
            ("save_interval", _) => {
                Some("error parsing OCSP peer cache config, conversion error: unexpected type".into())
            }
            _ => Some(unknown()),
        };
        if let Some(problem) = problem {
            return ctx.fail(&entry.key_pos, problem);
        }
    }
    Ok(())
}
