//! Replays the `subject_index_ops` fuzz corpus on stable Rust, without the fuzzer: every seed
//! file, then deterministic mutations and random scripts, through the very checks the fuzz
//! target runs (`fuzz/src/subject_index_ops.rs`, included here by path).

#[path = "../../../fuzz/src/subject_index_ops.rs"]
mod checks;
#[path = "../../../fuzz/src/replay.rs"]
mod replay;

use std::path::PathBuf;

#[test]
fn corpus_and_mutations_pass_the_fuzz_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/subject_index_ops");
    replay::run(&dir, 1, &[], 20_000, 0x2545_f491_4f6c_dd1d, checks::check);
}
