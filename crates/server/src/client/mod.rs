//! Client connections: one reader task (read, parse, act, wake writers) and one writer task
//! (write what is pending, send PINGs) per connection.

pub(crate) mod cache;
mod reserved;
mod session;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rnats_proto::encode;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{sleep_until, timeout, Instant};

pub use session::ClientSession;

use crate::auth::{Grant, Identity, PasswordCheck};
use crate::errors::{text, CloseReason};
use crate::outbound::ClientShared;
use crate::server::ServerState;
use crate::tls::ClientTls;

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

/// Serves one accepted client connection until it closes: INFO, the TLS handshake when TLS
/// is on (after INFO, or before it with `handshake_first`), then the reader and writer tasks.
pub(crate) async fn serve(server: Arc<ServerState>, stream: TcpStream, peer: SocketAddr) {
    let id = server.next_client_id();
    // Small protocol lines must not wait for Nagle's algorithm.
    let _ = stream.set_nodelay(true);
    let nonce = server.auth.needs_nonce().then(crate::auth::new_nonce);
    let info = server.client_info(id, peer, nonce.as_deref());
    let conn = Connection { id, label: format!("{peer} - cid:{id}"), ip: peer.ip(), nonce, info: Box::new(info) };
    if server.tls.is_none() {
        let (reader, writer) = stream.into_split();
        return run(server, conn, Handshake::default(), reader, writer).await;
    }
    // Boxed: the handshake's state is large, and a plain connection's task must not carry
    // room for it for its whole life.
    Box::pin(serve_tls(server, stream, conn)).await;
}

async fn serve_tls(server: Arc<ServerState>, stream: TcpStream, conn: Connection) {
    let Some(tls) = &server.tls else { return };
    match secure(&server, tls, stream, &conn).await {
        Ok(Secured::Tls(stream, handshake)) => {
            let (reader, writer) = tokio::io::split(stream);
            run(Arc::clone(&server), conn, handshake, reader, writer).await;
        }
        Ok(Secured::Plain(stream)) => {
            let (reader, writer) = stream.into_split();
            run(Arc::clone(&server), conn, Handshake { info_sent: true, cert: None }, reader, writer).await;
        }
        Err(()) => server.log.debug(|| format!("{} - Client connection closed: TLS Handshake Failure", conn.label)),
    }
}

/// What a connection is told and known by before its tasks start.
struct Connection {
    id: u64,
    label: String,
    ip: IpAddr,
    nonce: Option<String>,
    /// Boxed: a connection task keeps its state for its whole life; INFO is needed once.
    info: Box<rnats_proto::Info>,
}

/// What happened before the protocol starts.
#[derive(Default)]
struct Handshake {
    /// INFO went out already (in plain text, before TLS).
    info_sent: bool,
    /// The client's verified certificate.
    cert: Option<Box<crate::auth::CertIdentity>>,
}

enum Secured {
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>, Handshake),
    /// `allow_non_tls`: the client went on in plain text.
    Plain(TcpStream),
}

/// The TLS part of a connection's start, as nats-server orders it: INFO in plain text, then
/// the handshake within the TLS timeout (with `allow_non_tls`, a first byte that is not a TLS
/// record keeps the connection plain); or with `handshake_first`, the handshake at once (or
/// as soon as the client speaks within the fallback delay, else INFO first after all).
async fn secure(
    server: &ServerState,
    tls: &ClientTls,
    mut stream: TcpStream,
    conn: &Connection,
) -> Result<Secured, ()> {
    let tls_first = match tls.handshake_first {
        Some(delay) if delay.is_zero() => true,
        Some(delay) => matches!(timeout(delay, stream.peek(&mut [0u8; 1])).await, Ok(Ok(n)) if n > 0),
        None => false,
    };
    let mut handshake = Handshake::default();
    if !tls_first {
        let mut info = Vec::new();
        encode::info(&mut info, &conn.info);
        if !matches!(timeout(tls.timeout, stream.write_all(&info)).await, Ok(Ok(()))) {
            return Err(());
        }
        handshake.info_sent = true;
        if server.options.allow_non_tls && tls.handshake_first.is_none() {
            let mut first = [0u8; 1];
            match timeout(tls.timeout, stream.peek(&mut first)).await {
                Ok(Ok(1)) if first[0] == TLS_HANDSHAKE_RECORD => {}
                Ok(Ok(0) | Err(_)) => return Err(()),
                _ => return Ok(Secured::Plain(stream)),
            }
        }
    }
    let label = &conn.label;
    let stream = match timeout(tls.timeout, tls.acceptor.accept(stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            server.log.error(&format!("{label} - TLS handshake error: {e}"));
            return Err(());
        }
        Err(_) => {
            server.log.error(&format!("{label} - TLS handshake timeout"));
            return Err(());
        }
    };
    handshake.cert = crate::tls::peer_identity(stream.get_ref().1).map(Box::new);
    if !tls.accepts_pin(handshake.cert.as_deref()) {
        server.log.error(&format!("{label} - TLS handshake error: certificate not pinned"));
        return Err(());
    }
    Ok(Secured::Tls(Box::new(stream), handshake))
}

