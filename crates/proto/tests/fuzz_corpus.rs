//! Replays the `parse_client_ops` fuzz corpus on stable Rust, without the fuzzer: every seed
//! file, then deterministic mutations, through the very checks the fuzz target runs
//! (`fuzz/src/parse_client_ops.rs`, included here by path).

#[path = "../../../fuzz/src/parse_client_ops.rs"]
mod checks;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

/// Verbs, separators and sizes mutations splice in.
const PIECES: [&[u8]; 14] = [
    b"PUB ",
    b"HPUB ",
    b"SUB ",
    b"UNSUB ",
    b"PING",
    b"PONG",
    b"CONNECT {}",
    b"+OK",
    b"-ERR ",
    b"\r\n",
    b"\n",
    b" 0\r\n\r\n",
    b"NATS/1.0\r\n\r\n",
    b" 999999999",
];

#[test]
fn corpus_and_mutations_pass_the_fuzz_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/parse_client_ops");
    replay::run(&dir, 10, &PIECES, 20_000, 0x9e37_79b9_7f4a_7c15, checks::check);
}
