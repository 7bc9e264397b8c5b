//! Go's `net/url.Parse`, which nats-server uses for every URL of another server (`routes` and
//! `--routes`, `--cluster`, gateway and leaf node URLs): what it accepts, the parts nats-server
//! reads, and its error texts, as in the Go nats-server 2.15.1 is built with (a bracketed host
//! must be an IPv6 address).

use super::go_netip::{parse_addr, IpKind};
use crate::errors::go_quote;

/// A URL of another server, as Go's `url.Parse` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerUrl {
    /// The text it was read from.
    pub text: String,
    /// The scheme, lower-cased (`nats`, `nats-route`, `tls`, ...; empty when there is none).
    pub scheme: String,
    /// The user name of `user:password@`, decoded; `None` without user information.
    pub username: Option<String>,
    /// The password, decoded: `None` when the user information has no `:` (`u@host`), empty
    /// for `u:@host`.
    pub password: Option<String>,
    /// Go's `URL.Host`: the host, decoded (an IPv6 address in brackets), and the `:port` as
    /// written; empty when the URL has no `//` authority (`nats:host:4222` is opaque to Go).
    pub host: String,
}

impl ServerUrl {
    /// Go's `url.Parse(text)`; the error is Go's (`parse "text": reason`).
    pub fn parse(text: &str) -> Result<ServerUrl, String> {
        // Go parses the fragment last and names the whole text only for its errors.
        let (reference, fragment) = match text.split_once('#') {
            Some((reference, fragment)) => (reference, Some(fragment)),
            None => (text, None),
        };
        let failed = |named: &str, reason: String| format!("parse {}: {reason}", go_quote(named.as_bytes()));
        let mut url = parse_reference(reference).map_err(|reason| failed(reference, reason))?;
        if let Some(fragment) = fragment {
            unescape(fragment, Part::Other).map_err(|reason| failed(text, reason))?;
        }
        url.text = text.to_string();
        Ok(url)
    }

    /// Go's `URL.Hostname()`: the host without the port and without IPv6 brackets.
    pub fn hostname(&self) -> &str {
        split_port(&self.host).0
    }

    /// Go's `URL.Port()`: the digits after the host's last `:`, if any.
    pub fn port(&self) -> Option<&str> {
        split_port(&self.host).1
    }
}

/// Go's `splitHostPort` of `net/url`: a trailing `:digits` is the port.
fn split_port(host: &str) -> (&str, Option<&str>) {
    let (name, port) = match host.rfind(':') {
        Some(colon) if host[colon + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&host[..colon], Some(&host[colon + 1..]).filter(|p| !p.is_empty()))
        }
        _ => (host, None),
    };
    let name = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(name);
    (name, port)
}

/// Go's `parse(rawURL, false)`: everything but the fragment.
fn parse_reference(text: &str) -> Result<ServerUrl, String> {
    if text.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let (scheme, rest) = split_scheme(text)?;
    let mut url = ServerUrl { scheme: scheme.to_ascii_lowercase(), ..ServerUrl::default() };
    // The query is not checked; a lone trailing `?` is an empty one.
    let rest = match rest.split_once('?') {
        Some((before, _)) => before,
        None => rest,
    };
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            // `scheme:opaque`: Go reads nothing more.
            return Ok(url);
        }
        if rest.split('/').next().is_some_and(|segment| segment.contains(':')) {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    let mut path = rest;
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let after = &rest[2..];
        let (authority, after_authority) = after.split_at(after.find('/').unwrap_or(after.len()));
        authority_into(authority, &mut url)?;
        path = after_authority;
    }
    unescape(path, Part::Other)?;
    Ok(url)
}

/// Go's `getScheme`: letters, then letters, digits, `+`, `-`, `.` up to a `:`.
fn split_scheme(text: &str) -> Result<(&str, &str), String> {
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&text[..i], &text[i + 1..])),
            _ => break,
        }
    }
    Ok(("", text))
}

