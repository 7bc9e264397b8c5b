//! Leaf nodes with a Go `nats-server` on the other side, for each release the testkit knows
//! (Debian's 2.9.10 and the current 2.15.1): rnats leaf -> Go hub, Go leaf -> rnats hub, with
//! and without credentials and accounts; interest gating the link, and the seed's
//! satellites-and-master topology.

use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats_testkit::pki::{ClientNames, TestPki};
use rnats_testkit::{free_port, GoRelease, GoServer, TestServer};

use super::leafnodes::{hub, interest, linked, spoke};
use super::support::{answered_eventually, echo_responder, eventually, next_msg, nothing_arrives, server_from};

async fn client(url: &str) -> async_nats::Client {
    async_nats::ConnectOptions::new().connect(url).await.expect("connect")
}

/// Publishes until the subscriber receives (interest takes a moment to cross a Go server).
async fn delivered(publisher: &async_nats::Client, subject: &str, sub: &mut async_nats::Subscriber) -> bool {
    for _ in 0..100 {
        publisher.publish(subject.to_string(), Bytes::from_static(b"probe")).await.expect("publish");
        if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(100), sub.next()).await {
            return true;
        }
    }
    false
}

/// Drains what is left of probes.
async fn drain(sub: &mut async_nats::Subscriber) {
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), sub.next()).await {}
}

/// Pub/sub both ways, a queue group with members on both sides (each message once), and
/// request/reply both ways, between clients of two connected servers.
async fn traffic_both_ways(hub_url: &str, leaf_url: &str) {
    let on_hub = client(hub_url).await;
    let on_leaf = client(leaf_url).await;

    let mut at_hub = on_hub.subscribe("up").await.expect("subscribe");
    assert!(delivered(&on_leaf, "up", &mut at_hub).await, "leaf -> hub");
    let mut at_leaf = on_leaf.subscribe("down").await.expect("subscribe");
    assert!(delivered(&on_hub, "down", &mut at_leaf).await, "hub -> leaf");
    drain(&mut at_hub).await;
    drain(&mut at_leaf).await;

    // Headers cross both ways (HMSG on the link).
    for (from, sub, site) in [(&on_hub, &mut at_leaf, "hub"), (&on_leaf, &mut at_hub, "leaf")] {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("X-Site", site);
        let subject = if site == "hub" { "down" } else { "up" };
        from.publish_with_headers(subject, headers, Bytes::from_static(b"h")).await.expect("publish");
        let msg = next_msg(sub).await;
        assert_eq!(msg.headers.expect("headers").get("X-Site").map(|v| v.as_str()), Some(site));
    }

    // Queue group spanning the link.
    let mut q_hub = on_hub.queue_subscribe("jobs", "workers".into()).await.expect("subscribe");
    let mut q_leaf = on_leaf.queue_subscribe("jobs", "workers".into()).await.expect("subscribe");
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 0..50u32 {
        on_leaf.publish("jobs", Bytes::from(i.to_string())).await.expect("publish");
        on_hub.publish("jobs", Bytes::from((100 + i).to_string())).await.expect("publish");
    }
    let mut seen = Vec::new();
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(700), async {
        tokio::select! { m = q_hub.next() => m, m = q_leaf.next() => m }
    })
    .await
    {
        seen.push(String::from_utf8_lossy(&msg.payload).parse::<u32>().expect("number"));
    }
    seen.sort_unstable();
    let expected: Vec<u32> = (0..50).chain(100..150).collect();
    assert_eq!(seen, expected, "each queued message exactly once");

    // Request/reply both ways.
    for (responder, requester, subject) in [(&on_hub, &on_leaf, "svc.hub"), (&on_leaf, &on_hub, "svc.leaf")] {
        echo_responder(responder, subject).await;
        let answer = answered_eventually(requester, subject, Bytes::from_static(b"ping")).await;
        let answer = answer.unwrap_or_else(|| panic!("a request on {subject} is answered across the link"));
        assert_eq!(answer.payload.as_ref(), b"ping");
    }
}

/// An rnats leaf connects to a Go hub and traffic flows both ways.
async fn rnats_leaf_to_go_hub(release: GoRelease) {
    let leaf_port = free_port();
    let config = format!("leafnodes {{ port: {leaf_port} }}\n");
    let Some(go_hub) = GoServer::with_config_release(release, &config, &[]) else { return };
    let leaf = spoke(&format!("nats-leaf://127.0.0.1:{leaf_port}"), "");
    assert!(linked(&leaf).await, "rnats connects to the Go {} hub", release.version());
    traffic_both_ways(&go_hub.url(), &leaf.url()).await;
}

