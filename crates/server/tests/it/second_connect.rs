//! A second CONNECT on a connection starts it over without the subscriptions made before it,
//! whether it stays in the same account or moves to another, as nats-server 2.15.1 does
//! (2.11.17 and 2.12.8 did too). nats-server 2.9.10 kept them in the old account, still
//! delivering that account's messages to a client that had moved elsewhere: not matched.

use std::net::SocketAddr;

use rnats_testkit::{mask_info, require_current_go_server, GoServer, RawConn, TestServer};

use crate::differential_harness::send_and_sync;
use crate::support::options_from;

const CONFIG: &str =
    "accounts {\n  A { users = [ {user: a, password: a} ] }\n  B { users = [ {user: b, password: b} ] }\n}\n";

fn login(user: &str) -> String {
    format!("CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"{user}\"}}\r\n")
}

/// Subscribes as `a`, CONNECTs again as `second`, then a publisher in account A publishes to
/// the old subscription, and again after the same sid subscribes anew. Returns what the
/// re-connected client received after its INFO.
fn scenario(addr: SocketAddr, second: &str) -> String {
    let mut client = RawConn::connect(addr);
    send_and_sync(&mut client, format!("{}SUB foo 1\r\nPING\r\n", login("a")).as_bytes(), 1);
    send_and_sync(&mut client, format!("{}PING\r\n", login(second)).as_bytes(), 2);
    let mut publisher = RawConn::connect(addr);
    send_and_sync(&mut publisher, format!("{}PUB foo 3\r\none\r\nPING\r\n", login("a")).as_bytes(), 1);
    send_and_sync(&mut client, b"SUB foo 1\r\nPING\r\n", 3);
    send_and_sync(&mut publisher, b"PUB foo 3\r\ntwo\r\nPING\r\n", 2);
    send_and_sync(&mut client, b"PING\r\n", 4);
    let text = mask_info(client.received());
    text.split_once("\r\n").map(|(_, rest)| rest.to_string()).unwrap_or(text)
}

#[test]
fn second_connect_drops_earlier_subscriptions() {
    let server = TestServer::with_options(options_from(CONFIG));
    // Same account: only the subscription made after the second CONNECT gets "two".
    assert_eq!(scenario(server.addr(), "a"), "PONG\r\nPONG\r\nPONG\r\nMSG foo 1 3\r\ntwo\r\nPONG\r\n");
    // Another account: nothing from A at all, before or after.
    assert_eq!(scenario(server.addr(), "b"), "PONG\r\nPONG\r\nPONG\r\nPONG\r\n");
}

#[test]
fn second_connect_matches_current_nats_server() {
    let Some(binary) = require_current_go_server() else { return };
    let go = GoServer::with_config_binary(&binary, CONFIG, &[]);
    let server = TestServer::with_options(options_from(CONFIG));
    for second in ["a", "b"] {
        assert_eq!(scenario(server.addr(), second), scenario(go.addr(), second), "second CONNECT as {second}");
    }
}
