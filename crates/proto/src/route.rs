//! The route (cluster) protocol between servers of one cluster: framing and parsing of what a
//! route receives, and encoders for what it sends. Fields are borrowed from the read buffer.
//!
//! ```text
//! RS+ <account> <subject> [<queue> <weight>]
//! RS- <account> <subject> [<queue>]
//! LS+ <origin> <account> <subject> [<queue> <weight>]      (interest that came from a leaf)
//! LS- [<origin>] <account> <subject> [<queue>]             (origin only when both sides say lnocu)
//! RMSG <account> <subject> [reply | + <reply> <q..> | '|' <q..>] <size>
//! HMSG <account> <subject> [...] <hdr> <size>
//! LMSG <origin> <account> <subject> [...] <hdr> <size>      (always both sizes)
//! ```
//!
//! On a route dedicated to one account (`cluster { accounts }`), every `<account>` token is left
//! out: [`RouteMode::bound_account`].

use crate::leaf::{bad, fields, parse_link_msg, parse_size, split_verb, LeafMsg, MsgForm, LEAF_MAX_CONTROL_LINE};
use crate::ProtoError;

/// What was agreed for one route connection, which changes how lines are laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteMode {
    /// The route carries one account only: no account token on any line.
    pub bound_account: bool,
    /// Both sides announced `lnocu`: `LS-` carries the origin cluster.
    pub unsub_origin: bool,
}

/// One operation received on a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteOp<'a> {
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
    /// `RS+` (or `LS+`, with the leaf cluster it came from): interest in `subject`.
    Sub(RouteInterest<'a>, Option<(&'a [u8], u32)>),
    /// `RS-` (or `LS-`): interest gone.
    Unsub(RouteInterest<'a>, Option<&'a [u8]>),
    /// `RMSG`, `HMSG` or `LMSG`.
    Msg(RouteMsg<'a>),
}

/// Where interest belongs: origin (for `LS±`), account (`None` on a per-account route) and
/// subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInterest<'a> {
    /// The leaf node cluster the interest came from (`LS+`/`LS-`).
    pub origin: Option<&'a [u8]>,
    /// The account (`None` on a route bound to one account).
    pub account: Option<&'a [u8]>,
    /// Subject, possibly with wildcards.
    pub subject: &'a [u8],
}

/// A message from another server of the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMsg<'a> {
    /// The leaf node cluster it came from (`LMSG`).
    pub origin: Option<&'a [u8]>,
    /// The account (`None` on a route bound to one account).
    pub account: Option<&'a [u8]>,
    /// Subject, reply, queue groups to pick members of, sizes and body.
    pub msg: LeafMsg<'a>,
}

type Parsed<'a> = Result<Option<(RouteOp<'a>, usize)>, ProtoError>;

/// Parses the first complete operation in `buf` (see [`crate::parse_client_op`] for the
/// contract). `max_payload` bounds message sizes.
pub fn parse_route_op(buf: &[u8], mode: RouteMode, max_payload: usize) -> Parsed<'_> {
    let Some(end) = memchr::memchr(b'\n', buf) else {
        return if buf.len() > LEAF_MAX_CONTROL_LINE { Err(ProtoError::MaxControlLineExceeded) } else { Ok(None) };
    };
    if end > LEAF_MAX_CONTROL_LINE {
        return Err(ProtoError::MaxControlLineExceeded);
    }
    let line = buf[..end].strip_suffix(b"\r").unwrap_or(&buf[..end]);
    let line_len = end + 1;
    let (verb, rest) = split_verb(line);
    let account_tokens = usize::from(!mode.bound_account);
    let op = match verb.to_ascii_uppercase().as_slice() {
        b"PING" => RouteOp::Ping,
        b"PONG" => RouteOp::Pong,
        b"+OK" => RouteOp::Ok,
        b"-ERR" => RouteOp::Err(rest),
        b"INFO" => RouteOp::Info(rest),
        b"CONNECT" => RouteOp::Connect(rest),
        b"RS+" => sub(rest, "RS+", 0, account_tokens)?,
        b"LS+" => sub(rest, "LS+", 1, account_tokens)?,
        b"RS-" => unsub(rest, "RS-", 0, account_tokens)?,
        b"LS-" => unsub(rest, "LS-", usize::from(mode.unsub_origin), account_tokens)?,
        b"RMSG" => return msg(buf, rest, line_len, "RMSG", 0, account_tokens, 1, max_payload),
        b"HMSG" => return msg(buf, rest, line_len, "HMSG", 0, account_tokens, 2, max_payload),
        b"LMSG" => return msg(buf, rest, line_len, "LMSG", 1, account_tokens, 2, max_payload),
        _ => return Err(ProtoError::UnknownOperation),
    };
    Ok(Some((op, line_len)))
}

