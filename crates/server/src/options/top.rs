//! The top level of a configuration file: every key nats-server knows, dispatched to the
//! section parsers; the plain settings rnats implements are applied here.

use std::path::PathBuf;
use std::time::Duration;

use rnats_conf::{Entry, Map, Value};

use super::auth::non_empty;
use super::check::{Ctx, Item, Step};
use super::duration::duration_field;
use super::listen::listen_item;
use super::{accounts, auth, cluster, gateway, jetstream, leafnodes, misc, mqtt, newer, operator, tls, websocket};
use super::{Limit, Options, DEFAULT_HOST};

/// Applies every top-level entry of `map` to `options`, collecting problems in `ctx`.
pub(crate) fn apply(ctx: &mut Ctx, options: &mut Options, map: &Map) {
    // nats-server settles the system account before anything else.
    if let Some(entry) = map.get("system_account").or_else(|| map.get("system")) {
        system_account(ctx, options, entry);
    }
    for entry in map.iter() {
        let errors_before = ctx.errors.len();
        let supported = apply_entry(ctx, options, entry);
        if !supported && ctx.errors.len() == errors_before {
            ctx.unsupported(entry);
        }
    }
    // Checked once every account is known, as nats-server does after the whole file.
    for account in std::mem::take(&mut ctx.facts.callout_allowed_accounts) {
        if !options.accounts.contains(&account) {
            ctx.error_unplaced(format!("auth_callout allowed account {account:?} not found in configured accounts"));
        }
    }
}