/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// Runs the protocol on an established transport until the connection closes.
async fn run<R, W>(server: Arc<ServerState>, conn: Connection, handshake: Handshake, reader: R, writer: W)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let Connection { id, label, ip, nonce, info } = conn;
    let shared = ClientShared::new(id, server.options.max_pending);
    if !handshake.info_sent {
        let _ = shared.enqueue(|out| encode::info(out, &info));
    }
    // Its strings are not needed again while the connection lives.
    drop(info);
    if !server.register(&shared) {
        let _ = shared.enqueue(|out| encode::err(out, text::MAX_CONNECTIONS));
        shared.close(CloseReason::MaxConnectionsExceeded);
        write_loop(server, shared, writer, label).await;
        return;
    }
    server.log.debug(|| format!("{label} - Client connection created"));
    let writer_task = tokio::spawn(write_loop(Arc::clone(&server), Arc::clone(&shared), writer, label.clone()));
    let grant = server.default_grant();
    let mut session = ClientSession::new(Arc::clone(&server), Arc::clone(&shared), Arc::clone(&grant.account));
    session.prepare(label.clone(), ip, nonce, handshake.cert, grant);
    // Binding may already have something to say (a subscription limit that allows none).
    let _ = session.flush();
    let reason = read_loop(&server, &shared, &mut session, ip, reader).await;
    shared.close(reason);
    // The first reason wins: the reader may have seen something else after a publisher closed
    // this connection as a slow consumer.
    let reason = shared.closed().unwrap_or(reason);
    if reason == CloseReason::SlowConsumerPendingBytes {
        // Logged under the subscriber's name, as nats-server logs it.
        let max = server.options.max_pending;
        server.log.info(&format!("{label} - Slow Consumer Detected: MaxPending of {max} Exceeded"));
    }
    session.close();
    server.unregister(id);
    let _ = writer_task.await;
    server.log.debug(|| format!("{label} - Client connection closed: {reason}"));
}

async fn read_loop<R: AsyncRead + Unpin>(
    server: &Arc<ServerState>,
    shared: &ClientShared,
    session: &mut ClientSession,
    peer_ip: IpAddr,
    mut reader: R,
) -> CloseReason {
    let auth_deadline = Instant::now() + server.auth_timeout();
    let mut close_deadline = None;
    let mut buf: Vec<u8> = Vec::new();
    let mut target = MIN_READ_BUFFER;
    loop {
        if let (None, Some(reason)) = (close_deadline, session.closing()) {
            close_deadline = Some((Instant::now() + session::CLOSE_DELAY, reason));
        }
        if buf.capacity() - buf.len() < target / 2 {
            buf.reserve(target);
        }
        let room = buf.capacity() - buf.len();
        let auth_pending = server.connect_required() && !session.is_connected();
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
        loop {
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
            // A CONNECT whose password needs bcrypt: checked on a blocking thread, then the
            // rest of the buffer is processed.
            let Some(check) = session.take_password_check() else { break };
            // A second CONNECT gets the same time to check as a first one.
            let deadline = match session.is_connected() {
                true => Instant::now() + server.auth_timeout(),
                false => auth_deadline,
            };
            // Boxed: rare, and its state would otherwise sit in every connection's task.
            let outcome = match Box::pin(check_password(server, check, peer_ip, deadline)).await {
                Some(outcome) => outcome,
                None => return auth_timeout(shared),
            };
            let finished = session.finish_check(outcome);
            let _ = session.flush();
            if let Err(reason) = finished {
                return reason;
            }
            if buf.is_empty() {
                break;
            }
        }
        if n == room {
            target = (target * 2).min(MAX_READ_BUFFER);
        } else if buf.is_empty() && n < buf.capacity() / 4 && buf.capacity() > MIN_READ_BUFFER {
            target = MIN_READ_BUFFER;
            buf = Vec::new();
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

fn auth_timeout(shared: &ClientShared) -> CloseReason {
    let _ = shared.enqueue(|out| encode::err(out, text::AUTHENTICATION_TIMEOUT));
    CloseReason::AuthenticationTimeout
}

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

/// Writes what is pending until the connection closes; `label` names it in log lines.
pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    server: Arc<ServerState>,
    shared: Arc<ClientShared>,
    mut writer: W,
    label: String,
) {
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
                if reason == CloseReason::SlowConsumerWriteDeadline {
                    write_deadline_notice(&server, &shared, &label, spare.len());
                }
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

/// nats-server's notice for a write past the deadline, except for a connection still owing
/// the CONNECT its server requires (not counted as a slow consumer there). A batch is one
/// contiguous buffer here, so it is one chunk.
fn write_deadline_notice(server: &ServerState, shared: &ClientShared, label: &str, attempted: usize) {
    if server.connect_required() && !shared.is_connected() {
        return;
    }
    let nanos = i64::try_from(server.options.write_deadline.as_nanos()).unwrap_or(i64::MAX);
    let deadline = crate::options::format_go_duration(nanos);
    server.log.info(&format!(
        "{label} - Slow Consumer Detected: WriteDeadline of {deadline} exceeded with 1 chunks of {attempted} total bytes."
    ));
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
async fn write_all<W: AsyncWrite + Unpin>(
    server: &ServerState,
    shared: &ClientShared,
    writer: &mut W,
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
