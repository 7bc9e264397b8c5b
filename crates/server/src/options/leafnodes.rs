//! `leafnodes` (accepting leaf node connections and soliciting remotes), as nats-server
//! 2.15.1's `parseLeafNodes` reads it, into [`LeafNodeOptions`]. The remotes are read in
//! `leafnodes_remotes`. Settings rnats does not act on are checked and noted as not active.

use std::collections::HashSet;

use rnats_conf::Value;

use super::auth::{auth_timeout, is_public_key, non_empty, proxy_required, PREFIX_USER};
use super::check::{go_display, go_type, plain_field, Ctx, Item, Shape, Step};
use super::compression::{compression, is_on};
use super::duration::duration_field;
use super::listen::listen_item;
use super::tls::tls_section;
use super::top::seconds;
use super::{leafnodes_remotes, newer, LeafNodeOptions, LeafUser};

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("leafnode_advertise", Shape::Str), ("advertise", Shape::Str)];

/// The mode `compression: true` stands for on leaf connections.
pub(crate) const COMPRESSION_ON: &str = "s2_auto";

/// nats-server's `parseLeafNodes`.
pub(crate) fn leafnodes(ctx: &mut Ctx, item: Item<'_>) -> Step<LeafNodeOptions> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected map to define a leafnode, got {}", go_type(item.value)));
    };
    ctx.facts.place("leafnodes", item.pos);
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
            inactive(ctx, it, &key);
            continue;
        }
        match key.as_str() {
            "authorization" => {
                if let Ok(Some(problem)) = leaf_authorization(ctx, it, &mut leaf) {
                    ctx.error(it.pos, problem);
                }
            }
            "remotes" => {
                if let Ok(remotes) = leafnodes_remotes::remotes(ctx, it) {
                    leaf.remotes = remotes;
                }
            }
            "reconnect" | "reconnect_delay" | "reconnect_interval" => {
                let delay = duration_field(ctx, "reconnect", it)?;
                leaf.reconnect = (!delay.is_zero()).then_some(delay);
            }
            "tls" => {
                if let Ok(tls) = tls_section(ctx, it, true) {
                    super::tls_serve::listener(ctx, it.pos, &tls);
                    leaf.tls = Some(tls);
                }
            }
            "no_advertise" | "isolate_leafnode_interest" | "isolate" => {
                ctx.bool(it)?;
                inactive(ctx, it, &key);
            }
            // Newer than 2.9.10.
            "min_version" | "minimum_version" => {
                if let Err(problem) = min_version(ctx.str(it)?) {
                    ctx.error(it.pos, problem);
                    continue;
                }
                inactive(ctx, it, &key);
            }
            "compression" => {
                if let Ok(c) = compression(ctx, &entry.key, it, COMPRESSION_ON) {
                    if is_on(&c) {
                        inactive(ctx, it, &key);
                    }
                    ctx.facts.leaf_compression.insert(0, (c, it.pos.clone()));
                }
            }
            "dial_timeout" | "write_deadline" => {
                super::duration::any_duration(ctx, &key, it)?;
                inactive(ctx, it, &key);
            }
            "write_timeout" => {
                newer::write_timeout(ctx, it)?;
                inactive(ctx, it, &key);
            }
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(leaf)
}

/// rnats's note for a leaf node setting it accepts but does not act on.
pub(crate) fn inactive(ctx: &mut Ctx, item: Item<'_>, key: &str) {
    ctx.note(item.pos, format!("leafnodes {key} is not supported yet by rnats; the setting is ignored"));
}

