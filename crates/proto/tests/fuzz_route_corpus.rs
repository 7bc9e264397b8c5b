//! Replays the `parse_route_ops` fuzz corpus on stable Rust: every seed, then deterministic
//! mutations, through the checks the fuzz target runs (`fuzz/src/parse_route_ops.rs`).

#[path = "../../../fuzz/src/parse_route_ops.rs"]
mod checks;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

/// Verbs, separators and sizes mutations splice in.
const PIECES: [&[u8]; 12] = [
    b"RS+ A ",
    b"RS- ",
    b"RMSG A ",
    b"LMSG C ",
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
fn route_corpus_and_mutations_pass_the_fuzz_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_route_ops");
    replay::run(&dir, 5, &PIECES, 20_000, 0x7a3c_19e5_44d2_8b61, checks::check);
}
