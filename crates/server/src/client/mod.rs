//! Client connections: one reader task (read, parse, act, wake writers) and one writer task
//! (write what is pending, send PINGs) per connection.

mod cache;
mod session;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rnats_proto::encode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::time::{sleep_until, timeout, Instant};

pub use session::ClientSession;

use crate::errors::{text, CloseReason};
use crate::outbound::ClientShared;
use crate::server::ServerState;

/// Read buffer size of a new or idle connection.
const MIN_READ_BUFFER: usize = 512;
/// Largest read buffer kept for a busy connection (a bigger pending message grows it further).
const MAX_READ_BUFFER: usize = 64 * 1024;
/// Write buffers larger than this are released when a write uses less than a quarter of them,
/// so a connection that goes idle after a burst drops back to (almost) nothing.
const KEEP_WRITE_BUFFER: usize = 4 * 1024;
/// Longest a publisher waits for one lagging subscriber after a read batch.
const MAX_STALL: Duration = Duration::from_millis(10);
/// The first PING goes out this soon (nats-server's short first ping), then every interval.
const FIRST_PING: Duration = Duration::from_secs(2);

/// Serves one accepted client connection until it closes.
pub(crate) async fn serve(server: Arc<ServerState>, stream: TcpStream, peer: SocketAddr) {
    let id = server.next_client_id();
    let shared = ClientShared::new(id, server.options.max_pending);
    // Small protocol lines must not wait for Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let info = server.client_info(id, peer);
    let _ = shared.enqueue(|out| encode::info(out, &info));
    let (reader, writer) = stream.into_split();
    if !server.register(&shared) {
        let _ = shared.enqueue(|out| encode::err(out, text::MAX_CONNECTIONS));
        shared.close(CloseReason::MaxConnectionsExceeded);
        write_loop(server, shared, writer).await;
        return;
    }
    server.log.debug(|| format!("{peer} - cid:{id} - Client connection created"));
    let writer_task = tokio::spawn(write_loop(Arc::clone(&server), Arc::clone(&shared), writer));
    let account = server.default_account();
    let mut session = ClientSession::new(Arc::clone(&server), Arc::clone(&shared), account);
    let reason = read_loop(&server, &shared, &mut session, reader).await;
    shared.close(reason);
    session.close();
    server.unregister(id);
    let _ = writer_task.await;
    server.log.debug(|| format!("{peer} - cid:{id} - Client connection closed: {reason}"));
}

async fn read_loop(
    server: &ServerState,
    shared: &ClientShared,
    session: &mut ClientSession,
    mut reader: OwnedReadHalf,
) -> CloseReason {
    let auth_deadline = Instant::now() + server.options.auth_timeout;
    let mut buf: Vec<u8> = Vec::new();
    let mut target = MIN_READ_BUFFER;
    loop {
        if buf.capacity() - buf.len() < target / 2 {
            buf.reserve(target);
        }
        let room = buf.capacity() - buf.len();
        let auth_pending = server.connect_required() && !session.is_connected();
        let read = tokio::select! {
            read = reader.read_buf(&mut buf) => read,
            _ = shared.reader_wake.notified() => return shared.closed().unwrap_or(CloseReason::ServerShutdown),
            _ = sleep_until(auth_deadline), if auth_pending => {
                let _ = shared.enqueue(|out| encode::err(out, text::AUTHENTICATION_TIMEOUT));
                return CloseReason::AuthenticationTimeout;
            }
        };
        let n = match read {
            Ok(0) => return CloseReason::ClientClosed,
            Ok(n) => n,
            Err(_) => return CloseReason::ReadError,
        };
        shared.last_inbound_ms.store(server.uptime_ms(), Ordering::Relaxed);
        let result = session.process(&buf);
        if let Some(lagging) = session.flush() {
            stall(&lagging).await;
        }
        match result {
            Ok(used) => {
                buf.drain(..used);
            }
            Err(reason) => return reason,
        }
        if n == room {
            target = (target * 2).min(MAX_READ_BUFFER);
        } else if buf.is_empty() && n < buf.capacity() / 4 && buf.capacity() > MIN_READ_BUFFER {
            target = MIN_READ_BUFFER;
            buf = Vec::new();
        }
    }
}

