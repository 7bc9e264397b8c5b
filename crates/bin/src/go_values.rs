//! Go's `strconv.ParseInt` and `strconv.ParseBool` as the `flag` package reads flag values:
//! what it accepts, and its reasons for what it does not.

/// Go's `strconv.ParseInt(s, 0, 64)`, as the `flag` package reads integers: a sign, a `0x`,
/// `0o`, `0b` or `0` (octal) prefix, `_` between digits; the error is `flag`'s reason.
pub fn parse_go_int(s: &str) -> Result<i64, &'static str> {
    const SYNTAX: &str = "parse error";
    const RANGE: &str = "value out of range";
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (base, digits) = match lower.as_bytes() {
        [] => return Err(SYNTAX),
        [b'0', b'b', _, ..] => (2, &lower[2..]),
        [b'0', b'o', _, ..] => (8, &lower[2..]),
        [b'0', b'x', _, ..] => (16, &lower[2..]),
        [b'0', ..] => (8, &lower[1..]),
        _ => (10, lower.as_str()),
    };
    if lower.contains('_') && !underscores_ok(&lower) {
        return Err(SYNTAX);
    }
    let mut value: u128 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        value = value * u128::from(base) + u128::from(c.to_digit(base).ok_or(SYNTAX)?);
        if value > 1 << 64 {
            return Err(RANGE);
        }
    }
    let limit = if negative { 1u128 << 63 } else { (1u128 << 63) - 1 };
    if value > limit {
        return Err(RANGE);
    }
    let magnitude = i128::try_from(value).map_err(|_| RANGE)?;
    i64::try_from(if negative { -magnitude } else { magnitude }).map_err(|_| RANGE)
}

/// Go's rule for `_` in a number: only between digits, or between a base prefix and a digit.
fn underscores_ok(unsigned: &str) -> bool {
    let bytes = unsigned.as_bytes();
    let hex = bytes.get(1) == Some(&b'x');
    let prefixed = bytes.len() >= 2 && bytes[0] == b'0' && matches!(bytes[1], b'b' | b'o' | b'x');
    // The last class seen: a digit (or the prefix), an underscore, or something else.
    let (mut last, start) = if prefixed { (b'0', 2) } else { (b'^', 0) };
    for &b in &bytes[start..] {
        if b.is_ascii_digit() || (hex && b.is_ascii_hexdigit()) {
            last = b'0';
        } else if b == b'_' {
            if last != b'0' {
                return false;
            }
            last = b'_';
        } else if last == b'_' {
            return false;
        } else {
            last = b'!';
        }
    }
    last != b'_'
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        for (text, value) in [("10", 10), ("-3", -3), ("+7", 7), ("0x10", 16), ("0o17", 15), ("017", 15), ("0b11", 3)] {
            assert_eq!(parse_go_int(text), Ok(value), "{text}");
        }
        assert_eq!(parse_go_int("1_000"), Ok(1000));
        assert_eq!(parse_go_int("0x_1f"), Ok(31));
        assert_eq!(parse_go_int("0"), Ok(0));
        assert_eq!(parse_go_int("-9223372036854775808"), Ok(i64::MIN));
        for bad in ["", "x", "1.5", "_1", "1_", "1__0", "0x", "08", "- 1"] {
            assert_eq!(parse_go_int(bad), Err("parse error"), "{bad}");
        }
        assert_eq!(parse_go_int("9223372036854775808"), Err("value out of range"));
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_go_bool("T"), Some(true));
        assert_eq!(parse_go_bool("0"), Some(false));
        assert_eq!(parse_go_bool("yes"), None);
    }
}
