//! `allow_responses` at scale (issue 11): a responder holding 100 000 unanswered requests
//! still may answer the first and the last, may not answer what it was never asked, and an
//! unrelated pair keeps its round trips meanwhile. Latency figures come from the benchmark
//! notes (docs/benchmarks.md), not from assertions here; this prints what it saw.

use std::time::{Duration, Instant};

use super::support::{login, next_msg, nothing_arrives, server_from};
use bytes::Bytes;

const REQUESTS: usize = 100_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_thousand_tracked_replies_cost_others_nothing() {
    let server = server_from(
        r#"authorization { users: [
             {user: responder, password: r, permissions: { subscribe: "req", publish: "none", allow_responses: {max: 1, expires: "2m"} }}
             {user: asker, password: a}
             {user: pair, password: p}
           ] }"#,
    );
    // Room for every request: async-nats drops what a subscription's channel cannot hold, and
    // on a loaded machine the reading task may fall that far behind the flood.
    let responder = async_nats::ConnectOptions::with_user_and_password("responder".into(), "r".into())
        .subscription_capacity(REQUESTS)
        .connect(server.url())
        .await
        .expect("login");
    let mut requests = responder.subscribe("req").await.expect("subscribe");
    let asker = login(&server, "asker", "a").await;
    let mut answers = asker.subscribe("answer.>").await.expect("subscribe");
    let pair = login(&server, "pair", "p").await;
    let mut echo = pair.subscribe("ping").await.expect("subscribe");
    super::async_client::subscriptions_settled_in(&server, "$G", 3).await;

    // Read as they come: the client's own buffer would overflow otherwise.
    let received = tokio::spawn(async move {
        let mut last = None;
        for _ in 0..REQUESTS {
            last = Some(next_msg(&mut requests).await);
        }
        last
    });
    // The asker floods requests with distinct replies while the pair measures round trips.
    let flood = {
        let asker = asker.clone();
        tokio::spawn(async move {
            for i in 0..REQUESTS {
                asker.publish_with_reply("req", format!("answer.{i}"), Bytes::new()).await.expect("request");
            }
            asker.flush().await.expect("flush");
        })
    };
    let mut slowest = Duration::ZERO;
    let mut round_trips = 0;
    while !flood.is_finished() || round_trips < 100 {
        let sent = Instant::now();
        pair.publish("ping", Bytes::from_static(b"x")).await.expect("publish");
        next_msg(&mut echo).await;
        slowest = slowest.max(sent.elapsed());
        round_trips += 1;
    }
    flood.await.expect("flood");
    let last = received.await.expect("requests");
    eprintln!("{round_trips} round trips of an unrelated pair during {REQUESTS} tracked requests; slowest {slowest:?}");

    let last_reply = last.and_then(|m| m.reply).expect("reply");
    assert_eq!(last_reply.as_str(), format!("answer.{}", REQUESTS - 1));
    for reply in ["answer.0".to_string(), last_reply.to_string()] {
        responder.publish(reply.clone(), Bytes::from_static(b"ok")).await.expect("respond");
        let answer = next_msg(&mut answers).await;
        assert_eq!(answer.subject.as_str(), reply, "a tracked reply may be answered");
    }
    responder.publish("answer.0", Bytes::from_static(b"again")).await.expect("respond");
    responder.publish("answer.never-asked", Bytes::from_static(b"no")).await.expect("respond");
    assert!(nothing_arrives(&mut answers).await, "answered once (max 1), and never an unasked reply");
}
