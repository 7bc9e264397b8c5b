//! Smaller settings rnats only validates: URLs, `ocsp`, lame duck timing, server tags,
//! `default_js_domain` and the generic shapes of newer keys.

use std::time::Duration;

use rnats_conf::Value;

use super::check::{go_type, Ctx, Item, Step};
use super::duration::{format_go_duration, parse_go_duration};
use super::go_url::ServerUrl;
use crate::errors::go_quote;

/// nats-server's `parseURLs`: an array of URL strings (`kind`: "route", "gateway", ...), each
/// parsed once (a repeated one is skipped with a warning). Bad URLs are reported each; a value
/// that is not an array aborts the caller's block, a wrong element type only the list.
pub(crate) fn urls(ctx: &mut Ctx, kind: &str, item: Item<'_>) -> Step<Vec<ServerUrl>> {
    let elements = ctx.array(item)?;
    let mut parsed = Vec::with_capacity(elements.len());
    ctx.section(|ctx| {
        for (i, element) in elements.iter().enumerate() {
            let it = Item::element(element);
            let repeated = elements[..i].iter().any(|e| e.value == element.value);
            if let (true, Value::String(text)) = (repeated, &element.value) {
                ctx.go_warning(it.pos, text, format!("Duplicate {kind} entry detected"));
                continue;
            }
            parsed.extend(url(ctx, kind, it)?);
        }
        Ok(())
    });
    Ok(parsed)
}

/// One URL string (nats-server's `parseURL`: trimmed, then Go's `url.Parse`); `None` when it
/// does not parse (reported).
pub(crate) fn url(ctx: &mut Ctx, kind: &str, item: Item<'_>) -> Step<Option<ServerUrl>> {
    let text = ctx.str(item)?.trim();
    let parsed = ServerUrl::parse(text).ok();
    if parsed.is_none() {
        ctx.error(item.pos, format!("error parsing {kind} url [{}]", go_quote(text.as_bytes())));
    }
    Ok(parsed)
}

/// `ocsp`: a boolean or `{mode, url(s)}`.
pub(crate) fn ocsp(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    match item.value {
        Value::Bool(_) => Ok(()),
        Value::Map(fields) => {
            for entry in fields.iter() {
                let it = Item::entry(entry);
                // nats-server matches these keys case-sensitively and prints `%T` where it
                // means the value: its messages say "string".
                match entry.key.as_str() {
                    "mode" => {
                        let mode = ctx.str(it)?;
                        if !["always", "must", "never", "auto"].iter().any(|m| m.eq_ignore_ascii_case(mode)) {
                            ctx.error(it.pos, "error parsing ocsp config: unsupported ocsp mode string");
                        }
                    }
                    // nats-server asserts a list of strings, which a configuration never holds.
                    "urls" => {
                        let found = go_type(it.value);
                        return ctx
                            .fail(item.pos, format!("interface conversion: interface {{}} is {found}, not []string"));
                    }
                    "url" => {
                        ctx.str(it)?;
                    }
                    _ => return ctx.fail(it.pos, "error parsing ocsp config: unsupported field string"),
                }
            }
            Ok(())
        }
        other => ctx.fail(item.pos, format!("error parsing ocsp config: unsupported type {}", go_type(other))),
    }
}

/// `lame_duck_duration`: a duration of at least 30 seconds.
pub(crate) fn lame_duck_duration(ctx: &mut Ctx, item: Item<'_>) -> Step<Duration> {
    let text = ctx.str(item)?;
    match parse_go_duration(text) {
        Err(e) => ctx.fail(item.pos, format!("error parsing lame_duck_duration: {e}")),
        Ok(nanos) if nanos < 30_000_000_000 => {
            let shown = format_go_duration(nanos);
            ctx.fail(item.pos, format!("invalid lame_duck_duration of {shown}, minimum is 30 seconds"))
        }
        Ok(nanos) => Ok(Duration::from_nanos(nanos.unsigned_abs())),
    }
}

/// `lame_duck_grace_period`: a duration, not negative.
pub(crate) fn lame_duck_grace_period(ctx: &mut Ctx, item: Item<'_>) -> Step<Duration> {
    let text = ctx.str(item)?;
    match parse_go_duration(text) {
        Err(e) => ctx.fail(item.pos, format!("error parsing lame_duck_grace_period: {e}")),
        Ok(nanos) if nanos < 0 => ctx.fail(item.pos, "invalid lame_duck_grace_period, needs to be positive"),
        Ok(nanos) => Ok(Duration::from_nanos(nanos.unsigned_abs())),
    }
}