/// A Go leaf connects to an rnats hub and traffic flows both ways.
async fn go_leaf_to_rnats_hub(release: GoRelease) {
    let hub = hub("");
    let config = format!("leafnodes {{ reconnect: 1, remotes: [ {{ url: \"{}\" }} ] }}\n", hub.leaf_url());
    let Some(go_leaf) = GoServer::with_config_release(release, &config, &[]) else { return };
    assert!(linked(&hub).await, "the Go {} leaf connects to rnats", release.version());
    traffic_both_ways(&hub.url(), &go_leaf.url()).await;
}

/// Accounts on both sides: the Go hub's leaf user is bound to account HUB_A, the rnats leaf's
/// remote to its account LEAF_A; clients of the two accounts see each other, a client of
/// another account on either side sees nothing.
const LEAF_ACCOUNTS: &str = r#"
accounts {
  LEAF_A: { users: [ {user: a, password: a} ] }
  LEAF_B: { users: [ {user: b, password: b} ] }
}
"#;

const HUB_ACCOUNTS: &str = r#"
accounts {
  HUB_A: { users: [ {user: a, password: a} ] }
  HUB_B: { users: [ {user: b, password: b} ] }
}
"#;

async fn login(url: &str, user: &str) -> async_nats::Client {
    async_nats::ConnectOptions::with_user_and_password(user.into(), user.into()).connect(url).await.expect("login")
}

/// Account A traffic crosses, account B on either side sees none of it.
async fn accounts_stay_apart(hub_url: &str, leaf_url: &str) {
    let (hub_a, leaf_a) = (login(hub_url, "a").await, login(leaf_url, "a").await);
    let (hub_b, leaf_b) = (login(hub_url, "b").await, login(leaf_url, "b").await);
    let mut b_on_hub = hub_b.subscribe(">").await.expect("subscribe");
    let mut b_on_leaf = leaf_b.subscribe(">").await.expect("subscribe");
    let mut at_hub = hub_a.subscribe("up").await.expect("subscribe");
    assert!(delivered(&leaf_a, "up", &mut at_hub).await, "leaf account -> hub account");
    let mut at_leaf = leaf_a.subscribe("down").await.expect("subscribe");
    assert!(delivered(&hub_a, "down", &mut at_leaf).await, "hub account -> leaf account");
    assert!(nothing_arrives(&mut b_on_hub).await && nothing_arrives(&mut b_on_leaf).await, "B sees nothing");
}

/// An rnats leaf logs in to a Go hub with a password, bound to an account on each side.
async fn rnats_leaf_to_go_hub_with_accounts(release: GoRelease) {
    let leaf_port = free_port();
    let config = format!(
        "leafnodes {{ port: {leaf_port}, authorization {{ users: [ {{user: leaf, password: s3cret, account: HUB_A}} ] }} }}\n{HUB_ACCOUNTS}"
    );
    let Some(go_hub) = GoServer::with_config_release(release, &config, &[]) else { return };
    let leaf = server_from(&format!(
        "leafnodes {{ reconnect: \"1s\", remotes: [ {{ url: \"nats-leaf://leaf:s3cret@127.0.0.1:{leaf_port}\", account: LEAF_A }} ] }}\n{LEAF_ACCOUNTS}"
    ));
    assert!(eventually(|| leaf.state().link_count() == 1).await, "linked to the Go {} hub", release.version());
    accounts_stay_apart(&go_hub.url(), &leaf.url()).await;
}

/// A Go leaf logs in to an rnats hub with a password, bound to an account on each side.
async fn go_leaf_to_rnats_hub_with_accounts(release: GoRelease) {
    let hub = server_from(&format!(
        "leafnodes {{ port: -1, authorization {{ users: [ {{user: leaf, password: s3cret, account: HUB_A}} ] }} }}\n{HUB_ACCOUNTS}"
    ));
    let addr = hub.leaf_addr().expect("leaf port");
    let config = format!(
        "leafnodes {{ reconnect: 1, remotes: [ {{ url: \"nats-leaf://leaf:s3cret@{addr}\", account: LEAF_A }} ] }}\n{LEAF_ACCOUNTS}"
    );
    let Some(go_leaf) = GoServer::with_config_release(release, &config, &[]) else { return };
    assert!(eventually(|| hub.state().link_count() == 1).await, "the Go {} leaf logs in", release.version());
    accounts_stay_apart(&hub.url(), &go_leaf.url()).await;
}

/// One test per Go release for each scenario.
macro_rules! for_each_release {
    ($($scenario:ident => $debian:ident, $current:ident;)*) => {$(
        #[tokio::test]
        async fn $debian() {
            $scenario(GoRelease::Debian).await;
        }

        #[tokio::test]
        async fn $current() {
            $scenario(GoRelease::Current).await;
        }
    )*};
}