async fn write_loop(server: Arc<ServerState>, shared: Arc<ClientShared>, mut writer: OwnedWriteHalf) {
    let interval = server.options.ping_interval;
    // Before CONNECT the server pings at the normal interval; CONNECT arms a short first PING
    // (2 s plus up to 20 %), as nats-server does.
    let mut next_ping = Instant::now() + interval;
    let mut first_ping_armed = false;
    let mut spare: Vec<u8> = Vec::new();
    // Bytes queued before this task started (INFO) are written without waiting for a wake-up.
    let mut woken = true;
    loop {
        if !first_ping_armed && shared.is_connected() {
            first_ping_armed = true;
            let first = interval.min(FIRST_PING);
            let jitter = Duration::from_millis(fastrand::u64(0..=first.as_millis() as u64 / 5));
            next_ping = Instant::now() + first + jitter;
        }
        if !woken {
            tokio::select! {
                _ = shared.writer_wake.notified() => {}
                _ = sleep_until(next_ping) => {
                    next_ping = Instant::now() + interval;
                    ping_tick(&server, &shared, interval);
                }
            }
        }
        woken = false;
        let closing = shared.take_pending(&mut spare);
        if !spare.is_empty() {
            if let Err(reason) = write_all(&server, &shared, &mut writer, &spare).await {
                shared.close(reason);
                break;
            }
            shared.drained.notify_waiters();
            // Wake-ups that arrived during the write were consumed: look again before waiting.
            woken = true;
            let written = spare.len();
            spare.clear();
            if spare.capacity() > KEEP_WRITE_BUFFER && written < spare.capacity() / 4 {
                spare = Vec::new();
            }
        }
        if closing.is_some() {
            break;
        }
    }
    let _ = writer.shutdown().await;
}

/// Gives a subscriber that is falling behind a moment to catch up before this publisher reads
/// more, as nats-server stalls fast producers. Bounded, so a consumer that never reads only
/// slows its publishers until `max_pending` closes it.
async fn stall(lagging: &ClientShared) {
    let drained = lagging.drained.notified();
    tokio::pin!(drained);
    drained.as_mut().enable();
    if lagging.is_over_half() && lagging.closed().is_none() {
        let _ = timeout(MAX_STALL, drained).await;
    }
}

/// Writes `bytes` within the write deadline. Gives up early when the connection is closed
/// meanwhile as a slow consumer: its pending data was dropped and the socket is to go now.
async fn write_all(
    server: &ServerState,
    shared: &ClientShared,
    writer: &mut OwnedWriteHalf,
    bytes: &[u8],
) -> Result<(), CloseReason> {
    let write = timeout(server.options.write_deadline, writer.write_all(bytes));
    tokio::pin!(write);
    loop {
        tokio::select! {
            result = &mut write => {
                return match result {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(_)) => Err(CloseReason::WriteError),
                    Err(_) => Err(CloseReason::SlowConsumerWriteDeadline),
                };
            }
            _ = shared.writer_wake.notified() => {
                if let Some(reason @ CloseReason::SlowConsumerPendingBytes) = shared.closed() {
                    return Err(reason);
                }
            }
        }
    }
}

/// Sends a PING, or closes a connection that left too many unanswered. A client that sent
/// something within the interval is not pinged, as in nats-server (but the first PING always
/// goes out).
fn ping_tick(server: &ServerState, shared: &ClientShared, interval: Duration) {
    let outstanding = shared.pings_out.load(Ordering::Relaxed);
    let idle_ms = server.uptime_ms().saturating_sub(shared.last_inbound_ms.load(Ordering::Relaxed));
    let pinged_before = shared.pings_out_total() > 0;
    if pinged_before && outstanding == 0 && u128::from(idle_ms) < interval.as_millis() {
        return;
    }
    if outstanding + 1 > server.options.ping_max {
        let _ = shared.enqueue(|out| encode::err(out, text::STALE_CONNECTION));
        shared.close(CloseReason::StaleConnection);
        return;
    }
    shared.pings_out.fetch_add(1, Ordering::Relaxed);
    shared.count_ping();
    let _ = shared.enqueue(encode::ping);
}
