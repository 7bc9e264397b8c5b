//! Limits of zero or below, read as nats-server 2.15.1 reads them (checked by running it):
//! an account's `max_connections`, `max_subscriptions` and `max_payload` of -1 are no limit,
//! while 0 and other negatives refuse every connection, subscription or payload; the server's
//! `max_subscriptions` of 0 or -1 is no limit and other negatives refuse every subscription;
//! the server's `max_connections` of 0 or less refuses every connection. A connection bound
//! where it may hold no subscription at all is told so at once and closed shortly after.

use std::time::Duration;

use rnats_testkit::RawConn;

use super::differential_harness::{script, Suite};
use super::support::server_from;

const WAIT: Duration = Duration::from_secs(5);

/// One account per limit and value, each with a user of the same name (password `p`).
const ACCOUNTS: &str = r#"accounts {
  conn_0: { users: [{user: conn_0, password: p}], limits: {max_connections: 0} }
  conn_neg: { users: [{user: conn_neg, password: p}], limits: {max_connections: -2} }
  conn_none: { users: [{user: conn_none, password: p}], limits: {max_connections: -1} }
  subs_0: { users: [{user: subs_0, password: p}], limits: {max_subscriptions: 0} }
  subs_neg: { users: [{user: subs_neg, password: p}], limits: {max_subscriptions: -2} }
  subs_none: { users: [{user: subs_none, password: p}], limits: {max_subscriptions: -1} }
  pay_0: { users: [{user: pay_0, password: p}], limits: {max_payload: 0} }
  pay_neg: { users: [{user: pay_neg, password: p}], limits: {max_payload: -2} }
  pay_none: { users: [{user: pay_none, password: p}], limits: {max_payload: -1} }
  wide: { users: [{user: wide, password: p}], limits: {max_subscriptions: 4294967297} }
}
"#;

fn connect(user: &str) -> String {
    format!("CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"p\"}}\r\n")
}

/// A CONNECT as `user` from a client that takes INFO at any time.
fn connect_protocol_1(user: &str) -> String {
    format!("CONNECT {{\"verbose\":false,\"protocol\":1,\"user\":\"{user}\",\"pass\":\"p\"}}\r\n")
}

/// A raw connection logged in as `user`, after `rest` is sent.
fn login(addr: std::net::SocketAddr, user: &str, rest: &str) -> RawConn {
    let mut conn = RawConn::connect(addr);
    conn.send(format!("{}{rest}", connect(user)).as_bytes());
    conn
}

#[test]
fn account_connection_limits_of_zero_or_below() {
    let server = server_from(ACCOUNTS);
    for refused in ["conn_0", "conn_neg"] {
        let mut conn = login(server.addr(), refused, "PING\r\n");
        assert!(conn.expect_contains(b"-ERR 'maximum account active connections exceeded'\r\n", WAIT), "{refused}");
        assert!(conn.is_closed(WAIT), "{refused}");
        assert!(!String::from_utf8_lossy(conn.received()).contains("PONG"), "{refused}");
    }
    let mut open: Vec<RawConn> = (0..5).map(|_| login(server.addr(), "conn_none", "PING\r\n")).collect();
    for conn in &mut open {
        assert!(conn.expect_contains(b"PONG\r\n", WAIT), "-1 is no limit");
    }
}

#[test]
fn account_subscription_limits_of_zero_or_below() {
    let server = server_from(ACCOUNTS);
    for refused in ["subs_0", "subs_neg"] {
        let mut conn = login(server.addr(), refused, "SUB a 1\r\nSUB b 2\r\nPING\r\n");
        // One -ERR on binding and one per SUB; operations are still answered until the close.
        assert!(conn.expect_contains(b"PONG\r\n", WAIT), "{refused}");
        assert!(conn.is_closed(WAIT), "{refused}: closed shortly after binding");
        let text = String::from_utf8_lossy(conn.received()).to_string();
        assert_eq!(text.matches("-ERR 'maximum subscriptions exceeded'\r\n").count(), 3, "{refused}: {text}");
    }
    let subs: String = (0..100).map(|i| format!("SUB s.{i} {i}\r\n")).collect();
    let mut conn = login(server.addr(), "subs_none", &format!("{subs}PUB s.99 1\r\nx\r\nPING\r\n"));
    assert!(conn.expect_contains(b"MSG s.99 99 1\r\nx\r\nPONG\r\n", WAIT), "-1 is no limit");
    assert!(!String::from_utf8_lossy(conn.received()).contains("-ERR"));
    // nats-server keeps a limit as an int32: 4294967297 is 1.
    let mut conn = login(server.addr(), "wide", "SUB a 1\r\nSUB b 2\r\nPING\r\n");
    assert!(conn.expect_contains(b"-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n", WAIT));
}

