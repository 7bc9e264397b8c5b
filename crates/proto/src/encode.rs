//! Encoders for what the server sends to clients, writing into a caller's buffer.
//!
//! Every function appends; none allocates beyond growing `out`.

use crate::Info;

/// `INFO <json> \r\n` (nats-server puts a space before the line end).
pub fn info(out: &mut Vec<u8>, info: &Info) {
    out.extend_from_slice(b"INFO ");
    // Serializing plain strings and integers into a Vec cannot fail.
    if serde_json::to_writer(&mut *out, info).is_err() {
        out.extend_from_slice(b"{}");
    }
    out.extend_from_slice(b" \r\n");
}

/// `-ERR '<text>'\r\n`.
pub fn err(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(b"-ERR '");
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"'\r\n");
}

/// `+OK\r\n`.
pub fn ok(out: &mut Vec<u8>) {
    out.extend_from_slice(b"+OK\r\n");
}

/// `PING\r\n`.
pub fn ping(out: &mut Vec<u8>) {
    out.extend_from_slice(b"PING\r\n");
}

/// `PONG\r\n`.
pub fn pong(out: &mut Vec<u8>) {
    out.extend_from_slice(b"PONG\r\n");
}

/// The size fields of a delivered message, as tokens: nats-server repeats the publisher's own
/// tokens, so they are passed through rather than re-formatted.
#[derive(Debug, Clone, Copy)]
pub enum Sizes<'a> {
    /// `MSG`: one size token.
    Plain(&'a [u8]),
    /// `HMSG`: header size and total size tokens.
    WithHeaders(&'a [u8], &'a [u8]),
}

/// `MSG <subject> <sid> [reply] <size>\r\n` or the `HMSG` form, then `body` and `\r\n`.
pub fn message(out: &mut Vec<u8>, subject: &[u8], sid: &[u8], reply: Option<&[u8]>, sizes: Sizes<'_>, body: &[u8]) {
    let line_len = 32 + subject.len() + sid.len() + reply.map_or(0, <[u8]>::len);
    out.reserve(line_len + body.len());
    message_line(out, subject, sid, reply, sizes);
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

/// The control line of `MSG` or `HMSG`, through its `\r\n`.
#[inline]
fn message_line(out: &mut Vec<u8>, subject: &[u8], sid: &[u8], reply: Option<&[u8]>, sizes: Sizes<'_>) {
    let verb: &[u8] = match sizes {
        Sizes::Plain(_) => b"MSG ",
        Sizes::WithHeaders(..) => b"HMSG ",
    };
    out.extend_from_slice(verb);
    out.extend_from_slice(subject);
    out.push(b' ');
    out.extend_from_slice(sid);
    out.push(b' ');
    if let Some(reply) = reply {
        out.extend_from_slice(reply);
        out.push(b' ');
    }
    size_tokens(out, sizes);
    out.extend_from_slice(b"\r\n");
}

/// The size tokens, the end of the control line, `body` and its `\r\n` (every message
/// verb ends this way).
pub(crate) fn sizes_line_end(out: &mut Vec<u8>, sizes: Sizes<'_>, body: &[u8]) {
    size_tokens(out, sizes);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n");
}

#[inline]
fn size_tokens(out: &mut Vec<u8>, sizes: Sizes<'_>) {
    match sizes {
        Sizes::Plain(size) => out.extend_from_slice(size),
        Sizes::WithHeaders(header, total) => {
            out.extend_from_slice(header);
            out.push(b' ');
            out.extend_from_slice(total);
        }
    }
}

/// The status a requester asking for no-responders notices gets when its request on `subject`
/// reached nobody: `HMSG <reply> <sid>` with a 503 header naming the subject (nats-server 2.12
/// added the `Nats-Subject` line), no body.
pub fn no_responders(out: &mut Vec<u8>, reply: &[u8], sid: &[u8], subject: &[u8]) {
    const STATUS: &[u8] = b"NATS/1.0 503\r\nNats-Subject: ";
    const END: &[u8] = b"\r\n\r\n";
    let mut digits = SizeBuffer::new();
    let size = size_token(STATUS.len() + subject.len() + END.len(), &mut digits);
    message_line(out, reply, sid, None, Sizes::WithHeaders(size, size));
    out.extend_from_slice(STATUS);
    out.extend_from_slice(subject);
    out.extend_from_slice(END);
    out.extend_from_slice(b"\r\n");
}

/// Stack space for formatting a size the server computes itself.
pub type SizeBuffer = itoa::Buffer;

/// Formats `n` as a size token in `buf`.
pub fn size_token(n: usize, buf: &mut SizeBuffer) -> &[u8] {
    buf.format(n).as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_and_hmsg() {
        let mut out = Vec::new();
        message(&mut out, b"foo", b"1", None, Sizes::Plain(b"2"), b"hi");
        message(&mut out, b"foo", b"9", Some(b"r"), Sizes::WithHeaders(b"12", b"14"), b"NATS/1.0\r\n\r\nhi");
        assert_eq!(out, b"MSG foo 1 2\r\nhi\r\nHMSG foo 9 r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
    }

    #[test]
    fn no_responders_names_the_subject() {
        let mut out = Vec::new();
        no_responders(&mut out, b"reply", b"7", b"nobody");
        assert_eq!(out, b"HMSG reply 7 38 38\r\nNATS/1.0 503\r\nNats-Subject: nobody\r\n\r\n\r\n");
    }

    #[test]
    fn info_has_space_before_crlf() {
        let mut out = Vec::new();
        info(&mut out, &Info { proto: 1, headers: true, max_payload: 1, ..Info::default() });
        assert!(out.starts_with(b"INFO {\"server_id\":\"\""));
        assert!(out.ends_with(b"\"max_payload\":1} \r\n"));
    }

    #[test]
    fn err_quotes() {
        let mut out = Vec::new();
        err(&mut out, "Stale Connection");
        assert_eq!(out, b"-ERR 'Stale Connection'\r\n");
    }
}
