//! What the section parsers note for the checks nats-server makes only when it creates and
//! starts a server (`validate`): where the keys those checks name were written, and the
//! settings of sections rnats does not act on, which [`super::Options`] does not keep.

use std::collections::HashMap;
use std::time::Duration;

use rnats_conf::Pos;

use super::compression::CompressionOptions;

/// Noted while reading a configuration file; empty for options made in code.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// Where keys were written, by a dotted path (`max_payload`,
    /// `leafnodes.remotes.0.account`).
    places: HashMap<String, Pos>,
    /// Where relative file names are taken from (nats-server's working folder).
    pub base_dir: std::path::PathBuf,
    /// `lame_duck_duration` and `lame_duck_grace_period`.
    pub lame_duck: Option<Duration>,
    /// `lame_duck_grace_period`.
    pub lame_duck_grace: Option<Duration>,
    /// The monitoring ports (`http`/`http_port`, `https`/`https_port`).
    pub http_port: i64,
    /// See `http_port`.
    pub https_port: i64,
    /// The monitoring host (`http: "host:port"`; empty: the client host).
    pub http_host: String,
    /// `default_sentinel` is set.
    pub default_sentinel: bool,
    /// Trusted operators are configured (`operator`).
    pub operator_mode: bool,
    /// An account resolver is configured (`resolver`).
    pub resolver: bool,
    /// The account resolver keeps accounts in a folder (`FULL` or `CACHE`).
    pub folder_resolver: bool,
    /// Trusted operator keys are configured (`trusted`).
    pub trusted_keys: bool,
    /// `authorization { auth_callout { allowed_accounts } }`.
    pub callout_allowed_accounts: Vec<String>,
    /// `no_system_account`.
    pub no_system_account: bool,
    /// Compression settings of the leaf node listener and remotes, in that order, with where
    /// each was written.
    pub leaf_compression: Vec<(CompressionOptions, Pos)>,
    /// Each leaf remote's URLs (for the websocket/plain mix check), with the URL key's place.
    pub leaf_remote_urls: Vec<(Vec<String>, Pos)>,
    /// `gateway {}`.
    pub gateway: Option<Gateway>,
    /// `websocket {}`.
    pub websocket: Option<Listener>,
    /// `mqtt {}`.
    pub mqtt: Option<Listener>,
    /// JetStream is enabled (`jetstream`).
    pub jetstream: bool,
    /// `jetstream { tpm }` (where it was written).
    pub jetstream_tpm: Option<Pos>,
    /// `jetstream { domain }`.
    pub jetstream_domain: Option<(String, Pos)>,
    /// `default_js_domain` entries: account, domain, place.
    pub default_js_domain: Vec<(String, String, Pos)>,
    /// Accounts with JetStream enabled (`accounts { A { jetstream } }`), with that key's place.
    pub jetstream_accounts: Vec<(String, Pos)>,
}

/// A listener's host (empty: the default) and port (0: none, -1: any).
#[derive(Debug, Clone, Default)]
pub(crate) struct Endpoint {
    /// `host`, or the host of `listen`.
    pub host: String,
    /// `port`, or the port of `listen`.
    pub port: i64,
}

/// `gateway {}` as the start checks need it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gateway {
    /// `name`.
    pub name: String,
    /// Where it listens (port 0: nowhere).
    pub endpoint: Endpoint,
    /// Each listed gateway: its name and whether it has URLs.
    pub gateways: Vec<(String, bool)>,
    /// The `gateway` key.
    pub pos: Option<Pos>,
}

/// `websocket {}` or `mqtt {}` as the start checks need them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listener {
    /// Where it listens (port 0: nowhere).
    pub endpoint: Endpoint,
    /// A `tls {}` block is present.
    pub tls: bool,
    /// `no_tls` (websocket).
    pub no_tls: bool,
    /// `allowed_origins` (websocket).
    pub origins: Vec<String>,
    /// `no_auth_user`.
    pub no_auth_user: String,
    /// `authorization { user }`.
    pub username: String,
    /// `authorization { token }`.
    pub token: String,
    /// `jwt_cookie` (websocket).
    pub jwt_cookie: String,
    /// `headers` names (websocket).
    pub headers: Vec<String>,
    /// `ack_wait` (mqtt), negative when so written.
    pub ack_wait_negative: bool,
    /// `js_api_timeout` (mqtt), negative when so written.
    pub js_api_timeout_negative: bool,
    /// `stream_replicas` and `consumer_replicas` (mqtt).
    pub replicas: (i64, i64),
    /// The section's key.
    pub pos: Option<Pos>,
}

impl Facts {
    /// Notes where a key was written (a key set again is noted where it was set last, as
    /// its value is the last one).
    pub fn place(&mut self, path: impl Into<String>, pos: &Pos) {
        self.places.insert(path.into(), pos.clone());
    }

    /// Where a key was written, if it was.
    pub fn at(&self, path: &str) -> Option<&Pos> {
        self.places.get(path)
    }
}