#[test]
fn account_payload_limits_of_zero_or_below() {
    let server = server_from(ACCOUNTS);
    let mut zero = login(server.addr(), "pay_0", "PUB x 0\r\n\r\nPING\r\n");
    assert!(zero.expect_contains(b"PONG\r\n", WAIT), "an empty payload fits a limit of 0");
    zero.send(b"PUB x 1\r\nx\r\n");
    assert!(zero.expect_contains(b"-ERR 'Maximum Payload Violation'\r\n", WAIT));
    assert!(zero.is_closed(WAIT));
    let mut negative = login(server.addr(), "pay_neg", "PUB x 0\r\n\r\nPING\r\n");
    assert!(negative.expect_contains(b"-ERR 'Maximum Payload Violation'\r\n", WAIT), "not even an empty one");
    assert!(negative.is_closed(WAIT));
    let mut none = login(server.addr(), "pay_none", &format!("PUB x 1000\r\n{}\r\nPING\r\n", "x".repeat(1000)));
    assert!(none.expect_contains(b"PONG\r\n", WAIT), "-1 is no limit");
}

#[test]
fn server_limits_of_zero_or_below() {
    for (config, refused) in
        [("max_subscriptions: -2\n", true), ("max_subscriptions: -1\n", false), ("max_subscriptions: 0\n", false)]
    {
        let server = server_from(config);
        let mut conn = RawConn::connect(server.addr());
        conn.send(b"CONNECT {\"verbose\":false}\r\nSUB a 1\r\nPING\r\n");
        assert!(conn.expect_contains(b"PONG\r\n", WAIT), "{config}");
        let errors = String::from_utf8_lossy(conn.received()).matches("maximum subscriptions exceeded").count();
        assert_eq!(errors, if refused { 2 } else { 0 }, "{config}");
        if refused {
            assert!(conn.is_closed(WAIT), "{config}");
        }
    }
    for config in ["max_connections: 0\n", "max_connections: -1\n", "max_connections: -2\n"] {
        let server = server_from(config);
        let mut conn = RawConn::connect(server.addr());
        conn.send(b"CONNECT {\"verbose\":false}\r\nPING\r\n");
        assert!(conn.expect_contains(b"-ERR 'maximum connections exceeded'\r\n", WAIT), "{config}");
        assert!(conn.is_closed(WAIT), "{config}");
    }
}

/// What a real client sees: no login into an account that allows no connection, a working
/// one where -1 means no limit.
#[tokio::test]
async fn clients_of_accounts_with_limits_of_zero_or_below() {
    let server = server_from(ACCOUNTS);
    let refused =
        async_nats::ConnectOptions::with_user_and_password("conn_neg".into(), "p".into()).connect(server.url()).await;
    assert!(refused.is_err(), "a client cannot log into an account with max_connections -2");
    let client = super::support::login(&server, "subs_none", "p").await;
    let mut subs = Vec::new();
    for i in 0..50 {
        subs.push(client.subscribe(format!("s.{i}")).await.expect("subscribe"));
    }
    client.publish("s.49", "x".into()).await.expect("publish");
    let message = super::support::next_msg(&mut subs[49]).await;
    assert_eq!(&message.payload[..], b"x");
}

/// The outcomes that do not depend on timing, byte for byte against nats-server (whose
/// account limits behave the same in 2.9.10 and 2.15.1).
pub(super) fn suite() -> Suite {
    let scripts = vec![
        script("conn_0", format!("{}PING\r\n", connect("conn_0"))),
        script("conn_neg", format!("{}PING\r\n", connect("conn_neg"))),
        script("conn_none", format!("{}PING\r\n", connect("conn_none"))),
        script("subs_none", format!("{}SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n", connect("subs_none"))),
        script("wide", format!("{}SUB a 1\r\nSUB b 2\r\nPING\r\n", connect("wide"))),
        script("pay_0_empty", format!("{}PUB x 0\r\n\r\nPING\r\n", connect("pay_0"))),
        script("pay_0", format!("{}PUB x 1\r\nx\r\nPING\r\n", connect("pay_0"))),
        script("pay_neg", format!("{}PUB x 0\r\n\r\nPING\r\n", connect("pay_neg"))),
        script("pay_none", format!("{}PUB x 5\r\nhello\r\nPING\r\n", connect("pay_none"))),
        // The INFO answering CONNECT reports the account's payload limit as it stands.
        script("pay_0_connect_info", format!("{}PING\r\nPING\r\n", connect_protocol_1("pay_0"))),
        script("pay_neg_connect_info", format!("{}PING\r\nPING\r\n", connect_protocol_1("pay_neg"))),
        script("pay_none_connect_info", format!("{}PING\r\nPING\r\n", connect_protocol_1("pay_none"))),
    ];
    Suite { name: "account_limits", config: ACCOUNTS.into(), scripts }
}

#[test]
fn account_limits_of_zero_or_below_match_go_server() {
    suite().check();
}
