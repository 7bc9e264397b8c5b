//! Server-to-server links. A link joins one local account to one account of another server
//! (leaf nodes now; routes and gateways are to reuse the same pieces):
//!
//! - [`Link`]: the shared face of one link connection (its outbound buffer, the interest it
//!   announced to the remote, the interest the remote announced here).
//! - Interest both ways: every target in the bound account's index (client subscriptions,
//!   import targets, other links' remote interest) is announced to the remote, counted per
//!   subject and queue group so the remote hears `+` on the first and `-` on the last; what the
//!   remote announces becomes a [`Target::Link`] in the account, so local publishers reach it
//!   only while it is interested.
//! - [`LinkSends`]: during one fan-out, each link gets a message at most once, with the queue
//!   groups it was chosen for.
//! - `leaf.rs`: the leaf node handshake (hub and spoke), reconnects, the connection tasks.

pub mod leaf;
pub mod leaf_session;
pub mod policy;
pub mod route_session;
pub mod wire;

pub use policy::LinkKind;
use wire::Wire;

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;
use parking_lot::Mutex;

use crate::account::Account;
use crate::conn::{ConnShared, FlushSet};
use crate::subscription::Target;

/// Subject and queue group: the unit of interest on a link.
type InterestKey = (Box<[u8]>, Option<Box<[u8]>>);

/// The shared face of one link connection.
pub struct Link {
    /// Connection id (shares the client id space, so a publisher id never names a link).
    pub id: u64,
    /// Which kind of link: the forwarding rules (`policy`) depend on it.
    pub kind: LinkKind,
    /// How it writes interest and messages.
    wire: Wire,
    /// The local account this link is bound to.
    pub account: Arc<Account>,
    /// Outbound buffer and writer wake-ups (the same machinery as clients).
    pub shared: Arc<ConnShared>,
    /// For log lines: `<addr> - lid:<id>`.
    pub label: String,
    /// Local interest announced to the remote, by subject and queue: how many targets.
    announced: Mutex<HashMap<InterestKey, u32, RandomState>>,
    /// The remote's interest, as targets in the account's index.
    remote: Mutex<HashMap<InterestKey, Arc<RemoteInterest>, RandomState>>,
    /// Subjects not to receive over this link (`deny_imports`): never announced, dropped on
    /// arrival.
    deny_imports: Vec<Box<[u8]>>,
    /// Subjects not to send over this link (`deny_exports`).
    deny_exports: Vec<Box<[u8]>>,
}

/// Interest a link's remote announced: a target in the bound account's index.
pub struct RemoteInterest {
    /// The link to send matching messages to.
    pub link: Arc<Link>,
    /// Subject (may have wildcards).
    pub subject: Box<[u8]>,
    /// Queue group, for queue interest. (The remote's member count, `LS+`'s weight, is not
    /// kept: a message goes to a remote queue group only when no member here takes it, and
    /// then to one link, whatever its count.)
    pub queue: Option<Box<[u8]>>,
}

impl Link {
    /// A link bound to `account`, with `deny_imports`/`deny_exports` subject filters
    /// (wildcards allowed).
    pub fn new(
        id: u64,
        kind: LinkKind,
        account: Arc<Account>,
        shared: Arc<ConnShared>,
        label: String,
        deny_imports: &[String],
        deny_exports: &[String],
    ) -> Arc<Link> {
        Link::build(id, kind, Wire::of(kind), account, shared, label, deny_imports, deny_exports)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        id: u64,
        kind: LinkKind,
        wire: Wire,
        account: Arc<Account>,
        shared: Arc<ConnShared>,
        label: String,
        deny_imports: &[String],
        deny_exports: &[String],
    ) -> Arc<Link> {
        let bytes = |list: &[String]| list.iter().map(|s| s.as_bytes().into()).collect();
        Arc::new(Link {
            id,
            kind,
            wire,
            account,
            shared,
            label,
            announced: Mutex::new(HashMap::default()),
            remote: Mutex::new(HashMap::default()),
            deny_imports: bytes(deny_imports),
            deny_exports: bytes(deny_exports),
        })
    }

    /// One account's share of a route connection (`bound`: a route dedicated to that account,
    /// whose lines carry no account token).
    pub fn route(id: u64, account: Arc<Account>, shared: Arc<ConnShared>, label: String, bound: bool) -> Arc<Link> {
        let wire = if bound { Wire::RouteBound } else { Wire::Route };
        Link::build(id, LinkKind::Route, wire, account, shared, label, &[], &[])
    }

    /// Whether messages on `subject` must not come in over this link.
    pub fn denies_import(&self, subject: &[u8]) -> bool {
        self.deny_imports.iter().any(|p| rnats_subject::subject_matches(p, subject))
    }

    /// Whether messages on `subject` must not go out over this link.
    pub fn denies_export(&self, subject: &[u8]) -> bool {
        !self.deny_exports.is_empty() && self.deny_exports.iter().any(|p| rnats_subject::subject_matches(p, subject))
    }

    /// Local interest changed by `delta` targets on (`subject`, `queue`): tells the remote on
    /// the first and last, and queue weights in between.
    pub(crate) fn local_interest(&self, subject: &[u8], queue: Option<&[u8]>, delta: i32) {
        // Interest in subjects we refuse to import is not announced (nothing would be accepted).
        if self.deny_imports.iter().any(|p| rnats_subject::is_subset_match(subject, p)) {
            return;
        }
        let mut announced = self.announced.lock();
        let key: InterestKey = (subject.into(), queue.map(Into::into));
        let count = announced.entry(key.clone()).or_insert(0);
        let before = *count;
        *count = before.saturating_add_signed(delta);
        let after = *count;
        if after == 0 {
            announced.remove(&key);
        }
        drop(announced);
        match (before, after, queue) {
            (0, 0, _) => {}
            (0, _, None) => self.shared.send_now(|out| self.wire.sub(out, &self.account.name, subject, None)),
            (_, 0, _) => self.shared.send_now(|out| self.wire.unsub(out, &self.account.name, subject, queue)),
            (_, n, Some(q)) if n != before => {
                self.shared.send_now(|out| self.wire.sub(out, &self.account.name, subject, Some((q, n))))
            }
            _ => {}
        }
    }

