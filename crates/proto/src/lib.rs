//! The NATS client wire protocol, without I/O.
//!
//! [`parse_client_op`] frames and parses one operation a client sent, borrowing its fields from
//! the caller's read buffer (no copy, no allocation); "need more bytes" is `Ok(None)`, never an
//! error. [`encode`] writes server operations (`MSG`, `HMSG`, `-ERR`, ...) into a caller's
//! buffer. [`Info`] and [`ConnectOptions`] are the JSON bodies of `INFO` and `CONNECT`.
//!
//! Nothing here knows about sockets, accounts, authentication or options: limits are passed in.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client_parser;
mod connect;
pub mod encode;
mod error;
mod go_json;
mod info;
mod info_decode;
pub mod leaf;
mod ops;
pub mod route;

pub use client_parser::{parse_client_op, Limits};
pub use connect::{ConnectError, ConnectOptions};
pub use error::ProtoError;
pub use info::Info;
pub use info_decode::is_decodable_info;
pub use ops::{ClientOp, Publish};

/// Protocol level this server speaks (INFO `proto`).
pub const PROTO_LEVEL: i32 = 1;
/// Default `max_control_line` (bytes).
pub const DEFAULT_MAX_CONTROL_LINE: usize = 4096;
/// Default `max_payload` (bytes).
pub const DEFAULT_MAX_PAYLOAD: usize = 1024 * 1024;
