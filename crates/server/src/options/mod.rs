//! Server options with nats-server's defaults, and the configuration file's meaning.
//!
//! [`load_config`] reads a file with `rnats_conf` (the syntax) and [`from_map`] turns the tree
//! into [`Options`] the way nats-server 2.9's `ProcessConfigFile` does: keys are
//! case-insensitive, every key nats-server knows is recognised, an unknown top-level key is an
//! error (unless it is a variable used elsewhere), and all errors of a file are collected.
//! Settings of features rnats has not built yet are checked for their shape as nats-server
//! checks them and then ignored with one warning each.
//!
//! One file per section: `top` (the dispatcher and the plain settings), `auth`
//! (`authorization`, users, permissions), `accounts`, `tls`, `cluster`, `gateway`,
//! `leafnodes`, `websocket`, `mqtt`, `jetstream`, `operator` (operator, trusted keys,
//! resolvers) and `misc` (the remaining shapes); `check`, `duration` and `listen` hold the
//! shared pieces. `validate` (and `validate_unbuilt`, over what the parsers noted in `facts`)
//! holds the checks nats-server makes only when a server is created or started; rnats makes
//! them when reading the file too.

mod accounts;
mod auth;
mod check;
mod cluster;
mod cluster_flags;
mod cluster_options;
mod compression;
mod duration;
mod facts;
mod gateway;
mod go_netip;
mod go_url;
mod jetstream;
mod leafnodes;
mod leafnodes_remotes;
mod limit;
mod listen;
mod misc;
mod mqtt;
mod newer;
mod operator;
mod tls;
mod tls_files;
mod tls_names;
mod tls_newer;
mod tls_pem;
mod tls_serve;
mod top;
mod validate;
mod validate_unbuilt;
mod websocket;
mod writable;

pub(crate) use duration::format_go_duration;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use cluster_options::{
    ClusterOptions, RouteAuth, RoutePermissions, DEFAULT_ROUTE_POOL_SIZE, ROUTE_MAX_PING_INTERVAL,
};
pub use compression::CompressionOptions;
pub use go_url::ServerUrl;
pub use limit::Limit;
pub use newer::WriteTimeoutPolicy;
pub use rnats_conf::Pos;
pub use validate::validate;

/// Credentials a client must present (the simple single-user forms of the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimpleAuth {
    /// `--user`.
    pub user: Option<String>,
    /// `--pass`.
    pub pass: Option<String>,
    /// `--auth` (token).
    pub token: Option<String>,
}

impl SimpleAuth {
    /// Whether any credential is configured.
    pub fn is_required(&self) -> bool {
        self.user.is_some() || self.token.is_some()
    }
}

/// One entry of a configured users list (`authorization.users` or an account's `users`).
/// Parsed and validated; rnats does not enforce users lists yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigUser {
    /// `user`/`username` (absent for an nkey user).
    pub user: Option<String>,
    /// `pass`/`password` (possibly a bcrypt hash).
    pub password: Option<String>,
    /// `nkey`: the user's public nkey.
    pub nkey: Option<String>,
    /// The account the user belongs to (`None`: the global account).
    pub account: Option<String>,
    /// What the user may publish and subscribe to (`None`: anything), the block's or the
    /// account's `default_permissions` when the user has none of its own. Users given the
    /// same block (a variable, the defaults) share it.
    pub permissions: Option<std::sync::Arc<PermissionsConfig>>,
    /// `allowed_connection_types`, upper-cased (`None`: any kind of connection).
    pub connection_types: Option<Vec<String>>,
}

/// A `permissions` block as written (nats-server's `Permissions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PermissionsConfig {
    /// `publish`.
    pub publish: Option<SubjectPermission>,
    /// `subscribe` (entries may be `"subject queue"`).
    pub subscribe: Option<SubjectPermission>,
    /// `allow_responses`.
    pub responses: Option<ResponsePermission>,
}

/// `allow` and `deny` subject lists (an old-style plain list is an allow list). An empty
/// publish allow list allows nothing; an empty subscribe allow list restricts nothing (as in
/// nats-server).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectPermission {
    /// `allow`.
    pub allow: Option<Vec<String>>,
    /// `deny`.
    pub deny: Option<Vec<String>>,
}

/// `allow_responses`: a client may publish to the reply subject of each request delivered to
/// it, at most `max` times (negative: unlimited) within `expires` (nanoseconds; negative:
/// forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponsePermission {
    /// Responses per request.
    pub max: i64,
    /// How long after the request, in nanoseconds.
    pub expires_nanos: i64,
}

impl Default for ResponsePermission {
    /// nats-server's `allow_responses: true`: one response within two minutes.
    fn default() -> Self {
        ResponsePermission { max: 1, expires_nanos: 120_000_000_000 }
    }
}

