//! A peer server's byte stream on a route through `parse_route_op`: see
//! `src/parse_route_ops.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnats_fuzz::parse_route_ops::check(data));
