//! Leaf nodes, as nats-server speaks them.
//!
//! Hub side (`leafnodes { port }`): send INFO (with `leafnode_urls`, which tells a soliciting
//! server it reached a leaf port), TLS if configured, wait for CONNECT, authenticate (the
//! `leafnodes { authorization }` users, else the server's own users and accounts, as
//! nats-server does), answer with INFO `connect_info`, then interest and messages.
//!
//! Spoke side (`leafnodes { remotes }`): connect, read INFO, TLS if asked, send CONNECT with
//! the URL's credentials, wait for the hub's INFO (or its `-ERR`), then interest and messages;
//! reconnect after the configured delay (30 s after a loop was detected) for as long as the
//! server runs.
//!
//! Once up, both sides are the same [`Link`]: bound to one local account, announcing its
//! interest (`LS+`/`LS-`, plus a `$LDS.` loop-detection subject) and carrying `LMSG`/`HMSG`.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rnats_proto::leaf::{parse_leaf_op, LeafOp};
use rnats_proto::ConnectOptions;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{timeout, timeout_at, Instant};

use super::leaf_session::{LeafSession, LOOP_DELAY};
use super::LinkKind;
use crate::account::Account;
use crate::auth::{CertIdentity, Verdict};
use crate::conn::{accept_tls, read_loop, write_loop, ConnShared, WriteSettings};
use crate::errors::text;
use crate::options::{LeafNodeOptions, RemoteLeaf};
use crate::server::ServerState;
use crate::tls::ListenerTls;

/// nats-server's default leaf node port.
pub const DEFAULT_LEAF_PORT: u16 = 7422;
/// How long a soliciting server waits for the hub's first INFO.
const FIRST_INFO_TIMEOUT: Duration = Duration::from_secs(2);

/// The hub side: a listener for leaf connections.
pub struct LeafListener {
    /// Where leaf nodes connect.
    pub addr: SocketAddr,
    tls: Option<ListenerTls>,
}

/// Binds the leaf listener (when `leafnodes { port }` is set). TLS problems fail here.
pub async fn bind(
    options: &LeafNodeOptions,
    client_host: &str,
) -> std::io::Result<Option<(TcpListener, LeafListener)>> {
    let Some(port) = options.port else { return Ok(None) };
    let tls = options.tls.as_ref().map(ListenerTls::new).transpose()?;
    let host = options.host.clone().unwrap_or_else(|| client_host.to_string());
    let port = match port {
        0 => DEFAULT_LEAF_PORT,
        p if p < 0 => 0,
        p => u16::try_from(p).unwrap_or(DEFAULT_LEAF_PORT),
    };
    let listener = crate::listener::bind(&host, port).await?;
    let addr = listener.local_addr()?;
    Ok(Some((listener, LeafListener { addr, tls })))
}

/// Accepts leaf connections until the server stops.
pub(crate) async fn accept_loop(state: Arc<ServerState>, listener: TcpListener, stop: Arc<tokio::sync::Notify>) {
    let serve = |state: &Arc<ServerState>, stream, peer| {
        tokio::spawn(accept(Arc::clone(state), stream, peer));
    };
    crate::listener::accept_loop(state, listener, stop, "Leafnode", serve).await;
}

/// The hub's INFO for a leaf connection (`connect_info` after a successful CONNECT).
fn hub_info(state: &ServerState, id: u64, nonce: Option<&str>, bound: Option<&str>) -> Vec<u8> {
    let Some(leaf) = &state.leaf else { return Vec::new() };
    let host = state.options.host.clone();
    let mut info = json!({
        "server_id": state.server_id,
        "server_name": state.server_name(),
        "version": crate::COMPATIBLE_VERSION,
        "proto": rnats_proto::PROTO_LEVEL,
        "go": format!("rnats{}", crate::RNATS_VERSION),
        "host": host,
        "port": leaf.addr.port(),
        "headers": true,
        "auth_required": true,
        "max_payload": state.options.max_payload,
        "client_id": id,
        "info_on_connect": true,
        "leafnode_urls": [format!("{}:{}", advertised_host(&host), leaf.addr.port())],
    });
    if let Some(tls) = &leaf.tls {
        info["tls_required"] = Value::Bool(true);
        info["tls_verify"] = Value::Bool(tls.verify);
    }
    if let Some(nonce) = nonce {
        info["nonce"] = Value::from(nonce);
    }
    if let Some(account) = bound {
        info["connect_info"] = Value::Bool(true);
        info["remote_account"] = Value::from(account);
    }
    format!("INFO {info} \r\n").into_bytes()
}

