/// One operation sent by a client, its fields borrowed from the read buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientOp<'a> {
    /// `CONNECT <json>`: the raw JSON text (not yet decoded: decoding is the caller's choice).
    Connect(&'a [u8]),
    /// `PUB` or `HPUB`.
    Pub(Publish<'a>),
    /// `SUB <subject> [queue] <sid>`.
    Sub {
        /// Subject (may contain wildcards; not validated here).
        subject: &'a [u8],
        /// Queue group, if any.
        queue: Option<&'a [u8]>,
        /// Client-chosen subscription id.
        sid: &'a [u8],
    },
    /// `UNSUB <sid> [max]`.
    Unsub {
        /// Subscription id.
        sid: &'a [u8],
        /// `None` when absent; `Some(None)` when present but not a valid size (nats-server then
        /// unsubscribes at once, as for 0).
        max: Option<Option<u64>>,
    },
    /// `PING`.
    Ping,
    /// `PONG`.
    Pong,
    /// `INFO <json>` (clients may send it; the server ignores it).
    Info(&'a [u8]),
    /// `+OK`.
    Ok,
    /// `-ERR <text>`.
    Err(&'a [u8]),
}

/// A `PUB` or `HPUB`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish<'a> {
    /// Subject as sent (not validated here).
    pub subject: &'a [u8],
    /// Reply subject, if any.
    pub reply: Option<&'a [u8]>,
    /// Header block length (`None` for `PUB`).
    pub header_len: Option<usize>,
    /// The total-size token exactly as the client wrote it: nats-server repeats it verbatim in
    /// the `MSG` line it delivers (a client that sends `01` sees `01`).
    pub size_token: &'a [u8],
    /// The header-size token exactly as written (empty for `PUB`).
    pub header_size_token: &'a [u8],
    /// Header block followed by payload (`header_len` bytes of header first).
    pub message: &'a [u8],
}

impl<'a> Publish<'a> {
    /// The payload after the header block.
    pub fn payload(&self) -> &'a [u8] {
        &self.message[self.header_len.unwrap_or(0)..]
    }
    /// The header block (empty for `PUB`).
    pub fn headers(&self) -> &'a [u8] {
        &self.message[..self.header_len.unwrap_or(0)]
    }
}
