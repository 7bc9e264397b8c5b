//! Helpers for rnats's tests: an in-process [`TestServer`], the Go `nats-server` as a peer
//! ([`GoServer`]), raw protocol connections ([`RawConn`]) and polling ([`wait_for`]).
//!
//! Tests that need the Go binary or `../shared/` call [`require_go_server`] /
//! [`shared_dir`]: without them they skip with a message, unless `RNATS_REQUIRE_INTEROP=1`
//! (set by `.ci/run`) makes the absence a failure.

pub mod cases;
pub mod corpus;
mod go_server;
pub mod pki;
mod raw;
mod test_server;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use go_server::{
    free_port, go_server_binary, require_current_go_server, require_go_server, GoRelease, GoServer, GO_SERVER_CURRENT,
};
pub use raw::{mask_info, run_script, RawConn, ONE_SIDED_INFO_FIELDS};
pub use test_server::TestServer;

/// Environment variable that turns "skipped: missing dependency" into a failure (CI sets it).
pub const REQUIRE_ENV: &str = "RNATS_REQUIRE_INTEROP";

/// Whether missing interop dependencies must fail the test instead of skipping it.
pub fn interop_required() -> bool {
    std::env::var(REQUIRE_ENV).map(|v| v == "1" || v == "true").unwrap_or(false)
}

/// Skips (returns `None` with a message) or fails when a test dependency is missing.
pub fn skip_or_fail(what: &str) -> Option<std::convert::Infallible> {
    assert!(!interop_required(), "{what} is required ({REQUIRE_ENV} is set) but missing");
    eprintln!("skipping: {what} is not available");
    None
}

/// `../shared/` beside the checkout, if present.
pub fn shared_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if root.is_dir() {
        return Some(root);
    }
    skip_or_fail("../shared/")?;
    None
}

/// Polls `condition` every few milliseconds until it holds or `timeout` passes.
pub fn wait_for(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
