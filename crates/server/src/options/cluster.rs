//! `cluster` (routes between servers): checked as nats-server's `parseCluster`; rnats does
//! not cluster yet.

use std::time::Duration;

use rnats_conf::Value;

use super::auth::{authorization, permissions};
use super::check::{go_type, Ctx, Item, Shape, Step};
use super::compression::compression;
use super::duration::any_duration;
use super::facts::Cluster;
use super::facts::Endpoint;
use super::listen::listener_section;
use super::misc::urls;
use super::tls::tls_section;
use super::{newer, ConfigError};

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] =
    &[("cluster_advertise", Shape::Str), ("advertise", Shape::Str), ("connect_retries", Shape::Int)];

/// The mode `compression: true` stands for on routes.
const COMPRESSION_ON: &str = "s2_fast";

/// The longest ping interval of routes: nats-server warns above it.
const ROUTE_MAX_PING_INTERVAL: Duration = Duration::from_secs(30);

/// nats-server's `parseCluster`. A wrong value type ends the block, as in nats-server. What
/// the start checks need goes to `ctx.facts.cluster`.
pub(crate) fn cluster(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected map to define cluster, got {}", go_type(item.value)));
    };
    let mut facts = Cluster { pos: Some(item.pos.clone()), ..Cluster::default() };
    let mut endpoint = Endpoint::default();
    let step = listener_section(ctx, fields, FIELDS, &mut endpoint, &mut |ctx, key, entry| {
        let it = Item::entry(entry);
        match key {
            "name" => {
                let name = ctx.str(it)?;
                if name.contains(' ') {
                    ctx.error(it.pos, "cluster name cannot contain spaces");
                    return Ok(());
                }
                facts.name = name.to_string();
            }
            "authorization" => {
                let Ok(auth) = authorization(ctx, it) else {
                    return Ok(());
                };
                if auth.users.is_some() {
                    ctx.error(it.pos, "Cluster authorization does not allow multiple users");
                    return Ok(());
                }
                if !auth.token.is_empty() {
                    ctx.error(it.pos, "Cluster authorization does not support tokens");
                    return Ok(());
                }
                if auth.callout {
                    ctx.error(it.pos, "Cluster authorization does not support callouts");
                    return Ok(());
                }
                if auth.permissions.is_some() {
                    let reason = r#"setting "permissions" within cluster authorization block is deprecated"#;
                    ctx.go_warning(it.pos, &entry.key, reason);
                }
            }
            "routes" => {
                urls(ctx, "route", it)?;
            }
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
            "pool_size" => facts.pool_size = ctx.int(it)?,
            "ping_max" => {
                ctx.int(it)?;
            }
            "accounts" => facts.pinned_accounts = ctx.string_list("accounts", it).unwrap_or_default(),
            "compression" => {
                if let Ok(c) = compression(ctx, &entry.key, it, COMPRESSION_ON) {
                    facts.compression = Some(c);
                }
            }
            "ping_interval" => {
                let nanos = any_duration(ctx, "ping_interval", it)?;
                if nanos > ROUTE_MAX_PING_INTERVAL.as_nanos() as i64 {
                    let message = "Cluster 'ping_interval' will reset to 30s which is the max for routes";
                    ctx.go_warnings.push(ConfigError { pos: Some(it.pos.clone()), message: message.into() });
                }
            }
            "write_deadline" => {
                any_duration(ctx, "write_deadline", it)?;
            }
            "connect_backoff" => {
                ctx.bool(it)?;
            }
            "write_timeout" => newer::write_timeout(ctx, it)?,
            _ => ctx.unknown_field(entry),
        }
        Ok(())
    });
    facts.endpoint = endpoint;
    ctx.facts.cluster = Some(facts);
    step
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
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
