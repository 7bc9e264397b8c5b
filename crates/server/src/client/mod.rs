//! Client connections: one reader task (read, parse, act, wake writers) and one writer task
//! (write what is pending, send PINGs) per connection.

mod reserved;
mod session;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use rnats_proto::encode;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

pub use session::ClientSession;

use crate::conn::{accept_tls, read_loop, write_loop, ConnShared, WriteSettings};
use crate::errors::{text, CloseReason};
use crate::server::ServerState;
use crate::tls::ListenerTls;

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
        Err(()) => server
            .log
            .debug(|| format!("{} - Client connection closed: {}", conn.label, CloseReason::TlsHandshakeFailure)),
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
    tls: &ListenerTls,
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
    let Some((stream, cert)) = accept_tls(tls, stream, &server.log, &conn.label).await else { return Err(()) };
    handshake.cert = cert.map(Box::new);
    Ok(Secured::Tls(stream, handshake))
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
    let shared = ConnShared::new(id, server.options.max_pending);
    if !handshake.info_sent {
        let _ = shared.enqueue(|out| encode::info(out, &info));
    }
    // Its strings are not needed again while the connection lives.
    drop(info);
    if !server.register(&shared) {
        let _ = shared.enqueue(|out| encode::err(out, text::MAX_CONNECTIONS));
        shared.close(CloseReason::MaxConnectionsExceeded);
        write_loop(Arc::clone(&server), shared, writer, WriteSettings::new(&server, label)).await;
        return;
    }
    server.log.debug(|| format!("{label} - Client connection created"));
    let settings = WriteSettings::new(&server, label.clone());
    let writer_task = tokio::spawn(write_loop(Arc::clone(&server), Arc::clone(&shared), writer, settings));
    let grant = server.default_grant();
    let mut session = ClientSession::new(Arc::clone(&server), Arc::clone(&shared), Arc::clone(&grant.account));
    session.prepare(label.clone(), ip, nonce, handshake.cert, grant);
    // Binding may already have something to say (a subscription limit that allows none).
    let _ = session.flush();
    let reason = read_loop(&server, &shared, &mut session, ip, Vec::new(), reader).await;
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
