//! The server: shared state, the client listener and shutdown.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use parking_lot::Mutex;
use rnats_proto::Info;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::account::{Account, GLOBAL_ACCOUNT, SYSTEM_ACCOUNT};
use crate::auth::{Authenticator, Grant, PasswordGate};
use crate::conn::ConnShared;
use crate::errors::CloseReason;
use crate::import::{LocalMapping, ServiceImport, StreamImport};
use crate::log::Logger;
use crate::options::{Limit, Options};
use crate::tls::ListenerTls;

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
    /// Configured credentials and the decision for each CONNECT.
    pub auth: Authenticator,
    /// Client TLS, when configured.
    pub tls: Option<ListenerTls>,
    /// Slow (bcrypt) password checks: on half the cores at most, so a storm of logins leaves
    /// the rest to connections already in, and fair between claimants.
    pub(crate) password_gate: PasswordGate,
    /// Every account by name: `$G`, the system account, and those users belong to.
    accounts: HashMap<String, Arc<Account>, RandomState>,
    /// Open client connections, for limits and shutdown.
    clients: Mutex<HashMap<u64, Arc<ConnShared>, RandomState>>,
    /// Open server links (leaf nodes), for shutdown and monitoring.
    links: Mutex<HashMap<u64, Arc<ConnShared>, RandomState>>,
    link_msgs_in: AtomicU64,
    loops: AtomicU64,
    /// The leaf node listener, when `leafnodes { port }` is set.
    pub(crate) leaf: Option<crate::link::leaf::LeafListener>,
    next_client_id: AtomicU64,
    started: Instant,
    shutting_down: AtomicBool,
}

impl ServerState {
    pub(crate) fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Password checks waiting for the bcrypt gate.
    pub fn password_checks_waiting(&self) -> usize {
        self.password_gate.queued()
    }

    /// Milliseconds since start (cheap liveness stamps).
    pub(crate) fn uptime_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The INFO for one connection (`nonce`: the NKEY challenge, when NKEY users exist).
    pub(crate) fn client_info(&self, id: u64, peer: SocketAddr, nonce: Option<&str>) -> Info {
        Info {
            client_id: id,
            client_ip: peer.ip().to_string(),
            nonce: nonce.unwrap_or_default().to_string(),
            ..self.info.clone()
        }
    }

    /// The INFO that answers a client's CONNECT (see `ClientSession`): the server's INFO with
    /// the connection's id, address and payload limit (its account's, when tighter), and the
    /// account it is bound to.
    pub(crate) fn connect_info(&self, id: u64, client_ip: Option<IpAddr>, account: &Account) -> Info {
        let server_limit = Limit::from_config(i64::try_from(self.options.max_payload).unwrap_or(i64::MAX));
        Info {
            client_id: id,
            client_ip: client_ip.map(|ip| ip.to_string()).unwrap_or_default(),
            max_payload: i64::from(account.limits().max_payload.min(server_limit).as_int32()),
            connect_info: true,
            remote_account: account.name.clone(),
            acc_is_sys: self.is_system_account(account),
            ..self.info.clone()
        }
    }

    /// Whether `account` is the system account (`$SYS` unless configured otherwise).
    pub(crate) fn is_system_account(&self, account: &Account) -> bool {
        account.name == self.options.system_account.as_deref().unwrap_or(SYSTEM_ACCOUNT)
    }

    /// Time a client has to authenticate: the configured timeout, else nats-server's default
    /// (2 seconds, or the TLS handshake timeout plus one second when TLS is on).
    pub(crate) fn auth_timeout(&self) -> Duration {
        match (self.options.auth_timeout, &self.tls) {
            (Some(timeout), _) if !timeout.is_zero() => timeout,
            (_, Some(tls)) => tls.timeout + Duration::from_secs(1),
            _ => Duration::from_secs(2),
        }
    }

