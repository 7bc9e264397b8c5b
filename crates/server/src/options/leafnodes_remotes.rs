//! `leafnodes { remotes }`: the hubs this server connects to, as nats-server 2.15.1's
//! `parseRemoteLeafNodes` reads them, into [`RemoteLeaf`]s. Settings rnats does not act on
//! are checked and noted as not active.

use std::path::PathBuf;

use rnats_conf::{Pos, Value};

use super::auth::permission_subjects;
use super::check::{go_display, go_quote_list, go_type, Ctx, Item, Step};
use super::compression::{compression, is_on};
use super::duration::any_duration;
use super::leafnodes::{inactive, COMPRESSION_ON};
use super::misc::{url, urls};
use super::tls::tls_section;
use super::RemoteLeaf;

/// nats-server's `parseRemoteLeafNodes`: `[ {url(s), account, credentials, tls, ...}, ... ]`.
pub(crate) fn remotes(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<RemoteLeaf>> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Expected remotes field to be an array, got {}", go_type(item.value)));
    };
    let mut remotes = Vec::with_capacity(elements.len());
    let mut names: Vec<String> = Vec::new();
    for element in elements.iter() {
        let Value::Map(fields) = &element.value else {
            let message =
                format!("Expected remote leafnode entry to be a map/struct, got {}", go_display(&element.value));
            ctx.error(&element.pos, message);
            continue;
        };
        let index = remotes.len();
        let mut remote = RemoteLeaf::default();
        let mut nkey = None;
        let mut proxy: Option<(Proxy, Pos)> = None;
        // nats-server reports a duplicate remote at the last field it read.
        let mut last = &element.pos;
        for entry in fields.iter() {
            let it = Item::entry(entry);
            last = &entry.key_pos;
            let key = entry.key.to_ascii_lowercase();
            match key.as_str() {
                "no_randomize" | "dont_randomize" => remote.no_randomize = ctx.bool(it)?,
                "url" | "urls" => {
                    remote_urls(ctx, it, &mut remote);
                    ctx.facts.place(format!("leafnodes.remotes.{index}.urls"), it.pos);
                }
                "account" | "local" => {
                    remote.account = super::auth::non_empty(ctx.str(it)?);
                    ctx.facts.place(format!("leafnodes.remotes.{index}.account"), it.pos);
                }
                "creds" | "credentials" => {
                    let path = ctx.str(it)?;
                    if nkey.is_some() {
                        ctx.error(it.pos, "Remote leafnode can not have both creds and nkey defined");
                        continue;
                    }
                    remote.credentials = super::auth::non_empty(path).map(PathBuf::from);
                    if remote.credentials.is_some() {
                        remote_inactive(ctx, it, &key);
                    }
                }
                "nkey" | "seed" => {
                    let seed = ctx.str(it)?;
                    if !matches!(nkeys::KeyPair::from_seed(seed), Ok(pair) if pair.public_key().starts_with('U')) {
                        ctx.error(it.pos, format!("Remote leafnode nkey is not a valid seed: {seed:?}"));
                        continue;
                    }
                    if remote.credentials.is_some() {
                        ctx.error(it.pos, "Remote leafnode can not have both creds and nkey defined");
                        continue;
                    }
                    nkey = Some(seed.to_string());
                    remote_inactive(ctx, it, &key);
                }
                "tls" => {
                    if let Ok(tls) = tls_section(ctx, it, true) {
                        super::tls_serve::remote(ctx, it.pos, &tls);
                        remote.tls = Some(tls);
                    }
                }
                "deny_imports" | "deny_import" => {
                    remote.deny_imports = permission_subjects(ctx, it, true).unwrap_or_default();
                }
                "deny_exports" | "deny_export" => {
                    remote.deny_exports = permission_subjects(ctx, it, true).unwrap_or_default();
                }
                "hub"
                | "ws_compress"
                | "ws_compression"
                | "websocket_compress"
                | "websocket_compression"
                | "ws_no_masking"
                | "websocket_no_masking"
                | "isolate_leafnode_interest"
                | "isolate"
                | "request_isolation"
                | "ignore_discovered_servers" => {
                    if ctx.bool(it)? {
                        remote_inactive(ctx, it, &key);
                    }
                }
                "disabled" => remote.disabled = ctx.bool(it)?,
                "jetstream_cluster_migrate" | "js_cluster_migrate" => cluster_migrate(ctx, it)?,
                "compression" => {
                    if let Ok(c) = compression(ctx, &entry.key, it, COMPRESSION_ON) {
                        if is_on(&c) {
                            remote_inactive(ctx, it, &key);
                        }
                        ctx.facts.leaf_compression.push((c, it.pos.clone()));
                    }
                }
                "first_info_timeout" | "dial_timeout" => {
                    any_duration(ctx, &key, it)?;
                    remote_inactive(ctx, it, &key);
                }
                "proxy" => {
                    let Value::Map(fields) = it.value else {
                        ctx.error(it.pos, format!("Expected proxy to be a map, got {}", go_type(it.value)));
                        continue;
                    };
                    proxy = Some((proxy_fields(ctx, fields)?, it.pos.clone()));
                }
                _ => ctx.unknown_field(entry),
            }
        }
        if let Some((proxy, pos)) = proxy {
            if let Err(problem) = proxy.check(&remote.urls) {
                ctx.error(&pos, problem);
                continue;
            }
            if !proxy.url.is_empty() {
                remote_inactive(ctx, Item { pos: &pos, value: &Value::Bool(true) }, "proxy");
            }
        }
        let name = remote_name(&remote, nkey.as_deref(), false);
        if names.contains(&name) {
            ctx.error(last, format!("duplicate remote {}", remote_name(&remote, nkey.as_deref(), true)));
            continue;
        }
        names.push(name);
        ctx.facts.leaf_remote_urls.push((remote.urls.clone(), last.clone()));
        remotes.push(remote);
    }
    Ok(remotes)
}

