//! A client's byte stream through `parse_client_op`: see `src/parse_client_ops.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnats_fuzz::parse_client_ops::check(data));
