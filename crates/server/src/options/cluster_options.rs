//! [`ClusterOptions`]: what a server's routes are made from (nats-server's `ClusterOpts` and
//! `Routes`), as the `cluster {}` block and the cluster flags set it, with the defaults and
//! special values nats-server gives its fields.

use std::time::Duration;

use super::compression::CompressionOptions;
use super::go_url::ServerUrl;
use super::newer::WriteTimeoutPolicy;
use super::{Options, SubjectPermission, TlsConfig, DEFAULT_HOST};

/// Route connections per server pair when `pool_size` is not set.
pub const DEFAULT_ROUTE_POOL_SIZE: i64 = 3;

/// The longest ping interval of routes: a longer one (the cluster's or the server's) is
/// shortened to it.
pub const ROUTE_MAX_PING_INTERVAL: Duration = Duration::from_secs(30);

/// The compression mode of routes when none is set: compress only if the peer asks to.
const DEFAULT_ROUTE_COMPRESSION: &str = "accept";

/// The authentication time limit without TLS (with TLS: the TLS timeout plus one second).
const DEFAULT_AUTH_TIMEOUT: Duration = Duration::from_secs(2);

/// `cluster {}` and the cluster flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterOptions {
    /// `name` or `--cluster_name`; `None` when not given (nats-server then takes the gateway's
    /// name, or makes one up and adopts the name its routes agree on).
    pub name: Option<String>,
    /// Listen host (`host`/`net`/`listen`, `--cluster`); empty: nats-server's default host.
    pub host: String,
    /// Listen port: 0 for none (a server without a route listener does not route at all), -1
    /// for any free port.
    pub port: i64,
    /// `advertise`/`cluster_advertise` or `--cluster_advertise`: the `host:port` told to other
    /// servers instead of the listen address.
    pub advertise: Option<String>,
    /// `no_advertise` or `--no_advertise`: clients are not told the other servers' URLs.
    pub no_advertise: bool,
    /// `routes` or `--routes`: the servers to connect to.
    pub routes: Vec<ServerUrl>,
    /// `authorization {}`, or the user and password of `--cluster`.
    pub authorization: RouteAuth,
    /// `permissions {}` (or, deprecated, `authorization { permissions }`); `None`: everything.
    pub permissions: Option<RoutePermissions>,
    /// `tls {}`.
    pub tls: Option<TlsConfig>,
    /// `connect_retries` or `--connect_retries`: attempts on a route learned from another
    /// server (configured routes are retried forever).
    pub connect_retries: i64,
    /// `connect_backoff`: wait longer after each failed attempt.
    pub connect_backoff: bool,
    /// `pool_size` as written (0 when not); see [`ClusterOptions::pool_size`].
    pub pool_size: i64,
    /// `accounts`: accounts given a route connection of their own; see
    /// [`ClusterOptions::pinned_accounts`].
    pub pinned_accounts: Vec<String>,
    /// `compression`; see [`ClusterOptions::compression_mode`].
    pub compression: CompressionOptions,
    /// `ping_interval` (`None`, also for zero or less as written: the server's); see
    /// [`ClusterOptions::ping_interval`].
    pub ping_interval: Option<Duration>,
    /// `ping_max` (`None`, also for zero or less: the server's).
    pub ping_max: Option<u32>,
    /// `write_deadline` (`None`, also for zero or less: the server's).
    pub write_deadline: Option<Duration>,
    /// `write_timeout`; see [`ClusterOptions::write_timeout`].
    pub write_timeout: WriteTimeoutPolicy,
}

/// What a route must present (`cluster { authorization {} }`, `--cluster nats://user:pass@...`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouteAuth {
    /// `user`.
    pub user: Option<String>,
    /// `password` (plain or bcrypt).
    pub password: Option<String>,
    /// `timeout` (`None`: nats-server's default, see [`ClusterOptions::auth_timeout`]; one
    /// written as negative times out at once, as nats-server's timer does).
    pub timeout: Option<Duration>,
}

/// `cluster { permissions {} }`: which interest crosses routes. Unlike a client's, these
/// filter subscriptions only, never messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoutePermissions {
    /// `import` (or `publish`): the subjects this server asks the other servers for.
    pub import: Option<SubjectPermission>,
    /// `export` (or `subscribe`): the subjects other servers may ask this one for.
    pub export: Option<SubjectPermission>,
}

impl ClusterOptions {
    /// Whether the server routes: only with a route listener.
    pub fn is_enabled(&self) -> bool {
        self.port != 0
    }

    /// The host the route listener binds.
    pub fn listen_host(&self) -> &str {
        if self.host.is_empty() {
            DEFAULT_HOST
        } else {
            &self.host
        }
    }

    /// Route connections per server pair: [`DEFAULT_ROUTE_POOL_SIZE`] when not set; below 1
    /// (`pool_size: -1`) no pool: one connection carries every account and no account is
    /// pinned, as between servers older than 2.10.
    pub fn pool_size(&self) -> i64 {
        if self.pool_size == 0 {
            DEFAULT_ROUTE_POOL_SIZE
        } else {
            self.pool_size
        }
    }

