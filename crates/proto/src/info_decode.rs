//! Whether a client's INFO would decode into nats-server 2.15.1's `Info` struct: nats-server
//! closes a client whose INFO does not. 2.15.1 declares more fields than 2.9.10 (compression,
//! route pooling, the CONNECT answer's account fields, the JetStream API level), so an INFO
//! 2.9.10 let through may close the connection now.

use serde_json::{Map, Number, Value};

/// Go types of the fields, as JSON sees them.
#[derive(Clone, Copy)]
enum GoType {
    Text,
    Flag,
    /// `int`: 64 bits on the platforms nats-server ships for.
    Int,
    Int32,
    Uint64,
    Byte,
    /// `[]byte`: a base64 string.
    Bytes,
    TextList,
    /// `*SubjectPermission`: an object with `allow` and `deny` text lists.
    Permission,
}

const INFO_FIELDS: &[(&str, GoType)] = &[
    ("server_id", GoType::Text),
    ("server_name", GoType::Text),
    ("version", GoType::Text),
    ("proto", GoType::Int),
    ("git_commit", GoType::Text),
    ("go", GoType::Text),
    ("host", GoType::Text),
    ("port", GoType::Int),
    ("headers", GoType::Flag),
    ("auth_required", GoType::Flag),
    ("tls_required", GoType::Flag),
    ("tls_verify", GoType::Flag),
    ("tls_available", GoType::Flag),
    ("max_payload", GoType::Int32),
    ("jetstream", GoType::Flag),
    ("ip", GoType::Text),
    ("client_id", GoType::Uint64),
    ("client_ip", GoType::Text),
    ("nonce", GoType::Text),
    ("cluster", GoType::Text),
    ("cluster_dynamic", GoType::Flag),
    ("domain", GoType::Text),
    ("connect_urls", GoType::TextList),
    ("ws_connect_urls", GoType::TextList),
    ("ldm", GoType::Flag),
    ("compression", GoType::Text),
    ("connect_info", GoType::Flag),
    ("remote_account", GoType::Text),
    ("acc_is_sys", GoType::Flag),
    ("api_lvl", GoType::Int),
    ("import", GoType::Permission),
    ("export", GoType::Permission),
    ("lnoc", GoType::Flag),
    ("lnocu", GoType::Flag),
    ("info_on_connect", GoType::Flag),
    ("route_pool_size", GoType::Int),
    ("route_pool_idx", GoType::Int),
    ("route_account", GoType::Text),
    ("route_acc_add_reqid", GoType::Text),
    ("gossip_mode", GoType::Byte),
    ("gateway", GoType::Text),
    ("gateway_urls", GoType::TextList),
    ("gateway_url", GoType::Text),
    ("gateway_cmd", GoType::Byte),
    ("gateway_cmd_payload", GoType::Bytes),
    ("gateway_nrp", GoType::Flag),
    ("gateway_iom", GoType::Flag),
    ("leafnode_urls", GoType::TextList),
    ("xkey", GoType::Text),
];

/// Whether an INFO body decodes into nats-server's `Info`: JSON `null`, or an object whose
/// known fields (keys matched case-insensitively) hold values of their Go types.
pub fn is_decodable_info(json: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(json) {
        Ok(Value::Null) => true,
        Ok(Value::Object(fields)) => fields_decode(&fields, INFO_FIELDS),
        _ => false,
    }
}

fn fields_decode(fields: &Map<String, Value>, known: &[(&str, GoType)]) -> bool {
    fields.iter().all(|(key, value)| {
        let key = key.to_ascii_lowercase();
        known.iter().find(|(name, _)| *name == key).is_none_or(|&(_, kind)| decodes(kind, value))
    })
}

fn decodes(kind: GoType, value: &Value) -> bool {
    const PERMISSION_FIELDS: &[(&str, GoType)] = &[("allow", GoType::TextList), ("deny", GoType::TextList)];
    match (kind, value) {
        // null leaves any field as it was.
        (_, Value::Null) => true,
        (GoType::Text, Value::String(_)) | (GoType::Flag, Value::Bool(_)) => true,
        (GoType::Int, Value::Number(n)) => n.as_i64().is_some(),
        (GoType::Int32, Value::Number(n)) => fits(n, i64::from(i32::MIN), i64::from(i32::MAX)),
        (GoType::Byte, Value::Number(n)) => fits(n, 0, i64::from(u8::MAX)),
        (GoType::Uint64, Value::Number(n)) => n.as_u64().is_some(),
        (GoType::Bytes, Value::String(text)) => is_base64(text),
        (GoType::TextList, Value::Array(items)) => items.iter().all(|i| i.is_string() || i.is_null()),
        (GoType::Permission, Value::Object(fields)) => fields_decode(fields, PERMISSION_FIELDS),
        _ => false,
    }
}

/// Whether `n` is an integer literal within `min..=max` (Go parses integer fields with
/// `strconv`, so `1.0` and `1e3` do not fit either).
fn fits(n: &Number, min: i64, max: i64) -> bool {
    n.as_i64().is_some_and(|v| (min..=max).contains(&v))
}

/// Go's `base64.StdEncoding` as `encoding/json` decodes `[]byte`: padded, line breaks ignored.
fn is_base64(text: &str) -> bool {
    let symbols: Vec<u8> = text.bytes().filter(|b| !matches!(b, b'\r' | b'\n')).collect();
    let data = symbols.strip_suffix(b"==").or_else(|| symbols.strip_suffix(b"=")).unwrap_or(&symbols);
    symbols.len().is_multiple_of(4) && data.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/'))
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

    #[test]
    fn integers_fit_their_go_types() {
        assert!(is_decodable_info(br#"{"max_payload":2147483647,"client_id":18446744073709551615}"#));
        assert!(!is_decodable_info(br#"{"max_payload":2147483648}"#));
        assert!(!is_decodable_info(br#"{"client_id":-1}"#));
        assert!(!is_decodable_info(br#"{"gossip_mode":256}"#));
        assert!(!is_decodable_info(br#"{"port":1.0}"#));
    }

    #[test]
    fn bytes_and_permissions() {
        assert!(is_decodable_info(br#"{"gateway_cmd_payload":"aGk=","import":{"allow":["a"],"deny":null}}"#));
        assert!(is_decodable_info(br#"{"gateway_cmd_payload":"","export":{"other":1}}"#));
        assert!(!is_decodable_info(br#"{"gateway_cmd_payload":"aGk"}"#));
        assert!(!is_decodable_info(br#"{"gateway_cmd_payload":"a=Gk"}"#));
        assert!(!is_decodable_info(br#"{"import":{"allow":"a"}}"#));
        assert!(!is_decodable_info(br#"{"export":[]}"#));
    }
}