/// Applies one top-level entry. Returns whether rnats acts on it (otherwise, once it is
/// known to be valid, it gets the "not supported yet" warning). Unknown keys count as
/// supported: they are an error or a variable definition, nothing to warn about.
fn apply_entry(ctx: &mut Ctx, o: &mut Options, entry: &Entry) -> bool {
    let item = Item::entry(entry);
    let key = entry.key.to_ascii_lowercase();
    ctx.facts.place(key.as_str(), item.pos);
    // Each arm returns whether rnats implements the setting; an aborted step (a wrong type,
    // already reported) ends the arm early.
    match key.as_str() {
        // ---- Implemented ----
        "listen" => implemented(ctx, &mut |ctx| {
            let hp = listen_item(ctx, item)?;
            o.host = if hp.host.is_empty() { DEFAULT_HOST.to_string() } else { hp.host };
            o.port = port_value(ctx, item, hp.port)?;
            Ok(())
        }),
        "port" => implemented(ctx, &mut |ctx| {
            let port = ctx.int(item)?;
            o.port = port_value(ctx, item, port)?;
            Ok(())
        }),
        "host" | "net" => implemented(ctx, &mut |ctx| {
            let host = ctx.str(item)?;
            o.host = if host.is_empty() { DEFAULT_HOST.to_string() } else { host.to_string() };
            Ok(())
        }),
        "server_name" => implemented(ctx, &mut |ctx| {
            let name = ctx.str(item)?;
            if name.contains(' ') {
                return ctx.fail(item.pos, "server name cannot contain spaces");
            }
            o.server_name = non_empty(name);
            Ok(())
        }),
        "client_advertise" => implemented(ctx, &mut |ctx| {
            o.client_advertise = non_empty(ctx.str(item)?);
            Ok(())
        }),
        "debug" => implemented(ctx, &mut |ctx| {
            o.debug = ctx.bool(item)?;
            Ok(())
        }),
        "trace" => implemented(ctx, &mut |ctx| {
            o.trace = ctx.bool(item)?;
            Ok(())
        }),
        "logtime" => implemented(ctx, &mut |ctx| {
            o.logtime = ctx.bool(item)?;
            Ok(())
        }),
        "logfile" | "log_file" => implemented(ctx, &mut |ctx| {
            o.log_file = non_empty(ctx.str(item)?).map(PathBuf::from);
            Ok(())
        }),
        "pidfile" | "pid_file" => implemented(ctx, &mut |ctx| {
            o.pid_file = non_empty(ctx.str(item)?).map(PathBuf::from);
            Ok(())
        }),
        "ports_file_dir" => implemented(ctx, &mut |ctx| {
            o.ports_file_dir = non_empty(ctx.str(item)?).map(PathBuf::from);
            Ok(())
        }),
        "max_control_line" => implemented(ctx, &mut |ctx| {
            let n = int32_limit(ctx, item, &entry.key)?;
            if let Some(n) = size_value(ctx, item, &entry.key, n)? {
                o.max_control_line = n;
            }
            Ok(())
        }),
        "max_payload" => implemented(ctx, &mut |ctx| {
            let n = int32_limit(ctx, item, &entry.key)?;
            if let Some(n) = size_value(ctx, item, &entry.key, n)? {
                o.max_payload = n;
            }
            Ok(())
        }),
        "max_pending" => implemented(ctx, &mut |ctx| {
            let n = ctx.int(item)?;
            if let Some(n) = size_value(ctx, item, &entry.key, n)? {
                o.max_pending = n;
            }
            Ok(())
        }),
        "max_connections" | "max_conn" => implemented(ctx, &mut |ctx| {
            // nats-server 2.15.1 refuses every connection for 0 or less (2.9.10 read 0 as the
            // default and a negative number as no limit).
            o.max_connections = usize::try_from(ctx.int(item)?).unwrap_or(0);
            Ok(())
        }),
        "max_subscriptions" | "max_subs" => implemented(ctx, &mut |ctx| {
            // 0 is no limit here (nats-server's default); -1 too, other negatives refuse all.
            o.max_subscriptions = match ctx.int(item)? {
                0 => Limit::NONE,
                n => Limit::from_config(n),
            };
            Ok(())
        }),
        "ping_interval" => implemented(ctx, &mut |ctx| {
            let d = duration_field(ctx, "ping_interval", item)?;
            if !d.is_zero() {
                o.ping_interval = d;
            }
            Ok(())
        }),
        "ping_max" => implemented(ctx, &mut |ctx| {
            let n = ctx.int(item)?;
            match u32::try_from(n) {
                Ok(0) => {}
                Ok(n) => o.ping_max = n,
                Err(_) => ctx.error(item.pos, format!("{} value {n} is out of range", entry.key)),
            }
            Ok(())
        }),
        "write_deadline" => implemented(ctx, &mut |ctx| {
            let d = duration_field(ctx, "write_deadline", item)?;
            if !d.is_zero() {
                o.write_deadline = d;
            }
            Ok(())
        }),
        "authorization" => {
            auth::top_level(ctx, o, entry);
            true
        }
        // Settled before the loop.
        "system_account" | "system" => true,
        "no_auth_user" => implemented(ctx, &mut |ctx| {
            o.no_auth_user = non_empty(ctx.str(item)?);
            Ok(())
        }),

        // ---- Validated, not acted on yet ----
        "trace_verbose" => implemented(ctx, &mut |ctx| {
            // nats-server sets tracing with it; rnats traces without the verbose details.
            o.trace = ctx.bool(item)?;
            if o.trace {
                ctx.note(item.pos, "trace_verbose is not supported yet by rnats; tracing without the verbose details");
            }
            Ok(())
        }),
        "mappings" | "maps" => ignored(ctx, &mut |ctx| accounts::mappings(ctx, item)),
        // Accounts and their users are enforced; what inside an account is not yet gets its
        // own warning (or security gap) from the accounts parser.
        "accounts" => {
            accounts::accounts(ctx, o, item);
            true
        }
        "http" | "https" => ignored(ctx, &mut |ctx| {
            let listen = listen_item(ctx, item)?;
            monitoring_port(ctx, &key, listen.port, item);
            ctx.facts.http_host = listen.host;
            Ok(())
        }),
        "cluster" => ignored(ctx, &mut |ctx| cluster::cluster(ctx, o, item)),
        "gateway" => ignored(ctx, &mut |ctx| gateway::gateway(ctx, item)),
        "leaf" | "leafnodes" => implemented(ctx, &mut |ctx| {
            o.leafnodes = Some(leafnodes::leafnodes(ctx, item)?);
            Ok(())
        }),
        "store_dir" | "storedir" => ignored(ctx, &mut |ctx| {
            if ctx.store_dir_set {
                return ctx.fail(item.pos, "Duplicate 'store_dir' configuration");
            }
            ctx.str(item)?;
            ctx.store_dir_set = true;
            Ok(())
        }),
        "jetstream" => ignored(ctx, &mut |ctx| jetstream::jetstream(ctx, item)),
        "tls" => implemented(ctx, &mut |ctx| {
            let config = tls::tls_section(ctx, item, true)?;
            for key in &config.unsupported {
                ctx.security_gap(item.pos, format!("tls {key} is not supported by rnats"));
            }
            super::tls_serve::listener(ctx, item.pos, &config);
            o.tls = Some(config);
            Ok(())
        }),
        "allow_non_tls" => implemented(ctx, &mut |ctx| {
            o.allow_non_tls = ctx.bool(item)?;
            Ok(())
        }),
        "resolver_tls" => ignored(ctx, &mut |ctx| tls::tls_section(ctx, item, true).map(drop)),
        "ocsp" => ignored(ctx, &mut |ctx| misc::ocsp(ctx, item)),
        "lame_duck_duration" => ignored(ctx, &mut |ctx| {
            ctx.facts.lame_duck = Some(misc::lame_duck_duration(ctx, item)?);
            Ok(())
        }),
        "lame_duck_grace_period" => ignored(ctx, &mut |ctx| {
            ctx.facts.lame_duck_grace = Some(misc::lame_duck_grace_period(ctx, item)?);
            Ok(())
        }),
        "operator" | "operators" | "roots" | "root" | "root_operators" | "root_operator" => {
            ignored(ctx, &mut |ctx| operator::operator(ctx, item))
        }
        "resolver" | "account_resolver" | "accounts_resolver" => ignored(ctx, &mut |ctx| {
            let folder = operator::resolver(ctx, item)?;
            ctx.facts.resolver = true;
            ctx.facts.folder_resolver = folder;
            Ok(())
        }),
        "resolver_preload" => ignored(ctx, &mut |ctx| operator::resolver_preload(ctx, item)),
        "resolver_pinned_accounts" => {
            ignored(ctx, &mut |ctx| ctx.string_list("resolver_pinned_accounts", item).map(drop))
        }
        "trusted" | "trusted_keys" => ignored(ctx, &mut |ctx| {
            operator::trusted(ctx, item)?;
            ctx.facts.trusted_keys = true;
            Ok(())
        }),
        "websocket" | "ws" => ignored(ctx, &mut |ctx| websocket::websocket(ctx, item)),
        "mqtt" => ignored(ctx, &mut |ctx| mqtt::mqtt(ctx, item)),
        "server_tags" => ignored(ctx, &mut |ctx| misc::server_tags(ctx, item)),
        "default_js_domain" => ignored(ctx, &mut |ctx| misc::default_js_domain(ctx, item)),
        "max_sub_tokens" | "max_subscription_tokens" => ignored(ctx, &mut |ctx| {
            let n = ctx.int(item)?;
            if n > i64::from(u8::MAX) {
                ctx.error(item.pos, format!("{} value is too big", entry.key));
            } else if n <= 0 {
                ctx.error(item.pos, format!("{} value can not be negative", entry.key));
            }
            Ok(())
        }),
        // Plain values of the right type.
        "disable_sublist_cache" | "no_sublist_cache" | "syslog" | "no_header_support" => {
            ignored(ctx, &mut |ctx| ctx.bool(item).map(drop))
        }
        "no_system_account" | "no_system" | "no_sys_acc" => ignored(ctx, &mut |ctx| {
            ctx.facts.no_system_account = ctx.bool(item)?;
            Ok(())
        }),
        "http_port" | "monitor_port" | "https_port" => ignored(ctx, &mut |ctx| {
            let port = ctx.int(item)?;
            let kind = if key == "https_port" { "https" } else { "http" };
            monitoring_port(ctx, kind, port, item);
            Ok(())
        }),
        "logfile_size_limit"
        | "log_size_limit"
        | "prof_port"
        | "max_traced_msg_len"
        | "connect_error_reports"
        | "reconnect_error_reports" => ignored(ctx, &mut |ctx| ctx.int(item).map(drop)),
        "http_base_path" | "remote_syslog" => ignored(ctx, &mut |ctx| ctx.str(item).map(drop)),

        // ---- Newer than nats-server 2.9.10: accepted, as the newer servers accept them ----
        "logtime_utc" | "no_fast_producer_stall" => ignored(ctx, &mut |ctx| ctx.bool(item).map(drop)),
        "logfile_max_num" | "log_max_num" | "prof_block_rate" => ignored(ctx, &mut |ctx| ctx.int(item).map(drop)),
        "server_metadata" => ignored(ctx, &mut |ctx| misc::server_metadata(ctx, item)),
        "feature_flags" => ignored(ctx, &mut |ctx| newer::feature_flags(ctx, item)),
        "ocsp_cache" => ignored(ctx, &mut |ctx| newer::ocsp_cache(ctx, item)),
        "write_timeout" => ignored(ctx, &mut |ctx| newer::write_timeout(ctx, item).map(drop)),
        "proxies" => ignored(ctx, &mut |ctx| newer::proxies(ctx, item)),
        "proxy_protocol" => ignored(ctx, &mut |ctx| ctx.bool(item).map(drop)),
        "max_closed_clients" => ignored(ctx, &mut |ctx| ctx.int(item).map(drop)),
        "trace_headers" => implemented(ctx, &mut |ctx| {
            // Like trace_verbose: tracing on, without the header details rnats does not trace.
            o.trace = ctx.bool(item)?;
            if o.trace {
                ctx.note(item.pos, "trace_headers is not supported yet by rnats; tracing without the headers");
            }
            Ok(())
        }),
        "default_sentinel" => ignored(ctx, &mut |ctx| {
            ctx.str(item)?;
            ctx.facts.default_sentinel = true;
            Ok(())
        }),

        _ => {
            ctx.unknown_field(entry);
            true
        }
    }
}

