//! The leaf node protocol between two servers: framing and parsing of what a leaf connection
//! receives (`INFO`, `CONNECT`, `PING`, `PONG`, `+OK`, `-ERR`, `LS+`, `LS-`, `LMSG`, `HMSG`) and
//! encoders for what it sends. Fields are borrowed from the read buffer, as for clients.
//!
//! ```text
//! LS+ <subject> [<queue> <weight>]
//! LS- <subject> [<queue>]
//! LMSG <subject> [<reply>] <size>                      HMSG <subject> [...] <hdr> <size>
//! LMSG <subject> + <reply> <q1> [<q2>...] <size>       (queue groups to pick a member of)
//! LMSG <subject> | <q1> [<q2>...] <size>
//! ```

use crate::ProtoError;

/// Longest control line accepted from a server (interest lines carry queue lists): 16 times
/// the client limit, as newer nats-server versions allow.
pub const LEAF_MAX_CONTROL_LINE: usize = 64 * 1024;

/// One operation received on a leaf connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafOp<'a> {
    /// `INFO <json>`.
    Info(&'a [u8]),
    /// `CONNECT <json>`.
    Connect(&'a [u8]),
    /// `PING`.
    Ping,
    /// `PONG`.
    Pong,
    /// `+OK`.
    Ok,
    /// `-ERR <text>` (the text with its quotes).
    Err(&'a [u8]),
    /// `LS+`: the remote is interested in `subject` (for a queue group: with `weight` members).
    Sub {
        /// Subject, possibly with wildcards.
        subject: &'a [u8],
        /// Queue group and its member count on the remote side.
        queue: Option<(&'a [u8], u32)>,
    },
    /// `LS-`: the remote lost interest.
    Unsub {
        /// Subject.
        subject: &'a [u8],
        /// Queue group.
        queue: Option<&'a [u8]>,
    },
    /// `LMSG` or `HMSG`.
    Msg(LeafMsg<'a>),
}

/// A message from the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeafMsg<'a> {
    /// Subject.
    pub subject: &'a [u8],
    /// Reply subject.
    pub reply: Option<&'a [u8]>,
    /// Queue groups the sender chose this side's members for, space-separated (`None`: no
    /// list was sent).
    pub queues: Option<&'a [u8]>,
    /// Header block length (`HMSG`).
    pub header_len: Option<usize>,
    /// Total size token as sent.
    pub size_token: &'a [u8],
    /// Header size token as sent (empty for `LMSG`).
    pub header_size_token: &'a [u8],
    /// Header block then payload.
    pub body: &'a [u8],
}

type Parsed<'a> = Result<Option<(LeafOp<'a>, usize)>, ProtoError>;

/// Parses the first complete operation in `buf` (see [`crate::parse_client_op`] for the
/// contract). `max_payload` bounds message sizes.
pub fn parse_leaf_op(buf: &[u8], max_payload: usize) -> Parsed<'_> {
    let Some(end) = memchr::memchr(b'\n', buf) else {
        return if buf.len() > LEAF_MAX_CONTROL_LINE { Err(ProtoError::MaxControlLineExceeded) } else { Ok(None) };
    };
    if end > LEAF_MAX_CONTROL_LINE {
        return Err(ProtoError::MaxControlLineExceeded);
    }
    let line = buf[..end].strip_suffix(b"\r").unwrap_or(&buf[..end]);
    let line_len = end + 1;
    let (verb, rest) = split_verb(line);
    let upper = verb.to_ascii_uppercase();
    let op = match upper.as_slice() {
        b"PING" => LeafOp::Ping,
        b"PONG" => LeafOp::Pong,
        b"+OK" => LeafOp::Ok,
        b"-ERR" => LeafOp::Err(rest),
        b"INFO" => LeafOp::Info(rest),
        b"CONNECT" => LeafOp::Connect(rest),
        b"LS+" => {
            let mut args = fields(rest);
            let subject = args.next().ok_or(bad("LS+"))?;
            let queue = match (args.next(), args.next()) {
                (Some(queue), weight) => {
                    let weight = match weight {
                        Some(w) => parse_size(w).and_then(|w| u32::try_from(w).ok()).ok_or(bad("LS+"))?,
                        None => 1,
                    };
                    Some((queue, weight))
                }
                (None, _) => None,
            };
            LeafOp::Sub { subject, queue }
        }
        b"LS-" => {
            let mut args = fields(rest);
            let subject = args.next().ok_or(bad("LS-"))?;
            LeafOp::Unsub { subject, queue: args.next() }
        }
        b"LMSG" | b"HMSG" => return parse_msg(buf, rest, line_len, upper[0] == b'H', max_payload),
        _ => return Err(ProtoError::UnknownOperation),
    };
    Ok(Some((op, line_len)))
}

pub(crate) fn bad(verb: &'static str) -> ProtoError {
    ProtoError::BadArguments(verb)
}

pub(crate) fn split_verb(line: &[u8]) -> (&[u8], &[u8]) {
    let at = line.iter().position(|&b| b == b' ' || b == b'\t').unwrap_or(line.len());
    let rest = &line[at..];
    let start = rest.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(rest.len());
    (&line[..at], &rest[start..])
}

pub(crate) fn fields(rest: &[u8]) -> impl Iterator<Item = &[u8]> {
    rest.split(|&b| b == b' ' || b == b'\t').filter(|f| !f.is_empty())
}

pub(crate) fn parse_size(token: &[u8]) -> Option<usize> {
    if token.is_empty() || token.len() > 12 || !token.iter().all(u8::is_ascii_digit) {
        return None;
    }
    token.iter().try_fold(0usize, |n, &d| n.checked_mul(10)?.checked_add(usize::from(d - b'0')))
}

fn parse_msg<'a>(buf: &'a [u8], rest: &'a [u8], line_len: usize, headers: bool, max_payload: usize) -> Parsed<'a> {
    let form = MsgForm { verb: if headers { "HMSG" } else { "LMSG" }, leading: 0, sizes: if headers { 2 } else { 1 } };
    Ok(parse_link_msg(buf, rest, line_len, form, max_payload)?.map(|(_, msg, used)| (LeafOp::Msg(msg), used)))
}

/// How a message line between servers is laid out: `leading` tokens before the subject
/// (account, origin cluster), then the subject, the reply and queue forms, then one size (no
/// headers) or two (header size, total size).
#[derive(Debug, Clone, Copy)]
pub(crate) struct MsgForm {
    pub(crate) verb: &'static str,
    pub(crate) leading: usize,
    pub(crate) sizes: usize,
}

/// Most leading tokens a message line has (origin cluster and account).
pub(crate) const MAX_LEADING: usize = 2;

/// A message line and its body: the leading tokens, the message, the bytes used (`None` when
/// the body has not all arrived).
pub(crate) type LinkMsgParsed<'a> = Result<Option<([&'a [u8]; MAX_LEADING], LeafMsg<'a>, usize)>, ProtoError>;

