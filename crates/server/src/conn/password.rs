//! Waiting for a slow password check, for any connection kind that logs in.

use std::net::IpAddr;

use tokio::time::{sleep_until, Instant};

use crate::auth::{Grant, Identity, PasswordCheck};
use crate::server::ServerState;

/// Runs a slow password check through the server's bcrypt gate (a few threads, fair between
/// claimants: `auth::gate`). `None` when `deadline` (the authentication timeout) passes first,
/// or when the gate dropped the check unchecked under a storm, which the client sees as the
/// same timeout, at the same moment.
pub(crate) async fn check_password(
    server: &ServerState,
    check: PasswordCheck,
    ip: IpAddr,
    deadline: Instant,
) -> Option<Result<Grant, Identity>> {
    let identity = check.identity().clone();
    let answer = server.password_gate.submit(check, ip, deadline.into_std());
    match tokio::time::timeout_at(deadline, answer).await {
        Ok(Ok(Some(grant))) => Some(Ok(grant)),
        Ok(Ok(None)) => Some(Err(identity)),
        Ok(Err(_dropped)) => {
            sleep_until(deadline).await;
            None
        }
        Err(_late) => None,
    }
}
