//! Leaf nodes between rnats servers: interest both ways, messages, queue groups spanning the
//! link, request/reply, accounts bound on each side, reconnects.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats_testkit::TestServer;

use super::support::{answered_eventually, echo_responder, eventually, next_msg, nothing_arrives, server_from};

pub(crate) fn hub(extra: &str) -> TestServer {
    server_from(&format!("leafnodes {{ port: -1 }}\n{extra}"))
}

pub(crate) fn spoke(hub_url: &str, extra: &str) -> TestServer {
    server_from(&format!("leafnodes {{ reconnect: 1, remotes: [ {{ url: \"{hub_url}\" }} ] }}\n{extra}"))
}

pub(crate) async fn linked(server: &TestServer) -> bool {
    eventually(|| server.state().link_count() >= 1).await
}

pub(crate) async fn connect(server: &TestServer) -> async_nats::Client {
    async_nats::connect(server.url()).await.expect("connect")
}

/// Waits until `account` on `server` holds at least `n` targets (subscriptions, imports, and
/// interest announced over links).
pub(crate) async fn interest(server: &TestServer, account: &str, n: usize) -> bool {
    eventually(|| server.state().account(account).is_some_and(|a| a.subscription_count() >= n)).await
}

#[tokio::test]
async fn messages_cross_both_ways_when_there_is_interest() {
    let hub = hub("");
    let leaf = spoke(&hub.leaf_url(), "");
    assert!(linked(&hub).await && linked(&leaf).await, "the leaf connects");
    let on_hub = connect(&hub).await;
    let on_leaf = connect(&leaf).await;

    let mut hub_sub = on_hub.subscribe("to.hub").await.expect("subscribe");
    assert!(interest(&leaf, "$G", 2).await, "the leaf learns the hub's interest (plus the loop subject)");
    on_leaf.publish("to.hub", Bytes::from_static(b"from leaf")).await.expect("publish");
    assert_eq!(next_msg(&mut hub_sub).await.payload.as_ref(), b"from leaf");

    let mut leaf_sub = on_leaf.subscribe("to.leaf.>").await.expect("subscribe");
    assert!(interest(&hub, "$G", 3).await);
    on_hub.publish("to.leaf.x", Bytes::from_static(b"from hub")).await.expect("publish");
    let msg = next_msg(&mut leaf_sub).await;
    assert_eq!((msg.subject.as_str(), msg.payload.as_ref()), ("to.leaf.x", &b"from hub"[..]));

    // Headers cross too.
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("X-Site", "hub");
    on_hub.publish_with_headers("to.leaf.h", headers, Bytes::from_static(b"h")).await.expect("publish");
    let msg = next_msg(&mut leaf_sub).await;
    assert_eq!(msg.headers.expect("headers").get("X-Site").map(|v| v.as_str()), Some("hub"));
}

#[tokio::test]
async fn requests_are_answered_across_the_link() {
    let hub = hub("");
    let leaf = spoke(&hub.leaf_url(), "");
    assert!(linked(&leaf).await);
    let responder = connect(&hub).await;
    echo_responder(&responder, "svc.echo").await;
    assert!(interest(&leaf, "$G", 2).await);
    let requester = connect(&leaf).await;
    for i in 0..10 {
        let payload = Bytes::from(format!("q{i}"));
        let answer = tokio::time::timeout(Duration::from_secs(5), requester.request("svc.echo", payload.clone()))
            .await
            .expect("in time")
            .expect("answered");
        assert_eq!(answer.payload, payload);
    }
}

#[tokio::test]
async fn queue_groups_spanning_the_link_deliver_each_message_once() {
    let hub = hub("");
    let leaf = spoke(&hub.leaf_url(), "");
    assert!(linked(&leaf).await);
    let hub_client = connect(&hub).await;
    let leaf_client = connect(&leaf).await;
    let mut hub_member = hub_client.queue_subscribe("work", "workers".into()).await.expect("subscribe");
    let mut leaf_member = leaf_client.queue_subscribe("work", "workers".into()).await.expect("subscribe");
    assert!(interest(&hub, "$G", 3).await && interest(&leaf, "$G", 3).await);
    let publisher = connect(&hub).await;
    for i in 0..100u32 {
        publisher.publish("work", Bytes::from(i.to_string())).await.expect("publish");
    }
    publisher.flush().await.expect("flush");
    let mut seen = Vec::new();
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(500), async {
        tokio::select! {
            m = hub_member.next() => m,
            m = leaf_member.next() => m,
        }
    })
    .await
    {
        seen.push(String::from_utf8_lossy(&msg.payload).into_owned());
    }
    seen.sort_by_key(|s| s.parse::<u32>().unwrap_or(0));
    let expected: Vec<String> = (0..100u32).map(|i| i.to_string()).collect();
    assert_eq!(seen, expected, "each message exactly once across both sides");

    // With no member on the hub, the leaf's members get them all.
    drop(hub_member);
    assert!(eventually(|| hub.state().global_account().subscription_count() <= 2).await);
    publisher.publish("work", Bytes::from_static(b"only leaf")).await.expect("publish");
    assert_eq!(next_msg(&mut leaf_member).await.payload.as_ref(), b"only leaf");
}