/// `server_tags`: a string or strings.
pub(crate) fn server_tags(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    match item.value {
        Value::String(_) => Ok(()),
        Value::Array(elements) => {
            if elements.iter().any(|e| !matches!(e.value, Value::String(_))) {
                return ctx.fail(item.pos, "error parsing tags: unsupported type *conf.token where string is expected");
            }
            Ok(())
        }
        other => ctx.fail(item.pos, format!("error parsing tags: unsupported type {}", go_type(other))),
    }
}

/// `default_js_domain`: account name to domain.
pub(crate) fn default_js_domain(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("error default_js_domain config: unsupported type {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        // nats-server reports a wrong type at the `default_js_domain` key.
        let domain = ctx.str(Item { pos: item.pos, value: &entry.value.value })?;
        ctx.facts.default_js_domain.push((entry.key.clone(), domain.to_string(), entry.key_pos.clone()));
    }
    Ok(())
}

/// `server_metadata`: a map of strings.
pub(crate) fn server_metadata(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("error parsing metadata: unsupported type {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        ctx.str(Item::entry(entry))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_as_go_parses_them() {
        let parses = |text: &str| ServerUrl::parse(text).is_ok();
        for ok in [
            "nats-route://foo:bar@127.0.0.1:4245",
            "nats://127.0.0.1:4222",
            "nats://[::1]:4222",
            "ws://host/path?x=1",
            "tls://a",
            "localhost",
            "/just/a/path",
        ] {
            assert!(parses(ok), "{ok}");
        }
        for bad in ["x y://", "nats://a:xx", ":4222", "nats://a\u{1}b", "nats://h/%zz", "nats://h/%4"] {
            assert!(!parses(bad), "{bad}");
        }
        // A scheme and no "//": an opaque URL, accepted.
        assert!(parses("a:b/c:d"));
    }
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        assert_eq!(
            first_error("\nlame_duck_duration = \"10s\"\n"),
            r#"test.conf:2:1: invalid lame_duck_duration of 10s, minimum is 30 seconds"#
        );
        assert_eq!(
            first_error("\nlame_duck_duration = 5\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not string"#
        );
        assert_eq!(
            first_error("\nlame_duck_duration = \"x\"\n"),
            r#"test.conf:2:1: error parsing lame_duck_duration: time: invalid duration "x""#
        );
        assert_eq!(
            first_error("\nlame_duck_grace_period = \"-1s\"\n"),
            r#"test.conf:2:1: invalid lame_duck_grace_period, needs to be positive"#
        );
        assert_eq!(
            first_error("\nlame_duck_grace_period = \"x\"\n"),
            r#"test.conf:2:1: error parsing lame_duck_grace_period: time: invalid duration "x""#
        );
        options("\nserver_tags = \"a\"\n");
        assert_eq!(first_error("\nserver_tags = 5\n"), r#"test.conf:2:1: error parsing tags: unsupported type int64"#);
        assert_eq!(
            first_error("\ndefault_js_domain = 5\n"),
            r#"test.conf:2:1: error default_js_domain config: unsupported type int64"#
        );
        assert_eq!(
            first_error("\ndefault_js_domain = { A: 5 }\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not string"#
        );
        assert_eq!(first_error("\nmax_sub_tokens = 0\n"), r#"test.conf:2:1: max_sub_tokens value can not be negative"#);
        assert_eq!(first_error("\nmax_sub_tokens = 300\n"), r#"test.conf:2:1: max_sub_tokens value is too big"#);
        assert_eq!(
            first_error("\nocsp { mode: foo }\n"),
            r#"test.conf:2:8: error parsing ocsp config: unsupported ocsp mode string"#
        );
        assert_eq!(
            first_error("\nocsp { mode: always, foo: 1 }\n"),
            r#"test.conf:2:22: error parsing ocsp config: unsupported field string"#
        );
        assert_eq!(first_error("\nocsp: 5\n"), r#"test.conf:2:1: error parsing ocsp config: unsupported type int64"#);
        options("\nocsp { mode: must, url: \"http://x\" }\n");
        assert_eq!(first_error("\nhttp: \"x\"\n"), r#"test.conf:2:1: could not parse address string "x""#);
        assert_eq!(first_error("\nhttps: true\n"), r#"test.conf:2:1: expected port or host:port, got bool"#);
        assert_eq!(
            first_error("\nsyslog: \"x\"\n"),
            r#"test.conf:2:1: interface conversion: interface {} is string, not bool"#
        );
        assert_eq!(
            first_error("\nstore_dir: 5\n"),
            r#"test.conf:2:1: interface conversion: interface {} is int64, not string"#
        );
    }
}
