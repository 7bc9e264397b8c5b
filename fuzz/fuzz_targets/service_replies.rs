//! Reply handling of service imports and `allow_responses`, and the `Nats-Request-Info`
//! header: see `src/service_replies.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rnats_fuzz::service_replies::check(data));
