//! The binary as launchers use it: random port, the log lines they parse, clean exit on SIGTERM.

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use rnats_testkit::{GoRelease, RawConn};

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
    assert_eq!(out.status.code(), Some(0), "nats-server exits 0 after printing usage");
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

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rnats-cli-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    path
}

#[test]
fn config_check_accepts_and_rejects_with_position() {
    let good = temp_file("good.conf", "port: 4333\nserver_name: \"a\"\nping_interval: \"30s\"\n");
    let out = Command::new(BIN).arg("-t").arg("-c").arg(&good).output().expect("run -t");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is valid"));

    let bad = temp_file("bad.conf", "port: 4333\nnot_a_nats_key: 1\n");
    let out = Command::new(BIN).args(["-t", "-c"]).arg(&bad).output().expect("run -t");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.conf:2:1: unknown field \"not_a_nats_key\""), "{stderr}");

    let out = Command::new(BIN).arg("-t").output().expect("run -t");
    assert_eq!(out.status.code(), Some(1), "-t needs -c");
}

/// Launchers grep for nats-server's `Parse error on line N: '...'`; rnats prints that text
/// whole after the file:line:column. nats-server 2.15.1 prints the same with and without `-t`,
/// inside an include wrapped in `error parsing include file '...', `.
#[test]
fn syntax_errors_print_nats_servers_parse_error_text() {
    let reason = r#"'Expected an array value terminator "," or an array terminator "]", but got '3' instead.'"#;
    let bad = temp_file("syntax.conf", "port: 4333\nfoo = [\n  1\n 2 3\n]\n");
    let top = temp_file("includes-syntax.conf", "include syntax.conf\n");
    for (conf, nats_server_says) in [
        (&bad, format!("Parse error on line 4: {reason}")),
        (&top, format!("error parsing include file 'syntax.conf', Parse error on line 4: {reason}")),
    ] {
        for check in [true, false] {
            let mut command = Command::new(BIN);
            if check {
                command.arg("-t");
            }
            let out = command.arg("-c").arg(conf).output().expect("run");
            assert_eq!(out.status.code(), Some(1));
            let stderr = String::from_utf8_lossy(&out.stderr);
            let expected = format!("rnats-server: {}:4:5: {nats_server_says}\n", bad.display());
            assert_eq!(stderr, expected, "-t: {check}");
        }
    }
}

/// nats-server 2.15.1 checks `no_auth_user` only when the server is created (its `-t` passes);
/// rnats refuses it at `-t` already, with the same words as the start, so `-t` is a promise.
#[test]
fn no_auth_user_naming_nobody_refuses_to_start() {
    let users = "authorization {\n  users: [{user: a, password: b}]\n}\n";
    let cases = [
        (
            format!("port: -1\nno_auth_user: nobody\n{users}"),
            "not present as user or nkey in authorization block or account configuration",
        ),
        ("port: -1\nno_auth_user: \"nobody\"\n".to_string(), "present, but users/nkeys are not defined"),
    ];
    for (text, reason) in cases {
        let conf = temp_file("no-auth-user.conf", &text);
        let check = Command::new(BIN).args(["-t", "-c"]).arg(&conf).output().expect("run -t");
        assert_eq!(check.status.code(), Some(1));
        let run = Command::new(BIN).arg("-c").arg(&conf).output().expect("run");
        assert_eq!(run.status.code(), Some(1));
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(said.ends_with(&format!(":2:1: no_auth_user: \"nobody\" {reason}\n")), "{said}");
        assert_eq!(String::from_utf8_lossy(&check.stderr), said, "-t says what the start says");
    }
}