/// Go's `parseAuthority`: `[userinfo@]host[:port]`, the host checked first.
fn authority_into(authority: &str, url: &mut ServerUrl) -> Result<(), String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    url.host = parse_host(host)?;
    let Some(userinfo) = userinfo else { return Ok(()) };
    if !userinfo.chars().all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c)) {
        return Err("net/url: invalid userinfo".into());
    }
    match userinfo.split_once(':') {
        Some((user, password)) => {
            url.username = Some(unescape(user, Part::Other)?);
            url.password = Some(unescape(password, Part::Other)?);
        }
        None => url.username = Some(unescape(userinfo, Part::Other)?),
    }
    Ok(())
}

/// Go's `parseHost`: a port of digits only; an IP literal in brackets, which may carry a
/// `%25`-escaped zone, must be an IPv6 address.
fn parse_host(host: &str) -> Result<String, String> {
    let invalid_port = |port: &str| format!("invalid port {} after host", go_quote(port.as_bytes()));
    let digits =
        |port: &str| port.is_empty() || port.strip_prefix(':').is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()));
    if !host.starts_with('[') {
        if let Some(colon) = host.rfind(':') {
            if !digits(&host[colon..]) {
                return Err(invalid_port(&host[colon..]));
            }
        }
        return unescape(host, Part::Host);
    }
    let Some(close) = host.rfind(']') else {
        return Err("missing ']' in host".into());
    };
    let port = &host[close + 1..];
    if !digits(port) {
        return Err(invalid_port(port));
    }
    let address = match host[..close].find("%25") {
        Some(zone) => unescape(&host[1..zone], Part::Host)? + &unescape(&host[zone..close], Part::Zone)?,
        None => unescape(&host[1..close], Part::Host)?,
    };
    match parse_addr(&address) {
        Ok(IpKind::V6) => Ok(format!("[{address}]{port}")),
        Ok(IpKind::V4) => Err("invalid IP-literal".into()),
        Err(reason) => Err(format!("invalid host: {reason}")),
    }
}

/// Which part of a URL is decoded: the host and an IPv6 zone allow fewer characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Host,
    Zone,
    Other,
}

/// Go's `unescape` (never in query mode): `%XX` decoded, with Go's limits on the host.
fn unescape(text: &str, part: Part) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'%' {
            if part != Part::Other && b < 0x80 && !host_byte(b) {
                return Err(format!("invalid character {} in host name", go_quote(&bytes[i..=i])));
            }
            out.push(b);
            i += 1;
            continue;
        }
        let escape = &bytes[i..bytes.len().min(i + 3)];
        let invalid = || format!("invalid URL escape {}", go_quote(escape));
        let (Some(high), Some(low)) = (hex(escape.get(1)), hex(escape.get(2))) else {
            return Err(invalid());
        };
        let decoded = high << 4 | low;
        let percent = escape == b"%25";
        // In a host only bytes beyond ASCII may be escaped, and `%25` for a zone; a zone may
        // escape what it could hold unescaped (and a space).
        let refused = match part {
            Part::Host => high < 8 && !percent,
            Part::Zone => !percent && decoded != b' ' && !host_byte(decoded),
            Part::Other => false,
        };
        if refused {
            return Err(invalid());
        }
        out.push(decoded);
        i += 3;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A hex digit's value.
fn hex(b: Option<&u8>) -> Option<u8> {
    let b = *b?;
    (b as char).to_digit(16).map(|d| d as u8)
}

/// An ASCII byte Go lets stand unescaped in a host (`host:port` and `[...]` included).
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&b)
}

