//! JSON read as Go's `encoding/json` reads it into a struct, which is what nats-server does
//! with a CONNECT body. Where that differs from strict JSON readers (serde_json):
//! - bytes that are not UTF-8 inside strings are kept, each one as U+FFFD;
//! - a `\u` escape of a surrogate that is not the first half of a pair followed by the second
//!   is U+FFFD;
//! - maps and arrays may nest 10 000 deep (checked without recursion);
//! - keys match field names ignoring case, with Unicode's simple folding (`ſ` is `s`, the
//!   Kelvin sign is `k`).
//!
//! The whole document is checked first (Go's `checkValid`), so a syntax error anywhere wins
//! over everything else; only the top-level object's members are then decoded.

/// Deepest nesting of objects and arrays Go's scanner accepts (the top-level value is 1).
pub(crate) const MAX_DEPTH: usize = 10_000;

/// The input is not JSON (as Go's scanner sees it), or nests deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyntaxError;

type Result<T> = std::result::Result<T, SyntaxError>;

/// A member's value, decoded as far as a struct field of a simple type needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Member<'a> {
    Null,
    Bool(bool),
    /// The number as written.
    Number(&'a [u8]),
    String(String),
    /// An object, as written (valid).
    Object(&'a [u8]),
    /// An array, as written (valid).
    Array(&'a [u8]),
}

/// A checked document: `null`, an object's members in order, or another value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Document<'a> {
    Null,
    Object(Vec<(String, Member<'a>)>),
    Other,
}

/// Checks `input` and decodes its top level.
pub(crate) fn parse(input: &[u8]) -> Result<Document<'_>> {
    let mut scanner = Scanner { input, at: 0 };
    scanner.ws();
    let start = scanner.at;
    scanner.value(0)?;
    scanner.ws();
    if scanner.at != input.len() {
        return Err(SyntaxError);
    }
    let value = &input[start..scanner.at];
    match value.first() {
        Some(b'{') => Ok(Document::Object(members(value)?)),
        Some(b'n') => Ok(Document::Null),
        _ => Ok(Document::Other),
    }
}

/// The members of a checked object.
pub(crate) fn members(object: &[u8]) -> Result<Vec<(String, Member<'_>)>> {
    items(object, b'{', b'}', |scanner| {
        let key = unquote(scanner.string()?);
        scanner.ws();
        scanner.expect(b':')?;
        scanner.ws();
        Ok((key, scanner.member()?))
    })
}

/// The elements of a checked array.
pub(crate) fn elements(array: &[u8]) -> Result<Vec<Member<'_>>> {
    items(array, b'[', b']', Scanner::member)
}

/// The items between `open` and `close`, separated by commas, each read by `item`.
fn items<'a, T>(
    raw: &'a [u8],
    open: u8,
    close: u8,
    mut item: impl FnMut(&mut Scanner<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut scanner = Scanner { input: raw, at: 0 };
    scanner.expect(open)?;
    let mut out = Vec::new();
    scanner.ws();
    if scanner.eat(close) {
        return Ok(out);
    }
    loop {
        scanner.ws();
        out.push(item(&mut scanner)?);
        scanner.ws();
        if scanner.eat(close) {
            return Ok(out);
        }
        scanner.expect(b',')?;
    }
}

/// `key` as Go compares it with a field name made of ASCII lower-case letters and `_`:
/// lower-cased, with the two non-ASCII letters that fold onto ASCII ones mapped to them.
/// `None` when some other character makes a match impossible.
pub(crate) fn fold_key(key: &str) -> Option<String> {
    key.chars()
        .map(|c| match c {
            '\u{017f}' => Some('s'),
            '\u{212a}' => Some('k'),
            c if c.is_ascii() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

struct Scanner<'a> {
    input: &'a [u8],
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(SyntaxError)
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// One value at the cursor (already past blanks), checked without recursion; `depth` is
    /// how many objects and arrays enclose it.
    fn value(&mut self, depth: usize) -> Result<()> {
        // true: in an object, false: in an array.
        let mut open: Vec<bool> = Vec::new();
        'value: loop {
            match self.peek() {
                Some(c @ (b'{' | b'[')) => {
                    self.at += 1;
                    open.push(c == b'{');
                    if depth + open.len() > MAX_DEPTH {
                        return Err(SyntaxError);
                    }
                    self.ws();
                    if self.eat(if c == b'{' { b'}' } else { b']' }) {
                        open.pop();
                    } else {
                        if c == b'{' {
                            self.key()?;
                        }
                        continue 'value;
                    }
                }
                _ => self.scalar()?,
            }
            // After a value: close what ends here, or go on to the next member or element.
            loop {
                let Some(&in_object) = open.last() else { return Ok(()) };
                self.ws();
                if self.eat(b',') {
                    self.ws();
                    if in_object {
                        self.key()?;
                    }
                    continue 'value;
                }
                self.expect(if in_object { b'}' } else { b']' })?;
                open.pop();
            }
        }
    }

    /// `"key" :` and the blanks after it.
    fn key(&mut self) -> Result<()> {
        self.string()?;
        self.ws();
        self.expect(b':')?;
        self.ws();
        Ok(())
    }

    /// A member value at the cursor, checked (the whole document already was).
    fn member(&mut self) -> Result<Member<'a>> {
        let start = self.at;
        let member = match self.peek() {
            Some(b'"') => return Ok(Member::String(unquote(self.string()?))),
            Some(b't') => Member::Bool(true),
            Some(b'f') => Member::Bool(false),
            Some(b'n') => Member::Null,
            Some(b'{' | b'[') => {
                self.value(1)?;
                let raw = &self.input[start..self.at];
                return Ok(if raw.first() == Some(&b'{') { Member::Object(raw) } else { Member::Array(raw) });
            }
            _ => return Ok(Member::Number(self.number()?)),
        };
        self.scalar()?;
        Ok(member)
    }

    /// A string, number or literal.
    fn scalar(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => self.number().map(drop),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        if self.input.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(())
        } else {
            Err(SyntaxError)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as written.
    fn number(&mut self) -> Result<&'a [u8]> {
        let start = self.at;
        self.eat(b'-');
        if !self.eat(b'0') {
            if !matches!(self.peek(), Some(b'1'..=b'9')) {
                return Err(SyntaxError);
            }
            self.digits();
        }
        if self.eat(b'.') && self.digits() == 0 {
            return Err(SyntaxError);
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if self.digits() == 0 {
                return Err(SyntaxError);
            }
        }
        Ok(&self.input[start..self.at])
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// A string at the cursor: its bytes between the quotes, escapes checked, control
    /// characters refused, anything else (invalid UTF-8 included) let through as Go does.
    fn string(&mut self) -> Result<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.peek().ok_or(SyntaxError)? {
                b'"' => {
                    self.at += 1;
                    return Ok(&self.input[start..self.at - 1]);
                }
                b'\\' => {
                    self.at += 1;
                    match self.peek().ok_or(SyntaxError)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.input.get(self.at + 1..self.at + 5).ok_or(SyntaxError)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(SyntaxError);
                            }
                            self.at += 5;
                        }
                        _ => return Err(SyntaxError),
                    }
                }
                0..=0x1f => return Err(SyntaxError),
                _ => self.at += 1,
            }
        }
    }
}