/// Notes a monitoring port (`kind`: "http" or "https") for the start checks.
fn monitoring_port(ctx: &mut Ctx, kind: &str, port: i64, item: Item<'_>) {
    ctx.facts.place(kind, item.pos);
    if kind == "https" {
        ctx.facts.https_port = port;
    } else {
        ctx.facts.http_port = port;
    }
}

/// Runs the steps of a setting rnats implements.
fn implemented(ctx: &mut Ctx, f: &mut dyn FnMut(&mut Ctx) -> Step<()>) -> bool {
    let _ = f(ctx);
    true
}

/// Runs the checks of a setting rnats validates but does not act on yet.
fn ignored(ctx: &mut Ctx, f: &mut dyn FnMut(&mut Ctx) -> Step<()>) -> bool {
    let _ = f(ctx);
    false
}

/// `system_account`/`system`: a string (nats-server's own message otherwise).
fn system_account(ctx: &mut Ctx, o: &mut Options, entry: &Entry) {
    match &entry.value.value {
        Value::String(name) => o.system_account = non_empty(name),
        _ => ctx.error(&entry.key_pos, "system account name must be a string"),
    }
}

/// A port as rnats stores it (nats-server does not range-check ports in the file; the bind
/// fails later). Values beyond 32 bits cannot be a port at all.
fn port_value(ctx: &mut Ctx, item: Item<'_>, port: i64) -> Step<i32> {
    i32::try_from(port).or_else(|_| ctx.fail(item.pos, format!("port {port} is out of range")))
}

