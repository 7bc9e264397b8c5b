//! `leafnodes` (accepting leaf node connections and soliciting remotes), as nats-server's
//! `parseLeafNodes` reads it, into [`LeafNodeOptions`].

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use rnats_conf::Value;

use super::auth::{non_empty, permission_subjects, timeout_seconds};
use super::check::{go_display, go_type, plain_field, Ctx, Item, Shape, Step};
use super::duration::duration_field;
use super::listen::listen_item;
use super::misc::{url, urls};
use super::tls::tls_section;
use super::top::seconds;
use super::{LeafNodeOptions, LeafUser, RemoteLeaf};

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("leafnode_advertise", Shape::Str), ("advertise", Shape::Str)];

/// nats-server's `parseLeafNodes`.
pub(crate) fn leafnodes(ctx: &mut Ctx, item: Item<'_>) -> Step<LeafNodeOptions> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected map to define a leafnode, got {}", go_type(item.value)));
    };
    let mut leaf = LeafNodeOptions::default();
    for entry in fields.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        match key.as_str() {
            "listen" => {
                if let Ok(hp) = listen_item(ctx, it) {
                    if !hp.host.is_empty() {
                        leaf.host = Some(hp.host);
                    }
                    leaf.port = i32::try_from(hp.port).ok();
                }
                continue;
            }
            "port" => {
                leaf.port = i32::try_from(ctx.int(it)?).ok();
                continue;
            }
            "host" | "net" => {
                leaf.host = non_empty(ctx.str(it)?);
                continue;
            }
            _ => {}
        }
        if let Some(step) = plain_field(ctx, &[FIELDS], &key, it) {
            step?;
            continue;
        }
        match key.as_str() {
            "authorization" => {
                if let Ok(Some(problem)) = leaf_authorization(ctx, it, &mut leaf) {
                    ctx.error(it.pos, problem);
                }
            }
            "remotes" => {
                if let Ok(remotes) = remotes(ctx, it) {
                    leaf.remotes = remotes;
                }
            }
            "reconnect" | "reconnect_delay" | "reconnect_interval" => match it.value {
                // Newer servers also take a duration string.
                Value::String(_) => {
                    leaf.reconnect = Some(duration_field(ctx, "reconnect", it)?);
                }
                _ => {
                    let n = ctx.int(it)?;
                    leaf.reconnect = u64::try_from(n).ok().filter(|&n| n > 0).map(Duration::from_secs);
                }
            },
            "tls" => {
                if let Ok(tls) = tls_section(ctx, it, true) {
                    leaf.tls = Some(tls);
                }
            }
            "no_advertise" => {
                ctx.bool(it)?;
            }
            // Newer than 2.9.10.
            "min_version" => {
                ctx.str(it)?;
            }
            "compression" => {}
            "write_deadline" => {
                duration_field(ctx, "write_deadline", it)?;
            }
            "isolate_leafnode_interest" | "isolate" => {
                ctx.bool(it)?;
            }
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(leaf)
}

/// nats-server's `parseLeafAuthorization` and `validateLeafNodeAuthOptions`. Returns the
/// validation problem, if any.
fn leaf_authorization(ctx: &mut Ctx, item: Item<'_>, leaf: &mut LeafNodeOptions) -> Step<Option<String>> {
    let map = ctx.map(item)?;
    let mut users: Option<Vec<LeafUser>> = None;
    for entry in map.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "user" | "username" => leaf.user = non_empty(ctx.str(it)?),
            "pass" | "password" => leaf.password = non_empty(ctx.str(it)?),
            "account" => leaf.account = non_empty(ctx.str(it)?),
            "timeout" => leaf.auth_timeout = seconds(timeout_seconds(ctx, it)),
            "users" => users = leaf_users(ctx, it).ok(),
            _ => ctx.unknown_field(entry),
        }
    }
    let Some(users) = users.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    if leaf.user.is_some() {
        return Ok(Some("can not have a single user/pass and a users array".into()));
    }
    let mut seen = HashSet::new();
    for user in &users {
        if !seen.insert(user.user.clone()) {
            return Ok(Some(format!("duplicate user {:?} detected in leafnode authorization", user.user)));
        }
    }
    leaf.users = users;
    Ok(None)
}

