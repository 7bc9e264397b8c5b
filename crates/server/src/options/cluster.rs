//! `cluster` (routes between servers): checked as nats-server's `parseCluster` and read into
//! [`ClusterOptions`]; rnats does not cluster yet.

use std::time::Duration;

use rnats_conf::Value;

use super::auth::{authorization, non_empty, permissions};
use super::check::{go_type, Ctx, Item, Step};
use super::cluster_options::{ClusterOptions, RoutePermissions, ROUTE_MAX_PING_INTERVAL};
use super::compression::compression;
use super::duration::any_duration;
use super::facts::Endpoint;
use super::listen::listener_section;
use super::misc::urls;
use super::tls::tls_section;
use super::{newer, ConfigError, Options, PermissionsConfig};

/// The mode `compression: true` stands for on routes.
const COMPRESSION_ON: &str = "s2_fast";

/// nats-server's `parseCluster`, into `options.cluster`. A wrong value type ends the block, as
/// in nats-server.
pub(crate) fn cluster(ctx: &mut Ctx, options: &mut Options, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected map to define cluster, got {}", go_type(item.value)));
    };
    let mut cluster = ClusterOptions::default();
    // The block's own permissions win over the deprecated ones of its authorization, in
    // whichever order they come.
    let mut auth_permissions = None;
    let mut endpoint = Endpoint::default();
    let step = listener_section(ctx, fields, &[], &mut endpoint, &mut |ctx, key, entry| {
        let it = Item::entry(entry);
        match key {
            "name" => {
                let name = ctx.str(it)?;
                if name.contains(' ') {
                    ctx.error(it.pos, "cluster name cannot contain spaces");
                    return Ok(());
                }
                cluster.name = non_empty(name);
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
                cluster.authorization.user = non_empty(&auth.user);
                cluster.authorization.password = non_empty(&auth.pass);
                cluster.authorization.timeout = auth_timeout(auth.timeout);
                if let Some(perms) = &auth.permissions {
                    let reason = r#"setting "permissions" within cluster authorization block is deprecated"#;
                    ctx.go_warning(it.pos, &entry.key, reason);
                    auth_permissions = Some(route_permissions(perms));
                }
            }
            "routes" => cluster.routes = urls(ctx, "route", it)?,
            "tls" => cluster.tls = tls_section(ctx, it, false).ok(),
            "cluster_advertise" | "advertise" => cluster.advertise = non_empty(ctx.str(it)?),
            "no_advertise" => cluster.no_advertise = ctx.bool(it)?,
            "connect_retries" => cluster.connect_retries = ctx.int(it)?,
            "permissions" => {
                if let Ok(perms) = permissions(ctx, it) {
                    if perms.responses.is_some() {
                        ctx.error(it.pos, "Cluster permissions do not support dynamic responses");
                    } else {
                        cluster.permissions = Some(route_permissions(&perms));
                    }
                }
            }
            // Newer than 2.9.10.
            "pool_size" => cluster.pool_size = ctx.int(it)?,
            "ping_max" => cluster.ping_max = positive_count(ctx.int(it)?),
            "accounts" => cluster.pinned_accounts = ctx.string_list("accounts", it).unwrap_or_default(),
            "compression" => {
                if let Ok(c) = compression(ctx, &entry.key, it, COMPRESSION_ON) {
                    ctx.facts.place("cluster.compression", it.pos);
                    cluster.compression = c;
                }
            }
            "ping_interval" => {
                let nanos = any_duration(ctx, "ping_interval", it)?;
                if nanos > ROUTE_MAX_PING_INTERVAL.as_nanos() as i64 {
                    let message = "Cluster 'ping_interval' will reset to 30s which is the max for routes";
                    ctx.go_warnings.push(ConfigError { pos: Some(it.pos.clone()), message: message.into() });
                }
                cluster.ping_interval = positive(nanos);
            }
            "write_deadline" => cluster.write_deadline = positive(any_duration(ctx, "write_deadline", it)?),
            "connect_backoff" => cluster.connect_backoff = ctx.bool(it)?,
            "write_timeout" => cluster.write_timeout = newer::write_timeout(ctx, it)?,
            _ => ctx.unknown_field(entry),
        }
        Ok(())
    });
    cluster.host = endpoint.host;
    cluster.port = endpoint.port;
    if cluster.permissions.is_none() {
        cluster.permissions = auth_permissions;
    }
    options.cluster = Some(cluster);
    step
}

/// A permissions block as routes read it: its publish side is what they import, its subscribe
/// side what they export.
fn route_permissions(perms: &PermissionsConfig) -> RoutePermissions {
    RoutePermissions { import: perms.publish.clone(), export: perms.subscribe.clone() }
}

/// An authorization timeout in seconds (0: not set; negative: at once).
fn auth_timeout(seconds: f64) -> Option<Duration> {
    if seconds == 0.0 {
        return None;
    }
    Some(super::top::seconds(seconds).unwrap_or_default())
}

/// A count nats-server uses only when positive (a huge one is as good as no limit).
fn positive_count(n: i64) -> Option<u32> {
    (n > 0).then(|| u32::try_from(n).unwrap_or(u32::MAX))
}