/// The origin and account tokens, then the subject; the remaining fields.
fn interest<'a>(
    args: &mut impl Iterator<Item = &'a [u8]>,
    verb: &'static str,
    origin_tokens: usize,
    account_tokens: usize,
) -> Result<RouteInterest<'a>, ProtoError> {
    let origin = match origin_tokens {
        0 => None,
        _ => Some(args.next().ok_or(bad(verb))?),
    };
    let account = match account_tokens {
        0 => None,
        _ => Some(args.next().ok_or(bad(verb))?),
    };
    let subject = args.next().ok_or(bad(verb))?;
    Ok(RouteInterest { origin, account, subject })
}

fn sub<'a>(rest: &'a [u8], verb: &'static str, origin: usize, account: usize) -> Result<RouteOp<'a>, ProtoError> {
    let mut args = fields(rest);
    let at = interest(&mut args, verb, origin, account)?;
    let queue = match (args.next(), args.next()) {
        (Some(queue), weight) => {
            let weight = match weight {
                Some(w) => parse_size(w).and_then(|w| u32::try_from(w).ok()).ok_or(bad(verb))?,
                None => 1,
            };
            Some((queue, weight))
        }
        (None, _) => None,
    };
    if args.next().is_some() {
        return Err(bad(verb));
    }
    Ok(RouteOp::Sub(at, queue))
}

fn unsub<'a>(rest: &'a [u8], verb: &'static str, origin: usize, account: usize) -> Result<RouteOp<'a>, ProtoError> {
    let mut args = fields(rest);
    let at = interest(&mut args, verb, origin, account)?;
    let queue = args.next();
    if args.next().is_some() {
        return Err(bad(verb));
    }
    Ok(RouteOp::Unsub(at, queue))
}

#[allow(clippy::too_many_arguments)]
fn msg<'a>(
    buf: &'a [u8],
    rest: &'a [u8],
    line_len: usize,
    verb: &'static str,
    origin: usize,
    account: usize,
    sizes: usize,
    max_payload: usize,
) -> Parsed<'a> {
    let form = MsgForm { verb, leading: origin + account, sizes };
    let Some((leading, msg, used)) = parse_link_msg(buf, rest, line_len, form, max_payload)? else {
        return Ok(None);
    };
    let origin_token = (origin == 1).then_some(leading[0]);
    let account_token = (account == 1).then_some(leading[origin]);
    Ok(Some((RouteOp::Msg(RouteMsg { origin: origin_token, account: account_token, msg }), used)))
}

/// Encoders for what a route sends. `account` is `None` on a route bound to one account.
pub mod encode {
    use crate::encode::Sizes;

    fn head(out: &mut Vec<u8>, verb: &[u8], account: Option<&[u8]>, subject: &[u8]) {
        out.extend_from_slice(verb);
        if let Some(account) = account {
            out.extend_from_slice(account);
            out.push(b' ');
        }
        out.extend_from_slice(subject);
    }

    /// `RS+ <account> <subject>` or `RS+ <account> <subject> <queue> <weight>`.
    pub fn sub(out: &mut Vec<u8>, account: Option<&[u8]>, subject: &[u8], queue: Option<(&[u8], u32)>) {
        head(out, b"RS+ ", account, subject);
        if let Some((queue, weight)) = queue {
            out.push(b' ');
            out.extend_from_slice(queue);
            out.push(b' ');
            out.extend_from_slice(itoa::Buffer::new().format(weight).as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }

    /// `RS- <account> <subject> [<queue>]`.
    pub fn unsub(out: &mut Vec<u8>, account: Option<&[u8]>, subject: &[u8], queue: Option<&[u8]>) {
        head(out, b"RS- ", account, subject);
        if let Some(queue) = queue {
            out.push(b' ');
            out.extend_from_slice(queue);
        }
        out.extend_from_slice(b"\r\n");
    }

    /// `RMSG`/`HMSG` with the reply and queue-group forms nats-server uses.
    pub fn msg(
        out: &mut Vec<u8>,
        account: Option<&[u8]>,
        subject: &[u8],
        reply: Option<&[u8]>,
        queues: &[&[u8]],
        sizes: Sizes<'_>,
        body: &[u8],
    ) {
        let headers = matches!(sizes, Sizes::WithHeaders(..));
        head(out, if headers { b"HMSG " } else { b"RMSG " }, account, subject);
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

    const POOLED: RouteMode = RouteMode { bound_account: false, unsub_origin: false };
    const BOUND: RouteMode = RouteMode { bound_account: true, unsub_origin: false };
    const LNOCU: RouteMode = RouteMode { bound_account: false, unsub_origin: true };

    fn one(bytes: &[u8], mode: RouteMode) -> RouteOp<'_> {
        let (op, used) = parse_route_op(bytes, mode, 1 << 20).expect("valid").expect("complete");
        assert_eq!(used, bytes.len(), "consumed all of {:?}", String::from_utf8_lossy(bytes));
        op
    }

    fn at<'a>(origin: Option<&'a [u8]>, account: Option<&'a [u8]>, subject: &'a [u8]) -> RouteInterest<'a> {
        RouteInterest { origin, account, subject }
    }

