//! Integration tests: one binary, one module per area.

mod accounts;
mod async_client;
mod auth;
mod config_scale;
mod differential;
mod differential_auth;
mod differential_harness;
mod differential_releases;
mod leafnodes;
mod leafnodes_interop;
mod limits;
mod limits_config;
mod listeners;
mod login_storm;
mod raw_protocol;
mod reply_tracking;
mod second_connect;
mod support;
mod tls;
