//! How differential scripts run: the same raw protocol bytes go to two servers (rnats and
//! nats-server 2.15.1, or the two Go releases), and the answers must be identical once the INFO
//! fields that differ by nature (ids, versions, addresses) are masked and those rnats cannot
//! send yet are left out (`rnats_testkit::ONE_SIDED_INFO_FIELDS`).
//!
//! Each script runs on a fresh connection. A script that should end normally ends with `PING`
//! (so reading stops at the matching `PONG`); one that makes the server close the connection
//! ends wherever the server stops reading. Scripts run one at a time (after the previous
//! connection is gone on both servers), so no script sees another's subscriptions.
//! `RNATS_DIFF_SHOW=1` prints the second server's answer to every script.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use rnats::Options;
use rnats_testkit::{mask_info, run_script, wait_for, GoRelease, GoServer, RawConn, TestServer};

use super::support::options_from;

/// How long one script may take on one server (only reached when something is wrong).
const SCRIPT_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long a server may take to forget a closed connection (and its subscriptions).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// One named script.
pub(super) struct Script {
    pub(super) name: String,
    bytes: Vec<u8>,
    /// For a script after which the server neither answers a PING nor closes: how long to
    /// read (twice, see `run_script`). Such scripts must not subscribe or publish, so they run
    /// side by side before the others.
    idle: Option<Duration>,
}

pub(super) fn script(name: &str, bytes: impl Into<Vec<u8>>) -> Script {
    Script { name: name.to_string(), bytes: bytes.into(), idle: None }
}

/// A script that ends with the connection idle and open; read for twice `wait`.
pub(super) fn idle(name: &str, bytes: impl Into<Vec<u8>>, wait: Duration) -> Script {
    Script { idle: Some(wait), ..script(name, bytes) }
}

/// A table of scripts for servers configured alike by `config` (configuration file text).
pub(super) struct Suite {
    pub(super) name: &'static str,
    pub(super) config: String,
    pub(super) scripts: Vec<Script>,
}

impl Suite {
    /// Runs the scripts on rnats and on nats-server 2.15.1, both configured from the suite's
    /// text, and fails with every mismatch.
    pub(super) fn check(&self) {
        let Some(servers) = Servers::configured(&self.config, options_from(&self.config)) else { return };
        let report = run_table(&servers, &self.scripts);
        assert!(report.is_empty(), "suite {}: {report}", self.name);
    }
}

/// A Go nats-server with its monitoring port, which tells when its connections are gone.
pub(super) struct GoSide {
    server: GoServer,
    monitor: SocketAddr,
}

impl GoSide {
    /// `release` with the configuration file text `config`; `None` (skip) when not installed.
    pub(super) fn start(release: GoRelease, config: &str) -> Option<GoSide> {
        let monitor_port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free monitoring port");
        let config_file =
            std::env::temp_dir().join(format!("rnats-differential-{}-{monitor_port}.conf", std::process::id()));
        std::fs::write(&config_file, config).expect("write nats-server configuration");
        let config_path = config_file.to_str().expect("UTF-8 temporary path");
        let server = GoServer::start_release(release, &["-c", config_path, "-m", &monitor_port.to_string()]);
        let _ = std::fs::remove_file(&config_file);
        let side = GoSide { server: server?, monitor: ([127, 0, 0, 1], monitor_port).into() };
        let up = wait_for(CLOSE_TIMEOUT, || side.connections().is_some());
        assert!(up, "Go nats-server monitoring did not start on {}", side.monitor);
        Some(side)
    }