/// A duration nats-server uses only when positive.
fn positive(nanos: i64) -> Option<Duration> {
    u64::try_from(nanos).ok().filter(|&n| n > 0).map(Duration::from_nanos)
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
    use std::time::Duration;

    use super::super::testutil::{load, options};
    use super::super::{SubjectPermission, WriteTimeoutPolicy};

    fn list(subjects: &[&str]) -> Option<Vec<String>> {
        Some(subjects.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn the_block_is_read_into_cluster_options() {
        let o = options(
            r#"
cluster {
  name: C, listen: "127.0.0.1:6222", advertise: "x:1", no_advertise: true
  connect_retries: 3, connect_backoff: true
  routes: ["nats-route://u:p%40ss@a:6222", " nats://b:6223 "]
  authorization { user: ru, password: rp, timeout: 0.5 }
  permissions { import: "a.>", export: { allow: "*", deny: ["foo"] } }
  pool_size: 5, accounts: [A], compression: { mode: s2_auto, rtt_thresholds: ["10ms", "20ms"] }
  ping_interval: "10s", ping_max: 4, write_deadline: "3s", write_timeout: close
}
accounts { A {} }
"#,
        );
        let c = o.cluster.expect("cluster");
        assert_eq!(c.name.as_deref(), Some("C"));
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 6222));
        assert_eq!((c.advertise.as_deref(), c.no_advertise), (Some("x:1"), true));
        assert_eq!((c.connect_retries, c.connect_backoff), (3, true));
        let routes: Vec<(&str, &str, Option<&str>, Option<&str>)> = c
            .routes
            .iter()
            .map(|r| (r.scheme.as_str(), r.host.as_str(), r.username.as_deref(), r.password.as_deref()))
            .collect();
        assert_eq!(routes, [("nats-route", "a:6222", Some("u"), Some("p@ss")), ("nats", "b:6223", None, None)]);
        assert_eq!(c.routes[1].text, "nats://b:6223", "trimmed as nats-server does");
        assert_eq!(c.authorization.user.as_deref(), Some("ru"));
        assert_eq!(c.authorization.password.as_deref(), Some("rp"));
        assert_eq!(c.authorization.timeout, Some(Duration::from_millis(500)));
        let permissions = c.permissions.expect("permissions");
        assert_eq!(permissions.import, Some(SubjectPermission { allow: list(&["a.>"]), deny: None }));
        assert_eq!(permissions.export, Some(SubjectPermission { allow: list(&["*"]), deny: list(&["foo"]) }));
        assert_eq!((c.pool_size, c.pinned_accounts.as_slice()), (5, ["A".to_string()].as_slice()));
        assert_eq!(c.compression.mode, "s2_auto");
        assert_eq!(c.compression.rtt_thresholds, [Duration::from_millis(10), Duration::from_millis(20)]);
        assert_eq!(c.ping_interval, Some(Duration::from_secs(10)));
        assert_eq!((c.ping_max, c.write_deadline), (Some(4), Some(Duration::from_secs(3))));
        assert_eq!(c.write_timeout, WriteTimeoutPolicy::Close);
        assert!(c.tls.is_none());
    }

    #[test]
    fn unset_and_special_values() {
        assert!(options("port: 4222\n").cluster.is_none());
        let c = options("\ncluster {}\n").cluster.expect("an empty block is a cluster block");
        assert_eq!((c.name.as_deref(), c.port, c.pool_size(), c.compression_mode()), (None, 0, 3, "accept"));
        assert!(!c.is_enabled());
        let c =
            options("\ncluster { port: -1, name: \"\", compression: true, ping_max: 0, write_deadline: \"-1s\" }\n")
                .cluster
                .expect("cluster");
        assert_eq!((c.port, c.name, c.compression.mode.as_str()), (-1, None, "s2_fast"));
        assert_eq!((c.ping_max, c.write_deadline), (None, None), "nats-server uses them only above zero");
        let c =
            options("\ncluster { authorization { user: a, password: b, timeout: -1 } }\n").cluster.expect("cluster");
        assert_eq!(c.authorization.timeout, Some(Duration::ZERO), "a negative timeout expires at once");
    }

    #[test]
    fn the_blocks_own_permissions_win_over_its_authorizations() {
        let deprecated = "authorization { user: a, password: b, permissions: { import: \"x\" } }";
        for text in [
            format!("\ncluster {{ {deprecated}, permissions {{ import: \"y\" }} }}\n"),
            format!("\ncluster {{ permissions {{ import: \"y\" }}, {deprecated} }}\n"),
        ] {
            let permissions = load(&text).expect("valid").options.cluster.and_then(|c| c.permissions);
            assert_eq!(permissions.and_then(|p| p.import).and_then(|i| i.allow), list(&["y"]), "{text}");
        }
        let alone = format!("\ncluster {{ {deprecated} }}\n");
        let permissions = load(&alone).expect("valid").options.cluster.and_then(|c| c.permissions);
        assert_eq!(permissions.and_then(|p| p.import).and_then(|i| i.allow), list(&["x"]));
    }

    #[test]
    fn tls_is_kept() {
        let c = options("\ncluster { tls { cert_file: a.pem, key_file: a.key, verify_cert_and_check_known_urls: true, timeout: 3 } }\n")
            .cluster
            .expect("cluster");
        let tls = c.tls.as_ref().expect("tls");
        assert!(tls.verify && tls.check_known_urls);
        assert_eq!(tls.timeout, Duration::from_secs(3));
        assert_eq!(c.auth_timeout(), Duration::from_secs(4));
    }

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
