//! Authentication and permissions with a real client (async-nats): tokens, users with plain
//! and bcrypt passwords, NKEY users, permissions, allow_responses across a service import,
//! secrets kept out of the log, and a storm of failed bcrypt logins that must not disturb a
//! connected publisher.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats::log::Logger;
use rnats_testkit::{RawConn, TestServer};

use super::async_client::subscriptions_settled_in;
use super::support::{login, next_msg, nothing_arrives, options_from, server_from};

/// Subscriptions in an account's index (imports count too).
fn subs(server: &TestServer, account: &str) -> usize {
    server.state().account(account).expect("account").subscription_count()
}

/// Waits until `account` holds `added` more entries than `base`: async-nats's `flush` does not
/// wait for the server, so a publisher on another connection could race the SUB.
async fn settled(server: &TestServer, account: &str, base: usize, added: usize) {
    subscriptions_settled_in(server, account, base + added).await;
}

fn hash(password: &str) -> String {
    bcrypt::hash(password, 6).expect("bcrypt")
}

async fn refused(options: async_nats::ConnectOptions, server: &TestServer) -> bool {
    let options = options.retry_on_initial_connect().max_reconnects(Some(0));
    let attempt = tokio::time::timeout(Duration::from_secs(5), options.connect(server.url()));
    match attempt.await {
        Ok(Ok(client)) => {
            // async-nats may report success before the server's verdict: a refused client
            // cannot complete a round trip.
            tokio::time::timeout(Duration::from_secs(2), client.flush()).await.map_or(true, |r| r.is_err())
        }
        Ok(Err(_)) | Err(_) => true,
    }
}

fn no_retry(options: async_nats::ConnectOptions) -> async_nats::ConnectOptions {
    options.max_reconnects(Some(0))
}

#[tokio::test]
async fn tokens_plain_and_bcrypt() {
    for token in ["s3cr3t".to_string(), hash("s3cr3t")] {
        let server = server_from(&format!("authorization {{ token: \"{token}\" }}\n"));
        let client =
            async_nats::ConnectOptions::with_token("s3cr3t".into()).connect(server.url()).await.expect("login");
        client.flush().await.expect("round trip");
        assert!(refused(no_retry(async_nats::ConnectOptions::with_token("wrong".into())), &server).await);
        assert!(refused(no_retry(async_nats::ConnectOptions::new()), &server).await);
    }
}

#[tokio::test]
async fn users_with_plain_and_bcrypt_passwords() {
    let text = format!(
        "authorization {{ users: [ {{user: plain, password: pw}}, {{user: hashed, password: \"{}\"}} ] }}\n",
        hash("pw2")
    );
    let server = server_from(&text);
    for (user, pass) in [("plain", "pw"), ("hashed", "pw2")] {
        let client = async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into())
            .connect(server.url())
            .await
            .expect("login");
        client.flush().await.expect("round trip");
    }
    for (user, pass) in [("plain", "pw2"), ("hashed", "pw"), ("nobody", "pw"), ("hashed", "")] {
        let options = async_nats::ConnectOptions::with_user_and_password(user.into(), pass.into());
        assert!(refused(no_retry(options), &server).await, "{user}/{pass} must be refused");
    }
}

#[tokio::test]
async fn single_user_from_the_command_line_options() {
    let auth = rnats::options::SimpleAuth { user: Some("derek".into()), pass: Some(hash("porkchop")), token: None };
    let server = TestServer::with_options(rnats::Options { auth, ..rnats::Options::default() });
    let client = async_nats::ConnectOptions::with_user_and_password("derek".into(), "porkchop".into())
        .connect(server.url())
        .await
        .expect("login");
    client.flush().await.expect("round trip");
    let wrong = async_nats::ConnectOptions::with_user_and_password("derek".into(), "chop".into());
    assert!(refused(no_retry(wrong), &server).await);
}

