//! One test per syntax rule and per kind of error, through the public API. Expected results
//! and positions were checked against nats-server 2.9.10 (`nats-server -t -c FILE`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rnats_conf::{
    parse_str_with, parse_str_with_stats, Error, Map, Pos, Spanned, Value, MAX_BYTES, MAX_INCLUDED_KEYS, MAX_VALUES,
};

/// Parses `text` as `t.conf` with the given environment and in-memory include files.
fn parse_env_files(text: &str, env: &[(&str, &str)], files: &[(&str, &str)]) -> Result<Map, Vec<Error>> {
    let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let files: HashMap<PathBuf, String> = files.iter().map(|(k, v)| (PathBuf::from(k), v.to_string())).collect();
    parse_str_with(text, Path::new("t.conf"), &|name| env.get(name).cloned(), &|path| {
        files
            .get(path)
            .map(|text| text.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"))
    })
}

fn parse(text: &str) -> Map {
    match parse_env_files(text, &[], &[]) {
        Ok(map) => map,
        Err(errors) => panic!("{text:?} did not parse: {errors:?}"),
    }
}

/// The errors for `text`, which must not parse.
fn errors(text: &str) -> Vec<Error> {
    match parse_env_files(text, &[], &[]) {
        Ok(map) => panic!("{text:?} parsed: {map:?}"),
        Err(errors) => errors,
    }
}

/// The first error as `line:col: message`.
fn first_error(text: &str) -> String {
    let errors = errors(text);
    let e = &errors[0];
    let pos = e.pos.as_ref().map(|p| format!("{}:{}", p.line, p.column)).unwrap_or_default();
    format!("{pos}: {}", e.message)
}

fn value<'m>(map: &'m Map, key: &str) -> &'m Value {
    &map.get(key).unwrap_or_else(|| panic!("no key {key} in {map:?}")).value.value
}

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

fn at(pos: &Pos) -> (usize, usize) {
    (pos.line, pos.column)
}

fn map_of(v: &Value) -> &Map {
    match v {
        Value::Map(m) => m,
        other => panic!("not a map: {other:?}"),
    }
}

fn array_of(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.iter().map(|s| s.value.clone()).collect(),
        other => panic!("not an array: {other:?}"),
    }
}

#[test]
fn key_value_separators() {
    let m = parse("a = 1\nb: 2\nc 3\nd=4\ne:5\nf\t6\n");
    for (k, v) in [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5), ("f", 6)] {
        assert_eq!(value(&m, k), &Value::Integer(v), "{k}");
    }
}

#[test]
fn quoted_keys() {
    let m = parse("\"a b\" = 1\n'c:d': 2\n");
    assert_eq!(value(&m, "a b"), &Value::Integer(1));
    assert_eq!(value(&m, "c:d"), &Value::Integer(2));
    assert_eq!(at(&m.entries[0].key_pos), (1, 1), "a quoted key starts after its quote");
}

#[test]
fn entries_end_with_newline_comma_or_semicolon() {
    let m = parse("a: 1, b: 2; c: 3\r\nd: 4");
    assert_eq!(m.entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["a", "b", "c", "d"]);
}

#[test]
fn maps_nest_with_any_separator() {
    let m = parse(
        "cluster {\n  port: 4248\n  tls { timeout: 2; verify: true }, name = x\n}\nempty {}\nm2 = { a: 1, b: 2 }\n",
    );
    let cluster = map_of(value(&m, "cluster"));
    assert_eq!(value(cluster, "port"), &Value::Integer(4248));
    assert_eq!(value(map_of(value(cluster, "tls")), "verify"), &Value::Bool(true));
    assert_eq!(value(cluster, "name"), &s("x"));
    assert_eq!(map_of(value(&m, "empty")).entries.len(), 0);
    assert_eq!(map_of(value(&m, "m2")).entries.len(), 2);
}

#[test]
fn arrays_with_commas_newlines_and_maps() {
    let m = parse("a = [1, 2, 3 ]\nb: [\n  x\n  y, z\n]\nc [ {u: 1}, {u: 2} ]\nd = []\n");
    assert_eq!(array_of(value(&m, "a")), [Value::Integer(1), Value::Integer(2), Value::Integer(3)]);
    assert_eq!(array_of(value(&m, "b")), [s("x"), s("y"), s("z")]);
    assert_eq!(array_of(value(&m, "c")).len(), 2);
    assert_eq!(array_of(value(&m, "d")), []);
}

