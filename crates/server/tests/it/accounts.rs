//! Accounts: users bound to accounts, each account its own subject space, `no_auth_user`.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats_testkit::TestServer;

use super::support::{login, next_msg, nothing_arrives, server_from};

const TWO_ACCOUNTS: &str = r#"
accounts {
  ACME: { users: [ {user: acme, password: acme_pw} ] }
  XYZ: { users: [ {user: xyz, password: xyz_pw}, {user: xyz2, password: xyz2_pw} ] }
}
"#;

#[tokio::test]
async fn accounts_do_not_see_each_other() {
    let server = server_from(TWO_ACCOUNTS);
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
    let server = server_from(TWO_ACCOUNTS);
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
    let server = server_from(TWO_ACCOUNTS);
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
    let server = server_from(&format!("{TWO_ACCOUNTS}\nno_auth_user: xyz\n"));
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

/// nats-server 2.15.1 also takes an NKEY user's public key as `no_auth_user`: a client with no
/// credentials at all is that user (no signature asked), in its account.
#[tokio::test]
async fn no_auth_user_may_name_an_nkey_user() {
    let key = nkeys::KeyPair::new_user().public_key();
    let server = server_from(&format!("accounts {{ K: {{ users: [{{nkey: {key}}}] }} }}\nno_auth_user: {key}\n"));
    let anonymous = async_nats::connect(server.url()).await.expect("anonymous connects");
    let mut sub = anonymous.subscribe("k").await.expect("subscribe");
    anonymous.flush().await.expect("flush");
    crate::async_client::subscriptions_settled_in(&server, "K", 1).await;
    anonymous.publish("k", Bytes::from_static(b"in K")).await.expect("publish");
    let got = tokio::time::timeout(Duration::from_secs(5), sub.next()).await.expect("in time").expect("msg");
    assert_eq!(got.payload, Bytes::from_static(b"in K"));
    // Credentials that are not the nkey's still fail.
    let mut raw = rnats_testkit::RawConn::connect(server.addr());
    raw.send(b"CONNECT {\"verbose\":false,\"user\":\"x\",\"pass\":\"y\"}\r\nPING\r\n");
    assert!(raw.expect_contains(b"-ERR 'Authorization Violation'\r\n", Duration::from_secs(5)));
}

#[test]
fn system_account_exists_even_when_not_configured() {
    let server = server_from(TWO_ACCOUNTS);
    assert!(server.state().account("$SYS").is_some());
    assert!(server.state().account("$G").is_some());
    let named = server_from(&format!("{TWO_ACCOUNTS}\nsystem_account: XYZ\n"));
    assert!(named.state().account("XYZ").is_some());
}

#[test]
fn unbuilt_account_features_are_reported() {
    let text = r#"
accounts {
  A: { users: [{user: a, password: a}], exports: [{service: "svc.>"}], mappings: {"a": "b"} }
  B: { users: [{user: b, password: "$2a$11$DRETxGwoGc8bPN6QyPaYkeRbqbNcbmOfLlQI1Kb2WVC8S9a3zb8a6", permissions: {publish: "x"}}],
       imports: [{service: {account: A, subject: "svc.q"}}] }
}
"#;
    let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("parses");
    let loaded = rnats::options::from_map(&map).expect("valid for nats-server");
    assert!(loaded.warnings.iter().any(|w| w.contains("mappings are not supported yet")), "{:?}", loaded.warnings);
    // bcrypt passwords and permissions are enforced: not gaps any more.
    assert!(loaded.security_gaps.is_empty(), "{:?}", loaded.security_gaps);
}

/// Seed 000: satellites of two organisations export their streams; the master imports all of
/// them; no satellite reads another's.
const SEED_TOPOLOGY: &str = r#"
accounts {
  SATELLITE1: {
    users: [ {user: satellite_acme, password: acme} ]
    exports: [ {stream: tornado.events}, {stream: telegraf_acme} ]
  }
  SATELLITE2: {
    users: [ {user: satellite_xyz, password: xyz} ]
    exports: [ {stream: tornado.events}, {stream: telegraf_xyz} ]
  }
  MASTER: {
    users: [ {user: master, password: master} ]
    imports: [
      {stream: {account: SATELLITE1, subject: tornado.events}}
      {stream: {account: SATELLITE1, subject: telegraf_acme}}
      {stream: {account: SATELLITE2, subject: tornado.events}}
      {stream: {account: SATELLITE2, subject: telegraf_xyz}}
    ]
  }
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_topology_master_gets_everything_satellites_stay_apart() {
    let server = server_from(SEED_TOPOLOGY);
    let master = login(&server, "master", "master").await;
    let mut events = master.subscribe("tornado.events").await.expect("subscribe");
    let mut telegraf_acme = master.subscribe("telegraf_acme").await.expect("subscribe");
    let mut telegraf_xyz = master.subscribe("telegraf_xyz").await.expect("subscribe");
    master.flush().await.expect("flush");
    let snoop1 = login(&server, "satellite_acme", "acme").await;
    let mut snoop1_all = snoop1.subscribe(">").await.expect("subscribe");
    snoop1.flush().await.expect("flush");
    crate::async_client::subscriptions_settled_in(&server, "MASTER", 3).await;
    crate::async_client::subscriptions_settled_in(&server, "SATELLITE1", 3).await;

    let per_publisher = 200;
    let mut publishers = Vec::new();
    for (user, pass, org) in [("satellite_acme", "acme", "acme"), ("satellite_xyz", "xyz", "xyz")] {
        for p in 0..5 {
            let client = login(&server, user, pass).await;
            publishers.push(tokio::spawn(async move {
                for i in 0..per_publisher {
                    let body = Bytes::from(format!("{org}-{p}-{i}"));
                    client.publish("tornado.events", body.clone()).await.expect("publish");
                    client.publish(format!("telegraf_{org}"), body).await.expect("publish");
                }
                client.flush().await.expect("flush");
            }));
        }
    }
    for p in publishers {
        p.await.expect("publisher");
    }
    let total = 2 * 5 * per_publisher;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..total {
        let msg = tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("in time").expect("msg");
        assert!(seen.insert(msg.payload.clone()), "each event once");
    }
    assert!(seen.iter().any(|p| p.starts_with(b"acme")) && seen.iter().any(|p| p.starts_with(b"xyz")));
    for telegraf in [&mut telegraf_acme, &mut telegraf_xyz] {
        for _ in 0..total / 2 {
            tokio::time::timeout(Duration::from_secs(10), telegraf.next()).await.expect("in time").expect("msg");
        }
    }
    // Satellite 1 sees its own traffic only.
    let mut own = 0;
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), snoop1_all.next()).await {
        assert!(msg.payload.starts_with(b"acme"), "satellite 1 saw {:?} on {}", msg.payload, msg.subject);
        own += 1;
    }
    assert_eq!(own, 2 * 5 * per_publisher, "its own events and telegraf only");
}

