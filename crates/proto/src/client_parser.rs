//! Framing and parsing of the operations a client sends.
//!
//! The rules follow nats-server's byte-driven parser: verbs are case-insensitive; `PUB`, `HPUB`,
//! `SUB` and `UNSUB` need a space or tab after the verb; `PING`/`PONG` ignore anything up to the
//! end of the line; a line ends at `\n` with an optional `\r` before it; a payload must be
//! followed by exactly `\r\n`. A byte that cannot start or continue a verb is an error at once,
//! before the rest of the line arrives, as in nats-server.

use crate::{ClientOp, ProtoError, Publish};

/// Limits the parser enforces while framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted control line (the arguments after the verb), in bytes.
    pub max_control_line: usize,
    /// Largest accepted `PUB`/`HPUB` total size, in bytes.
    pub max_payload: usize,
    /// Whether `HPUB` is accepted. nats-server refuses it from a client that did not ask for
    /// headers in CONNECT, as soon as the control line is complete (before the payload).
    pub headers: bool,
}

impl Default for Limits {
    /// nats-server's default sizes, with headers accepted.
    fn default() -> Self {
        Limits {
            max_control_line: crate::DEFAULT_MAX_CONTROL_LINE,
            max_payload: crate::DEFAULT_MAX_PAYLOAD,
            headers: true,
        }
    }
}

/// Longest `PING`/`PONG` line accepted (see `parse_client_op`).
const PING_LINE_LIMIT: usize = 64 * 1024;

type Parsed<'a> = Result<Option<(ClientOp<'a>, usize)>, ProtoError>;

#[derive(Clone, Copy)]
enum Verb {
    Pub,
    Hpub,
    Sub,
    Unsub,
    Ping,
    Pong,
    Connect,
    Info,
    Ok,
    Err,
}

/// Parses the first complete operation in `buf`.
///
/// Returns `Ok(Some((op, consumed)))` when a whole operation (with its payload) is present,
/// `Ok(None)` when more bytes are needed (the caller keeps `buf` and appends to it), or an error
/// that must close the connection. Feeding the same bytes split at any point gives the same ops.
pub fn parse_client_op<'a>(buf: &'a [u8], limits: &Limits) -> Parsed<'a> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    let (verb, keyword): (Verb, &[u8]) = match first.to_ascii_uppercase() {
        b'P' => match buf.get(1).map(u8::to_ascii_uppercase) {
            None => return Ok(None),
            Some(b'U') => (Verb::Pub, b"PUB"),
            Some(b'I') => (Verb::Ping, b"PING"),
            Some(b'O') => (Verb::Pong, b"PONG"),
            Some(_) => return Err(ProtoError::UnknownOperation),
        },
        b'H' => (Verb::Hpub, b"HPUB"),
        b'S' => (Verb::Sub, b"SUB"),
        b'U' => (Verb::Unsub, b"UNSUB"),
        b'C' => (Verb::Connect, b"CONNECT"),
        b'I' => (Verb::Info, b"INFO"),
        b'+' => (Verb::Ok, b"+OK"),
        b'-' => (Verb::Err, b"-ERR"),
        _ => return Err(ProtoError::UnknownOperation),
    };
    let known = buf.len().min(keyword.len());
    if !buf[..known].eq_ignore_ascii_case(&keyword[..known]) {
        return Err(ProtoError::UnknownOperation);
    }
    if buf.len() <= keyword.len() {
        return Ok(None);
    }
    let after = keyword.len();
    let needs_space = matches!(verb, Verb::Pub | Verb::Hpub | Verb::Sub | Verb::Unsub | Verb::Err);
    if needs_space && !is_space(buf[after]) {
        return Err(ProtoError::UnknownOperation);
    }
    // nats-server ignores whatever follows PING/PONG up to the newline without buffering it
    // and without a limit. We buffer lines, so such a line gets a limit of its own, far above
    // anything a client sends: the buffer stays bounded and real clients see no difference.
    let limits = &match verb {
        Verb::Ping | Verb::Pong => Limits { max_control_line: limits.max_control_line.max(PING_LINE_LIMIT), ..*limits },
        _ => *limits,
    };
    let Some(newline) = memchr::memchr(b'\n', &buf[after..]).map(|i| i + after) else {
        // Measured as the whole line will be (a `\r` here may be the one before `\n`), so a
        // line split anywhere is judged as it is in one piece.
        let partial = &buf[after..];
        if over_control_line(partial.strip_suffix(b"\r").unwrap_or(partial), limits) {
            return Err(ProtoError::MaxControlLineExceeded);
        }
        return Ok(None);
    };
    let line_end = if newline > after && buf[newline - 1] == b'\r' { newline - 1 } else { newline };
    let args = trim_start(&buf[after..line_end]);
    let consumed = newline + 1;
    if over_control_line(&buf[after..line_end], limits) {
        return Err(ProtoError::MaxControlLineExceeded);
    }
    let op = match verb {
        Verb::Ping => ClientOp::Ping,
        Verb::Pong => ClientOp::Pong,
        Verb::Ok => ClientOp::Ok,
        Verb::Connect => ClientOp::Connect(args),
        Verb::Info => ClientOp::Info(args),
        Verb::Err => ClientOp::Err(args),
        Verb::Sub => parse_sub(args)?,
        Verb::Unsub => parse_unsub(args)?,
        Verb::Pub => return parse_pub(buf, args, consumed, limits),
        Verb::Hpub => return parse_hpub(buf, args, consumed, limits),
    };
    Ok(Some((op, consumed)))
}

