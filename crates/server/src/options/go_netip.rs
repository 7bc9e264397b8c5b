//! Go's `netip.ParseAddr`, for the IP literals of URL hosts (`nats://[::1]:6222`): nats-server
//! 2.15.1 is built with a Go whose `url.Parse` refuses a bracketed host that is not an IPv6
//! address, and its message quotes `ParseAddr`'s reason, which `--cluster` prints.

use crate::errors::go_quote;

/// What kind of address parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IpKind {
    /// Dotted decimal.
    V4,
    /// IPv6, IPv4-mapped forms and zones included.
    V6,
}

/// Go's `netip.ParseAddr`: the kind, or Go's error text (`ParseAddr("x"): reason`).
pub(crate) fn parse_addr(text: &str) -> Result<IpKind, String> {
    let failure = |reason: Reason| {
        let at = reason.at.map(|at| format!(" (at {})", go_quote(at.as_bytes()))).unwrap_or_default();
        format!("ParseAddr({}): {}{at}", go_quote(text.as_bytes()), reason.message)
    };
    match text.bytes().find(|b| matches!(b, b'.' | b':' | b'%')) {
        Some(b'.') => ipv4(text).map(|_| IpKind::V4).map_err(failure),
        Some(b':') => ipv6(text).map(|()| IpKind::V6).map_err(failure),
        // A zone with no address before it.
        Some(_) => Err(failure(Reason::new("missing IPv6 address"))),
        None => Err(failure(Reason::new("unable to parse IP"))),
    }
}

/// Why a text is not an address, and where (the rest of the text from the fault) when Go says.
struct Reason<'a> {
    message: &'static str,
    at: Option<&'a str>,
}

impl<'a> Reason<'a> {
    fn new(message: &'static str) -> Self {
        Reason { message, at: None }
    }

    fn at(message: &'static str, at: &'a str) -> Self {
        Reason { message, at: Some(at) }
    }
}

/// Four decimal fields, each at most 255 and without a leading zero.
fn ipv4(text: &str) -> Result<[u8; 4], Reason<'_>> {
    let bytes = text.as_bytes();
    let mut fields = [0u8; 4];
    let (mut value, mut digits, mut field) = (0u32, 0, 0);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if digits == 1 && value == 0 {
                    return Err(Reason::new("IPv4 field has octet with leading zero"));
                }
                value = value * 10 + u32::from(b - b'0');
                digits += 1;
                if value > 255 {
                    return Err(Reason::new("IPv4 field has value >255"));
                }
            }
            b'.' => {
                if i == 0 || i == bytes.len() - 1 || bytes[i - 1] == b'.' {
                    return Err(Reason::at("IPv4 field must have at least one digit", &text[i..]));
                }
                if field == 3 {
                    return Err(Reason::new("IPv4 address too long"));
                }
                fields[field] = value as u8;
                field += 1;
                (value, digits) = (0, 0);
            }
            _ => return Err(Reason::at("unexpected character", &text[i..])),
        }
    }
    if field < 3 {
        return Err(Reason::new("IPv4 address too short"));
    }
    fields[3] = value as u8;
    Ok(fields)
}

/// Colon-separated groups of up to four hex digits, one `::` at most, an optional dotted
/// IPv4 address in the last two groups' place, an optional non-empty `%zone`.
fn ipv6(text: &str) -> Result<(), Reason<'_>> {
    let mut rest = match text.split_once('%') {
        Some((_, "")) => return Err(Reason::new("zone must be a non-empty string")),
        Some((address, _)) => address,
        None => text,
    };
    // Bytes of the address filled so far, and where a `::` stands.
    let mut filled = 0;
    let mut ellipsis = None;
    if let Some(after) = rest.strip_prefix("::") {
        ellipsis = Some(0);
        rest = after;
        if rest.is_empty() {
            return Ok(());
        }
    }
    while filled < 16 {
        let digits = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        if digits > 4 {
            return Err(Reason::at("each group must have 4 or less digits", rest));
        }
        if digits == 0 {
            return Err(Reason::at("each colon-separated field must have at least one digit", rest));
        }
        if rest.as_bytes().get(digits) == Some(&b'.') {
            if ellipsis.is_none() && filled != 12 {
                let message = "embedded IPv4 address must replace the final 2 fields of the address";
                return Err(Reason::at(message, rest));
            }
            if filled + 4 > 16 {
                let message = "too many hex fields to fit an embedded IPv4 at the end of the address";
                return Err(Reason::at(message, rest));
            }
            ipv4(rest)?;
            filled += 4;
            rest = "";
            break;
        }
        filled += 2;
        rest = &rest[digits..];
        if rest.is_empty() {
            break;
        }
        let Some(after) = rest.strip_prefix(':') else {
            return Err(Reason::at("unexpected character, want colon", rest));
        };
        if after.is_empty() {
            return Err(Reason::at("colon must be followed by more characters", rest));
        }
        rest = after;
        if let Some(after) = rest.strip_prefix(':') {
            if ellipsis.is_some() {
                return Err(Reason::at("multiple :: in address", rest));
            }
            ellipsis = Some(filled);
            rest = after;
            if rest.is_empty() {
                break;
            }
        }
    }
    if !rest.is_empty() {
        return Err(Reason::at("trailing garbage after address", rest));
    }
    match (filled < 16, ellipsis) {
        (true, None) => Err(Reason::new("address string too short")),
        (false, Some(_)) => Err(Reason::new("the :: must expand to at least one field of zeros")),
        _ => Ok(()),
    }
}

