//! Replays the `parse_leaf_ops` fuzz corpus on stable Rust: every seed, then deterministic
//! mutations, through the checks the fuzz target runs (`fuzz/src/parse_leaf_ops.rs`).

#[path = "../../../fuzz/src/parse_leaf_ops.rs"]
mod checks;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

/// Verbs, separators and sizes mutations splice in.
const PIECES: [&[u8]; 12] = [
    b"LS+ ",
    b"LS- ",
    b"LMSG ",
    b"HMSG ",
    b" | ",
    b" + ",
    b"PING",
    b"INFO {}",
    b"\r\n",
    b"\n",
    b" 0\r\n\r\n",
    b" 99999999999",
];

#[test]
fn leaf_corpus_and_mutations_pass_the_fuzz_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_leaf_ops");
    replay::run(&dir, 5, &PIECES, 20_000, 0x51ed_27f0_1a2b_3c4d, checks::check);
}
