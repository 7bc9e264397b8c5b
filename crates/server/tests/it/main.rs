//! Integration tests: one binary, one module per area.

mod async_client;
mod differential;
mod limits;
mod raw_protocol;
