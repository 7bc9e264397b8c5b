//! A peer server's byte stream through `parse_leaf_op`: see `src/parse_leaf_ops.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnats_fuzz::parse_leaf_ops::check(data));