#[test]
fn a_number_right_before_closing_bracket_is_a_string_as_in_go() {
    // nats-server (2.9.10 and 2.15.1) lexes `1]` as the string "1]" and then misses the array's end;
    // it shows the end of input as a NUL.
    assert_eq!(
        first_error("a: [1]\n"),
        "2:1: Parse error on line 2: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead.'"
    );
    // With a blank or a comma before `]` it is an integer; `1k]` stops before the `]` but is a string.
    assert_eq!(array_of(value(&parse("a: [1 ]"), "a")), [Value::Integer(1)]);
    assert_eq!(array_of(value(&parse("a: [1k]"), "a")), [s("1k")]);
}

#[test]
fn double_quoted_strings_and_escapes() {
    let m = parse(r#"a: "x\ty\nz\r\"q\"\\ \x41\x62""#);
    assert_eq!(value(&m, "a"), &s("x\ty\nz\r\"q\"\\ Ab"));
    let m = parse("a: \"two\nlines\"\nb: \"# not a comment\"");
    assert_eq!(value(&m, "a"), &s("two\nlines"));
    assert_eq!(value(&m, "b"), &s("# not a comment"));
}

#[test]
fn single_quoted_strings_are_raw() {
    let m = parse(r"a: 'x\ty $b'");
    assert_eq!(value(&m, "a"), &s(r"x\ty $b"));
}

#[test]
fn bare_strings() {
    // A bare value ends at a blank; anything after it on the line is an error.
    assert!(first_error("a: hello world\n").contains("but got 'w' instead"));
    let m = parse(
        "a: nats://host:4222\nb: 127.0.0.1\nc: 127.0.0.1:4222\nd: 10s\ne: 4222abc\nf: 1kx\ng: a\\tb\nh: foo.*.>\n",
    );
    assert_eq!(value(&m, "a"), &s("nats://host:4222"));
    assert_eq!(value(&m, "b"), &s("127.0.0.1"));
    assert_eq!(value(&m, "c"), &s("127.0.0.1:4222"));
    assert_eq!(value(&m, "d"), &s("10s"));
    assert_eq!(value(&m, "e"), &s("4222abc"));
    assert_eq!(value(&m, "f"), &s("1kx"));
    assert_eq!(value(&m, "g"), &s("a\tb"), "escapes work in bare strings too");
    assert_eq!(value(&m, "h"), &s("foo.*.>"));
}

#[test]
fn blocks() {
    let m = parse("a (\n  line one\n  line two\n)\nb: 1\n");
    assert_eq!(value(&m, "a"), &s("\n  line one\n  line two\n"));
    assert_eq!(value(&m, "b"), &Value::Integer(1));
    // A `)` not alone on its line does not end the block.
    let m = parse("a (\nx) y\n)\n");
    assert_eq!(value(&m, "a"), &s("\nx) y\n"));
}

#[test]
fn integers_and_size_suffixes() {
    let m = parse("a: 42\nb: -7\nc: 1k\nd: 1K\ne: 2kb\nf: 2KiB\ng: 3ki\nh: 1m\ni: 1MB\nj: 1g\nk: 1GI\nl: 1t\nm: 1p\nn: 1e\no: 1eb\n");
    let expect: [(&str, i64); 15] = [
        ("a", 42),
        ("b", -7),
        ("c", 1000),
        ("d", 1000),
        ("e", 2048),
        ("f", 2048),
        ("g", 3072),
        ("h", 1_000_000),
        ("i", 1 << 20),
        ("j", 1_000_000_000),
        ("k", 1 << 30),
        ("l", 1_000_000_000_000),
        ("m", 1_000_000_000_000_000),
        ("n", 1_000_000_000_000_000_000),
        ("o", 1 << 60),
    ];
    for (k, v) in expect {
        assert_eq!(value(&m, k), &Value::Integer(v), "{k}");
    }
}

#[test]
fn floats() {
    let m = parse("a: 1.5\nb: -0.25\nc: [2.0]\n");
    assert_eq!(value(&m, "a"), &Value::Float(1.5));
    assert_eq!(value(&m, "b"), &Value::Float(-0.25));
    assert_eq!(array_of(value(&m, "c")), [Value::Float(2.0)]);
}

#[test]
fn booleans_in_any_case() {
    let m = parse("a: true\nb: FALSE\nc: Yes\nd: no\ne: ON\nf: off\ng: 'true'\nh: truex\n");
    for (k, v) in [("a", true), ("b", false), ("c", true), ("d", false), ("e", true), ("f", false)] {
        assert_eq!(value(&m, k), &Value::Bool(v), "{k}");
    }
    assert_eq!(value(&m, "g"), &s("true"));
    assert_eq!(value(&m, "h"), &s("truex"));
}

#[test]
fn datetimes() {
    let m = parse("a: 2016-05-04T18:53:41Z\n");
    assert_eq!(value(&m, "a"), &Value::DateTime("2016-05-04T18:53:41Z".into()));
    assert_eq!(
        first_error("a: 2016-05-04\n"),
        "2:1: Parse error on line 2: 'Expected 'T' in ISO8601 datetime, but found '\\n' instead.'"
    );
    assert_eq!(
        first_error("a: 2016-13-04T18:53:41Z\n"),
        "1:3: expected Zulu formatted DateTime, but got '2016-13-04T18:53:41Z'"
    );
    assert_eq!(
        first_error("a: 16-05-04\n"),
        "1:6: Parse error on line 1: 'All ISO8601 dates must be in full Zulu form.'"
    );
}

#[test]
fn comments() {
    let m = parse(
        "# top\na: 1 # after\n// slashes\nb: 2 // after\nc { # in map\n d: 3 // x\n}\ne [ # in array\n 4 // x\n]\n",
    );
    assert_eq!(m.entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["a", "b", "c", "e"]);
    assert_eq!(array_of(value(&m, "e")), [Value::Integer(4)]);
}

#[test]
fn top_level_braces_are_skipped() {
    let m = parse("{\n  port: 4222\n}\n");
    assert_eq!(value(&m, "port"), &Value::Integer(4222));
}

#[test]
fn a_repeated_key_replaces_the_earlier_one_at_its_own_place() {
    let m = parse("a: 1\nA: 2\na: 3\n");
    let entries: Vec<(&str, &Value)> = m.iter().map(|e| (e.key.as_str(), &e.value.value)).collect();
    assert_eq!(entries, [("A", &Value::Integer(2)), ("a", &Value::Integer(3))], "a and A are different keys");
    assert_eq!(value(&m, "a"), &Value::Integer(3));
}

#[test]
fn positions_are_nats_servers() {
    let m = parse("port: 4222\n  cluster {\n    name: x\n  }\nlist = [\n  a, \"b\"\n]\n");
    let port = m.get("port").expect("port");
    assert_eq!(at(&port.key_pos), (1, 0), "0-based on line 1");
    assert_eq!(at(&port.value.pos), (1, 6));
    let cluster = m.get("cluster").expect("cluster");
    assert_eq!(at(&cluster.key_pos), (2, 3), "1-based after line 1");
    assert_eq!(at(&map_of(&cluster.value.value).entries[0].key_pos), (3, 5));
    assert_eq!(at(&cluster.value.pos), (4, 4), "a map is where nats-server puts it: after its `}}`");
    let Value::Array(list) = value(&m, "list") else { panic!("list") };
    assert_eq!(at(&list[0].pos), (6, 3));
    assert_eq!(at(&list[1].pos), (6, 7), "a quoted string starts after its quote");
    assert_eq!(m.get("list").map(|e| &*e.value.pos.file), Some(&PathBuf::from("t.conf")));
}

#[test]
fn escapes_shift_positions_as_in_go() {
    // Go computes a string's column from its end minus its unescaped length.
    let m = parse("a [\n  \"x\\x41\\x41\", \"y\"\n]\n");
    let Value::Array(list) = value(&m, "a") else { panic!("a") };
    assert_eq!(at(&list[0].pos), (2, 10));
    assert_eq!(list[0].value, s("xAA"));
}

#[test]
fn variables_from_the_same_and_enclosing_maps() {
    let m = parse("x: 1\ny: $x\nm {\n  z: $x\n  x: 2\n  w: [$x]\n}\nv: $x\n");
    assert_eq!(value(&m, "y"), &Value::Integer(1));
    let inner = map_of(value(&m, "m"));
    assert_eq!(value(inner, "z"), &Value::Integer(1));
    assert_eq!(array_of(value(inner, "w")), [Value::Integer(2)], "innermost map first");
    assert_eq!(value(&m, "v"), &Value::Integer(1));
    let w = inner.get("w").expect("w");
    let Value::Array(list) = &w.value.value else { panic!("w") };
    assert_eq!(at(&list[0].pos), (6, 8), "a variable's value is at the reference, after the `$`");
}

#[test]
fn variables_copy_maps_and_see_only_earlier_keys() {
    let m = parse("perms { publish: [a, b] }\nuser { permissions: $perms }\n");
    let user = map_of(value(&m, "user"));
    assert_eq!(value(user, "permissions"), value(&m, "perms"));
    assert_eq!(first_error("a: $b\nb: 1\n"), "1:4: variable reference for 'b' can not be found");
    assert_eq!(first_error("X: 1\na: $x\n"), "2:5: variable reference for 'x' can not be found");
}

#[test]
fn variables_mark_what_they_use() {
    let m = parse("X: 1\nY: 2\nZ: $X\nY: 3\nW: $Y\n");
    let used: Vec<(&str, bool)> = m.entries.iter().map(|e| (e.key.as_str(), e.used_as_variable)).collect();
    assert_eq!(used, [("X", true), ("Z", false), ("Y", true), ("W", false)]);
}

#[test]
fn environment_variables_are_parsed_as_values() {
    let env = [("NUM", "42"), ("STR", "hello"), ("MAP", "{ a: 1 }"), ("REF", "$NUM"), ("SIZE", "1k")];
    let m =
        parse_env_files("a: $NUM\nb: $STR\nc: $MAP\nd: $REF\ne: $SIZE\nNUM: 7\nf: $NUM\n", &env, &[]).expect("parses");
    assert_eq!(value(&m, "a"), &Value::Integer(42));
    assert_eq!(value(&m, "b"), &s("hello"));
    assert_eq!(value(map_of(value(&m, "c")), "a"), &Value::Integer(1));
    assert_eq!(value(&m, "d"), &Value::Integer(42));
    assert_eq!(value(&m, "e"), &Value::Integer(1000));
    assert_eq!(value(&m, "f"), &Value::Integer(7), "keys of the file come before the environment");
    let c = m.get("c").expect("c");
    let Value::Map(inner) = &c.value.value else { panic!("c") };
    assert_eq!(at(&inner.entries[0].key_pos), at(&c.value.pos), "an environment value is placed at its reference");
}

#[test]
fn environment_errors() {
    let env = [("BAD", "\"open"), ("A", "$B"), ("B", "$A"), ("SELF", "x $SELF")];
    let err = parse_env_files("a: $BAD\n", &env, &[]).expect_err("bad value");
    assert_eq!(
        err[0].message,
        "variable reference for 'BAD' could not be parsed: Parse error on line 1: 'Unexpected EOF.'"
    );
    let err = parse_env_files("a: $A\n", &env, &[]).expect_err("cycle");
    assert!(err[0].message.contains("cycle"), "{err:?}");
    assert_eq!(err[0].pos.as_ref().map(at), Some((1, 4)));
    let err = parse_env_files("a: [$SELF]\n", &env, &[]).expect_err("self");
    assert!(err[0].message.contains("could not be parsed") || err[0].message.contains("cycle"), "{err:?}");
}

#[test]
fn bcrypt_hashes_are_strings() {
    let m = parse("password: $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS\n");
    assert_eq!(value(&m, "password"), &s("$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS"));
    // Only the `2a` prefix, as in nats-server 2.9.10: `$2b$...` is looked up as a variable.
    assert_eq!(first_error("p: $2b$10$abc\n"), "1:4: variable reference for '2b$10$abc' can not be found");
    assert_eq!(value(&parse("p: \"$2b$10$abc\"\n"), "p"), &s("$2b$10$abc"));
}

#[test]
fn includes_add_keys_from_the_including_folder() {
    let files = [("conf/inc.conf", "x: 5\nb: 2\nc { d: $x }\n"), ("conf/sub/more.conf", "e: 3\n")];
    let text = "a: 1\ninclude inc.conf\nm {\n  include 'sub/more.conf'\n}\nf: $x\n";
    let m = parse_str_with(text, Path::new("conf/main.conf"), &|_| None, &|p| {
        files
            .iter()
            .find(|(name, _)| Path::new(name) == p)
            .map(|(_, t)| t.as_bytes().to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    });
    let m = m.expect("parses");
    assert_eq!(m.entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["a", "x", "b", "c", "m", "f"]);
    let b = m.get("b").expect("b");
    assert_eq!(*b.key_pos.file, PathBuf::from("conf/inc.conf"));
    assert_eq!(at(&b.key_pos), (2, 1));
    assert_eq!(value(map_of(value(&m, "m")), "e"), &Value::Integer(3));
    assert_eq!(value(&m, "f"), &Value::Integer(5), "keys from an include are variables after it");
    assert!(m.get("x").is_some_and(|e| e.used_as_variable));
}

#[test]
fn included_files_do_not_see_the_including_files_variables() {
    let files = [("inc.conf", "b: $a\n")];
    let err = parse_env_files("a: 1\ninclude inc.conf\n", &[], &files).expect_err("fails");
    assert_eq!(err[0].message, "error parsing include file 'inc.conf', variable reference for 'a' can not be found");
    assert_eq!(*err[0].pos.as_ref().expect("pos").file, PathBuf::from("inc.conf"));
}

#[test]
fn include_paths_join_like_go() {
    // An absolute path is joined onto the folder too, as Go's filepath.Join does.
    let err = parse_str_with("include /etc/x.conf\n", Path::new("configs/a.conf"), &|_| None, &|p| {
        Err(std::io::Error::other(format!("asked for {}", p.display())))
    })
    .expect_err("fails");
    assert_eq!(
        err[0].message,
        "error parsing include file '/etc/x.conf', open configs/etc/x.conf: asked for configs/etc/x.conf"
    );
}

#[test]
fn include_errors() {
    assert_eq!(
        first_error("include nope.conf\n"),
        "1:8: error parsing include file 'nope.conf', open nope.conf: no such file or directory"
    );
    let files = [("self.conf", "include self.conf\n"), ("a.conf", "include b.conf\n"), ("b.conf", "include a.conf\n")];
    let err = parse_env_files("include self.conf\n", &[], &files).expect_err("cycle");
    assert!(err[0].message.contains("include cycle"), "{err:?}");
    let err = parse_env_files("include a.conf\n", &[], &files).expect_err("cycle");
    assert!(err[0].message.contains("'a.conf' -> 'b.conf' -> 'a.conf'"), "{err:?}");
    assert_eq!(
        first_error("include [x]\n"),
        "1:9: Parse error on line 1: 'Expected include value but found start of an array'"
    );
    let files = [("bad.conf", "a: {\n")];
    let err = parse_env_files("include bad.conf\n", &[], &files).expect_err("bad include");
    assert_eq!(*err[0].pos.as_ref().expect("pos").file, PathBuf::from("bad.conf"));
}

#[test]
fn include_chains_are_capped() {
    let names: Vec<String> = (0..40).map(|i| format!("f{i}.conf")).collect();
    let texts: Vec<String> = (0..40).map(|i| format!("k{i}: {i}\ninclude f{}.conf\n", i + 1)).collect();
    let files: Vec<(&str, &str)> = names.iter().map(String::as_str).zip(texts.iter().map(String::as_str)).collect();
    let err = parse_env_files("include f0.conf\n", &[], &files).expect_err("too deep");
    assert!(err.iter().any(|e| e.message.contains("includes nest deeper than 32")), "{err:?}");
    // A shorter chain is fine, and keys land in the including map.
    let m = parse_env_files("include f30.conf\n", &[], &files[..35]).expect_err("f35 is missing");
    assert!(m[0].message.contains("open f35.conf"), "{m:?}");
}

#[test]
fn key_stack_quirks_match_go() {
    // A key without a value inside a map pairs with the map, as in nats-server.
    let m = parse("x { a }\n");
    assert_eq!(m.entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["a"]);
    // A key alone at the end of the file is ignored.
    let m = parse("a: 1\nb\n");
    assert_eq!(m.entries.len(), 1);
}

#[test]
fn lexical_errors_report_go_line_and_column() {
    let cases = [
        ("a: \"open\n", "2:1: Unexpected EOF."),
        ("a: \"\\q\"\n", "1:6: Invalid escape character 'q'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\."),
        ("a: \"\\xZZ\"\n", "1:8: Expected two hexadecimal digits after '\\x', but got 'ZZ'"),
        ("a {\n", "2:1: Unexpected EOF processing map."),
        ("a { b", "1:5: Unexpected EOF processing map key."),
        ("a: [1, 2\n", "2:1: Expected an array value terminator \",\" or an array terminator \"]\", but got '\0' instead."),
        ("a:\n", "2:1: Expected value but found new line"),
        ("a: .5\n", "1:4: Floats must start with a digit"),
        ("a: 1.x\n", "1:6: Floats must have a digit after the '.', but got 'x' instead."),
        ("a: -x\n", "1:5: Expected a digit but got 'x'."),
        ("a: 1 2\n", "1:6: Expected a top-level value to end with a new line, comment or EOF, but got '2' instead."),
        ("a { b: 1 c }\n", "1:10: Expected a map value terminator \",\" or a map terminator \"}\", but got 'c' instead."),
        ("= 1\n", "1:0: Unexpected key separator '='"),
        ("a: (\nno end\n", "3:1: Unexpected EOF processing block."),
        ("a: [,]\n", "1:5: Unexpected array value terminator ','."),
    ];
    for (text, expected) in cases {
        // nats-server prints `Parse error on line N: '<reason>'`; we put file:line:col first.
        let (place, reason) = expected.split_once(": ").expect("line:col: reason");
        let line = place.split(':').next().expect("line");
        assert_eq!(first_error(text), format!("{place}: Parse error on line {line}: '{reason}'"), "{text:?}");
    }
}

#[test]
fn syntax_errors_in_includes_are_wrapped_as_nats_server_wraps_them() {
    let files = [("a.conf", "include b.conf\n"), ("b.conf", "x: [\n  1\n 2 3\n]\n")];
    let err = parse_env_files("include a.conf\n", &[], &files).expect_err("bad include");
    // nats-server 2.15.1 (and 2.9.10), with and without -t:
    // nats-server: error parsing include file 'a.conf', error parsing include file 'b.conf', Parse error on line 3: '...'
    assert_eq!(
        err[0].to_string(),
        "b.conf:3:5: error parsing include file 'a.conf', error parsing include file 'b.conf', \
         Parse error on line 3: 'Expected an array value terminator \",\" or an array terminator \"]\", but got '3' instead.'"
    );
}

#[test]
fn value_errors() {
    assert_eq!(first_error("a: 99999999999999999999\n"), "1:3: integer '99999999999999999999' is out of the range");
    assert_eq!(first_error("a: 10000000000g\n"), "1:3: integer '10000000000g' is out of the range");
    assert_eq!(first_error("a: 1kbb\n"), "1:3: invalid size suffix 'kbb' in integer '1kbb'");
    let big = format!("a: {}.5\n", "9".repeat(400));
    assert!(first_error(&big).contains("out of the range"));
}

#[test]
fn several_errors_are_reported() {
    let err = errors("a: $x\nb: 99999999999999999999\ninclude nope.conf\nc: $y\n");
    let lines: Vec<usize> = err.iter().filter_map(|e| e.pos.as_ref().map(|p| p.line)).collect();
    assert_eq!(lines, [1, 2, 3, 4]);
    // Display names file, line and column.
    assert_eq!(err[0].to_string(), "t.conf:1:4: variable reference for 'x' can not be found");
}

#[test]
fn nesting_is_capped() {
    let ok = format!("a: {}{}", "[".repeat(rnats_conf::MAX_DEPTH), "]".repeat(rnats_conf::MAX_DEPTH));
    assert!(parse_env_files(&ok, &[], &[]).is_ok());
    let deep = format!("a: {}", "[".repeat(100_000));
    assert!(first_error(&deep).contains("nested deeper than 128"));
    let deep = format!("a: {}", "{ b: ".repeat(100_000));
    assert!(first_error(&deep).contains("nested deeper than 128"));
    // Through a variable too.
    let half = rnats_conf::MAX_DEPTH / 2 + 1;
    let text = format!("a: {}{}\nb: {}$a{}\n", "[".repeat(half), "]".repeat(half), "[".repeat(half), "]".repeat(half));
    assert!(first_error(&text).contains("deeper than 128"));
}

/// `a1 = [$a0 x 10]`, `a2 = [$a1 x 10]`, ...: 10^11 values for whoever walks the result. Each
/// use shares its value, and the budget counts it as a copy, so the parse stops early.
#[test]
fn variable_fan_out_stops_at_the_budget() {
    let mut text = String::from("a0: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10 ]\n");
    for i in 1..12 {
        let refs = vec![format!("$a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: [{refs}]\n"));
    }
    let (result, stats) = parse_str_with_stats(&text, Path::new("t.conf"), &|_| None, &|_| {
        Err(std::io::Error::from(std::io::ErrorKind::NotFound))
    });
    let errors = result.expect_err("too large");
    assert_eq!(errors.len(), 1, "the parse stops: {errors:?}");
    assert_eq!(
        errors[0].to_string(),
        format!("t.conf:8:7: configuration too large: more than {MAX_VALUES} values (each use of a variable counts its value again)")
    );
    assert!(stats.values <= MAX_VALUES + 10_000_000, "{stats:?}");
}

/// A string variable used many times is counted by its bytes.
#[test]
fn string_fan_out_stops_at_the_budget() {
    let big = "x".repeat(1 << 20);
    let uses = vec!["$s"; 300].join(", ");
    let text = format!("s: \"{big}\"\nl: [{uses}]\n");
    let err = errors(&text);
    assert!(err[0].message.contains(&format!("more than {MAX_BYTES} bytes")), "{err:?}");
}

/// nats-server accepts a variable used by thousands of users; so does rnats, without copying it.
#[test]
fn a_big_variable_used_by_many_users_is_shared() {
    let subjects: Vec<String> = (0..200).map(|i| format!("\"svc.{i}.>\"")).collect();
    let mut text = format!("PERMS = {{ publish: [{}], subscribe: [\"_INBOX.>\"] }}\nusers = [\n", subjects.join(", "));
    for i in 0..12_000 {
        text.push_str(&format!("  {{user: u{i}, password: p{i}, permissions: $PERMS}}\n"));
    }
    text.push_str("]\n");
    let (result, stats) = parse_str_with_stats(&text, Path::new("t.conf"), &|_| None, &|_| {
        Err(std::io::Error::from(std::io::ErrorKind::NotFound))
    });
    let m = result.expect("parses");
    let Value::Array(users) = value(&m, "users") else { panic!("users") };
    assert_eq!(users.len(), 12_000);
    let perms = |user: &Spanned| match &user.value {
        Value::Map(fields) => match &fields.get("permissions").expect("permissions").value.value {
            Value::Map(perms) => std::sync::Arc::clone(perms),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert!(std::sync::Arc::ptr_eq(&perms(&users[0]), &perms(&users[11_999])), "one shared value");
    let seventh = perms(&users[7]);
    let Value::Array(publish) = &seventh.get("publish").expect("publish").value.value else { panic!() };
    assert_eq!(publish.len(), 200);
    // About 205 values per user as the budget counts them; far below the limit.
    assert!(stats.values > 12_000 * 200 && stats.values < 12_000 * 210, "{stats:?}");
    assert!(stats.values < MAX_VALUES / 4, "{stats:?}");
}

/// The same 20 000-key file included 4 096 times: nats-server re-reads it each time and keeps
/// the last value of each key. rnats parses it once and keeps each key once: memory stays at
/// one file's worth, and a repeat with nothing in between changes nothing.
#[test]
fn include_fan_out_builds_one_file() {
    let keys: String = (0..20_000).map(|i| format!("k{i} = {i}\n")).collect();
    let text: String = std::iter::once("port: 4222\n").chain((0..4096).map(|_| "include big.conf\n")).collect();
    let read = |_: &Path| Ok(keys.clone().into_bytes());
    let (result, stats) = parse_str_with_stats(&text, Path::new("t.conf"), &|_| None, &read);
    let m = result.unwrap_or_else(|e| panic!("{:?}", &e[..1]));
    assert_eq!(m.entries.len(), 20_001);
    assert_eq!(m.entries.last().map(|e| e.key.as_str()), Some("k19999"));
    // The file's 20 000 values, its keys set once in the including map, one per include.
    assert_eq!(stats.values, 1 + 20_000 + 20_000 + 4095, "{stats:?}");
    assert_eq!(stats.included_keys, 20_000, "{stats:?}");
    assert!(stats.peak_map_entries <= 2 * 20_001 + 64, "{stats:?}");
}

/// A file parsed once stands for every later include of it, with nats-server's results: a
/// repeat after a use of one of its keys sets the key again (no longer marked as used, after
/// the use), and where its maps would nest too deep it is parsed again and the error is given.
#[test]
fn kept_includes_behave_as_parsed_again() {
    let files = [("a.conf", "k: 1\n"), ("deep.conf", &format!("v: {}{}\n", "[".repeat(100), "]".repeat(100)))];
    let m = parse_env_files("include a.conf\nx: $k\ninclude a.conf\n", &[], &files).expect("parses");
    let keys: Vec<(&str, bool)> = m.entries.iter().map(|e| (e.key.as_str(), e.used_as_variable)).collect();
    assert_eq!(keys, [("x", false), ("k", false)]);
    let nested = format!("include deep.conf\n{}include deep.conf\n{}", "a {\n".repeat(30), "}\n".repeat(30));
    let err = parse_env_files(&nested, &[], &files).expect_err("too deep the second time");
    assert!(
        err[0].message.starts_with("error parsing include file 'deep.conf', maps and arrays nested deeper"),
        "{err:?}"
    );
    assert_eq!(err[0].pos.as_ref().map(|p| p.file.display().to_string()).as_deref(), Some("deep.conf"));
}

/// With something set between the includes, each include sets the file's keys again (they
/// move after it, as in nats-server): that is counted, and stops at the budget.
#[test]
fn interleaved_include_fan_out_stops_at_the_budget() {
    let keys: String = (0..20_000).map(|i| format!("k{i} = {i}\n")).collect();
    let text: String = (0..4096).map(|i| format!("include big.conf\nmark: {i}\n")).collect();
    let read = |_: &Path| Ok(keys.clone().into_bytes());
    let (result, stats) = parse_str_with_stats(&text, Path::new("t.conf"), &|_| None, &read);
    let errors = result.expect_err("too large");
    assert_eq!(errors.len(), 1, "the parse stops: {:?}", &errors[..1]);
    let expected = format!("configuration too large: more than {MAX_INCLUDED_KEYS} keys set by includes");
    assert_eq!(errors[0].message, expected);
    // Stopped at the 53rd include of 4 096.
    assert_eq!(errors[0].pos.as_ref().map(|p| p.line), Some(2 * 52 + 1));
    assert!(stats.values < 2 * MAX_INCLUDED_KEYS, "{stats:?}");
    assert!(stats.peak_map_entries <= 2 * 20_001 + 64, "one file's keys at a time: {stats:?}");
}

#[test]
fn odd_input_does_not_panic() {
    for text in [
        "",
        "\0",
        "a: \0",
        "\u{feff}a: 1",
        "a: \u{663}",
        "\"",
        "'",
        "a: '",
        "a = ['",
        "{",
        "}",
        "include",
        "$",
        "a: $",
        "a(",
        "a: (",
        "a: \"\\x",
        "a: \"\\",
        "((\n)\n",
    ] {
        let _ = parse_env_files(text, &[], &[]);
    }
}
