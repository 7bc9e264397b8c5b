//! `jetstream`: checked as nats-server's `parseJetStream`; rnats has no JetStream yet.

use rnats_conf::Value;

use super::check::{go_display, go_type, Ctx, Item, Step};
use super::duration::{any_duration, parse_go_duration};
use super::listen::go_atoi;

/// nats-server's `parseJetStream`: a boolean, `"enabled"`/`"disabled"`, or settings. Whether
/// it is enabled and its domain go to `ctx.facts`.
pub(crate) fn jetstream(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let fields = match item.value {
        Value::Bool(on) => {
            ctx.facts.jetstream = *on;
            return Ok(());
        }
        Value::String(s) => {
            return match s.to_ascii_lowercase().as_str() {
                "enabled" | "enable" => {
                    ctx.facts.jetstream = true;
                    Ok(())
                }
                "disabled" | "disable" => Ok(()),
                _ => ctx.fail(item.pos, format!("Expected 'enabled' or 'disabled' for string value, got '{s}'")),
            };
        }
        Value::Map(fields) => fields,
        other => {
            return ctx
                .fail(item.pos, format!("Expected map, bool or string to define JetStream, got {}", go_type(other)))
        }
    };
    let mut enabled = true;
    for entry in fields.iter() {
        let it = Item::entry(entry);
        // nats-server's parseJetStream has no recovery of its own: a wrong type is reported
        // at the `jetstream` key.
        let typed = Item { pos: item.pos, value: it.value };
        let key = entry.key.to_ascii_lowercase();
        let sized = |ctx: &mut Ctx, shown: &str| match storage_size(it.value) {
            Ok(n) => Ok(n),
            Err(e) => ctx.fail(it.pos, format!("{shown} {e}")),
        };
        let integer = |ctx: &mut Ctx| match it.value {
            Value::Integer(n) => Ok(*n),
            other => {
                let shown = go_display(other);
                ctx.fail(it.pos, format!("Expected a parseable size for {:?}, got {shown}", entry.key))
            }
        };
        match key.as_str() {
            "strict" => {
                if !matches!(it.value, Value::Bool(_)) {
                    let shown = go_s(it.value);
                    return ctx.fail(it.pos, format!("Expected 'true' or 'false' for bool value, got '{shown}'"));
                }
            }
            "store" | "store_dir" | "storedir" => {
                if ctx.store_dir_set {
                    return ctx.fail(it.pos, "Duplicate 'store_dir' configuration");
                }
                ctx.str(typed)?;
                ctx.store_dir_set = true;
            }
            "sync" | "sync_interval" => {
                if !matches!(it.value, Value::String(s) if s.eq_ignore_ascii_case("always")) {
                    any_duration(ctx, &entry.key, it)?;
                }
            }
            "max_memory_store" | "max_mem_store" | "max_mem" => {
                sized(ctx, "max_mem_store")?;
            }
            "max_file_store" | "max_file" => {
                sized(ctx, "max_file_store")?;
            }
            "domain" => {
                let domain = ctx.str(typed)?;
                ctx.facts.jetstream_domain = (!domain.is_empty()).then(|| (domain.to_string(), it.pos.clone()));
            }
            "enable" | "enabled" => enabled = ctx.bool(typed)?,
            "key"
            | "ek"
            | "encryption_key"
            | "prev_key"
            | "prev_ek"
            | "prev_encryption_key"
            | "extension_hint"
            | "unique_tag" => {
                ctx.str(typed)?;
            }
            "cipher" => cipher(ctx, typed, it.pos)?,
            "limits" => limits(ctx, it)?,
            "tpm" => {
                tpm(ctx, it)?;
                ctx.facts.jetstream_tpm = Some(it.pos.clone());
            }
            "max_outstanding_catchup" | "max_buffered_size" => {
                sized(ctx, &key)?;
            }
            "max_buffered_msgs" | "request_queue_limit" | "info_queue_limit" => {
                integer(ctx)?;
            }
            "meta_compact" | "meta_compact_size" => {
                let size = if key == "meta_compact" { integer(ctx).ok() } else { Some(sized(ctx, &key)?) };
                if size.is_none_or(|n| n < 0) {
                    let shown = go_display(it.value);
                    return ctx.fail(it.pos, format!("Expected an absolute size for {:?}, got {shown}", entry.key));
                }
            }
            "meta_compact_sync" => {
                ctx.bool(typed)?;
            }
            "max_concurrent_io" => {
                if !matches!(it.value, Value::Integer(n) if (4..=8192).contains(n)) {
                    let shown = go_display(it.value);
                    let message =
                        format!("Expected an absolute size for {:?} between 4 and 8192, got {shown}", entry.key);
                    return ctx.fail(it.pos, message);
                }
            }
            _ => ctx.unknown_field(entry),
        }
    }
    ctx.facts.jetstream = enabled;
    Ok(())
}