    /// The accounts with a route of their own: `accounts` and, with a pool, the system account
    /// (`system_account`, or `$SYS` unless `no_sys_acc`), as nats-server adds it when it starts
    /// a route listener.
    pub fn pinned_accounts(&self, system_account: Option<&str>, no_system_account: bool) -> Vec<String> {
        let mut pinned = self.pinned_accounts.clone();
        if !self.is_enabled() || self.pool_size() < 1 {
            return pinned;
        }
        let system = match system_account {
            Some(name) => Some(name),
            None if no_system_account => None,
            None => Some("$SYS"),
        };
        if let Some(system) = system.filter(|s| !pinned.iter().any(|p| p == s)) {
            pinned.push(system.to_string());
        }
        pinned
    }

    /// The compression mode routes start from: `accept` when none is set.
    pub fn compression_mode(&self) -> &str {
        if self.compression.mode.is_empty() {
            DEFAULT_ROUTE_COMPRESSION
        } else {
            &self.compression.mode
        }
    }

    /// How long a route has to authenticate: `authorization { timeout }`, or the TLS timeout
    /// plus one second with TLS, two seconds without.
    pub fn auth_timeout(&self) -> Duration {
        match (self.authorization.timeout, &self.tls) {
            (Some(timeout), _) => timeout,
            (None, Some(tls)) => tls.timeout + Duration::from_secs(1),
            (None, None) => DEFAULT_AUTH_TIMEOUT,
        }
    }

    /// Interval between PINGs on a route: the cluster's, else the server's, at most
    /// [`ROUTE_MAX_PING_INTERVAL`].
    pub fn ping_interval(&self, server: &Options) -> Duration {
        self.ping_interval.unwrap_or(server.ping_interval).min(ROUTE_MAX_PING_INTERVAL)
    }

    /// Unanswered PINGs before a route is stale: the cluster's, else the server's.
    pub fn ping_max(&self, server: &Options) -> u32 {
        self.ping_max.unwrap_or(server.ping_max)
    }

    /// Longest a write to a route may block: the cluster's, else the server's.
    pub fn write_deadline(&self, server: &Options) -> Duration {
        self.write_deadline.unwrap_or(server.write_deadline)
    }

    /// What a route whose write times out gets: retried unless `close` is set.
    pub fn write_timeout(&self) -> WriteTimeoutPolicy {
        match self.write_timeout {
            WriteTimeoutPolicy::Default => WriteTimeoutPolicy::Retry,
            set => set,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_as_nats_server() {
        let cluster = ClusterOptions { port: 6222, ..ClusterOptions::default() };
        assert!(cluster.is_enabled());
        assert_eq!(cluster.listen_host(), "0.0.0.0");
        assert_eq!(cluster.pool_size(), 3);
        assert_eq!(cluster.compression_mode(), "accept");
        assert_eq!(cluster.auth_timeout(), Duration::from_secs(2));
        let server = Options::default();
        assert_eq!(cluster.ping_interval(&server), Duration::from_secs(30), "the server's 2m, shortened");
        assert_eq!(cluster.ping_max(&server), 2);
        assert_eq!(cluster.write_deadline(&server), Duration::from_secs(10));
        assert_eq!(cluster.write_timeout(), WriteTimeoutPolicy::Retry);
        assert!(!ClusterOptions::default().is_enabled());
    }

    #[test]
    fn set_values_win() {
        let tls = TlsConfig { timeout: Duration::from_secs(5), ..TlsConfig::default() };
        let cluster = ClusterOptions {
            port: -1,
            pool_size: -1,
            tls: Some(tls),
            ping_interval: Some(Duration::from_secs(10)),
            ping_max: Some(5),
            write_deadline: Some(Duration::from_secs(1)),
            write_timeout: WriteTimeoutPolicy::Close,
            ..ClusterOptions::default()
        };
        assert_eq!(cluster.pool_size(), -1);
        assert_eq!(cluster.auth_timeout(), Duration::from_secs(6), "the TLS timeout and a second");
        let server = Options::default();
        assert_eq!(cluster.ping_interval(&server), Duration::from_secs(10));
        assert_eq!(cluster.ping_max(&server), 5);
        assert_eq!(cluster.write_deadline(&server), Duration::from_secs(1));
        assert_eq!(cluster.write_timeout(), WriteTimeoutPolicy::Close);
    }

    #[test]
    fn the_system_account_is_pinned_with_a_pool() {
        let pinned = |cluster: &ClusterOptions, system: Option<&str>, none: bool| cluster.pinned_accounts(system, none);
        let mut cluster = ClusterOptions { port: 6222, pinned_accounts: vec!["A".into()], ..ClusterOptions::default() };
        assert_eq!(pinned(&cluster, None, false), ["A", "$SYS"]);
        assert_eq!(pinned(&cluster, Some("SYS"), false), ["A", "SYS"]);
        assert_eq!(pinned(&cluster, None, true), ["A"]);
        cluster.pinned_accounts.push("$SYS".into());
        assert_eq!(pinned(&cluster, None, false), ["A", "$SYS"], "not twice");
        cluster.pool_size = -1;
        assert_eq!(pinned(&cluster, None, false), ["A", "$SYS"], "as written without a pool");
        let unlistened = ClusterOptions { pinned_accounts: vec!["A".into()], ..ClusterOptions::default() };
        assert_eq!(pinned(&unlistened, None, false), ["A"], "nor without a listener");
    }
}