/// nats-server's `parseLeafAuthorization` and `validateLeafNodeAuthOptions`. Returns the
/// validation problem, if any.
fn leaf_authorization(ctx: &mut Ctx, item: Item<'_>, leaf: &mut LeafNodeOptions) -> Step<Option<String>> {
    let map = ctx.map(item)?;
    let mut users: Option<Vec<LeafUser>> = None;
    let mut nkey = false;
    for entry in map.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "user" | "username" => leaf.user = non_empty(ctx.str(it)?),
            "pass" | "password" => leaf.password = non_empty(ctx.str(it)?),
            "account" => {
                leaf.account = non_empty(ctx.str(it)?);
                ctx.facts.place("leafnodes.authorization.account", it.pos);
            }
            "timeout" => leaf.auth_timeout = seconds(auth_timeout(ctx, "leafnode authorization", it)?),
            "users" => users = leaf_users(ctx, it).ok(),
            // Newer than 2.9.10.
            "nkey" => {
                let key = ctx.str(it)?;
                if !is_public_key(key, PREFIX_USER) {
                    ctx.error(it.pos, "Not a valid public nkey for leafnode authorization");
                } else if !key.is_empty() {
                    nkey = true;
                    // Ignoring it would let leaf nodes in without the key.
                    ctx.security_gap(it.pos, "leafnodes authorization nkey is not supported yet by rnats");
                }
            }
            "proxy_required" => proxy_required(ctx, it)?,
            _ => ctx.unknown_field(entry),
        }
    }
    let Some(users) = users.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    if leaf.user.is_some() {
        return Ok(Some("can not have a single user/pass and a users array".into()));
    }
    if nkey {
        return Ok(Some("can not have a single nkey and a users array".into()));
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
                "account" => {
                    user.account = non_empty(ctx.str(it)?);
                    ctx.facts.place(format!("leafnodes.users.{}.account", users.len()), it.pos);
                }
                "proxy_required" => proxy_required(ctx, it)?,
                _ => ctx.unknown_field(entry),
            }
        }
        users.push(user);
    }
    Ok(users)
}

/// `min_version`: a semantic version (strictly as semver.org writes it) of at least 2.8.0.
fn min_version(text: &str) -> Result<(), String> {
    let invalid = || "invalid leafnode's minimum version: invalid semver".to_string();
    let (rest, build) = text.split_once('+').map_or((text, None), |(r, b)| (r, Some(b)));
    let (core, pre) = rest.split_once('-').map_or((rest, None), |(c, p)| (c, Some(p)));
    let identifier = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let number = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'));
    let pre_ok = pre.is_none_or(|p| {
        p.split('.').all(|id| identifier(id) && (number(id) || !id.bytes().all(|b| b.is_ascii_digit())))
    });
    let build_ok = build.is_none_or(|b| b.split('.').all(identifier));
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| number(p)) || !pre_ok || !build_ok {
        return Err(invalid());
    }
    let version: Vec<u64> = parts.iter().map(|p| p.parse().unwrap_or(u64::MAX)).collect();
    if (version[0], version[1], version[2]) < (2, 8, 0) {
        return Err("the minimum version should be at least 2.8.0".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::min_version;

    #[test]
    fn minimum_versions_as_semver() {
        assert_eq!(min_version("2.10.0"), Ok(()));
        assert_eq!(min_version("2.8.0-beta.1+abc"), Ok(()));
        assert_eq!(min_version("2.7.9"), Err("the minimum version should be at least 2.8.0".into()));
        for bad in ["abc", "v2.10.0", "2.10", "02.10.0", "2.10.0-", "2.10.0-01"] {
            assert_eq!(min_version(bad), Err("invalid leafnode's minimum version: invalid semver".into()), "{bad}");
        }
    }
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options("\nleafnodes { listen: \"0.0.0.0:7422\", no_advertise: true, reconnect: \"5s\", remotes: [ {url: \"nats://a:7422\", account: A, credentials: \"/tmp/x.creds\", deny_imports: [\"a.>\"], hub: false} ] }\naccounts { A {} }\n");
        options("\nleaf { port: 7422, authorization { user: a, password: b, account: X, timeout: 1 } }\naccounts { X {} }\n");
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
