//! nats-server's start checks of settings rnats does not act on yet (lame duck mode, operator
//! sentinels, leaf compression, gateways, clusters, MQTT, JetStream, websockets, monitoring),
//! over the options (the cluster's, which flags may change) and what the parsers noted in
//! [`Facts`]: a configuration nats-server would refuse to start must not pass rnats's `-t`
//! either, whether or not rnats would use the setting.

use std::time::Duration;

use super::auth::is_valid_subject;
use super::compression::CompressionOptions;
use super::duration::format_go_duration;
use super::facts::{Facts, Listener};
use super::validate::{invalid, no_auth_user, Invalid};
use super::{ClusterOptions, Options};

/// The grace period must end before lame duck mode does.
pub(crate) fn lame_duck(facts: &Facts) -> Result<(), Invalid> {
    let duration = facts.lame_duck.unwrap_or(Duration::from_secs(120));
    let grace = facts.lame_duck_grace.unwrap_or(Duration::from_secs(10));
    if grace < duration {
        return Ok(());
    }
    let message = format!(
        "lame duck grace period ({}) should be strictly lower than lame duck duration ({})",
        go_duration(grace),
        go_duration(duration)
    );
    Err(invalid(facts, &["lame_duck_grace_period", "lame_duck_duration"], message))
}

/// Operator mode takes its accounts and users from JWTs, through a resolver; a default
/// sentinel user is for operator mode only.
pub(crate) fn operators(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    if !facts.operator_mode {
        if facts.default_sentinel {
            return Err(invalid(
                facts,
                &["default_sentinel"],
                "default sentinel requires operators and accounts".into(),
            ));
        }
        return Ok(());
    }
    let keys = ["operator", "operators", "roots", "root", "root_operators", "root_operator"];
    let fail = |message: &str| Err(invalid(facts, &keys, message.to_string()));
    if !facts.resolver {
        return fail("operators require an account resolver to be configured");
    }
    if !o.accounts.is_empty() {
        return fail("operators do not allow Accounts to be configured directly");
    }
    if !o.users.is_empty() {
        return fail("operators do not allow users to be configured directly");
    }
    if facts.trusted_keys {
        return fail("conflicting options for 'TrustedKeys' and 'TrustedOperators'");
    }
    Ok(())
}

/// Leaf compression modes, websocket URLs not mixed with others in a remote, and a system
/// account when a leaf listener sits beside a gateway.
pub(crate) fn leafnodes(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    for (compression, pos) in &facts.leaf_compression {
        compression_mode(compression, Some(pos))?;
    }
    for (urls, pos) in &facts.leaf_remote_urls {
        let websocket = |url: &String| url.get(..2).is_some_and(|s| s.eq_ignore_ascii_case("ws"));
        if urls.iter().any(websocket) && !urls.iter().all(websocket) {
            let shown: Vec<String> = urls.iter().map(|u| redact_password(u)).collect();
            let message = format!(
                "remote leaf node configuration cannot have a mix of websocket and non-websocket urls: {}",
                super::check::go_quote_list(&shown)
            );
            return Err(Invalid { pos: Some(pos.clone()), message });
        }
    }
    let listening = o.leafnodes.as_ref().is_some_and(|l| l.port.is_some_and(|p| p != 0));
    let gateway = facts.gateway.as_ref().is_some_and(|g| !g.name.is_empty() || g.endpoint.port != 0);
    if listening && gateway && o.system_account.is_none() {
        let message = "leaf nodes and gateways (both being defined) require a system account to also be configured";
        return Err(invalid(facts, &["leafnodes"], message.into()));
    }
    Ok(())
}

