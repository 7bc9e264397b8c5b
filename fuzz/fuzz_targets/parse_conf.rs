//! A config file's text through `rnats_conf::parse_str_with`: see `src/parse_conf.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnats_fuzz::parse_conf::check(data));
