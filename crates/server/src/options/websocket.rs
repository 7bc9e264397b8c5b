//! `websocket`: checked as nats-server's `parseWebsocket`; rnats has no websocket listener
//! yet.

use rnats_conf::Value;

use super::auth::simple_auth;
use super::check::{go_type, plain_field, Ctx, Item, Shape, Step, LISTENER};
use super::duration::{duration_field, parse_go_duration};
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("advertise", Shape::Str), ("jwt_cookie", Shape::Str), ("no_auth_user", Shape::Str)];

/// nats-server's `parseWebsocket`.
pub(crate) fn websocket(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected websocket to be a map, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        if let Some(step) = plain_field(ctx, &[LISTENER, FIELDS], &key, it) {
            step?;
            continue;
        }
        match key.as_str() {
            "no_tls" | "same_origin" | "compress" | "compression" => {
                ctx.bool(it)?;
            }
            "tls" => {
                let _ = tls_section(ctx, it, true);
            }
            "allowed_origins" | "allowed_origin" | "allow_origins" | "allow_origin" | "origins" | "origin" => {
                let _ = ctx.string_list("allowed origins", it);
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
            "authorization" | "authentication" => simple_auth(ctx, it)?,
            // Newer than 2.9.10.
            "user_cookie" | "pass_cookie" | "token_cookie" => {
                ctx.str(it)?;
            }
            "headers" => {
                ctx.map(it)?;
            }
            "ping_interval" => {
                duration_field(ctx, "ping_interval", it)?;
            }
            _ => ctx.unknown_field(entry),
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
        options("\nwebsocket { port: 8080, no_tls: true, same_origin: true, allowed_origins: [\"http://a\"], handshake_timeout: \"2s\", compression: true, authorization { user: a, password: b, timeout: 2 }, jwt_cookie: c, no_auth_user: a }\n");
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