/// nats-server's `parseLeafUsers`: `[ {user, password, account}, ... ]`.
fn leaf_users(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<LeafUser>> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Expected users field to be an array, got {}", go_display(item.value)));
    };
    let mut users = Vec::with_capacity(elements.len());
    for element in elements.iter() {
        let Value::Map(fields) = &element.value else {
            let message = format!("Expected user entry to be a map/struct, got {}", go_display(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        let mut user = LeafUser::default();
        for entry in fields.iter() {
            let it = Item::entry(entry);
            match entry.key.to_ascii_lowercase().as_str() {
                "user" | "username" => user.user = ctx.str(it)?.to_string(),
                "pass" | "password" => user.password = non_empty(ctx.str(it)?),
                "account" => user.account = non_empty(ctx.str(it)?),
                _ => ctx.unknown_field(entry),
            }
        }
        users.push(user);
    }
    Ok(users)
}

/// nats-server's `parseRemoteLeafNodes`: `[ {url(s), account, credentials, tls, ...}, ... ]`.
fn remotes(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<RemoteLeaf>> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Expected remotes field to be an array, got {}", go_type(item.value)));
    };
    let mut remotes = Vec::with_capacity(elements.len());
    for element in elements.iter() {
        let Value::Map(fields) = &element.value else {
            let message =
                format!("Expected remote leafnode entry to be a map/struct, got {}", go_display(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        let mut remote = RemoteLeaf::default();
        for entry in fields.iter() {
            let it = Item::entry(entry);
            match entry.key.to_ascii_lowercase().as_str() {
                "no_randomize" | "dont_randomize" => remote.no_randomize = ctx.bool(it)?,
                "hub"
                | "ws_compress"
                | "ws_compression"
                | "websocket_compress"
                | "websocket_compression"
                | "ws_no_masking"
                | "websocket_no_masking" => {
                    ctx.bool(it)?;
                }
                "url" | "urls" => match it.value {
                    Value::Array(elements) => {
                        urls(ctx, "leafnode", it)?;
                        for element in elements.iter() {
                            if let Value::String(text) = &element.value {
                                remote.urls.push(text.trim().to_string());
                            }
                        }
                    }
                    Value::String(text) => {
                        url(ctx, "leafnode", it)?;
                        remote.urls.push(text.trim().to_string());
                    }
                    other => {
                        let message =
                            format!("Expected remote leafnode url to be an array or string, got {}", go_display(other));
                        ctx.error(it.pos, message);
                    }
                },
                "account" | "local" => remote.account = non_empty(ctx.str(it)?),
                "creds" | "credentials" => remote.credentials = non_empty(ctx.str(it)?).map(PathBuf::from),
                "tls" => {
                    if let Ok(tls) = tls_section(ctx, it, true) {
                        remote.tls = Some(tls);
                    }
                }
                "deny_imports" | "deny_import" => {
                    remote.deny_imports = permission_subjects(ctx, it, true).unwrap_or_default();
                }
                "deny_exports" | "deny_export" => {
                    remote.deny_exports = permission_subjects(ctx, it, true).unwrap_or_default();
                }
                // Newer than 2.9.10.
                "nkey" | "first_info_timeout" => {}
                "disabled" => {
                    ctx.bool(it)?;
                }
                "jetstream_cluster_migrate"
                | "jetstream_cluster_migrate_delay"
                | "compression"
                | "proxy"
                | "connect_backoff"
                | "local_is_hub" => {}
                _ => ctx.unknown_field(entry),
            }
        }
        remotes.push(remote);
    }
    Ok(remotes)
}

/// Cases checked against nats-server 2.9.10 (`nats-server -t`): the expected texts are its
/// output for the same file.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options("\nleafnodes { listen: \"0.0.0.0:7422\", no_advertise: true, reconnect: 5, remotes: [ {url: \"nats://a:7422\", account: A, credentials: \"/tmp/x.creds\", deny_imports: [\"a.>\"], hub: false} ] }\n");
        options("\nleaf { port: 7422, authorization { user: a, password: b, account: X, timeout: 1 } }\n");
        assert_eq!(first_error("\nleafnodes = 5\n"), r#"test.conf:2:1: Expected map to define a leafnode, got int64"#);
        assert_eq!(
            first_error("\nleafnodes { remotes: 5 }\n"),
            r#"test.conf:2:13: Expected remotes field to be an array, got int64"#
        );
        assert_eq!(
            first_error("\nleafnodes { remotes: [ 5 ] }\n"),
            r#"test.conf:2:24: Expected remote leafnode entry to be a map/struct, got 5"#
        );
        assert_eq!(
            first_error("\nleafnodes { remotes: [ {url: 5} ] }\n"),
            r#"test.conf:2:25: Expected remote leafnode url to be an array or string, got 5"#
        );
        assert_eq!(
            first_error("\nleafnodes { remotes: [ {urls: [\"nats://a:1\", \"x y://\"]} ] }\n"),
            r#"test.conf:2:47: error parsing leafnode url ["x y://"]"#
        );
        assert_eq!(
            first_error("\nleafnodes { remotes: [ {url: \"nats://a\", deny_imports: 5} ] }\n"),
            r#"test.conf:2:42: Expected subject permissions to be a subject, or array of subjects, got int64"#
        );
        assert_eq!(
            first_error("\nleafnodes { remotes: [ {url: \"nats://a\", foo: 1} ] }\n"),
            r#"test.conf:2:42: unknown field "foo""#
        );
        assert_eq!(
            first_error(
                "\nleafnodes { authorization { users: [ {user: a, password: b}, {user: a, password: c} ] } }\n"
            ),
            r#"test.conf:2:13: duplicate user "a" detected in leafnode authorization"#
        );
        assert_eq!(
            first_error("\nleafnodes { authorization { user: a, users: [ {user: b, password: c} ] } }\n"),
            r#"test.conf:2:13: can not have a single user/pass and a users array"#
        );
        assert_eq!(
            first_error("\nleafnodes { authorization { users: [ {user: a, password: b, foo: 1} ] } }\n"),
            r#"test.conf:2:61: unknown field "foo""#
        );
        assert_eq!(first_error("\nleafnodes { foo: 1 }\n"), r#"test.conf:2:13: unknown field "foo""#);
        assert_eq!(
            first_error("\nleafnodes { tls { foo: 1 } }\n"),
            r#"test.conf:2:19: error parsing tls config, unknown field "foo""#
        );
    }
}
