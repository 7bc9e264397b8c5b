//! Durations as nats-server reads and prints them: Go's `time.ParseDuration` syntax
//! (`"2m"`, `"1h30m"`, `"1.5s"`, `"250ms"`) and `Duration.String()`.

use std::time::Duration;

use rnats_conf::Value;

use super::check::{Ctx, Item, Step};

/// Nanoseconds per unit, as Go's unit table.
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Go's `time.ParseDuration`: signed nanoseconds, or Go's error text.
pub(crate) fn parse_go_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(text));
    let mut s = text;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !s.is_empty() {
        let bytes = s.as_bytes();
        if !(bytes[0] == b'.' || bytes[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part.
        let int_len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let mut whole: u128 = 0;
        for &b in &bytes[..int_len] {
            whole = whole * 10 + u128::from(b - b'0');
            if whole > LIMIT {
                return Err(invalid());
            }
        }
        s = &s[int_len..];
        // Fraction.
        let mut fraction: u128 = 0;
        let mut scale: f64 = 1.0;
        let mut has_fraction = false;
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            let frac_len = s.bytes().take_while(|b| b.is_ascii_digit()).count();
            has_fraction = frac_len > 0;
            let mut overflow = false;
            for b in s[..frac_len].bytes() {
                if overflow {
                    continue;
                }
                if fraction > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                fraction = fraction * 10 + u128::from(b - b'0');
                scale *= 10.0;
            }
            s = &s[frac_len..];
        }
        if int_len == 0 && !has_fraction {
            return Err(invalid());
        }
        // Unit.
        let unit_len = s.char_indices().find(|(_, c)| *c == '.' || c.is_ascii_digit()).map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(text)));
        }
        let unit = &s[..unit_len];
        s = &s[unit_len..];
        let Some(per) = unit_nanos(unit) else {
            return Err(format!("time: unknown unit {} in duration {}", go_quote(unit), go_quote(text)));
        };
        if whole > LIMIT / per {
            return Err(invalid());
        }
        let mut value = whole * per;
        if fraction > 0 {
            value += (fraction as f64 * (per as f64 / scale)) as u128;
            if value > LIMIT {
                return Err(invalid());
            }
        }
        total += value;
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if negative {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    if total > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(total as i64)
}

/// Go's `strconv.Quote` for the strings durations are made of.
fn go_quote(s: &str) -> String {
    format!("{s:?}")
}

/// Go's `Duration.String()`: `"1h2m3.5s"`, `"4m0s"`, `"1.5ms"`, `"0s"`.
pub(crate) fn format_go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let negative = nanos < 0;
    let u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&with_fraction(u, div));
        out.push_str(unit);
    } else {
        let hours = u / 3_600_000_000_000;
        let minutes = (u / 60_000_000_000) % 60;
        let seconds_nanos = u % 60_000_000_000;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if hours > 0 || minutes > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&with_fraction(seconds_nanos, 1_000_000_000));
        out.push('s');
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

/// `value / div` with the remainder as trailing-zero-free decimals.
fn with_fraction(value: u64, div: u64) -> String {
    let whole = value / div;
    let rest = value % div;
    if rest == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rest:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// nats-server's `parseDuration`: a duration string, or (the older form, with a warning) a
/// number of seconds. In nanoseconds, negative ones too, as Go takes them; for settings rnats
/// does not act on.
pub(crate) fn any_duration(ctx: &mut Ctx, field: &str, item: Item<'_>) -> Step<i64> {
    match item.value {
        Value::String(text) => {
            parse_go_duration(text).or_else(|e| ctx.fail(item.pos, format!("error parsing {field}: {e}")))
        }
        _ => {
            ctx.go_warning(item.pos, field, format!("{field} should be converted to a duration"));
            Ok(ctx.int(item)?.saturating_mul(1_000_000_000))
        }
    }
}

/// [`any_duration`] for a setting rnats acts on (`ping_interval`, `write_deadline`, ...):
/// negative durations, which Go accepts but rnats cannot use, are an error.
pub(crate) fn duration_field(ctx: &mut Ctx, field: &str, item: Item<'_>) -> Step<Duration> {
    let nanos = any_duration(ctx, field, item)?;
    if nanos < 0 {
        let shown = match item.value {
            Value::String(text) => format!("{text:?}"),
            other => super::check::go_display(other),
        };
        return ctx.fail(item.pos, format!("error parsing {field}: negative duration {shown}"));
    }
    Ok(Duration::from_nanos(nanos.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_go_duration("2m"), Ok(120_000_000_000));
        assert_eq!(parse_go_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_go_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_go_duration("250ms"), Ok(250_000_000));
        assert_eq!(parse_go_duration("10us"), Ok(10_000));
        assert_eq!(parse_go_duration("10µs"), Ok(10_000));
        assert_eq!(parse_go_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("-1s"), Ok(-1_000_000_000));
        assert_eq!(parse_go_duration("+3s"), Ok(3_000_000_000));
    }

    #[test]
    fn go_duration_errors() {
        assert_eq!(parse_go_duration("2x"), Err(r#"time: unknown unit "x" in duration "2x""#.into()));
        assert_eq!(parse_go_duration("x"), Err(r#"time: invalid duration "x""#.into()));
        assert_eq!(parse_go_duration("5"), Err(r#"time: missing unit in duration "5""#.into()));
        assert_eq!(parse_go_duration(""), Err(r#"time: invalid duration """#.into()));
        assert_eq!(parse_go_duration("."), Err(r#"time: invalid duration ".""#.into()));
        assert_eq!(
            parse_go_duration("99999999999999999999h"),
            Err(r#"time: invalid duration "99999999999999999999h""#.into())
        );
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format_go_duration(0), "0s");
        assert_eq!(format_go_duration(10_000_000_000), "10s");
        assert_eq!(format_go_duration(240_000_000_000), "4m0s");
        assert_eq!(format_go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(format_go_duration(3_723_500_000_000), "1h2m3.5s");
        assert_eq!(format_go_duration(1_500_000), "1.5ms");
        assert_eq!(format_go_duration(1_500), "1.5µs");
        assert_eq!(format_go_duration(15), "15ns");
        assert_eq!(format_go_duration(-1_000_000_000), "-1s");
    }
}
