//! Big legitimate configurations: 12 000 users that share a 200-subject permissions variable
//! load (nats-server loads them too), share one permissions block instead of 12 000 copies,
//! and the users log in with those permissions.

use std::sync::Arc;

use bytes::Bytes;

use super::async_client::subscriptions_settled;
use super::support::{login, next_msg, nothing_arrives, options_from};

const USERS: usize = 12_000;
const SUBJECTS: usize = 200;

/// `PERMS` allows publishing to `svc.0.>` .. `svc.199.>`; every user uses it.
fn config() -> String {
    let subjects: Vec<String> = (0..SUBJECTS).map(|i| format!("\"svc.{i}.>\"")).collect();
    let mut text = format!(
        "PERMS = {{ publish: {{ allow: [{}] }}, subscribe: {{ allow: [\"_INBOX.>\", \"svc.>\"] }} }}\n\
         authorization {{\n  users = [\n",
        subjects.join(", ")
    );
    for i in 0..USERS {
        text.push_str(&format!("    {{user: u{i}, password: p{i}, permissions: $PERMS}}\n"));
    }
    text.push_str("  ]\n}\n");
    text
}

#[tokio::test]
async fn twelve_thousand_users_share_a_permissions_variable() {
    let options = options_from(&config());
    assert_eq!(options.users.len(), USERS);
    let first = options.users[0].permissions.as_ref().expect("permissions");
    let allow = first.publish.as_ref().and_then(|p| p.allow.as_ref()).expect("publish allow");
    assert_eq!(allow.len(), SUBJECTS);
    assert_eq!(allow[SUBJECTS - 1], "svc.199.>");
    // What is built: one block, shared by every user.
    assert!(options.users.iter().all(|u| u.permissions.as_ref().is_some_and(|p| Arc::ptr_eq(p, first))));

    let server = rnats_testkit::TestServer::with_options(options);
    let receiver = login(&server, "u0", "p0").await;
    let mut sub = receiver.subscribe("svc.>").await.expect("subscribe");
    receiver.flush().await.expect("flush");
    subscriptions_settled(&server, 1).await;
    let last = format!("u{}", USERS - 1);
    let sender = login(&server, &last, &format!("p{}", USERS - 1)).await;
    sender.publish("svc.200.x", Bytes::from_static(b"denied")).await.expect("publish");
    sender.publish("svc.199.x", Bytes::from_static(b"allowed")).await.expect("publish");
    sender.flush().await.expect("flush");
    let message = next_msg(&mut sub).await;
    assert_eq!((message.subject.as_str(), &message.payload[..]), ("svc.199.x", &b"allowed"[..]));
    assert!(nothing_arrives(&mut sub).await, "svc.200.x is outside the 200 subjects");
}
