//! Replays the `parse_conf` fuzz corpus on stable Rust, without the fuzzer: every seed file,
//! then deterministic mutations of them, through the very checks the fuzz target runs
//! (`fuzz/src/parse_conf.rs`, included here by path).

#[path = "../../../fuzz/src/parse_conf.rs"]
mod checks;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

/// Mutated inputs to try on top of the seed files.
const MUTATIONS: usize = 20_000;

/// Pieces mutations splice in: the characters and words the lexer treats specially.
const PIECES: [&[u8]; 32] = [
    b"{",
    b"}",
    b"[",
    b"]",
    b"(\n",
    b"\n)\n",
    b"\"",
    b"'",
    b"\\",
    b"\\x4",
    b"=",
    b":",
    b",",
    b";",
    b"\n",
    b"\r\n",
    b" ",
    b"#",
    b"//",
    b"/",
    b"$",
    b"$FOO",
    b"$MAP",
    b"$SELF",
    b"$x",
    b"include inc.conf\n",
    b"include ",
    b"1k",
    b"-1.5",
    b"2016-05-04T",
    b"127.0.0.1",
    b"\0",
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_conf")
}

#[test]
fn corpus_and_mutations_pass_the_checks() {
    replay::run(&corpus_dir(), 10, &PIECES, MUTATIONS, 0x9e37_79b9_7f4a_7c15, checks::check);
}

#[test]
fn seeds_parse_as_expected() {
    // The first seed is a plain valid config; some seeds are broken on purpose.
    let seeds = replay::corpus(&corpus_dir(), 10);
    let ok = seeds.iter().filter(|s| checks::parse(&String::from_utf8_lossy(s)).is_ok()).count();
    assert!(ok >= 4 && ok < seeds.len(), "{ok} of {} seeds parse", seeds.len());
}

#[test]
fn deep_and_long_inputs_pass_the_checks() {
    for piece in ["[", "{a:", "{", "a { b [", "(", "\"", "$x ", "include inc.conf\n", "x: [$MAP, $MAP]\n"] {
        checks::check(piece.repeat(50_000).as_bytes());
    }
    let mut doubling = String::from("a0: [1, 2, 3, 4 ]\n");
    for i in 1..40 {
        doubling.push_str(&format!("a{i}: [$a{}, $a{}]\n", i - 1, i - 1));
    }
    checks::check(doubling.as_bytes());
}
