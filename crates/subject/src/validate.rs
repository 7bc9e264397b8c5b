/// Bytes that may not appear inside a token.
fn is_white_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// A valid subscription subject: non-empty tokens, no white space, `>` only as the last token.
pub fn is_valid_subject(subject: &[u8]) -> bool {
    if subject.is_empty() {
        return false;
    }
    let mut tokens = subject.split(|&b| b == b'.').peekable();
    while let Some(token) = tokens.next() {
        if token.is_empty() || token.iter().any(|&b| is_white_space(b)) {
            return false;
        }
        if token == b">" && tokens.peek().is_some() {
            return false;
        }
    }
    true
}

/// A valid subject without wildcard tokens (what a publish should use).
pub fn is_valid_literal_subject(subject: &[u8]) -> bool {
    is_valid_subject(subject) && subject.split(|&b| b == b'.').all(|t| t != b"*" && t != b">")
}

/// Whether the subscription subject `filter` matches the literal `subject`.
pub fn subject_matches(filter: &[u8], subject: &[u8]) -> bool {
    let mut filter_tokens = filter.split(|&b| b == b'.');
    let mut subject_tokens = subject.split(|&b| b == b'.');
    loop {
        match (filter_tokens.next(), subject_tokens.next()) {
            (None, None) => return true,
            (Some(b">"), Some(_)) => return true,
            (Some(f), Some(s)) if f == b"*" || f == s => {}
            _ => return false,
        }
    }
}

/// Whether every literal subject `narrow` matches is also matched by `broad` (both may have
/// wildcards): nats-server's `subjectIsSubsetMatch`.
pub fn is_subset_match(narrow: &[u8], broad: &[u8]) -> bool {
    let mut narrow_tokens = narrow.split(|&b| b == b'.');
    let mut broad_tokens = broad.split(|&b| b == b'.');
    loop {
        match (narrow_tokens.next(), broad_tokens.next()) {
            (None, None) => return true,
            (Some(_), Some(b">")) => return true,
            (Some(n), Some(b"*")) if n != b">" => {}
            (Some(n), Some(b)) if n == b => {}
            _ => return false,
        }
    }
}

/// Whether two subscription subjects (with wildcards) can match a common literal subject.
pub fn subjects_collide(a: &[u8], b: &[u8]) -> bool {
    let mut left = a.split(|&c| c == b'.');
    let mut right = b.split(|&c| c == b'.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(b">"), Some(_)) | (Some(_), Some(b">")) => return true,
            (Some(l), Some(r)) if l == b"*" || r == b"*" || l == r => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_matches() {
        let yes = [("foo.bar", "foo.*"), ("foo.*", "foo.*"), ("foo.*", "foo.>"), ("foo.bar.baz", ">"), ("a", "a")];
        for (narrow, broad) in yes {
            assert!(is_subset_match(narrow.as_bytes(), broad.as_bytes()), "{narrow} in {broad}");
        }
        let no = [("foo.*", "foo.bar"), ("foo.>", "foo.*"), ("*.bar", "foo.*"), ("foo", "foo.>"), ("a.b", "a")];
        for (narrow, broad) in no {
            assert!(!is_subset_match(narrow.as_bytes(), broad.as_bytes()), "{narrow} not in {broad}");
        }
    }

    #[test]
    fn validity() {
        for ok in ["foo", "foo.bar", "foo.*", "foo.>", "*", ">", "*.>", "a.*.c", "foo*.bar", "f>"] {
            assert!(is_valid_subject(ok.as_bytes()), "{ok}");
        }
        for bad in ["", ".", "foo.", ".foo", "foo..bar", "foo bar", "foo\tbar", ">.foo", "foo.>.bar", "a\r"] {
            assert!(!is_valid_subject(bad.as_bytes()), "{bad:?}");
        }
        assert!(is_valid_literal_subject(b"foo.bar"));
        assert!(is_valid_literal_subject(b"foo*.bar"));
        assert!(!is_valid_literal_subject(b"foo.*"));
        assert!(!is_valid_literal_subject(b">"));
    }

    #[test]
    fn collisions() {
        assert!(subjects_collide(b">", b"a.b"));
        assert!(subjects_collide(b"a.*", b"*.b"));
        assert!(subjects_collide(b"a.>", b"a.b.c"));
        assert!(!subjects_collide(b"a.*", b"a.b.c"));
        assert!(!subjects_collide(b"a.b", b"a.c"));
        assert!(subjects_collide(b"from.a.>", b"from.>"));
        assert!(!subjects_collide(b"a", b"a.>"));
    }

    #[test]
    fn matching() {
        assert!(subject_matches(b"foo.*", b"foo.bar"));
        assert!(!subject_matches(b"foo.*", b"foo.bar.baz"));
        assert!(subject_matches(b"foo.>", b"foo.bar.baz"));
        assert!(!subject_matches(b"foo.>", b"foo"));
        assert!(subject_matches(b">", b"a"));
        assert!(subject_matches(b"*.b.>", b"a.b.c"));
        assert!(!subject_matches(b"a.b", b"a"));
    }
}
