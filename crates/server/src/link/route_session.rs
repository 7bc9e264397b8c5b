//! One established route's protocol, without sockets: what each `RS+`/`RS-`/`LS+`/`LS-`/
//! `RMSG`/`HMSG`/`LMSG` from another server of the cluster does here. A route carries every
//! account (or one, on a dedicated route): it is one `Link` per account, all sharing the
//! connection's outbound, so each account's index holds the remote's interest as ordinary
//! `Target::Link` entries and the forwarding table (`policy`) decides the rest (one hop).
//!
//! The handshake, gossip and the listener are the cluster issue's next steps; this session is
//! what they run once a route is up, and what tests wire in memory (`tests/route_pair.rs`).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use foldhash::fast::RandomState;
use rnats_proto::route::{parse_route_op, RouteInterest, RouteMode, RouteOp};

use super::Link;
use crate::account::Account;
use crate::conn::{ConnShared, FlushSet, MatchCache};
use crate::deliver::{fan_out, Message, Origin};
use crate::errors::{text, CloseReason};
use crate::server::ServerState;

/// One account's side of the route: its link and its match cache.
struct AccountLink {
    link: Arc<Link>,
    cache: MatchCache,
}

/// The protocol of one route, from the point of view of this server.
pub struct RouteSession {
    state: Arc<ServerState>,
    shared: Arc<ConnShared>,
    mode: RouteMode,
    label: String,
    accounts: HashMap<String, AccountLink, RandomState>,
    flush: FlushSet,
}

impl RouteSession {
    /// Starts the route for `accounts` (every account this server has, or the one a dedicated
    /// route carries): each account's interest is announced to the remote as the forwarding
    /// rules allow, and the remote's interest will be targets there.
    pub fn start(
        state: Arc<ServerState>,
        shared: Arc<ConnShared>,
        label: String,
        mode: RouteMode,
        accounts: &[Arc<Account>],
    ) -> RouteSession {
        shared.mark_connected();
        let mut session =
            RouteSession { state, shared, mode, label, accounts: HashMap::default(), flush: FlushSet::default() };
        for account in accounts {
            session.join(account);
        }
        session
    }

    fn join(&mut self, account: &Arc<Account>) {
        let id = self.shared.id;
        let link =
            Link::route(id, Arc::clone(account), Arc::clone(&self.shared), self.label.clone(), self.mode.bound_account);
        account.attach_link(&link);
        self.accounts.insert(account.name.clone(), AccountLink { link, cache: MatchCache::default() });
    }

    /// The route is gone: the remote's interest leaves every account.
    pub fn close(&self) {
        for side in self.accounts.values() {
            side.link.account.detach_link(&side.link);
        }
    }

    /// Handles every complete operation in `input`; returns the bytes used.
    pub fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason> {
        let mut used = 0;
        loop {
            let (op, len) = match parse_route_op(&input[used..], self.mode, self.state.options.max_payload) {
                Ok(Some(parsed)) => parsed,
                Ok(None) => return Ok(used),
                Err(_) => {
                    self.shared.send_now(|out| rnats_proto::encode::err(out, text::UNKNOWN_PROTOCOL_OPERATION));
                    return Err(CloseReason::ParseError);
                }
            };
            used += len;
            self.handle(op)?;
        }
    }

    fn handle(&mut self, op: RouteOp<'_>) -> Result<(), CloseReason> {
        match op {
            RouteOp::Ping => self.shared.send_now(rnats_proto::encode::pong),
            RouteOp::Pong => self.shared.pings_out.store(0, Ordering::Relaxed),
            RouteOp::Info(_) | RouteOp::Ok | RouteOp::Connect(_) => {}
            RouteOp::Err(text) => {
                let text = String::from_utf8_lossy(text).trim_matches('\'').to_string();
                self.state.log.error(&format!("{} - Router Error '{text}'", self.label));
                return Err(CloseReason::ClientClosed);
            }
            RouteOp::Sub(at, queue) => {
                if let Some(side) = self.side(&at) {
                    if rnats_subject::is_valid_subject(at.subject) {
                        side.link.remote_sub(at.subject, queue.map(|(name, _weight)| name));
                    }
                }
            }
            RouteOp::Unsub(at, queue) => {
                if let Some(side) = self.side(&at) {
                    side.link.remote_unsub(at.subject, queue);
                }
            }
            RouteOp::Msg(m) => {
                self.state.count_link_message();
                let Some(side) = side_named(&mut self.accounts, m.account) else { return Ok(()) };
                let link = &side.link;
                let msg = Message {
                    subject: m.msg.subject,
                    reply: m.msg.reply,
                    // An empty header block is no header (LMSG always carries the size).
                    header_len: m.msg.header_len.filter(|&len| len > 0),
                    size_token: m.msg.size_token,
                    header_size_token: m.msg.header_size_token,
                    body: m.msg.body,
                    request_info_trusted: false,
                };
                let matches = side.cache.matches(&link.account, m.msg.subject);
                fan_out(&link.account, &matches, Origin::link(link, m.msg.queues), &msg, &mut self.flush);
            }
        }
        Ok(())
    }

    /// The account a line is about; an account this server does not have is skipped (the
    /// cluster issue adds looking it up for operator mode).
    fn side(&mut self, at: &RouteInterest<'_>) -> Option<&mut AccountLink> {
        side_named(&mut self.accounts, at.account)
    }

    /// Wakes the writers the last batch appended to; a subscriber to stall on.
    pub fn flush(&mut self) -> Option<Arc<ConnShared>> {
        self.flush.flush()
    }
}

fn side_named<'s>(
    accounts: &'s mut HashMap<String, AccountLink, RandomState>,
    account: Option<&[u8]>,
) -> Option<&'s mut AccountLink> {
    match account {
        // Account names are UTF-8 (they come from the config); other bytes name none.
        Some(name) => accounts.get_mut(std::str::from_utf8(name).ok()?),
        // A dedicated route carries exactly one account.
        None => accounts.values_mut().next(),
    }
}

impl crate::conn::Session for RouteSession {
    fn process(&mut self, input: &[u8]) -> Result<usize, CloseReason> {
        RouteSession::process(self, input)
    }

    fn flush(&mut self) -> Option<Arc<ConnShared>> {
        RouteSession::flush(self)
    }
}