pub(crate) fn parse_link_msg<'a>(
    buf: &'a [u8],
    rest: &'a [u8],
    line_len: usize,
    form: MsgForm,
    max_payload: usize,
) -> LinkMsgParsed<'a> {
    let verb = form.verb;
    // Up to 16 fields on the stack (subject, reply, a few queue names, sizes); more is rare.
    let mut inline: [&[u8]; 16] = [&[]; 16];
    let mut count = 0;
    let mut spilled: Vec<&[u8]> = Vec::new();
    for field in fields(rest) {
        if count < inline.len() {
            inline[count] = field;
        } else {
            if spilled.is_empty() {
                spilled.extend_from_slice(&inline);
            }
            spilled.push(field);
        }
        count += 1;
    }
    let args: &[&[u8]] = if spilled.is_empty() { &inline[..count] } else { &spilled };
    let sizes = form.sizes;
    if args.len() < form.leading + 1 + sizes {
        return Err(bad(verb));
    }
    let mut leading: [&[u8]; MAX_LEADING] = [&[]; MAX_LEADING];
    leading[..form.leading].copy_from_slice(&args[..form.leading]);
    let (head, size_args) = args[form.leading..].split_at(args.len() - form.leading - sizes);
    let subject = head[0];
    let (reply, queues) = match head.get(1).copied() {
        None => (None, None),
        Some(b"+") if head.len() >= 4 => (Some(head[2]), Some(span(rest, head[3], head[head.len() - 1]))),
        Some(b"|") if head.len() >= 3 => (None, Some(span(rest, head[2], head[head.len() - 1]))),
        Some(b"+" | b"|") => return Err(bad(verb)),
        Some(reply) if head.len() == 2 => (Some(reply), None),
        Some(_) => return Err(bad(verb)),
    };
    let size_token = size_args[sizes - 1];
    let total = parse_size(size_token).ok_or(bad(verb))?;
    let (header_len, header_size_token) = if sizes == 2 {
        let hdr = parse_size(size_args[0]).ok_or(bad(verb))?;
        if hdr > total {
            return Err(bad(verb));
        }
        (Some(hdr), size_args[0])
    } else {
        (None, &b""[..])
    };
    if total > max_payload {
        return Err(ProtoError::MaxPayloadExceeded);
    }
    let needed = line_len + total + 2;
    if buf.len() < needed {
        return Ok(None);
    }
    if &buf[line_len + total..needed] != b"\r\n" {
        return Err(ProtoError::UnknownOperation);
    }
    let body = &buf[line_len..line_len + total];
    let msg = LeafMsg { subject, reply, queues, header_len, size_token, header_size_token, body };
    Ok(Some((leading, msg, needed)))
}

