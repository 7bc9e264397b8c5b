//! Client TLS with a real client (async-nats over rustls): INFO then the handshake, client
//! certificates (`verify`), users mapped from certificates (`verify_and_map`, with
//! certificates made here and with nats-server's own test certificates), `pinned_certs`,
//! `handshake_first` and `allow_non_tls`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use rnats::options::TlsConfig;
use rnats_testkit::pki::{ClientNames, TestPki};
use rnats_testkit::{shared_dir, skip_or_fail, RawConn, TestServer};

use super::support::{eventually, next_msg, nothing_arrives, options_from};

fn tls_block(pki: &TestPki, extra: &str) -> String {
    format!(
        "tls {{\n  cert_file: \"{}\"\n  key_file: \"{}\"\n  ca_file: \"{}\"\n  {extra}\n}}\n",
        pki.server_cert.display(),
        pki.server_key.display(),
        pki.ca_file.display()
    )
}

fn url(server: &TestServer) -> String {
    format!("tls://localhost:{}", server.addr().port())
}

fn client(ca: &Path) -> async_nats::ConnectOptions {
    async_nats::ConnectOptions::new().add_root_certificates(ca.to_path_buf()).require_tls(true).max_reconnects(Some(0))
}

fn with_cert(ca: &Path, (cert, key): &(PathBuf, PathBuf)) -> async_nats::ConnectOptions {
    client(ca).add_client_certificate(cert.clone(), key.clone())
}

/// Connects and completes a round trip through the server (a subscription that receives the
/// client's own message), or says why not.
async fn round_trip(
    options: async_nats::ConnectOptions,
    url: &str,
    subject: &str,
) -> Result<async_nats::Client, String> {
    let connect = tokio::time::timeout(Duration::from_secs(5), options.connect(url));
    let client = connect.await.map_err(|_| "connect timed out".to_string())?.map_err(|e| e.to_string())?;
    let mut sub = client.subscribe(subject.to_string()).await.map_err(|e| e.to_string())?;
    // Publish until the subscription is in place (async-nats's flush does not wait for it).
    for _ in 0..50 {
        client.publish(subject.to_string(), Bytes::from_static(b"ping")).await.map_err(|e| e.to_string())?;
        if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(100), sub.next()).await {
            return Ok(client);
        }
    }
    Err("no round trip".into())
}

#[tokio::test]
async fn tls_after_info_carries_traffic() {
    let pki = TestPki::new();
    let server = TestServer::with_options(options_from(&tls_block(&pki, "timeout: 2")));
    round_trip(client(&pki.ca_file), &url(&server), "secure.hello").await.expect("TLS round trip");

    // INFO goes out in plain text and says TLS is required; plain text after it is refused.
    let mut plain = RawConn::connect(server.addr());
    plain.read_until(Duration::from_secs(5), |r| r.ends_with(b"\r\n"));
    let info = String::from_utf8_lossy(plain.received()).to_string();
    assert!(info.starts_with("INFO ") && info.contains("\"tls_required\":true"), "{info}");
    plain.send(b"CONNECT {\"verbose\":false}\r\nPING\r\n");
    assert!(plain.is_closed(Duration::from_secs(5)), "a plain-text client is disconnected");
    assert!(!String::from_utf8_lossy(plain.received()).contains("PONG"));
}

#[tokio::test]
async fn a_silent_client_is_dropped_at_the_tls_timeout() {
    let pki = TestPki::new();
    let server = TestServer::with_options(options_from(&tls_block(&pki, "timeout: 0.3")));
    let mut silent = RawConn::connect(server.addr());
    assert!(silent.is_closed(Duration::from_secs(5)));
}

#[tokio::test]
async fn verify_requires_a_certificate_from_the_ca() {
    let pki = TestPki::new();
    let server = TestServer::with_options(options_from(&tls_block(&pki, "verify: true")));
    let good = pki.client("good", &ClientNames { subject: vec![("CN", "good".into())], ..ClientNames::default() });
    round_trip(with_cert(&pki.ca_file, &good), &url(&server), "v.ok").await.expect("trusted client certificate");
    assert!(round_trip(client(&pki.ca_file), &url(&server), "v.none").await.is_err(), "no certificate");
    let stranger = pki.stranger("stranger");
    assert!(round_trip(with_cert(&pki.ca_file, &stranger), &url(&server), "v.bad").await.is_err(), "unknown CA");
}

