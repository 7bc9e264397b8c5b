//! The server: shared state, the client listener and shutdown.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use parking_lot::Mutex;
use rnats_proto::{ConnectOptions, Info};
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::account::{Account, GLOBAL_ACCOUNT};
use crate::errors::CloseReason;
use crate::log::Logger;
use crate::options::Options;
use crate::outbound::ClientShared;

/// State every connection shares.
pub struct ServerState {
    /// Options the server started with.
    pub options: Options,
    /// Where log lines go.
    pub log: Logger,
    /// Server public nkey.
    pub server_id: String,
    /// INFO sent to clients, without the per-connection fields.
    info: Info,
    global: Arc<Account>,
    /// Open client connections, for limits and shutdown.
    clients: Mutex<HashMap<u64, Arc<ClientShared>, RandomState>>,
    next_client_id: AtomicU64,
    started: Instant,
    shutting_down: AtomicBool,
}

impl ServerState {
    pub(crate) fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Milliseconds since start (cheap liveness stamps).
    pub(crate) fn uptime_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    pub(crate) fn client_info(&self, id: u64, peer: SocketAddr) -> Info {
        Info { client_id: id, client_ip: peer.ip().to_string(), ..self.info.clone() }
    }

    /// Adds a connection unless the server is full or shutting down.
    pub(crate) fn register(&self, client: &Arc<ClientShared>) -> bool {
        let mut clients = self.clients.lock();
        if clients.len() >= self.options.max_connections || self.shutting_down.load(Ordering::Acquire) {
            return false;
        }
        clients.insert(client.id, Arc::clone(client));
        true
    }

    pub(crate) fn unregister(&self, id: u64) {
        self.clients.lock().remove(&id);
    }

    /// Open client connections.
    pub fn client_count(&self) -> usize {
        self.clients.lock().len()
    }

    /// The account clients use when none are configured.
    pub fn global_account(&self) -> Arc<Account> {
        Arc::clone(&self.global)
    }

    /// Whether clients must present credentials.
    pub fn auth_required(&self) -> bool {
        self.options.auth.is_required()
    }

    /// Checks a CONNECT's credentials against the configured ones.
    pub(crate) fn authorize(&self, connect: &ConnectOptions) -> bool {
        let auth = &self.options.auth;
        if let Some(token) = &auth.token {
            return connect.auth_token.as_deref() == Some(token.as_str());
        }
        if let Some(user) = &auth.user {
            return connect.user.as_deref() == Some(user.as_str())
                && connect.pass.as_deref().unwrap_or("") == auth.pass.as_deref().unwrap_or("");
        }
        true
    }
}

/// Starts servers.
pub struct Server;

impl Server {
    /// Binds the client listener and starts accepting. Logs nats-server's startup lines.
    pub async fn start(options: Options, log: Logger) -> io::Result<RunningServer> {
        let server_id = nkeys::KeyPair::new_server().public_key();
        let listener = listen(&options.host, options.listen_port()).await?;
        let addr = listener.local_addr()?;
        let server_name = options.server_name.clone().unwrap_or_else(|| server_id.clone());
        log.info("Starting rnats-server");
        log.info(&format!("  Version:  {}", crate::COMPATIBLE_VERSION));
        log.info(&format!("  rnats:    {}", crate::RNATS_VERSION));
        log.info("  Git:      [not set]");
        log.info(&format!("  Name:     {server_name}"));
        log.info(&format!("  ID:       {server_id}"));
        let info = Info {
            server_id: server_id.clone(),
            server_name,
            version: crate::COMPATIBLE_VERSION.to_string(),
            proto: rnats_proto::PROTO_LEVEL,
            go: format!("rnats{}", crate::RNATS_VERSION),
            host: options.host.clone(),
            port: addr.port(),
            headers: true,
            auth_required: options.auth.is_required(),
            max_payload: options.max_payload as i64,
            ..Info::default()
        };
        let state = Arc::new(ServerState {
            options,
            log,
            server_id,
            info,
            global: Account::new(GLOBAL_ACCOUNT),
            clients: Mutex::new(HashMap::default()),
            next_client_id: AtomicU64::new(1),
            started: Instant::now(),
            shutting_down: AtomicBool::new(false),
        });
        state.log.info(&format!("Listening for client connections on {}", display_addr(&state.options.host, addr)));
        if let Some(path) = &state.options.pid_file {
            std::fs::write(path, std::process::id().to_string())?;
        }
        state.log.info("Server is ready");
        let stop = Arc::new(Notify::new());
        let accept_task = tokio::spawn(accept_loop(Arc::clone(&state), listener, Arc::clone(&stop)));
        Ok(RunningServer { state, addr, stop, accept_task })
    }
}

/// Binds like Go's `net.Listen`: address reuse on, and the kernel's full accept backlog, so a
/// burst of connections (thousands of clients reconnecting at once) is not dropped while the
/// accept loop catches up.
async fn listen(host: &str, port: u16) -> io::Result<TcpListener> {
    let mut last_error = io::Error::new(io::ErrorKind::AddrNotAvailable, format!("cannot resolve {host}"));
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(LISTEN_BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// Linux caps this at `net.core.somaxconn` (4096 by default), which is what Go asks for.
const LISTEN_BACKLOG: u32 = 4096;

fn display_addr(host: &str, addr: SocketAddr) -> String {
    if host.contains(':') {
        format!("[{host}]:{}", addr.port())
    } else {
        format!("{host}:{}", addr.port())
    }
}

async fn accept_loop(state: Arc<ServerState>, listener: TcpListener, stop: Arc<Notify>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tokio::spawn(crate::client::serve(Arc::clone(&state), stream, peer));
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    state.log.error(&format!("Error accepting client connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = stop.notified() => return,
        }
    }
}

/// A started server.
pub struct RunningServer {
    state: Arc<ServerState>,
    addr: SocketAddr,
    stop: Arc<Notify>,
    accept_task: JoinHandle<()>,
}

impl RunningServer {
    /// Where clients connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (for tests and embedding).
    pub fn state(&self) -> &Arc<ServerState> {
        &self.state
    }

    /// Stops accepting, closes every client and waits (up to a few seconds) for them to go.
    pub async fn shutdown(self) {
        self.state.shutting_down.store(true, Ordering::Release);
        self.stop.notify_one();
        let _ = self.accept_task.await;
        let clients: Vec<Arc<ClientShared>> = self.state.clients.lock().values().cloned().collect();
        for client in clients {
            client.close(CloseReason::ServerShutdown);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.state.client_count() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
