//! A connection's reader task, the same for every kind: read into a buffer that starts small,
//! grows under load and is released when idle; hand the bytes to the connection's socket-free
//! session; wake the writers it touched once per batch; stall briefly on a subscriber that
//! falls behind; enforce the authentication deadline; wait for a password check.

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rnats_proto::encode;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::{sleep_until, timeout, Instant};

use super::{check_password, ConnShared};
use crate::auth::{Grant, Identity, PasswordCheck};
use crate::errors::{text, CloseReason};
use crate::server::ServerState;

/// Read buffer size of a new or idle connection.
const MIN_READ_BUFFER: usize = 512;
/// Largest read buffer kept for a busy connection (a bigger pending message grows it further).
const MAX_READ_BUFFER: usize = 64 * 1024;
/// Longest a publisher waits for one lagging subscriber after a read batch.
const MAX_STALL: Duration = Duration::from_millis(10);

/// What a reader drives: the protocol of one connection kind, without sockets (so tests can
/// drive it with byte slices, and two servers' sessions can be wired to each other in memory).
pub(crate) trait Session {
    /// Handles every complete operation at the start of `input`: how many bytes were used (the
    /// rest is an incomplete operation to keep), or why the connection must close.
    fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason>;

    /// Wakes the writers the last batch appended to; a subscriber past half its pending limit,
    /// for the reader to stall on.
    fn flush(&mut self) -> Option<Arc<ConnShared>>;

    /// Still owes the login its server requires (the authentication deadline applies).
    fn awaiting_login(&self) -> bool {
        false
    }

    /// A password check the last `process` left waiting.
    fn take_password_check(&mut self) -> Option<PasswordCheck> {
        None
    }

    /// The outcome of that check; the session goes on or refuses.
    fn finish_check(&mut self, _outcome: Result<Grant, Identity>) -> Result<(), CloseReason> {
        Ok(())
    }

    /// A close the session scheduled (it said why first and closes a moment later).
    fn closing(&self) -> Option<(Duration, CloseReason)> {
        None
    }
}

/// Reads and processes until the connection closes; why it closed. `buf` may hold bytes read
/// before (during a handshake).
pub(crate) async fn read_loop<R: AsyncRead + Unpin, S: Session>(
    server: &Arc<ServerState>,
    shared: &ConnShared,
    session: &mut S,
    peer_ip: IpAddr,
    mut buf: Vec<u8>,
    mut reader: R,
) -> CloseReason {
    let auth_deadline = Instant::now() + server.auth_timeout();
    let mut close_deadline = None;
    let mut target = MIN_READ_BUFFER;
    if !buf.is_empty() {
        if let Err(reason) = process(server, shared, session, peer_ip, &mut buf, auth_deadline).await {
            return reason;
        }
    }
    loop {
        if let (None, Some((delay, reason))) = (close_deadline, session.closing()) {
            close_deadline = Some((Instant::now() + delay, reason));
        }
        if buf.capacity() - buf.len() < target / 2 {
            buf.reserve(target);
        }
        let room = buf.capacity() - buf.len();
        let auth_pending = session.awaiting_login();
        let read = tokio::select! {
            read = reader.read_buf(&mut buf) => read,
            _ = shared.reader_wake.notified() => return shared.closed().unwrap_or(CloseReason::ServerShutdown),
            _ = sleep_until(auth_deadline), if auth_pending => return auth_timeout(shared),
            reason = closing(close_deadline), if close_deadline.is_some() => return reason,
        };
        let n = match read {
            Ok(0) => return CloseReason::ClientClosed,
            Ok(n) => n,
            Err(_) => return CloseReason::ReadError,
        };
        shared.last_inbound_ms.store(server.uptime_ms(), Ordering::Relaxed);
        if let Err(reason) = process(server, shared, session, peer_ip, &mut buf, auth_deadline).await {
            return reason;
        }
        if n == room {
            target = (target * 2).min(MAX_READ_BUFFER);
        } else if buf.is_empty() && n < buf.capacity() / 4 && buf.capacity() > MIN_READ_BUFFER {
            target = MIN_READ_BUFFER;
            buf = Vec::new();
        }
    }
}

/// Processes what is buffered (and, after a password check, what followed the CONNECT).
async fn process<S: Session>(
    server: &Arc<ServerState>,
    shared: &ConnShared,
    session: &mut S,
    peer_ip: IpAddr,
    buf: &mut Vec<u8>,
    auth_deadline: Instant,
) -> Result<(), CloseReason> {
    loop {
        let result = session.process(buf);
        if let Some(lagging) = session.flush() {
            stall(&lagging).await;
        }
        let used = result?;
        buf.drain(..used);
        // A CONNECT whose password needs bcrypt: checked by the gate, then the rest of the
        // buffer is processed.
        let Some(check) = session.take_password_check() else { return Ok(()) };
        // A second CONNECT gets the same time to check as a first one.
        let deadline = match session.awaiting_login() {
            true => auth_deadline,
            false => Instant::now() + server.auth_timeout(),
        };
        // Boxed: rare, and its state would otherwise sit in every connection's task.
        let outcome = match Box::pin(check_password(server, check, peer_ip, deadline)).await {
            Some(outcome) => outcome,
            None => return Err(auth_timeout(shared)),
        };
        let finished = session.finish_check(outcome);
        let _ = session.flush();
        finished?;
        if buf.is_empty() {
            return Ok(());
        }
    }
}

/// Waits for a scheduled close.
async fn closing(deadline: Option<(Instant, CloseReason)>) -> CloseReason {
    match deadline {
        Some((at, reason)) => {
            sleep_until(at).await;
            reason
        }
        None => std::future::pending().await,
    }
}

fn auth_timeout(shared: &ConnShared) -> CloseReason {
    let _ = shared.enqueue(|out| encode::err(out, text::AUTHENTICATION_TIMEOUT));
    CloseReason::AuthenticationTimeout
}

/// Gives a subscriber that is falling behind a moment to catch up before this publisher reads
/// more, as nats-server stalls fast producers. Bounded, so a consumer that never reads only
/// slows its publishers until `max_pending` closes it.
async fn stall(lagging: &ConnShared) {
    let drained = lagging.drained.notified();
    tokio::pin!(drained);
    drained.as_mut().enable();
    if lagging.is_over_half() && lagging.closed().is_none() {
        let _ = timeout(MAX_STALL, drained).await;
    }
}
