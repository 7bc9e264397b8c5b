//! The binary as launchers use it: random port, the log lines they parse, clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use rnats_testkit::RawConn;

const BIN: &str = env!("CARGO_BIN_EXE_rnats-server");

#[test]
fn version_is_the_compatible_nats_server_release() {
    let out = Command::new(BIN).arg("-v").output().expect("run -v");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "nats-server: v2.9.10\n");
}

#[test]
fn unknown_flag_fails_like_go() {
    let out = Command::new(BIN).arg("-nosuchflag").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("flag provided but not defined: -nosuchflag\n"));
}

#[test]
fn random_port_is_logged_and_sigterm_exits_cleanly() {
    let mut child = Command::new(BIN)
        .args(["-a", "127.0.0.1", "-p", "-1", "-n", "cli-test"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rnats-server");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut port = None;
    for line in lines.by_ref() {
        let line = line.expect("log line");
        assert!(line.starts_with(&format!("[{}] ", child.id())), "nats-server log prefix: {line}");
        if let Some(addr) = line.split("Listening for client connections on ").nth(1) {
            port = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
        }
        if line.ends_with("[INF] Server is ready") {
            break;
        }
    }
    let port = port.expect("listening line with the real port");
    assert_ne!(port, 0);
    let mut conn = RawConn::connect(([127, 0, 0, 1], port).into());
    conn.send(b"PING\r\n");
    assert!(conn.expect_contains(b"\"server_name\":\"cli-test\"", Duration::from_secs(5)));
    assert!(conn.expect_contains(b"PONG\r\n", Duration::from_secs(5)));

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill");
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.wait().expect("exit");
    assert!(status.success(), "exit status {status:?}");
    assert!(rest.iter().any(|l| l.ends_with("Trapped \"terminated\" signal")), "{rest:?}");
    assert!(rest.iter().any(|l| l.ends_with("Server Exiting..")), "{rest:?}");
    assert!(conn.is_closed(Duration::from_secs(5)), "clients are disconnected at shutdown");
}

#[test]
fn log_file_and_pid_file() {
    let dir = std::env::temp_dir().join(format!("rnats-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log = dir.join("server.log");
    let pid = dir.join("server.pid");
    let mut child = Command::new(BIN)
        .args(["-a", "127.0.0.1", "-p", "-1", "-DV", "-l"])
        .arg(&log)
        .arg("-P")
        .arg(&pid)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rnats-server");
    let ready = rnats_testkit::wait_for(Duration::from_secs(10), || {
        std::fs::read_to_string(&log).map(|l| l.contains("[INF] Server is ready")).unwrap_or(false)
    });
    assert!(ready, "log file gets the startup lines");
    assert_eq!(std::fs::read_to_string(&pid).expect("pid file").trim(), child.id().to_string());
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    assert!(child.wait().expect("exit").success());
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(text.contains("Trapped \"interrupt\" signal"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