/// The text of a checked string's inside, decoded as Go's `unquote` does.
fn unquote(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut at = 0;
    while at < raw.len() {
        if raw[at] != b'\\' {
            let end = raw[at..].iter().position(|&b| b == b'\\').map_or(raw.len(), |n| at + n);
            push_lossy(&mut out, &raw[at..end]);
            at = end;
            continue;
        }
        let escape = raw.get(at + 1).copied().unwrap_or(b'\\');
        at += 2;
        let c = match escape {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = hex4(raw, at);
                at += 4;
                match first {
                    0xd800..=0xdbff => match (raw.get(at..at + 2), hex4(raw, at + 2)) {
                        (Some(b"\\u"), second @ 0xdc00..=0xdfff) => {
                            at += 6;
                            char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00))
                                .unwrap_or(char::REPLACEMENT_CHARACTER)
                        }
                        _ => char::REPLACEMENT_CHARACTER,
                    },
                    _ => char::from_u32(first).unwrap_or(char::REPLACEMENT_CHARACTER),
                }
            }
            other => char::from(other),
        };
        out.push(c);
    }
    out
}

/// Four hex digits at `at` (checked by the scanner; anything else reads as U+FFFD).
fn hex4(raw: &[u8], at: usize) -> u32 {
    raw.get(at..at + 4)
        .and_then(|hex| std::str::from_utf8(hex).ok())
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .unwrap_or(0xfffd)
}