/// A `tls {}` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// The server's certificate chain (PEM).
    pub cert_file: Option<PathBuf>,
    /// Its private key (PEM).
    pub key_file: Option<PathBuf>,
    /// Certificate authorities for client certificates (PEM).
    pub ca_file: Option<PathBuf>,
    /// `certs`: several certificate/key pairs (newer than 2.9.10; chosen by server name).
    pub certs: Vec<(PathBuf, PathBuf)>,
    /// Require and verify a client certificate (`verify`, implied by `verify_and_map`).
    pub verify: bool,
    /// `verify_and_map`: the client certificate names the user.
    pub map_users: bool,
    /// `insecure` (outgoing connections only).
    pub insecure: bool,
    /// `verify_cert_and_check_known_urls` (routes, gateways, leaf nodes): a peer's certificate
    /// must also name the URL it was reached at or is known by.
    pub check_known_urls: bool,
    /// Handshake time limit (nats-server's default: 2 seconds).
    pub timeout: Duration,
    /// `min_version` ("1.2" or "1.3").
    pub min_version: Option<String>,
    /// `cipher_suites`, Go names (empty: the defaults).
    pub cipher_suites: Vec<String>,
    /// `curve_preferences`, Go names (empty: the defaults).
    pub curve_preferences: Vec<String>,
    /// `pinned_certs`: lower-case hex SHA-256 of accepted client SubjectPublicKeyInfos.
    pub pinned_certs: Vec<String>,
    /// `handshake_first`: TLS before INFO; a non-zero delay allows a plaintext-INFO fallback
    /// for clients that say nothing for that long.
    pub handshake_first: Option<Duration>,
    /// Keys rnats cannot honour (Windows certificate store, OCSP peer checks).
    pub unsupported: Vec<String>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            cert_file: None,
            key_file: None,
            ca_file: None,
            certs: Vec::new(),
            verify: false,
            map_users: false,
            insecure: false,
            check_known_urls: false,
            timeout: Duration::from_secs(2),
            min_version: None,
            cipher_suites: Vec::new(),
            curve_preferences: Vec::new(),
            pinned_certs: Vec::new(),
            handshake_first: None,
            unsupported: Vec::new(),
        }
    }
}

/// `leafnodes {}`: the listener for leaf connections (hub side) and the remotes to solicit
/// (spoke side).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeafNodeOptions {
    /// Listen host (the client host when unset).
    pub host: Option<String>,
    /// Listen port (`None`: no listener; -1: a random port).
    pub port: Option<i32>,
    /// `authorization { user }` for every leaf connection.
    pub user: Option<String>,
    /// `authorization { password }` (plain or bcrypt).
    pub password: Option<String>,
    /// `authorization { account }`: where the single user's leaf connections are bound.
    pub account: Option<String>,
    /// `authorization { users }`.
    pub users: Vec<LeafUser>,
    /// `authorization { timeout }`.
    pub auth_timeout: Option<Duration>,
    /// TLS for the listener.
    pub tls: Option<TlsConfig>,
    /// Remote hubs to connect to.
    pub remotes: Vec<RemoteLeaf>,
    /// Delay between reconnect attempts (nats-server's default: 1 second).
    pub reconnect: Option<Duration>,
}

/// One leaf `authorization { users }` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeafUser {
    /// User name.
    pub user: String,
    /// Password (plain or bcrypt).
    pub password: Option<String>,
    /// The account its leaf connections are bound to (`None`: the global account).
    pub account: Option<String>,
}

/// One `leafnodes { remotes }` entry: a hub this server connects to as a leaf.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteLeaf {
    /// `nats-leaf://[user:pass@]host:port` (or `nats://`, `tls://`), tried in turn.
    pub urls: Vec<String>,
    /// The local account bound to this connection (`None`: the global account).
    pub account: Option<String>,
    /// `credentials` (.creds file, for operator mode; parsed, not used yet).
    pub credentials: Option<PathBuf>,
    /// TLS towards the hub.
    pub tls: Option<TlsConfig>,
    /// Subjects not to receive from the hub.
    pub deny_imports: Vec<String>,
    /// Subjects not to send to the hub.
    pub deny_exports: Vec<String>,
    /// Try the URLs in order rather than shuffled.
    pub no_randomize: bool,
    /// `disabled`: configured but not to be connected.
    pub disabled: bool,
}

/// A stream import that nats-server's rules allow: messages published in `exporter` on
/// subjects matching `subject` are delivered in `importer`, under `prefix.` + subject, or
/// mapped onto `to`, or unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamImportConfig {
    /// Receiving account.
    pub importer: String,
    /// Publishing account.
    pub exporter: String,
    /// Subject in the exporter (may have wildcards).
    pub subject: String,
    /// `prefix`.
    pub prefix: Option<String>,
    /// `to`.
    pub to: Option<String>,
}