/// Accounts on the hub bind each leaf (user/password from the remote URL); a leaf's local
/// account is chosen by `account` in its remote.
#[tokio::test]
async fn each_leaf_is_bound_to_its_account() {
    let hub = hub("accounts { A: { users: [{user: a, password: a}] }, B: { users: [{user: b, password: b}] } }\n");
    let leaf_addr = hub.leaf_addr().expect("leaf port");
    let leaf_a = spoke(&format!("nats-leaf://a:a@{leaf_addr}"), "");
    let leaf_b = spoke(&format!("nats-leaf://b:b@{leaf_addr}"), "");
    assert!(eventually(|| hub.state().link_count() == 2).await);
    assert!(eventually(|| hub.state().account("A").is_some_and(|a| a.link_count() == 1)).await);
    assert!(eventually(|| hub.state().account("B").is_some_and(|a| a.link_count() == 1)).await);

    let on_b = connect(&leaf_b).await;
    let mut everything_b = on_b.subscribe(">").await.expect("subscribe");
    let a_user = async_nats::ConnectOptions::with_user_and_password("a".into(), "a".into())
        .connect(hub.url())
        .await
        .expect("login");
    let mut hub_a = a_user.subscribe("site.>").await.expect("subscribe");
    assert!(interest(&leaf_a, "$G", 2).await);
    let on_a = connect(&leaf_a).await;
    on_a.publish("site.a", Bytes::from_static(b"a")).await.expect("publish");
    assert_eq!(next_msg(&mut hub_a).await.payload.as_ref(), b"a");
    assert!(nothing_arrives(&mut everything_b).await, "leaf B never sees account A's traffic");

    // A wrong password is refused: the link does not come up.
    let refused = spoke(&format!("nats-leaf://a:wrong@{leaf_addr}"), "");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(refused.state().link_count(), 0);
}

#[tokio::test]
async fn a_restarted_hub_gets_the_interest_again() {
    let port = rnats_testkit::free_port();
    let hub_conf = format!("leafnodes {{ port: {port} }}\n");
    let hub1 = server_from(&hub_conf);
    let leaf = spoke(&format!("nats-leaf://127.0.0.1:{port}"), "");
    assert!(linked(&leaf).await);
    let on_leaf = connect(&leaf).await;
    let mut sub = on_leaf.subscribe("after.restart").await.expect("subscribe");
    assert!(interest(&hub1, "$G", 2).await);
    drop(hub1);
    assert!(eventually(|| leaf.state().link_count() == 0).await, "the link went down");
    let hub2 = server_from(&hub_conf);
    assert!(linked(&hub2).await, "the leaf reconnects");
    assert!(interest(&hub2, "$G", 2).await, "and announces its interest again");
    let on_hub = connect(&hub2).await;
    on_hub.publish("after.restart", Bytes::from_static(b"back")).await.expect("publish");
    assert_eq!(next_msg(&mut sub).await.payload.as_ref(), b"back");
}

/// A remote's `deny_exports` keeps subjects on the leaf; its `deny_imports` keeps the hub's
/// out (not even announced as interest).
#[tokio::test]
async fn remote_deny_lists_filter_both_ways() {
    let hub = hub("");
    let leaf = server_from(&format!(
        "leafnodes {{ reconnect: 1, remotes: [ {{ url: \"{}\", deny_exports: [\"secret.>\"], deny_imports: [\"private.>\"] }} ] }}\n",
        hub.leaf_url()
    ));
    assert!(linked(&leaf).await);
    let on_hub = connect(&hub).await;
    let on_leaf = connect(&leaf).await;
    let mut hub_all = on_hub.subscribe(">").await.expect("subscribe");
    let mut leaf_all = on_leaf.subscribe(">").await.expect("subscribe");
    assert!(interest(&hub, "$G", 3).await && interest(&leaf, "$G", 3).await);
    on_leaf.publish("secret.key", Bytes::from_static(b"stays")).await.expect("publish");
    on_leaf.publish("public.note", Bytes::from_static(b"crosses")).await.expect("publish");
    assert_eq!(next_msg(&mut hub_all).await.subject.as_str(), "public.note");
    assert!(nothing_arrives(&mut hub_all).await);
    // The leaf's own subscriber sees both of its own messages.
    assert_eq!(next_msg(&mut leaf_all).await.subject.as_str(), "secret.key");
    assert_eq!(next_msg(&mut leaf_all).await.subject.as_str(), "public.note");
    on_hub.publish("private.x", Bytes::from_static(b"stays")).await.expect("publish");
    on_hub.publish("open.x", Bytes::from_static(b"crosses")).await.expect("publish");
    assert_eq!(next_msg(&mut leaf_all).await.subject.as_str(), "open.x");
    assert!(nothing_arrives(&mut leaf_all).await);
}