/// Users named by email, DNS name, URI and distinguished name, each in its own account.
#[tokio::test]
async fn verify_and_map_names_the_user_and_account() {
    let pki = TestPki::new();
    let text = format!(
        r#"{}
accounts {{
  EMAIL: {{ users: [ {{user: "alice@acme.example"}} ] }}
  DNS:   {{ users: [ {{user: "sensor.xyz.example"}} ] }}
  URI:   {{ users: [ {{user: "spiffe://acme.example/satellite"}} ] }}
  DN:    {{ users: [ {{user: "CN=satellite,OU=Edge,O=Acme"}} ] }}
}}
"#,
        tls_block(&pki, "verify_and_map: true")
    );
    let server = TestServer::with_options(options_from(&text));
    let email = pki.client(
        "email",
        &ClientNames {
            subject: vec![("CN", "ignored".into())],
            emails: vec!["alice@acme.example".into()],
            ..ClientNames::default()
        },
    );
    let dns = pki.client("dns", &ClientNames { dns: vec!["sensor.xyz.example".into()], ..ClientNames::default() });
    let uri = pki
        .client("uri", &ClientNames { uris: vec!["spiffe://acme.example/satellite".into()], ..ClientNames::default() });
    // Subject in certificate order: O, OU, CN (RFC 2253 prints it reversed).
    let dn = pki.client(
        "dn",
        &ClientNames {
            subject: vec![("O", "Acme".into()), ("OU", "Edge".into()), ("CN", "satellite".into())],
            ..ClientNames::default()
        },
    );
    let unknown =
        pki.client("unknown", &ClientNames { subject: vec![("CN", "nobody".into())], ..ClientNames::default() });

    let mut clients = Vec::new();
    for (files, account) in [(&email, "EMAIL"), (&dns, "DNS"), (&uri, "URI"), (&dn, "DN")] {
        let client = round_trip(with_cert(&pki.ca_file, files), &url(&server), "data").await.expect(account);
        clients.push((client, account));
    }
    for (_, account) in &clients {
        let acc = server.state().account(account).expect("account");
        assert_eq!(acc.connection_count(), 1, "{account} holds its mapped client");
    }
    // Each mapped user is in its own account: a message on "data" in EMAIL reaches nobody else.
    let mut dn_sub = clients[3].0.subscribe("iso").await.expect("subscribe");
    assert!(eventually(|| server.state().account("DN").is_some_and(|a| a.subscription_count() >= 1)).await);
    clients[0].0.publish("iso", Bytes::from_static(b"leak?")).await.expect("publish");
    clients[0].0.flush().await.expect("flush");
    assert!(tokio::time::timeout(Duration::from_millis(300), dn_sub.next()).await.is_err(), "accounts are isolated");

    let refused = round_trip(with_cert(&pki.ca_file, &unknown), &url(&server), "x").await;
    assert!(refused.is_err(), "a certificate that names no user is refused");
}

#[tokio::test]
async fn pinned_certs_admit_only_listed_keys() {
    let pki = TestPki::new();
    let names = ClientNames { subject: vec![("CN", "pinned".into())], ..ClientNames::default() };
    let pinned = pki.client("pinned", &names);
    let other = pki.client("other", &ClientNames { subject: vec![("CN", "other".into())], ..ClientNames::default() });
    let der = std::fs::read(&pinned.0).expect("cert");
    let pem = String::from_utf8(der).expect("pem");
    let identity = pem_identity(&pem);
    let server = TestServer::with_options(options_from(&tls_block(
        &pki,
        &format!("verify: true\n  pinned_certs: [\"{}\"]", identity.spki_sha256),
    )));
    round_trip(with_cert(&pki.ca_file, &pinned), &url(&server), "p.ok").await.expect("pinned key");
    assert!(round_trip(with_cert(&pki.ca_file, &other), &url(&server), "p.no").await.is_err(), "unpinned key");
}

fn pem_identity(pem: &str) -> rnats::auth::CertIdentity {
    use base64::Engine;
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
    rnats::auth::CertIdentity::from_der(&der).expect("certificate")
}

#[tokio::test]
async fn handshake_first_with_and_without_fallback() {
    let pki = TestPki::new();
    let first = TestServer::with_options(options_from(&tls_block(&pki, "handshake_first: true")));
    round_trip(client(&pki.ca_file).tls_first(), &url(&first), "hf").await.expect("TLS first");

    let fallback = TestServer::with_options(options_from(&tls_block(&pki, "handshake_first: \"300ms\"")));
    round_trip(client(&pki.ca_file).tls_first(), &url(&fallback), "hf1").await.expect("TLS first");
    round_trip(client(&pki.ca_file), &url(&fallback), "hf2").await.expect("INFO first after the delay");
}

#[tokio::test]
async fn allow_non_tls_serves_both() {
    let pki = TestPki::new();
    let text = format!("{}allow_non_tls: true\n", tls_block(&pki, ""));
    let server = TestServer::with_options(options_from(&text));
    round_trip(client(&pki.ca_file), &url(&server), "both.tls").await.expect("TLS client");
    let plain = async_nats::ConnectOptions::new().max_reconnects(Some(0));
    round_trip(plain, &server.url(), "both.plain").await.expect("plain client");
}

