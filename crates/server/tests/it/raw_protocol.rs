//! The client protocol byte for byte, over raw sockets to rnats: every verb, every error
//! string, and the limits, authentication and keep-alive behaviour that need non-default
//! options. The expected bytes are nats-server 2.15.1's (see also `differential.rs`; where
//! 2.9.10 differs, `docs/architecture.md` lists it).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rnats::options::{Limit, SimpleAuth};
use rnats::Options;
use rnats_testkit::{run_script, wait_for, RawConn, TestServer, ONE_SIDED_INFO_FIELDS};

const WAIT: Duration = Duration::from_secs(2);

/// Runs `script` on a fresh connection and returns what followed the INFO line (with `<EOF>`
/// when the server closed the connection).
fn after_info(addr: SocketAddr, script: &[u8]) -> String {
    let output = run_script(addr, script, WAIT);
    let text = String::from_utf8_lossy(&output).into_owned();
    assert!(text.starts_with("INFO {"), "no INFO first: {text:?}");
    let end = text.find("\r\n").expect("INFO line ends with CRLF");
    text[end + 2..].to_string()
}

/// Asserts that `script` gets exactly `expected` after the INFO line.
#[track_caller]
fn check(addr: SocketAddr, script: &str, expected: &str) {
    assert_eq!(after_info(addr, script.as_bytes()), expected, "script: {script:?}");
}

/// The INFO JSON a fresh connection receives.
fn info_json(addr: SocketAddr) -> serde_json::Value {
    let mut conn = RawConn::connect(addr);
    let received = conn.read_until(WAIT, |r| r.ends_with(b"\r\n")).to_vec();
    let text = String::from_utf8(received).expect("INFO is UTF-8");
    let json = text
        .strip_prefix("INFO ")
        .and_then(|rest| rest.strip_suffix(" \r\n"))
        .unwrap_or_else(|| panic!("INFO line is `INFO <json> \\r\\n`: {text:?}"));
    serde_json::from_str(json).expect("INFO body is JSON")
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

const QUIET: &str = "CONNECT {\"verbose\":false}\r\n";
const QUIET_HEADERS: &str = "CONNECT {\"verbose\":false,\"headers\":true}\r\n";

// ---------------------------------------------------------------------------------------
// INFO

#[test]
fn info_describes_the_server_and_the_connection() {
    let server = TestServer::start();
    let info = info_json(server.addr());
    let server_id = info["server_id"].as_str().expect("server_id");
    assert_eq!(server_id.len(), 56, "server id is a server nkey: {server_id}");
    assert!(server_id.starts_with('N'), "server id is a server nkey: {server_id}");
    assert_eq!(info["server_name"].as_str(), Some(server_id), "name defaults to the id");
    assert_eq!(info["version"], "2.9.10");
    assert_eq!(info["proto"], 1);
    assert_eq!(info["host"], "127.0.0.1");
    assert_eq!(info["port"], server.addr().port());
    assert_eq!(info["headers"], true);
    assert_eq!(info["max_payload"], 1024 * 1024);
    assert_eq!(info["client_ip"], "127.0.0.1");
    assert!(info["client_id"].as_u64().is_some_and(|id| id > 0), "client_id: {info}");
    assert!(info.get("auth_required").is_none(), "no auth configured: {info}");
    assert!(info.get("tls_required").is_none(), "no TLS: {info}");
    assert!(info.get("nonce").is_none(), "no nonce without nkeys: {info}");
    // What the differential tests leave out of the comparison must really be absent here.
    for field in ONE_SIDED_INFO_FIELDS {
        assert!(info.get(field).is_none(), "{field} announces what rnats does not have: {info}");
    }
}

#[test]
fn each_connection_gets_its_own_client_id() {
    let server = TestServer::start();
    let first = info_json(server.addr())["client_id"].as_u64().expect("client_id");
    let second = info_json(server.addr())["client_id"].as_u64().expect("client_id");
    assert_ne!(first, second);
}

// ---------------------------------------------------------------------------------------
// Verbs

#[test]
fn ping_pong() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, "PING\r\n", "PONG\r\n");
    check(addr, "PONG\r\nPING\r\n", "PONG\r\n");
    check(addr, "ping\r\nPiNg\r\n", "PONG\r\nPONG\r\n");
    check(addr, "PING\nPING anything\r\n", "PONG\r\nPONG\r\n");
}

