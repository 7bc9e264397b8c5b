//! Core NATS through a stock client (async-nats): everything an application does.

use std::time::Duration;

use async_nats::header::HeaderMap;
use bytes::Bytes;
use futures::StreamExt;
use rnats_testkit::TestServer;

const WAIT: Duration = Duration::from_secs(5);

async fn connect(server: &TestServer) -> async_nats::Client {
    async_nats::connect(server.url()).await.expect("client connects")
}

/// Waits until the server holds `count` subscriptions: a client's `flush` only guarantees the
/// bytes left the client, and a test that publishes from another connection must not race the
/// SUB.
pub async fn subscriptions_settled(server: &TestServer, count: usize) {
    let account = server.state().global_account();
    for _ in 0..1000 {
        if account.subscription_count() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("server has {} subscriptions, expected {count}", account.subscription_count());
}

/// Like [`subscriptions_settled`] for a named account.
pub async fn subscriptions_settled_in(server: &TestServer, account: &str, count: usize) {
    let account = server.state().account(account).expect("account exists");
    for _ in 0..1000 {
        if account.subscription_count() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("account {} has {} subscriptions, expected {count}", account.name, account.subscription_count());
}

async fn next(sub: &mut async_nats::Subscriber) -> async_nats::Message {
    tokio::time::timeout(WAIT, sub.next()).await.expect("message in time").expect("subscription open")
}

#[tokio::test]
async fn publish_and_subscribe() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let mut sub = client.subscribe("greet.joe").await.expect("subscribe");
    client.publish("greet.joe", Bytes::from_static(b"hello")).await.expect("publish");
    let msg = next(&mut sub).await;
    assert_eq!(msg.subject.as_str(), "greet.joe");
    assert_eq!(msg.payload, Bytes::from_static(b"hello"));
}

#[tokio::test]
async fn wildcards_match_as_nats_does() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let mut star = client.subscribe("a.*.c").await.expect("subscribe");
    let mut full = client.subscribe("a.>").await.expect("subscribe");
    client.flush().await.expect("flush");
    for subject in ["a.b.c", "a.x.c", "a.b.c.d", "a", "b.b.c"] {
        client.publish(subject, Bytes::new()).await.expect("publish");
    }
    client.publish("done", Bytes::new()).await.expect("publish");
    let mut done = client.subscribe("never").await.expect("subscribe");
    client.flush().await.expect("flush");
    assert_eq!(next(&mut star).await.subject.as_str(), "a.b.c");
    assert_eq!(next(&mut star).await.subject.as_str(), "a.x.c");
    for expected in ["a.b.c", "a.x.c", "a.b.c.d"] {
        assert_eq!(next(&mut full).await.subject.as_str(), expected);
    }
    // Nothing else arrives on either.
    assert!(tokio::time::timeout(Duration::from_millis(200), star.next()).await.is_err());
    assert!(tokio::time::timeout(Duration::from_millis(200), full.next()).await.is_err());
    assert!(tokio::time::timeout(Duration::from_millis(10), done.next()).await.is_err());
}

#[tokio::test]
async fn queue_group_delivers_each_message_once_spread_over_members() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let mut members = Vec::new();
    for _ in 0..3 {
        members.push(client.queue_subscribe("work", "workers".into()).await.expect("queue subscribe"));
    }
    let mut plain = client.subscribe("work").await.expect("subscribe");
    client.flush().await.expect("flush");
    let total = 600;
    for i in 0..total {
        client.publish("work", Bytes::from(i.to_string())).await.expect("publish");
    }
    client.flush().await.expect("flush");
    let mut seen = std::collections::HashSet::new();
    let mut per_member = Vec::new();
    for member in &mut members {
        let mut count = 0;
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), member.next()).await {
            assert!(seen.insert(msg.payload.clone()), "message delivered twice in the group");
            count += 1;
        }
        per_member.push(count);
    }
    assert_eq!(seen.len(), total, "every message reached exactly one member: {per_member:?}");
    assert!(per_member.iter().all(|&c| c > 50), "spread across members: {per_member:?}");
    for _ in 0..total {
        next(&mut plain).await;
    }
}

#[tokio::test]
async fn request_reply() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let mut service = client.subscribe("svc.echo").await.expect("subscribe");
    let responder = client.clone();
    tokio::spawn(async move {
        while let Some(request) = service.next().await {
            if let Some(reply) = request.reply {
                let _ = responder.publish(reply, request.payload).await;
            }
        }
    });
    client.flush().await.expect("flush");
    for i in 0..50 {
        let answer = client.request("svc.echo", Bytes::from(format!("ping {i}"))).await.expect("request answered");
        assert_eq!(answer.payload, Bytes::from(format!("ping {i}")));
    }
}

