//! rnats: a NATS server.
//!
//! [`Server::start`] binds the client listener and serves connections until
//! [`RunningServer::shutdown`]. The modules follow one message's way through the server:
//! [`client`] reads and parses a connection's bytes and acts on each operation, [`deliver`]
//! matches a publication against its [`account`]'s subject index and appends it to each
//! subscriber's [`outbound`] buffer, and each connection's writer flushes that buffer.
#![warn(missing_docs)]

pub mod account;
pub mod auth;
pub mod client;
pub mod conn;
pub mod deliver;
pub mod errors;
pub mod import;
pub mod link;
mod listener;
pub mod log;
pub mod options;
mod ports_file;
pub mod request_info;
pub mod responses;
mod server;
pub mod subscription;
pub mod tls;
mod tls_certs;

pub use options::Options;
pub use server::{RunningServer, Server, ServerState};

/// The nats-server release whose client-visible features rnats implements; reported in INFO
/// `version` and by `-v`, because clients gate features on it (JetStream ones only, so far).
/// `docs/architecture.md` (INFO `version` and `-v`) says why this release and not a newer one.
pub const COMPATIBLE_VERSION: &str = "2.9.10";
/// rnats's own version (startup log, later /varz).
pub const RNATS_VERSION: &str = env!("CARGO_PKG_VERSION");