/// A service import that nats-server's rules allow: requests published in `importer` on `to`
/// (default: `subject`) go to responders in `exporter` on `subject`, with a reply subject the
/// server generates and routes back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceImportConfig {
    /// Requesting account.
    pub importer: String,
    /// Responding account.
    pub exporter: String,
    /// Subject in the exporter.
    pub subject: String,
    /// Local subject in the importer.
    pub to: Option<String>,
    /// The export's `response_type` is `stream` or `chunked` (else a single response).
    pub streamed_responses: bool,
    /// The export's `response_threshold` (nats-server's default: 2 minutes).
    pub response_threshold: Option<Duration>,
}

/// An account's `limits {}` (unset: [`Limit::NONE`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccountLimits {
    /// Client connections bound to the account at once.
    pub max_connections: Limit,
    /// Subscriptions per connection in the account.
    pub max_subscriptions: Limit,
    /// Largest payload a client of the account may publish.
    pub max_payload: Limit,
}

/// Everything the server is told at start.
#[derive(Debug, Clone)]
pub struct Options {
    /// Client listen host.
    pub host: String,
    /// Client port: 0 means the default 4222, -1 a random free port (as in nats-server).
    pub port: i32,
    /// `server_name`; the server id when unset.
    pub server_name: Option<String>,
    /// `client_advertise`: the `host:port` advertised to clients instead of the listen address.
    pub client_advertise: Option<String>,
    /// Largest payload accepted.
    pub max_payload: usize,
    /// Longest control line accepted.
    pub max_control_line: usize,
    /// Outbound bytes a connection may have pending before it is closed as a slow consumer.
    pub max_pending: usize,
    /// Most client connections at once (0: none at all, as nats-server 2.15.1 reads
    /// `max_connections` of 0 or less).
    pub max_connections: usize,
    /// Most subscriptions per connection.
    pub max_subscriptions: Limit,
    /// Interval between server PINGs.
    pub ping_interval: Duration,
    /// Unanswered PINGs before the connection is stale.
    pub ping_max: u32,
    /// Longest a socket write may block before the connection is a slow consumer.
    pub write_deadline: Duration,
    /// Time a client has to send a valid CONNECT when auth is required (`None`: nats-server's
    /// default, 2 seconds, or the TLS timeout plus one second with TLS).
    pub auth_timeout: Option<Duration>,
    /// Required credentials.
    pub auth: SimpleAuth,
    /// Users lists from `authorization.users` and `accounts` (validated, not enforced yet).
    pub users: Vec<ConfigUser>,
    /// Authorized stream imports between accounts.
    pub stream_imports: Vec<StreamImportConfig>,
    /// Authorized service imports between accounts.
    pub service_imports: Vec<ServiceImportConfig>,
    /// Accounts' `limits {}`, by account name.
    pub account_limits: Vec<(String, AccountLimits)>,
    /// Every account `accounts {}` defines (with or without users).
    pub accounts: Vec<String>,
    /// Client TLS (`tls {}` or the `--tls*` flags).
    pub tls: Option<TlsConfig>,
    /// `allow_non_tls`: clients may stay in plain text next to TLS ones.
    pub allow_non_tls: bool,
    /// `leafnodes {}`.
    pub leafnodes: Option<LeafNodeOptions>,
    /// `cluster {}` and the cluster flags (`None`: neither); rnats does not route yet.
    pub cluster: Option<ClusterOptions>,
    /// `system_account`: the name of the system account.
    pub system_account: Option<String>,
    /// `no_auth_user`: the user a client without credentials is treated as.
    pub no_auth_user: Option<String>,
    /// Log debug lines.
    pub debug: bool,
    /// Log protocol traces.
    pub trace: bool,
    /// Prefix log lines with the time.
    pub logtime: bool,
    /// Log to this file instead of standard error.
    pub log_file: Option<PathBuf>,
    /// Write the process id here.
    pub pid_file: Option<PathBuf>,
    /// Write `<executable>_<pid>.ports` here once listening (and remove it at exit).
    pub ports_file_dir: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: DEFAULT_HOST.to_string(),
            port: 0,
            server_name: None,
            client_advertise: None,
            max_payload: rnats_proto::DEFAULT_MAX_PAYLOAD,
            max_control_line: rnats_proto::DEFAULT_MAX_CONTROL_LINE,
            max_pending: 64 * 1024 * 1024,
            max_connections: 64 * 1024,
            max_subscriptions: Limit::NONE,
            ping_interval: Duration::from_secs(120),
            ping_max: 2,
            write_deadline: Duration::from_secs(10),
            auth_timeout: None,
            auth: SimpleAuth::default(),
            users: Vec::new(),
            stream_imports: Vec::new(),
            service_imports: Vec::new(),
            account_limits: Vec::new(),
            accounts: Vec::new(),
            tls: None,
            allow_non_tls: false,
            leafnodes: None,
            cluster: None,
            system_account: None,
            no_auth_user: None,
            debug: false,
            trace: false,
            logtime: true,
            log_file: None,
            pid_file: None,
            ports_file_dir: None,
        }
    }
}

