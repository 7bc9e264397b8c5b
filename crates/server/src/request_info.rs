//! The `Nats-Request-Info` header that tells a service's responders which account a request
//! came from (nats-server's `ClientInfoHdr`). Responders base authorization on it, so the
//! server's is the only one they may ever see.

/// The header's name as nats-server writes it.
pub const REQUEST_INFO: &str = "Nats-Request-Info";

/// `body` (a header block of `header_len` bytes, then the payload) with
/// `Nats-Request-Info: {"acc":"<account>"}` as its only header of that name: any the requester
/// sent, in any case (clients read header names case-insensitively), is dropped; the status
/// line and other headers stay. A request without headers gets a new block. Returns the new
/// body and its header length.
pub fn set_request_info(body: &[u8], header_len: usize, account: &str) -> (Vec<u8>, usize) {
    let (headers, payload) = body.split_at(header_len.min(body.len()));
    let line = format!("{REQUEST_INFO}: {{\"acc\":{}}}\r\n", serde_json::Value::from(account));
    let mut out = Vec::with_capacity(body.len() + line.len() + 12);
    let mut lines = headers.split_inclusive(|&b| b == b'\n').peekable();
    match lines.next_if(|l| l.starts_with(b"NATS/")) {
        Some(status) => push_line(&mut out, status),
        None => out.extend_from_slice(b"NATS/1.0\r\n"),
    }
    for header in lines.filter(|l| !is_blank(l) && !is_request_info(l)) {
        push_line(&mut out, header);
    }
    out.extend_from_slice(line.as_bytes());
    out.extend_from_slice(b"\r\n");
    let new_header_len = out.len();
    out.extend_from_slice(payload);
    (out, new_header_len)
}

/// Copies a header line, ending it with CRLF if the requester's block did not.
fn push_line(out: &mut Vec<u8>, line: &[u8]) {
    out.extend_from_slice(line);
    if !line.ends_with(b"\n") {
        out.extend_from_slice(b"\r\n");
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| matches!(b, b'\r' | b'\n'))
}

/// A header line named `Nats-Request-Info`, in any case.
pub fn is_request_info(line: &[u8]) -> bool {
    line.iter()
        .position(|&b| b == b':')
        .is_some_and(|colon| line[..colon].trim_ascii().eq_ignore_ascii_case(REQUEST_INFO.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(body: &str, header_len: usize) -> String {
        let (out, len) = set_request_info(body.as_bytes(), header_len, "B");
        let out = String::from_utf8(out).expect("utf8");
        assert!(out[..len].ends_with("\r\n\r\n"), "{out:?}");
        out
    }

    #[test]
    fn a_plain_request_gets_a_block() {
        assert_eq!(set("hi", 0), "NATS/1.0\r\nNats-Request-Info: {\"acc\":\"B\"}\r\n\r\nhi");
    }

    #[test]
    fn other_headers_stay_and_forged_ones_go() {
        let forged = "NATS/1.0\r\nX-Id: 7\r\nNats-Request-Info: {\"acc\":\"ADMIN\"}\r\nnats-request-info : x\r\n\r\n";
        assert_eq!(
            set(&format!("{forged}yo"), forged.len()),
            "NATS/1.0\r\nX-Id: 7\r\nNats-Request-Info: {\"acc\":\"B\"}\r\n\r\nyo"
        );
    }

    #[test]
    fn a_status_line_stays_and_a_missing_one_is_added() {
        let with_status = "NATS/1.0 100 Idle\r\n\r\n";
        assert!(set(with_status, with_status.len()).starts_with("NATS/1.0 100 Idle\r\nNats-Request-Info"));
        let odd = "X: 1\r\n\r\n";
        assert!(set(odd, odd.len()).starts_with("NATS/1.0\r\nX: 1\r\nNats-Request-Info"));
        let cut = "NATS/1.0\r\nX: 1";
        assert!(set(cut, cut.len()).starts_with("NATS/1.0\r\nX: 1\r\nNats-Request-Info"));
    }
}