    /// Client address.
    pub(super) fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// The current client connection count, from the `/varz` monitoring endpoint.
    fn connections(&self) -> Option<u64> {
        let mut stream = TcpStream::connect(self.monitor).ok()?;
        stream.write_all(b"GET /varz HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).ok()?;
        let body_start = response.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let varz: serde_json::Value = serde_json::from_slice(&response[body_start..]).ok()?;
        varz.get("connections")?.as_u64()
    }

    fn wait_idle(&self) {
        let idle = wait_for(CLOSE_TIMEOUT, || self.connections() == Some(0));
        assert!(idle, "nats-server still has connections after a script");
    }
}

/// Two servers that get the same scripts.
pub(super) trait Pair {
    /// What a report calls each, and where it listens.
    fn sides(&self) -> [(&'static str, SocketAddr); 2];
    /// Waits until neither has a client connection left.
    fn wait_idle(&self);
}

/// rnats and nats-server 2.15.1, configured alike.
pub(super) struct Servers {
    pub(super) go: GoSide,
    pub(super) rnats: TestServer,
}

impl Servers {
    /// Both servers with their default options.
    pub(super) fn start() -> Option<Servers> {
        Self::configured("", Options::default())
    }

    /// nats-server with the configuration file text `config` and rnats with `options`, which
    /// must say the same.
    pub(super) fn configured(config: &str, options: Options) -> Option<Servers> {
        let go = GoSide::start(GoRelease::Current, config)?;
        Some(Servers { go, rnats: TestServer::with_options(options) })
    }
}

impl Pair for Servers {
    fn sides(&self) -> [(&'static str, SocketAddr); 2] {
        [("rnats", self.rnats.addr()), ("go", self.go.addr())]
    }

    fn wait_idle(&self) {
        let rnats_idle = wait_for(CLOSE_TIMEOUT, || self.rnats.state().client_count() == 0);
        assert!(rnats_idle, "rnats still has connections after a script");
        self.go.wait_idle();
    }
}

/// Both Go releases, configured alike.
pub(super) struct Releases {
    old: GoSide,
    current: GoSide,
}

impl Releases {
    /// 2.9.10 and 2.15.1 with the configuration file text `config`; `None` (skip) unless
    /// both are installed.
    pub(super) fn configured(config: &str) -> Option<Releases> {
        let old = GoSide::start(GoRelease::Debian, config)?;
        let current = GoSide::start(GoRelease::Current, config)?;
        Some(Releases { old, current })
    }
}

impl Pair for Releases {
    fn sides(&self) -> [(&'static str, SocketAddr); 2] {
        [("2.9.10", self.old.addr()), ("2.15.1", self.current.addr())]
    }

    fn wait_idle(&self) {
        self.old.wait_idle();
        self.current.wait_idle();
    }
}

/// What one script got from each server, masked.
struct Outcome([String; 2]);

fn run_both(sides: [SocketAddr; 2], bytes: &[u8], timeout: Duration) -> Outcome {
    let [first, second] = sides;
    let answers = std::thread::scope(|scope| {
        let first = scope.spawn(|| run_script(first, bytes, timeout));
        let second = run_script(second, bytes, timeout);
        [first.join().expect("script thread"), second]
    });
    Outcome(answers.map(|answer| mask_info(&answer)))
}

/// Runs every script on both servers; the outcomes in script order.
fn run_all(pair: &impl Pair, scripts: &[Script]) -> Vec<Outcome> {
    let mut names: Vec<&str> = scripts.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), scripts.len(), "script names must be unique");

    let addrs = pair.sides().map(|(_, addr)| addr);
    let mut outcomes: Vec<Option<Outcome>> = scripts.iter().map(|_| None).collect();
    // Idle scripts together (they neither subscribe nor publish), then the rest one by one so
    // that no script sees another's subscriptions.
    std::thread::scope(|scope| {
        let running: Vec<_> = scripts
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.idle.map(|wait| (i, scope.spawn(move || run_both(addrs, &s.bytes, wait)))))
            .collect();
        for (i, handle) in running {
            outcomes[i] = Some(handle.join().expect("idle script thread"));
        }
    });
    pair.wait_idle();
    for (i, s) in scripts.iter().enumerate() {
        if s.idle.is_none() {
            outcomes[i] = Some(run_both(addrs, &s.bytes, SCRIPT_TIMEOUT));
            pair.wait_idle();
        }
    }
    outcomes.into_iter().map(|o| o.expect("every script ran")).collect()
}

/// Runs every script on both servers and returns a report of the mismatches (empty if none).
pub(super) fn run_table(pair: &impl Pair, scripts: &[Script]) -> String {
    let outcomes = run_all(pair, scripts);
    let [(first, _), (second, _)] = pair.sides();
    let show = std::env::var_os("RNATS_DIFF_SHOW").is_some();
    let mut report = String::new();
    let mut mismatches = 0;
    for (s, Outcome([ours, theirs])) in scripts.iter().zip(outcomes) {
        if show {
            eprintln!("== {}\n  {second}: {}", s.name, visible(&theirs));
        }
        if ours != theirs {
            mismatches += 1;
            report.push_str(&format!(
                "--- {}\n  script: {}\n  {first}: {}\n  {second}: {}\n",
                s.name,
                visible(&String::from_utf8_lossy(&s.bytes)),
                visible(&ours),
                visible(&theirs),
            ));
        }
    }
    if mismatches > 0 {
        report.insert_str(0, &format!("{mismatches} of {} scripts differ ({first} vs {second}):\n", scripts.len()));
    }
    report
}

/// The names of the scripts whose answers differ between the two servers.
pub(super) fn differing<'a>(pair: &impl Pair, scripts: &'a [Script]) -> Vec<&'a str> {
    let outcomes = run_all(pair, scripts);
    scripts.iter().zip(outcomes).filter(|(_, Outcome([a, b]))| a != b).map(|(s, _)| s.name.as_str()).collect()
}

/// Shows a script or an answer with its control characters visible.
pub(super) fn visible(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n\n    "),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    if out.chars().count() > 600 {
        let cut: String = out.chars().take(600).collect();
        return format!("{cut}... ({} chars)", text.len());
    }
    out
}

/// Sends `bytes` on `conn` and reads until `pongs` PONGs in total have arrived.
pub(super) fn send_and_sync(conn: &mut RawConn, bytes: &[u8], pongs: usize) {
    conn.send(bytes);
    conn.read_until(SCRIPT_TIMEOUT, |r| r.windows(6).filter(|w| w == b"PONG\r\n").count() >= pongs);
}