fn advertised_host(host: &str) -> &str {
    if host == "0.0.0.0" || host == "::" || host.is_empty() {
        "127.0.0.1"
    } else {
        host
    }
}

/// One accepted leaf connection, from INFO to close.
async fn accept(state: Arc<ServerState>, mut stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let id = state.next_client_id();
    let label = format!("{peer} - lid:{id}");
    let nonce = crate::auth::new_nonce();
    let Some(leaf) = &state.leaf else { return };
    if !matches!(
        timeout(FIRST_INFO_TIMEOUT, stream.write_all(&hub_info(&state, id, Some(&nonce), None))).await,
        Ok(Ok(()))
    ) {
        return;
    }
    match &leaf.tls {
        None => {
            let (reader, writer) = stream.into_split();
            let arrival = Arrival { id, label, nonce, ip: peer.ip() };
            hub_session(state, arrival, None, false, reader, writer).await;
        }
        Some(tls) => {
            let Some((stream, cert)) = accept_tls(tls, stream, &state.log, &label).await else { return };
            let map = tls.map_users;
            let (reader, writer) = tokio::io::split(*stream);
            let arrival = Arrival { id, label, nonce, ip: peer.ip() };
            hub_session(state, arrival, cert, map, reader, writer).await;
        }
    }
}

/// An accepted leaf connection before it logs in.
struct Arrival {
    id: u64,
    label: String,
    /// Sent in INFO for an NKEY signature.
    nonce: String,
    ip: std::net::IpAddr,
}

/// Waits for the leaf's CONNECT, authenticates it, and runs the link. `map_certificates`:
/// the leaf listener's `verify_and_map`.
async fn hub_session<R, W>(
    state: Arc<ServerState>,
    arrival: Arrival,
    cert: Option<CertIdentity>,
    map_certificates: bool,
    mut reader: R,
    mut writer: W,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let Arrival { id, label, nonce, ip } = arrival;
    let auth_timeout = state.options.leafnodes.as_ref().and_then(|l| l.auth_timeout).unwrap_or(state.auth_timeout());
    let deadline = Instant::now() + auth_timeout;
    let mut buf = Vec::with_capacity(1024);
    let connect = match timeout_at(deadline, read_connect(&state, &mut reader, &mut buf)).await {
        Ok(Ok(connect)) => connect,
        Ok(Err(())) => return,
        Err(_) => {
            send_err(&mut writer, text::AUTHENTICATION_TIMEOUT).await;
            return;
        }
    };
    let verdict = state.auth.decide_leaf(&connect, Some(&nonce), cert.as_ref(), map_certificates);
    let outcome = match verdict {
        Verdict::Granted(grant) => Some(Ok(grant)),
        Verdict::Denied(identity) => Some(Err(identity)),
        Verdict::Check(check) => crate::conn::check_password(&state, check, ip, deadline).await,
    };
    let account = match outcome {
        Some(Ok(grant)) => grant.account,
        Some(Err(identity)) => {
            state.log.error(&format!("{label} - authentication error - {identity}"));
            send_err(&mut writer, text::AUTHORIZATION_VIOLATION).await;
            let _ = writer.shutdown().await;
            return;
        }
        None => {
            send_err(&mut writer, text::AUTHENTICATION_TIMEOUT).await;
            return;
        }
    };
    let shared = ConnShared::new_link(id, state.options.max_pending);
    shared.headers.store(connect.headers, Ordering::Relaxed);
    let info = hub_info(&state, id, None, Some(&account.name));
    shared.send_now(|out| out.extend_from_slice(&info));
    let remote_name = connect.name.unwrap_or_default();
    run_link(state, account, shared, label, remote_name, buf, reader, writer, false, None).await;
}

