//! What a client connection does with each operation it sends, apart from sockets and timers:
//! the connection task feeds it bytes and wakes writers afterwards.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use foldhash::fast::RandomState;
use rnats_proto::{encode, parse_client_op, ClientOp, ConnectOptions, Limits, ProtoError, Publish};
use rnats_subject::{is_valid_literal_subject, is_valid_subject};

use super::cache::MatchCache;
use crate::account::Account;
use crate::deliver::{fan_out, Message, Publisher};
use crate::errors::{self, text, CloseReason};
use crate::outbound::{ClientShared, FlushSet};
use crate::server::ServerState;
use crate::subscription::{Subscription, Target};

/// The server's service-import reply prefix: a client may not use a reply starting with it.
const SERVICE_REPLY_PREFIX: &[u8] = b"_R_.";
/// JetStream ack and gateway-routed reply prefixes: a client may not use a reply longer than
/// these that starts with one (nats-server's `isReservedReply`).
const RESERVED_REPLY_PREFIXES: [&[u8]; 2] = [b"$JS.ACK.", b"_GR_."];
/// A client may not publish to a subject longer than this prefix that starts with it
/// (nats-server 2.9's `hasGWRoutedReplyPrefix`; the old `$GR.` form is not checked).
const GATEWAY_REPLY_PREFIX: &[u8] = b"_GR_.";

/// One client connection's protocol state.
pub struct ClientSession {
    server: Arc<ServerState>,
    shared: Arc<ClientShared>,
    account: Arc<Account>,
    options: ConnectOptions,
    connect_received: bool,
    /// Counted in `account`'s connections (from the first accepted CONNECT).
    joined: bool,
    subs: HashMap<Box<[u8]>, Arc<Subscription>, RandomState>,
    /// When `subs` reaches this size, subscriptions ended by `UNSUB <sid> <max>` are purged.
    purge_at: usize,
    cache: MatchCache,
    flush: FlushSet,
    limits: Limits,
}

impl ClientSession {
    /// A session for `shared` in `account`, with nats-server's CONNECT defaults until the
    /// client sends its own.
    pub fn new(server: Arc<ServerState>, shared: Arc<ClientShared>, account: Arc<Account>) -> ClientSession {
        let limits =
            Limits { max_control_line: server.options.max_control_line, max_payload: server.options.max_payload };
        ClientSession {
            server,
            shared,
            account,
            options: ConnectOptions::default(),
            connect_received: false,
            joined: false,
            subs: HashMap::default(),
            purge_at: 64,
            cache: MatchCache::default(),
            flush: FlushSet::default(),
            limits,
        }
    }

    /// Whether a valid CONNECT has been processed.
    pub fn is_connected(&self) -> bool {
        self.connect_received
    }

    /// Handles every complete operation at the start of `input`. Returns how many bytes were
    /// used (the rest is an incomplete operation to keep), or why the connection must close.
    /// Writers are not woken here: call [`ClientSession::flush`] after the read batch.
    pub fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason> {
        let mut used = 0;
        loop {
            // Until a CONNECT is accepted on a server that requires auth, nats-server refuses
            // any operation that does not start with a C, before parsing it.
            let auth_pending = !self.connect_received && self.server.connect_required();
            if auth_pending && input.get(used).is_some_and(|b| !b.eq_ignore_ascii_case(&b'C')) {
                return Err(self.fail(text::AUTHORIZATION_VIOLATION, CloseReason::AuthenticationViolation));
            }
            match parse_client_op(&input[used..], &self.limits) {
                Ok(Some((op, len))) => {
                    used += len;
                    self.handle(op)?;
                }
                Ok(None) => return Ok(used),
                Err(e) => return Err(self.protocol_error(e)),
            }
        }
    }

    /// Wakes every writer this batch appended to. Returns another connection that this batch
    /// pushed past half its `max_pending`, for the caller to wait on briefly (back-pressure).
    pub fn flush(&mut self) -> Option<Arc<ClientShared>> {
        self.flush.flush().filter(|lagging| !Arc::ptr_eq(lagging, &self.shared))
    }

    /// Removes every subscription (the connection is gone).
    pub fn unsubscribe_all(&mut self) {
        for (_, sub) in self.subs.drain() {
            self.account.remove_subscription(&sub);
        }
        self.cache.clear();
    }

    /// The connection is gone: subscriptions go, and the account counts one connection fewer.
    pub fn close(&mut self) {
        self.unsubscribe_all();
        if std::mem::take(&mut self.joined) {
            self.account.leave();
        }
    }

    /// Subscriptions this connection holds (including any that ended and are not yet purged).
    pub fn subscription_count(&self) -> usize {
        self.subs.len()
    }

