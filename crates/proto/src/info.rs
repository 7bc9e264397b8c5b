use serde::Serialize;

/// The JSON body of the server's `INFO`, with nats-server's keys in nats-server's order.
/// Fields that nats-server omits when empty are omitted here too.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Info {
    /// Server public nkey (`N...`).
    pub server_id: String,
    /// Configured name, or the server id.
    pub server_name: String,
    /// The nats-server release whose client-visible features this server implements.
    pub version: String,
    /// Protocol level.
    pub proto: i32,
    /// Build commit.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub git_commit: String,
    /// Runtime description (Go's version in nats-server; ours names the Rust toolchain).
    pub go: String,
    /// Listen host.
    pub host: String,
    /// Listen port.
    pub port: u16,
    /// Headers are supported.
    pub headers: bool,
    /// Clients must authenticate.
    #[serde(skip_serializing_if = "is_false")]
    pub auth_required: bool,
    /// Clients must use TLS.
    #[serde(skip_serializing_if = "is_false")]
    pub tls_required: bool,
    /// Client certificates are verified.
    #[serde(skip_serializing_if = "is_false")]
    pub tls_verify: bool,
    /// TLS is possible but not required.
    #[serde(skip_serializing_if = "is_false")]
    pub tls_available: bool,
    /// Largest payload accepted.
    pub max_payload: i64,
    /// JetStream is enabled.
    #[serde(skip_serializing_if = "is_false")]
    pub jetstream: bool,
    /// Route URL (routes only).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ip: String,
    /// Connection id.
    #[serde(skip_serializing_if = "is_zero")]
    pub client_id: u64,
    /// The client's address as the server sees it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_ip: String,
    /// Nonce to sign for nkey/JWT authentication.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub nonce: String,
    /// Cluster name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cluster: String,
    /// Client URLs of the cluster's servers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connect_urls: Vec<String>,
    /// The server is in lame-duck mode.
    #[serde(skip_serializing_if = "is_false")]
    pub ldm: bool,
    /// This INFO answers the client's CONNECT (nats-server 2.12 and later send one after the
    /// first PONG to clients that speak protocol 1).
    #[serde(skip_serializing_if = "is_false")]
    pub connect_info: bool,
    /// The account the connection is bound to (in the CONNECT answer).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub remote_account: String,
    /// That account is the system account (in the CONNECT answer).
    #[serde(skip_serializing_if = "is_false")]
    pub acc_is_sys: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