/// An integer limit nats-server keeps in 32 bits: `KEY value is too big` beyond that.
fn int32_limit(ctx: &mut Ctx, item: Item<'_>, key: &str) -> Step<i64> {
    let n = ctx.int(item)?;
    if n > i64::from(i32::MAX) {
        return ctx.fail(item.pos, format!("{key} value is too big"));
    }
    Ok(n)
}

/// A size or count: `None` for 0 (nats-server's "use the default"); negative values, which
/// nats-server accepts with odd effects, are an error.
fn size_value(ctx: &mut Ctx, item: Item<'_>, key: &str, n: i64) -> Step<Option<usize>> {
    if n == 0 {
        return Ok(None);
    }
    match usize::try_from(n) {
        Ok(n) => Ok(Some(n)),
        Err(_) => ctx.fail(item.pos, format!("{key} value can not be negative")),
    }
}

/// Converts a number of seconds from the file (integer or float) to a duration.
pub(crate) fn seconds(value: f64) -> Option<Duration> {
    (value.is_finite() && value >= 0.0).then(|| Duration::from_secs_f64(value.min(1e12)))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::super::testutil::{errors, first_error, load, options, warnings};
    use super::super::{Limit, Options};

    #[test]
    fn empty_file_gives_defaults() {
        let o = options("");
        let d = Options::default();
        assert_eq!((o.host.as_str(), o.port, o.max_payload), (d.host.as_str(), d.port, d.max_payload));
        assert!(warnings("").is_empty());
    }

    #[test]
    fn listen_forms() {
        let o = options("listen: 127.0.0.1:4242\n");
        assert_eq!((o.host.as_str(), o.port), ("127.0.0.1", 4242));
        let o = options("host: 10.0.0.1\nlisten: 4333\n");
        assert_eq!((o.host.as_str(), o.port), ("0.0.0.0", 4333), "a bare port resets the host, as in nats-server");
        let o = options("listen: \":4222\"\n");
        assert_eq!((o.host.as_str(), o.port), ("0.0.0.0", 4222));
        let o = options("listen: \"[::1]:-1\"\n");
        assert_eq!((o.host.as_str(), o.port), ("::1", -1));
    }

    #[test]
    fn listen_errors() {
        assert_eq!(first_error("\nlisten: \"abc\"\n"), r#"test.conf:2:1: could not parse address string "abc""#);
        assert_eq!(first_error("\nlisten: \"1.2.3.4:x\"\n"), r#"test.conf:2:1: could not parse port "x""#);
        assert_eq!(first_error("\nlisten: true\n"), "test.conf:2:1: expected port or host:port, got bool");
        assert_eq!(first_error("\nport: 99999999999\n"), "test.conf:2:1: port 99999999999 is out of range");
    }

    #[test]
    fn plain_settings() {
        let o = options(
            "port: 4333\nnet: 10.1.1.1\nserver_name: alpha\nclient_advertise: \"a.example:4222\"\n\
             debug: true\ntrace: true\nlogtime: false\nlog_file: \"/tmp/n.log\"\npid_file: \"/tmp/n.pid\"\n\
             no_auth_user: bob\nsystem_account: SYS\naccounts { SYS {}, B { users: [{user: bob, password: x}] } }\n",
        );
        assert_eq!((o.port, o.host.as_str()), (4333, "10.1.1.1"));
        assert_eq!(o.server_name.as_deref(), Some("alpha"));
        assert_eq!(o.client_advertise.as_deref(), Some("a.example:4222"));
        assert!(o.debug && o.trace && !o.logtime);
        assert_eq!(o.log_file, Some(PathBuf::from("/tmp/n.log")));
        assert_eq!(o.pid_file, Some(PathBuf::from("/tmp/n.pid")));
        assert_eq!(o.no_auth_user.as_deref(), Some("bob"));
        assert_eq!(o.system_account.as_deref(), Some("SYS"));
        let o = options("logfile: a.log\npidfile: a.pid\nhost: h\nsystem: S\naccounts { S {} }\n");
        assert_eq!((o.log_file, o.pid_file), (Some(PathBuf::from("a.log")), Some(PathBuf::from("a.pid"))));
        assert_eq!((o.host.as_str(), o.system_account.as_deref()), ("h", Some("S")));
    }

    #[test]
    fn keys_are_case_insensitive() {
        let o = options("PORT: 4333\nDebug: true\nMax_Payload: 2048\n");
        assert_eq!((o.port, o.debug, o.max_payload), (4333, true, 2048));
    }

    #[test]
    fn limits() {
        let o = options(
            "max_payload: 1MB\nmax_pending: 100MB\nmax_control_line: 2048\nmax_connections: 100\n\
             max_subscriptions: 1000\nping_max: 5\n",
        );
        assert_eq!(o.max_payload, 1024 * 1024);
        assert_eq!(o.max_pending, 100 * 1024 * 1024);
        assert_eq!((o.max_control_line, o.max_connections, o.ping_max), (2048, 100, 5));
        assert_eq!(o.max_subscriptions, Limit::from_config(1000));
        let o = options("max_conn: 7\nmax_subs: 9\n");
        assert_eq!((o.max_connections, o.max_subscriptions), (7, Limit::from_config(9)));
        // 0 keeps nats-server's default, but for max_connections (2.15.1: none at all).
        let d = Options::default();
        let o = options("max_payload: 0\nmax_subscriptions: 0\nping_max: 0\n");
        assert_eq!((o.max_payload, o.max_subscriptions, o.ping_max), (d.max_payload, d.max_subscriptions, d.ping_max));
        assert_eq!(o.max_subscriptions, Limit::NONE);
        for refuse_all in ["max_connections: 0", "max_connections: -1", "max_connections: -2"] {
            assert_eq!(options(refuse_all).max_connections, 0, "{refuse_all}");
        }
        let o = options("max_subscriptions: -1\n");
        assert_eq!(o.max_subscriptions, Limit::NONE);
        let o = options("max_subscriptions: -2\n");
        assert!(o.max_subscriptions.reached(0), "other negatives refuse every subscription");
    }

    #[test]
    fn limit_errors() {
        assert_eq!(first_error("\nmax_payload: 3000000000\n"), "test.conf:2:1: max_payload value is too big");
        assert_eq!(first_error("\nMAX_CONTROL_LINE: 3000000000\n"), "test.conf:2:1: MAX_CONTROL_LINE value is too big");
        assert_eq!(first_error("\nmax_payload: -5\n"), "test.conf:2:1: max_payload value can not be negative");
        assert_eq!(first_error("\nping_max: -1\n"), "test.conf:2:1: ping_max value -1 is out of range");
        assert_eq!(
            first_error("\nmax_payload: \"1MB\"\n"),
            "test.conf:2:1: interface conversion: interface {} is string, not int64"
        );
    }

    #[test]
    fn durations() {
        let o = options("ping_interval: \"2m\"\nwrite_deadline: \"1.5s\"\n");
        assert_eq!((o.ping_interval, o.write_deadline), (Duration::from_secs(120), Duration::from_millis(1500)));
        // A bare number is seconds, with nats-server's warning.
        let loaded = load("\nping_interval: 30\n").expect("valid");
        assert_eq!(loaded.options.ping_interval, Duration::from_secs(30));
        assert_eq!(
            loaded.warnings,
            [r#"test.conf:2:1: invalid use of field "ping_interval": ping_interval should be converted to a duration"#]
        );
        assert_eq!(
            first_error("\nping_interval: \"2x\"\n"),
            r#"test.conf:2:1: error parsing ping_interval: time: unknown unit "x" in duration "2x""#
        );
        assert_eq!(
            first_error("\nwrite_deadline: \"x\"\n"),
            r#"test.conf:2:1: error parsing write_deadline: time: invalid duration "x""#
        );
        assert_eq!(
            errors("\nping_interval: true\n"),
            [
                r#"test.conf:2:1: invalid use of field "ping_interval": ping_interval should be converted to a duration"#,
                "test.conf:2:1: interface conversion: interface {} is bool, not int64",
            ]
        );
    }

    #[test]
    fn wrong_types_use_nats_server_messages() {
        assert_eq!(
            first_error("\nport: \"abc\"\n"),
            "test.conf:2:1: interface conversion: interface {} is string, not int64"
        );
        assert_eq!(first_error("\ndebug: 1\n"), "test.conf:2:1: interface conversion: interface {} is int64, not bool");
        assert_eq!(
            first_error("\nhost: 5\n"),
            "test.conf:2:1: interface conversion: interface {} is int64, not string"
        );
        assert_eq!(
            first_error("\nport: 2016-05-04T18:53:41Z\n"),
            "test.conf:2:1: interface conversion: interface {} is time.Time, not int64"
        );
        assert_eq!(
            first_error("\nport: { a: 1 }\n"),
            "test.conf:2:1: interface conversion: interface {} is map[string]interface {}, not int64"
        );
        assert_eq!(first_error("\nsystem_account: 5\n"), "test.conf:2:1: system account name must be a string");
    }

    #[test]
    fn unknown_fields() {
        assert_eq!(first_error("\nmonitoring_port: 8222\n"), r#"test.conf:2:1: unknown field "monitoring_port""#);
        // A variable definition that is used is not an unknown field; an unused one is.
        assert_eq!(options("\nPORT_NUMBER: 4333\nport: $PORT_NUMBER\n").port, 4333);
        assert_eq!(first_error("\nBOB_PASS: x\n"), r#"test.conf:2:1: unknown field "BOB_PASS""#);
    }

    #[test]
    fn all_errors_are_collected_in_file_order() {
        assert_eq!(
            errors("\nport: \"x\"\nhost: 5\nfoo: 1\n"),
            [
                "test.conf:2:1: interface conversion: interface {} is string, not int64",
                "test.conf:3:1: interface conversion: interface {} is int64, not string",
                r#"test.conf:4:1: unknown field "foo""#,
            ]
        );
        // nats-server prints its warnings ahead of its errors.
        assert_eq!(
            errors("\nfoo: 1\nwrite_deadline: 5\n"),
            [
                r#"test.conf:3:1: invalid use of field "write_deadline": write_deadline should be converted to a duration"#,
                r#"test.conf:2:1: unknown field "foo""#,
            ]
        );
    }

    #[test]
    fn unsupported_settings_warn_once_each() {
        assert_eq!(
            warnings("\nhttp: 8222\ncluster { port: 6222 }\nsyslog: false\n"),
            [
                "test.conf:2:1: http is not supported yet by rnats; the setting is ignored",
                "test.conf:3:1: cluster is not supported yet by rnats; the setting is ignored",
                "test.conf:4:1: syslog is not supported yet by rnats; the setting is ignored",
            ]
        );
        // Invalid ones are errors, without the warning.
        assert_eq!(errors("\nhttp_port: \"x\"\n").len(), 1);
    }

    #[test]
    fn every_known_top_level_key_is_recognised() {
        let text = r#"
            http: "127.0.0.1:8222"
            http_port: 8222
            monitor_port: 8222
            http_base_path: "/nats"
            disable_sublist_cache: true
            no_sublist_cache: true
            syslog: false
            remote_syslog: "udp://localhost:514"
            prof_port: 6060
            max_traced_msg_len: 100
            max_sub_tokens: 16
            no_system_account: false
            no_header_support: false
            connect_error_reports: 10
            reconnect_error_reports: 10
            lame_duck_duration: "2m"
            lame_duck_grace_period: "10s"
            logfile_size_limit: 1GB
            server_tags: ["a", "b"]
            default_js_domain: { "$G": "hub" }
            ocsp: false
            store_dir: "/tmp/js"
            trace_verbose: false
            logtime_utc: true
            logfile_max_num: 3
            server_metadata: { a: "b" }
            feature_flags: { x: true }
            no_fast_producer_stall: true
            proxy_protocol: false
            max_closed_clients: 100
            trace_headers: false
            write_timeout: "close"
            proxies: { trusted: [ { key: "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4" } ] }
            ocsp_cache: { type: local, local_store: "/tmp/ocsp", preserve_revoked: true, save_interval: "5m" }
        "#;
        let loaded = load(text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(loaded.warnings.len(), 32, "one each, trace_* off need none: {:#?}", loaded.warnings);
        let https = load("\nhttps: 8443\nhttps_port: 8443\n").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(https.warnings.len(), 2);
    }

    #[test]
    fn trace_verbose_turns_tracing_on() {
        assert!(options("trace_verbose: true\n").trace);
    }
}