#[tokio::test]
async fn stream_imports_with_prefix_and_to() {
    let server = server_from(
        r#"
accounts {
  A: { users: [{user: a, password: a}], exports: [{stream: "puba.>"}, {stream: "b.>", accounts: [B]}] }
  B: { users: [{user: b, password: b}], imports: [{stream: {account: A, subject: "b.>"}}] }
  C: { users: [{user: c, password: c}], imports: [
        {stream: {account: A, subject: "puba.>"}, prefix: from_a}
        {stream: {account: A, subject: "puba.x.*"}, to: "mapped.*"} ] }
}
"#,
    );
    let a = login(&server, "a", "a").await;
    let b = login(&server, "b", "b").await;
    let c = login(&server, "c", "c").await;
    let mut b_sub = b.subscribe("b.>").await.expect("subscribe");
    let mut c_prefixed = c.subscribe("from_a.puba.>").await.expect("subscribe");
    let mut c_mapped = c.subscribe("mapped.*").await.expect("subscribe");
    let mut c_plain = c.subscribe("puba.>").await.expect("subscribe");
    b.flush().await.expect("flush");
    c.flush().await.expect("flush");
    crate::async_client::subscriptions_settled_in(&server, "B", 1).await;
    crate::async_client::subscriptions_settled_in(&server, "C", 3).await;
    a.publish("b.private", Bytes::from_static(b"1")).await.expect("publish");
    a.publish("puba.x.y", Bytes::from_static(b"2")).await.expect("publish");
    a.flush().await.expect("flush");
    assert_eq!(next_msg(&mut b_sub).await.subject.as_str(), "b.private");
    assert_eq!(next_msg(&mut c_prefixed).await.subject.as_str(), "from_a.puba.x.y");
    assert_eq!(next_msg(&mut c_mapped).await.subject.as_str(), "mapped.y");
    assert!(nothing_arrives(&mut c_plain).await, "C only sees the import under its local subjects");
    assert!(nothing_arrives(&mut c_prefixed).await, "private stream b.> never reaches C");
}