/// Texts checked against nats-server 2.15.1 (`--cluster URL` prints `url.Parse`'s error).
#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> ServerUrl {
        ServerUrl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> String {
        ServerUrl::parse(text).expect_err(text)
    }

    #[test]
    fn parts() {
        let u = url("nats-route://ruser:top%40secret@127.0.0.1:5246");
        assert_eq!(u.scheme, "nats-route");
        assert_eq!((u.username.as_deref(), u.password.as_deref()), (Some("ruser"), Some("top@secret")));
        assert_eq!((u.host.as_str(), u.hostname(), u.port()), ("127.0.0.1:5246", "127.0.0.1", Some("5246")));
        let u = url("TLS://[::1]:4222/path?x#y");
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.hostname(), u.port()),
            ("tls", "[::1]:4222", "::1", Some("4222"))
        );
        let u = url("nats://u@h");
        assert_eq!((u.username.as_deref(), u.password.as_deref(), u.port()), (Some("u"), None, None));
        assert_eq!(url("nats://u:@h:").password.as_deref(), Some(""));
        assert_eq!(url("nats://h:").port(), None);
        assert_eq!(url("nats://[fe80::1%25en0]:1").host, "[fe80::1%en0]:1");
        assert_eq!(url("nats://h%c3%a9:1").hostname(), "hé");
        // No `//`: no host, as Go reads them.
        assert_eq!(url("nats:127.0.0.1:4222").host, "");
        assert_eq!(url("localhost").host, "");
        assert_eq!(url("//127.0.0.1:4222").host, "127.0.0.1:4222");
        assert_eq!(url("a:b/c:d").scheme, "a");
        url("nats://h:1?%zz");
        url("nats://h:1/a b");
    }

    #[test]
    fn errors_as_go() {
        let cases = [
            ("x y://a:1", r#"parse "x y://a:1": first path segment in URL cannot contain colon"#),
            ("127.0.0.1:4248", r#"parse "127.0.0.1:4248": first path segment in URL cannot contain colon"#),
            (":foo", r#"parse ":foo": missing protocol scheme"#),
            ("nats://h\u{1}:1", r#"parse "nats://h\x01:1": net/url: invalid control character in URL"#),
            ("nats://127.0.0.1:x", r#"parse "nats://127.0.0.1:x": invalid port ":x" after host"#),
            ("nats://127.0.0.1:+1", r#"parse "nats://127.0.0.1:+1": invalid port ":+1" after host"#),
            ("nats://a b:1", r#"parse "nats://a b:1": invalid character " " in host name"#),
            ("nats://h|x:1", r#"parse "nats://h|x:1": invalid character "|" in host name"#),
            ("nats://h%41:1", r#"parse "nats://h%41:1": invalid URL escape "%41""#),
            ("nats://u%zz:p@h:1", r#"parse "nats://u%zz:p@h:1": invalid URL escape "%zz""#),
            ("nats://u{:p@h:1", r#"parse "nats://u{:p@h:1": net/url: invalid userinfo"#),
            ("nats://é:p@h:1", r#"parse "nats://é:p@h:1": net/url: invalid userinfo"#),
            ("nats://h:1/%zz", r#"parse "nats://h:1/%zz": invalid URL escape "%zz""#),
            ("nats://h:1/%4", r#"parse "nats://h:1/%4": invalid URL escape "%4""#),
            ("nats://h:1#%zz", r#"parse "nats://h:1#%zz": invalid URL escape "%zz""#),
            ("nats://h:x#y", r#"parse "nats://h:x": invalid port ":x" after host"#),
            ("nats://[::1", r#"parse "nats://[::1": missing ']' in host"#),
            ("nats://[::1]:1x", r#"parse "nats://[::1]:1x": invalid port ":1x" after host"#),
            ("nats://[a%zz]:1", r#"parse "nats://[a%zz]:1": invalid URL escape "%zz""#),
            ("nats://[a b]:1", r#"parse "nats://[a b]:1": invalid character " " in host name"#),
            ("nats://[abc]:1", r#"parse "nats://[abc]:1": invalid host: ParseAddr("abc"): unable to parse IP"#),
            (
                "nats://[::1%25]:1",
                r#"parse "nats://[::1%25]:1": invalid host: ParseAddr("::1%"): zone must be a non-empty string"#,
            ),
            ("nats://[1.2.3.4]:1", r#"parse "nats://[1.2.3.4]:1": invalid IP-literal"#),
        ];
        for (text, expected) in cases {
            assert_eq!(error(text), expected, "{text}");
        }
    }
}
