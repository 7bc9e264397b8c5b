//! Checks behind the `service_replies` fuzz target, shared with
//! `crates/server/tests/fuzz_replies.rs` (which includes this file with `#[path]`). Depends on
//! the `rnats` server crate only: the reply handling of service imports and `allow_responses`,
//! where hostile traffic once cost everyone else (issue 11).
//!
//! The input is a script of operations run side by side with plain models:
//! - `allow_responses`: record a reply, publish to one (allowed exactly while the model holds
//!   it and under the maximum), count tracked replies;
//! - reply maps: register a request through one of two imports (singleton and streamed),
//!   respond (routed back exactly while the model holds the reply map, to the right account and
//!   reply; a singleton reply map ends), forget, expire everything in batches, count maps;
//! - `Nats-Request-Info`: arbitrary header blocks and payloads come out with exactly one such
//!   header (the server's), every other header line in order, and the payload unchanged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rnats::account::Account;
use rnats::auth::{ReplyTracker, ResponseLimits};
use rnats::import::ServiceImport;
use rnats::request_info::{is_request_info, set_request_info};
use rnats::responses::Responses;

/// Reply subjects, few so they repeat; the last is built from the script's bytes.
const REPLIES: [&[u8]; 6] = [b"_INBOX.a", b"_INBOX.b", b"r.1", b"r.2", b"", b"_INBOX.a.b"];

struct Script<'a> {
    data: &'a [u8],
    at: usize,
}

impl Script<'_> {
    fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// A length byte, then that many bytes (fewer at the end of the script).
    fn bytes(&mut self) -> Vec<u8> {
        let len = usize::from(self.byte() % 64);
        let end = (self.at + len).min(self.data.len());
        let out = self.data[self.at.min(end)..end].to_vec();
        self.at += len;
        out
    }

    fn reply(&mut self) -> Vec<u8> {
        match usize::from(self.byte()) % (REPLIES.len() + 1) {
            i if i < REPLIES.len() => REPLIES[i].to_vec(),
            _ => self.bytes(),
        }
    }
}

/// `allow_responses` model: reply -> responses sent since it was recorded.
struct TrackerModel {
    max: Option<u64>,
    replies: HashMap<Vec<u8>, u64>,
}

impl TrackerModel {
    fn allow(&mut self, reply: &[u8]) -> bool {
        let Some(sent) = self.replies.get_mut(reply) else { return false };
        *sent += 1;
        if self.max.is_some_and(|max| *sent > max) {
            self.replies.remove(reply);
            return false;
        }
        true
    }
}

/// A reply map the model expects: which import, the requester's reply.
struct MapModel {
    import: usize,
    reply: Vec<u8>,
}

