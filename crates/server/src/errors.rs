//! Every `-ERR` text the server sends and every reason a connection closes, in one place.
//! The texts are nats-server's, verbatim: clients match on them.

use std::fmt;

/// `-ERR` texts (without the quotes).
pub mod text {
    /// A byte that is not part of any operation.
    pub const UNKNOWN_PROTOCOL_OPERATION: &str = "Unknown Protocol Operation";
    /// Control line over `max_control_line`.
    pub const MAX_CONTROL_LINE: &str = "maximum control line exceeded";
    /// Payload over `max_payload`.
    pub const MAX_PAYLOAD: &str = "Maximum Payload Violation";
    /// Too many PINGs unanswered.
    pub const STALE_CONNECTION: &str = "Stale Connection";
    /// Server-wide connection limit.
    pub const MAX_CONNECTIONS: &str = "maximum connections exceeded";
    /// Account connection limit.
    pub const MAX_ACCOUNT_CONNECTIONS: &str = "maximum account active connections exceeded";
    /// Per-connection subscription limit.
    pub const MAX_SUBSCRIPTIONS: &str = "maximum subscriptions exceeded";
    /// CONNECT `protocol` out of range.
    pub const INVALID_CLIENT_PROTOCOL: &str = "invalid client protocol";
    /// `no_responders` without `headers`.
    pub const NO_RESPONDERS_REQUIRES_HEADERS: &str = "no responders requires headers support";
    /// Bad or missing credentials.
    pub const AUTHORIZATION_VIOLATION: &str = "Authorization Violation";
    /// CONNECT did not arrive in time.
    pub const AUTHENTICATION_TIMEOUT: &str = "Authentication Timeout";
    /// SUB with an invalid subject.
    pub const INVALID_SUBJECT: &str = "Invalid Subject";
    /// Pedantic client published to a wildcard or malformed subject.
    pub const INVALID_PUBLISH_SUBJECT: &str = "Invalid Publish Subject";
}

/// Texts nats-server logs for errors it closes on without an `-ERR`.
pub mod logged {
    /// An `HPUB` from a client that did not ask for headers in CONNECT.
    pub const HEADERS_NOT_SUPPORTED: &str = "message headers not supported";
}

/// `Permissions Violation for Publish to "<subject>"`.
pub fn publish_violation(subject: &[u8]) -> String {
    format!("Permissions Violation for Publish to {}", go_quote(subject))
}

/// `Permissions Violation for Subscription to "<subject>"`, with ` using queue "<queue>"`
/// for a queue subscription.
pub fn subscribe_violation(subject: &[u8], queue: Option<&[u8]>) -> String {
    match queue {
        Some(queue) => {
            format!("Permissions Violation for Subscription to {} using queue {}", go_quote(subject), go_quote(queue))
        }
        None => format!("Permissions Violation for Subscription to {}", go_quote(subject)),
    }
}

/// `Permissions Violation for Publish with Reply of "<reply>"`.
pub fn reply_violation(reply: &[u8]) -> String {
    format!("Permissions Violation for Publish with Reply of {}", go_quote(reply))
}

pub use rnats_conf::go_os_error;

/// Quotes like Go's `%q`: double quotes, backslash escapes for quotes, backslashes and
/// control bytes, `\xNN` for bytes that are not valid UTF-8.
pub fn go_quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

/// Why a connection closed; the texts are nats-server's (they appear in /connz and events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The client went away.
    ClientClosed,
    /// CONNECT did not arrive in time.
    AuthenticationTimeout,
    /// Credentials were refused.
    AuthenticationViolation,
    /// The TLS handshake failed, timed out, or the client's key is not pinned.
    TlsHandshakeFailure,
    /// Outbound buffer passed `max_pending`.
    SlowConsumerPendingBytes,
    /// A write took longer than `write_deadline`.
    SlowConsumerWriteDeadline,
    /// Writing to the socket failed.
    WriteError,
    /// Reading from the socket failed.
    ReadError,
    /// Input could not be parsed.
    ParseError,
    /// Too many PINGs unanswered.
    StaleConnection,
    /// Input broke the protocol's rules.
    ProtocolViolation,
    /// CONNECT `protocol` out of range.
    BadClientProtocolVersion,
    /// Server connection limit reached.
    MaxConnectionsExceeded,
    /// Account connection limit reached.
    MaxAccountConnectionsExceeded,
    /// Payload over the limit.
    MaxPayloadExceeded,
    /// Control line over the limit.
    MaxControlLineExceeded,
    /// Subscription limit reached.
    MaxSubscriptionsExceeded,
    /// The server is shutting down.
    ServerShutdown,
    /// `no_responders` without `headers`.
    NoRespondersRequiresHeaders,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseReason::ClientClosed => "Client Closed",
            CloseReason::AuthenticationTimeout => "Authentication Timeout",
            CloseReason::AuthenticationViolation => "Authentication Failure",
            CloseReason::TlsHandshakeFailure => "TLS Handshake Failure",
            CloseReason::SlowConsumerPendingBytes => "Slow Consumer (Pending Bytes)",
            CloseReason::SlowConsumerWriteDeadline => "Slow Consumer (Write Deadline)",
            CloseReason::WriteError => "Write Error",
            CloseReason::ReadError => "Read Error",
            CloseReason::ParseError => "Parse Error",
            CloseReason::StaleConnection => "Stale Connection",
            CloseReason::ProtocolViolation => "Protocol Violation",
            CloseReason::BadClientProtocolVersion => "Bad Client Protocol Version",
            CloseReason::MaxConnectionsExceeded => "Maximum Connections Exceeded",
            CloseReason::MaxAccountConnectionsExceeded => "Maximum Account Connections Exceeded",
            CloseReason::MaxPayloadExceeded => "Maximum Message Payload Exceeded",
            CloseReason::MaxControlLineExceeded => "Maximum Control Line Exceeded",
            CloseReason::MaxSubscriptionsExceeded => "Maximum Subscriptions Exceeded",
            CloseReason::ServerShutdown => "Server Shutdown",
            CloseReason::NoRespondersRequiresHeaders => "No Responders Requires Headers",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_like_go() {
        assert_eq!(go_os_error(&std::io::Error::from_raw_os_error(24)), "too many open files");
        assert_eq!(go_os_error(&std::io::Error::from_raw_os_error(2)), "no such file or directory");
    }

    #[test]
    fn quoting_like_go() {
        assert_eq!(go_quote(b"_GR_.x"), "\"_GR_.x\"");
        assert_eq!(go_quote(b"a\"b\\c\x01\xff"), "\"a\\\"b\\\\c\\x01\\xff\"");
        assert_eq!(publish_violation(b"x"), "Permissions Violation for Publish to \"x\"");
        assert_eq!(subscribe_violation(b"x", None), "Permissions Violation for Subscription to \"x\"");
        assert_eq!(
            subscribe_violation(b"x", Some(b"q")),
            "Permissions Violation for Subscription to \"x\" using queue \"q\""
        );
    }
}