    fn handle(&mut self, op: ClientOp<'_>) -> Result<(), CloseReason> {
        if self.server.log.trace_enabled() {
            self.server.log.trace(|| format!("cid:{} - <<- [{}]", self.shared.id, trace_text(&op)));
        }
        match op {
            ClientOp::Connect(json) => self.connect(json),
            ClientOp::Pub(publish) => self.publish(&publish),
            ClientOp::Sub { subject, queue, sid } => {
                self.subscribe(subject, queue, sid);
                Ok(())
            }
            ClientOp::Unsub { sid, max } => {
                self.unsubscribe(sid, max);
                Ok(())
            }
            ClientOp::Ping => {
                self.send(encode::pong);
                Ok(())
            }
            ClientOp::Pong => {
                self.shared.pings_out.store(0, Ordering::Relaxed);
                Ok(())
            }
            // nats-server decodes a client's INFO and closes the connection if it is not JSON.
            ClientOp::Info(json) if rnats_proto::is_decodable_info(json) => Ok(()),
            ClientOp::Info(_) => Err(CloseReason::ProtocolViolation),
            ClientOp::Ok => Ok(()),
            ClientOp::Err(_) => Err(CloseReason::ClientClosed),
        }
    }

    fn connect(&mut self, json: &[u8]) -> Result<(), CloseReason> {
        // Like nats-server, a CONNECT decodes over the options in force (a second CONNECT keeps
        // what it omits).
        let mut options = self.options.clone();
        if options.update_from_json(json).is_err() {
            return Err(CloseReason::ProtocolViolation);
        }
        // nats-server's order: credentials, the legacy account fields (only a non-empty
        // `account` or a true `new_account` is refused), then the protocol level.
        let legacy_account =
            options.account.as_deref().is_some_and(|a| !a.is_empty()) || options.new_account == Some(true);
        let account = match self.server.authorize(&options) {
            Some(account) if !legacy_account => account,
            _ => return Err(self.fail(text::AUTHORIZATION_VIOLATION, CloseReason::AuthenticationViolation)),
        };
        if options.protocol < 0 || options.protocol > i64::from(rnats_proto::PROTO_LEVEL) {
            return Err(self.fail(text::INVALID_CLIENT_PROTOCOL, CloseReason::BadClientProtocolVersion));
        }
        if options.no_responders && !options.headers {
            return Err(self.fail(text::NO_RESPONDERS_REQUIRES_HEADERS, CloseReason::NoRespondersRequiresHeaders));
        }
        self.shared.headers.store(options.headers, Ordering::Relaxed);
        self.options = options;
        if !Arc::ptr_eq(&account, &self.account) || !self.joined {
            if !account.join() {
                return Err(self.fail(text::MAX_ACCOUNT_CONNECTIONS, CloseReason::MaxAccountConnectionsExceeded));
            }
            // Bound to another account (after no_auth_user, or a second CONNECT): what was
            // subscribed in the old one goes, as in nats-server.
            self.unsubscribe_all();
            if std::mem::replace(&mut self.joined, true) {
                self.account.leave();
            }
            self.account = account;
        }
        if !self.connect_received {
            self.connect_received = true;
            self.shared.mark_connected();
        }
        if self.options.verbose {
            self.send(encode::ok);
        }
        Ok(())
    }

    fn publish(&mut self, publish: &Publish<'_>) -> Result<(), CloseReason> {
        if publish.header_len.is_some() && !self.options.headers {
            return Err(CloseReason::ProtocolViolation);
        }
        if self.account.limits().max_payload.is_some_and(|max| publish.message.len() > max) {
            return Err(self.fail(text::MAX_PAYLOAD, CloseReason::MaxPayloadExceeded));
        }
        if self.options.pedantic && !is_valid_literal_subject(publish.subject) {
            self.send_err(text::INVALID_PUBLISH_SUBJECT);
        }
        if has_longer_prefix(publish.subject, GATEWAY_REPLY_PREFIX) {
            self.send_err(&errors::publish_violation(publish.subject));
            return Ok(());
        }
        if let Some(reply) = publish.reply.filter(|r| is_reserved_reply(r)) {
            self.send_err(&errors::reply_violation(reply));
            return Ok(());
        }
        if self.options.verbose {
            self.send(encode::ok);
        }
        let msg = Message {
            subject: publish.subject,
            reply: publish.reply,
            // An empty header block is no header: nats-server delivers such an HPUB as MSG.
            header_len: publish.header_len.filter(|&len| len > 0),
            size_token: publish.size_token,
            header_size_token: publish.header_size_token,
            body: publish.message,
        };
        let matches = self.cache.matches(&self.account, publish.subject);
        let publisher = Publisher { client_id: self.shared.id, echo: self.options.echo };
        let delivered = fan_out(&self.account, &matches, publisher, &msg, &mut self.flush);
        if !delivered && self.options.no_responders {
            if let Some(reply) = publish.reply {
                self.no_responders(reply);
            }
        }
        Ok(())
    }

    /// Tells a requester nobody is listening: a 503 status message to its own subscription
    /// on the reply subject, if it has one.
    fn no_responders(&mut self, reply: &[u8]) {
        let matches = self.account.matches(reply);
        let own = |t: &Target| t.subscription().filter(|s| s.client.id == self.shared.id && !s.is_removed()).cloned();
        let Some(sub) = matches.plain.iter().find_map(own) else {
            return;
        };
        let header = rnats_proto::NO_RESPONDERS_HEADER;
        let mut digits = encode::SizeBuffer::new();
        let size = encode::size_token(header.len(), &mut digits);
        let sizes = encode::Sizes::WithHeaders(size, size);
        let sid = &sub.sid;
        self.send(|out| encode::message(out, reply, sid, None, sizes, header));
    }