    #[test]
    fn interest_lines_with_and_without_the_account() {
        assert_eq!(one(b"RS+ $G foo.>\r\n", POOLED), RouteOp::Sub(at(None, Some(b"$G"), b"foo.>"), None));
        assert_eq!(one(b"RS+ A bar q 3\r\n", POOLED), RouteOp::Sub(at(None, Some(b"A"), b"bar"), Some((b"q", 3))));
        assert_eq!(one(b"RS+ bar q 3\r\n", BOUND), RouteOp::Sub(at(None, None, b"bar"), Some((b"q", 3))));
        assert_eq!(one(b"RS- A bar q\r\n", POOLED), RouteOp::Unsub(at(None, Some(b"A"), b"bar"), Some(b"q")));
        assert_eq!(one(b"rs- bar\n", BOUND), RouteOp::Unsub(at(None, None, b"bar"), None));
        assert!(parse_route_op(b"RS+ A\r\n", POOLED, 100).is_err());
        assert!(parse_route_op(b"RS+ A s q x\r\n", POOLED, 100).is_err());
        assert!(parse_route_op(b"RS+ A s q 1 extra\r\n", POOLED, 100).is_err());
    }

    #[test]
    fn leaf_interest_carries_its_origin() {
        assert_eq!(one(b"LS+ C1 A foo\r\n", POOLED), RouteOp::Sub(at(Some(b"C1"), Some(b"A"), b"foo"), None));
        assert_eq!(one(b"LS- A foo q\r\n", POOLED), RouteOp::Unsub(at(None, Some(b"A"), b"foo"), Some(b"q")));
        assert_eq!(one(b"LS- C1 A foo q\r\n", LNOCU), RouteOp::Unsub(at(Some(b"C1"), Some(b"A"), b"foo"), Some(b"q")));
    }

    #[test]
    fn messages_in_every_form() {
        let RouteOp::Msg(m) = one(b"RMSG A foo r.1 2\r\nhi\r\n", POOLED) else { panic!() };
        assert_eq!((m.account, m.msg.subject, m.msg.reply), (Some(&b"A"[..]), &b"foo"[..], Some(&b"r.1"[..])));
        let RouteOp::Msg(m) = one(b"RMSG foo | g h 1\r\nx\r\n", BOUND) else { panic!() };
        assert_eq!((m.account, m.msg.queues), (None, Some(&b"g h"[..])));
        let RouteOp::Msg(m) = one(b"HMSG A foo + r g 12 14\r\nNATS/1.0\r\n\r\nyo\r\n", POOLED) else { panic!() };
        assert_eq!((m.msg.reply, m.msg.queues, m.msg.header_len), (Some(&b"r"[..]), Some(&b"g"[..]), Some(12)));
        let RouteOp::Msg(m) = one(b"LMSG C1 A foo 0 2\r\nhi\r\n", POOLED) else { panic!() };
        assert_eq!((m.origin, m.account, m.msg.header_len), (Some(&b"C1"[..]), Some(&b"A"[..]), Some(0)));
        assert_eq!(parse_route_op(b"RMSG A foo 5\r\nhel", POOLED, 100), Ok(None));
        assert_eq!(parse_route_op(b"RMSG A foo 500\r\n", POOLED, 100), Err(ProtoError::MaxPayloadExceeded));
        assert!(parse_route_op(b"RMSG A 1\r\nx\r\n", POOLED, 100).is_err(), "no subject");
    }

    #[test]
    fn encoders_round_trip() {
        let mut out = Vec::new();
        encode::sub(&mut out, Some(b"A"), b"foo", Some((b"q", 2)));
        encode::unsub(&mut out, Some(b"A"), b"foo", None);
        encode::msg(&mut out, Some(b"A"), b"foo", Some(b"r"), &[b"q1", b"q2"], Sizes::Plain(b"2"), b"hi");
        encode::msg(
            &mut out,
            Some(b"A"),
            b"foo",
            None,
            &[b"q"],
            Sizes::WithHeaders(b"12", b"14"),
            b"NATS/1.0\r\n\r\nyo",
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            "RS+ A foo q 2\r\nRS- A foo\r\nRMSG A foo + r q1 q2 2\r\nhi\r\nHMSG A foo | q 12 14\r\nNATS/1.0\r\n\r\nyo\r\n"
        );
        let mut bound = Vec::new();
        encode::sub(&mut bound, None, b"foo", None);
        encode::msg(&mut bound, None, b"foo", None, &[], Sizes::Plain(b"0"), b"");
        assert_eq!(String::from_utf8_lossy(&bound), "RS+ foo\r\nRMSG foo 0\r\n\r\n");
        for (bytes, mode, ops) in [(&out, POOLED, 4), (&bound, BOUND, 2)] {
            let mut rest = &bytes[..];
            let mut count = 0;
            while let Some((_, used)) = parse_route_op(rest, mode, 100).expect("valid") {
                rest = &rest[used..];
                count += 1;
            }
            assert_eq!(count, ops);
        }
    }
}