/// Writes `-ERR '<text>'` before the link runs (no writer task yet).
async fn send_err<W: AsyncWrite + Unpin>(writer: &mut W, text: &str) {
    let mut line = Vec::new();
    rnats_proto::encode::err(&mut line, text);
    let _ = writer.write_all(&line).await;
}

/// Reads operations until CONNECT; returns its options.
async fn read_connect<R: AsyncRead + Unpin>(
    state: &ServerState,
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> Result<ConnectOptions, ()> {
    loop {
        if let Some((op, used)) = parse_leaf_op(buf, state.options.max_payload).map_err(|_| ())? {
            let result = match op {
                LeafOp::Connect(json) => ConnectOptions::from_json(json).map_err(|_| ()),
                LeafOp::Ping | LeafOp::Pong | LeafOp::Info(_) => {
                    buf.drain(..used);
                    continue;
                }
                _ => Err(()),
            };
            buf.drain(..used);
            return result;
        }
        if reader.read_buf(buf).await.map_err(|_| ())? == 0 {
            return Err(());
        }
    }
}

/// Connects to one remote hub for as long as the server runs.
pub(crate) async fn solicit_loop(state: std::sync::Weak<ServerState>, remote: RemoteLeaf, delay: Duration) {
    let mut attempt = 0u64;
    loop {
        let Some(server) = state.upgrade() else { return };
        if server.is_shutting_down() {
            return;
        }
        let mut urls = remote.urls.clone();
        if !remote.no_randomize {
            fastrand::shuffle(&mut urls);
        }
        let mut wait = delay;
        for url in &urls {
            attempt += 1;
            match solicit(Arc::clone(&server), &remote, url).await {
                Ok(Outcome::Closed) => attempt = 0,
                Ok(Outcome::LoopDetected) => wait = LOOP_DELAY,
                Err(e) => server.log.error(&format!(
                    "Error trying to connect as leafnode to remote server {:?} (attempt {attempt}): {e}",
                    LeafUrl::parse(url).map(|u| u.host_port()).unwrap_or_else(|| url.clone())
                )),
            }
        }
        drop(server);
        tokio::time::sleep(wait).await;
    }
}

enum Outcome {
    Closed,
    LoopDetected,
}

/// A remote's URL: `nats-leaf://user:pass@host:port` (also `nats://`, `tls://`).
struct LeafUrl {
    tls: bool,
    user: Option<String>,
    pass: Option<String>,
    host: String,
    port: u16,
}

impl LeafUrl {
    fn parse(url: &str) -> Option<LeafUrl> {
        let (scheme, rest) = url.split_once("://").unwrap_or(("nats-leaf", url));
        let rest = rest.split('/').next().unwrap_or(rest);
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, rest),
        };
        let (user, pass) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)), Some(percent_decode(p))),
                None => (Some(percent_decode(info)), None),
            },
            None => (None, None),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || hostport.starts_with('[') => (host, port.parse().ok()?),
            _ => (hostport, DEFAULT_LEAF_PORT),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        Some(LeafUrl { tls: scheme.eq_ignore_ascii_case("tls"), user, pass, host, port })
    }

    fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One connection to a hub, from dial to close.
