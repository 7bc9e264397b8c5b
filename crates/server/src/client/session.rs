//! What a client connection does with each operation it sends, apart from sockets and timers:
//! the connection task feeds it bytes and wakes writers afterwards.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use foldhash::fast::RandomState;
use rnats_proto::{encode, parse_client_op, ClientOp, ConnectOptions, Limits, ProtoError, Publish};
use rnats_subject::{is_valid_literal_subject, is_valid_subject};

use super::reserved;
use crate::account::Account;
use crate::auth::{CertIdentity, Grant, Identity, PasswordCheck, Permissions, ReplyTracker, Verdict};
use crate::conn::MatchCache;
use crate::conn::{ConnShared, FlushSet};
use crate::deliver::{fan_out, Message, Origin};
use crate::errors::{self, text, CloseReason};
use crate::options::Limit;
use crate::server::ServerState;
use crate::subscription::{DeliveryGuard, Subscription, Target};

/// The protocol level from which a client takes INFO at any time (nats-server's
/// `ClientProtoInfo`): such a client is told its account after its first PONG.
const ASYNC_INFO_PROTOCOL: i64 = 1;

/// How long a connection goes on after it is told it will close (nats-server's delay for a
/// connection bound where it may hold no subscription at all).
pub const CLOSE_DELAY: std::time::Duration = std::time::Duration::from_millis(20);

/// The queue name nats-server reserves for system subscriptions.
const SYSTEM_QUEUE: &[u8] = b"_sys_";

/// Most publish-permission verdicts a connection remembers (nats-server's size); when full,
/// `PUB_CACHE_EVICT` arbitrary ones go.
const PUB_CACHE_MAX: usize = 128;
const PUB_CACHE_EVICT: usize = 32;

/// One client connection's protocol state.
pub struct ClientSession {
    server: Arc<ServerState>,
    shared: Arc<ConnShared>,
    account: Arc<Account>,
    options: ConnectOptions,
    connect_received: bool,
    /// A PING after CONNECT has been answered (nats-server's `firstPongSent`).
    first_pong_sent: bool,
    /// The client's address, for the INFO that answers CONNECT.
    client_ip: Option<IpAddr>,
    /// `<peer> - cid:<id>`, the prefix of this connection's log lines.
    label: String,
    /// The NKEY challenge sent in INFO.
    nonce: Option<String>,
    /// The client's TLS certificate, for `verify_and_map`.
    cert: Option<Box<CertIdentity>>,
    /// Who the client is (for log lines).
    identity: Identity,
    /// What the client may publish and subscribe to (`None`: anything).
    permissions: Option<Arc<Permissions>>,
    /// Reply subjects the client may answer (`allow_responses`).
    replies: Option<Arc<ReplyTracker>>,
    /// Publish verdicts by subject, while `permissions` is set.
    pub_cache: HashMap<Box<[u8]>, bool, RandomState>,
    /// A CONNECT waiting for its password check (bcrypt runs off the reactor).
    pending_connect: Option<Box<ConnectOptions>>,
    pending_check: Option<Box<PasswordCheck>>,
    /// Counted in `account`'s connections (from the first accepted CONNECT).
    joined: bool,
    subs: HashMap<Box<[u8]>, Arc<Subscription>, RandomState>,
    /// When `subs` reaches this size, subscriptions ended by `UNSUB <sid> <max>` are purged.
    purge_at: usize,
    cache: MatchCache,
    flush: FlushSet,
    limits: Limits,
    /// Why the connection is to close shortly (after its last replies are written).
    closing: Option<CloseReason>,
}