#[test]
fn exporter_carries_an_import_only_while_the_importer_listens() {
    let server = server_from(SEED_TOPOLOGY);
    let satellite = server.state().account("SATELLITE1").expect("account");
    assert_eq!(satellite.subscription_count(), 0, "no import target without interest");
    let mut raw = rnats_testkit::RawConn::connect(server.addr());
    raw.send(
        b"CONNECT {\"verbose\":false,\"user\":\"master\",\"pass\":\"master\"}\r\nSUB tornado.events 1\r\nPING\r\n",
    );
    assert!(raw.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    assert_eq!(satellite.subscription_count(), 1, "the master's subscription made the import live");
    raw.send(b"UNSUB 1\r\nPING\r\n");
    assert!(raw.expect_contains(b"PONG\r\nPONG\r\n", Duration::from_secs(5)));
    assert_eq!(satellite.subscription_count(), 0, "and its removal ends it");
}

/// Seed 004's service exports and imports.
const SERVICES: &str = r#"
accounts {
  A: {
    users: [{user: a, password: a}]
    exports: [
      {service: "pubq.>"}
      {service: "q.b", accounts: [B]}
      {service: "feed", response_type: stream, response_threshold: "1s"}
      {service: "one", response_type: singleton}
      {service: "many", response_type: stream}
      {service: "parts", response_type: chunked}
    ]
  }
  B: { users: [{user: b, password: b}], imports: [
        {service: {account: A, subject: "q.b"}}
        {service: {account: A, subject: "feed"}}
        {service: {account: A, subject: "one"}}
        {service: {account: A, subject: "many"}}
        {service: {account: A, subject: "parts"}} ] }
  C: { users: [{user: c, password: c}], imports: [{service: {account: A, subject: "pubq.C"}, to: "Q"}] }
}
"#;

/// A responder in account A answering every request with the subject it arrived on.
async fn responder(server: &TestServer) -> async_nats::Client {
    let a = login(server, "a", "a").await;
    let mut requests = a.subscribe(">").await.expect("subscribe");
    a.flush().await.expect("flush");
    let answering = a.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            let Some(reply) = request.reply else { continue };
            assert!(reply.as_str().starts_with("_R_."), "responders see a server-made reply: {reply}");
            let answer = Bytes::from(format!("answer to {}", request.subject));
            let _ = answering.publish(reply, answer).await;
        }
    });
    crate::async_client::subscriptions_settled_in(server, "A", 2).await;
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_imports_route_requests_and_responses() {
    let server = server_from(SERVICES);
    let _a = responder(&server).await;
    let b = login(&server, "b", "b").await;
    let c = login(&server, "c", "c").await;
    let answer = b.request("q.b", Bytes::from_static(b"?")).await.expect("B's private import");
    assert_eq!(answer.payload, Bytes::from_static(b"answer to q.b"));
    let answer = c.request("Q", Bytes::from_static(b"?")).await.expect("C's mapped import");
    assert_eq!(answer.payload, Bytes::from_static(b"answer to pubq.C"));
    let err = c.request("q.b", Bytes::new()).await.expect_err("C did not import q.b");
    assert_eq!(err.kind(), async_nats::RequestErrorKind::NoResponders);
    let err = c.request("pubq.C", Bytes::new()).await.expect_err("only the local subject Q is imported");
    assert_eq!(err.kind(), async_nats::RequestErrorKind::NoResponders);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_requests_leave_no_reply_maps_behind() {
    let server = server_from(SERVICES);
    let _a = responder(&server).await;
    let b = login(&server, "b", "b").await;
    let a_subs = server.state().account("A").expect("A").subscription_count();
    let total = 100_000;
    let mut done = 0;
    while done < total {
        let batch: Vec<_> = (0..1000).map(|_| b.request("q.b", Bytes::from_static(b"?"))).collect();
        for answer in futures::future::join_all(batch).await {
            answer.expect("answered");
        }
        done += 1000;
    }
    let exporter = server.state().account("A").expect("A");
    assert_eq!(exporter.pending_responses(), 0, "singleton maps end with their response");
    assert_eq!(exporter.subscription_count(), a_subs, "no lingering subscriptions");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_responses_flow_until_the_threshold_passes() {
    let server = server_from(SERVICES);
    let a = login(&server, "a", "a").await;
    let mut feed = a.subscribe("feed").await.expect("subscribe");
    a.flush().await.expect("flush");
    let answering = a.clone();
    tokio::spawn(async move {
        while let Some(request) = feed.next().await {
            let Some(reply) = request.reply else { continue };
            for i in 0..3 {
                let _ = answering.publish(reply.clone(), Bytes::from(format!("part {i}"))).await;
            }
        }
    });
    crate::async_client::subscriptions_settled_in(&server, "A", 2).await;
    let b = login(&server, "b", "b").await;
    let mut inbox = b.subscribe("my.inbox").await.expect("subscribe");
    b.flush().await.expect("flush");
    b.publish_with_reply("feed", "my.inbox", Bytes::new()).await.expect("request");
    for i in 0..3 {
        assert_eq!(next_msg(&mut inbox).await.payload, Bytes::from(format!("part {i}")));
    }
    let exporter = server.state().account("A").expect("A");
    assert_eq!(exporter.pending_responses(), 1, "a streamed reply map stays open");
    assert!(
        rnats_testkit::wait_for(Duration::from_secs(5), || exporter.pending_responses() == 0),
        "and expires after the threshold"
    );
}

#[tokio::test]
async fn clients_may_not_forge_server_reply_subjects() {
    let server = server_from(SERVICES);
    let mut raw = rnats_testkit::RawConn::connect(server.addr());
    raw.send(b"CONNECT {\"verbose\":false,\"user\":\"b\",\"pass\":\"b\"}\r\nPUB q.b _R_.abcdef.x 0\r\n\r\nPING\r\n");
    assert!(raw
        .expect_contains(b"Permissions Violation for Publish with Reply of \"_R_.abcdef.x\"", Duration::from_secs(5)));
}

#[test]
fn import_cycles_and_self_imports_are_config_errors() {
    let load = |text: &str| {
        let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("parses");
        rnats::options::from_map(&map).err().map(|errors| errors[0].to_string())
    };
    let cycle = load(
        r#"accounts {
  A: { exports: [{stream: "x"}], imports: [{stream: {account: B, subject: "x"}}] }
  B: { exports: [{stream: "x"}], imports: [{stream: {account: A, subject: "x"}}] }
}"#,
    );
    assert_eq!(
        cycle.as_deref(),
        Some("test.conf:1:0: Error adding stream import \"x\": import forms a cycle (account \"B\" importing from \"A\")")
    );
    let own =
        load(r#"accounts { A: { exports: [{stream: "x.>"}], imports: [{stream: {account: A, subject: "x.>"}}] } }"#);
    assert!(own.is_some_and(|e| e.contains("import forms a cycle")));
    let unrelated = load(
        r#"accounts {
  A: { exports: [{stream: "x"}], imports: [{stream: {account: B, subject: "y"}}] }
  B: { exports: [{stream: "y"}], imports: [{stream: {account: A, subject: "x"}}] }
}"#,
    );
    assert_eq!(unrelated, None, "imports both ways on different subjects are no cycle");
    let unauthorized = load(
        r#"accounts {
  A: { exports: [{stream: "x", accounts: [C]}] }
  B: { imports: [{stream: {account: A, subject: "x"}}] }
  C: {}
}"#,
    );
    assert!(unauthorized.is_some_and(|e| e.contains("stream import not authorized")));
}