#[tokio::test]
async fn headers_round_trip() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let mut sub = client.subscribe("h").await.expect("subscribe");
    let mut headers = HeaderMap::new();
    headers.insert("Trace-Id", "abc-123");
    headers.append("Multi", "1");
    headers.append("Multi", "2");
    client.publish_with_headers("h", headers, Bytes::from_static(b"body")).await.expect("publish");
    let msg = next(&mut sub).await;
    let got = msg.headers.expect("headers delivered");
    assert_eq!(got.get("Trace-Id").map(|v| v.as_str()), Some("abc-123"));
    assert_eq!(got.get_all("Multi").count(), 2);
    assert_eq!(msg.payload, Bytes::from_static(b"body"));
}

#[tokio::test]
async fn request_without_responders_fails_fast() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let started = std::time::Instant::now();
    let err = client.request("nobody.home", Bytes::new()).await.expect_err("no responders");
    assert_eq!(err.kind(), async_nats::RequestErrorKind::NoResponders);
    assert!(started.elapsed() < Duration::from_secs(2), "503 status, not a timeout");
}

#[tokio::test]
async fn unsubscribe_after_n_messages() {
    let server = TestServer::start();
    let client = connect(&server).await;
    let mut sub = client.subscribe("count").await.expect("subscribe");
    sub.unsubscribe_after(3).await.expect("unsubscribe after");
    client.flush().await.expect("flush");
    for i in 0..10 {
        client.publish("count", Bytes::from(i.to_string())).await.expect("publish");
    }
    client.flush().await.expect("flush");
    for expected in ["0", "1", "2"] {
        assert_eq!(next(&mut sub).await.payload, Bytes::from(expected));
    }
    let end = tokio::time::timeout(WAIT, sub.next()).await.expect("subscription ends");
    assert!(end.is_none(), "no fourth message");
    assert!(rnats_testkit::wait_for(WAIT, || server.state().global_account().subscription_count() == 0));
}

#[tokio::test]
async fn oversize_payload_is_refused() {
    let options = rnats::Options { max_payload: 1024, ..rnats::Options::default() };
    let server = TestServer::with_options(options);
    let client = connect(&server).await;
    assert_eq!(client.server_info().max_payload, 1024);
    let result = client.publish("big", Bytes::from(vec![0u8; 2048])).await;
    assert!(result.is_err(), "client refuses a payload over the server's max_payload");
    // Within the limit still works.
    let mut sub = client.subscribe("ok").await.expect("subscribe");
    client.publish("ok", Bytes::from(vec![1u8; 1024])).await.expect("publish");
    assert_eq!(next(&mut sub).await.payload.len(), 1024);
}

#[tokio::test]
async fn echo_off_hides_own_messages() {
    let server = TestServer::start();
    let quiet = async_nats::ConnectOptions::new().no_echo().connect(server.url()).await.expect("connect");
    let other = connect(&server).await;
    let mut own = quiet.subscribe("e").await.expect("subscribe");
    quiet.flush().await.expect("flush");
    subscriptions_settled(&server, 1).await;
    quiet.publish("e", Bytes::from_static(b"mine")).await.expect("publish");
    other.publish("e", Bytes::from_static(b"theirs")).await.expect("publish");
    assert_eq!(next(&mut own).await.payload, Bytes::from_static(b"theirs"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_clients_each_receive_a_broadcast() {
    let server = TestServer::start();
    let url = server.url();
    let connects = (0..1000).map(|_| {
        let url = url.clone();
        async move {
            // A thousand handshakes at once on a loaded 2-core machine take a while.
            let client = async_nats::ConnectOptions::new()
                .connection_timeout(Duration::from_secs(60))
                .connect(url)
                .await
                .expect("connect");
            let sub = client.subscribe("all").await.expect("subscribe");
            client.flush().await.expect("flush");
            (client, sub)
        }
    });
    let mut clients = futures::future::join_all(connects).await;
    assert_eq!(server.state().client_count(), 1000);
    subscriptions_settled(&server, 1000).await;
    let publisher = connect(&server).await;
    publisher.publish("all", Bytes::from_static(b"hi everyone")).await.expect("publish");
    publisher.flush().await.expect("flush");
    for (_, sub) in &mut clients {
        assert_eq!(next(sub).await.payload, Bytes::from_static(b"hi everyone"));
    }
}