impl ClientSession {
    /// A session for `shared` in `account`, with nats-server's CONNECT defaults until the
    /// client sends its own.
    pub fn new(server: Arc<ServerState>, shared: Arc<ConnShared>, account: Arc<Account>) -> ClientSession {
        // No headers until a CONNECT asks for them.
        let limits = Limits {
            max_control_line: server.options.max_control_line,
            max_payload: server.options.max_payload,
            headers: false,
        };
        let label = format!("cid:{}", shared.id);
        ClientSession {
            server,
            shared,
            account,
            options: ConnectOptions::default(),
            connect_received: false,
            first_pong_sent: false,
            client_ip: None,
            label,
            nonce: None,
            cert: None,
            identity: Identity::Anonymous,
            permissions: None,
            replies: None,
            pub_cache: HashMap::default(),
            pending_connect: None,
            pending_check: None,
            joined: false,
            subs: HashMap::default(),
            purge_at: 64,
            cache: MatchCache::default(),
            flush: FlushSet::default(),
            limits,
            closing: None,
        }
    }

    /// Sets what the connection knows before CONNECT: its log label, the client's address, the
    /// NKEY nonce sent in INFO, the client's certificate, and the grant it has without
    /// credentials (the `no_auth_user`'s permissions, if any).
    pub fn prepare(
        &mut self,
        label: String,
        client_ip: IpAddr,
        nonce: Option<String>,
        cert: Option<Box<CertIdentity>>,
        grant: Grant,
    ) {
        self.label = label;
        self.client_ip = Some(client_ip);
        self.nonce = nonce;
        self.cert = cert;
        self.account = grant.account;
        self.set_permissions(grant.permissions);
        self.identity = grant.identity;
        self.check_subscription_room();
    }

    /// Why the connection is to close shortly, if it is: nats-server lets such a connection
    /// go on for [`CLOSE_DELAY`] first (its `-ERR` gets out, operations still get replies).
    pub fn closing(&self) -> Option<CloseReason> {
        self.closing
    }

    /// A password check the last [`ClientSession::process`] left waiting: run it (off the
    /// reactor when slow), then hand the outcome to [`ClientSession::finish_check`] before
    /// processing more input.
    pub fn take_password_check(&mut self) -> Option<PasswordCheck> {
        self.pending_check.take().map(|check| *check)
    }