#[test]
fn account_limits_are_enforced() {
    let server = server_from(
        r#"accounts {
  A: { users: [{user: a, password: a}, {user: a2, password: a}], limits: {max_connections: 1, max_subscriptions: 2, max_payload: 10} }
  B: { users: [{user: b, password: b}] }
}"#,
    );
    let wait = Duration::from_secs(5);
    let mut first = rnats_testkit::RawConn::connect(server.addr());
    first.send(b"CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\nPING\r\n");
    assert!(first.expect_contains(b"PONG\r\n", wait));
    let mut second = rnats_testkit::RawConn::connect(server.addr());
    second.send(b"CONNECT {\"verbose\":false,\"user\":\"a2\",\"pass\":\"a\"}\r\nPING\r\n");
    assert!(second.expect_contains(b"-ERR 'maximum account active connections exceeded'\r\n", wait));
    assert!(second.is_closed(wait));
    // Another account is not affected.
    let mut other = rnats_testkit::RawConn::connect(server.addr());
    other.send(b"CONNECT {\"verbose\":false,\"user\":\"b\",\"pass\":\"b\"}\r\nSUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPUB x 11\r\nhello world\r\nPING\r\n");
    assert!(other.expect_contains(b"PONG\r\n", wait));
    assert!(!String::from_utf8_lossy(other.received()).contains("-ERR"));

    first.send(b"SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n");
    assert!(first.expect_contains(b"-ERR 'maximum subscriptions exceeded'\r\nPONG\r\n", wait));
    first.send(b"PUB x 11\r\nhello world\r\n");
    assert!(first.expect_contains(b"-ERR 'Maximum Payload Violation'\r\n", wait));
    assert!(first.is_closed(wait));
    // The slot is free again.
    assert!(rnats_testkit::wait_for(wait, || server.state().account("A").is_some_and(|a| a.connection_count() == 0)));
    let mut third = rnats_testkit::RawConn::connect(server.addr());
    third.send(b"CONNECT {\"verbose\":false,\"user\":\"a2\",\"pass\":\"a\"}\r\nPING\r\n");
    assert!(third.expect_contains(b"PONG\r\n", wait));
}

