use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A plain TCP connection speaking raw protocol bytes.
pub struct RawConn {
    stream: TcpStream,
    received: Vec<u8>,
    closed: bool,
}

impl RawConn {
    /// Connects (the server's INFO is left unread).
    pub fn connect(addr: SocketAddr) -> RawConn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        RawConn { stream, received: Vec::new(), closed: false }
    }

    /// Sends bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Stops reading entirely (to make a slow consumer) by shrinking nothing: just never read.
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads until `done(received)` holds, the server closes, or `timeout` passes.
    /// Returns everything received so far.
    pub fn read_until(&mut self, timeout: Duration, mut done: impl FnMut(&[u8]) -> bool) -> &[u8] {
        let deadline = Instant::now() + timeout;
        let mut chunk = [0u8; 16 * 1024];
        while !self.closed && !done(&self.received) {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            self.stream.set_read_timeout(Some(deadline - now)).expect("timeout");
            match self.stream.read(&mut chunk) {
                Ok(0) => self.closed = true,
                Ok(n) => self.received.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
                Err(_) => self.closed = true,
            }
        }
        &self.received
    }

    /// Reads until the received bytes contain `needle` (or timeout/close); true if found.
    pub fn expect_contains(&mut self, needle: &[u8], timeout: Duration) -> bool {
        let found = |r: &[u8]| r.windows(needle.len()).any(|w| w == needle);
        found(self.read_until(timeout, found))
    }

    /// Whether the server closed the connection.
    pub fn is_closed(&mut self, timeout: Duration) -> bool {
        self.read_until(timeout, |_| false);
        self.closed
    }

    /// Everything received.
    pub fn received(&self) -> &[u8] {
        &self.received
    }
}

/// Sends `script` on a fresh connection and returns what the server answered, with `<EOF>`
/// appended if it closed. Reading ends at close, or once as many `PONG`s arrived as the script
/// has `PING` lines, or after `timeout`.
pub fn run_script(addr: SocketAddr, script: &[u8], timeout: Duration) -> Vec<u8> {
    let pings =
        script.split(|&b| b == b'\n').filter(|line| line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"PING")).count();
    let mut conn = RawConn::connect(addr);
    conn.send(script);
    let count = |r: &[u8]| r.windows(6).filter(|w| w == b"PONG\r\n").count();
    conn.read_until(timeout, |r| pings > 0 && count(r) >= pings);
    if pings == 0 || count(conn.received()) < pings {
        // Expecting a close: give the server a moment to finish it.
        conn.read_until(timeout, |_| false);
    }
    let mut out = conn.received().to_vec();
    if conn.closed {
        out.extend_from_slice(b"<EOF>");
    }
    out
}

/// INFO fields whose values differ between any two servers, or two runs of one, by nature.
const VARYING_INFO_FIELDS: [&str; 9] =
    ["server_id", "server_name", "version", "go", "host", "port", "client_id", "client_ip", "nonce"];

/// INFO fields left out of the comparison altogether, present on one side only:
/// - `git_commit`: the commit a binary was built from; release builds of nats-server carry it,
///   Debian's 2.9.10 and rnats do not (it is build metadata, not behaviour).
/// - `api_lvl`: the JetStream API level (nats-server 2.11 and later send it even with JetStream
///   off); rnats has no JetStream, and clients read the field as a promise of that API.
/// - `xkey`: the server's x25519 public key for encrypting auth callout requests (2.10 and
///   later); rnats has no auth callout (it refuses configurations that ask for one).
///
/// `raw_protocol.rs` checks that rnats sends none of them.
pub const ONE_SIDED_INFO_FIELDS: [&str; 3] = ["git_commit", "api_lvl", "xkey"];

/// Replaces the INFO fields that differ between servers by nature (ids, versions, address,
/// nonce) with placeholders, drops [`ONE_SIDED_INFO_FIELDS`] and sorts the keys, so two
/// servers' INFO lines compare equal when they agree on everything else.
pub fn mask_info(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output).into_owned();
    let mut masked = String::new();
    for line in text.split_inclusive("\r\n") {
        let Some(json) = line.strip_prefix("INFO ") else {
            masked.push_str(line);
            continue;
        };
        let json = json.trim_end_matches("\r\n");
        let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str::<serde_json::Value>(json.trim_end()) else {
            masked.push_str(line);
            continue;
        };
        for key in VARYING_INFO_FIELDS {
            if map.contains_key(key) {
                map.insert(key.to_string(), serde_json::Value::String("<masked>".into()));
            }
        }
        for key in ONE_SIDED_INFO_FIELDS {
            map.remove(key);
        }
        let trailing_space = if json.ends_with(' ') { " " } else { "" };
        masked.push_str(&format!("INFO {}{trailing_space}\r\n", serde_json::Value::Object(map)));
    }
    masked
}
