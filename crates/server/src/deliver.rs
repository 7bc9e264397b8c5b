//! The publish path after parsing: given the subscriptions that match a subject, append the
//! message to each subscriber's outbound buffer (one member per queue group) and remember whom
//! to wake. Nothing here allocates once buffers have grown to their working size.

use std::sync::atomic::Ordering;

use rnats_proto::encode::{self, Sizes};
use rnats_subject::MatchResult;

use crate::account::Account;
use crate::conn::FlushSet;
use crate::import::{ServiceImport, SubjectBuffer};
use crate::link::policy::{self, OriginKind};
use crate::link::{Link, LinkSends};
use crate::request_info::set_request_info;
use crate::subscription::{Subscription, Target};

/// Chained stream imports deeper than this are not followed (the config refuses cycles; this
/// is a second line of defence).
const MAX_IMPORT_DEPTH: usize = 8;

/// A message on its way to subscribers, fields borrowed from the publisher's read buffer.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// Published subject.
    pub subject: &'a [u8],
    /// Reply subject.
    pub reply: Option<&'a [u8]>,
    /// Header block length, for `HPUB`.
    pub header_len: Option<usize>,
    /// Total size as the publisher wrote it.
    pub size_token: &'a [u8],
    /// Header size as the publisher wrote it.
    pub header_size_token: &'a [u8],
    /// Header block then payload.
    pub body: &'a [u8],
    /// The `Nats-Request-Info` header in `body` was written by this server: the request
    /// already crossed a service import. Anyone else's is replaced, never believed.
    pub request_info_trusted: bool,
}

/// Where a message came from: the connection (for `echo: false`, and so that nothing goes
/// back where it came from), its kind (for the forwarding rules of `link::policy`), and, for a
/// message from a link that named queue groups, which groups it is for.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The connection it arrived on; `None` once it crossed into another account.
    pub conn: Option<u64>,
    /// What kind of connection that is.
    pub kind: OriginKind,
    /// Whether the publishing connection receives its own messages (never a link's).
    pub echo: bool,
    /// Only these queue groups get it here (space-separated names).
    pub queues: Option<&'a [u8]>,
}

impl Origin<'_> {
    /// A client's message.
    pub fn client(conn: u64, echo: bool) -> Origin<'static> {
        Origin { conn: Some(conn), kind: OriginKind::Client, echo, queues: None }
    }

    /// A message that arrived over `link`, for `queues` if it named some.
    pub fn link<'q>(link: &Link, queues: Option<&'q [u8]>) -> Origin<'q> {
        Origin { conn: Some(link.id), kind: OriginKind::Link(link.kind), echo: false, queues }
    }

    /// The same message after it crossed an import into another account: no connection there
    /// sent it, no queue filter applies; its kind still decides where it may go.
    fn imported(&self) -> Origin<'static> {
        Origin { conn: None, kind: self.kind, echo: true, queues: None }
    }

    fn skips(&self, sub: &Subscription) -> bool {
        !self.echo && Some(sub.client.id) == self.conn
    }

    /// Never back over the link it came from; elsewhere as the forwarding rules say.
    fn skips_link(&self, link: &Link, subject: &[u8]) -> bool {
        Some(link.id) == self.conn
            || !policy::forwards(self.kind, link.kind, policy::is_service_reply(subject))
            || link.denies_export(subject)
    }

    fn wants_group(&self, name: &[u8]) -> bool {
        self.queues.is_none_or(|names| names.split(|&b| b == b' ').any(|q| q == name))
    }
}

enum Outcome {
    Skipped,
    Delivered,
    /// Delivered, and that was the subscription's last message (`UNSUB <sid> <max>`).
    DeliveredLast,
}

/// Delivers `msg` to everyone in `matches`; returns whether anyone got it.
pub fn fan_out(
    account: &Account,
    matches: &MatchResult<Target>,
    origin: Origin<'_>,
    msg: &Message<'_>,
    flush: &mut FlushSet,
) -> bool {
    fan_out_at(account, matches, origin, msg, flush, 0)
}

fn fan_out_at(
    account: &Account,
    matches: &MatchResult<Target>,
    origin: Origin<'_>,
    msg: &Message<'_>,
    flush: &mut FlushSet,
    depth: usize,
) -> bool {
    let mut delivered = false;
    // Set up only when a link is among the targets: most messages never touch one.
    let mut links: Option<LinkSends<'_>> = None;
    for target in &matches.plain {
        match target {
            Target::Link(interest) => {
                if !origin.skips_link(&interest.link, msg.subject) {
                    links.get_or_insert_with(LinkSends::default).plain(&interest.link);
                }
            }
            Target::Client(sub) if !origin.skips(sub) => delivered |= settle(account, sub, deliver(sub, msg, flush)),
            Target::Client(_) => {}
            Target::StreamImport(import) if depth < MAX_IMPORT_DEPTH => {
                let mut subject = SubjectBuffer::new();
                import.local_subject(msg.subject, &mut subject);
                let local = Message { subject: subject.as_bytes(), ..*msg };
                let matches = import.importer.matches(local.subject);
                delivered |= fan_out_at(&import.importer, &matches, origin.imported(), &local, flush, depth + 1);
            }
            Target::StreamImport(_) => {}
            Target::ServiceImport(import) if depth < MAX_IMPORT_DEPTH => {
                // Delivered only if a responder in the exporter took it, so a requester gets
                // its 503 (nats-server 2.11 and later; 2.9.10 counted any request handed to a
                // service import as delivered).
                delivered |= request_across(import, msg, origin, flush, depth);
            }
            Target::Responses(responses) if depth < MAX_IMPORT_DEPTH => {
                if let Some((importer, reply)) = responses.take(msg.subject) {
                    let response = Message { subject: &reply, ..*msg };
                    let matches = importer.matches(&reply);
                    delivered |= fan_out_at(&importer, &matches, origin.imported(), &response, flush, depth + 1);
                }
            }
            Target::ServiceImport(_) | Target::Responses(_) => {}
        }
    }
    for group in &matches.queues {
        if !origin.wants_group(&group.name) {
            continue;
        }
        let members = &group.members;
        let start = fastrand::usize(..members.len());
        let mut taken = false;
        // Members on this server first; a link's remote members only when none here took it.
        for i in 0..members.len() {
            let Some(sub) = members[(start + i) % members.len()].subscription() else { continue };
            if origin.skips(sub) {
                continue;
            }
            if settle(account, sub, deliver(sub, msg, flush)) {
                taken = true;
                break;
            }
        }
        if !taken {
            let remote = (0..members.len()).find_map(|i| match &members[(start + i) % members.len()] {
                Target::Link(interest) if !origin.skips_link(&interest.link, msg.subject) => Some(interest),
                _ => None,
            });
            if let Some(interest) = remote {
                taken = links.get_or_insert_with(LinkSends::default).queue(&interest.link, &group.name);
            }
        }
        delivered |= taken;
    }
    if let Some(links) = links.filter(|l| !l.is_empty()) {
        delivered = true;
        links.for_each(|link, queues| link.send(msg, queues, flush));
    }
    delivered
}

