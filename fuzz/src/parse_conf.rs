//! Checks behind the `parse_conf` fuzz target, shared with `crates/conf/tests/fuzz_corpus.rs`
//! (which includes this file with `#[path]`), so the corpus is replayed on stable without the
//! fuzzer. Depends on `rnats_conf` only.
//!
//! The input is a config file's text (bytes that are not UTF-8 are replaced). It is parsed
//! with a fixed environment (plain values, a map, a self-reference, a two-variable cycle, a
//! value that does not parse) and an in-memory file system for `include` (`inc.conf`,
//! `inc_self.conf` including itself, `inc_bad.conf` broken, everything else missing), so runs
//! are deterministic and never touch the disk. Checked:
//! - no panic, no stack overflow, and the same result when parsed twice;
//! - on success, every key and value has a position with line >= 1, in `fuzz.conf` or an
//!   included file, and maps and arrays nest at most `MAX_DEPTH` deep;
//! - on failure, at least one error, each with a message (never an internal error) and a
//!   line >= 1 when positioned.

use std::path::Path;

use rnats_conf::{parse_str_with, Error, Map, Pos, Value, MAX_DEPTH};

/// The file the input stands for.
const FILE: &str = "fuzz/fuzz.conf";

/// Runs every check on `data`; panics on a violation. The fuzz target's whole body.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let first = parse(&text);
    let second = parse(&text);
    assert_eq!(first, second, "two parses of the same text differ; input {text:?}");
    match &first {
        Ok(map) => check_map(map, 0, &text),
        Err(errors) => check_errors(errors, &text),
    }
}

/// Parses `text` with the fixed environment and files.
pub fn parse(text: &str) -> Result<Map, Vec<Error>> {
    parse_str_with(text, Path::new(FILE), &env, &read_include)
}

fn env(name: &str) -> Option<String> {
    let value = match name {
        "FOO" => "bar",
        "NUM" => "42",
        "SIZE" => "1MB",
        "MAP" => "{ a: 1, b: [1, 2 ], c: $NUM }",
        "SELF" => "$SELF",
        "PING" => "[$PONG]",
        "PONG" => "{ p: $PING }",
        "BAD" => "\"unterminated",
        _ => return None,
    };
    Some(value.to_string())
}

fn read_include(path: &Path) -> std::io::Result<Vec<u8>> {
    let text = match path.to_str() {
        Some("fuzz/inc.conf") => "zz: 1\nyy = [1, 2, $zz ]\nmm { a: b }\n",
        Some("fuzz/inc_self.conf") => "include inc_self.conf\n",
        Some("fuzz/inc_bad.conf") => "a: [1,\n",
        Some("fuzz/inc_nested.conf") => "include inc.conf\nnn: $zz\n",
        _ => return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory")),
    };
    Ok(text.as_bytes().to_vec())
}

fn check_pos(pos: &Pos, text: &str) {
    assert!(pos.line >= 1, "position {pos} has line 0; input {text:?}");
    let file = pos.file.to_string_lossy();
    assert!(file == FILE || file.starts_with("fuzz/inc"), "position {pos} in an unexpected file; input {text:?}");
}

fn check_map(map: &Map, depth: usize, text: &str) {
    for entry in &map.entries {
        check_pos(&entry.key_pos, text);
        check_value(&entry.value.value, depth, text);
        check_pos(&entry.value.pos, text);
    }
}

fn check_value(value: &Value, depth: usize, text: &str) {
    match value {
        Value::Map(map) => {
            assert!(depth < MAX_DEPTH, "a map nested deeper than {MAX_DEPTH}; input {text:?}");
            check_map(map, depth + 1, text);
        }
        Value::Array(values) => {
            assert!(depth < MAX_DEPTH, "an array nested deeper than {MAX_DEPTH}; input {text:?}");
            for v in values.iter() {
                check_pos(&v.pos, text);
                check_value(&v.value, depth + 1, text);
            }
        }
        Value::Float(f) => assert!(f.is_finite(), "a float that is not finite; input {text:?}"),
        _ => {}
    }
}

fn check_errors(errors: &[Error], text: &str) {
    assert!(!errors.is_empty(), "a failed parse without errors; input {text:?}");
    for error in errors {
        assert!(!error.message.is_empty(), "an error without a message; input {text:?}");
        assert!(!error.message.starts_with("internal error"), "{error}; input {text:?}");
        if let Some(pos) = &error.pos {
            assert!(pos.line >= 1, "error {error} has line 0; input {text:?}");
        }
    }
}