#[test]
fn connect_verbose_and_pedantic_default_to_true() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, "CONNECT {}\r\nPING\r\n", "+OK\r\nPONG\r\n");
    check(addr, "CONNECT {\"verbose\":true}\r\nPING\r\n", "+OK\r\nPONG\r\n");
    check(addr, "CONNECT {\"verbose\":false}\r\nPING\r\n", "PONG\r\n");
    // Without any CONNECT the defaults hold too: +OK for SUB and PUB, pedantic subject checks.
    check(addr, "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n", "+OK\r\n+OK\r\nMSG foo 1 2\r\nhi\r\nPONG\r\n");
    check(addr, "PUB foo.* 0\r\n\r\nPING\r\n", "-ERR 'Invalid Publish Subject'\r\n+OK\r\nPONG\r\n");
    check(addr, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPUB foo.* 0\r\n\r\nPING\r\n", "PONG\r\n");
}

#[test]
fn connect_errors() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, "CONNECT {\"protocol\":2}\r\nPING\r\n", "-ERR 'invalid client protocol'\r\n<EOF>");
    check(addr, "CONNECT {\"protocol\":-1}\r\nPING\r\n", "-ERR 'invalid client protocol'\r\n<EOF>");
    check(addr, "CONNECT {\"protocol\":0,\"verbose\":false}\r\nPING\r\n", "PONG\r\n");
    check(
        addr,
        "CONNECT {\"no_responders\":true}\r\nPING\r\n",
        "-ERR 'no responders requires headers support'\r\n<EOF>",
    );
    check(addr, "CONNECT {\"account\":\"A\"}\r\nPING\r\n", "-ERR 'Authorization Violation'\r\n<EOF>");
    check(addr, "CONNECT {\"new_account\":true}\r\nPING\r\n", "-ERR 'Authorization Violation'\r\n<EOF>");
    // Only a non-empty account or a true new_account is refused.
    check(addr, "CONNECT {\"verbose\":false,\"account\":\"\",\"new_account\":false}\r\nPING\r\n", "PONG\r\n");
    // Not JSON: closed without a word.
    check(addr, "CONNECT {nope\r\nPING\r\n", "<EOF>");
    check(addr, "CONNECT\r\nPING\r\n", "<EOF>");
    check(addr, "CONNECT {\"verbose\":\"yes\"}\r\nPING\r\n", "<EOF>");
}

/// A client speaking protocol 1 gets, after its first PONG following CONNECT, an INFO naming
/// the account it is bound to; once, and only then.
#[test]
fn connect_answered_with_account_info() {
    let server = TestServer::start();
    let addr = server.addr();
    let after = after_info(addr, b"PING\r\nCONNECT {\"protocol\":1,\"verbose\":false}\r\nPING\r\nPING\r\n");
    let (pongs, rest) = after.split_at("PONG\r\nPONG\r\n".len());
    assert_eq!(pongs, "PONG\r\nPONG\r\n", "{after:?}");
    let (info_line, last) = rest.split_once(" \r\n").expect("an INFO line");
    assert_eq!(last, "PONG\r\n", "one INFO, after the first PONG that follows CONNECT: {after:?}");
    let info: serde_json::Value =
        serde_json::from_str(info_line.strip_prefix("INFO ").expect("INFO")).expect("INFO body is JSON");
    assert_eq!(info["connect_info"], true);
    assert_eq!(info["remote_account"], "$G");
    assert_eq!(info["client_ip"], "127.0.0.1");
    assert_eq!(info["max_payload"], 1024 * 1024);
    assert!(info.get("acc_is_sys").is_none(), "not the system account: {info}");
    // Older clients (protocol 0) get nothing more, and neither does a CONNECT after that PING.
    check(
        addr,
        "CONNECT {\"verbose\":false}\r\nPING\r\nCONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n",
        "PONG\r\nPONG\r\n",
    );
}

#[test]
fn pub_and_msg() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, &format!("{QUIET}SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n"), "MSG foo 1 5\r\nhello\r\nPONG\r\n");
    check(
        addr,
        &format!("{QUIET}SUB foo 1\r\nPUB foo bar 5\r\nhello\r\nPING\r\n"),
        "MSG foo 1 bar 5\r\nhello\r\nPONG\r\n",
    );
    check(addr, &format!("{QUIET}SUB foo 1\r\nPUB foo 0\r\n\r\nPING\r\n"), "MSG foo 1 0\r\n\r\nPONG\r\n");
    // The payload is opaque: CRLF inside it is data.
    check(addr, &format!("{QUIET}SUB foo 1\r\nPUB foo 4\r\na\r\nb\r\nPING\r\n"), "MSG foo 1 4\r\na\r\nb\r\nPONG\r\n");
    // The size is passed on as the client wrote it.
    check(addr, &format!("{QUIET}SUB foo 1\r\nPUB foo 02\r\nhi\r\nPING\r\n"), "MSG foo 1 02\r\nhi\r\nPONG\r\n");
    // No subscriber: nothing.
    check(addr, &format!("{QUIET}PUB nobody 2\r\nhi\r\nPING\r\n"), "PONG\r\n");
    // Verbose: +OK for CONNECT, SUB and PUB, the +OK before the message it caused.
    check(
        addr,
        "CONNECT {}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n",
        "+OK\r\n+OK\r\n+OK\r\nMSG foo 1 2\r\nhi\r\nPONG\r\n",
    );
}

