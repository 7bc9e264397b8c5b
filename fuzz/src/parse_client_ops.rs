//! Checks behind the `parse_client_ops` fuzz target, shared with
//! `crates/proto/tests/fuzz_corpus.rs` (which includes this file with `#[path]`), so the corpus
//! is replayed on stable without the fuzzer. Depends on `rnats_proto` only.
//!
//! The input is a client's byte stream, fed to `parse_client_op` the way a connection does:
//! parse, consume, repeat until "need more bytes" or an error. Checked, for the default limits
//! and for small limits (with headers on or off) picked from the input:
//! - no panic, and every op consumes at least one byte and no more than the buffer holds;
//! - an op is self-delimiting: parsing exactly its bytes gives the same op, and one byte
//!   fewer gives "need more bytes";
//! - a `PUB`/`HPUB` message has the announced size and its header fits in it;
//! - feeding the input in two pieces (at points picked from the input), or a byte at a time
//!   for short inputs, gives the same sequence of results as feeding it whole.

use rnats_proto::{parse_client_op, ClientOp, Limits, ProtoError};

/// Inputs up to this long are also fed one byte at a time (quadratic, so kept short).
const BYTE_AT_A_TIME_MAX: usize = 512;

/// An op copied out of the read buffer, so results from different buffers can be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedOp {
    /// `CONNECT` and its JSON text.
    Connect(Vec<u8>),
    /// `PUB` (`header_len` is `None`) or `HPUB`.
    Pub {
        /// Subject.
        subject: Vec<u8>,
        /// Reply subject.
        reply: Option<Vec<u8>>,
        /// Header block length.
        header_len: Option<usize>,
        /// Total size as written.
        size_token: Vec<u8>,
        /// Header size as written.
        header_size_token: Vec<u8>,
        /// Header block then payload.
        message: Vec<u8>,
    },
    /// `SUB`.
    Sub {
        /// Subject.
        subject: Vec<u8>,
        /// Queue group.
        queue: Option<Vec<u8>>,
        /// Subscription id.
        sid: Vec<u8>,
    },
    /// `UNSUB`.
    Unsub {
        /// Subscription id.
        sid: Vec<u8>,
        /// Maximum, as parsed.
        max: Option<Option<u64>>,
    },
    /// `PING`.
    Ping,
    /// `PONG`.
    Pong,
    /// `INFO`.
    Info(Vec<u8>),
    /// `+OK`.
    Ok,
    /// `-ERR`.
    Err(Vec<u8>),
}

impl OwnedOp {
    /// Copies `op`.
    pub fn new(op: &ClientOp<'_>) -> OwnedOp {
        match op {
            ClientOp::Connect(json) => OwnedOp::Connect(json.to_vec()),
            ClientOp::Pub(p) => OwnedOp::Pub {
                subject: p.subject.to_vec(),
                reply: p.reply.map(<[u8]>::to_vec),
                header_len: p.header_len,
                size_token: p.size_token.to_vec(),
                header_size_token: p.header_size_token.to_vec(),
                message: p.message.to_vec(),
            },
            ClientOp::Sub { subject, queue, sid } => {
                OwnedOp::Sub { subject: subject.to_vec(), queue: queue.map(<[u8]>::to_vec), sid: sid.to_vec() }
            }
            ClientOp::Unsub { sid, max } => OwnedOp::Unsub { sid: sid.to_vec(), max: *max },
            ClientOp::Ping => OwnedOp::Ping,
            ClientOp::Pong => OwnedOp::Pong,
            ClientOp::Info(text) => OwnedOp::Info(text.to_vec()),
            ClientOp::Ok => OwnedOp::Ok,
            ClientOp::Err(text) => OwnedOp::Err(text.to_vec()),
        }
    }
}

/// What a connection sees, in order: the ops it parsed, then the error that closed it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Ops parsed, in order.
    pub ops: Vec<OwnedOp>,
    /// The error that ended parsing, if any (the bytes after it are never parsed).
    pub error: Option<ProtoError>,
    /// Bytes left over, waiting for more input, when there was no error.
    pub left_over: usize,
}

