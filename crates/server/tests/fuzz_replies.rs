//! Replays the `service_replies` fuzz corpus on stable Rust: every seed, then deterministic
//! mutations, through the checks the fuzz target runs (`fuzz/src/service_replies.rs`).

#[path = "../../../fuzz/src/service_replies.rs"]
mod checks;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

/// Operations and header pieces mutations splice in.
const PIECES: [&[u8]; 8] = [
    b"\x02\x00\x00",
    b"\x03\x00",
    b"\x05",
    b"\x07",
    b"\r\n",
    b"Nats-Request-Info:",
    b"NATS/1.0",
    b"nats-request-info :",
];

#[test]
fn reply_corpus_and_mutations_pass_the_fuzz_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/service_replies");
    replay::run(&dir, 4, &PIECES, 20_000, 0x6c8e_9cf5_7d2b_1a43, checks::check);
}
