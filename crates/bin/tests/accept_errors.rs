//! Out of file descriptors, the accept loop backs off as nats-server's does: the pause after
//! each temporary error doubles from 10 ms to 1 s, one log line per error, so the log gets
//! about one line a second instead of a flood; and accepting resumes once descriptors free up.

mod support;

use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use rnats_testkit::{GoRelease, RawConn};
use support::{Process, BIN, PATIENCE};

/// Descriptors the server may open: enough to start, far fewer than the clients below.
const FD_LIMIT: &str = "ulimit -n 40";
const CLIENTS: usize = 80;

/// The pauses nats-server logs while the errors go on.
const BACKOFF: [&str; 8] = ["10ms", "20ms", "40ms", "80ms", "160ms", "320ms", "640ms", "1000ms"];

/// Starts `program` with few descriptors, connects more clients than it can take, and returns
/// its accept error lines (without the log prefix, the port masked) once the pause reached 1 s.
fn accept_errors(name: &str, program: &Path) -> Vec<String> {
    let server = Process::start(name, program, &["-a", "127.0.0.1", "-p", "-1"], Some(FD_LIMIT));
    let port = server.client_port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    // Connections the server cannot accept wait in the listen backlog, failing each accept.
    let clients: Vec<TcpStream> = (0..CLIENTS).filter_map(|_| TcpStream::connect(addr).ok()).collect();
    let capped = server.wait_log(|text| text.contains("sleeping 1000ms"));
    let lines: Vec<String> = server
        .log_text()
        .lines()
        .filter_map(|l| l.split("[ERR] ").nth(1))
        .map(|l| l.replace(&port.to_string(), "PORT"))
        .collect();
    assert!(capped, "{name}: the pause never reached 1 s: {lines:#?}");
    drop(clients);
    // With the clients gone the server has descriptors again, and accepts after its pause.
    let mut conn = RawConn::connect(addr);
    assert!(conn.expect_contains(b"INFO {", PATIENCE), "{name}: accepting again");
    lines
}

#[test]
fn accept_errors_back_off_like_nats_server() {
    let lines = accept_errors("accept-rnats", Path::new(BIN));
    let expected: Vec<String> = BACKOFF
        .iter()
        .map(|pause| {
            format!(
                "Temporary Client Accept Error(accept tcp 127.0.0.1:PORT: accept4: too many open files), sleeping {pause}"
            )
        })
        .collect();
    assert!(lines.len() >= expected.len(), "{lines:#?}");
    assert_eq!(lines[..expected.len()], expected[..]);
    // And nats-server 2.15.1 itself logs the same, when it is installed.
    if let Some(go) = GoRelease::Current.require() {
        let go_lines = accept_errors("accept-go", &go);
        assert_eq!(go_lines[..expected.len()], lines[..expected.len()], "nats-server logged otherwise");
    }
}