/// The encryption `cipher`: ChaCha20-Poly1305 or AES.
fn cipher(ctx: &mut Ctx, typed: Item<'_>, pos: &rnats_conf::Pos) -> Step<()> {
    let cipher = ctx.str(typed)?;
    if !matches!(cipher.to_ascii_lowercase().as_str(), "chacha" | "chachapoly" | "aes") {
        return ctx.fail(pos, format!("Unknown cipher type: {cipher:?}"));
    }
    Ok(())
}

/// `limits { max_ack_pending, max_ha_assets, max_request_batch, duplicate_window, batch }`.
fn limits(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected a map to define JetStreamLimits, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "max_ack_pending" | "max_ha_assets" | "max_request_batch" => {
                ctx.int(it)?;
            }
            "duplicate_window" => unplaced_duration(ctx, it)?,
            "batch" => batch(ctx, it)?,
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(())
}

/// `limits { batch { max_inflight_per_stream, max_inflight_total, max_msgs, timeout } }`.
fn batch(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected a map to define batch limits, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "max_inflight_per_stream" | "max_inflight_total" | "max_msgs" => {
                ctx.int(it)?;
            }
            "timeout" => unplaced_duration(ctx, it)?,
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(())
}

/// A duration string whose error nats-server reports bare, without a position.
fn unplaced_duration(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    if let Err(e) = parse_go_duration(ctx.str(item)?) {
        ctx.error_unplaced(e);
    }
    Ok(())
}

/// `tpm { keys_file, encryption_password, srk_password, pcr, cipher }`.
fn tpm(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected a map to define JetStreamLimits, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "keys_file" | "encryption_password" | "srk_password" => {
                ctx.str(it)?;
            }
            "pcr" => {
                ctx.int(it)?;
            }
            "cipher" => cipher(ctx, it, it.pos)?,
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(())
}

/// A value as Go's `%s` prints it.
fn go_s(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Integer(n) => format!("%!s(int64={n})"),
        Value::Float(f) => format!("%!s(float64={})", super::check::go_float(*f)),
        Value::Bool(b) => format!("%!s(bool={b})"),
        other => go_display(other),
    }
}