    /// Completes the CONNECT that waited for a password check: `grant` on success, `None`
    /// (with who the client claimed to be) on failure.
    pub fn finish_check(&mut self, outcome: Result<Grant, Identity>) -> Result<(), CloseReason> {
        let Some(options) = self.pending_connect.take() else {
            return Ok(());
        };
        match outcome {
            Ok(grant) => self.accept_connect(*options, grant),
            Err(identity) => Err(self.auth_failure(&identity)),
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
                    if self.pending_connect.is_some() {
                        // Nothing after a CONNECT runs before its credentials are checked.
                        return Ok(used);
                    }
                }
                Ok(None) => return Ok(used),
                Err(e) => return Err(self.protocol_error(e)),
            }
        }
    }

    /// Wakes every writer this batch appended to. Returns another connection that this batch
    /// pushed past half its `max_pending`, for the caller to wait on briefly (back-pressure).
    pub fn flush(&mut self) -> Option<Arc<ConnShared>> {
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
            self.server.log.trace(|| format!("{} - <<- [{}]", self.label, trace_text(&op)));
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
                self.answer_connect();
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
        let auth = &self.server.auth;
        match auth.decide(&options, self.nonce.as_deref(), self.cert.as_deref()) {
            Verdict::Granted(grant) => self.accept_connect(options, grant),
            Verdict::Denied(identity) => Err(self.auth_failure(&identity)),
            Verdict::Check(check) if check.is_quick(&auth.checker) => {
                let identity = check.identity().clone();
                match check.run(&auth.checker) {
                    Some(grant) => self.accept_connect(options, grant),
                    None => Err(self.auth_failure(&identity)),
                }
            }
            Verdict::Check(check) => {
                self.pending_connect = Some(Box::new(options));
                self.pending_check = Some(Box::new(check));
                Ok(())
            }
        }
    }

    /// The rest of CONNECT once the credentials are accepted.
    fn accept_connect(&mut self, options: ConnectOptions, grant: Grant) -> Result<(), CloseReason> {
        // nats-server's order: credentials, the legacy account fields (only a non-empty
        // `account` or a true `new_account` is refused), then the protocol level.
        let legacy_account =
            options.account.as_deref().is_some_and(|a| !a.is_empty()) || options.new_account == Some(true);
        if legacy_account {
            return Err(self.fail(text::AUTHORIZATION_VIOLATION, CloseReason::AuthenticationViolation));
        }
        if options.protocol < 0 || options.protocol > i64::from(rnats_proto::PROTO_LEVEL) {
            return Err(self.fail(text::INVALID_CLIENT_PROTOCOL, CloseReason::BadClientProtocolVersion));
        }
        if options.no_responders && !options.headers {
            return Err(self.fail(text::NO_RESPONDERS_REQUIRES_HEADERS, CloseReason::NoRespondersRequiresHeaders));
        }
        self.shared.headers.store(options.headers, Ordering::Relaxed);
        self.limits.headers = options.headers;
        self.options = options;
        let account = grant.account;
        if self.connect_received {
            // A second CONNECT starts over without the earlier subscriptions, in the same
            // account or not, as nats-server does since 2.11.17 (2.9.10 left them behind).
            self.unsubscribe_all();
        }
        if !Arc::ptr_eq(&account, &self.account) || !self.joined {
            if !account.join() {
                return Err(self.fail(text::MAX_ACCOUNT_CONNECTIONS, CloseReason::MaxAccountConnectionsExceeded));
            }
            // Bound to another account (after no_auth_user): what was subscribed in the old
            // one goes with it.
            self.unsubscribe_all();
            if std::mem::replace(&mut self.joined, true) {
                self.account.leave();
            }
            self.account = account;
            self.check_subscription_room();
        }
        self.set_permissions(grant.permissions);
        self.identity = grant.identity;
        if !self.connect_received {
            self.connect_received = true;
            self.shared.mark_connected();
        }
        if self.options.verbose {
            self.send(encode::ok);
        }
        Ok(())
    }

    /// After the first PONG that follows CONNECT, nats-server 2.12 and later send a client that
    /// takes INFO at any time the account it is bound to: clients send CONNECT and PING
    /// together and expect the PONG first.
    fn answer_connect(&mut self) {
        if !self.connect_received || std::mem::replace(&mut self.first_pong_sent, true) {
            return;
        }
        if self.options.protocol >= ASYNC_INFO_PROTOCOL {
            let info = self.server.connect_info(self.shared.id, self.client_ip, &self.account);
            self.send(|out| encode::info(out, &info));
        }
    }

    /// The subscriptions this connection may hold: the tighter of its account's limit and
    /// the server's.
    fn max_subscriptions(&self) -> Limit {
        self.account.limits().max_subscriptions.min(self.server.options.max_subscriptions)
    }

    /// nats-server's check when a connection is bound to an account: a limit that leaves no
    /// room even for what the connection holds (0, or a negative other than -1) is reported
    /// at once and closes the connection shortly after.
    fn check_subscription_room(&mut self) {
        if self.closing.is_none() && self.max_subscriptions().reached(self.subs.len()) {
            self.send_err(text::MAX_SUBSCRIPTIONS);
            self.closing = Some(CloseReason::MaxSubscriptionsExceeded);
        }
    }

    fn set_permissions(&mut self, permissions: Option<Arc<Permissions>>) {
        self.replies =
            permissions.as_ref().and_then(|p| p.responses()).map(|limits| Arc::new(ReplyTracker::new(limits)));
        self.permissions = permissions;
        self.pub_cache.clear();
    }

    /// A refused login: nats-server's log line (who the client claimed to be, never a secret)
    /// and `-ERR 'Authorization Violation'`.
    fn auth_failure(&mut self, identity: &Identity) -> CloseReason {
        let label = &self.label;
        match identity {
            Identity::Anonymous | Identity::Token => self.server.log.error(&format!("{label} - authentication error")),
            other => self.server.log.error(&format!("{label} - authentication error - {other}")),
        }
        self.fail(text::AUTHORIZATION_VIOLATION, CloseReason::AuthenticationViolation)
    }

    /// Whether the client's permissions let it publish to `subject` (always, without
    /// permissions). Verdicts are remembered per subject, except refusals while tracked
    /// replies could still allow the subject later.
    fn may_publish(&mut self, subject: &[u8]) -> bool {
        let Some(perms) = &self.permissions else { return true };
        if let Some(&allowed) = self.pub_cache.get(subject) {
            return allowed;
        }
        let allowed = perms.may_publish(subject);
        if !allowed {
            if let Some(replies) = &self.replies {
                return replies.allow_response(subject);
            }
        }
        if self.pub_cache.len() >= PUB_CACHE_MAX {
            let evict: Vec<Box<[u8]>> = self.pub_cache.keys().take(PUB_CACHE_EVICT).cloned().collect();
            for key in evict {
                self.pub_cache.remove(&key);
            }
        }
        self.pub_cache.insert(subject.into(), allowed);
        allowed
    }

    fn publish(&mut self, publish: &Publish<'_>) -> Result<(), CloseReason> {
        if self.account.limits().max_payload.exceeded_by(publish.message.len()) {
            return Err(self.fail(text::MAX_PAYLOAD, CloseReason::MaxPayloadExceeded));
        }
        if self.options.pedantic && !is_valid_literal_subject(publish.subject) {
            self.send_err(text::INVALID_PUBLISH_SUBJECT);
        }
        // nats-server's order: gateway subjects, permissions, Raft subjects, reserved replies.
        let refused = reserved::is_gateway_subject(publish.subject)
            || !self.may_publish(publish.subject)
            || (reserved::is_raft_subject(publish.subject) && !self.server.is_system_account(&self.account));
        if refused {
            self.publish_violation(publish.subject);
            return Ok(());
        }
        if let Some(reply) = publish.reply.filter(|r| reserved::is_reserved_reply(r)) {
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
            request_info_trusted: false,
        };
        let matches = self.cache.matches(&self.account, publish.subject);
        let publisher = Origin::client(self.shared.id, self.options.echo);
        let delivered = fan_out(&self.account, &matches, publisher, &msg, &mut self.flush);
        if !delivered && self.options.no_responders {
            if let Some(reply) = publish.reply {
                self.no_responders(publish.subject, reply);
            }
        }
        Ok(())
    }

    /// Tells a requester nobody is listening on `subject`: a 503 status message to its own
    /// subscription on the reply subject, if it has one.
    fn no_responders(&mut self, subject: &[u8], reply: &[u8]) {
        let matches = self.account.matches(reply);
        let own = |t: &Target| t.subscription().filter(|s| s.client.id == self.shared.id && !s.is_removed()).cloned();
        let Some(sub) = matches.plain.iter().find_map(own) else {
            return;
        };
        self.send(|out| encode::no_responders(out, reply, &sub.sid, subject));
    }

    /// Refuses a publish to `subject`: `-ERR` and nats-server's log line.
    fn publish_violation(&mut self, subject: &[u8]) {
        let (label, identity) = (&self.label, &self.identity);
        let text = String::from_utf8_lossy(subject);
        self.server.log.error(&format!("{label} - Publish Violation - {identity}, Subject {text:?}"));
        self.send_err(&errors::publish_violation(subject));
    }

    fn subscribe(&mut self, subject: &[u8], queue: Option<&[u8]>, sid: &[u8]) {
        // nats-server keeps the `_sys_` queue name for its own subscriptions.
        let reserved_queue = queue == Some(SYSTEM_QUEUE);
        if reserved_queue || self.permissions.as_ref().is_some_and(|p| !p.may_subscribe(subject, queue)) {
            self.subscribe_violation(subject, queue, sid);
            return;
        }
        let max_subs = self.max_subscriptions();
        if self.subs.len() >= self.purge_at || max_subs.reached(self.subs.len()) {
            self.purge_ended();
        }
        if max_subs.reached(self.subs.len()) {
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
            let sub =
                Subscription::guarded(Arc::clone(&self.shared), subject, queue, sid, self.delivery_guard(subject));
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

    /// What deliveries on a new subscription to `subject` must pass: the deny filter for a
    /// wildcard that covers denied subjects, reply tracking for `allow_responses`.
    fn delivery_guard(&self, subject: &[u8]) -> Option<DeliveryGuard> {
        let perms = self.permissions.as_ref()?;
        let deny = perms.needs_delivery_filter(subject).then(|| Arc::clone(perms));
        let replies = self.replies.clone();
        (deny.is_some() || replies.is_some()).then_some(DeliveryGuard { deny, replies })
    }

    fn subscribe_violation(&mut self, subject: &[u8], queue: Option<&[u8]>, sid: &[u8]) {
        let (label, identity) = (&self.label, &self.identity);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let (subject_text, sid_text) = (text(subject), text(sid));
        let line = match queue {
            Some(q) => format!(
                "{label} - Subscription Violation - {identity}, Subject {subject_text:?}, Queue: {:?}, SID {sid_text}",
                text(q)
            ),
            None => format!("{label} - Subscription Violation - {identity}, Subject {subject_text:?}, SID {sid_text}"),
        };
        self.server.log.error(&line);
        self.send_err(&errors::subscribe_violation(subject, queue));
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
            ProtoError::HeadersNotSupported => {
                self.server.log.error(&format!("{} - {}", self.label, errors::logged::HEADERS_NOT_SUPPORTED));
                CloseReason::ProtocolViolation
            }
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

/// CONNECT fields that carry a secret: never written to the log.
const SECRET_FIELDS: [&str; 4] = ["pass", "auth_token", "sig", "jwt"];

/// The CONNECT JSON for the trace, each secret replaced by `[REDACTED]` (nats-server hides
/// only the password; rnats hides the token, signature and JWT too).
fn redact_connect(json: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(mut fields)) => {
            for key in SECRET_FIELDS {
                if let Some(value) = fields.get_mut(key) {
                    *value = serde_json::Value::from("[REDACTED]");
                }
            }
            serde_json::Value::Object(fields).to_string()
        }
        // Not an object: nothing can be shown safely.
        _ => "[REDACTED]".to_string(),
    }
}

fn trace_text(op: &ClientOp<'_>) -> String {
    let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match op {
        ClientOp::Connect(json) => format!("CONNECT {}", redact_connect(json)),
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

impl crate::conn::Session for ClientSession {
    fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason> {
        ClientSession::process(self, input)
    }

    fn flush(&mut self) -> Option<Arc<ConnShared>> {
        ClientSession::flush(self)
    }

    fn awaiting_login(&self) -> bool {
        self.server.connect_required() && !self.is_connected()
    }

    fn take_password_check(&mut self) -> Option<PasswordCheck> {
        ClientSession::take_password_check(self)
    }

    fn finish_check(&mut self, outcome: Result<Grant, Identity>) -> Result<(), CloseReason> {
        ClientSession::finish_check(self, outcome)
    }

    fn closing(&self) -> Option<(std::time::Duration, CloseReason)> {
        ClientSession::closing(self).map(|reason| (CLOSE_DELAY, reason))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_never_reach_the_trace() {
        let shown = super::redact_connect(br#"{"user":"alice","pass":"s3cret","auth_token":"t0k","verbose":false}"#);
        assert!(!shown.contains("s3cret") && !shown.contains("t0k"), "{shown}");
        assert!(shown.contains("alice") && shown.contains("[REDACTED]"), "{shown}");
        assert_eq!(super::redact_connect(b"{\"pass\":"), "[REDACTED]");
    }
}
