//! Helpers the integration tests share: servers from config text, logins, waiting for
//! messages and for server state without blocking the test's runtime, an echo responder.

use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use rnats_testkit::TestServer;

/// Options from config-file text, through the same path as `rnats-server -c`; the file must
/// need nothing rnats cannot enforce.
pub fn options_from(text: &str) -> rnats::Options {
    let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("config parses");
    let loaded = rnats::options::from_map(&map).expect("config loads");
    assert!(loaded.security_gaps.is_empty(), "{:?}", loaded.security_gaps);
    loaded.options
}

/// A server configured from config-file text.
pub fn server_from(text: &str) -> TestServer {
    TestServer::with_options(options_from(text))
}

/// A client logged in with user and password.
pub async fn login(server: &TestServer, user: &str, pass: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into())
        .connect(server.url())
        .await
        .expect("login")
}

/// The next message, within 5 seconds.
pub async fn next_msg(sub: &mut async_nats::Subscriber) -> async_nats::Message {
    tokio::time::timeout(Duration::from_secs(5), sub.next()).await.expect("in time").expect("message")
}

/// Nothing arrives for 300 ms.
pub async fn nothing_arrives(sub: &mut async_nats::Subscriber) -> bool {
    tokio::time::timeout(Duration::from_millis(300), sub.next()).await.is_err()
}

/// Polls `condition` for up to 10 s without blocking the test's runtime (the clients under
/// test run on it: a blocking wait would hold back their own writes).
pub async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..1000 {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    condition()
}

/// Answers every request on `subject` with its own payload, from a task.
pub async fn echo_responder(client: &async_nats::Client, subject: &str) {
    let mut requests = client.subscribe(subject.to_string()).await.expect("subscribe");
    let answering = client.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            if let Some(reply) = request.reply {
                let _ = answering.publish(reply, request.payload).await;
            }
        }
    });
}

/// Sends the request until it is answered (interest may take a moment to reach the responder,
/// across a link for instance); the answer, or `None` after about 10 s.
pub async fn answered_eventually(
    requester: &async_nats::Client,
    subject: &str,
    payload: bytes::Bytes,
) -> Option<async_nats::Message> {
    for _ in 0..50 {
        let request = requester.request(subject.to_string(), payload.clone());
        if let Ok(Ok(answer)) = tokio::time::timeout(Duration::from_millis(200), request).await {
            return Some(answer);
        }
    }
    None
}