#[test]
fn config_file_runs_and_flags_override_it() {
    let conf = temp_file("run.conf", "listen: 127.0.0.1:-1\nserver_name: from-file\nmax_payload: 2048\n");
    let mut child = Command::new(BIN)
        .arg("-c")
        .arg(&conf)
        .args(["-n", "from-flag"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rnats-server");
    let stderr = child.stderr.take().expect("stderr");
    let mut port = None;
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(addr) = line.split("Listening for client connections on ").nth(1) {
            port = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
        }
        if line.ends_with("Server is ready") {
            break;
        }
    }
    let port = port.expect("listening line");
    let mut conn = RawConn::connect(([127, 0, 0, 1], port).into());
    conn.send(b"PING\r\n");
    assert!(conn.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    let info = String::from_utf8_lossy(conn.received()).to_string();
    assert!(info.contains("\"server_name\":\"from-flag\""), "flag wins over the file: {info}");
    assert!(info.contains("\"max_payload\":2048"), "file value applies: {info}");
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert!(child.wait().expect("exit").success());
}

#[test]
fn unenforceable_security_settings_refuse_to_start() {
    let text = "port: -1\nauthorization { users: [{user: a, password: b}], auth_callout { issuer: \"ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA\", auth_users: [a] } }\n";
    let conf = temp_file("callout.conf", text);
    let check = Command::new(BIN).args(["-t", "-c"]).arg(&conf).output().expect("run -t");
    let run = Command::new(BIN).arg("-c").arg(&conf).output().expect("run");
    assert_eq!((check.status.code(), run.status.code()), (Some(1), Some(1)));
    assert!(String::from_utf8_lossy(&run.stderr).contains("refusing to start"));
    assert_eq!(check.stderr, run.stderr, "-t refuses it as the start does");
}

/// Like nats-server, the files are read with the configuration: `-t` and a start both fail,
/// at the `tls` key, with the path as written.
#[test]
fn tls_files_that_cannot_be_read_fail_with_the_position() {
    let conf = temp_file("tls.conf", "port: -1\ntls {\n  cert_file: \"missing.pem\"\n  key_file: \"key.pem\"\n}\n");
    // nats-server 2.15.1: "nats-server: tls.conf:2:1: error parsing X509 certificate/key pair:
    // open missing.pem: no such file or directory".
    let expected = format!(
        "rnats-server: {}:2:1: error parsing X509 certificate/key pair: open missing.pem: no such file or directory\n",
        conf.display()
    );
    for check in [true, false] {
        let mut command = Command::new(BIN);
        if check {
            command.arg("-t");
        }
        let out = command.arg("-c").arg(&conf).current_dir(std::env::temp_dir()).output().expect("run");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(String::from_utf8_lossy(&out.stderr), expected, "-t: {check}");
    }
}

/// Files that hold no certificate or key fail `-t` and the start alike, with Go's words.
#[test]
fn tls_files_that_cannot_be_served_fail_at_check_and_start_with_the_reason() {
    let dir = temp_file("empty-cert.pem", "").parent().expect("temp folder").to_path_buf();
    std::fs::write(dir.join("empty-key.pem"), "").expect("write key");
    let text = "port: -1\ntls {\n  cert_file: \"empty-cert.pem\"\n  key_file: \"empty-key.pem\"\n}\n";
    let conf = temp_file("tls-empty.conf", text);
    let check = Command::new(BIN).arg("-t").arg("-c").arg(&conf).current_dir(&dir).output().expect("run -t");
    let run = Command::new(BIN).arg("-c").arg(&conf).current_dir(&dir).output().expect("run");
    assert_eq!((check.status.code(), run.status.code()), (Some(1), Some(1)));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.ends_with(
            ":2:1: error parsing X509 certificate/key pair: tls: failed to find any PEM data in certificate input\n"
        ),
        "{stderr}"
    );
    assert_eq!(check.stderr, run.stderr);
    let run = Command::new(BIN).args(["-p", "-1", "--tls"]).output().expect("run");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("TLS Server certificate must be present and valid"), "{stderr}");
}

#[test]
fn documented_example_config_is_valid() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/example.conf");
    let out = Command::new(BIN).arg("-t").arg("-c").arg(&example).output().expect("run -t");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn signal_flag_stops_a_running_server_and_hangup_does_not() {
    let pid_file = temp_file("signal.pid", "");
    let mut child = Command::new(BIN)
        .args(["-a", "127.0.0.1", "-p", "-1", "-P"])
        .arg(&pid_file)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rnats-server");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut port = None;
    for line in lines.by_ref().map_while(Result::ok) {
        if let Some(addr) = line.split("Listening for client connections on ").nth(1) {
            port = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
        }
        if line.ends_with("Server is ready") {
            break;
        }
    }
    let addr = ([127, 0, 0, 1], port.expect("listening line")).into();
    // SIGHUP (reload in nats-server) must not kill the server.
    let _ = Command::new("kill").args(["-HUP", &child.id().to_string()]).status();
    std::thread::sleep(Duration::from_millis(200));
    let mut conn = RawConn::connect(addr);
    conn.send(b"PING\r\n");
    assert!(conn.expect_contains(b"PONG\r\n", Duration::from_secs(5)), "alive after SIGHUP");
    // `-sl quit=<pid file>` asks it to stop, as `nats-server -sl` does.
    let spec = format!("quit={}", pid_file.display());
    let out = Command::new(BIN).args(["-sl", &spec]).output().expect("run -sl");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(child.wait().expect("exit").success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("Trapped \"hangup\" signal")), "{rest:?}");
    assert!(rest.iter().any(|l| l.ends_with("Trapped \"interrupt\" signal")), "{rest:?}");
}

