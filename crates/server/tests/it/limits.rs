//! Limits that protect other clients: a slow consumer is cut off, everyone else keeps going.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats_testkit::{wait_for, RawConn, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_consumer_is_closed_while_others_get_everything() {
    // Room enough that the healthy subscriber, starved of CPU on a busy machine, is not also
    // a slow consumer; far too little for 40 MB to a reader that reads nothing.
    let options = rnats::Options { max_pending: 4 * 1024 * 1024, ..rnats::Options::default() };
    let server = TestServer::with_options(options);

    // A raw subscriber that stops reading after its subscription is confirmed.
    let mut slow = RawConn::connect(server.addr());
    slow.send(b"CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n");
    assert!(slow.expect_contains(b"PONG\r\n", Duration::from_secs(5)));

    let fast = async_nats::connect(server.url()).await.expect("connect");
    let mut fast_sub = fast.subscribe("flood").await.expect("subscribe");
    fast.flush().await.expect("flush");
    crate::async_client::subscriptions_settled(&server, 2).await;
    assert_eq!(server.state().client_count(), 2);

    let publisher = async_nats::connect(server.url()).await.expect("connect");
    let total = 40_000usize;
    let payload = Bytes::from(vec![b'x'; 1024]);
    let receiver = tokio::spawn(async move {
        let mut received = 0usize;
        while received < total {
            match tokio::time::timeout(Duration::from_secs(10), fast_sub.next()).await {
                Ok(Some(_)) => received += 1,
                _ => break,
            }
        }
        received
    });
    for _ in 0..total {
        publisher.publish("flood", payload.clone()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");
    assert_eq!(receiver.await.expect("receiver task"), total, "the healthy subscriber got every message");
    // 40 MB to a reader that reads nothing cannot fit in 4 MiB of pending plus socket buffers.
    assert!(
        wait_for(Duration::from_secs(10), || server.state().client_count() == 2),
        "slow consumer closed (publisher and healthy subscriber remain)"
    );
    drop(slow);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_deadline_closes_a_consumer_whose_socket_stays_full() {
    // Pending may grow large, but a write blocked past the deadline ends the connection.
    let options = rnats::Options { write_deadline: Duration::from_millis(200), ..rnats::Options::default() };
    let server = TestServer::with_options(options);
    let mut stuck = RawConn::connect(server.addr());
    stuck.send(b"CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n");
    assert!(stuck.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    let publisher = async_nats::connect(server.url()).await.expect("connect");
    crate::async_client::subscriptions_settled(&server, 1).await;
    let payload = Bytes::from(vec![b'x'; 16 * 1024]);
    // 32 MB: far more than the socket buffers hold, far less than max_pending (64 MB).
    for _ in 0..2048 {
        publisher.publish("flood", payload.clone()).await.expect("publish");
    }
    publisher.flush().await.expect("flush");
    assert!(
        wait_for(Duration::from_secs(10), || server.state().client_count() == 1),
        "the stuck consumer was closed by the write deadline"
    );
    // The publisher is unaffected.
    let mut sub = publisher.subscribe("still.here").await.expect("subscribe");
    publisher.publish("still.here", Bytes::from_static(b"ok")).await.expect("publish");
    let msg = tokio::time::timeout(Duration::from_secs(5), sub.next()).await.expect("in time").expect("message");
    assert_eq!(msg.payload, Bytes::from_static(b"ok"));
    drop(stuck);
}