/// Two remotes from one leaf to the same hub account form a loop: the leaf's own `$LDS.`
/// subject comes back over the other link and the loop is reported and broken.
#[tokio::test]
async fn a_loop_of_links_is_detected() {
    let hub = hub("");
    let url = hub.leaf_url();
    // Two remotes to the same hub (written differently: the same remote twice is an error).
    let other = url.replacen("nats-leaf://", "nats://", 1);
    let leaf = server_from(&format!(
        "leafnodes {{ reconnect: \"1s\", remotes: [ {{ url: \"{url}\" }}, {{ url: \"{other}\" }} ] }}\n"
    ));
    assert!(eventually(|| leaf.state().loops_detected() + hub.state().loops_detected() >= 1).await, "loop detected");
}

/// A leaf's client reaches a service the hub's account imports from another account, and the
/// response finds its way back over the link.
#[tokio::test]
async fn service_imports_on_the_hub_answer_a_leaf_client() {
    let hub = hub(r#"accounts {
  SVC: { users: [{user: svc, password: svc}], exports: [{service: "time.now"}] }
  APP: { users: [{user: app, password: app}], imports: [{service: {account: SVC, subject: "time.now"}}] }
}"#);
    let leaf = spoke(&format!("nats-leaf://app:app@{}", hub.leaf_addr().expect("leaf port")), "");
    assert!(linked(&leaf).await);
    let responder = async_nats::ConnectOptions::with_user_and_password("svc".into(), "svc".into())
        .connect(hub.url())
        .await
        .expect("login");
    let mut requests = responder.subscribe("time.now").await.expect("subscribe");
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            if let Some(reply) = request.reply {
                let _ = responder.publish(reply, Bytes::from_static(b"noon")).await;
            }
        }
    });
    // The leaf learns the import's subject as the APP account's interest.
    assert!(interest(&leaf, "$G", 2).await);
    let requester = connect(&leaf).await;
    let answer = answered_eventually(&requester, "time.now", Bytes::new()).await;
    assert_eq!(answer.expect("the service import answered the leaf's client").payload.as_ref(), b"noon");
}

/// `leafnodes { authorization { users } }`: leaf connections log in with these users only,
/// each bound to its account; the client users do not work on the leaf port.
#[tokio::test]
async fn leaf_authorization_users_bind_their_accounts() {
    let hub = server_from(
        r#"leafnodes { port: -1, authorization { users: [ {user: east, password: e, account: EAST}, {user: west, password: w, account: WEST} ] } }
accounts { EAST: { users: [{user: east_client, password: c}] }, WEST: {}, OTHER: { users: [{user: other, password: o}] } }
"#,
    );
    let leaf_addr = hub.leaf_addr().expect("leaf port");
    let east = spoke(&format!("nats-leaf://east:e@{leaf_addr}"), "");
    assert!(linked(&east).await);
    assert!(eventually(|| hub.state().account("EAST").is_some_and(|a| a.link_count() == 1)).await);
    let west = spoke(&format!("nats-leaf://west:w@{leaf_addr}"), "");
    assert!(linked(&west).await);
    assert!(eventually(|| hub.state().account("WEST").is_some_and(|a| a.link_count() == 1)).await);
    // A client user is not a leaf user.
    let client_creds = spoke(&format!("nats-leaf://other:o@{leaf_addr}"), "");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(client_creds.state().link_count(), 0);

    // Traffic flows inside EAST only.
    let on_hub = super::support::login(&hub, "east_client", "c").await;
    let mut at_hub = on_hub.subscribe("e.>").await.expect("subscribe");
    assert!(interest(&east, "$G", 2).await);
    let on_east = connect(&east).await;
    on_east.publish("e.1", Bytes::from_static(b"east")).await.expect("publish");
    on_east.flush().await.expect("flush");
    assert_eq!(next_msg(&mut at_hub).await.payload.as_ref(), b"east");
    let on_west = connect(&west).await;
    on_west.publish("e.1", Bytes::from_static(b"west")).await.expect("publish");
    on_west.flush().await.expect("flush");
    assert!(nothing_arrives(&mut at_hub).await, "WEST's leaf does not reach EAST");
}

