//! `cluster` (routes between servers): checked as nats-server's `parseCluster`; rnats does
//! not cluster yet.

use rnats_conf::Value;

use super::auth::{authorization, permissions};
use super::check::{go_type, plain_field, Ctx, Item, Shape, Step, LISTENER};
use super::duration::duration_field;
use super::misc::urls;
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[
    ("name", Shape::Str),
    ("cluster_advertise", Shape::Str),
    ("advertise", Shape::Str),
    ("connect_retries", Shape::Int),
];

/// nats-server's `parseCluster`. A wrong value type ends the block, as in nats-server.
pub(crate) fn cluster(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected map to define cluster, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        if let Some(step) = plain_field(ctx, &[LISTENER, FIELDS], &key, it) {
            step?;
            continue;
        }
        match key.as_str() {
            "authorization" => {
                let Ok(auth) = authorization(ctx, it) else {
                    continue;
                };
                if auth.users.is_some() {
                    ctx.error(it.pos, "Cluster authorization does not allow multiple users");
                    continue;
                }
                if !auth.token.is_empty() {
                    ctx.error(it.pos, "Cluster authorization does not support tokens");
                    continue;
                }
                if auth.permissions.is_some() {
                    let reason = r#"setting "permissions" within cluster authorization block is deprecated"#;
                    ctx.go_warning(it.pos, &entry.key, reason);
                }
            }
            "routes" => urls(ctx, "route", it)?,
            "tls" => {
                let _ = tls_section(ctx, it, false);
            }
            "no_advertise" => {
                ctx.bool(it)?;
            }
            "permissions" => {
                if let Ok(perms) = permissions(ctx, it) {
                    if perms.responses.is_some() {
                        ctx.error(it.pos, "Cluster permissions do not support dynamic responses");
                    }
                }
            }
            // Newer than 2.9.10.
            "pool_size" | "ping_max" => {
                ctx.int(it)?;
            }
            "accounts" => {
                ctx.string_list("accounts", it)?;
            }
            "compression" => {}
            "ping_interval" | "write_deadline" => {
                let field = entry.key.to_ascii_lowercase();
                duration_field(ctx, &field, it)?;
            }
            "connect_backoff" => {
                ctx.bool(it)?;
            }
            "write_timeout" => {
                ctx.str(it)?;
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
        options("\ncluster { name: C, listen: \"0.0.0.0:6222\", routes: [\"nats://a:6222\", \"nats-route://u:p@b:6222\"], no_advertise: true, connect_retries: 3, cluster_advertise: \"x:1\" }\n");
        assert_eq!(first_error("\ncluster = 5\n"), r#"test.conf:2:1: Expected map to define cluster, got int64"#);
        assert_eq!(
            first_error("\ncluster { port: \"x\", foo: 1 }\n"),
            r#"test.conf:2:11: interface conversion: interface {} is string, not int64"#
        );
        assert_eq!(first_error("\ncluster { foo: 1, bar: 2 }\n"), r#"test.conf:2:11: unknown field "foo""#);
        assert_eq!(
            first_error("\ncluster { listen: \"x\" }\n"),
            r#"test.conf:2:11: could not parse address string "x""#
        );
        assert_eq!(
            first_error("\ncluster { routes: \"x\" }\n"),
            r#"test.conf:2:11: interface conversion: interface {} is string, not []interface {}"#
        );
        assert_eq!(
            first_error("\ncluster { routes: [\"nats://a:4222\", \"x y://\"] }\n"),
            r#"test.conf:2:38: error parsing route url ["x y://"]"#
        );
        assert_eq!(
            first_error("\ncluster { authorization { users = [] } }\n"),
            r#"test.conf:2:11: Cluster authorization does not allow multiple users"#
        );
        assert_eq!(
            first_error("\ncluster { authorization { token: x } }\n"),
            r#"test.conf:2:11: Cluster authorization does not support tokens"#
        );
        options("\ncluster { authorization { user: a, password: b, timeout: 2 } }\n");
        assert_eq!(
            first_error("\ncluster { permissions: { import: \"a\", export: \"b\", allow_responses: true } }\n"),
            r#"test.conf:2:11: Cluster permissions do not support dynamic responses"#
        );
        options("\ncluster { permissions: { import: { allow: \"a\" }, export: \">\" } }\n");
        assert_eq!(
            first_error("\ncluster { tls { cert_file: \"x\" } }\n"),
            r#"test.conf:2:11: missing 'key_file' in TLS configuration"#
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{load, options};

    #[test]
    fn newer_fields_are_accepted() {
        options("\ncluster { port: 6222, connect_backoff: true, pool_size: 3, accounts: [A], compression: s2_auto }\n");
    }

    #[test]
    fn permissions_in_authorization_warn_as_nats_server() {
        let loaded = load("\ncluster { authorization { user: a, password: b, permissions: { import: \"a\" } } }\n")
            .expect("valid");
        assert_eq!(
            loaded.warnings,
            [
                r#"test.conf:2:11: invalid use of field "authorization": setting "permissions" within cluster authorization block is deprecated"#,
                "test.conf:2:1: cluster is not supported yet by rnats; the setting is ignored",
            ]
        );
    }
}
