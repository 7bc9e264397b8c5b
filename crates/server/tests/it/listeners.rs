//! Where the listeners listen. Without a host (nats-server's `0.0.0.0`), Go's runtime listens
//! on IPv6 and IPv4 at once, so `nats://[::1]:port` reaches the server; rnats does the same.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use rnats::log::Logger;
use rnats_testkit::{RawConn, TestServer};

use crate::support::{next_msg, options_from};

/// Whether this machine has an IPv6 loopback to test with.
fn ipv6_loopback() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

/// The `client_ip` a fresh connection to `addr` is told in INFO.
fn client_ip(addr: SocketAddr) -> String {
    let mut conn = RawConn::connect(addr);
    let info = conn.read_until(Duration::from_secs(5), |r| r.ends_with(b"\r\n")).to_vec();
    let text = String::from_utf8_lossy(&info);
    let json = text.trim_start_matches("INFO ").trim_end();
    let info: serde_json::Value = serde_json::from_str(json).expect("INFO is JSON");
    info["client_ip"].as_str().expect("client_ip").to_string()
}

#[tokio::test]
async fn default_host_serves_ipv6_and_ipv4_clients_and_leaf_nodes() {
    if !ipv6_loopback() {
        eprintln!("skipping: this machine has no IPv6 loopback");
        return;
    }
    let options = options_from("leafnodes { port: -1 }\n");
    assert_eq!(options.host, "0.0.0.0", "the default host");
    let server = TestServer::on_configured_host(options, Logger::silent());
    let port = server.addr().port();
    let client = async_nats::connect(format!("nats://[::1]:{port}")).await.expect("connect over IPv6");
    let mut sub = client.subscribe("over.v6").await.expect("subscribe");
    client.publish("over.v6", Bytes::from_static(b"hi")).await.expect("publish");
    assert_eq!(next_msg(&mut sub).await.payload, Bytes::from_static(b"hi"));
    // Clients are named by the address they came from, an IPv4 one as plain IPv4.
    assert_eq!(client_ip(SocketAddr::from(([127, 0, 0, 1], port))), "127.0.0.1");
    assert_eq!(client_ip(SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port))), "::1");
    let leaf_port = server.leaf_addr().expect("leaf listener").port();
    let mut leaf = RawConn::connect(SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, leaf_port)));
    assert!(leaf.expect_contains(b"INFO {", Duration::from_secs(5)), "the leaf listener answers over IPv6");
}