async fn solicit(state: Arc<ServerState>, remote: &RemoteLeaf, url: &str) -> Result<Outcome, String> {
    let target = LeafUrl::parse(url).ok_or_else(|| format!("invalid url {url:?}"))?;
    let mut stream = timeout(FIRST_INFO_TIMEOUT, TcpStream::connect((target.host.as_str(), target.port)))
        .await
        .map_err(|_| "dial timeout".to_string())?
        .map_err(|e| format!("dial tcp {}: {e}", target.host_port()))?;
    let _ = stream.set_nodelay(true);
    let peer = stream.peer_addr().map_err(|e| e.to_string())?;
    let id = state.next_client_id();
    let label = format!("{peer} - lid:{id}");
    let mut buf = Vec::with_capacity(1024);
    let info = timeout(FIRST_INFO_TIMEOUT, read_info(&state, &mut stream, &mut buf))
        .await
        .map_err(|_| "timeout waiting for the hub's INFO".to_string())??;
    if info.get("leafnode_urls").is_none_or(Value::is_null) || info["client_id"].as_u64().unwrap_or(0) == 0 {
        state.log.error(&format!("{label} - attempted to connect to wrong port"));
        return Ok(Outcome::Closed);
    }
    let use_tls = target.tls || remote.tls.is_some() || info["tls_required"].as_bool().unwrap_or(false);
    let account = match remote.account.as_deref() {
        Some(name) => state.account(name).ok_or_else(|| format!("no local account {name:?}"))?,
        None => state.global_account(),
    };
    let connect = json!({
        "version": crate::COMPATIBLE_VERSION,
        "user": target.user,
        "pass": target.pass,
        "tls_required": use_tls,
        "server_id": state.server_id,
        "name": state.server_name(),
        "headers": true,
        "remote_account": account.name,
    });
    let mut connect_line = format!("CONNECT {connect}\r\n").into_bytes();
    connect_line.extend_from_slice(b"PING\r\n");
    let remote_name = info["server_name"].as_str().unwrap_or_default().to_string();
    if use_tls {
        let config = crate::tls::client_config(remote.tls.as_ref()).map_err(|e| e.to_string())?;
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(target.host.clone())
            .map_err(|e| format!("tls server name {:?}: {e}", target.host))?;
        let connector = tokio_rustls::TlsConnector::from(config);
        let handshake = remote.tls.as_ref().map_or(crate::tls::DEFAULT_TLS_TIMEOUT, |t| t.timeout);
        let mut tls = timeout(handshake, connector.connect(name, stream))
            .await
            .map_err(|_| "TLS handshake timeout".to_string())?
            .map_err(|e| format!("TLS handshake error: {e}"))?;
        tls.write_all(&connect_line).await.map_err(|e| e.to_string())?;
        let (mut reader, writer) = tokio::io::split(tls);
        buf.clear();
        if !await_acceptance(&state, &label, &mut reader, &mut buf).await {
            return Ok(Outcome::Closed);
        }
        Ok(run_spoke(state, account, id, label, remote_name, buf, reader, writer, remote).await)
    } else {
        stream.write_all(&connect_line).await.map_err(|e| e.to_string())?;
        let (mut reader, writer) = stream.into_split();
        if !await_acceptance(&state, &label, &mut reader, &mut buf).await {
            return Ok(Outcome::Closed);
        }
        Ok(run_spoke(state, account, id, label, remote_name, buf, reader, writer, remote).await)
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_spoke<R, W>(
    state: Arc<ServerState>,
    account: Arc<Account>,
    id: u64,
    label: String,
    remote_name: String,
    buf: Vec<u8>,
    reader: R,
    writer: W,
    remote: &RemoteLeaf,
) -> Outcome
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let shared = ConnShared::new_link(id, state.options.max_pending);
    shared.headers.store(true, Ordering::Relaxed);
    let filters = Some((&remote.deny_imports[..], &remote.deny_exports[..]));
    if run_link(state, account, shared, label, remote_name, buf, reader, writer, true, filters).await {
        Outcome::LoopDetected
    } else {
        Outcome::Closed
    }
}

/// Reads the hub's first INFO.
async fn read_info(state: &ServerState, stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<Value, String> {
    loop {
        match parse_leaf_op(buf, state.options.max_payload) {
            Ok(Some((LeafOp::Info(json), used))) => {
                let info = serde_json::from_slice(json).map_err(|e| format!("bad INFO: {e}"));
                buf.drain(..used);
                return info;
            }
            Ok(Some(_)) | Err(_) => return Err("expected INFO".into()),
            Ok(None) => {}
        }
        if stream.read_buf(buf).await.map_err(|e| e.to_string())? == 0 {
            return Err("connection closed before INFO".into());
        }
    }
}

/// After CONNECT: the hub answers with INFO (accepted) or `-ERR` (refused).
async fn await_acceptance<R: AsyncRead + Unpin>(
    state: &ServerState,
    label: &str,
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> bool {
    let wait = async {
        loop {
            match parse_leaf_op(buf, state.options.max_payload) {
                Ok(Some((LeafOp::Info(_), used))) => {
                    buf.drain(..used);
                    return true;
                }
                Ok(Some((LeafOp::Err(text), _))) => {
                    let text = String::from_utf8_lossy(text).trim_matches('\'').to_string();
                    state.log.error(&format!("{label} - Leafnode Error '{text}'"));
                    return false;
                }
                // A PONG before the INFO (old hubs): accepted.
                Ok(Some((LeafOp::Pong, used))) => {
                    buf.drain(..used);
                    return true;
                }
                Ok(Some((_, used))) => {
                    buf.drain(..used);
                    continue;
                }
                Err(_) => return false,
                Ok(None) => {}
            }
            if !matches!(reader.read_buf(buf).await, Ok(n) if n > 0) {
                return false;
            }
        }
    };
    timeout(FIRST_INFO_TIMEOUT, wait).await.unwrap_or(false)
}

/// Runs an established link until it closes: interest both ways, messages both ways; whether
/// a loop was detected.
#[allow(clippy::too_many_arguments)]
async fn run_link<R, W>(
    state: Arc<ServerState>,
    account: Arc<Account>,
    shared: Arc<ConnShared>,
    label: String,
    remote_name: String,
    buf: Vec<u8>,
    reader: R,
    writer: W,
    solicited: bool,
    filters: Option<(&[String], &[String])>,
) -> bool
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin + Send + 'static,
{
    state.register_link(&shared);
    state
        .log
        .info(&format!("{label} - Leafnode connection created for account: {} (remote {remote_name:?})", account.name));
    let mut settings = WriteSettings::new(&state, label.clone());
    // nats-server pings the hub it solicited whatever the traffic.
    settings.always_ping = solicited;
    let writer_task = tokio::spawn(write_loop(Arc::clone(&state), Arc::clone(&shared), writer, settings));
    let deny = filters.unwrap_or((&[], &[]));
    let kind = if solicited { LinkKind::LeafSolicited } else { LinkKind::LeafAccepted };
    let mut session =
        LeafSession::start(Arc::clone(&state), Arc::clone(&account), Arc::clone(&shared), label.clone(), kind, deny);
    let no_login = std::net::IpAddr::from([0, 0, 0, 0]);
    let reason = read_loop(&state, &shared, &mut session, no_login, buf, reader).await;
    session.close();
    shared.close(reason);
    let _ = writer_task.await;
    state.unregister_link(shared.id);
    state.log.info(&format!("{label} - Leafnode connection closed: {reason} account: {}", account.name));
    session.loop_detected()
}

#[cfg(test)]
mod tests {
    use super::LeafUrl;

    #[test]
    fn remote_urls() {
        let u = LeafUrl::parse("nats-leaf://satellite_acme:p%40ss@hub.example:7422").expect("url");
        assert_eq!(
            (u.user.as_deref(), u.pass.as_deref(), u.host.as_str(), u.port),
            (Some("satellite_acme"), Some("p@ss"), "hub.example", 7422)
        );
        assert!(!u.tls);
        let u = LeafUrl::parse("tls://127.0.0.1").expect("url");
        assert_eq!((u.tls, u.port, u.user), (true, 7422, None));
        let u = LeafUrl::parse("nats://[::1]:4000").expect("url");
        assert_eq!((u.host.as_str(), u.port), ("::1", 4000));
    }
}