/// A gateway needs a name and a port; the gateways it lists need names and URLs.
pub(crate) fn gateway(facts: &Facts) -> Result<(), Invalid> {
    let Some(gateway) = &facts.gateway else { return Ok(()) };
    let fail = |message: String| Err(Invalid { pos: gateway.pos.clone(), message });
    if gateway.name.is_empty() && gateway.endpoint.port == 0 {
        return Ok(());
    }
    if gateway.name.is_empty() {
        return fail("gateway has no name".into());
    }
    if gateway.endpoint.port == 0 {
        return fail(format!("gateway {:?} has no port specified (select -1 for random port)", gateway.name));
    }
    for (i, (name, has_urls)) in gateway.gateways.iter().enumerate() {
        if name.is_empty() {
            return fail(format!("gateway in the list {i} has no name"));
        }
        if !has_urls {
            return fail(format!("gateway {name:?} has no URL"));
        }
    }
    Ok(())
}

/// The cluster name, compression, the name against the gateway's, pinned accounts.
pub(crate) fn cluster(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(cluster) = &o.cluster else {
        return Ok(());
    };
    // The file refuses a name with a space where it is written: this one came from a flag.
    if cluster.name.as_deref().is_some_and(|name| name.contains(' ')) {
        return Err(Invalid { pos: None, message: "cluster name cannot contain spaces".into() });
    }
    let fail = |message: String| Err(invalid(facts, &["cluster"], message));
    if !cluster.compression.mode.is_empty() {
        compression_mode(&cluster.compression, facts.at("cluster.compression"))?;
    }
    let gateway_name = facts.gateway.as_ref().map(|g| g.name.as_str()).unwrap_or_default();
    if !gateway_name.is_empty() && cluster.name.as_deref().is_some_and(|name| name != gateway_name) {
        return fail("cluster name conflicts between cluster and gateway definitions".into());
    }
    if !cluster.pinned_accounts.is_empty() {
        if cluster.pool_size() < 0 {
            return fail("pool_size cannot be negative if pinned accounts are specified".into());
        }
        let pinned = cluster.pinned_accounts(o.system_account.as_deref(), facts.no_system_account);
        for (i, account) in pinned.iter().enumerate() {
            if pinned[..i].contains(account) {
                let list = super::check::go_quote_list(&pinned);
                return fail(format!("found duplicate account name {account:?} in pinned accounts list {list}"));
            }
        }
    }
    Ok(())
}

/// MQTT needs a server name in a cluster, consistent authentication, JetStream.
pub(crate) fn mqtt(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(mqtt) = facts.mqtt.as_ref().filter(|m| m.endpoint.port != 0) else { return Ok(()) };
    let fail = |message: &str| Err(Invalid { pos: mqtt.pos.clone(), message: message.to_string() });
    let clustered = o.cluster.as_ref().is_some_and(ClusterOptions::is_enabled);
    let gateway = facts.gateway.as_ref().is_some_and(|g| g.endpoint.port != 0);
    if o.server_name.is_none() && (clustered || gateway) {
        return fail("mqtt requires server name to be explicitly set");
    }
    listener_auth(o, facts, mqtt, "mqtt")?;
    if mqtt.ack_wait_negative {
        return fail("ack wait must be a positive value");
    }
    if mqtt.js_api_timeout_negative {
        return fail("JS API timeout must be a positive value");
    }
    let leaf = o.leafnodes.as_ref().is_some_and(|l| l.port.is_some_and(|p| p != 0) || !l.remotes.is_empty());
    if !facts.jetstream && !clustered && !gateway && !leaf {
        return fail("mqtt requires JetStream to be enabled if running in standalone mode");
    }
    let (streams, consumers) = mqtt.replicas;
    if consumers > 0 && streams > 0 && consumers > streams {
        return fail(&format!(
            "mqtt: consumer_replicas ({consumers}) cannot be higher than stream_replicas ({streams})"
        ));
    }
    Ok(())
}

