//! The checks the fuzz targets run. Each module depends on one crate of the workspace only, so
//! that crate's `tests/fuzz_corpus.rs` can include the same file with `#[path]` and replay the
//! corpus on stable Rust, without the fuzzer.
#![forbid(unsafe_code)]

pub mod parse_client_ops;
pub mod parse_conf;
pub mod parse_leaf_ops;
pub mod parse_route_ops;
pub mod subject_index_ops;
pub mod service_replies;
