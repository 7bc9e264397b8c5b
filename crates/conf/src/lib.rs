//! The NATS configuration format, syntax only: what nats-server's `conf` package accepts,
//! turned into a tree of [`Value`]s that each remember their file, line and column. What the
//! keys mean is the server's business (`rnats::options`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod value;

pub use value::{Entry, Error, Map, Pos, Spanned, Value};