/// A remote's `url` (a string) or `urls` (strings; a repeated one is skipped with a warning).
fn remote_urls(ctx: &mut Ctx, item: Item<'_>, remote: &mut RemoteLeaf) {
    match item.value {
        Value::Array(elements) => {
            if urls(ctx, "leafnode", item).is_ok() {
                for element in elements.iter() {
                    if let Value::String(text) = &element.value {
                        let text = text.trim().to_string();
                        if !remote.urls.contains(&text) {
                            remote.urls.push(text);
                        }
                    }
                }
            }
        }
        Value::String(text) => {
            if url(ctx, "leafnode", item).is_ok() {
                remote.urls.push(text.trim().to_string());
            }
        }
        other => {
            let message = format!("Expected remote leafnode url to be an array or string, got {}", go_display(other));
            ctx.error(item.pos, message);
        }
    }
}

/// rnats's note for a remote's setting it accepts but does not act on.
fn remote_inactive(ctx: &mut Ctx, item: Item<'_>, key: &str) {
    inactive(ctx, item, &format!("remotes {key}"));
}

/// `jetstream_cluster_migrate`: a boolean or `{leader_migrate_delay}`.
fn cluster_migrate(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    match item.value {
        Value::Bool(_) => Ok(()),
        Value::Map(fields) => {
            if let Some(entry) = fields.get("leader_migrate_delay") {
                any_duration(ctx, "leader_migrate_delay", Item::entry(entry))?;
            }
            Ok(())
        }
        other => {
            let message = format!("Expected boolean or map for jetstream_cluster_migrate, got {}", go_type(other));
            ctx.error_unplaced(message);
            Ok(())
        }
    }
}

/// A remote's `proxy {}` (an HTTP proxy to reach the hub through).
#[derive(Debug, Default)]
struct Proxy {
    url: String,
    username: String,
    password: String,
    negative_timeout: bool,
}

fn proxy_fields(ctx: &mut Ctx, fields: &rnats_conf::Map) -> Step<Proxy> {
    let mut proxy = Proxy::default();
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "url" => proxy.url = ctx.str(it)?.to_string(),
            "username" => proxy.username = ctx.str(it)?.to_string(),
            "password" => proxy.password = ctx.str(it)?.to_string(),
            "timeout" => proxy.negative_timeout = any_duration(ctx, "proxy timeout", it)? < 0,
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(proxy)
}

impl Proxy {
    /// nats-server's `validateLeafNodeProxyOptions`.
    fn check(&self, urls: &[String]) -> Result<(), String> {
        if self.url.is_empty() {
            return Ok(());
        }
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return Err("proxy URL scheme must be http or https, got: ".into());
        };
        if scheme != "http" && scheme != "https" {
            return Err(format!("proxy URL scheme must be http or https, got: {scheme}"));
        }
        if rest.split(['/', '?', '#']).next().unwrap_or_default().is_empty() {
            return Err("proxy URL must specify a host".into());
        }
        if self.negative_timeout {
            return Err("proxy timeout must be >= 0".into());
        }
        if self.username.is_empty() != self.password.is_empty() {
            return Err("proxy username and password must both be specified or both be empty".into());
        }
        let _ = urls;
        Ok(())
    }
}

/// nats-server's name for a remote (its URLs, account, credentials or nkey), the way it tells
/// two remotes apart; `redacted` hides passwords and the nkey, for messages.
fn remote_name(remote: &RemoteLeaf, nkey: Option<&str>, redacted: bool) -> String {
    let urls: Vec<String> = remote
        .urls
        .iter()
        .map(|u| if redacted { super::validate_unbuilt::redact_password(u) } else { u.clone() })
        .collect();
    let account = remote.account.as_deref().unwrap_or("$G");
    let optional = match (&remote.credentials, nkey) {
        (Some(creds), _) => format!(", credentials={:?}", creds.display().to_string()),
        (None, Some(_)) if redacted => ", nkey=\"[REDACTED]\"".to_string(),
        (None, Some(nkey)) => format!(", nkey={nkey:?}"),
        (None, None) => String::new(),
    };
    format!("urls={}, account={account:?}{optional}", go_quote_list(&urls))
}