/// Appends `bytes`, each byte that is not part of valid UTF-8 as one U+FFFD (Go decodes rune
/// by rune and skips one byte at a time on an error).
fn push_lossy(out: &mut String, mut bytes: &[u8]) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => return out.push_str(valid),
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len());
                out.extend(std::iter::repeat_n(char::REPLACEMENT_CHARACTER, bad));
                bytes = &rest[bad..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(json: &[u8]) -> String {
        match parse(json) {
            Ok(Document::Object(members)) => match &members[0].1 {
                Member::String(s) => s.clone(),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn strings_decode_as_in_go() {
        assert_eq!(text(br#"{"a":"x\"\\\/\b\f\n\r\ty"}"#), "x\"\\/\u{8}\u{c}\n\r\ty");
        assert_eq!(text(br#"{"a":"\u00e9\ud83d\ude00"}"#), "é😀");
        assert_eq!(text(br#"{"a":"\ud800"}"#), "\u{fffd}");
        assert_eq!(text(br#"{"a":"\ud800\u0041"}"#), "\u{fffd}A");
        assert_eq!(text(br#"{"a":"\udc00\ud800x"}"#), "\u{fffd}\u{fffd}x");
        assert_eq!(text(br#"{"a":"\ud800\ud800\udc00"}"#), "\u{fffd}\u{10000}");
        assert_eq!(text(b"{\"a\":\"a\xff\xfeb\"}"), "a\u{fffd}\u{fffd}b");
        // A cut four-byte sequence is three bad bytes for Go, one "maximal subpart" for Rust.
        assert_eq!(text(b"{\"a\":\"\xf0\x9f\x98x\"}"), "\u{fffd}\u{fffd}\u{fffd}x");
        assert_eq!(text(b"{\"a\":\"\xed\xa0\x80\"}"), "\u{fffd}\u{fffd}\u{fffd}");
    }

    #[test]
    fn syntax_as_go_scanner() {
        for bad in [
            &b"{\"a\":\"\x01\"}"[..],
            br#"{"a":"\q"}"#,
            br#"{"a":"\u12g4"}"#,
            br#"{"a":01}"#,
            br#"{"a":1.}"#,
            br#"{"a":1e}"#,
            br#"{"a":+1}"#,
            br#"{"a":tru}"#,
            br#"{"a":1,}"#,
            br#"[1,]"#,
            br#"{"a" 1}"#,
            b"{} x",
            b"{}\xff",
            b"",
            b"{",
        ] {
            assert_eq!(parse(bad), Err(SyntaxError), "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse(b" null "), Ok(Document::Null));
        assert_eq!(parse(b"[1, {\"a\": [true, false, null, -0.5e+3]}]"), Ok(Document::Other));
        assert_eq!(parse(b"{}"), Ok(Document::Object(Vec::new())));
    }

    #[test]
    fn nesting_up_to_go_limit_without_recursion() {
        let nested = |levels: usize| {
            let inner = levels - 1;
            format!("{{\"x\":{}{}}}", "[".repeat(inner), "]".repeat(inner)).into_bytes()
        };
        assert!(parse(&nested(MAX_DEPTH)).is_ok());
        assert_eq!(parse(&nested(MAX_DEPTH + 1)), Err(SyntaxError));
        let objects = |levels: usize| format!("{}1{}", "{\"a\":".repeat(levels), "}".repeat(levels)).into_bytes();
        assert!(parse(&objects(MAX_DEPTH)).is_ok());
        assert_eq!(parse(&objects(MAX_DEPTH + 1)), Err(SyntaxError));
        let too_deep = "[".repeat(1_000_000);
        assert_eq!(parse(too_deep.as_bytes()), Err(SyntaxError));
    }

    #[test]
    fn members_and_elements() {
        let Ok(Document::Object(members)) = parse(br#"{"n":null,"b":true,"i":-12,"o":{"k":[1]},"l":["a",null]}"#)
        else {
            panic!("object");
        };
        assert_eq!(members[0], ("n".to_string(), Member::Null));
        assert_eq!(members[1], ("b".to_string(), Member::Bool(true)));
        assert_eq!(members[2], ("i".to_string(), Member::Number(b"-12")));
        assert_eq!(members[3], ("o".to_string(), Member::Object(br#"{"k":[1]}"#)));
        let Member::Array(list) = members[4].1 else { panic!("array") };
        assert_eq!(elements(list), Ok(vec![Member::String("a".into()), Member::Null]));
    }

    #[test]
    fn keys_fold_as_in_go() {
        assert_eq!(fold_key("Verbose").as_deref(), Some("verbose"));
        assert_eq!(fold_key("verbo\u{017f}e").as_deref(), Some("verbose"));
        assert_eq!(fold_key("\u{212a}ey").as_deref(), Some("key"));
        assert_eq!(fold_key("n\u{fffd}me"), None);
    }
}
