use std::fmt;

/// Why a client's input could not be parsed. Every variant closes the connection; what (if
/// anything) is sent first is decided by the server, which maps these to nats-server's strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtoError {
    /// An unknown verb, a bad byte where a verb or terminator was expected.
    UnknownOperation,
    /// The control line is longer than `max_control_line`.
    MaxControlLineExceeded,
    /// A `PUB`/`HPUB` announced more than `max_payload` bytes.
    MaxPayloadExceeded,
    /// An `HPUB` from a client that did not ask for headers: nats-server closes without an
    /// `-ERR`.
    HeadersNotSupported,
    /// Wrong number of arguments or a malformed size: nats-server closes without an `-ERR`.
    BadArguments(&'static str),
}

impl fmt::Display for ProtoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtoError::UnknownOperation => f.write_str("unknown protocol operation"),
            ProtoError::MaxControlLineExceeded => f.write_str("maximum control line exceeded"),
            ProtoError::MaxPayloadExceeded => f.write_str("maximum payload exceeded"),
            ProtoError::HeadersNotSupported => f.write_str("message headers not supported"),
            ProtoError::BadArguments(what) => write!(f, "bad arguments: {what}"),
        }
    }
}

impl std::error::Error for ProtoError {}