    /// Adds a connection unless the server is full or shutting down.
    pub(crate) fn register(&self, client: &Arc<ConnShared>) -> bool {
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

    /// Adds a server link (for shutdown).
    pub(crate) fn register_link(&self, link: &Arc<ConnShared>) {
        self.links.lock().insert(link.id, Arc::clone(link));
    }

    pub(crate) fn unregister_link(&self, id: u64) {
        self.links.lock().remove(&id);
    }

    /// Messages received over server links since start (each `LMSG`/`HMSG` once).
    pub fn link_messages_in(&self) -> u64 {
        self.link_msgs_in.load(Ordering::Relaxed)
    }

    /// Leaf loops this server detected (its own `$LDS.` subject came back over a link).
    pub fn loops_detected(&self) -> u64 {
        self.loops.load(Ordering::Relaxed)
    }

    pub(crate) fn count_loop(&self) {
        self.loops.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_link_message(&self) {
        self.link_msgs_in.fetch_add(1, Ordering::Relaxed);
    }

    /// Open server links (leaf node connections, both directions).
    pub fn link_count(&self) -> usize {
        self.links.lock().len()
    }

    /// `server_name`, or the server id.
    pub fn server_name(&self) -> &str {
        &self.info.server_name
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Open client connections.
    pub fn client_count(&self) -> usize {
        self.clients.lock().len()
    }

    /// The global account `$G` (clients land there when no accounts are configured).
    pub fn global_account(&self) -> Arc<Account> {
        Arc::clone(&self.global)
    }

    /// Every account: `$G`, the system account and the configured ones.
    pub fn accounts(&self) -> Vec<Arc<Account>> {
        self.accounts.values().cloned().collect()
    }

    /// An account by name.
    pub fn account(&self, name: &str) -> Option<Arc<Account>> {
        self.accounts.get(name).cloned()
    }

    /// What a connection has before (or without) CONNECT: the `no_auth_user`'s grant when one
    /// is configured, else the global account without restrictions.
    pub fn default_grant(&self) -> Grant {
        self.auth.no_auth_grant().unwrap_or_else(|| Grant {
            account: self.global_account(),
            permissions: None,
            identity: crate::auth::Identity::Anonymous,
        })
    }

    /// Whether any credentials are configured.
    pub fn auth_required(&self) -> bool {
        self.auth.is_required()
    }

    /// Whether a client must send CONNECT before anything else: credentials are configured
    /// and there is no `no_auth_user` to fall back on. This is INFO's `auth_required`.
    pub fn connect_required(&self) -> bool {
        self.auth_required() && self.auth.no_auth_grant().is_none()
    }
}

/// `$G`, the system account, and every account a configured user belongs to.
fn build_accounts(options: &Options) -> HashMap<String, Arc<Account>, RandomState> {
    let mut accounts: HashMap<String, Arc<Account>, RandomState> = HashMap::default();
    accounts.insert(GLOBAL_ACCOUNT.to_string(), Account::new(GLOBAL_ACCOUNT));
    let system = options.system_account.clone().unwrap_or_else(|| SYSTEM_ACCOUNT.to_string());
    let named = options.accounts.iter().cloned().chain(options.users.iter().filter_map(|u| u.account.clone()));
    let linked = options.stream_imports.iter().flat_map(|i| [i.importer.clone(), i.exporter.clone()]);
    for name in std::iter::once(system).chain(named).chain(linked) {
        accounts.entry(name.clone()).or_insert_with(|| Account::new(&name));
    }
    for config in &options.stream_imports {
        let (Some(exporter), Some(importer)) = (accounts.get(&config.exporter), accounts.get(&config.importer)) else {
            continue;
        };
        let mapping = match (&config.prefix, &config.to) {
            (Some(prefix), _) => LocalMapping::Prefix(prefix.trim_end_matches('.').as_bytes().into()),
            (None, Some(to)) => LocalMapping::To(to.as_bytes().into()),
            (None, None) => LocalMapping::Same,
        };
        importer.add_import(StreamImport::new(Arc::clone(exporter), Arc::clone(importer), &config.subject, mapping));
    }
    for (name, limits) in &options.account_limits {
        if let Some(account) = accounts.get(name) {
            account.set_limits(*limits);
        }
    }
    for config in &options.service_imports {
        let (Some(exporter), Some(importer)) = (accounts.get(&config.exporter), accounts.get(&config.importer)) else {
            continue;
        };
        let local = config.to.clone().unwrap_or_else(|| config.subject.clone());
        importer.add_service_import(Arc::new(ServiceImport {
            exporter: Arc::clone(exporter),
            importer: Arc::clone(importer),
            subject: config.subject.as_bytes().into(),
            local: local.as_bytes().into(),
            streamed: config.streamed_responses,
            threshold: config.response_threshold.unwrap_or(DEFAULT_RESPONSE_THRESHOLD),
        }));
    }
    accounts
}

fn password_check_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// nats-server's default delay between leaf node reconnect attempts.
const DEFAULT_LEAF_RECONNECT: Duration = Duration::from_secs(1);

/// nats-server's default `response_threshold` for service exports.
const DEFAULT_RESPONSE_THRESHOLD: Duration = Duration::from_secs(120);

/// Starts servers.
pub struct Server;

impl Server {
    /// Binds the client listener and starts accepting. Logs nats-server's startup lines.
    pub async fn start(options: Options, log: Logger) -> io::Result<RunningServer> {
        crate::options::validate(&options).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let server_id = nkeys::KeyPair::new_server().public_key();
        let tls = options.tls.as_ref().map(ListenerTls::new).transpose()?;
        let listener = crate::listener::bind(&options.host, options.listen_port()).await?;
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
            auth_required: (options.auth.is_required() || !options.users.is_empty()) && options.no_auth_user.is_none(),
            tls_required: tls.is_some() && !options.allow_non_tls,
            tls_available: tls.is_some() && options.allow_non_tls,
            tls_verify: tls.as_ref().is_some_and(|t| t.verify),
            max_payload: options.max_payload as i64,
            ..Info::default()
        };
        let leaf = match &options.leafnodes {
            Some(leaf) => crate::link::leaf::bind(leaf, &options.host).await?,
            None => None,
        };
        let (leaf_listener, leaf) = leaf.map_or((None, None), |(l, info)| (Some(l), Some(info)));
        let accounts = build_accounts(&options);
        let global = Arc::clone(&accounts[GLOBAL_ACCOUNT]);
        let auth = Authenticator::new(&options, |name| accounts.get(name).cloned(), Arc::clone(&global));
        let password_gate = PasswordGate::new(Arc::clone(&auth.checker), password_check_slots());
        let state = Arc::new(ServerState {
            options,
            log,
            server_id,
            info,
            global,
            auth,
            tls,
            password_gate,
            accounts,
            clients: Mutex::new(HashMap::default()),
            links: Mutex::new(HashMap::default()),
            link_msgs_in: AtomicU64::new(0),
            loops: AtomicU64::new(0),
            leaf,
            next_client_id: AtomicU64::new(1),
            started: Instant::now(),
            shutting_down: AtomicBool::new(false),
        });
        state.log.info(&format!("Listening for client connections on {}", display_addr(&state.options.host, addr)));
        if let Some(path) = &state.options.pid_file {
            std::fs::write(path, std::process::id().to_string()).map_err(|e| {
                let message =
                    format!("Could not write pidfile: open {}: {}", path.display(), crate::errors::go_os_error(&e));
                io::Error::new(io::ErrorKind::InvalidInput, message)
            })?;
        }
        let stop = Arc::new(Notify::new());
        let leaf_stop = Arc::new(Notify::new());
        let mut leaf_accept = None;
        if let (Some(listener), Some(leaf)) = (leaf_listener, &state.leaf) {
            let shown = display_addr(
                state.options.leafnodes.as_ref().and_then(|l| l.host.as_deref()).unwrap_or(&state.options.host),
                leaf.addr,
            );
            state.log.info(&format!("Listening for leafnode connections on {shown}"));
            leaf_accept = Some(tokio::spawn(crate::link::leaf::accept_loop(
                Arc::clone(&state),
                listener,
                Arc::clone(&leaf_stop),
            )));
        }
        if let Some(leaf) = &state.options.leafnodes {
            let delay = leaf.reconnect.unwrap_or(DEFAULT_LEAF_RECONNECT);
            for remote in leaf.remotes.iter().filter(|r| !r.disabled) {
                tokio::spawn(crate::link::leaf::solicit_loop(Arc::downgrade(&state), remote.clone(), delay));
            }
        }
        state.log.info("Server is ready");
        tokio::spawn(expire_responses(Arc::downgrade(&state)));
        let serve = |state: &Arc<ServerState>, stream, peer| {
            tokio::spawn(crate::client::serve(Arc::clone(state), stream, peer));
        };
        let accept_task = tokio::spawn(crate::listener::accept_loop(
            Arc::clone(&state),
            listener,
            Arc::clone(&stop),
            "Client",
            serve,
        ));
        let ports_file = state
            .options
            .ports_file_dir
            .as_deref()
            .and_then(|dir| crate::ports_file::write(&state.log, dir, addr, state.info.tls_required));
        Ok(RunningServer { state, addr, stop, accept_task, leaf_stop, leaf_accept, ports_file })
    }
}

fn display_addr(host: &str, addr: SocketAddr) -> String {
    if host.contains(':') {
        format!("[{host}]:{}", addr.port())
    } else {
        format!("{host}:{}", addr.port())
    }
}

/// Once a second, drops reply maps of service imports whose threshold passed (requests
/// nobody answered, streams that went quiet), a batch at a time with a yield between
/// batches, so a million expiring reply maps never hold a worker thread. Ends with the server.
async fn expire_responses(state: std::sync::Weak<ServerState>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(state) = state.upgrade() else { return };
        if state.shutting_down.load(Ordering::Acquire) {
            return;
        }
        let now = Instant::now();
        let accounts: Vec<Arc<Account>> = state.accounts.values().cloned().collect();
        drop(state);
        for account in accounts {
            while account.expire_responses(now) {
                tokio::task::yield_now().await;
            }
        }
    }
}

/// A started server.
pub struct RunningServer {
    state: Arc<ServerState>,
    addr: SocketAddr,
    stop: Arc<Notify>,
    accept_task: JoinHandle<()>,
    leaf_stop: Arc<Notify>,
    leaf_accept: Option<JoinHandle<()>>,
    /// Written at start when `ports_file_dir` is set; removed at shutdown.
    ports_file: Option<std::path::PathBuf>,
}

impl RunningServer {
    /// Where clients connect.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where leaf nodes connect, when the server has a leaf listener.
    pub fn leaf_addr(&self) -> Option<SocketAddr> {
        self.state.leaf.as_ref().map(|l| l.addr)
    }

    /// The shared state (for tests and embedding).
    pub fn state(&self) -> &Arc<ServerState> {
        &self.state
    }

    /// Stops accepting, closes every client and waits (up to a few seconds) for them to go.
    pub async fn shutdown(self) {
        self.state.shutting_down.store(true, Ordering::Release);
        // `notify_one` keeps a permit for a loop that is not waiting at this instant.
        self.stop.notify_one();
        self.leaf_stop.notify_one();
        let _ = self.accept_task.await;
        if let Some(task) = self.leaf_accept {
            let _ = task.await;
        }
        let clients: Vec<Arc<ConnShared>> = self.state.clients.lock().values().cloned().collect();
        let links: Vec<Arc<ConnShared>> = self.state.links.lock().values().cloned().collect();
        for client in clients.into_iter().chain(links) {
            client.close(CloseReason::ServerShutdown);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while (self.state.client_count() > 0 || self.state.link_count() > 0) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if let Some(path) = &self.ports_file {
            crate::ports_file::remove(&self.state.log, path);
        }
    }
}