#[test]
fn hpub_and_hmsg() {
    let server = TestServer::start();
    let addr = server.addr();
    check(
        addr,
        &format!("{QUIET_HEADERS}SUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
        "HMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPONG\r\n",
    );
    check(
        addr,
        &format!("{QUIET_HEADERS}SUB foo 1\r\nHPUB foo reply 18 18\r\nNATS/1.0\r\nA: b\r\n\r\n\r\nPING\r\n"),
        "HMSG foo 1 reply 18 18\r\nNATS/1.0\r\nA: b\r\n\r\n\r\nPONG\r\n",
    );
    // An empty header block is no header at all.
    check(
        addr,
        &format!("{QUIET_HEADERS}SUB foo 1\r\nHPUB foo 0 2\r\nhi\r\nPING\r\n"),
        "MSG foo 1 2\r\nhi\r\nPONG\r\n",
    );
    // Header size larger than the total, bad argument counts: closed without a word.
    check(addr, &format!("{QUIET_HEADERS}HPUB foo 14 12\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"), "<EOF>");
    check(addr, &format!("{QUIET_HEADERS}HPUB foo 12\r\nPING\r\n"), "<EOF>");
    // HPUB from a client that did not ask for headers (or sent no CONNECT): closed.
    check(addr, &format!("{QUIET}HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"), "<EOF>");
    check(addr, "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n", "<EOF>");
}

/// nats-server closes a connection without headers at the end of the HPUB line, silently:
/// it does not wait for the payload, nor judge a terminator it never reads.
#[test]
fn hpub_without_headers_closes_at_the_line() {
    let server = TestServer::start();
    let addr = server.addr();
    for connect in [QUIET, "CONNECT {\"verbose\":false,\"headers\":false}\r\n"] {
        let mut conn = RawConn::connect(addr);
        conn.send(format!("{connect}PING\r\n").as_bytes());
        assert!(conn.expect_contains(b"PONG\r\n", WAIT));
        conn.send(b"HPUB foo 12 14\r\n");
        assert!(conn.is_closed(WAIT), "still open after the HPUB line ({connect:?})");
        let text = String::from_utf8_lossy(conn.received()).into_owned();
        assert!(text.ends_with("PONG\r\n"), "nothing follows the PONG: {text:?}");
    }
    check(addr, &format!("{QUIET}HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhiXXPING\r\n"), "<EOF>");
}

#[test]
fn headers_are_stripped_for_a_subscriber_without_header_support() {
    let server = TestServer::start();
    let mut subscriber = RawConn::connect(server.addr());
    subscriber.send(format!("{QUIET}SUB foo 1\r\nPING\r\n").as_bytes());
    assert!(subscriber.expect_contains(b"PONG\r\n", WAIT));
    let published = after_info(
        server.addr(),
        format!("{QUIET_HEADERS}HPUB foo r 18 20\r\nNATS/1.0\r\nA: b\r\n\r\nhi\r\nPING\r\n").as_bytes(),
    );
    assert_eq!(published, "PONG\r\n");
    subscriber.send(b"PING\r\n");
    subscriber.read_until(WAIT, |r| count(r, b"PONG\r\n") >= 2);
    let text = String::from_utf8_lossy(subscriber.received()).into_owned();
    let after = &text[text.find("\r\n").expect("INFO line") + 2..];
    assert_eq!(after, "PONG\r\nMSG foo 1 r 2\r\nhi\r\nPONG\r\n");
}

#[test]
fn sub_queue_wildcards_and_unsub() {
    let server = TestServer::start();
    let addr = server.addr();
    check(
        addr,
        &format!("{QUIET}SUB foo q 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPING\r\n"),
        "MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\nPONG\r\n",
    );
    check(
        addr,
        &format!("{QUIET}SUB foo.* 1\r\nPUB foo.bar 1\r\na\r\nPUB foo.bar.baz 1\r\nb\r\nPING\r\n"),
        "MSG foo.bar 1 1\r\na\r\nPONG\r\n",
    );
    check(
        addr,
        &format!("{QUIET}SUB foo.> 1\r\nPUB foo 1\r\na\r\nPUB foo.bar.baz 1\r\nb\r\nPING\r\n"),
        "MSG foo.bar.baz 1 1\r\nb\r\nPONG\r\n",
    );
    check(addr, &format!("{QUIET}SUB foo 1\r\nUNSUB 1\r\nPUB foo 1\r\na\r\nPING\r\n"), "PONG\r\n");
    check(
        addr,
        &format!("{QUIET}SUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n"),
        "MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\nPONG\r\n",
    );
    // A maximum of 0, or one that is not a number, unsubscribes at once.
    check(addr, &format!("{QUIET}SUB foo 1\r\nUNSUB 1 0\r\nPUB foo 1\r\na\r\nPING\r\n"), "PONG\r\n");
    check(addr, &format!("{QUIET}SUB foo 1\r\nUNSUB 1 x\r\nPUB foo 1\r\na\r\nPING\r\n"), "PONG\r\n");
    // Unknown sids are fine, and acknowledged when verbose.
    check(addr, "CONNECT {}\r\nUNSUB 9\r\nPING\r\n", "+OK\r\n+OK\r\nPONG\r\n");
    // A sid freed by an automatic unsubscribe can be used again.
    check(
        addr,
        &format!("{QUIET}SUB foo 1\r\nUNSUB 1 1\r\nPUB foo 1\r\na\r\nSUB bar 1\r\nPUB bar 1\r\nb\r\nPING\r\n"),
        "MSG foo 1 1\r\na\r\nMSG bar 1 1\r\nb\r\nPONG\r\n",
    );
}

#[test]
fn echo_false_and_no_responders() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, "CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n", "PONG\r\n");
    let no_responders = "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n";
    check(
        addr,
        &format!("{no_responders}SUB reply 7\r\nPUB nobody reply 2\r\nhi\r\nPING\r\n"),
        "HMSG reply 7 38 38\r\nNATS/1.0 503\r\nNats-Subject: nobody\r\n\r\n\r\nPONG\r\n",
    );
    // No subscription of the publisher's own on the reply subject: nothing to send it to.
    check(addr, &format!("{no_responders}PUB nobody reply 2\r\nhi\r\nPING\r\n"), "PONG\r\n");
    // Someone answered: no 503.
    check(
        addr,
        &format!("{no_responders}SUB reply 7\r\nSUB svc 8\r\nPUB svc reply 2\r\nhi\r\nPING\r\n"),
        "MSG svc 8 reply 2\r\nhi\r\nPONG\r\n",
    );
}

