//! A connection's writer task, the same for every kind: wait for a wake-up or the ping timer,
//! swap out what is pending, write it in one go within the write deadline, send PINGs and
//! close a connection that leaves too many unanswered.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rnats_proto::encode;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::{sleep_until, timeout, Instant};

use super::ConnShared;
use crate::errors::{text, CloseReason};
use crate::server::ServerState;

/// Write buffers larger than this are released when a write uses less than a quarter of them,
/// so a connection that goes idle after a burst drops back to (almost) nothing.
const KEEP_WRITE_BUFFER: usize = 4 * 1024;
/// After a batch this small the spare buffer is not kept: most connections are idle most of
/// the time, and a quiet connection then holds no write buffer at all (a busy one writes
/// larger batches and keeps its two buffers).
const SMALL_BATCH: usize = 1024;
/// The first PING goes out this soon (nats-server's short first ping), then every interval.
const FIRST_PING: Duration = Duration::from_secs(2);

/// How one connection's writer behaves.
#[derive(Debug, Clone)]
pub(crate) struct WriteSettings {
    /// Names the connection in log lines.
    pub(crate) label: String,
    pub(crate) ping_interval: Duration,
    /// Unanswered PINGs before the connection is stale.
    pub(crate) ping_max: u32,
    pub(crate) write_deadline: Duration,
    /// Ping even when the peer sent something within the interval (nats-server does so for
    /// server links it solicited; clients that talk are not pinged).
    pub(crate) always_ping: bool,
}

impl WriteSettings {
    /// The server's settings for a connection named `label`.
    pub(crate) fn new(server: &ServerState, label: String) -> WriteSettings {
        WriteSettings {
            label,
            ping_interval: server.options.ping_interval,
            ping_max: server.options.ping_max,
            write_deadline: server.options.write_deadline,
            always_ping: false,
        }
    }
}

/// Writes what is pending until the connection closes.
pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    server: Arc<ServerState>,
    shared: Arc<ConnShared>,
    mut writer: W,
    settings: WriteSettings,
) {
    let interval = settings.ping_interval;
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
                    ping_tick(&server, &shared, &settings);
                }
            }
        }
        woken = false;
        let closing = shared.take_pending(&mut spare);
        if !spare.is_empty() {
            if let Err(reason) = write_all(&shared, &mut writer, &spare, settings.write_deadline).await {
                if reason == CloseReason::SlowConsumerWriteDeadline {
                    write_deadline_notice(&server, &shared, &settings, spare.len());
                }
                shared.close(reason);
                break;
            }
            shared.drained.notify_waiters();
            // Wake-ups that arrived during the write were consumed: look again before waiting.
            woken = true;
            let written = spare.len();
            spare.clear();
            let shrunk = spare.capacity() > KEEP_WRITE_BUFFER && written < spare.capacity() / 4;
            if shrunk || written <= SMALL_BATCH {
                spare = Vec::new();
            }
        }
        if closing.is_some() {
            break;
        }
    }
    let _ = writer.shutdown().await;
}

/// nats-server's notice for a write past the deadline, except for a connection still owing
/// the CONNECT its server requires (not counted as a slow consumer there). A batch is one
/// contiguous buffer here, so it is one chunk.
fn write_deadline_notice(server: &ServerState, shared: &ConnShared, settings: &WriteSettings, attempted: usize) {
    if server.connect_required() && !shared.is_connected() {
        return;
    }
    let nanos = i64::try_from(settings.write_deadline.as_nanos()).unwrap_or(i64::MAX);
    let deadline = crate::options::format_go_duration(nanos);
    server.log.info(&format!(
        "{} - Slow Consumer Detected: WriteDeadline of {deadline} exceeded with 1 chunks of {attempted} total bytes.",
        settings.label
    ));
}

/// Writes `bytes` within the write deadline. Gives up early when the connection is closed
/// meanwhile as a slow consumer: its pending data was dropped and the socket is to go now.
async fn write_all<W: AsyncWrite + Unpin>(
    shared: &ConnShared,
    writer: &mut W,
    bytes: &[u8],
    deadline: Duration,
) -> Result<(), CloseReason> {
    let write = timeout(deadline, writer.write_all(bytes));
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
fn ping_tick(server: &ServerState, shared: &ConnShared, settings: &WriteSettings) {
    let outstanding = shared.pings_out.load(Ordering::Relaxed);
    let idle_ms = server.uptime_ms().saturating_sub(shared.last_inbound_ms.load(Ordering::Relaxed));
    let pinged_before = shared.pings_out_total() > 0;
    let recent = u128::from(idle_ms) < settings.ping_interval.as_millis();
    if !settings.always_ping && pinged_before && outstanding == 0 && recent {
        return;
    }
    if outstanding + 1 > settings.ping_max {
        let _ = shared.enqueue(|out| encode::err(out, text::STALE_CONNECTION));
        shared.close(CloseReason::StaleConnection);
        return;
    }
    shared.pings_out.fetch_add(1, Ordering::Relaxed);
    shared.count_ping();
    let _ = shared.enqueue(encode::ping);
}
