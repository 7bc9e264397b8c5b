//! What every connection kind shares: the outbound buffer others append to
//! ([`ConnShared`]) and the set of writers to wake after a read batch ([`FlushSet`]), the
//! reader task over a socket-free [`Session`], the writer task, the per-connection match
//! cache, waiting for a password check, and the TLS handshake of every listener. Clients and leaf nodes run on it; routes and
//! gateways are to.

mod match_cache;
mod outbound;
mod password;
mod reader;
mod tls_accept;
mod writer;

pub use match_cache::MatchCache;
pub use outbound::{ConnShared, FlushSet};
pub(crate) use password::check_password;
pub(crate) use reader::{read_loop, Session};
pub(crate) use tls_accept::accept_tls;
pub(crate) use writer::{write_loop, WriteSettings};