#[test]
fn client_ok_info_and_err() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, "+OK\r\nPING\r\n", "PONG\r\n");
    check(addr, "INFO {\"server_id\":\"x\"}\r\nPING\r\n", "PONG\r\n");
    check(addr, "INFO nope\r\nPING\r\n", "<EOF>");
    check(addr, "-ERR 'bye'\r\nPING\r\n", "<EOF>");
}

#[test]
fn verbs_are_case_insensitive_and_lines_flexible() {
    let server = TestServer::start();
    let addr = server.addr();
    check(
        addr,
        "connect {\"verbose\":false}\r\nsub foo 1\r\npub foo 2\r\nhi\r\nUnSuB 1\r\npInG\r\n",
        "MSG foo 1 2\r\nhi\r\nPONG\r\n",
    );
    check(addr, "CONNECT {\"verbose\":false}\nSUB foo 1\nPUB foo 2\nhi\r\nPING\n", "MSG foo 1 2\r\nhi\r\nPONG\r\n");
    check(
        addr,
        &format!("{QUIET}SUB \t foo\t\tq  1 \r\nPUB\tfoo  \t r 2\t\r\nhi\r\nPING\r\n"),
        "MSG foo 1 r 2\r\nhi\r\nPONG\r\n",
    );
}

// ---------------------------------------------------------------------------------------
// Errors with the default options

#[test]
fn unknown_protocol_operation() {
    let server = TestServer::start();
    let addr = server.addr();
    for script in
        ["FOO\r\n", "PX\r\n", "PUBfoo 1\r\n", "SUBX\r\n", " PING\r\n", "\r\n", "RS+ foo\r\n", "MSG foo 1 0\r\n"]
    {
        check(addr, script, "-ERR 'Unknown Protocol Operation'\r\n<EOF>");
    }
    // Operations before the bad one are answered first.
    check(addr, "CONNECT {}\r\nFOO\r\n", "+OK\r\n-ERR 'Unknown Protocol Operation'\r\n<EOF>");
}

#[test]
fn payload_must_end_with_crlf() {
    let server = TestServer::start();
    let addr = server.addr();
    for payload in ["hiX\r\n", "hi\n", "hi\rX", "h\r\n"] {
        let script = format!("{QUIET}SUB foo 1\r\nPUB foo 2\r\n{payload}PING\r\n");
        check(addr, &script, "-ERR 'Unknown Protocol Operation'\r\n<EOF>");
    }
    check(
        addr,
        &format!("{QUIET_HEADERS}HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhiXX"),
        "-ERR 'Unknown Protocol Operation'\r\n<EOF>",
    );
}