    /// The remote announced interest (`LS+`): a target in the account (a repeated `LS+`, a
    /// new queue weight, changes nothing here).
    pub(crate) fn remote_sub(self: &Arc<Self>, subject: &[u8], queue: Option<&[u8]>) {
        let key: InterestKey = (subject.into(), queue.map(Into::into));
        let mut remote = self.remote.lock();
        if remote.contains_key(&key) {
            return;
        }
        let interest =
            Arc::new(RemoteInterest { link: Arc::clone(self), subject: key.0.clone(), queue: key.1.clone() });
        remote.insert(key, Arc::clone(&interest));
        drop(remote);
        let queue = interest.queue.clone();
        self.account.add_target(subject, queue.as_deref(), Target::Link(interest));
    }

    /// Announces the account's loop-detection subject to the remote.
    pub(crate) fn announce_loop_subject(&self) {
        self.shared.send_now(|out| self.wire.sub(out, &self.account.name, self.account.loop_subject(), None));
    }

    /// Queues `msg` for the remote, naming the queue groups it is to pick members of.
    pub(crate) fn send(&self, msg: &crate::deliver::Message<'_>, queues: &[&[u8]], flush: &mut FlushSet) {
        let enqueued = self.shared.enqueue(|out| self.wire.msg(out, &self.account.name, msg, queues));
        flush.note(&self.shared, enqueued);
    }

    /// Whether the remote announced plain interest in `subject`.
    pub(crate) fn announced_remotely(&self, subject: &[u8]) -> bool {
        let key: InterestKey = (subject.into(), None);
        self.remote.lock().contains_key(&key)
    }

    /// The remote lost interest (`LS-`).
    pub(crate) fn remote_unsub(&self, subject: &[u8], queue: Option<&[u8]>) {
        let key: InterestKey = (subject.into(), queue.map(Into::into));
        let Some(interest) = self.remote.lock().remove(&key) else { return };
        self.account.remove_target(subject, queue, &Target::Link(interest));
    }

    /// Everything the remote announced goes (the link closed).
    pub(crate) fn drop_remote_interest(&self) {
        let all: Vec<Arc<RemoteInterest>> = self.remote.lock().drain().map(|(_, v)| v).collect();
        for interest in all {
            self.account.remove_target(&interest.subject, interest.queue.as_deref(), &Target::Link(interest.clone()));
        }
    }
}

/// Links one message goes to, kept on the stack for the usual few (more spill to the heap).
const INLINE_LINKS: usize = 4;
/// Queue groups named per link, kept on the stack for the usual few.
const INLINE_QUEUES: usize = 4;

/// Where one message goes over links during a fan-out: each link once, with the queue groups
/// it was picked for. Nothing is allocated for up to four links with four groups each.
#[derive(Default)]
pub(crate) struct LinkSends<'a> {
    inline: [Option<LinkSend<'a>>; INLINE_LINKS],
    spilled: Vec<LinkSend<'a>>,
}

/// One link's share of a message.
#[derive(Default, Clone, Copy)]
pub(crate) struct LinkSend<'a> {
    link: Option<&'a Arc<Link>>,
    queues: [&'a [u8]; INLINE_QUEUES],
    queue_count: usize,
}

impl<'a> LinkSends<'a> {
    /// The link gets the message (plain interest).
    pub(crate) fn plain(&mut self, link: &'a Arc<Link>) {
        self.entry(link);
    }

    /// The link gets the message for queue group `queue`; `false` when this link already
    /// names as many groups as fit (the group then picks no member over this link).
    pub(crate) fn queue(&mut self, link: &'a Arc<Link>, queue: &'a [u8]) -> bool {
        let entry = self.entry(link);
        if entry.queue_count == INLINE_QUEUES {
            return false;
        }
        entry.queues[entry.queue_count] = queue;
        entry.queue_count += 1;
        true
    }

    fn entry(&mut self, link: &'a Arc<Link>) -> &mut LinkSend<'a> {
        let same = |e: &LinkSend<'a>| e.link.is_some_and(|l| Arc::ptr_eq(l, link));
        let found = self.inline.iter().position(|e| e.as_ref().is_some_and(same));
        if let Some(i) = found {
            return self.inline[i].get_or_insert_with(LinkSend::default);
        }
        if let Some(i) = self.spilled.iter().position(same) {
            return &mut self.spilled[i];
        }
        let fresh = LinkSend { link: Some(link), ..LinkSend::default() };
        match self.inline.iter().position(Option::is_none) {
            Some(i) => self.inline[i].insert(fresh),
            None => {
                self.spilled.push(fresh);
                let last = self.spilled.len() - 1;
                &mut self.spilled[last]
            }
        }
    }

    /// Whether anything is to be sent.
    pub(crate) fn is_empty(&self) -> bool {
        self.inline[0].is_none()
    }

    /// Each link with the queue groups it serves for this message.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&'a Arc<Link>, &[&'a [u8]])) {
        for send in self.inline.iter().flatten().chain(&self.spilled) {
            if let Some(link) = send.link {
                f(link, &send.queues[..send.queue_count]);
            }
        }
    }
}
