//! Limits that protect other clients: a slow consumer is cut off, everyone else keeps going.

use std::time::Duration;

use std::path::PathBuf;

use bytes::Bytes;
use futures::StreamExt;
use rnats::log::Logger;
use rnats_testkit::{wait_for, RawConn, TestServer};

/// A server logging at the normal level (no `-D`) to a file of its own.
fn logged_server(options: rnats::Options, name: &str) -> (TestServer, PathBuf) {
    let file = std::env::temp_dir().join(format!("rnats-limits-{name}-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let log = Logger::new(Some(&file), true, false, false).expect("log file");
    (TestServer::with_options_and_log(options, log), file)
}

/// Waits for a log line ending with `tail` and returns it.
fn logged_line(file: &PathBuf, tail: &str) -> String {
    let mut found = String::new();
    wait_for(Duration::from_secs(10), || {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        found = text.lines().find(|l| l.ends_with(tail)).unwrap_or_default().to_string();
        !found.is_empty()
    });
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_consumer_is_closed_while_others_get_everything() {
    // Room enough that the healthy subscriber, starved of CPU on a busy machine, is not also
    // a slow consumer; far too little for 40 MB to a reader that reads nothing.
    let options = rnats::Options { max_pending: 4 * 1024 * 1024, ..rnats::Options::default() };
    let (server, log) = logged_server(options, "pending");

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
    // nats-server's notice, at the normal level, under the subscriber's name.
    let line = logged_line(&log, "Slow Consumer Detected: MaxPending of 4194304 Exceeded");
    assert!(line.contains("[INF] 127.0.0.1:") && line.contains(" - cid:1 - "), "{line:?}");
    drop(slow);
    let _ = std::fs::remove_file(&log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_deadline_closes_a_consumer_whose_socket_stays_full() {
    // Pending may grow large, but a write blocked past the deadline ends the connection.
    let options = rnats::Options { write_deadline: Duration::from_millis(200), ..rnats::Options::default() };
    let (server, log) = logged_server(options, "deadline");
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
    // nats-server's notice, at the normal level (a batch is one buffer here: one chunk).
    let line = logged_line(&log, " total bytes.");
    let notice = line.split(" - cid:1 - ").nth(1).unwrap_or_default();
    assert!(line.contains("[INF] "), "{line:?}");
    assert!(
        notice.starts_with("Slow Consumer Detected: WriteDeadline of 200ms exceeded with 1 chunks of "),
        "{line:?}"
    );
    drop(stuck);
    let _ = std::fs::remove_file(&log);
}
