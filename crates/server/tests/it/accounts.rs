//! Accounts: users bound to accounts, each account its own subject space, `no_auth_user`.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats_testkit::TestServer;

/// A server configured from config-file text, through the same path as `rnats-server -c`.
fn server_from_config(text: &str) -> TestServer {
    let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("config parses");
    let loaded = rnats::options::from_map(&map).expect("config loads");
    assert!(loaded.security_gaps.is_empty(), "{:?}", loaded.security_gaps);
    TestServer::with_options(loaded.options)
}

const TWO_ACCOUNTS: &str = r#"
accounts {
  ACME: { users: [ {user: acme, password: acme_pw} ] }
  XYZ: { users: [ {user: xyz, password: xyz_pw}, {user: xyz2, password: xyz2_pw} ] }
}
"#;

async fn login(server: &TestServer, user: &str, pass: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into())
        .connect(server.url())
        .await
        .expect("login")
}

async fn nothing_arrives(sub: &mut async_nats::Subscriber) -> bool {
    tokio::time::timeout(Duration::from_millis(300), sub.next()).await.is_err()
}

#[tokio::test]
async fn accounts_do_not_see_each_other() {
    let server = server_from_config(TWO_ACCOUNTS);
    let acme = login(&server, "acme", "acme_pw").await;
    let xyz = login(&server, "xyz", "xyz_pw").await;
    let xyz2 = login(&server, "xyz2", "xyz2_pw").await;
    let mut acme_all = acme.subscribe(">").await.expect("subscribe");
    let mut xyz_all = xyz.subscribe(">").await.expect("subscribe");
    acme.flush().await.expect("flush");
    xyz.flush().await.expect("flush");
    crate::async_client::subscriptions_settled_in(&server, "ACME", 1).await;
    crate::async_client::subscriptions_settled_in(&server, "XYZ", 1).await;

    xyz2.publish("tornado.events", Bytes::from_static(b"from xyz")).await.expect("publish");
    xyz2.flush().await.expect("flush");
    let got = tokio::time::timeout(Duration::from_secs(5), xyz_all.next()).await.expect("in time").expect("msg");
    assert_eq!(got.payload, Bytes::from_static(b"from xyz"), "same account receives");
    assert!(nothing_arrives(&mut acme_all).await, "another account never sees it");

    acme.publish("tornado.events", Bytes::from_static(b"from acme")).await.expect("publish");
    acme.flush().await.expect("flush");
    let got = tokio::time::timeout(Duration::from_secs(5), acme_all.next()).await.expect("in time").expect("msg");
    assert_eq!(got.payload, Bytes::from_static(b"from acme"));
    assert!(nothing_arrives(&mut xyz_all).await);
}

#[tokio::test]
async fn request_reply_stays_inside_the_account() {
    let server = server_from_config(TWO_ACCOUNTS);
    let acme = login(&server, "acme", "acme_pw").await;
    let xyz = login(&server, "xyz", "xyz_pw").await;
    let mut service = xyz.subscribe("svc").await.expect("subscribe");
    xyz.flush().await.expect("flush");
    crate::async_client::subscriptions_settled_in(&server, "XYZ", 1).await;
    let err = acme.request("svc", Bytes::new()).await.expect_err("no responder in ACME");
    assert_eq!(err.kind(), async_nats::RequestErrorKind::NoResponders);
    assert!(nothing_arrives(&mut service).await, "the request did not cross accounts");
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_refused() {
    let server = server_from_config(TWO_ACCOUNTS);
    let url = server.url();
    let wrong = async_nats::ConnectOptions::with_user_and_password("acme".into(), "nope".into()).connect(&url);
    let refused = tokio::time::timeout(Duration::from_secs(10), wrong).await.expect("answer in time");
    assert!(refused.is_err(), "wrong password refused");
    let mut raw = rnats_testkit::RawConn::connect(server.addr());
    raw.send(b"CONNECT {\"verbose\":false}\r\nPING\r\n");
    assert!(raw.expect_contains(b"-ERR 'Authorization Violation'\r\n", Duration::from_secs(5)));
    assert!(raw.is_closed(Duration::from_secs(5)));
}

#[tokio::test]
async fn no_auth_user_binds_anonymous_clients_to_its_account() {
    let server = server_from_config(&format!("{TWO_ACCOUNTS}\nno_auth_user: xyz\n"));
    let anonymous = async_nats::connect(server.url()).await.expect("anonymous connects");
    assert!(!anonymous.server_info().auth_required, "INFO says no auth needed");
    let xyz = login(&server, "xyz2", "xyz2_pw").await;
    let acme = login(&server, "acme", "acme_pw").await;
    let mut sub = anonymous.subscribe("orders").await.expect("subscribe");
    let mut acme_sub = acme.subscribe("orders").await.expect("subscribe");
    anonymous.flush().await.expect("flush");
    acme.flush().await.expect("flush");
    crate::async_client::subscriptions_settled_in(&server, "XYZ", 1).await;
    xyz.publish("orders", Bytes::from_static(b"o1")).await.expect("publish");
    let got = tokio::time::timeout(Duration::from_secs(5), sub.next()).await.expect("in time").expect("msg");
    assert_eq!(got.payload, Bytes::from_static(b"o1"));
    assert!(nothing_arrives(&mut acme_sub).await);
}

#[test]
fn system_account_exists_even_when_not_configured() {
    let server = server_from_config(TWO_ACCOUNTS);
    assert!(server.state().account("$SYS").is_some());
    assert!(server.state().account("$G").is_some());
    let named = server_from_config(&format!("{TWO_ACCOUNTS}\nsystem_account: XYZ\n"));
    assert!(named.state().account("XYZ").is_some());
}

#[test]
fn unenforced_account_features_are_reported() {
    let text = r#"
accounts {
  A: { users: [{user: a, password: a}], exports: [{stream: "x.>"}] }
  B: { users: [{user: b, password: "$2a$11$DRETxGwoGc8bPN6QyPaYkeRbqbNcbmOfLlQI1Kb2WVC8S9a3zb8a6", permissions: {publish: "x"}}],
       imports: [{stream: {account: A, subject: "x.>"}}] }
}
"#;
    let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("parses");
    let loaded = rnats::options::from_map(&map).expect("valid for nats-server");
    assert!(loaded.warnings.iter().any(|w| w.contains("exports are not supported yet")), "{:?}", loaded.warnings);
    assert!(loaded.security_gaps.iter().any(|g| g.contains("bcrypt")), "{:?}", loaded.security_gaps);
    assert!(loaded.security_gaps.iter().any(|g| g.contains("permissions")), "{:?}", loaded.security_gaps);
}