#[test]
fn bad_argument_counts_close_silently() {
    let server = TestServer::start();
    let addr = server.addr();
    for line in [
        "PUB foo\r\n",
        "PUB foo a b 1\r\n",
        "PUB foo x\r\n",
        "PUB foo -1\r\n",
        "PUB foo 0000000001\r\n",
        "SUB foo\r\n",
        "SUB foo q 1 x\r\n",
        "UNSUB \r\n",
        "UNSUB 1 2 3\r\n",
    ] {
        check(addr, &format!("{QUIET}{line}PING\r\n"), "<EOF>");
    }
}

#[test]
fn maximum_payload_and_control_line_defaults() {
    let server = TestServer::start();
    let addr = server.addr();
    check(addr, &format!("{QUIET}PUB foo 1048577\r\n"), "-ERR 'Maximum Payload Violation'\r\n<EOF>");
    check(addr, &format!("{QUIET_HEADERS}HPUB foo 12 1048577\r\n"), "-ERR 'Maximum Payload Violation'\r\n<EOF>");
    let long = "a".repeat(4095);
    check(addr, &format!("{QUIET}SUB {long} 1\r\nPING\r\n"), "-ERR 'maximum control line exceeded'\r\n<EOF>");
    // An incomplete line fails as soon as it is longer than the limit.
    check(addr, &format!("SUB {long}{long}"), "-ERR 'maximum control line exceeded'\r\n<EOF>");
    // Exactly at the limit (arguments of 4096 bytes) is fine.
    let at_limit = "a".repeat(4094);
    check(addr, &format!("{QUIET}SUB {at_limit} 1\r\nPING\r\n"), "PONG\r\n");
    // PING and PONG have no arguments to limit.
    check(addr, &format!("PING {long}{long}\r\n"), "PONG\r\n");
}

#[test]
fn invalid_subjects() {
    let server = TestServer::start();
    let addr = server.addr();
    for subject in ["foo..bar", ".foo", "foo.", "foo.>.bar", ">.foo"] {
        check(addr, &format!("{QUIET}SUB {subject} 1\r\nPING\r\n"), "-ERR 'Invalid Subject'\r\nPONG\r\n");
    }
    check(addr, "CONNECT {}\r\nSUB foo..bar 1\r\nPING\r\n", "+OK\r\n-ERR 'Invalid Subject'\r\nPONG\r\n");
    // Pedantic publishing to a wildcard: an error, yet the message still goes out.
    check(
        addr,
        &format!("{QUIET}SUB foo.* 1\r\nPUB foo.* 2\r\nhi\r\nPING\r\n"),
        "-ERR 'Invalid Publish Subject'\r\nMSG foo.* 1 2\r\nhi\r\nPONG\r\n",
    );
    check(addr, &format!("{QUIET}PUB foo..bar 2\r\nhi\r\nPING\r\n"), "-ERR 'Invalid Publish Subject'\r\nPONG\r\n");
}

#[test]
fn reserved_subjects_and_replies() {
    let server = TestServer::start();
    let addr = server.addr();
    // Gateway-routed reply subjects, the old `$GR.` form too, and Raft groups' subjects.
    for subject in ["_GR_.x", "$GR.x", "$NRG.x"] {
        check(
            addr,
            &format!("{QUIET}SUB > 1\r\nPUB {subject} 2\r\nhi\r\nPING\r\n"),
            &format!("-ERR 'Permissions Violation for Publish to \"{subject}\"'\r\nPONG\r\n"),
        );
    }
    for reply in ["_R_.x", "$JS.ACK.x", "_GR_.x", "$GR.x", "_R_."] {
        check(
            addr,
            &format!("{QUIET}SUB > 1\r\nPUB foo {reply} 2\r\nhi\r\nPING\r\n"),
            &format!("-ERR 'Permissions Violation for Publish with Reply of \"{reply}\"'\r\nPONG\r\n"),
        );
    }
    // Verbose: the error replaces the +OK.
    check(
        addr,
        "CONNECT {}\r\nPUB foo _R_.x 0\r\n\r\nPING\r\n",
        "+OK\r\n-ERR 'Permissions Violation for Publish with Reply of \"_R_.x\"'\r\nPONG\r\n",
    );
    // Not reserved: the bare gateway and ack prefixes, and a Raft subject as a reply.
    check(
        addr,
        &format!("{QUIET}SUB > 1\r\nPUB foo $NRG.x 2\r\nhi\r\nPING\r\n"),
        "MSG foo 1 $NRG.x 2\r\nhi\r\nPONG\r\n",
    );
    check(
        addr,
        &format!("{QUIET}SUB > 1\r\nPUB foo $JS.ACK. 2\r\nhi\r\nPING\r\n"),
        "MSG foo 1 $JS.ACK. 2\r\nhi\r\nPONG\r\n",
    );
    check(addr, &format!("{QUIET}SUB > 1\r\nPUB foo _GR_. 2\r\nhi\r\nPING\r\n"), "MSG foo 1 _GR_. 2\r\nhi\r\nPONG\r\n");
}