/// Each response type with 50 requesters at once in B and one responder in A that answers
/// every request with three messages: a singleton map passes only the first, stream and
/// chunked maps pass all three.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requesters_for_each_response_type() {
    let server = server_from(SERVICES);
    let a = login(&server, "a", "a").await;
    let mut requests = a.subscribe("*").await.expect("subscribe");
    a.flush().await.expect("flush");
    let answering = a.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            let Some(reply) = request.reply else { continue };
            for part in 0..3 {
                let _ = answering.publish(reply.clone(), Bytes::from(format!("{}:{part}", request.subject))).await;
            }
            let _ = answering.flush().await;
        }
    });
    crate::async_client::subscriptions_settled_in(&server, "A", 2).await;
    for (service, expected) in [("one", 1), ("many", 3), ("parts", 3)] {
        let requesters = (0..50).map(|i| {
            let server_url = server.url();
            async move {
                let b = async_nats::ConnectOptions::with_user_and_password("b".into(), "b".into())
                    .connect(server_url)
                    .await
                    .expect("login");
                let inbox = format!("inbox.{i}");
                let mut replies = b.subscribe(inbox.clone()).await.expect("subscribe");
                b.flush().await.expect("flush");
                b.publish_with_reply(service, inbox, Bytes::new()).await.expect("request");
                b.flush().await.expect("flush");
                let mut got = Vec::new();
                while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(500), replies.next()).await {
                    got.push(msg.payload);
                }
                got
            }
        });
        for got in futures::future::join_all(requesters).await {
            assert_eq!(got.len(), expected, "{service}: {got:?}");
            assert_eq!(got[0], Bytes::from(format!("{service}:0")));
        }
    }
}

#[test]
fn requests_across_accounts_carry_the_requesting_account() {
    let server = server_from(SERVICES);
    let wait = Duration::from_secs(5);
    let mut responder = rnats_testkit::RawConn::connect(server.addr());
    responder
        .send(b"CONNECT {\"verbose\":false,\"headers\":true,\"user\":\"a\",\"pass\":\"a\"}\r\nSUB q.b 9\r\nPING\r\n");
    assert!(responder.expect_contains(b"PONG\r\n", wait));
    let mut requester = rnats_testkit::RawConn::connect(server.addr());
    requester.send(
        b"CONNECT {\"verbose\":false,\"headers\":true,\"user\":\"b\",\"pass\":\"b\"}\r\nSUB rr 1\r\nPUB q.b rr 2\r\nhi\r\n\
          HPUB q.b rr 21 23\r\nNATS/1.0\r\nX-Id: 7\r\n\r\nyo\r\nPING\r\n",
    );
    assert!(requester.expect_contains(b"PONG\r\n", wait));
    assert!(responder.expect_contains(b"yo\r\n", wait));
    let got = String::from_utf8_lossy(responder.received()).into_owned();
    // A header block is added to a plain request, and extended on one that had headers.
    assert!(got.contains(" 44 46\r\nNATS/1.0\r\nNats-Request-Info: {\"acc\":\"B\"}\r\n\r\nhi\r\n"), "{got}");
    assert!(got.contains(" 53 55\r\nNATS/1.0\r\nX-Id: 7\r\nNats-Request-Info: {\"acc\":\"B\"}\r\n\r\nyo\r\n"), "{got}");
    assert!(got.contains("HMSG q.b 9 _R_."), "{got}");
}