/// `no_auth_user`, `username` and `token` of a websocket or MQTT listener against the users.
fn listener_auth(o: &Options, facts: &Facts, listener: &Listener, kind: &str) -> Result<(), Invalid> {
    let at = |message: String| Err(Invalid { pos: listener.pos.clone(), message });
    let no_auth = (!listener.no_auth_user.is_empty()).then_some(listener.no_auth_user.as_str());
    no_auth_user(o, facts, no_auth, "").map_err(|e| Invalid { pos: listener.pos.clone(), ..e })?;
    if !o.users.is_empty() {
        if !listener.username.is_empty() {
            return at(format!("{kind} authentication username not compatible with presence of users/nkeys"));
        }
        if !listener.token.is_empty() {
            return at(format!("{kind} authentication token not compatible with presence of users/nkeys"));
        }
    }
    Ok(())
}

/// JetStream domains: existing accounts, valid names; a JetStream cluster needs names.
pub(crate) fn jetstream(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let system = o.system_account.as_deref().unwrap_or("$SYS");
    for (account, domain, pos) in &facts.default_js_domain {
        let fail = |message: String| Err(Invalid { pos: Some(pos.clone()), message });
        if !facts.operator_mode {
            let reserved = account == "$G";
            if !reserved && !o.accounts.contains(account) {
                return fail(format!(
                    "in non operator mode, `default_js_domain` references non existing account {account:?}"
                ));
            }
            if !reserved && !domain.is_empty() && facts.jetstream_accounts.iter().any(|(a, _)| a == account) {
                return fail(format!("default_js_domain contains account name {account:?} with enabled JetStream"));
            }
        }
        if account == system {
            return fail(format!("system account {account:?} can not be in default_js_domain"));
        }
        if !domain.is_empty() && !is_valid_subject(&format!("$JS.{domain}.API.>")) {
            return fail(format!("default_js_domain contains account {account:?} with invalid domain name {domain:?}"));
        }
    }
    if let Some((domain, pos)) = &facts.jetstream_domain {
        let fail = |message: String| Err(Invalid { pos: Some(pos.clone()), message });
        let subject = format!("$JS.{domain}.API.>");
        if !is_valid_subject(&subject) {
            return fail(format!("invalid domain name: derived {subject:?} is not a valid subject"));
        }
        if domain.contains([' ', '\t', '\r', '\n', '\x0c', '.', '*', '>']) {
            return fail("invalid domain name: may not contain ., * or >".into());
        }
    }
    let Some(cluster) = o.cluster.as_ref().filter(|c| c.is_enabled() && facts.jetstream) else {
        return Ok(());
    };
    let fail = |message: &str| Err(invalid(facts, &["cluster"], message.to_string()));
    if o.server_name.is_none() {
        return fail("jetstream cluster requires `server_name` to be set");
    }
    if cluster.name.is_none() {
        return fail("jetstream cluster requires `cluster.name` to be set");
    }
    Ok(())
}

/// Websockets need TLS (or `no_tls`), parseable origins, consistent authentication, trusted
/// keys for JWT cookies, and no headers the protocol owns.
pub(crate) fn websocket(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(ws) = facts.websocket.as_ref().filter(|w| w.endpoint.port != 0) else { return Ok(()) };
    let fail = |message: String| Err(Invalid { pos: ws.pos.clone(), message });
    if !ws.tls && !ws.no_tls {
        return fail("websocket requires TLS configuration".into());
    }
    for origin in &ws.origins {
        let Some((scheme, rest)) = origin.split_once("://").filter(|(s, _)| !s.is_empty()) else {
            return fail(format!("unable to parse allowed origin: parse {origin:?}: invalid URI for request"));
        };
        if scheme != "http" && scheme != "https" {
            return fail(format!(
                "unable to parse allowed origin {origin:?}: allowed origins must be absolute URLs with http or https scheme"
            ));
        }
        if rest.split(['/', '?', '#']).next().unwrap_or_default().is_empty() {
            return fail(format!("unable to parse allowed origin {origin:?}: host is required"));
        }
    }
    listener_auth(o, facts, ws, "websocket")?;
    if !ws.jwt_cookie.is_empty() && !facts.operator_mode && !facts.trusted_keys {
        return fail(format!(
            "trusted operators or trusted keys configuration is required for JWT authentication via cookie {:?}",
            ws.jwt_cookie
        ));
    }
    for name in &ws.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "host" | "content-length" | "connection" | "upgrade" | "nats-no-masking") {
            return fail(format!("websocket: invalid header {name:?} not allowed"));
        }
        if lower.starts_with("sec-websocket-") {
            return fail(format!("websocket: invalid header {name:?}, \"Sec-WebSocket-\" prefix not allowed"));
        }
    }
    Ok(())
}