// ---------------------------------------------------------------------------------------
// Non-default limits

#[test]
fn small_max_payload() {
    let server = TestServer::with_options(Options { max_payload: 16, ..Options::default() });
    let addr = server.addr();
    assert_eq!(info_json(addr)["max_payload"], 16);
    let sixteen = "0123456789abcdef";
    check(
        addr,
        &format!("{QUIET}SUB foo 1\r\nPUB foo 16\r\n{sixteen}\r\nPING\r\n"),
        &format!("MSG foo 1 16\r\n{sixteen}\r\nPONG\r\n"),
    );
    check(addr, &format!("{QUIET}PUB foo 17\r\n{sixteen}x\r\nPING\r\n"), "-ERR 'Maximum Payload Violation'\r\n<EOF>");
    check(addr, &format!("{QUIET_HEADERS}HPUB foo 12 17\r\n"), "-ERR 'Maximum Payload Violation'\r\n<EOF>");
    // The +OK for CONNECT comes first.
    check(addr, "CONNECT {}\r\nPUB foo 100\r\n", "+OK\r\n-ERR 'Maximum Payload Violation'\r\n<EOF>");
}

#[test]
fn small_max_control_line() {
    let server = TestServer::with_options(Options { max_control_line: 32, ..Options::default() });
    let addr = server.addr();
    let fits = "a".repeat(30); // "<subject> 1" is 32 bytes
    check(addr, &format!("{QUIET}SUB {fits} 1\r\nPING\r\n"), "PONG\r\n");
    let long = "a".repeat(31);
    check(addr, &format!("{QUIET}SUB {long} 1\r\nPING\r\n"), "-ERR 'maximum control line exceeded'\r\n<EOF>");
    check(addr, &format!("{QUIET}PUB {long} 0\r\n\r\nPING\r\n"), "-ERR 'maximum control line exceeded'\r\n<EOF>");
    // An incomplete line that is already too long fails before its end arrives.
    let mut conn = RawConn::connect(addr);
    conn.send(format!("SUB {long}{long}").as_bytes());
    assert!(conn.expect_contains(b"-ERR 'maximum control line exceeded'\r\n", WAIT));
    assert!(conn.is_closed(WAIT), "connection closed after the error");
}

/// CONNECT JSON as nats-server's Go decoder reads it: bytes that are not UTF-8 and lone
/// surrogate escapes become U+FFFD, nesting goes to 10 000 levels; the connection works.
#[test]
fn connect_json_that_go_accepts_is_accepted() {
    let server = TestServer::with_options(Options { max_control_line: 65_536, ..Options::default() });
    let addr = server.addr();
    let deep = |levels: usize| format!("{}{}", "[".repeat(levels - 1), "]".repeat(levels - 1));
    let bodies: Vec<Vec<u8>> = vec![
        b"{\"verbose\":false,\"name\":\"a\xff\xfeb\",\"lang\":\"\xf0\x9f\x98\"}".to_vec(),
        br#"{"verbose":false,"name":"\ud800","version":"\udc00x"}"#.to_vec(),
        format!("{{\"verbose\":false,\"x\":{}}}", deep(129)).into_bytes(),
        format!("{{\"verbose\":false,\"x\":{}}}", deep(10_000)).into_bytes(),
    ];
    for body in bodies {
        let mut script = b"CONNECT ".to_vec();
        script.extend_from_slice(&body);
        script.extend_from_slice(b"\r\nSUB a 1\r\nPUB a 2\r\nhi\r\nPING\r\n");
        assert_eq!(after_info(addr, &script), "MSG a 1 2\r\nhi\r\nPONG\r\n", "{}", String::from_utf8_lossy(&body));
    }
    // One level more than Go allows closes the connection without a word, as nats-server does.
    let too_deep = format!("CONNECT {{\"verbose\":false,\"x\":{}}}\r\nPING\r\n", deep(10_001));
    assert_eq!(after_info(addr, too_deep.as_bytes()), "<EOF>");
}