#[tokio::test]
async fn nkey_users_sign_the_nonce() {
    let alice = nkeys::KeyPair::new_user();
    let stranger = nkeys::KeyPair::new_user();
    let text = format!(
        "accounts {{ A: {{ users: [ {{nkey: {}}} ] }} }}\nauthorization {{ users: [ {{user: u, password: p}} ] }}\n",
        alice.public_key()
    );
    let server = server_from(&text);
    let seed = alice.seed().expect("seed");
    let client = async_nats::ConnectOptions::with_nkey(seed).connect(server.url()).await.expect("nkey login");
    client.flush().await.expect("round trip");
    let other = async_nats::ConnectOptions::with_nkey(stranger.seed().expect("seed"));
    assert!(refused(no_retry(other), &server).await, "an unknown key is refused");
    // The password users still log in next to the nkey users.
    let user = async_nats::ConnectOptions::with_user_and_password("u".into(), "p".into());
    user.connect(server.url()).await.expect("password login").flush().await.expect("round trip");

    // Every connection gets its own nonce; a signature of another nonce is refused.
    let mut first = RawConn::connect(server.addr());
    let mut second = RawConn::connect(server.addr());
    let nonce = |conn: &mut RawConn| -> String {
        conn.read_until(Duration::from_secs(5), |r| r.ends_with(b"\r\n"));
        let info = String::from_utf8_lossy(conn.received()).to_string();
        let json: serde_json::Value = serde_json::from_str(info.trim_start_matches("INFO ").trim()).expect("INFO json");
        json["nonce"].as_str().expect("nonce in INFO").to_string()
    };
    let (n1, n2) = (nonce(&mut first), nonce(&mut second));
    assert_ne!(n1, n2);
    use base64::Engine;
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(alice.sign(n1.as_bytes()).expect("sign"));
    let connect =
        format!("CONNECT {{\"verbose\":false,\"nkey\":\"{}\",\"sig\":\"{sig}\"}}\r\nPING\r\n", alice.public_key());
    second.send(connect.as_bytes());
    assert!(second.expect_contains(b"-ERR 'Authorization Violation'", Duration::from_secs(5)));
    first.send(connect.as_bytes());
    assert!(first.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
}

const PERMISSIONS: &str = r#"
accounts {
  SVC: {
    users: [ {user: responder, password: r, permissions: { subscribe: "svc.>", allow_responses: true }} ]
    exports: [ {service: "svc.>"} ]
  }
  APP: {
    users: [
      {user: app, password: a, permissions: {
          publish: { allow: ["svc.>", "app.>"], deny: ["app.secret.>"] }
          subscribe: { allow: ["_INBOX.>", "app.>", "work grp"], deny: ["app.hidden"] } }}
      {user: admin, password: x, permissions: { publish: ">", subscribe: ">" }}
      {user: defaults, password: d}
    ]
    imports: [ {service: {account: SVC, subject: "svc.>"}} ]
    default_permissions: { publish: "app.public", subscribe: "app.public" }
  }
}
"#;

#[tokio::test]
async fn publish_and_subscribe_permissions_hold_with_a_real_client() {
    let server = server_from(PERMISSIONS);
    let base_app = subs(&server, "APP");
    let admin = login(&server, "admin", "x").await;
    let app = login(&server, "app", "a").await;
    let mut everything = admin.subscribe("app.>").await.expect("admin may subscribe");
    settled(&server, "APP", base_app, 1).await;
    app.publish("app.one", Bytes::from_static(b"1")).await.expect("publish");
    app.publish("app.secret.key", Bytes::from_static(b"denied")).await.expect("publish");
    app.publish("other", Bytes::from_static(b"denied")).await.expect("publish");
    app.publish("app.two", Bytes::from_static(b"2")).await.expect("publish");
    app.flush().await.expect("still connected after violations");
    assert_eq!(next_msg(&mut everything).await.subject.as_str(), "app.one");
    assert_eq!(next_msg(&mut everything).await.subject.as_str(), "app.two");
    assert!(nothing_arrives(&mut everything).await, "denied publications are dropped");

    // A wildcard that covers a denied subject: the denied messages are filtered out.
    let mut wild = app.subscribe("app.*").await.expect("allowed");
    settled(&server, "APP", base_app, 2).await;
    admin.publish("app.hidden", Bytes::from_static(b"no")).await.expect("publish");
    admin.publish("app.open", Bytes::from_static(b"yes")).await.expect("publish");
    assert_eq!(next_msg(&mut wild).await.subject.as_str(), "app.open");
    assert!(nothing_arrives(&mut wild).await);

    // Users without permissions of their own get the account's defaults.
    let mut watch_one = admin.subscribe("app.one").await.expect("subscribe");
    settled(&server, "APP", base_app, 3).await;
    let defaults = login(&server, "defaults", "d").await;
    let mut public = defaults.subscribe("app.public").await.expect("subscribe");
    settled(&server, "APP", base_app, 4).await;
    defaults.publish("app.one", Bytes::from_static(b"denied")).await.expect("publish");
    defaults.publish("app.public", Bytes::from_static(b"ok")).await.expect("publish");
    assert_eq!(next_msg(&mut public).await.payload.as_ref(), b"ok");
    assert!(nothing_arrives(&mut watch_one).await, "app.one was denied to the defaults user");

    // A queue entry admits only its group.
    let mut group = app.queue_subscribe("work", "grp".into()).await.expect("queue allowed");
    settled(&server, "APP", base_app, 5).await;
    admin.publish("work", Bytes::from_static(b"job")).await.expect("publish");
    assert_eq!(next_msg(&mut group).await.payload.as_ref(), b"job");
}

#[tokio::test]
async fn violations_reach_the_client_and_leave_it_connected() {
    let server = server_from(PERMISSIONS);
    let mut conn = RawConn::connect(server.addr());
    conn.send(
        b"CONNECT {\"verbose\":false,\"user\":\"app\",\"pass\":\"a\"}\r\nPUB other 1\r\nx\r\nSUB app.hidden 1\r\nSUB work other 2\r\nSUB work 3\r\nPING\r\n",
    );
    assert!(conn.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    let received = String::from_utf8_lossy(conn.received()).to_string();
    for expected in [
        "-ERR 'Permissions Violation for Publish to \"other\"'\r\n",
        "-ERR 'Permissions Violation for Subscription to \"app.hidden\"'\r\n",
        "-ERR 'Permissions Violation for Subscription to \"work\" using queue \"other\"'\r\n",
        "-ERR 'Permissions Violation for Subscription to \"work\"'\r\n",
    ] {
        assert!(received.contains(expected), "{expected} in {received}");
    }
}

#[tokio::test]
async fn account_default_permissions_apply_to_users_without_their_own() {
    let text = r#"
accounts { A: { users: [ {user: plain, password: p}, {user: own, password: o, permissions: { publish: ">" }} ],
                default_permissions: { publish: "allowed" } } }
"#;
    let server = server_from(text);
    let mut conn = RawConn::connect(server.addr());
    conn.send(b"CONNECT {\"verbose\":false,\"user\":\"plain\",\"pass\":\"p\"}\r\nPUB allowed 0\r\n\r\nPUB other 0\r\n\r\nPING\r\n");
    assert!(conn.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    let received = String::from_utf8_lossy(conn.received()).to_string();
    assert_eq!(received.matches("-ERR").count(), 1, "{received}");
    let mut own = RawConn::connect(server.addr());
    own.send(b"CONNECT {\"verbose\":false,\"user\":\"own\",\"pass\":\"o\"}\r\nPUB other 0\r\n\r\nPING\r\n");
    assert!(own.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    assert!(!String::from_utf8_lossy(own.received()).contains("-ERR"), "own permissions replace the defaults");
}

/// The responder may only subscribe and answer: its answers to requests that came through a
/// service import (reply subjects `_R_...`) are allowed once each.
#[tokio::test]
async fn allow_responses_answers_requests_across_a_service_import() {
    let server = server_from(PERMISSIONS);
    let (base_app, base_svc) = (subs(&server, "APP"), subs(&server, "SVC"));
    let responder = login(&server, "responder", "r").await;
    let mut requests = responder.subscribe("svc.echo").await.expect("subscribe");
    settled(&server, "SVC", base_svc, 1).await;
    let answering = responder.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            if let Some(reply) = request.reply {
                let _ = answering.publish(reply.clone(), request.payload.clone()).await;
                // A second answer to the same request is refused (max 1).
                let _ = answering.publish(reply, Bytes::from_static(b"again")).await;
            }
        }
    });
    let app = login(&server, "app", "a").await;
    for i in 0..20 {
        let payload = Bytes::from(format!("ping {i}"));
        let response = tokio::time::timeout(Duration::from_secs(5), app.request("svc.echo", payload.clone()))
            .await
            .expect("in time")
            .expect("answered");
        assert_eq!(response.payload, payload);
    }
    // Nothing else may be published by the responder.
    let admin = login(&server, "admin", "x").await;
    let mut watch = admin.subscribe(">").await.expect("subscribe");
    settled(&server, "APP", base_app, 1).await;
    let mut raw = RawConn::connect(server.addr());
    raw.send(b"CONNECT {\"verbose\":false,\"user\":\"responder\",\"pass\":\"r\"}\r\nPUB svc.echo 1\r\nx\r\nPING\r\n");
    assert!(raw.expect_contains(b"PONG\r\n", Duration::from_secs(5)));
    assert!(String::from_utf8_lossy(raw.received()).contains("Permissions Violation for Publish to \"svc.echo\""));
    assert!(nothing_arrives(&mut watch).await);
}

/// With `trace` on, CONNECT lines are logged: passwords and tokens must not be.
#[tokio::test]
async fn secrets_stay_out_of_the_log() {
    let log_file = std::env::temp_dir().join(format!("rnats-auth-log-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&log_file);
    let mut options = options_from("authorization { users: [ {user: alice, password: \"pa55-w0rd\"} ] }\n");
    options.trace = true;
    options.debug = true;
    let log = Logger::new(Some(&log_file), true, true, true).expect("log file");
    let server = TestServer::with_options_and_log(options, log);
    login(&server, "alice", "pa55-w0rd").await.flush().await.expect("round trip");
    let wrong = async_nats::ConnectOptions::with_user_and_password("alice".into(), "guess-0f-a-pa55".into());
    assert!(refused(no_retry(wrong), &server).await);
    let text = std::fs::read_to_string(&log_file).expect("log written");
    assert!(text.contains("CONNECT"), "trace on: {text}");
    assert!(text.contains("authentication error - User \"alice\""), "{text}");
    assert!(!text.contains("pa55-w0rd") && !text.contains("guess-0f-a-pa55"), "{text}");
    let _ = std::fs::remove_file(&log_file);
}

/// 200 clients with wrong bcrypt passwords at once while an authenticated publisher keeps
/// sending: every message arrives, in order, and every bad login is refused (bcrypt checks
/// run on the bcrypt gate's few threads, never on the reactor).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_login_storm_does_not_disturb_connected_clients() {
    let text = format!(
        "authorization {{ users: [ {{user: good, password: \"{}\"}}, {{user: victim, password: \"{}\"}} ] }}\n",
        hash("good"),
        hash("right")
    );
    let server = server_from(&text);
    let base_g = subs(&server, "$G");
    let publisher = login(&server, "good", "good").await;
    let subscriber = login(&server, "good", "good").await;
    let mut sub = subscriber.subscribe("stream").await.expect("subscribe");
    settled(&server, "$G", base_g, 1).await;

    let storming = Arc::new(AtomicBool::new(true));
    let addr = server.addr();
    let storm = tokio::spawn(async move {
        let attempts = (0..200).map(|i| {
            tokio::spawn(async move {
                let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let connect = format!("CONNECT {{\"user\":\"victim\",\"pass\":\"wrong{i}\"}}\r\nPING\r\n");
                conn.write_all(connect.as_bytes()).await.expect("send");
                let mut answer = Vec::new();
                let closed = tokio::time::timeout(Duration::from_secs(60), conn.read_to_end(&mut answer)).await.is_ok();
                // Refused, and closed: at once when its bcrypt turn came, or at the
                // authentication timeout while it waited for one.
                let answer = String::from_utf8_lossy(&answer);
                closed
                    && !answer.contains("PONG")
                    && (answer.contains("-ERR 'Authorization Violation'")
                        || answer.contains("-ERR 'Authentication Timeout'"))
            })
        });
        let results = futures::future::join_all(attempts).await;
        results.into_iter().filter(|r| matches!(r, Ok(true))).count()
    });
    let mut sent = 0u32;
    while storming.load(Ordering::Relaxed) {
        publisher.publish("stream", Bytes::from(sent.to_string())).await.expect("publish");
        sent += 1;
        if sent.is_multiple_of(100) {
            publisher.flush().await.expect("flush");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if storm.is_finished() {
            storming.store(false, Ordering::Relaxed);
        }
    }
    publisher.flush().await.expect("flush");
    let refused_logins = storm.await.expect("storm task");
    assert_eq!(refused_logins, 200, "every bad login is refused and closed");
    for expected in 0..sent {
        let msg = next_msg(&mut sub).await;
        assert_eq!(msg.payload, Bytes::from(expected.to_string()), "no loss, in order");
    }
    assert!(sent > 100, "the publisher kept publishing during the storm ({sent})");
}