/// The monitoring listener serves HTTP or HTTPS, not both (checked when it starts).
pub(crate) fn monitoring(facts: &Facts) -> Result<(), Invalid> {
    if facts.http_port != 0 && facts.https_port != 0 {
        let message = format!(
            "Can't start monitoring: can't specify both HTTP ({}) and HTTPs ({}) ports",
            facts.http_port, facts.https_port
        );
        return Err(invalid(facts, &["https", "http"], message));
    }
    Ok(())
}

/// Two listeners of the configuration on one port: the one nats-server binds later fails
/// (it binds monitoring, gateway, websocket, leaf node, MQTT, client, then route listeners).
pub(crate) fn ports(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let default = |host: &str| if host.is_empty() { "0.0.0.0".to_string() } else { host.to_string() };
    let client_host = default(&o.host);
    let section = |endpoint: Option<&super::facts::Endpoint>, pos: Option<&Option<rnats_conf::Pos>>| {
        endpoint.map(|e| (default(&e.host), e.port, pos.cloned().flatten()))
    };
    let monitor_port = if facts.http_port != 0 { facts.http_port } else { facts.https_port };
    let monitor_host = if facts.http_host.is_empty() { client_host.clone() } else { facts.http_host.clone() };
    let leaf = o.leafnodes.as_ref().and_then(|l| {
        let port = i64::from(l.port?);
        Some((default(l.host.as_deref().unwrap_or("")), port, facts.at("leafnodes").cloned()))
    });
    let client_pos = facts.at("listen").or_else(|| facts.at("port")).cloned();
    let listeners: [(Kind, Option<Bound>); 7] = [
        (Kind::Monitor, Some((monitor_host, monitor_port, facts.at("http").or_else(|| facts.at("https")).cloned()))),
        (Kind::Gateway, section(facts.gateway.as_ref().map(|g| &g.endpoint), facts.gateway.as_ref().map(|g| &g.pos))),
        (
            Kind::Websocket,
            section(facts.websocket.as_ref().map(|w| &w.endpoint), facts.websocket.as_ref().map(|w| &w.pos)),
        ),
        (Kind::Leaf, leaf),
        (Kind::Mqtt, section(facts.mqtt.as_ref().map(|m| &m.endpoint), facts.mqtt.as_ref().map(|m| &m.pos))),
        (Kind::Client, Some((client_host, i64::from(o.listen_port()), client_pos))),
        // Routes wait for the client listener.
        (Kind::Route, o.cluster.as_ref().map(|c| (default(&c.host), c.port, facts.at("cluster").cloned()))),
    ];
    let wildcard = |host: &str| matches!(host, "0.0.0.0" | "::" | "[::]");
    let mut bound: Vec<(&str, i64)> = Vec::new();
    for (kind, listener) in &listeners {
        let Some((host, port, pos)) = listener.as_ref().filter(|(_, port, _)| *port > 0) else { continue };
        let clash = bound.iter().any(|(h, p)| p == port && (h == host || wildcard(h) || wildcard(host)));
        if clash {
            return Err(Invalid { pos: pos.clone(), message: kind.bind_failure(host, *port) });
        }
        bound.push((host, *port));
    }
    Ok(())
}

/// A listener's host, port and place in the file.
type Bound = (String, i64, Option<rnats_conf::Pos>);

/// The listeners nats-server starts, for their failure texts.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Monitor,
    Gateway,
    Websocket,
    Leaf,
    Mqtt,
    Route,
    Client,
}