/// `allowed_connection_types` tells clients from leaf nodes: a LEAFNODE-only user cannot log
/// in as a client, a STANDARD-only user cannot log in as a leaf.
#[tokio::test]
async fn connection_types_separate_clients_from_leaf_nodes() {
    let hub = hub(r#"accounts { A: { users: [
  {user: leafonly, password: l, allowed_connection_types: ["LEAFNODE"]}
  {user: clientonly, password: c, allowed_connection_types: ["STANDARD"]}
] } }"#);
    let leaf_addr = hub.leaf_addr().expect("leaf port");
    let as_client = async_nats::ConnectOptions::with_user_and_password("leafonly".into(), "l".into())
        .max_reconnects(Some(0))
        .connect(hub.url())
        .await;
    assert!(as_client.is_err(), "a LEAFNODE-only user is refused as a client");
    super::support::login(&hub, "clientonly", "c").await.flush().await.expect("STANDARD user logs in");

    let leaf = spoke(&format!("nats-leaf://leafonly:l@{leaf_addr}"), "");
    assert!(linked(&leaf).await, "a LEAFNODE user logs in as a leaf");
    let refused = spoke(&format!("nats-leaf://clientonly:c@{leaf_addr}"), "");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(refused.state().link_count(), 0, "a STANDARD-only user is refused as a leaf");
}

/// A leaf setting that names an account the configuration does not define stops the start
/// (rather than binding leaf nodes to some other account).
#[tokio::test]
async fn a_missing_leaf_account_stops_the_start() {
    for (text, kind) in [
        ("leafnodes { port: -1, authorization { user: a, password: b, account: NOPE } }\n", "authorization"),
        ("leafnodes { remotes: [ { url: \"nats-leaf://127.0.0.1:1\", account: NOPE } ] }\n", "remote"),
    ] {
        let reason = format!("cannot find local account \"NOPE\" specified in leafnode {kind}");
        // From a file: refused when it is read (so `-t` refuses it too).
        let map = rnats_conf::parse_str(text, std::path::Path::new("test.conf")).expect("parses");
        let errors = rnats::options::from_map(&map).expect_err("refused");
        assert_eq!(errors[0].message, reason, "{text}");
        // Options made in code: refused by the start.
        let mut options = super::support::options_from(&text.replace("NOPE", "\"$G\""));
        options.port = -1;
        if let Some(leaf) = options.leafnodes.as_mut() {
            leaf.account = leaf.account.as_ref().map(|_| "NOPE".to_string());
            for remote in &mut leaf.remotes {
                remote.account = Some("NOPE".into());
            }
        }
        match rnats::Server::start(options, rnats::log::Logger::silent()).await {
            Ok(server) => {
                server.shutdown().await;
                panic!("started with a missing account: {text}");
            }
            Err(e) => assert_eq!(e.to_string(), reason),
        }
    }
}

/// A peer in the same account that repeats another leaf's `$LDS.` subject (it saw it relayed by
/// the hub) must not make that leaf believe it is in a loop: the hub does not pass a loop
/// subject on when another link announced it first, and the leaf stays connected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoed_loop_subject_does_not_disconnect_a_leaf() {
    let hub = hub("");
    let leaf = spoke(&hub.leaf_url(), "");
    assert!(linked(&hub).await && linked(&leaf).await);
    let leaf_loop = String::from_utf8_lossy(leaf.state().account("$G").expect("$G").loop_subject()).into_owned();
    assert!(interest(&hub, "$G", 1).await, "the hub holds the leaf's loop subject");

    let echo = format!("LS+ {leaf_loop}\r\nPING\r\n");
    let hub_leaf_addr = hub.leaf_addr().expect("leaf port");
    let spoofer = tokio::task::spawn_blocking(move || {
        let mut spoofer = rnats_testkit::RawConn::connect(hub_leaf_addr);
        spoofer.send(b"CONNECT {\"verbose\":false,\"headers\":true}\r\nPING\r\n");
        assert!(spoofer.expect_contains(b"PONG\r\n", Duration::from_secs(5)), "the spoofer logs in");
        spoofer.send(echo.as_bytes());
        let answered = spoofer.expect_contains(b"PONG\r\nPONG\r\n", Duration::from_secs(5));
        (spoofer, answered)
    });
    let (_spoofer, answered) = spoofer.await.expect("spoofer");
    assert!(answered, "the hub read the echo");

    // Anything the hub relayed to the leaf before this message has been read by the leaf when
    // the message arrives.
    let on_leaf = connect(&leaf).await;
    let mut sub = on_leaf.subscribe("after.echo").await.expect("subscribe");
    assert!(interest(&hub, "$G", 2).await);
    let on_hub = connect(&hub).await;
    on_hub.publish("after.echo", Bytes::from_static(b"still here")).await.expect("publish");
    assert_eq!(next_msg(&mut sub).await.payload.as_ref(), b"still here");
    assert_eq!(leaf.state().loops_detected(), 0, "no loop seen by the leaf");
    assert_eq!(leaf.state().link_count(), 1, "the leaf stays connected");
}