/// The cluster flags as test launchers pass them (one dash): the server reads them, starts,
/// and says each is not active yet, as it says of the `cluster` block.
#[test]
fn cluster_flags_start_and_are_reported_inactive() {
    let args = [
        "-a",
        "127.0.0.1",
        "-p",
        "-1",
        "-cluster",
        "nats://ruser:rpass@127.0.0.1:-1",
        "-routes",
        "nats://127.0.0.1:4248,nats-route://ruser:rpass@127.0.0.1:4249",
        "-cluster_name",
        "C",
        "--no_advertise",
        "--cluster_advertise",
        "127.0.0.1:4248",
        "--connect_retries",
        "2",
    ];
    let mut server = support::Process::start("cluster-flags", Path::new(BIN), &args, None);
    let log = server.log_text();
    for flag in ["cluster", "routes", "cluster_name", "no_advertise", "cluster_advertise", "connect_retries"] {
        let warning =
            format!("[WRN] flag -{flag} is accepted but its feature is not implemented in rnats yet; ignored");
        assert!(log.contains(&warning), "{flag}: {log}");
    }
    assert!(server.stop_with("TERM"));
}

/// Runs a command that is expected to exit at once; one that does not is killed.
fn run_to_exit(command: &mut Command) -> Output {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
    if !rnats_testkit::wait_for(support::PATIENCE, || child.try_wait().is_ok_and(|s| s.is_some())) {
        let _ = child.kill();
    }
    child.wait_with_output().expect("exit")
}

/// What nats-server 2.15.1 refuses in the cluster flags once the file is read, refused with
/// its words at the start, and at `-t` (nats-server's `-t` ignores flags; rnats's says what
/// the start would).
#[test]
fn cluster_flag_errors_as_nats_server() {
    let conf = temp_file("cluster-flags.conf", "port: -1\n");
    let cases: [(&[&str], &str); 6] = [
        (&["--cluster", "nats://u@127.0.0.1:-1"], "expected cluster password to be set"),
        (&["--routes", "nats://127.0.0.1:4248"], "solicited routes require cluster capabilities, e.g. --cluster"),
        (
            &["--cluster", "", "-routes", "nats://127.0.0.1:4248"],
            "solicited routes require cluster capabilities, e.g. --cluster",
        ),
        (&["--cluster", "nats://127.0.0.1"], "address 127.0.0.1: missing port in address"),
        (
            &["--cluster", "nats://[abc]:-1"],
            r#"parse "nats://[abc]:0": invalid host: ParseAddr("abc"): unable to parse IP"#,
        ),
        (&["--cluster_name", "a b"], "cluster name cannot contain spaces"),
    ];
    let go = GoRelease::Current.require();
    for (flags, message) in cases {
        for check in [true, false] {
            let mut command = Command::new(BIN);
            if check {
                command.arg("-t");
            }
            let out = run_to_exit(command.arg("-c").arg(&conf).args(flags));
            assert_eq!(out.status.code(), Some(1), "{flags:?}");
            let said = String::from_utf8_lossy(&out.stderr);
            assert_eq!(said, format!("rnats-server: {message}\n"), "{flags:?}, -t: {check}");
        }
        if let Some(go) = &go {
            let out = run_to_exit(Command::new(go).arg("-c").arg(&conf).args(flags));
            assert_eq!(out.status.code(), Some(1), "nats-server {flags:?}");
            let said = String::from_utf8_lossy(&out.stderr);
            assert!(said.contains(&format!("nats-server: {message}\n")), "nats-server {flags:?}: {said}");
        }
    }
    // nats-server keeps a route URL it cannot parse as nothing and crashes when it starts
    // routing; rnats refuses it with Go's reason.
    let flags = ["--cluster", "nats://127.0.0.1:-1", "--routes", "nats://127.0.0.1:4248,x y://a:1"];
    let out = run_to_exit(Command::new(BIN).arg("-c").arg(&conf).args(flags));
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(said, "rnats-server: parse \"x y://a:1\": first path segment in URL cannot contain colon\n");
}

/// Cluster blocks `-t` accepts start, and flags given over one override it.
#[test]
fn cluster_config_checks_and_starts_with_flags_over_it() {
    let text = "listen: 127.0.0.1:-1\ncluster {\n  name: abc\n  listen: 127.0.0.1:-1\n  routes: [nats-route://foo:bar@127.0.0.1:4245]\n}\n";
    let conf = temp_file("cluster.conf", text);
    let flags = ["-cluster_name", "flag", "-routes", "nats://127.0.0.1:4246"];
    let check = run_to_exit(Command::new(BIN).arg("-t").arg("-c").arg(&conf).args(flags));
    let said = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "{said}");
    assert!(said.contains("cluster is not supported yet by rnats; the setting is ignored"), "{said}");
    let conf = conf.to_string_lossy().to_string();
    let mut args = vec!["-c", conf.as_str()];
    args.extend(flags);
    let mut server = support::Process::start("cluster-conf", Path::new(BIN), &args, None);
    assert!(server.log_text().contains("flag -routes is accepted"));
    assert!(server.stop_with("TERM"));
}
