//! What every connection kind shares: the outbound buffer others append to
//! ([`ConnShared`]) and the set of writers to wake after a read batch ([`FlushSet`]), the
//! reader task over a socket-free [`Session`], the writer task, the per-connection match
//! cache, and waiting for a password check. Clients and leaf nodes run on it; routes and
//! gateways are to.

mod match_cache;
mod outbound;
mod password;
mod reader;
mod writer;

pub use match_cache::MatchCache;
pub use outbound::{ConnShared, FlushSet};
pub(crate) use password::check_password;
pub(crate) use reader::{read_loop, Session};
pub(crate) use writer::{write_loop, WriteSettings};