#[test]
fn max_subscriptions_refuses_more_but_keeps_the_connection() {
    let server = TestServer::with_options(Options { max_subscriptions: Limit::at_most(2), ..Options::default() });
    let addr = server.addr();
    check(
        addr,
        &format!("{QUIET}SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPUB a 1\r\ny\r\nPING\r\n"),
        "-ERR 'maximum subscriptions exceeded'\r\nMSG a 1 1\r\ny\r\nPONG\r\n",
    );
    // Verbose: the refused SUB gets the error instead of +OK.
    check(
        addr,
        "CONNECT {}\r\nSUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n",
        "+OK\r\n+OK\r\n+OK\r\n-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n",
    );
    // Room is made by UNSUB, and by subscriptions ending after their maximum.
    check(
        addr,
        &format!("{QUIET}SUB a 1\r\nSUB b 2\r\nUNSUB 1\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPING\r\n"),
        "MSG c 3 1\r\nx\r\nPONG\r\n",
    );
    check(
        addr,
        &format!("{QUIET}SUB a 1\r\nUNSUB 1 1\r\nSUB b 2\r\nPUB a 1\r\nx\r\nSUB c 3\r\nPUB c 1\r\ny\r\nPING\r\n"),
        "MSG a 1 1\r\nx\r\nMSG c 3 1\r\ny\r\nPONG\r\n",
    );
}

#[test]
fn max_connections_refuses_the_extra_connection_after_info() {
    let server = TestServer::with_options(Options { max_connections: 1, ..Options::default() });
    let addr = server.addr();
    let mut first = RawConn::connect(addr);
    first.send(format!("{QUIET}PING\r\n").as_bytes());
    assert!(first.expect_contains(b"PONG\r\n", WAIT));

    let output = run_script(addr, b"", WAIT);
    let text = String::from_utf8_lossy(&output).into_owned();
    assert!(text.starts_with("INFO {"), "INFO first: {text:?}");
    let after = &text[text.find("\r\n").expect("INFO line") + 2..];
    assert_eq!(after, "-ERR 'maximum connections exceeded'\r\n<EOF>");

    // The first connection is unaffected.
    first.send(b"PING\r\n");
    first.read_until(WAIT, |r| count(r, b"PONG\r\n") >= 2);
    assert_eq!(count(first.received(), b"PONG\r\n"), 2);

    // Once it is gone there is room again.
    drop(first);
    assert!(wait_for(WAIT, || server.state().client_count() == 0), "first connection unregistered");
    check(addr, "PING\r\n", "PONG\r\n");
}

// ---------------------------------------------------------------------------------------
// Authentication

fn user_pass_server() -> TestServer {
    let auth = SimpleAuth { user: Some("alice".into()), pass: Some("secret".into()), token: None };
    TestServer::with_options(Options { auth, ..Options::default() })
}

#[test]
fn info_says_auth_required() {
    let server = user_pass_server();
    assert_eq!(info_json(server.addr())["auth_required"], true);
    let token = TestServer::with_options(Options {
        auth: SimpleAuth { token: Some("t0k".into()), ..SimpleAuth::default() },
        ..Options::default()
    });
    assert_eq!(info_json(token.addr())["auth_required"], true);
}

#[test]
fn user_and_password() {
    let server = user_pass_server();
    let addr = server.addr();
    check(addr, "CONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n", "+OK\r\nPONG\r\n");
    check(
        addr,
        "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\nSUB a 1\r\nPUB a 1\r\nx\r\nPING\r\n",
        "MSG a 1 1\r\nx\r\nPONG\r\n",
    );
    let violation = "-ERR 'Authorization Violation'\r\n<EOF>";
    check(addr, "CONNECT {\"user\":\"alice\",\"pass\":\"wrong\"}\r\nPING\r\n", violation);
    check(addr, "CONNECT {\"user\":\"bob\",\"pass\":\"secret\"}\r\nPING\r\n", violation);
    check(addr, "CONNECT {\"user\":\"alice\"}\r\nPING\r\n", violation);
    check(addr, "CONNECT {}\r\nPING\r\n", violation);
    check(addr, "CONNECT {\"auth_token\":\"secret\"}\r\nPING\r\n", violation);
    // Credentials are checked before the protocol level.
    check(addr, "CONNECT {\"user\":\"alice\",\"pass\":\"x\",\"protocol\":5}\r\n", violation);
    check(
        addr,
        "CONNECT {\"user\":\"alice\",\"pass\":\"secret\",\"protocol\":5}\r\n",
        "-ERR 'invalid client protocol'\r\n<EOF>",
    );
}