/// Texts checked against nats-server 2.15.1 (`--cluster "nats://[<text>]:1"` prints them).
#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> String {
        parse_addr(text).expect_err(text)
    }

    #[test]
    fn addresses() {
        for v6 in ["::", "::1", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "fe80::1%en0", "::1%a%b"] {
            assert_eq!(parse_addr(v6), Ok(IpKind::V6), "{v6}");
        }
        assert_eq!(parse_addr("1.2.3.4"), Ok(IpKind::V4));
        assert_eq!(parse_addr("0.0.0.0"), Ok(IpKind::V4));
    }

    #[test]
    fn reasons_as_go() {
        let cases = [
            ("", r#"ParseAddr(""): unable to parse IP"#),
            ("abc", r#"ParseAddr("abc"): unable to parse IP"#),
            ("::1%", r#"ParseAddr("::1%"): zone must be a non-empty string"#),
            ("%lo", r#"ParseAddr("%lo"): missing IPv6 address"#),
            ("1.2.3", r#"ParseAddr("1.2.3"): IPv4 address too short"#),
            ("1.2.3.4.5", r#"ParseAddr("1.2.3.4.5"): IPv4 address too long"#),
            ("01.2.3.4", r#"ParseAddr("01.2.3.4"): IPv4 field has octet with leading zero"#),
            ("abc.d", r#"ParseAddr("abc.d"): unexpected character (at "abc.d")"#),
            ("1..2.3", r#"ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")"#),
            ("1.2.3.4%eth0", r#"ParseAddr("1.2.3.4%eth0"): unexpected character (at "%eth0")"#),
            ("::g", r#"ParseAddr("::g"): each colon-separated field must have at least one digit (at "g")"#),
            (":1", r#"ParseAddr(":1"): each colon-separated field must have at least one digit (at ":1")"#),
            ("1:2:3", r#"ParseAddr("1:2:3"): address string too short"#),
            ("12345::", r#"ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")"#),
            ("::1::", r#"ParseAddr("::1::"): multiple :: in address (at ":")"#),
            ("1:", r#"ParseAddr("1:"): colon must be followed by more characters (at ":")"#),
            ("1:2x", r#"ParseAddr("1:2x"): unexpected character, want colon (at "x")"#),
            ("1:2:3:4:5:6:7:8:9", r#"ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")"#),
            ("1:2:3:4::5:6:7:8", r#"ParseAddr("1:2:3:4::5:6:7:8"): the :: must expand to at least one field of zeros"#),
            ("::1.2.3.x", r#"ParseAddr("::1.2.3.x"): unexpected character (at "x")"#),
            ("::1..2.3", r#"ParseAddr("::1..2.3"): IPv4 field must have at least one digit (at ".2.3")"#),
            ("::1.2.3.4.5", r#"ParseAddr("::1.2.3.4.5"): IPv4 address too long"#),
            ("::256.1.1.1", r#"ParseAddr("::256.1.1.1"): IPv4 field has value >255"#),
            (
                "::.1.2.3",
                r#"ParseAddr("::.1.2.3"): each colon-separated field must have at least one digit (at ".1.2.3")"#,
            ),
            (
                "1:2:3:1.2.3.4",
                r#"ParseAddr("1:2:3:1.2.3.4"): embedded IPv4 address must replace the final 2 fields of the address (at "1.2.3.4")"#,
            ),
            (
                "::1:2:3:4:5:6:7:1.2.3.4",
                r#"ParseAddr("::1:2:3:4:5:6:7:1.2.3.4"): too many hex fields to fit an embedded IPv4 at the end of the address (at "1.2.3.4")"#,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(reason(text), expected, "{text}");
        }
    }
}