/// Runs the script in `data`; panics where the server's code and the model disagree.
pub fn check(data: &[u8]) {
    let mut script = Script { data, at: 0 };
    let max = match script.byte() % 4 {
        0 => None,
        n => Some(u64::from(n)),
    };
    let tracker = ReplyTracker::new(ResponseLimits::new(max, None));
    let mut tracked = TrackerModel { max, replies: HashMap::new() };

    let exporter = Account::new("A");
    let imports: Vec<ServiceImport> = (0..2)
        .map(|i| ServiceImport {
            exporter: Arc::clone(&exporter),
            importer: Account::new(&format!("B{i}")),
            subject: b"svc".as_slice().into(),
            local: b"svc".as_slice().into(),
            streamed: i == 1,
            threshold: Duration::from_secs(60),
        })
        .collect();
    let responses = Responses::new();
    let mut maps: HashMap<Vec<u8>, MapModel> = HashMap::new();
    let mut made: Vec<Vec<u8>> = Vec::new();

    while !script.done() {
        match script.byte() % 8 {
            0 => {
                let reply = script.reply();
                tracker.record(&reply);
                tracked.replies.insert(reply, 0);
            }
            1 => {
                let reply = script.reply();
                assert_eq!(tracker.allow_response(&reply), tracked.allow(&reply), "response to {reply:?}");
            }
            2 => {
                let import = usize::from(script.byte() % 2);
                let reply = script.reply();
                let subject = responses.register(&imports[import], &reply);
                assert!(subject.starts_with(b"_R_."));
                maps.insert(subject.to_vec(), MapModel { import, reply });
                made.push(subject.to_vec());
            }
            3 => {
                let subject = pick(&mut script, &made);
                let expected = maps.get(&subject).map(|r| (format!("B{}", r.import), r.reply.clone()));
                let got = responses.take(&subject).map(|(account, reply)| (account.name.clone(), reply.to_vec()));
                assert_eq!(got, expected, "response on {subject:?}");
                if maps.get(&subject).is_some_and(|r| r.import == 0) {
                    maps.remove(&subject);
                }
            }
            4 => {
                let subject = pick(&mut script, &made);
                responses.forget(&subject);
                maps.remove(&subject);
            }
            5 => {
                let later = Instant::now() + Duration::from_secs(3600);
                let mut batches = 0;
                while responses.expire(later) {
                    batches += 1;
                    assert!(batches < 10_000, "expiry ends");
                }
                maps.clear();
            }
            6 => check_request_info(&mut script),
            _ => {
                assert_eq!(tracker.tracked(), tracked.replies.len(), "tracked replies");
                assert_eq!(responses.pending(), maps.len(), "pending maps");
            }
        }
    }
    assert_eq!(tracker.tracked(), tracked.replies.len(), "tracked replies");
    assert_eq!(responses.pending(), maps.len(), "pending maps");
}

/// A subject maps were made for (mostly) or arbitrary bytes.
fn pick(script: &mut Script<'_>, made: &[Vec<u8>]) -> Vec<u8> {
    let choice = usize::from(script.byte());
    match made.len() {
        0 => script.bytes(),
        n if choice % 8 != 7 => made[choice % n].clone(),
        _ => script.bytes(),
    }
}

fn check_request_info(script: &mut Script<'_>) {
    let raw = script.bytes();
    // Header blocks that look like real ones half of the time, then a payload.
    let (body, header_len) = if script.byte().is_multiple_of(2) {
        let mut body = b"NATS/1.0\r\n".to_vec();
        body.extend_from_slice(&raw);
        body.extend_from_slice(b"\r\n\r\n");
        let header_len = body.len();
        body.extend_from_slice(&script.bytes());
        (body, header_len)
    } else {
        let header_len = usize::from(script.byte()) % (raw.len() + 1);
        (raw, header_len)
    };
    let account = String::from_utf8_lossy(&script.bytes()).into_owned();
    let (out, out_header_len) = set_request_info(&body, header_len, &account);

    assert!(out_header_len <= out.len());
    assert_eq!(&out[out_header_len..], &body[header_len..], "the payload is unchanged");
    let headers = &out[..out_header_len];
    assert!(headers.starts_with(b"NATS/"), "a status line first");
    assert!(headers.ends_with(b"\r\n\r\n"), "the block ends with an empty line");
    let infos: Vec<&[u8]> = headers.split_inclusive(|&b| b == b'\n').filter(|l| is_request_info(l)).collect();
    let expected = format!("Nats-Request-Info: {{\"acc\":{}}}\r\n", serde_json::Value::from(account.as_str()));
    assert_eq!(infos, vec![expected.as_bytes()], "exactly the server's Nats-Request-Info");
    // Every other non-blank header line of the requester is kept, in order.
    let kept = |block: &[u8]| -> Vec<Vec<u8>> {
        block
            .split(|&b| b == b'\n')
            .skip(1)
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l).to_vec())
            .filter(|l| !l.is_empty() && l.iter().any(|b| *b != b'\r') && !is_request_info(l))
            .collect()
    };
    let original = &body[..header_len];
    if original.starts_with(b"NATS/") {
        assert_eq!(kept(headers), kept(original), "other headers stay");
    }
}
