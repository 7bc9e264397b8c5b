use super::*;

/// An owned copy of an op so results from different buffers can be compared.
#[derive(Debug, PartialEq, Eq)]
enum Owned {
    Op(String),
    Error(ProtoError),
}

fn describe(op: &ClientOp<'_>) -> String {
    format!("{op:?}")
}

/// Parses a whole input fed in one piece.
fn parse_all(input: &[u8]) -> Vec<Owned> {
    parse_chunks(&[input])
}

/// Feeds `chunks` one after another as a connection's reads would, keeping unparsed bytes.
fn parse_chunks(chunks: &[&[u8]]) -> Vec<Owned> {
    let limits = Limits::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        pending.extend_from_slice(chunk);
        loop {
            match parse_client_op(&pending, &limits) {
                Ok(Some((op, used))) => {
                    out.push(Owned::Op(describe(&op)));
                    pending.drain(..used);
                }
                Ok(None) => break,
                Err(e) => {
                    out.push(Owned::Error(e));
                    return out;
                }
            }
        }
    }
    out
}

/// Every two-way split and the one-byte-at-a-time feed give the same result as one piece.
fn assert_split_invariant(input: &[u8]) {
    let whole = parse_all(input);
    for cut in 0..=input.len() {
        assert_eq!(parse_chunks(&[&input[..cut], &input[cut..]]), whole, "split at {cut} of {input:?}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(parse_chunks(&bytes), whole, "byte at a time: {input:?}");
}

const SCRIPT: &[u8] = b"CONNECT {\"verbose\":false}\r\nPING\r\npong\r\nSUB foo 1\r\nsub foo.* q 2\r\n\
PUB foo 5\r\nhello\r\npub foo bar 0\r\n\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n\
HPUB foo reply 12 12\r\nNATS/1.0\r\n\r\n\r\nUNSUB 1\r\nunsub 2 10\r\n+OK\r\nINFO {}\r\nPING\n";

#[test]
fn script_parses_at_every_split_point() {
    let ops = parse_all(SCRIPT);
    assert_eq!(ops.len(), 14, "{ops:?}");
    assert!(ops.iter().all(|o| matches!(o, Owned::Op(_))), "{ops:?}");
    assert_split_invariant(SCRIPT);
}

#[test]
fn errors_are_the_same_at_every_split_point() {
    for input in [
        &b"PING\r\nFOO\r\n"[..],
        b"PUB foo 3\r\nabcdPING\r\n",
        b"PUB foo 1\r\na\nPING\r\n",
        b"PUB foo -1\r\n",
        b"SUB foo\r\n",
        b"UNSUB\r\n",
        b"\r\n",
        b"MSG foo 1 0\r\n\r\n",
        b"HPUB foo 13 12\r\n",
        b"PUB foo 2000000\r\n",
    ] {
        assert_split_invariant(input);
        assert!(matches!(parse_all(input).last(), Some(Owned::Error(_))), "{input:?}");
    }
}

fn first(input: &[u8]) -> Result<Option<(ClientOp<'_>, usize)>, ProtoError> {
    parse_client_op(input, &Limits::default())
}

#[test]
fn verbs_are_case_insensitive() {
    for ping in [&b"ping\r\n"[..], b"PiNg\r\n", b"PING\r\n", b"PINGxyz\r\n", b"PING\n"] {
        assert_eq!(first(ping).unwrap().unwrap().0, ClientOp::Ping, "{ping:?}");
    }
    let (op, used) = first(b"pUb a 1\r\nx\r\n").unwrap().unwrap();
    assert_eq!(used, 12);
    let ClientOp::Pub(p) = op else { panic!("{op:?}") };
    assert_eq!((p.subject, p.payload()), (&b"a"[..], &b"x"[..]));
}

#[test]
fn pub_fields_and_raw_size_token() {
    let (op, _) = first(b"PUB foo  bar\t 01\r\na\r\n").unwrap().unwrap();
    let ClientOp::Pub(p) = op else { panic!() };
    assert_eq!(p.subject, b"foo");
    assert_eq!(p.reply, Some(&b"bar"[..]));
    assert_eq!(p.size_token, b"01");
    assert_eq!(p.payload(), b"a");
    assert_eq!(p.header_len, None);
}

#[test]
fn hpub_fields() {
    let (op, used) = first(b"HPUB s r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n").unwrap().unwrap();
    assert_eq!(used, 32);
    let ClientOp::Pub(p) = op else { panic!() };
    assert_eq!(p.reply, Some(&b"r"[..]));
    assert_eq!(p.headers(), b"NATS/1.0\r\n\r\n");
    assert_eq!(p.payload(), b"hi");
}

#[test]
fn sub_and_unsub_fields() {
    assert_eq!(
        first(b"SUB \tfoo\t q\t 1 \r\n").unwrap().unwrap().0,
        ClientOp::Sub { subject: b"foo", queue: Some(b"q"), sid: b"1" }
    );
    assert_eq!(first(b"UNSUB 1\r\n").unwrap().unwrap().0, ClientOp::Unsub { sid: b"1", max: None });
    assert_eq!(first(b"UNSUB 1 5\r\n").unwrap().unwrap().0, ClientOp::Unsub { sid: b"1", max: Some(Some(5)) });
    assert_eq!(first(b"UNSUB 1 x\r\n").unwrap().unwrap().0, ClientOp::Unsub { sid: b"1", max: Some(None) });
}

#[test]
fn connect_without_space_and_with_tabs() {
    assert_eq!(first(b"CONNECT{}\r\n").unwrap().unwrap().0, ClientOp::Connect(b"{}"));
    assert_eq!(first(b"connect \t {\"a\":1}\r\n").unwrap().unwrap().0, ClientOp::Connect(b"{\"a\":1}"));
}

#[test]
fn bad_verbs_fail_before_the_line_ends() {
    assert_eq!(first(b"F"), Err(ProtoError::UnknownOperation));
    assert_eq!(first(b"PX"), Err(ProtoError::UnknownOperation));
    assert_eq!(first(b"PUBX"), Err(ProtoError::UnknownOperation));
    assert_eq!(first(b"SUBSCRIBE"), Err(ProtoError::UnknownOperation));
    assert_eq!(first(b"PU"), Ok(None));
    assert_eq!(first(b"PUB"), Ok(None));
}

#[test]
fn wrong_payload_terminator_fails_as_soon_as_seen() {
    assert_eq!(first(b"PUB foo 2\r\nabc"), Err(ProtoError::UnknownOperation));
    assert_eq!(first(b"PUB foo 2\r\nab\rX"), Err(ProtoError::UnknownOperation));
    assert_eq!(first(b"PUB foo 2\r\nab\r"), Ok(None));
}

#[test]
fn sizes_follow_nats_server_rules() {
    assert!(matches!(first(b"PUB foo 1234567890\r\n"), Err(ProtoError::BadArguments(_))));
    assert!(matches!(first(b"PUB foo 1x\r\n"), Err(ProtoError::BadArguments(_))));
    assert!(matches!(first(b"PUB foo\r\n"), Err(ProtoError::BadArguments(_))));
    assert!(matches!(first(b"PUB a b c d\r\n"), Err(ProtoError::BadArguments(_))));
    assert!(matches!(first(b"HPUB a 3 2\r\n"), Err(ProtoError::BadArguments(_))));
}

/// nats-server refuses an HPUB from a client without headers once its line is complete: it
/// neither waits for the payload nor reads the arguments.
#[test]
fn hpub_without_headers_fails_at_the_end_of_its_line() {
    let limits = Limits { headers: false, ..Limits::default() };
    for line in [&b"HPUB foo 12 14\r\n"[..], b"hpub foo 12\n", b"HPUB \r\n", b"HPUB foo 12 2000000\r\n"] {
        assert_eq!(parse_client_op(line, &limits), Err(ProtoError::HeadersNotSupported), "{line:?}");
        assert_eq!(parse_client_op(&line[..line.len() - 1], &limits), Ok(None), "{line:?}");
    }
    assert_eq!(parse_client_op(b"HPUB\r\n", &limits), Err(ProtoError::UnknownOperation));
    assert!(matches!(parse_client_op(b"PUB foo 0\r\n\r\n", &limits), Ok(Some(_))));
}

#[test]
fn limits_are_enforced() {
    let limits = Limits { max_control_line: 10, max_payload: 4, ..Limits::default() };
    assert_eq!(parse_client_op(b"PUB foo 5\r\n", &limits), Err(ProtoError::MaxPayloadExceeded));
    assert_eq!(parse_client_op(b"PUB foo 4\r\n", &limits), Ok(None));
    assert_eq!(parse_client_op(b"SUB aaaaaaaaaaaaa 1\r\n", &limits), Err(ProtoError::MaxControlLineExceeded));
    assert_eq!(parse_client_op(b"SUB aaaaaaaaaaaaa", &limits), Err(ProtoError::MaxControlLineExceeded));
    assert_eq!(parse_client_op(b"SUB aaa", &limits), Ok(None));
}

/// Found by the `parse_client_ops` fuzz target: while a line's end had not arrived, the blank
/// after the verb and a trailing `\r` counted towards the limit, so a line at the limit was
/// refused when a read split it and accepted when it came in one piece.
#[test]
fn control_line_limit_does_not_depend_on_where_a_read_splits() {
    let limits = Limits::default();
    let mut line = b"PUB ".to_vec();
    line.resize(4 + limits.max_control_line - 2, b'a');
    line.extend_from_slice(b" 0\r\n\r\n");
    assert!(matches!(parse_client_op(&line, &limits), Ok(Some((ClientOp::Pub(_), _)))));
    for cut in [line.len() - 5, line.len() - 4, line.len() - 3] {
        assert_eq!(parse_client_op(&line[..cut], &limits), Ok(None), "cut at {cut}");
    }
    let small = Limits { max_control_line: 3, max_payload: 30, ..Limits::default() };
    assert!(matches!(parse_client_op(b"PUB a \r\n", &small), Err(ProtoError::BadArguments(_))));
    assert_eq!(parse_client_op(b"PUB a \r", &small), Ok(None));
    assert_eq!(parse_client_op(b"PUB  abcd", &small), Err(ProtoError::MaxControlLineExceeded));
    // Blanks alone still reach the limit, so they cannot pile up waiting for the line's end.
    let blanks = [&b"SUB"[..], &[b' '; 5][..]].concat();
    assert_eq!(parse_client_op(&blanks, &small), Err(ProtoError::MaxControlLineExceeded));
    assert_eq!(parse_client_op(&blanks[..6], &small), Ok(None));
}

#[test]
fn empty_payload_and_empty_input() {
    assert_eq!(first(b""), Ok(None));
    let (op, used) = first(b"PUB foo 0\r\n\r\n").unwrap().unwrap();
    assert_eq!(used, 13);
    let ClientOp::Pub(p) = op else { panic!() };
    assert!(p.payload().is_empty());
}

#[test]
fn ping_lines_are_bounded_too() {
    let limits = Limits { max_control_line: 8, max_payload: 8, ..Limits::default() };
    let long_ping = [&b"PING "[..], &[b'a'; 70_000]].concat();
    assert_eq!(parse_client_op(&long_ping, &limits), Err(ProtoError::MaxControlLineExceeded));
    assert_eq!(parse_client_op(&long_ping[..5000], &limits), Ok(None), "nats-server ignores such bytes");
    assert_eq!(parse_client_op(b"PING\r\n", &limits).map(|o| o.map(|(op, _)| op)), Ok(Some(ClientOp::Ping)));
}