/// Runs every check on `data`; panics on a violation. The fuzz target's whole body.
pub fn check(data: &[u8]) {
    check_with(data, &Limits::default());
    check_with(data, &small_limits(data));
}

/// Limits small enough for short inputs to reach them, and headers on or off, picked from a
/// hash of the input.
pub fn small_limits(data: &[u8]) -> Limits {
    let h = hash(data);
    Limits {
        max_control_line: 1 + (h % 48) as usize,
        max_payload: ((h >> 8) % 40) as usize,
        headers: h & (1 << 16) != 0,
    }
}

/// Every check for one set of limits.
pub fn check_with(data: &[u8], limits: &Limits) {
    let whole = feed(&[data], limits);
    let h = hash(data).rotate_left(17);
    let len = data.len() as u64 + 1;
    for cut in [(h % len) as usize, ((h >> 32) % len) as usize] {
        let (a, b) = data.split_at(cut);
        let split = feed(&[a, b], limits);
        assert_eq!(split, whole, "split at {cut} differs from whole ({limits:?}); input {data:?}");
    }
    if data.len() <= BYTE_AT_A_TIME_MAX {
        let bytes: Vec<&[u8]> = data.chunks(1).collect();
        let trickle = feed(&bytes, limits);
        assert_eq!(trickle, whole, "byte-at-a-time differs from whole ({limits:?}); input {data:?}");
    }
}

/// Feeds `chunks` one after another as a connection's reads would, keeping unparsed bytes
/// (the way `ClientSession::process` and the read loop do), and checks each op.
pub fn feed(chunks: &[&[u8]], limits: &Limits) -> Outcome {
    let mut pending: Vec<u8> = Vec::new();
    let mut ops = Vec::new();
    for chunk in chunks {
        pending.extend_from_slice(chunk);
        let mut used = 0;
        loop {
            let buf = &pending[used..];
            match parse_client_op(buf, limits) {
                Ok(Some((op, len))) => {
                    check_op(buf, &op, len, limits);
                    ops.push(OwnedOp::new(&op));
                    used += len;
                }
                Ok(None) => break,
                Err(error) => return Outcome { ops, error: Some(error), left_over: 0 },
            }
        }
        pending.drain(..used);
    }
    Outcome { ops, error: None, left_over: pending.len() }
}

/// Checks one parsed op against the buffer it came from.
fn check_op(buf: &[u8], op: &ClientOp<'_>, len: usize, limits: &Limits) {
    assert!(len > 0, "an op consumed no bytes: {op:?}");
    assert!(len <= buf.len(), "an op consumed {len} bytes of {}: {op:?}", buf.len());
    if let ClientOp::Pub(p) = op {
        assert!(p.message.len() <= limits.max_payload, "message over max_payload: {op:?}");
        let digits = std::str::from_utf8(p.size_token).ok().and_then(|s| s.parse::<usize>().ok());
        assert_eq!(digits, Some(p.message.len()), "message size differs from its size token: {op:?}");
        if let Some(header_len) = p.header_len {
            assert!(limits.headers, "HPUB accepted without headers: {op:?}");
            assert!(header_len <= p.message.len(), "header longer than the message: {op:?}");
        }
        assert_eq!(p.headers().len() + p.payload().len(), p.message.len());
    }
    match parse_client_op(&buf[..len], limits) {
        Ok(Some((again, again_len))) => {
            assert_eq!(again_len, len, "the op alone parsed to another length: {op:?}");
            assert_eq!(&again, op, "the op alone parsed differently");
        }
        other => panic!("the op's own bytes did not parse to it: {op:?} -> {other:?}"),
    }
    match parse_client_op(&buf[..len - 1], limits) {
        Ok(None) => {}
        other => panic!("the op less its last byte was not incomplete: {op:?} -> {other:?}"),
    }
}

/// FNV-1a: a stable way to pick split points and limits from the input itself, so corpus
/// files can stay plain protocol text.
fn hash(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