#[test]
fn anything_but_connect_first_is_an_authorization_violation() {
    let server = user_pass_server();
    let addr = server.addr();
    let violation = "-ERR 'Authorization Violation'\r\n<EOF>";
    check(addr, "PUB foo 2\r\nhi\r\n", violation);
    check(addr, "SUB foo 1\r\n", violation);
    check(addr, "PING\r\n", violation);
    check(addr, "UNSUB 1\r\n", violation);
    check(addr, "+OK\r\n", violation);
    // Decided on the first byte, before parsing: even an unknown operation is a violation...
    check(addr, "FOO\r\n", violation);
    check(addr, "\r\n", violation);
    // ...while one starting with C is parsed as usual.
    check(addr, "CX\r\n", "-ERR 'Unknown Protocol Operation'\r\n<EOF>");
    check(addr, "connect {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n", "PONG\r\n");
}

#[test]
fn token() {
    let server = TestServer::with_options(Options {
        auth: SimpleAuth { token: Some("t0k".into()), ..SimpleAuth::default() },
        ..Options::default()
    });
    let addr = server.addr();
    check(addr, "CONNECT {\"verbose\":false,\"auth_token\":\"t0k\"}\r\nPING\r\n", "PONG\r\n");
    check(addr, "CONNECT {\"auth_token\":\"nope\"}\r\nPING\r\n", "-ERR 'Authorization Violation'\r\n<EOF>");
    check(addr, "CONNECT {\"user\":\"t0k\"}\r\nPING\r\n", "-ERR 'Authorization Violation'\r\n<EOF>");
}

#[test]
fn authentication_timeout() {
    let auth = SimpleAuth { user: Some("alice".into()), pass: Some("secret".into()), token: None };
    let server = TestServer::with_options(Options {
        auth,
        auth_timeout: Some(Duration::from_millis(200)),
        ..Options::default()
    });
    let addr = server.addr();

    // Silent client: the timeout, then the close.
    let started = Instant::now();
    let mut silent = RawConn::connect(addr);
    assert!(silent.is_closed(Duration::from_secs(3)), "closed after the auth timeout");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(150), "closed too early: {elapsed:?}");
    let text = String::from_utf8_lossy(silent.received()).into_owned();
    let after = &text[text.find("\r\n").expect("INFO line") + 2..];
    assert_eq!(after, "-ERR 'Authentication Timeout'\r\n");

    // A client that sends part of a CONNECT but never finishes it times out too.
    let mut partial = RawConn::connect(addr);
    partial.send(b"CONNECT {\"user\":");
    assert!(partial.expect_contains(b"-ERR 'Authentication Timeout'\r\n", Duration::from_secs(3)));
    assert!(partial.is_closed(WAIT));

    // A client that authenticated in time stays.
    let mut good = RawConn::connect(addr);
    good.send(b"CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\n");
    std::thread::sleep(Duration::from_millis(400));
    good.send(b"PING\r\n");
    assert!(good.expect_contains(b"PONG\r\n", WAIT), "authenticated client still served");
    assert!(!good.is_closed(Duration::from_millis(50)));
    let text = String::from_utf8_lossy(good.received()).into_owned();
    assert!(!text.contains("-ERR"), "no error for an authenticated client: {text:?}");
}

// ---------------------------------------------------------------------------------------
// Keep-alive

fn pinging_server() -> TestServer {
    TestServer::with_options(Options { ping_interval: Duration::from_millis(100), ping_max: 2, ..Options::default() })
}

#[test]
fn unanswered_pings_make_a_stale_connection() {
    let server = pinging_server();
    let mut conn = RawConn::connect(server.addr());
    conn.send(QUIET.as_bytes());
    assert!(conn.is_closed(Duration::from_secs(3)), "stale connection closed");
    let text = String::from_utf8_lossy(conn.received()).into_owned();
    let after = &text[text.find("\r\n").expect("INFO line") + 2..];
    assert_eq!(after, "PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
}

#[test]
fn answered_pings_keep_the_connection() {
    let server = pinging_server();
    let mut conn = RawConn::connect(server.addr());
    conn.send(QUIET.as_bytes());
    let deadline = Instant::now() + Duration::from_millis(900);
    let mut answered = 0;
    while Instant::now() < deadline {
        let received = conn.read_until(Duration::from_millis(20), |r| count(r, b"PING\r\n") > answered);
        let pings = count(received, b"PING\r\n");
        for _ in answered..pings {
            conn.send(b"PONG\r\n");
        }
        answered = pings;
    }
    assert!(answered > 2, "more PINGs than ping_max were answered: {answered}");
    conn.send(b"PING\r\n");
    assert!(conn.expect_contains(b"PONG\r\n", WAIT), "still served");
    let text = String::from_utf8_lossy(conn.received()).into_owned();
    assert!(!text.contains("-ERR"), "no error: {text:?}");
    assert!(!conn.is_closed(Duration::from_millis(50)));
}
