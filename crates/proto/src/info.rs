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

/// JSON types of INFO fields, as nats-server's `Info` struct declares them.
#[derive(Clone, Copy)]
enum FieldType {
    Text,
    Integer,
    Flag,
    TextList,
}

const INFO_FIELDS: &[(&str, FieldType)] = &[
    ("server_id", FieldType::Text),
    ("server_name", FieldType::Text),
    ("version", FieldType::Text),
    ("proto", FieldType::Integer),
    ("git_commit", FieldType::Text),
    ("go", FieldType::Text),
    ("host", FieldType::Text),
    ("port", FieldType::Integer),
    ("headers", FieldType::Flag),
    ("auth_required", FieldType::Flag),
    ("tls_required", FieldType::Flag),
    ("tls_verify", FieldType::Flag),
    ("tls_available", FieldType::Flag),
    ("max_payload", FieldType::Integer),
    ("jetstream", FieldType::Flag),
    ("ip", FieldType::Text),
    ("client_id", FieldType::Integer),
    ("client_ip", FieldType::Text),
    ("nonce", FieldType::Text),
    ("cluster", FieldType::Text),
    ("cluster_dynamic", FieldType::Flag),
    ("domain", FieldType::Text),
    ("connect_urls", FieldType::TextList),
    ("ws_connect_urls", FieldType::TextList),
    ("ldm", FieldType::Flag),
    ("lnoc", FieldType::Flag),
    ("info_on_connect", FieldType::Flag),
    ("connect_info", FieldType::Flag),
    ("gateway", FieldType::Text),
    ("gateway_urls", FieldType::TextList),
    ("gateway_url", FieldType::Text),
    ("gateway_nrp", FieldType::Flag),
    ("gateway_iom", FieldType::Flag),
    ("leafnode_urls", FieldType::TextList),
    ("remote_account", FieldType::Text),
    ("xkey", FieldType::Text),
];

/// Whether an INFO body would decode into nats-server's `Info` struct: JSON `null` or an
/// object whose known fields (matched case-insensitively) have the declared types. nats-server
/// closes a client whose INFO does not.
pub fn is_decodable_info(json: &[u8]) -> bool {
    use serde_json::Value;
    let fields = match serde_json::from_slice::<Value>(json) {
        Ok(Value::Null) => return true,
        Ok(Value::Object(fields)) => fields,
        _ => return false,
    };
    fields.iter().all(|(key, value)| {
        let key = key.to_ascii_lowercase();
        let Some(&(_, kind)) = INFO_FIELDS.iter().find(|(name, _)| *name == key) else { return true };
        match (kind, value) {
            (_, Value::Null) => true,
            (FieldType::Text, Value::String(_)) | (FieldType::Flag, Value::Bool(_)) => true,
            (FieldType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (FieldType::TextList, Value::Array(items)) => items.iter().all(|i| i.is_string() || i.is_null()),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_decodability() {
        assert!(is_decodable_info(b"{}"));
        assert!(is_decodable_info(b"null"));
        assert!(is_decodable_info(br#"{"port":4222,"connect_urls":["a"],"unknown":[1]}"#));
        assert!(!is_decodable_info(br#"{"port":"x"}"#));
        assert!(!is_decodable_info(br#"{"Headers":1}"#));
        assert!(!is_decodable_info(b"[]"));
        assert!(!is_decodable_info(b"nope"));
    }
}
