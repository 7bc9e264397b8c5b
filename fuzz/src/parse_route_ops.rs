//! Checks behind the `parse_route_ops` fuzz target (also replayed on stable by
//! `crates/proto/tests/fuzz_route_corpus.rs`). Depends on `rnats_proto` only.
//!
//! The input is what a peer server sends on a route, fed to `parse_route_op` as a route reader
//! will. Byte 0 picks the payload limit and the route mode (account tokens or a route bound to
//! one account; `LS-` with or without origin). Checked: no panic; every op consumes at least
//! one byte and no more than the buffer; a message's body has its announced size with the
//! header inside it; an op parsed from exactly its own bytes is the same op; feeding the input
//! in two pieces gives the same results as feeding it whole.

use rnats_proto::route::{parse_route_op, RouteMode, RouteOp};

/// Results of feeding `chunks` one after another: each op's debug text, then how it ended.
fn feed(chunks: &[&[u8]], mode: RouteMode, max_payload: usize) -> Vec<String> {
    let mut buf: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match parse_route_op(&buf, mode, max_payload) {
                Ok(Some((op, used))) => {
                    assert!(used > 0 && used <= buf.len(), "consumed {used} of {}", buf.len());
                    if let RouteOp::Msg(m) = &op {
                        let total: usize = std::str::from_utf8(m.msg.size_token)
                            .ok()
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(usize::MAX);
                        assert_eq!(m.msg.body.len(), total, "body has the announced size");
                        assert!(m.msg.header_len.is_none_or(|h| h <= m.msg.body.len()), "header inside the body");
                        assert_eq!(m.account.is_none(), mode.bound_account, "account token as the mode says");
                    }
                    let again = parse_route_op(&buf[..used], mode, max_payload);
                    assert_eq!(again, Ok(Some((op.clone(), used))), "an op parses the same from its own bytes");
                    out.push(format!("{op:?}"));
                    buf.drain(..used);
                }
                Ok(None) => break,
                Err(e) => {
                    out.push(format!("error {e:?}"));
                    return out;
                }
            }
        }
    }
    out.push(format!("pending {}", buf.len()));
    out
}

/// The fuzz target's check.
pub fn check(data: &[u8]) {
    let first = data.first().copied().unwrap_or(0);
    let mode = RouteMode { bound_account: first & 1 == 1, unsub_origin: first & 2 == 2 };
    let max_payload = 1 + usize::from(first >> 2) * 64;
    let whole = feed(&[data], mode, max_payload);
    let split = usize::from(data.get(1).copied().unwrap_or(0)) % (data.len() + 1);
    let (a, b) = data.split_at(split);
    assert_eq!(feed(&[a, b], mode, max_payload), whole, "split at {split} changes the results");
}