/// A request published on a service import's local subject, re-published in the exporter
/// with a generated reply subject that leads back to the requester.
fn request_across(
    import: &ServiceImport,
    msg: &Message<'_>,
    origin: Origin<'_>,
    flush: &mut FlushSet,
    depth: usize,
) -> bool {
    let mut subject = SubjectBuffer::new();
    import.exporter_subject(msg.subject, &mut subject);
    let responses = import.exporter.responses();
    let reply = msg.reply.map(|reply| responses.register(import, reply));
    // nats-server tells responders which account asked, in a `Nats-Request-Info` header: the
    // first service import sets it (replacing whatever the requester sent), later ones in a
    // chain keep it.
    let with_info = (!msg.request_info_trusted).then(|| WithRequestInfo::new(msg, &import.importer.name));
    let forwarded = with_info.as_ref().map_or(*msg, |info| info.message(msg));
    let request = Message { subject: subject.as_bytes(), reply: reply.as_deref(), ..forwarded };
    let matches = import.exporter.matches(request.subject);
    let delivered = fan_out_at(&import.exporter, &matches, origin.imported(), &request, flush, depth + 1);
    if !delivered {
        if let Some(reply) = &reply {
            responses.forget(reply);
        }
    }
    delivered
}

/// A request's body with the `Nats-Request-Info` header set, and the size tokens to go with it.
struct WithRequestInfo {
    body: Vec<u8>,
    header_len: usize,
    header_size: String,
    total_size: String,
}

impl WithRequestInfo {
    fn new(msg: &Message<'_>, account: &str) -> WithRequestInfo {
        let (body, header_len) = set_request_info(msg.body, msg.header_len.unwrap_or(0), account);
        WithRequestInfo { header_size: header_len.to_string(), total_size: body.len().to_string(), header_len, body }
    }

    fn message<'a>(&'a self, msg: &Message<'a>) -> Message<'a> {
        Message {
            header_len: Some(self.header_len),
            size_token: self.total_size.as_bytes(),
            header_size_token: self.header_size.as_bytes(),
            body: &self.body,
            request_info_trusted: true,
            ..*msg
        }
    }
}

fn settle(account: &Account, sub: &std::sync::Arc<Subscription>, outcome: Outcome) -> bool {
    match outcome {
        Outcome::Skipped => false,
        Outcome::Delivered => true,
        Outcome::DeliveredLast => {
            account.remove_subscription(sub);
            true
        }
    }
}

fn deliver(sub: &Subscription, msg: &Message<'_>, flush: &mut FlushSet) -> Outcome {
    if sub.is_removed() {
        return Outcome::Skipped;
    }
    if sub.guard.as_ref().is_some_and(|guard| !guard.admit(msg.subject, msg.reply)) {
        return Outcome::Skipped;
    }
    let count = sub.delivered.fetch_add(1, Ordering::Relaxed) + 1;
    let max = sub.max.load(Ordering::Relaxed);
    if max > 0 && count > max {
        return Outcome::Skipped;
    }
    let enqueued = sub.client.enqueue(|out| encode_for(out, sub, msg));
    flush.note(&sub.client, enqueued);
    if max > 0 && count == max {
        Outcome::DeliveredLast
    } else {
        Outcome::Delivered
    }
}

/// `HMSG` for clients that understand headers; `MSG` without the header block for the others.
fn encode_for(out: &mut Vec<u8>, sub: &Subscription, msg: &Message<'_>) {
    match msg.header_len {
        None => encode::message(out, msg.subject, &sub.sid, msg.reply, Sizes::Plain(msg.size_token), msg.body),
        Some(_) if sub.client.supports_headers() => encode::message(
            out,
            msg.subject,
            &sub.sid,
            msg.reply,
            Sizes::WithHeaders(msg.header_size_token, msg.size_token),
            msg.body,
        ),
        Some(header_len) => {
            let payload = &msg.body[header_len..];
            let mut digits = itoa_buffer();
            let size = encode::size_token(payload.len(), &mut digits);
            encode::message(out, msg.subject, &sub.sid, msg.reply, Sizes::Plain(size), payload)
        }
    }
}

fn itoa_buffer() -> rnats_proto::encode::SizeBuffer {
    rnats_proto::encode::SizeBuffer::new()
}