/// The corpus's TLS-mapping configurations, run as nats-server's own tests run them: users
/// named by certificate subject (tls_cert_cn.conf), SANs (tls_cert_san_emails.conf) and email
/// (tls_cert_id.conf), with their permissions.
#[tokio::test]
async fn corpus_verify_and_map_configs_behave() {
    let Some(shared) = shared_dir() else {
        skip_or_fail("../shared/conf-corpus is needed");
        return;
    };
    let test_dir = shared.join("conf-corpus/test");
    let certs = test_dir.join("configs/certs");
    let load = |name: &str| -> TestServer {
        let text = std::fs::read_to_string(test_dir.join("configs").join(name)).expect("corpus file");
        let text = text.replace("./configs/", &format!("{}/configs/", test_dir.display()));
        TestServer::with_options(options_from(&text))
    };
    let pair = |dir: &str, cert: &str, key: &str| (certs.join(dir).join(cert), certs.join(dir).join(key));

    // tls_cert_cn.conf: "CN=example.com,OU=NATS.io" gets the default permissions (public.>),
    // "CN=example.com,OU=CNCF" may use anything.
    let server = load("tls_cert_cn.conf");
    let ca = certs.join("tlsauth/ca.pem");
    let limited = with_cert(&ca, &pair("tlsauth", "client.pem", "client-key.pem"));
    round_trip(limited, &url(&server), "public.x").await.expect("mapped by subject, public allowed");
    let limited = with_cert(&ca, &pair("tlsauth", "client.pem", "client-key.pem"));
    assert!(round_trip(limited, &url(&server), "private.x").await.is_err(), "default permissions apply");
    let full = with_cert(&ca, &pair("tlsauth", "client2.pem", "client2-key.pem"));
    round_trip(full, &url(&server), "private.x").await.expect("the CNCF user may use anything");

    // tls_cert_san_emails.conf: an email SAN, a DNS SAN, and the subject when no SAN matches.
    let server = load("tls_cert_san_emails.conf");
    let ca = certs.join("sans/ca.pem");
    let dev = with_cert(&ca, &pair("sans", "dev-email.pem", "dev-email-key.pem"));
    round_trip(dev, &url(&server), "sandbox.x").await.expect("root@app.nats.dev");
    let prod = with_cert(&ca, &pair("sans", "prod.pem", "prod-key.pem"));
    round_trip(prod, &url(&server), "anything").await.expect("*.app.nats.prod");
    let cn = with_cert(&ca, &pair("sans", "client.pem", "client-key.pem"));
    round_trip(cn, &url(&server), "public.cn").await.expect("CN=www.nats.io");

    // tls_cert_id.conf: derek@nats.io may publish only to "foo".
    let server = load("tls_cert_id.conf");
    let ca = certs.join("ca.pem");
    let derek = (certs.join("client-id-auth-cert.pem"), certs.join("client-id-auth-key.pem"));
    let url = format!("tls://localhost:{}", server.addr().port());
    let client = with_cert(&ca, &derek).connect(&url).await.expect("mapped by email");
    let mut everything = client.subscribe(">").await.expect("subscribe is unrestricted");
    assert!(eventually(|| server.state().global_account().subscription_count() >= 1).await);
    client.publish("bar", Bytes::from_static(b"denied")).await.expect("publish");
    client.publish("foo", Bytes::from_static(b"ok")).await.expect("publish");
    let msg = next_msg(&mut everything).await;
    assert_eq!((msg.subject.as_str(), msg.payload.as_ref()), ("foo", &b"ok"[..]), "bar was denied");
    assert!(nothing_arrives(&mut everything).await);
}

/// Distinguished names with domain components, as nats-server's rdns tests write them: the
/// RFC 2253 order and Go's string with the DCs appended both name the user.
#[tokio::test]
async fn distinguished_names_with_domain_components() {
    let Some(shared) = shared_dir() else {
        skip_or_fail("../shared/conf-corpus is needed");
        return;
    };
    let rdns = shared.join("conf-corpus/test/configs/certs/rdns");
    for user in [
        "CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2",
        "DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US",
    ] {
        let tls = TlsConfig {
            cert_file: Some(rdns.join("server.pem")),
            key_file: Some(rdns.join("server.key")),
            ca_file: Some(rdns.join("ca.pem")),
            verify: true,
            map_users: true,
            ..TlsConfig::default()
        };
        let users = vec![rnats::options::ConfigUser { user: Some(user.into()), ..Default::default() }];
        let server = TestServer::with_options(rnats::Options { tls: Some(tls), users, ..rnats::Options::default() });
        let files = (rdns.join("client-a.pem"), rdns.join("client-a.key"));
        round_trip(with_cert(&rdns.join("ca.pem"), &files), &url(&server), "dc").await.expect(user);
    }
}
