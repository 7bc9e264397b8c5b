//! Turning integer, float, boolean and date-time tokens into values, as nats-server's parser
//! does (`strconv.ParseInt`, `strconv.ParseFloat`, `time.Parse`), with its messages.

use crate::chars::{decode, is_digit};

/// An integer token (`-12`, `4k`, `1MiB`, ...): the digits, times the size suffix (case does
/// not matter): `k m g t p e` are powers of 1000; the same followed by `b`, `i` or `ib` are
/// powers of 1024.
///
/// Go silently drops a value whose suffix it does not know (`1kbb`; the key then pairs with
/// the next value) and lets the multiplication wrap around; both are errors here.
pub(crate) fn integer(val: &[u8]) -> Result<i64, String> {
    let text = String::from_utf8_lossy(val);
    // Go counts leading digit-or-minus runes, then slices that many *bytes* off the token.
    let mut runes = 0;
    let mut at = 0;
    while at < val.len() {
        let (r, width) = decode(val, at);
        if !is_digit(r) && r != '-' {
            break;
        }
        runes += 1;
        at += width;
    }
    let cut = runes.min(val.len());
    let (digits, suffix) = val.split_at(cut);
    let num = match std::str::from_utf8(digits).ok().map(str::parse::<i64>) {
        Some(Ok(num)) => num,
        Some(Err(e))
            if matches!(e.kind(), std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow) =>
        {
            return Err(format!("integer '{text}' is out of the range"));
        }
        _ => return Err(format!("expected integer, but got '{text}'")),
    };
    let suffix = String::from_utf8_lossy(suffix).trim().to_ascii_lowercase();
    let (power, base): (u32, i64) = match suffix.as_str() {
        "" => (0, 1000),
        "k" => (1, 1000),
        "kb" | "ki" | "kib" => (1, 1024),
        "m" => (2, 1000),
        "mb" | "mi" | "mib" => (2, 1024),
        "g" => (3, 1000),
        "gb" | "gi" | "gib" => (3, 1024),
        "t" => (4, 1000),
        "tb" | "ti" | "tib" => (4, 1024),
        "p" => (5, 1000),
        "pb" | "pi" | "pib" => (5, 1024),
        "e" => (6, 1000),
        "eb" | "ei" | "eib" => (6, 1024),
        _ => return Err(format!("invalid size suffix '{suffix}' in integer '{text}'")),
    };
    base.checked_pow(power)
        .and_then(|factor| num.checked_mul(factor))
        .ok_or_else(|| format!("integer '{text}' is out of the range"))
}

/// A float token (`1.5`, `-0.25`).
pub(crate) fn float(val: &[u8]) -> Result<f64, String> {
    let text = String::from_utf8_lossy(val);
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(f),
        Ok(_) => Err(format!("float '{text}' is out of the range")),
        Err(_) => Err(format!("expected float, but got '{text}'")),
    }
}

/// A boolean token (the lexer only makes these from the six words, in any case).
pub(crate) fn boolean(val: &[u8]) -> Result<bool, String> {
    let text = String::from_utf8_lossy(val).to_ascii_lowercase();
    match text.as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(format!("expected boolean value, but got '{text}'")),
    }
}

/// A date-time token, checked as `time.Parse("2006-01-02T15:04:05Z", ...)` checks it; kept
/// as written.
pub(crate) fn datetime(val: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(val).into_owned();
    let bad = || format!("expected Zulu formatted DateTime, but got '{text}'");
    let b = text.as_bytes();
    let shape_ok = b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    let num = |from: usize, to: usize| -> u32 {
        b.get(from..to).unwrap_or_default().iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0'))
    };
    let (year, month, day) = (num(0, 4), num(5, 7), num(8, 10));
    let (hour, minute, second) = (num(11, 13), num(14, 16), num(17, 19));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(bad()),
    };
    if day < 1 || day > days || hour > 23 || minute > 59 || second > 59 {
        return Err(bad());
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_suffixes() {
        assert_eq!(integer(b"42"), Ok(42));
        assert_eq!(integer(b"-42"), Ok(-42));
        assert_eq!(integer(b"1k"), Ok(1000));
        assert_eq!(integer(b"1K"), Ok(1000));
        assert_eq!(integer(b"2kb"), Ok(2048));
        assert_eq!(integer(b"2Ki"), Ok(2048));
        assert_eq!(integer(b"2KiB"), Ok(2048));
        assert_eq!(integer(b"3m"), Ok(3_000_000));
        assert_eq!(integer(b"3MB"), Ok(3 << 20));
        assert_eq!(integer(b"1g"), Ok(1_000_000_000));
        assert_eq!(integer(b"1gi"), Ok(1 << 30));
        assert_eq!(integer(b"1t"), Ok(1_000_000_000_000));
        assert_eq!(integer(b"1tb"), Ok(1 << 40));
        assert_eq!(integer(b"1p"), Ok(1_000_000_000_000_000));
        assert_eq!(integer(b"1pib"), Ok(1 << 50));
        assert_eq!(integer(b"1e"), Ok(1_000_000_000_000_000_000));
        assert_eq!(integer(b"1EB"), Ok(1 << 60));
        assert_eq!(integer(b"-1k"), Ok(-1000));
    }

    #[test]
    fn integer_errors() {
        assert_eq!(integer(b"99999999999999999999"), Err("integer '99999999999999999999' is out of the range".into()));
        assert!(integer(b"8eb").unwrap_err().contains("out of the range"));
        assert!(integer(b"1kbb").unwrap_err().contains("invalid size suffix"));
        assert!(integer("\u{663}".as_bytes()).unwrap_err().contains("expected integer"));
    }

    #[test]
    fn floats_bools_dates() {
        assert_eq!(float(b"1.5"), Ok(1.5));
        assert_eq!(float(b"-0.25"), Ok(-0.25));
        assert!(float(format!("{}.0", "9".repeat(400)).as_bytes()).unwrap_err().contains("out of the range"));
        assert_eq!(boolean(b"YES"), Ok(true));
        assert_eq!(boolean(b"Off"), Ok(false));
        assert_eq!(datetime(b"2016-05-04T18:53:41Z"), Ok("2016-05-04T18:53:41Z".into()));
        assert_eq!(datetime(b"2016-02-29T00:00:00Z"), Ok("2016-02-29T00:00:00Z".into()));
        assert!(datetime(b"2015-02-29T00:00:00Z").is_err());
        assert!(datetime(b"2016-13-01T00:00:00Z").is_err());
        assert!(datetime(b"2016-01-01T24:00:00Z").is_err());
        assert!(datetime(b"2016-01-01T00:00:60Z").is_err());
    }
}
