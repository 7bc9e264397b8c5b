//! Server options with nats-server's defaults.

use std::path::PathBuf;
use std::time::Duration;

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

/// Everything the server is told at start.
#[derive(Debug, Clone)]
pub struct Options {
    /// Client listen host.
    pub host: String,
    /// Client port: 0 means the default 4222, -1 a random free port (as in nats-server).
    pub port: i32,
    /// `server_name`; the server id when unset.
    pub server_name: Option<String>,
    /// Largest payload accepted.
    pub max_payload: usize,
    /// Longest control line accepted.
    pub max_control_line: usize,
    /// Outbound bytes a connection may have pending before it is closed as a slow consumer.
    pub max_pending: usize,
    /// Most client connections at once.
    pub max_connections: usize,
    /// Most subscriptions per connection (0: unlimited).
    pub max_subscriptions: usize,
    /// Interval between server PINGs.
    pub ping_interval: Duration,
    /// Unanswered PINGs before the connection is stale.
    pub ping_max: u32,
    /// Longest a socket write may block before the connection is a slow consumer.
    pub write_deadline: Duration,
    /// Time a client has to send a valid CONNECT when auth is required.
    pub auth_timeout: Duration,
    /// Required credentials.
    pub auth: SimpleAuth,
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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "0.0.0.0".to_string(),
            port: 0,
            server_name: None,
            max_payload: rnats_proto::DEFAULT_MAX_PAYLOAD,
            max_control_line: rnats_proto::DEFAULT_MAX_CONTROL_LINE,
            max_pending: 64 * 1024 * 1024,
            max_connections: 64 * 1024,
            max_subscriptions: 0,
            ping_interval: Duration::from_secs(120),
            ping_max: 2,
            write_deadline: Duration::from_secs(10),
            auth_timeout: Duration::from_secs(2),
            auth: SimpleAuth::default(),
            debug: false,
            trace: false,
            logtime: true,
            log_file: None,
            pid_file: None,
        }
    }
}

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