/// The bytes of `rest` from the start of `first` to the end of `last` (both slices of it).
fn span<'a>(rest: &'a [u8], first: &'a [u8], last: &'a [u8]) -> &'a [u8] {
    let base = rest.as_ptr() as usize;
    let start = first.as_ptr() as usize - base;
    let end = last.as_ptr() as usize - base + last.len();
    &rest[start..end]
}

/// Encoders for what a leaf connection sends.
pub mod encode {
    /// `LS+ <subject>` or `LS+ <subject> <queue> <weight>`.
    pub fn sub(out: &mut Vec<u8>, subject: &[u8], queue: Option<(&[u8], u32)>) {
        out.extend_from_slice(b"LS+ ");
        out.extend_from_slice(subject);
        if let Some((queue, weight)) = queue {
            out.push(b' ');
            out.extend_from_slice(queue);
            out.push(b' ');
            out.extend_from_slice(itoa::Buffer::new().format(weight).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }

    /// `LS- <subject> [<queue>]`.
    pub fn unsub(out: &mut Vec<u8>, subject: &[u8], queue: Option<&[u8]>) {
        out.extend_from_slice(b"LS- ");
        out.extend_from_slice(subject);
        if let Some(queue) = queue {
            out.push(b' ');
            out.extend_from_slice(queue);
        }
        out.extend_from_slice(b"\r\n");
    }

    /// `LMSG`/`HMSG` with the reply and queue-group forms nats-server uses. `queues`: names to
    /// pick members of on the other side (written after `+ <reply>` or `|`).
    pub fn msg(
        out: &mut Vec<u8>,
        subject: &[u8],
        reply: Option<&[u8]>,
        queues: &[&[u8]],
        sizes: crate::encode::Sizes<'_>,
        body: &[u8],
    ) {
        let headers = matches!(sizes, crate::encode::Sizes::WithHeaders(..));
        out.extend_from_slice(if headers { b"HMSG " } else { b"LMSG " });
        out.extend_from_slice(subject);
        match (reply, queues.is_empty()) {
            (Some(reply), true) => {
                out.push(b' ');
                out.extend_from_slice(reply);
            }
            (Some(reply), false) => {
                out.extend_from_slice(b" + ");
                out.extend_from_slice(reply);
            }
            (None, false) => out.extend_from_slice(b" |"),
            (None, true) => {}
        }
        for queue in queues {
            out.push(b' ');
            out.extend_from_slice(queue);
        }
        out.push(b' ');
        crate::encode::sizes_line_end(out, sizes, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Sizes;

    fn one(bytes: &[u8]) -> LeafOp<'_> {
        let (op, used) = parse_leaf_op(bytes, 1 << 20).expect("valid").expect("complete");
        assert_eq!(used, bytes.len(), "consumed all of {:?}", String::from_utf8_lossy(bytes));
        op
    }

    #[test]
    fn interest_lines() {
        assert_eq!(one(b"LS+ foo.>\r\n"), LeafOp::Sub { subject: b"foo.>", queue: None });
        assert_eq!(one(b"ls+ bar q 3\r\n"), LeafOp::Sub { subject: b"bar", queue: Some((b"q", 3)) });
        assert_eq!(one(b"LS- bar q\r\n"), LeafOp::Unsub { subject: b"bar", queue: Some(b"q") });
        assert_eq!(one(b"LS- foo\n"), LeafOp::Unsub { subject: b"foo", queue: None });
        assert!(parse_leaf_op(b"LS+ \r\n", 100).is_err());
        assert!(parse_leaf_op(b"LS+ a q x\r\n", 100).is_err());
    }

    #[test]
    fn messages_in_every_form() {
        let LeafOp::Msg(m) = one(b"LMSG foo r.1 2\r\nhi\r\n") else { panic!() };
        assert_eq!((m.subject, m.reply, m.queues, m.body), (&b"foo"[..], Some(&b"r.1"[..]), None, &b"hi"[..]));
        let LeafOp::Msg(m) = one(b"LMSG qq | g h 1\r\nx\r\n") else { panic!() };
        assert_eq!((m.reply, m.queues), (None, Some(&b"g h"[..])));
        let LeafOp::Msg(m) = one(b"LMSG qq + r g 1\r\nx\r\n") else { panic!() };
        assert_eq!((m.reply, m.queues), (Some(&b"r"[..]), Some(&b"g"[..])));
        let LeafOp::Msg(m) = one(b"HMSG foo 12 14\r\nNATS/1.0\r\n\r\nyo\r\n") else { panic!() };
        assert_eq!((m.header_len, m.body.len()), (Some(12), 14));
        assert_eq!(parse_leaf_op(b"LMSG foo 5\r\nhel", 100), Ok(None));
        assert_eq!(parse_leaf_op(b"LMSG foo 5\r\nhelloXX", 100), Err(ProtoError::UnknownOperation));
        assert_eq!(parse_leaf_op(b"LMSG foo 500\r\n", 100), Err(ProtoError::MaxPayloadExceeded));
        assert!(parse_leaf_op(b"LMSG foo + r 1\r\nx\r\n", 100).is_err());
    }

    #[test]
    fn control_operations() {
        assert_eq!(one(b"PING\r\n"), LeafOp::Ping);
        assert_eq!(one(b"pong\r\n"), LeafOp::Pong);
        assert_eq!(one(b"INFO {\"a\":1} \r\n"), LeafOp::Info(b"{\"a\":1} "));
        assert_eq!(one(b"-ERR 'Loop detected'\r\n"), LeafOp::Err(b"'Loop detected'"));
        assert_eq!(parse_leaf_op(b"PUB foo 1\r\n", 100), Err(ProtoError::UnknownOperation));
        assert_eq!(parse_leaf_op(b"PIN", 100), Ok(None));
    }

    #[test]
    fn encoders_round_trip() {
        let mut out = Vec::new();
        encode::sub(&mut out, b"foo", Some((b"q", 2)));
        encode::unsub(&mut out, b"foo", None);
        encode::msg(&mut out, b"foo", Some(b"r"), &[b"q1", b"q2"], Sizes::Plain(b"2"), b"hi");
        encode::msg(&mut out, b"foo", None, &[b"q"], Sizes::WithHeaders(b"12", b"14"), b"NATS/1.0\r\n\r\nyo");
        encode::msg(&mut out, b"foo", None, &[], Sizes::Plain(b"0"), b"");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "LS+ foo q 2\r\nLS- foo\r\nLMSG foo + r q1 q2 2\r\nhi\r\nHMSG foo | q 12 14\r\nNATS/1.0\r\n\r\nyo\r\nLMSG foo 0\r\n\r\n"
        );
        let mut rest = &out[..];
        let mut count = 0;
        while let Some((_, used)) = parse_leaf_op(rest, 100).expect("valid") {
            rest = &rest[used..];
            count += 1;
        }
        assert_eq!(count, 5);
    }
}
