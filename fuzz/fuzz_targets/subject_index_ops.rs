//! Insert/remove/match scripts on `SubjectIndex` against a linear model: see
//! `src/subject_index_ops.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnats_fuzz::subject_index_ops::check(data));