for_each_release! {
    rnats_leaf_to_go_hub => rnats_leaf_to_go_hub_2_9_10, rnats_leaf_to_go_hub_2_15_1;
    go_leaf_to_rnats_hub => go_leaf_to_rnats_hub_2_9_10, go_leaf_to_rnats_hub_2_15_1;
    rnats_leaf_to_go_hub_with_accounts => rnats_leaf_to_go_hub_with_accounts_2_9_10, rnats_leaf_to_go_hub_with_accounts_2_15_1;
    go_leaf_to_rnats_hub_with_accounts => go_leaf_to_rnats_hub_with_accounts_2_9_10, go_leaf_to_rnats_hub_with_accounts_2_15_1;
}

/// With nobody interested on the hub, messages published on the leaf stay on the leaf; one
/// subscriber on the hub makes them cross.
#[tokio::test]
async fn only_interest_makes_messages_cross() {
    let hub = hub("");
    let leaf = spoke(&hub.leaf_url(), "");
    assert!(linked(&leaf).await);
    let on_leaf = client(&leaf.url()).await;
    let mut local = on_leaf.subscribe("metrics.>").await.expect("local subscriber");
    assert!(interest(&hub, "$G", 2).await, "the hub learns the leaf's interest");
    for i in 0..200u32 {
        on_leaf.publish(format!("metrics.{i}"), Bytes::from_static(b"x")).await.expect("publish");
    }
    for _ in 0..200 {
        next_msg(&mut local).await;
    }
    assert_eq!(hub.state().link_messages_in(), 0, "no LMSG reached the hub without interest there");

    // Positive control: one subscriber on the hub.
    let on_hub = client(&hub.url()).await;
    let mut remote = on_hub.subscribe("metrics.>").await.expect("hub subscriber");
    assert!(interest(&leaf, "$G", 3).await);
    on_leaf.publish("metrics.crossing", Bytes::from_static(b"y")).await.expect("publish");
    assert_eq!(next_msg(&mut remote).await.subject.as_str(), "metrics.crossing");
    assert!(eventually(|| hub.state().link_messages_in() >= 1).await);
}

/// Seed 000: a master hub with one account per satellite organisation and a MASTER account
/// importing their streams; each satellite is a leaf server bound to its organisation's
/// account. Five publishers per satellite; the master consumer gets everything; a client on
/// satellite 1 subscribed to `>` never sees satellite 2's traffic.
const MASTER_ACCOUNTS: &str = r#"
accounts {
  SATELLITE1: {
    users: [ {user: satellite_acme, password: acme}, {user: "satellite_acme@acme.example"} ]
    exports: [ {stream: tornado.events}, {stream: telegraf_acme} ]
  }
  SATELLITE2: {
    users: [ {user: satellite_xyz, password: xyz}, {user: "CN=satellite_xyz,O=XYZ"} ]
    exports: [ {stream: tornado.events}, {stream: telegraf_xyz} ]
  }
  MASTER: {
    users: [ {user: master, password: master} ]
    imports: [
      {stream: {account: SATELLITE1, subject: tornado.events}, prefix: acme}
      {stream: {account: SATELLITE1, subject: telegraf_acme}}
      {stream: {account: SATELLITE2, subject: tornado.events}, prefix: xyz}
      {stream: {account: SATELLITE2, subject: telegraf_xyz}}
    ]
  }
}
"#;

async fn seed_scenario(master: &TestServer, satellite1: &TestServer, satellite2: &TestServer) {
    assert!(linked(satellite1).await && linked(satellite2).await, "both satellites connect");
    let consumer = async_nats::ConnectOptions::with_user_and_password("master".into(), "master".into())
        .connect(master.url())
        .await
        .expect("master login");
    let mut events = consumer.subscribe("*.tornado.events").await.expect("subscribe");
    let mut telegraf_acme = consumer.subscribe("telegraf_acme").await.expect("subscribe");
    let mut telegraf_xyz = consumer.subscribe("telegraf_xyz").await.expect("subscribe");
    // Both satellites learn the master's interest through their accounts' imports.
    assert!(interest(satellite1, "$G", 3).await && interest(satellite2, "$G", 3).await);

    let snoop1 = client(&satellite1.url()).await;
    let mut everything_on_1 = snoop1.subscribe(">").await.expect("subscribe");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut publishers = Vec::new();
    for (satellite, org) in [(satellite1, "acme"), (satellite2, "xyz")] {
        for p in 0..5 {
            let publisher = client(&satellite.url()).await;
            for i in 0..20 {
                publisher.publish("tornado.events", Bytes::from(format!("{org}-{p}-{i}"))).await.expect("publish");
                publisher
                    .publish(format!("telegraf_{org}"), Bytes::from(format!("{org}-{p}-{i}")))
                    .await
                    .expect("publish");
            }
            publisher.flush().await.expect("flush");
            publishers.push(publisher);
        }
    }
    let mut got_events = Vec::new();
    for _ in 0..200 {
        let msg = next_msg(&mut events).await;
        got_events.push(format!("{} {}", msg.subject, String::from_utf8_lossy(&msg.payload)));
    }
    for telegraf in [&mut telegraf_acme, &mut telegraf_xyz] {
        for _ in 0..100 {
            next_msg(telegraf).await;
        }
        assert!(nothing_arrives(telegraf).await);
    }
    assert_eq!(got_events.iter().filter(|e| e.starts_with("acme.tornado.events acme-")).count(), 100);
    assert_eq!(got_events.iter().filter(|e| e.starts_with("xyz.tornado.events xyz-")).count(), 100);

    // The snoop on satellite 1 saw satellite 1's own traffic, never satellite 2's.
    let mut seen_on_1 = Vec::new();
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), everything_on_1.next()).await {
        seen_on_1.push(String::from_utf8_lossy(&msg.payload).into_owned());
    }
    assert_eq!(seen_on_1.len(), 200, "satellite 1's 5 publishers x 20 x 2 subjects");
    assert!(seen_on_1.iter().all(|p| p.starts_with("acme-")), "nothing from satellite 2 reached satellite 1");
    assert!(nothing_arrives(&mut everything_on_1).await);
}