impl Kind {
    /// nats-server's text when this listener's port is taken.
    fn bind_failure(self, host: &str, port: i64) -> String {
        let hp = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        let error = format!("listen tcp {hp}: bind: address already in use");
        match self {
            Kind::Monitor => format!("Can't start monitoring: can't listen to the monitor port: {error}"),
            Kind::Gateway => format!("Error listening on gateway port: {port} - {error}"),
            Kind::Websocket => format!("Unable to listen for websocket connections: {error}"),
            Kind::Leaf => format!("Error listening on leafnode port: {port} - {error}"),
            Kind::Mqtt => format!("Unable to listen for MQTT connections: {error}"),
            Kind::Route => format!("Error listening on router port: {port} - {error}"),
            Kind::Client => format!("Error listening on port: {hp}, {error:?}"),
        }
    }
}

/// A folder account resolver serves operator mode: without trusted operators it cannot start.
pub(crate) fn resolver_start(facts: &Facts) -> Result<(), Invalid> {
    if facts.folder_resolver && !facts.operator_mode && !facts.trusted_keys {
        let keys = ["resolver", "account_resolver", "accounts_resolver"];
        return Err(invalid(facts, &keys, "Could not start resolver: no operator key found".into()));
    }
    Ok(())
}

/// JetStream may not be enabled in the system account; its encryption keys from a TPM exist
/// on Windows only (checked when JetStream starts).
pub(crate) fn jetstream_start(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let system = o.system_account.as_deref().unwrap_or("$SYS");
    if let Some((_, pos)) = facts.jetstream_accounts.iter().find(|(a, _)| facts.jetstream && a == system) {
        let message = "Not allowed to enable JetStream on the system account".to_string();
        return Err(Invalid { pos: Some(pos.clone()), message });
    }
    match &facts.jetstream_tpm {
        Some(pos) if facts.jetstream => Err(Invalid {
            pos: Some(pos.clone()),
            message: "Can't start JetStream: TPM functionality is not supported on this platform".into(),
        }),
        _ => Ok(()),
    }
}

/// A compression mode nats-server knows, with RTT thresholds in order.
fn compression_mode(c: &CompressionOptions, pos: Option<&rnats_conf::Pos>) -> Result<(), Invalid> {
    let fail = |message: String| Err(Invalid { pos: pos.cloned(), message });
    let mode = c.mode.to_ascii_lowercase();
    match mode.as_str() {
        "on" | "enabled" | "true" | "not supported" | "not_supported" | "disabled" | "off" | "false" | "accept"
        | "fast" | "s2_fast" | "better" | "s2_better" | "best" | "s2_best" => Ok(()),
        "auto" | "s2_auto" => {
            if c.rtt_thresholds.is_empty() {
                return Ok(());
            }
            let shown = || {
                let items: Vec<String> = c.rtt_thresholds.iter().map(|d| go_duration(*d)).collect();
                format!("[{}]", items.join(" "))
            };
            let mut kept: Vec<Duration> = Vec::new();
            for &rtt in &c.rtt_thresholds {
                if !kept.is_empty() && !rtt.is_zero() && kept.iter().any(|&v| rtt < v) {
                    return fail(format!("RTT threshold values {} should be in ascending order", shown()));
                }
                kept.push(rtt);
            }
            while kept.last().is_some_and(|d| d.is_zero()) {
                kept.pop();
            }
            if kept.len() > 4 {
                return fail(format!(
                    "compression mode {:?} should have no more than 4 RTT thresholds: {}",
                    c.mode,
                    shown()
                ));
            }
            if kept.is_empty() {
                return fail(format!("compression mode {:?} requires at least one RTT threshold", c.mode));
            }
            Ok(())
        }
        _ => fail(format!("unsupported compression mode {:?}", c.mode)),
    }
}

/// Go's `time.Duration` text.
fn go_duration(d: Duration) -> String {
    format_go_duration(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// A URL as Go's `url.Redacted` shows it: the password as `xxxxx`.
pub(crate) fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:xxxxx@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}