/// nats-server's `getStorageSize`: an integer, or a string like `"10G"` (K, M, G, T).
fn storage_size(value: &Value) -> Result<i64, String> {
    let s = match value {
        Value::Integer(n) => return Ok(*n),
        Value::String(s) => s,
        _ => return Err("must be int64 or string".into()),
    };
    if s.is_empty() {
        return Ok(0);
    }
    let Some(suffix) = s.chars().last() else {
        return Ok(0);
    };
    let prefix = &s[..s.len() - suffix.len_utf8()];
    let number = go_atoi(prefix).ok_or_else(|| format!("strconv.ParseInt: parsing {prefix:?}: invalid syntax"))?;
    let shift = match suffix {
        'K' => 10,
        'M' => 20,
        'G' => 30,
        'T' => 40,
        _ => return Err("sizes defined as strings must end in K, M, G, T".into()),
    };
    Ok(number.wrapping_mul(1 << shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_sizes() {
        assert_eq!(storage_size(&Value::Integer(5)), Ok(5));
        assert_eq!(storage_size(&Value::String("10G".into())), Ok(10 << 30));
        assert_eq!(storage_size(&Value::String(String::new())), Ok(0));
        assert_eq!(
            storage_size(&Value::String("5X".into())),
            Err("sizes defined as strings must end in K, M, G, T".into())
        );
        assert_eq!(
            storage_size(&Value::String("abcK".into())),
            Err(r#"strconv.ParseInt: parsing "abc": invalid syntax"#.into())
        );
        assert_eq!(storage_size(&Value::Bool(true)), Err("must be int64 or string".into()));
    }
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options(
            "\njetstream { store_dir: \"/tmp/js\", max_memory_store: 1GB, max_file_store: \"10G\", domain: hub }\n",
        );
        options("\njetstream: enabled\n");
        options("\njetstream: false\n");
        assert_eq!(
            first_error("\njetstream = \"foo\"\n"),
            r#"test.conf:2:1: Expected 'enabled' or 'disabled' for string value, got 'foo'"#
        );
        assert_eq!(
            first_error("\njetstream = 5\n"),
            r#"test.conf:2:1: Expected map, bool or string to define JetStream, got int64"#
        );
        assert_eq!(
            first_error("\njetstream { max_mem: \"5X\", foo: 1 }\n"),
            r#"test.conf:2:13: max_mem_store sizes defined as strings must end in K, M, G, T"#
        );
        assert_eq!(
            first_error("\njetstream { max_file: \"abcK\" }\n"),
            r#"test.conf:2:13: max_file_store strconv.ParseInt: parsing "abc": invalid syntax"#
        );
        assert_eq!(
            first_error("\nstore_dir = \"/tmp/a\"\njetstream { store_dir: \"/tmp/b\" }\n"),
            r#"test.conf:3:13: Duplicate 'store_dir' configuration"#
        );
        assert_eq!(first_error("\njetstream { foo: 1, bar: 2 }\n"), r#"test.conf:2:13: unknown field "foo""#);
        assert_eq!(
            first_error("\njetstream { store_dir: 5 }\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not string"#
        );
        assert_eq!(
            first_error("\njetstream { enabled: \"x\" }\n"),
            r#"test.conf:2:1: interface conversion: interface {} is string, not bool"#
        );
    }
}

/// The settings nats-server 2.9 added, checked against nats-server 2.9.10.
#[cfg(test)]
mod nats_server_2_9_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        assert_eq!(
            first_error("\njetstream { limits: 1 }\n"),
            r#"test.conf:2:13: Expected a map to define JetStreamLimits, got int64"#
        );
        assert_eq!(
            first_error("\njetstream { limits: { max_ha_assets: 1, max_request_batch: 1, foo: 1 } }\n"),
            r#"test.conf:2:63: unknown field "foo""#
        );
        assert_eq!(
            first_error("\njetstream { unique_tag: 1 }\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not string"#
        );
        assert_eq!(
            first_error("\njetstream { max_outstanding_catchup: \"x\" }\n"),
            r#"test.conf:2:13: max_outstanding_catchup strconv.ParseInt: parsing "": invalid syntax"#
        );
        assert_eq!(
            first_error("\njetstream { cipher: 1 }\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not string"#
        );
        assert_eq!(first_error("\njetstream { cipher: \"foo\" }\n"), r#"test.conf:2:13: Unknown cipher type: "foo""#);
        options("\njetstream { cipher: \"chacha\", unique_tag: \"az\", max_outstanding_catchup: 64MB, limits: { max_ha_assets: 10 } }\n");
    }
}