#[tokio::test]
async fn seed_satellites_with_passwords() {
    let master = server_from(&format!("leafnodes {{ port: -1 }}\n{MASTER_ACCOUNTS}"));
    let leaf_addr = master.leaf_addr().expect("leaf port");
    let satellite1 = spoke(&format!("nats-leaf://satellite_acme:acme@{leaf_addr}"), "");
    let satellite2 = spoke(&format!("nats-leaf://satellite_xyz:xyz@{leaf_addr}"), "");
    seed_scenario(&master, &satellite1, &satellite2).await;

    // Killing a satellite and starting it again resumes delivery.
    drop(satellite1);
    assert!(eventually(|| master.state().account("SATELLITE1").is_some_and(|a| a.link_count() == 0)).await);
    let consumer = async_nats::ConnectOptions::with_user_and_password("master".into(), "master".into())
        .connect(master.url())
        .await
        .expect("master login");
    let mut events = consumer.subscribe("acme.tornado.events").await.expect("subscribe");
    let satellite1 = spoke(&format!("nats-leaf://satellite_acme:acme@{leaf_addr}"), "");
    assert!(linked(&satellite1).await);
    let publisher = client(&satellite1.url()).await;
    assert!(delivered(&publisher, "tornado.events", &mut events).await, "delivery resumes after a restart");
}

#[tokio::test]
async fn seed_satellites_with_client_certificates() {
    let pki = TestPki::new();
    let tls = format!(
        "tls {{ cert_file: \"{}\", key_file: \"{}\", ca_file: \"{}\", verify_and_map: true }}",
        pki.server_cert.display(),
        pki.server_key.display(),
        pki.ca_file.display()
    );
    let master = server_from(&format!("leafnodes {{ port: -1, {tls} }}\n{MASTER_ACCOUNTS}"));
    let leaf_addr = master.leaf_addr().expect("leaf port");
    let acme = pki
        .client("acme", &ClientNames { emails: vec!["satellite_acme@acme.example".into()], ..ClientNames::default() });
    let xyz = pki.client(
        "xyz",
        &ClientNames { subject: vec![("O", "XYZ".into()), ("CN", "satellite_xyz".into())], ..ClientNames::default() },
    );
    let remote = |(cert, key): &(std::path::PathBuf, std::path::PathBuf)| {
        format!(
            "leafnodes {{ reconnect: 1, remotes: [ {{ url: \"tls://localhost:{}\", tls: {{ cert_file: \"{}\", key_file: \"{}\", ca_file: \"{}\" }} }} ] }}\n",
            leaf_addr.port(),
            cert.display(),
            key.display(),
            pki.ca_file.display()
        )
    };
    let satellite1 = server_from(&remote(&acme));
    let satellite2 = server_from(&remote(&xyz));
    seed_scenario(&master, &satellite1, &satellite2).await;
    assert!(master.state().account("SATELLITE1").is_some_and(|a| a.link_count() == 1), "mapped by email");
    assert!(master.state().account("SATELLITE2").is_some_and(|a| a.link_count() == 1), "mapped by subject");

    // A certificate that names no user gets no link.
    let stranger =
        pki.client("stranger", &ClientNames { subject: vec![("CN", "nobody".into())], ..ClientNames::default() });
    let refused = server_from(&remote(&stranger));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(refused.state().link_count(), 0);
}
