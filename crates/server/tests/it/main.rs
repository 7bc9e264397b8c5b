//! Integration tests: one binary, one module per area.

mod accounts;
mod async_client;
mod auth;
mod differential;
mod differential_auth;
mod leafnodes;
mod leafnodes_interop;
mod limits;
mod listeners;
mod login_storm;
mod raw_protocol;
mod reply_tracking;
mod second_connect;
mod support;
mod tls;
