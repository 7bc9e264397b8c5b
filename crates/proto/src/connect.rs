use crate::go_json::{self, Document, Member};

/// The JSON body of a client's `CONNECT`.
///
/// Omitted fields take nats-server's defaults: `verbose`, `pedantic` and `echo` are true.
/// Unknown fields are ignored, as nats-server ignores them.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Decodes a CONNECT body over the defaults.
    pub fn from_json(json: &[u8]) -> Result<Self, ConnectError> {
        let mut options = ConnectOptions::default();
        options.update_from_json(json)?;
        Ok(options)
    }

    /// Decodes a CONNECT body over these options, as Go's `json.Unmarshal` fills an existing
    /// struct (which is what nats-server does on every CONNECT): fields the body omits or sets
    /// to `null` keep their value, keys match case-insensitively, the last duplicate wins, a
    /// `null` body changes nothing, and a value of the wrong type is an error. Strings with
    /// bytes that are not UTF-8 or lone surrogate escapes, and nesting up to 10 000 levels, are
    /// accepted as Go accepts them (see `go_json`).
    pub fn update_from_json(&mut self, json: &[u8]) -> Result<(), ConnectError> {
        let members = match go_json::parse(json).map_err(|_| ConnectError)? {
            Document::Null => return Ok(()),
            Document::Object(members) => members,
            Document::Other => return Err(ConnectError),
        };
        let mut result = Ok(());
        for (key, value) in members {
            let Some(key) = go_json::fold_key(&key) else { continue };
            if value == Member::Null {
                continue;
            }
            // Go keeps decoding after a type error and reports the first one at the end.
            if let Err(e) = self.set_field(&key, value) {
                result = result.and(Err(e));
            }
        }
        result
    }

    fn set_field(&mut self, key: &str, value: Member<'_>) -> Result<(), ConnectError> {
        let flag = |v: &Member<'_>| match v {
            Member::Bool(b) => Ok(*b),
            _ => Err(ConnectError),
        };
        let text = |v: Member<'_>| match v {
            Member::String(s) => Ok(Some(s)),
            _ => Err(ConnectError),
        };
        match key {
            "verbose" => self.verbose = flag(&value)?,
            "pedantic" => self.pedantic = flag(&value)?,
            "tls_required" => self.tls_required = flag(&value)?,
            "echo" => self.echo = flag(&value)?,
            "headers" => self.headers = flag(&value)?,
            "no_responders" => self.no_responders = flag(&value)?,
            "new_account" => self.new_account = Some(flag(&value)?),
            "protocol" => self.protocol = integer(&value)?,
            "auth_token" => self.auth_token = text(value)?,
            "user" => self.user = text(value)?,
            "pass" => self.pass = text(value)?,
            "name" => self.name = text(value)?,
            "lang" => self.lang = text(value)?,
            "version" => self.version = text(value)?,
            "account" => self.account = text(value)?,
            "sig" => self.sig = text(value)?,
            "nkey" => self.nkey = text(value)?,
            "jwt" => self.jwt = text(value)?,
            // Fields of nats-server's CONNECT for routes, leaf nodes and proxies: a client's
            // value is not used, but the wrong type fails the CONNECT there too.
            "remote_account" | "proxy_sig" => drop(text(value)?),
            "import" | "export" => subject_permission(&value)?,
            _ => {}
        }
        Ok(())
    }
}

/// A JSON number into a Go `int`: an integer literal that fits 64 bits.
fn integer(value: &Member<'_>) -> Result<i64, ConnectError> {
    let Member::Number(digits) = value else { return Err(ConnectError) };
    std::str::from_utf8(digits).ok().and_then(|d| d.parse().ok()).ok_or(ConnectError)
}

/// The shape of nats-server's `SubjectPermission` (`allow` and `deny`, lists of strings).
fn subject_permission(value: &Member<'_>) -> Result<(), ConnectError> {
    let Member::Object(object) = value else { return Err(ConnectError) };
    for (key, list) in go_json::members(object).map_err(|_| ConnectError)? {
        if !matches!(go_json::fold_key(&key).as_deref(), Some("allow" | "deny")) {
            continue;
        }
        match list {
            Member::Null => {}
            Member::Array(array) => {
                let elements = go_json::elements(array).map_err(|_| ConnectError)?;
                if !elements.iter().all(|e| matches!(e, Member::String(_) | Member::Null)) {
                    return Err(ConnectError);
                }
            }
            _ => return Err(ConnectError),
        }
    }
    Ok(())
}

/// A CONNECT body that is not valid JSON, not an object, or has a field of the wrong type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectError;

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid CONNECT JSON")
    }
}

impl std::error::Error for ConnectError {}

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
    fn decoding_fills_over_existing_values_like_go() {
        let mut c = ConnectOptions::from_json(br#"{"verbose":false,"name":"a"}"#).unwrap();
        c.update_from_json(b"{}").unwrap();
        assert!(!c.verbose, "omitted fields keep their value");
        c.update_from_json(br#"{"Verbose":true,"name":null}"#).unwrap();
        assert!(c.verbose, "keys match case-insensitively");
        assert_eq!(c.name.as_deref(), Some("a"), "null leaves a field alone");
        c.update_from_json(b"null").unwrap();
        assert!(c.update_from_json(b"[]").is_err());
        c.update_from_json(br#"{"echo":false,"echo":true}"#).unwrap();
        assert!(c.echo, "the last duplicate wins");
    }

    #[test]
    fn wrong_types_are_errors() {
        assert!(ConnectOptions::from_json(br#"{"verbose":"yes"}"#).is_err());
        assert!(ConnectOptions::from_json(b"xyz").is_err());
        // Checked against nats-server 2.15.1: each of these closes the connection.
        for bad in [
            &br#"{"protocol":1.0}"#[..],
            br#"{"protocol":99999999999999999999}"#,
            br#"{"remote_account":5}"#,
            br#"{"proxy_sig":true}"#,
            br#"{"import":{"allow":5}}"#,
            br#"{"export":{"deny":[1]}}"#,
            br#"{"import":"a"}"#,
        ] {
            assert!(ConnectOptions::from_json(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let fine = br#"{"import":{"allow":["a",null],"other":1},"export":null,"protocol":-0}"#;
        assert!(ConnectOptions::from_json(fine).is_ok());
    }

    /// What nats-server 2.15.1 accepts and serde_json would not.
    #[test]
    fn go_json_leniency() {
        let c = ConnectOptions::from_json(b"{\"verbose\":false,\"name\":\"a\xff\xfeb\"}").unwrap();
        assert_eq!(c.name.as_deref(), Some("a\u{fffd}\u{fffd}b"));
        let c = ConnectOptions::from_json(br#"{"name":"\ud800","user":"\udc00x"}"#).unwrap();
        assert_eq!((c.name.as_deref(), c.user.as_deref()), (Some("\u{fffd}"), Some("\u{fffd}x")));
        let deep = format!("{{\"x\":{}{},\"verbose\":false}}", "[".repeat(9_999), "]".repeat(9_999));
        assert!(!ConnectOptions::from_json(deep.as_bytes()).unwrap().verbose);
        let too_deep = format!("{{\"x\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(ConnectOptions::from_json(too_deep.as_bytes()).is_err());
        let c = ConnectOptions::from_json("{\"verbose\":false,\"verbo\u{17f}e\":true}".as_bytes()).unwrap();
        assert!(c.verbose, "ſ folds to s as in Go");
        let c = ConnectOptions::from_json(b"{\"verbose\":false,\"verb\xffse\":true}").unwrap();
        assert!(!c.verbose, "a key with a bad byte matches nothing");
    }
}
