//! One established leaf link's protocol, without sockets: what each `LS+`/`LS-`/`LMSG`/`HMSG`
//! from the remote does here. The connection core's reader drives it with byte slices; tests
//! wire two servers' sessions to each other in memory.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use rnats_proto::leaf::{parse_leaf_op, LeafOp};

use super::Link;
use super::LinkKind;
use crate::account::Account;
use crate::conn::{ConnShared, FlushSet, MatchCache};
use crate::deliver::{fan_out, Message, Origin};
use crate::errors::{text, CloseReason};
use crate::server::ServerState;

/// Delay before reconnecting after a loop was detected (nats-server's, also named in its
/// `-ERR`).
pub const LOOP_DELAY: std::time::Duration = std::time::Duration::from_secs(30);

/// Loop-detection subjects start with this.
const LOOP_SUBJECT_PREFIX: &[u8] = b"$LDS.";

/// The protocol of one leaf link, from the point of view of this server.
pub struct LeafSession {
    state: Arc<ServerState>,
    link: Arc<Link>,
    cache: MatchCache,
    flush: FlushSet,
    loop_detected: bool,
}

impl LeafSession {
    /// Starts the link: it joins `account` (which announces the account's interest to the
    /// remote, with this server's loop-detection subject) and its remote's interest will be
    /// targets there. `kind`: whether this server accepted the link (hub) or solicited it;
    /// `deny` are the remote's `deny_imports` and `deny_exports`.
    pub fn start(
        state: Arc<ServerState>,
        account: Arc<Account>,
        shared: Arc<ConnShared>,
        label: String,
        kind: LinkKind,
        deny: (&[String], &[String]),
    ) -> LeafSession {
        shared.mark_connected();
        let link = Link::new(shared.id, kind, Arc::clone(&account), Arc::clone(&shared), label, deny.0, deny.1);
        account.attach_link(&link);
        link.announce_loop_subject();
        LeafSession { state, link, cache: MatchCache::default(), flush: FlushSet::default(), loop_detected: false }
    }

    /// The link's shared face.
    pub fn link(&self) -> &Arc<Link> {
        &self.link
    }

    /// The remote or this server found the two in a loop of links.
    pub fn loop_detected(&self) -> bool {
        self.loop_detected
    }

    /// The link is gone: the remote's interest leaves the account.
    pub fn close(&self) {
        self.link.account.detach_link(&self.link);
    }

    /// Handles every complete operation in `input`; returns the bytes used.
    pub fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason> {
        let mut used = 0;
        loop {
            let (op, len) = match parse_leaf_op(&input[used..], self.state.options.max_payload) {
                Ok(Some(parsed)) => parsed,
                Ok(None) => return Ok(used),
                Err(_) => {
                    self.link.shared.send_now(|out| rnats_proto::encode::err(out, text::UNKNOWN_PROTOCOL_OPERATION));
                    return Err(CloseReason::ParseError);
                }
            };
            used += len;
            self.handle(op)?;
        }
    }

    fn handle(&mut self, op: LeafOp<'_>) -> Result<(), CloseReason> {
        let link = &self.link;
        match op {
            LeafOp::Ping => link.shared.send_now(rnats_proto::encode::pong),
            LeafOp::Pong => link.shared.pings_out.store(0, Ordering::Relaxed),
            LeafOp::Info(_) | LeafOp::Ok | LeafOp::Connect(_) => {}
            LeafOp::Err(text) => {
                let text = String::from_utf8_lossy(text).trim_matches('\'').to_string();
                self.state.log.error(&format!("{} - Leafnode Error '{text}'", link.label));
                self.loop_detected |= text.contains("Loop detected");
                return Err(CloseReason::ClientClosed);
            }
            LeafOp::Sub { subject, queue } => {
                if subject == link.account.loop_subject() {
                    return Err(self.report_loop());
                }
                if self.is_echoed_loop_subject(subject) {
                    return Ok(());
                }
                if rnats_subject::is_valid_subject(subject) {
                    link.remote_sub(subject, queue.map(|(name, _weight)| name));
                }
            }
            LeafOp::Unsub { subject, queue } => link.remote_unsub(subject, queue),
            LeafOp::Msg(m) => {
                self.state.count_link_message();
                if link.denies_import(m.subject) {
                    return Ok(());
                }
                let msg = Message {
                    subject: m.subject,
                    reply: m.reply,
                    header_len: m.header_len,
                    size_token: m.size_token,
                    header_size_token: m.header_size_token,
                    body: m.body,
                    request_info_trusted: false,
                };
                // The link's own cache, as a client's: a repeated subject takes no shared lock.
                let matches = self.cache.matches(&link.account, m.subject);
                fan_out(&link.account, &matches, Origin::link(link, m.queues), &msg, &mut self.flush);
            }
        }
        Ok(())
    }

    /// Our own loop subject came back: tell the remote (nats-server's text) and close.
    fn report_loop(&mut self) -> CloseReason {
        let link = &self.link;
        self.state.count_loop();
        let message = format!(
            "Loop detected for leafnode account={:?}. Delaying attempt to reconnect for {:?}",
            link.account.name, LOOP_DELAY
        );
        self.state.log.error(&format!("{} - {message}", link.label));
        link.shared.send_now(|out| rnats_proto::encode::err(out, &message));
        self.loop_detected = true;
        CloseReason::ProtocolViolation
    }

    /// Another server's loop-detection subject that a different link announced first. It is
    /// not passed on: a real loop is already found by the server the subject belongs to (the
    /// first announcement reaches it over the loop), while a peer that merely repeats a subject
    /// it saw must not make that server believe it is in a loop and disconnect.
    fn is_echoed_loop_subject(&self, subject: &[u8]) -> bool {
        subject.starts_with(LOOP_SUBJECT_PREFIX) && self.link.account.link_announced_elsewhere(self.link.id, subject)
    }

    /// Wakes the writers the last batch appended to; a subscriber to stall on.
    pub fn flush(&mut self) -> Option<Arc<ConnShared>> {
        self.flush.flush()
    }
}

impl crate::conn::Session for LeafSession {
    fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason> {
        LeafSession::process(self, input)
    }

    fn flush(&mut self) -> Option<Arc<ConnShared>> {
        LeafSession::flush(self)
    }
}