/// A requester cannot speak for another account: a `Nats-Request-Info` it sends (in any case)
/// is replaced by the one naming its real account, which the responder sees exactly once. In a
/// chain of service imports the first one's stays (nats-server keeps the original requester).
#[tokio::test]
async fn a_forged_request_info_never_reaches_the_responder() {
    let server = server_from(
        r#"accounts {
          ADMIN: { users: [{user: admin, password: admin}] }
          A: { users: [{user: a, password: a}], exports: [{service: "svc"}] }
          B: { users: [{user: b, password: b}], imports: [{service: {account: A, subject: "svc"}}],
               exports: [{service: "svc"}] }
          C: { users: [{user: c, password: c}], imports: [{service: {account: B, subject: "svc"}}] }
        }"#,
    );
    let responder = login(&server, "a", "a").await;
    let mut requests = responder.subscribe("svc").await.expect("subscribe");
    crate::async_client::subscriptions_settled_in(&server, "A", 2).await;
    let forged = "{\"acc\":\"ADMIN\"}";
    for (user, account) in [("b", "B"), ("c", "C")] {
        let requester = login(&server, user, user).await;
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Request-Info", forged);
        headers.insert("nats-request-info", forged);
        headers.insert("X-Id", "7");
        requester.publish_with_reply_and_headers("svc", "inbox", headers, Bytes::from("hi")).await.expect("request");
        requester.flush().await.expect("flush");
        let request = next_msg(&mut requests).await;
        let headers = request.headers.expect("headers");
        let infos: Vec<String> = headers
            .iter()
            .filter(|(name, _)| name.to_string().eq_ignore_ascii_case("nats-request-info"))
            .flat_map(|(_, values)| values.iter().map(|v| v.as_str().to_string()))
            .collect();
        assert_eq!(infos, vec![format!("{{\"acc\":\"{account}\"}}")], "request from {user}");
        assert_eq!(headers.get("X-Id").map(|v| v.as_str()), Some("7"), "other headers stay");
        assert_eq!(request.payload, Bytes::from("hi"));
    }
}

/// Requests nobody answers keep at most `MAX_REPLY_MAPS_PER_IMPORT` reply maps per service
/// import: a flood through one import costs its own oldest reply maps, while another importer's
/// request and the flooder's newest are still answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_maps_of_a_request_flood_are_bounded() {
    let bound = rnats::responses::MAX_REPLY_MAPS_PER_IMPORT;
    let server = server_from(
        r#"accounts {
          A: { users: [{user: a, password: a}], exports: [{service: "sink"}, {service: "svc"}] }
          B: { users: [{user: b, password: b}], imports: [{service: {account: A, subject: "sink"}}] }
          C: { users: [{user: c, password: c}], imports: [{service: {account: A, subject: "svc"}}] }
        }"#,
    );
    let a = login(&server, "a", "a").await;
    // Requests on `sink` are taken and never answered, but the last one is kept to answer.
    let mut sink = a.subscribe("sink").await.expect("subscribe");
    super::support::echo_responder(&a, "svc").await;
    crate::async_client::subscriptions_settled_in(&server, "A", 3).await;
    let total = bound + bound / 2;
    let b = login(&server, "b", "b").await;
    let mut inbox = b.subscribe("inbox.>").await.expect("subscribe");
    let received = tokio::spawn(async move {
        let mut first = None;
        let mut last = None;
        for _ in 0..total {
            let msg = next_msg(&mut sink).await;
            first.get_or_insert_with(|| msg.reply.clone());
            last = Some(msg.reply);
        }
        (first.flatten(), last.flatten())
    });
    for i in 0..total {
        b.publish_with_reply("sink", format!("inbox.{i}"), Bytes::new()).await.expect("request");
    }
    b.flush().await.expect("flush");
    let (first, last) = received.await.expect("requests");
    let exporter = server.state().account("A").expect("A");
    assert!(exporter.pending_responses() <= bound, "{} reply maps held", exporter.pending_responses());

    let c = login(&server, "c", "c").await;
    let answer = super::support::answered_eventually(&c, "svc", Bytes::from("hi")).await;
    assert_eq!(answer.map(|m| m.payload), Some(Bytes::from("hi")), "another importer is served");
    a.publish(last.expect("last reply"), Bytes::from("late but kept")).await.expect("respond");
    assert_eq!(next_msg(&mut inbox).await.subject.as_str(), format!("inbox.{}", total - 1));
    a.publish(first.expect("first reply"), Bytes::from("forgotten")).await.expect("respond");
    assert!(nothing_arrives(&mut inbox).await, "the oldest reply map was forgotten");
}
