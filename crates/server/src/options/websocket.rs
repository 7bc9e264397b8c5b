//! `websocket`: checked as nats-server's `parseWebsocket`; rnats has no websocket listener
//! yet.

use rnats_conf::Value;

use super::auth::simple_auth;
use super::check::{go_type, Ctx, Item, Shape, Step};
use super::duration::{any_duration, parse_go_duration};
use super::facts::Endpoint;
use super::facts::Listener;
use super::listen::listener_section;
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[
    ("advertise", Shape::Str),
    ("user_cookie", Shape::Str),
    ("pass_cookie", Shape::Str),
    ("token_cookie", Shape::Str),
];

/// nats-server's `parseWebsocket`. What the start checks need goes to `ctx.facts.websocket`.
pub(crate) fn websocket(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected websocket to be a map, got {}", go_type(item.value)));
    };
    let mut facts = Listener { pos: Some(item.pos.clone()), ..Listener::default() };
    let mut endpoint = Endpoint::default();
    let step = listener_section(ctx, fields, FIELDS, &mut endpoint, &mut |ctx, key, entry| {
        let it = Item::entry(entry);
        match key {
            "no_tls" => facts.no_tls = ctx.bool(it)?,
            "same_origin" | "compress" | "compression" => {
                ctx.bool(it)?;
            }
            "tls" => facts.tls |= tls_section(ctx, it, true).is_ok(),
            "allowed_origins" | "allowed_origin" | "allow_origins" | "allow_origin" | "origins" | "origin" => {
                facts.origins = ctx.string_list("allowed origins", it).unwrap_or_default();
            }
            "handshake_timeout" => match it.value {
                Value::Integer(_) => {}
                Value::String(text) => {
                    if let Err(e) = parse_go_duration(text) {
                        ctx.error(it.pos, e);
                    }
                }
                other => {
                    let message = format!("error parsing handshake timeout: unsupported type {}", go_type(other));
                    ctx.error(it.pos, message);
                }
            },
            "authorization" | "authentication" => (facts.username, facts.token) = simple_auth(ctx, it)?,
            "jwt_cookie" => facts.jwt_cookie = ctx.str(it)?.to_string(),
            "no_auth_user" => facts.no_auth_user = ctx.str(it)?.to_string(),
            "headers" => facts.headers = headers(ctx, it),
            "ping_interval" => {
                any_duration(ctx, "ping_interval", it)?;
            }
            _ => ctx.unknown_field(entry),
        }
        Ok(())
    });
    facts.endpoint = endpoint;
    ctx.facts.websocket = Some(facts);
    step
}

/// `headers { name: value }`: the names.
fn headers(ctx: &mut Ctx, item: Item<'_>) -> Vec<String> {
    let Value::Map(fields) = item.value else {
        ctx.error(item.pos, format!("error parsing headers: unsupported type {}", go_type(item.value)));
        return Vec::new();
    };
    let mut names = Vec::new();
    for entry in fields.iter() {
        match &entry.value.value {
            Value::String(_) => names.push(entry.key.clone()),
            other => {
                let message = format!("error parsing header key {}: unsupported type {}", entry.key, go_type(other));
                ctx.error(&entry.key_pos, message);
            }
        }
    }
    names
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options("\nwebsocket { port: 8080, no_tls: true, same_origin: true, allowed_origins: [\"http://a\"], handshake_timeout: \"2s\", compression: true, authorization { user: a, password: b, timeout: 2 }, user_cookie: c }\n");
        assert_eq!(
            first_error("\nwebsocket { port: 8080, no_tls: true, no_auth_user: a }\n"),
            r#"test.conf:2:1: no_auth_user: "a" present, but users/nkeys are not defined"#
        );
        assert_eq!(
            first_error("\nwebsocket { port: 8080, no_tls: true, jwt_cookie: c }\n"),
            r#"test.conf:2:1: trusted operators or trusted keys configuration is required for JWT authentication via cookie "c""#
        );
        options("\nws { listen: \"127.0.0.1:8080\", no_tls: true, handshake_timeout: 5 }\n");
        assert_eq!(first_error("\nwebsocket = 5\n"), r#"test.conf:2:1: Expected websocket to be a map, got int64"#);
        assert_eq!(
            first_error("\nwebsocket { foo: 1, authorization { bar: 1 } }\n"),
            r#"test.conf:2:13: unknown field "foo""#
        );
        assert_eq!(
            first_error("\nwebsocket { handshake_timeout: \"x\" }\n"),
            r#"test.conf:2:13: time: invalid duration "x""#
        );
        assert_eq!(
            first_error("\nwebsocket { handshake_timeout: true }\n"),
            r#"test.conf:2:13: error parsing handshake timeout: unsupported type bool"#
        );
        assert_eq!(
            first_error("\nwebsocket { allowed_origins: 5 }\n"),
            r#"test.conf:2:13: error parsing allowed origins: unsupported type int64"#
        );
        assert_eq!(
            first_error("\nwebsocket { port: \"x\" }\n"),
            r#"test.conf:2:13: interface conversion: interface {} is string, not int64"#
        );
    }
}