fn parse_sub(args: &[u8]) -> Result<ClientOp<'_>, ProtoError> {
    let mut fields = [&[][..]; 3];
    match split_args(args, &mut fields) {
        2 => Ok(ClientOp::Sub { subject: fields[0], queue: None, sid: fields[1] }),
        3 => Ok(ClientOp::Sub { subject: fields[0], queue: Some(fields[1]), sid: fields[2] }),
        _ => Err(ProtoError::BadArguments("SUB takes a subject, an optional queue and a sid")),
    }
}

fn parse_unsub(args: &[u8]) -> Result<ClientOp<'_>, ProtoError> {
    let mut fields = [&[][..]; 2];
    match split_args(args, &mut fields) {
        1 => Ok(ClientOp::Unsub { sid: fields[0], max: None }),
        2 => Ok(ClientOp::Unsub { sid: fields[0], max: Some(parse_size(fields[1])) }),
        _ => Err(ProtoError::BadArguments("UNSUB takes a sid and an optional maximum")),
    }
}

fn parse_pub<'a>(buf: &'a [u8], args: &'a [u8], start: usize, limits: &Limits) -> Parsed<'a> {
    let mut fields = [&[][..]; 3];
    let (subject, reply, size_token) = match split_args(args, &mut fields) {
        2 => (fields[0], None, fields[1]),
        3 => (fields[0], Some(fields[1]), fields[2]),
        _ => return Err(ProtoError::BadArguments("PUB takes a subject, an optional reply and a size")),
    };
    let size = parse_size(size_token).ok_or(ProtoError::BadArguments("PUB size is not a valid size"))?;
    let publish = Publish { subject, reply, header_len: None, size_token, header_size_token: &[], message: &[] };
    take_payload(buf, start, size as usize, limits, publish)
}

fn parse_hpub<'a>(buf: &'a [u8], args: &'a [u8], start: usize, limits: &Limits) -> Parsed<'a> {
    // Before the arguments are even looked at, as nats-server orders it.
    if !limits.headers {
        return Err(ProtoError::HeadersNotSupported);
    }
    let mut fields = [&[][..]; 4];
    let (subject, reply, header_size_token, size_token) = match split_args(args, &mut fields) {
        3 => (fields[0], None, fields[1], fields[2]),
        4 => (fields[0], Some(fields[1]), fields[2], fields[3]),
        _ => return Err(ProtoError::BadArguments("HPUB takes a subject, an optional reply and two sizes")),
    };
    let header_len = parse_size(header_size_token).ok_or(ProtoError::BadArguments("HPUB header size"))?;
    let size = parse_size(size_token).ok_or(ProtoError::BadArguments("HPUB total size"))?;
    if header_len > size {
        return Err(ProtoError::BadArguments("HPUB header size is larger than the total size"));
    }
    let publish =
        Publish { subject, reply, header_len: Some(header_len as usize), size_token, header_size_token, message: &[] };
    take_payload(buf, start, size as usize, limits, publish)
}

/// Waits for `size` payload bytes plus the `\r\n` after them, checking each byte of the
/// terminator as soon as it arrives.
fn take_payload<'a>(buf: &'a [u8], start: usize, size: usize, limits: &Limits, mut publish: Publish<'a>) -> Parsed<'a> {
    if size > limits.max_payload {
        return Err(ProtoError::MaxPayloadExceeded);
    }
    let end = start + size;
    if let Some(&cr) = buf.get(end) {
        if cr != b'\r' {
            return Err(ProtoError::UnknownOperation);
        }
    }
    match buf.get(end + 1) {
        None => Ok(None),
        Some(b'\n') => {
            publish.message = &buf[start..end];
            Ok(Some((ClientOp::Pub(publish), end + 2)))
        }
        Some(_) => Err(ProtoError::UnknownOperation),
    }
}

/// nats-server's size rule: 1 to 9 ASCII digits, nothing else.
fn parse_size(token: &[u8]) -> Option<u64> {
    if token.is_empty() || token.len() > 9 {
        return None;
    }
    let mut value = 0u64;
    for &b in token {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    Some(value)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t')
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// nats-server's measure: the arguments without the blanks before them or the `\r` after them
/// (the caller strips that). The blanks before count on their own, so a line of nothing but
/// blanks cannot grow without bound while it waits for its end.
fn over_control_line(line: &[u8], limits: &Limits) -> bool {
    let args = trim_start(line);
    args.len() > limits.max_control_line || line.len() - args.len() > limits.max_control_line
}

fn trim_start(s: &[u8]) -> &[u8] {
    let skip = s.iter().take_while(|&&b| is_space(b)).count();
    &s[skip..]
}

/// Splits on runs of separators into `out`; returns how many fields there were (which may be
/// more than `out` holds: the caller treats that as an error).
fn split_args<'a>(args: &'a [u8], out: &mut [&'a [u8]]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < args.len() {
        while i < args.len() && is_separator(args[i]) {
            i += 1;
        }
        if i == args.len() {
            break;
        }
        let start = i;
        while i < args.len() && !is_separator(args[i]) {
            i += 1;
        }
        if count < out.len() {
            out[count] = &args[start..i];
        }
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests;
