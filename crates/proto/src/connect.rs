use serde::Deserialize;

/// The JSON body of a client's `CONNECT`.
///
/// Omitted fields take nats-server's defaults: `verbose`, `pedantic` and `echo` are true.
/// Unknown fields are ignored, as nats-server ignores them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ConnectOptions {
    /// Acknowledge every operation with `+OK`.
    pub verbose: bool,
    /// Check publish subjects strictly.
    pub pedantic: bool,
    /// The client asks for TLS.
    pub tls_required: bool,
    /// Token credential.
    pub auth_token: Option<String>,
    /// User name credential.
    pub user: Option<String>,
    /// Password credential.
    pub pass: Option<String>,
    /// Client name, for monitoring.
    pub name: Option<String>,
    /// Client library language.
    pub lang: Option<String>,
    /// Client library version.
    pub version: Option<String>,
    /// 0 (original) or 1 (understands async INFO).
    pub protocol: i64,
    /// Legacy field; nats-server rejects a CONNECT that carries it.
    pub account: Option<String>,
    /// Legacy field; nats-server rejects a CONNECT that carries it.
    pub new_account: Option<bool>,
    /// Receive one's own publishes.
    pub echo: bool,
    /// Signature of the INFO nonce.
    pub sig: Option<String>,
    /// User public nkey.
    pub nkey: Option<String>,
    /// User JWT.
    pub jwt: Option<String>,
    /// The client understands `HPUB`/`HMSG`.
    pub headers: bool,
    /// The client wants 503 status messages for requests without responders.
    pub no_responders: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            verbose: true,
            pedantic: true,
            tls_required: false,
            auth_token: None,
            user: None,
            pass: None,
            name: None,
            lang: None,
            version: None,
            protocol: 0,
            account: None,
            new_account: None,
            echo: true,
            sig: None,
            nkey: None,
            jwt: None,
            headers: false,
            no_responders: false,
        }
    }
}

impl ConnectOptions {
    /// Decodes a CONNECT body.
    pub fn from_json(json: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_nats_server() {
        let c = ConnectOptions::from_json(b"{}").unwrap();
        assert!(c.verbose && c.pedantic && c.echo);
        assert!(!c.headers && !c.no_responders);
        assert_eq!(c.protocol, 0);
    }

    #[test]
    fn all_fields_parse_and_unknown_ones_are_ignored() {
        let c = ConnectOptions::from_json(
            br#"{"verbose":false,"pedantic":false,"echo":false,"headers":true,"no_responders":true,
            "protocol":1,"name":"n","lang":"rust","version":"1","user":"u","pass":"p",
            "auth_token":"t","nkey":"UA","sig":"s","jwt":"j","tls_required":true,"future":[1]}"#,
        )
        .unwrap();
        assert!(!c.verbose && !c.pedantic && !c.echo && c.headers && c.no_responders);
        assert_eq!(c.user.as_deref(), Some("u"));
        assert_eq!(c.jwt.as_deref(), Some("j"));
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(ConnectOptions::from_json(br#"{"verbose":"yes"}"#).is_err());
        assert!(ConnectOptions::from_json(b"xyz").is_err());
    }
}