/// nats-server's default listen host.
pub const DEFAULT_HOST: &str = "0.0.0.0";

impl Options {
    /// The port to bind: the default for 0, any free port for -1.
    pub fn listen_port(&self) -> u16 {
        match self.port {
            0 => 4222,
            p if p < 0 => 0,
            p => u16::try_from(p).unwrap_or(4222),
        }
    }
}

/// A configuration file's options and what rnats has to say about them.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The options, nats-server's defaults where the file is silent.
    pub options: Options,
    /// Warnings: nats-server's own (`FILE:LINE:COL: invalid use of field ...`, e.g. a bare
    /// number of seconds for a duration) and rnats's (`FILE:LINE:COL: cluster is not
    /// supported yet by rnats; the setting is ignored`).
    pub warnings: Vec<String>,
    /// How many of `warnings`, from the first, are nats-server's own: they fail its `-t`
    /// (not its start), so they fail rnats's `-t` too.
    pub config_warnings: usize,
    /// The subset of `warnings` about security settings rnats cannot enforce yet (TLS, users,
    /// permissions, accounts, operator mode). `rnats-server` refuses to run with any of them,
    /// and `-t` says so: serving plaintext or unauthenticated where the file asks for
    /// protection would be worse than not starting.
    pub security_gaps: Vec<String>,
    /// What the parsers noted for the start checks, for [`Loaded::check`].
    facts: std::sync::Arc<facts::Facts>,
}

impl Loaded {
    /// The start checks (already passed by the file's own options) over `options`, which
    /// command-line flags may have changed since: the error names the file's key where the
    /// problem is one.
    pub fn check(&self, options: &Options) -> Result<(), ConfigError> {
        validate::check(options, &self.facts).map_err(|e| ConfigError { pos: e.pos, message: e.message })
    }
}

/// A configuration error, displayed exactly as nats-server prints it:
/// `FILE:LINE:COL: message`, or only the message when nats-server gives no position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// Where, when known.
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pos {
            Some(pos) => write!(f, "{pos}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<rnats_conf::Error> for ConfigError {
    fn from(e: rnats_conf::Error) -> Self {
        ConfigError { pos: e.pos, message: e.message }
    }
}

/// Reads and interprets a configuration file.
///
/// On failure the list holds every problem of the file in nats-server's order: first the
/// warnings nats-server prints ahead of its errors (such as
/// `write_deadline should be converted to a duration`), then the errors in file order. A
/// syntax error is reported as the parser gives it.
pub fn load_config(path: &Path) -> Result<Loaded, Vec<ConfigError>> {
    load_config_in(path, Path::new(""))
}

/// [`load_config`] with relative file names in the configuration (TLS files) taken from `dir`
/// rather than the working folder.
pub fn load_config_in(path: &Path, dir: &Path) -> Result<Loaded, Vec<ConfigError>> {
    let map =
        rnats_conf::parse_file(path).map_err(|errors| errors.into_iter().map(ConfigError::from).collect::<Vec<_>>())?;
    from_map_in(&map, dir)
}

/// Interprets a parsed configuration (see [`load_config`]).
pub fn from_map(map: &rnats_conf::Map) -> Result<Loaded, Vec<ConfigError>> {
    from_map_in(map, Path::new(""))
}

/// [`from_map`] with relative file names taken from `dir` (see [`load_config_in`]).
pub fn from_map_in(map: &rnats_conf::Map, dir: &Path) -> Result<Loaded, Vec<ConfigError>> {
    let mut ctx = check::Ctx { base_dir: dir.to_path_buf(), ..check::Ctx::default() };
    ctx.facts.base_dir = dir.to_path_buf();
    let mut options = Options::default();
    top::apply(&mut ctx, &mut options, map);
    if ctx.errors.is_empty() {
        // What nats-server checks only when it starts: refused here so `-t` is a promise.
        if let Err(invalid) = validate::check(&options, &ctx.facts) {
            ctx.errors.push(ConfigError { pos: invalid.pos, message: invalid.message });
        }
    }
    if ctx.errors.is_empty() {
        let mut warnings: Vec<String> = ctx.go_warnings.iter().map(ToString::to_string).collect();
        let config_warnings = warnings.len();
        warnings.extend(ctx.notes);
        let facts = std::sync::Arc::new(ctx.facts);
        Ok(Loaded { options, warnings, config_warnings, security_gaps: ctx.security_gaps, facts })
    } else {
        let mut errors = ctx.go_warnings;
        errors.extend(ctx.errors);
        Err(errors)
    }
}

#[cfg(test)]
pub(crate) mod testutil;