    fn subscribe(&mut self, subject: &[u8], queue: Option<&[u8]>, sid: &[u8]) {
        let server_max = self.server.options.max_subscriptions;
        let max_subs = match self.account.limits().max_subscriptions {
            Some(account_max) if server_max == 0 || account_max < server_max => account_max,
            _ => server_max,
        };
        if self.subs.len() >= self.purge_at || (max_subs > 0 && self.subs.len() >= max_subs) {
            self.purge_ended();
        }
        if max_subs > 0 && self.subs.len() >= max_subs {
            self.send_err(text::MAX_SUBSCRIPTIONS);
            return;
        }
        // A sid whose subscription ended after its maximum is free again, as in nats-server.
        if self.subs.get(sid).is_some_and(|sub| sub.is_removed()) {
            self.subs.remove(sid);
        }
        if !self.subs.contains_key(sid) {
            if !is_valid_subject(subject) {
                self.send_err(text::INVALID_SUBJECT);
                return;
            }
            let sub = Subscription::new(Arc::clone(&self.shared), subject, queue, sid);
            if !self.account.add_subscription(&sub) {
                self.send_err(text::INVALID_SUBJECT);
                return;
            }
            self.subs.insert(sid.into(), sub);
        }
        if self.options.verbose {
            self.send(encode::ok);
        }
    }

    fn unsubscribe(&mut self, sid: &[u8], max: Option<Option<u64>>) {
        if let Some(sub) = self.subs.get(sid) {
            match max {
                Some(Some(max)) if max > 0 && max > sub.delivered() => sub.max.store(max, Ordering::Relaxed),
                _ => {
                    if let Some(sub) = self.subs.remove(sid) {
                        self.account.remove_subscription(&sub);
                    }
                }
            }
        }
        if self.options.verbose {
            self.send(encode::ok);
        }
    }

    /// Drops subscriptions that ended after their maximum; amortised by doubling `purge_at`.
    fn purge_ended(&mut self) {
        self.subs.retain(|_, sub| !sub.is_removed());
        self.purge_at = (self.subs.len() * 2).max(64);
    }

    fn protocol_error(&mut self, error: ProtoError) -> CloseReason {
        match error {
            ProtoError::UnknownOperation => self.fail(text::UNKNOWN_PROTOCOL_OPERATION, CloseReason::ParseError),
            ProtoError::MaxControlLineExceeded => {
                self.fail(text::MAX_CONTROL_LINE, CloseReason::MaxControlLineExceeded)
            }
            ProtoError::MaxPayloadExceeded => self.fail(text::MAX_PAYLOAD, CloseReason::MaxPayloadExceeded),
            ProtoError::BadArguments(_) => CloseReason::ProtocolViolation,
        }
    }

    /// Sends `-ERR '<text>'` and returns `reason` for the caller to close with.
    fn fail(&mut self, text: &str, reason: CloseReason) -> CloseReason {
        self.send_err(text);
        reason
    }

    fn send_err(&mut self, text: &str) {
        self.send(|out| encode::err(out, text));
    }

    fn send(&mut self, encode: impl FnOnce(&mut Vec<u8>)) {
        let enqueued = self.shared.enqueue(encode);
        self.flush.note(&self.shared, enqueued);
    }
}

/// Whether `subject` starts with `prefix` and has more after it.
fn has_longer_prefix(subject: &[u8], prefix: &[u8]) -> bool {
    subject.len() > prefix.len() && subject.starts_with(prefix)
}

/// nats-server's `isReservedReply`.
fn is_reserved_reply(reply: &[u8]) -> bool {
    reply.starts_with(SERVICE_REPLY_PREFIX) || RESERVED_REPLY_PREFIXES.iter().any(|p| has_longer_prefix(reply, p))
}

fn trace_text(op: &ClientOp<'_>) -> String {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match op {
        ClientOp::Connect(json) => format!("CONNECT {}", s(json)),
        ClientOp::Pub(p) => format!(
            "{} {} {}{}",
            if p.header_len.is_some() { "HPUB" } else { "PUB" },
            s(p.subject),
            p.reply.map(|r| s(r) + " ").unwrap_or_default(),
            s(p.size_token)
        ),
        ClientOp::Sub { subject, queue, sid } => {
            format!("SUB {} {}{}", s(subject), queue.map(|q| s(q) + " ").unwrap_or_default(), s(sid))
        }
        ClientOp::Unsub { sid, .. } => format!("UNSUB {}", s(sid)),
        ClientOp::Ping => "PING".into(),
        ClientOp::Pong => "PONG".into(),
        ClientOp::Info(_) => "INFO".into(),
        ClientOp::Ok => "+OK".into(),
        ClientOp::Err(e) => format!("-ERR {}", s(e)),
    }
}
