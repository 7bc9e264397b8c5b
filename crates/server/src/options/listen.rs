//! `listen`-style addresses: a bare port, or `host:port` split as Go's `net.SplitHostPort`
//! does (`[::1]:4222`, `:4222`, `0.0.0.0:-1`).

use rnats_conf::{Entry, Map, Value};

use super::check::{go_type, plain_field, Ctx, Item, Shape, Step, LISTENER};
use super::facts::Endpoint;

/// A parsed `listen` value. An empty host means "the default host", as in nats-server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostPort {
    /// Host part (without brackets); empty when only a port was given.
    pub host: String,
    /// Port (Go's `strconv.Atoi`, so signs are allowed: `-1` asks for a random port).
    pub port: i64,
}

/// Go's `net.SplitHostPort`; the error is Go's reason (unused: nats-server replaces it).
pub(crate) fn split_host_port(hostport: &str) -> Result<(&str, &str), &'static str> {
    let Some(colon) = hostport.rfind(':') else {
        return Err("missing port in address");
    };
    let (host, open, close) = if hostport.starts_with('[') {
        let Some(end) = hostport.find(']') else {
            return Err("missing ']' in address");
        };
        if end + 1 == hostport.len() {
            return Err("missing port in address");
        }
        if end + 1 != colon {
            if hostport.as_bytes()[end + 1] == b':' {
                return Err("too many colons in address");
            }
            return Err("missing port in address");
        }
        (&hostport[1..end], 1, end + 1)
    } else {
        let host = &hostport[..colon];
        if host.contains(':') {
            return Err("too many colons in address");
        }
        (host, 0, 0)
    };
    if hostport[open..].contains('[') {
        return Err("unexpected '[' in address");
    }
    if hostport[close..].contains(']') {
        return Err("unexpected ']' in address");
    }
    Ok((host, &hostport[colon + 1..]))
}

/// Go's `strconv.Atoi` (64-bit): optional sign, decimal digits.
pub(crate) fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.strip_prefix('+').unwrap_or(text).parse().ok()
}

/// nats-server's `parseListen`: an integer port or a `host:port` string.
pub(crate) fn parse_listen(value: &Value) -> Result<HostPort, String> {
    match value {
        Value::Integer(port) => Ok(HostPort { host: String::new(), port: *port }),
        Value::String(text) => {
            let (host, port) = split_host_port(text).map_err(|_| format!("could not parse address string {text:?}"))?;
            let port = go_atoi(port).ok_or_else(|| format!("could not parse port {port:?}"))?;
            Ok(HostPort { host: host.to_string(), port })
        }
        other => Err(format!("expected port or host:port, got {}", go_type(other))),
    }
}

/// [`parse_listen`] with the error recorded at the item.
pub(crate) fn listen_item(ctx: &mut Ctx, item: Item<'_>) -> Step<HostPort> {
    parse_listen(item.value).or_else(|e| ctx.fail(item.pos, e))
}

/// A section's `listen`, `port`, `host` or `net` entry (`None` for any other key), noted in
/// `endpoint`. A wrong `listen` is reported and the section goes on, as in nats-server; a
/// value of the wrong type aborts the section.
pub(crate) fn listener_entry(ctx: &mut Ctx, key: &str, item: Item<'_>, endpoint: &mut Endpoint) -> Option<Step<()>> {
    let step = match key {
        "listen" => {
            if let Ok(hp) = listen_item(ctx, item) {
                endpoint.host = hp.host;
                endpoint.port = hp.port;
            }
            Ok(())
        }
        "port" => ctx.int(item).map(|port| endpoint.port = port),
        "host" | "net" => ctx.str(item).map(|host| endpoint.host = host.to_string()),
        _ => return None,
    };
    Some(step)
}

/// The entries of a section with a listener of its own (cluster, gateway, websocket, mqtt):
/// the listener keys are noted in `endpoint`, the section's plain `fields` checked, and the
/// rest (with the key lower-cased) handed to `other`. An aborted step ends the section.
pub(crate) fn listener_section(
    ctx: &mut Ctx,
    entries: &Map,
    fields: &[(&str, Shape)],
    endpoint: &mut Endpoint,
    other: &mut dyn FnMut(&mut Ctx, &str, &Entry) -> Step<()>,
) -> Step<()> {
    for entry in entries.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        if let Some(step) = listener_entry(ctx, &key, it, endpoint) {
            step?;
            continue;
        }
        if let Some(step) = plain_field(ctx, &[LISTENER, fields], &key, it) {
            step?;
            continue;
        }
        other(ctx, &key, entry)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listen(text: &str) -> Result<HostPort, String> {
        parse_listen(&Value::String(text.into()))
    }

    fn hp(host: &str, port: i64) -> Result<HostPort, String> {
        Ok(HostPort { host: host.into(), port })
    }

    #[test]
    fn listen_forms() {
        assert_eq!(parse_listen(&Value::Integer(4222)), hp("", 4222));
        assert_eq!(listen("127.0.0.1:4242"), hp("127.0.0.1", 4242));
        assert_eq!(listen(":4222"), hp("", 4222));
        assert_eq!(listen("[::1]:4222"), hp("::1", 4222));
        assert_eq!(listen("localhost:-1"), hp("localhost", -1));
        assert_eq!(listen("localhost:+5"), hp("localhost", 5));
    }

    #[test]
    fn listen_errors_as_nats_server() {
        assert_eq!(listen("abc"), Err(r#"could not parse address string "abc""#.into()));
        assert_eq!(listen("::1:4222"), Err(r#"could not parse address string "::1:4222""#.into()));
        assert_eq!(listen("[::1]"), Err(r#"could not parse address string "[::1]""#.into()));
        assert_eq!(listen("1.2.3.4:x"), Err(r#"could not parse port "x""#.into()));
        assert_eq!(listen("127.0.0.1:"), Err(r#"could not parse port """#.into()));
        assert_eq!(parse_listen(&Value::Bool(true)), Err("expected port or host:port, got bool".into()));
    }

    #[test]
    fn atoi() {
        assert_eq!(go_atoi("42"), Some(42));
        assert_eq!(go_atoi("-1"), Some(-1));
        assert_eq!(go_atoi("+7"), Some(7));
        assert_eq!(go_atoi(""), None);
        assert_eq!(go_atoi("-"), None);
        assert_eq!(go_atoi("4x"), None);
        assert_eq!(go_atoi("99999999999999999999"), None);
    }
}
