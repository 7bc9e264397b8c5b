//! Character classes and UTF-8 decoding exactly as Go's `unicode` and `unicode/utf8` packages
//! see them, since nats-server's lexer decides everything rune by rune with those.

/// What the lexer sees at the end of input. Go's lexer uses rune 0 for "end", so a NUL byte in
/// the input reads as end of input too (and the tests of `pos > start` tell them apart).
pub(crate) const EOF: char = '\0';

/// Decodes one rune at `pos` the way `utf8.DecodeRuneInString` does: an invalid or truncated
/// sequence is U+FFFD with width 1. `pos` must be below `input.len()`.
pub(crate) fn decode(input: &[u8], pos: usize) -> (char, usize) {
    let end = input.len().min(pos.saturating_add(4));
    let Some(bytes) = input.get(pos..end) else {
        return (char::REPLACEMENT_CHARACTER, 1);
    };
    let valid = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => bytes.get(..e.valid_up_to()).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default(),
    };
    match valid.chars().next() {
        Some(c) => (c, c.len_utf8()),
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

/// `unicode.IsSpace`: Go's table is the Unicode `White_Space` property, as is Rust's.
pub(crate) fn is_space(r: char) -> bool {
    r.is_whitespace()
}

/// The lexer's `isWhitespace`: blank within a line.
pub(crate) fn is_blank(r: char) -> bool {
    r == ' ' || r == '\t'
}

/// The lexer's `isNL`.
pub(crate) fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}

/// `=` or `:`.
pub(crate) fn is_key_separator(r: char) -> bool {
    r == '=' || r == ':'
}

/// Size suffixes that start a "convenient number" (`1k`, `2Gb`, `3ti`, ...).
pub(crate) fn is_number_suffix(r: char) -> bool {
    matches!(r, 'k' | 'K' | 'm' | 'M' | 'g' | 'G' | 't' | 'T' | 'p' | 'P' | 'e' | 'E')
}

/// The first code point of each run of ten decimal digits (general category Nd) outside
/// Latin-1, as of Unicode 13 (the Go release nats-server 2.9.10 was built with).
const DIGIT_ZEROS: [u32; 64] = [
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0, 0xF20,
    0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0,
    0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0,
    0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

/// `unicode.IsDigit`: ASCII digits, and outside Latin-1 any decimal digit (so `٣` starts a
/// number, which then fails to parse as one, as in Go).
pub(crate) fn is_digit(r: char) -> bool {
    let c = u32::from(r);
    if c <= 0xFF {
        return r.is_ascii_digit();
    }
    DIGIT_ZEROS.iter().any(|&zero| c >= zero && c < zero + 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_matches_go() {
        assert_eq!(decode(b"a", 0), ('a', 1));
        assert_eq!(decode("é".as_bytes(), 0), ('é', 2));
        assert_eq!(decode(b"\xff", 0), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode(b"\xe2\x82", 0), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode("xé".as_bytes(), 2), (char::REPLACEMENT_CHARACTER, 1));
        assert_eq!(decode(b"\xed\xa0\x80", 0), (char::REPLACEMENT_CHARACTER, 1), "surrogate");
    }

    #[test]
    fn digits_and_spaces() {
        assert!(is_digit('7'));
        assert!(!is_digit('\u{b2}'), "superscript two is Latin-1 but not a Go digit");
        assert!(is_digit('\u{663}'));
        assert!(is_digit('\u{ff19}'));
        assert!(!is_digit('x'));
        assert!(is_space('\u{85}') && is_space('\u{a0}') && is_space('\u{3000}'));
        assert!(!is_space('\u{feff}'));
    }
}
