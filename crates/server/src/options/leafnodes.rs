//! `leafnodes` (accepting leaf node connections and soliciting remotes): checked as
//! nats-server's `parseLeafNodes`; rnats has no leaf nodes yet.

use std::collections::HashSet;

use rnats_conf::Value;

use super::auth::{permission_subjects, timeout_seconds};
use super::check::{go_display, go_type, plain_field, Ctx, Item, Shape, Step, LISTENER};
use super::duration::duration_field;
use super::misc::{url, urls};
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("leafnode_advertise", Shape::Str), ("advertise", Shape::Str)];

/// nats-server's `parseLeafNodes`.
pub(crate) fn leafnodes(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected map to define a leafnode, got {}", go_type(item.value)));
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
                if let Ok(Some(problem)) = leaf_authorization(ctx, it) {
                    ctx.error(it.pos, problem);
                }
            }
            "remotes" => {
                let _ = remotes(ctx, it);
            }
            "reconnect" | "reconnect_delay" | "reconnect_interval" => match it.value {
                // Newer servers also take a duration string.
                Value::String(_) => {
                    duration_field(ctx, "reconnect", it)?;
                }
                _ => {
                    ctx.int(it)?;
                }
            },
            "tls" => {
                let _ = tls_section(ctx, it, true);
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
    Ok(())
}

/// nats-server's `parseLeafAuthorization` and `validateLeafNodeAuthOptions`. Returns the
/// validation problem, if any.
fn leaf_authorization(ctx: &mut Ctx, item: Item<'_>) -> Step<Option<String>> {
    let map = ctx.map(item)?;
    let mut single_user = false;
    let mut users: Option<Vec<String>> = None;
    for entry in map.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "user" | "username" => single_user = !ctx.str(it)?.is_empty(),
            "pass" | "password" | "account" => {
                ctx.str(it)?;
            }
            "timeout" => {
                timeout_seconds(ctx, it);
            }
            "users" => users = leaf_users(ctx, it).ok(),
            _ => ctx.unknown_field(entry),
        }
    }
    let Some(users) = users.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    if single_user {
        return Ok(Some("can not have a single user/pass and a users array".into()));
    }
    let mut seen = HashSet::new();
    for name in users {
        if !seen.insert(name.clone()) {
            return Ok(Some(format!("duplicate user {name:?} detected in leafnode authorization")));
        }
    }
    Ok(None)
}

/// nats-server's `parseLeafUsers`: `[ {user, password, account}, ... ]`; returns the names.
fn leaf_users(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<String>> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Expected users field to be an array, got {}", go_display(item.value)));
    };
    let mut names = Vec::with_capacity(elements.len());
    for element in elements {
        let Value::Map(fields) = &element.value else {
            let message = format!("Expected user entry to be a map/struct, got {}", go_display(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        let mut name = String::new();
        for entry in fields.iter() {
            let it = Item::entry(entry);
            match entry.key.to_ascii_lowercase().as_str() {
                "user" | "username" => name = ctx.str(it)?.to_string(),
                "pass" | "password" | "account" => {
                    ctx.str(it)?;
                }
                _ => ctx.unknown_field(entry),
            }
        }
        names.push(name);
    }
    Ok(names)
}

/// nats-server's `parseRemoteLeafNodes`: `[ {url(s), account, credentials, tls, ...}, ... ]`.
fn remotes(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Expected remotes field to be an array, got {}", go_type(item.value)));
    };
    for element in elements {
        let Value::Map(fields) = &element.value else {
            let message =
                format!("Expected remote leafnode entry to be a map/struct, got {}", go_display(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        for entry in fields.iter() {
            let it = Item::entry(entry);
            match entry.key.to_ascii_lowercase().as_str() {
                "no_randomize"
                | "dont_randomize"
                | "hub"
                | "ws_compress"
                | "ws_compression"
                | "websocket_compress"
                | "websocket_compression"
                | "ws_no_masking"
                | "websocket_no_masking" => {
                    ctx.bool(it)?;
                }
                "url" | "urls" => match it.value {
                    Value::Array(_) => urls(ctx, "leafnode", it)?,
                    Value::String(_) => url(ctx, "leafnode", it)?,
                    other => {
                        let message =
                            format!("Expected remote leafnode url to be an array or string, got {}", go_display(other));
                        ctx.error(it.pos, message);
                    }
                },
                "account" | "local" | "creds" | "credentials" => {
                    ctx.str(it)?;
                }
                "tls" => {
                    let _ = tls_section(ctx, it, true);
                }
                "deny_imports" | "deny_import" | "deny_exports" | "deny_export" => {
                    let _ = permission_subjects(ctx, it, true);
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
            r#"test.conf:2:19: error parsing tls config, unknown field ["foo"]"#
        );
    }
}
