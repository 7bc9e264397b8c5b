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

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use foldhash::fast::RandomState;
use parking_lot::Mutex;

use crate::account::Account;
use crate::outbound::ClientShared;
use crate::subscription::Target;

/// Subject and queue group: the unit of interest on a link.
type InterestKey = (Box<[u8]>, Option<Box<[u8]>>);

/// The shared face of one link connection.
pub struct Link {
    /// Connection id (shares the client id space, so a publisher id never names a link).
    pub id: u64,
    /// The local account this link is bound to.
    pub account: Arc<Account>,
    /// Outbound buffer and writer wake-ups (the same machinery as clients).
    pub shared: Arc<ClientShared>,
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
    /// Queue group, for queue interest.
    pub queue: Option<Box<[u8]>>,
    /// Queue members on the remote side.
    pub weight: AtomicU32,
}

impl Link {
    /// A link bound to `account`.
    pub fn new(id: u64, account: Arc<Account>, shared: Arc<ClientShared>, label: String) -> Arc<Link> {
        Self::with_filters(id, account, shared, label, &[], &[])
    }

    /// A link with `deny_imports`/`deny_exports` subject filters (wildcards allowed).
    pub fn with_filters(
        id: u64,
        account: Arc<Account>,
        shared: Arc<ClientShared>,
        label: String,
        deny_imports: &[String],
        deny_exports: &[String],
    ) -> Arc<Link> {
        let bytes = |list: &[String]| list.iter().map(|s| s.as_bytes().into()).collect();
        Arc::new(Link {
            id,
            account,
            shared,
            label,
            announced: Mutex::new(HashMap::default()),
            remote: Mutex::new(HashMap::default()),
            deny_imports: bytes(deny_imports),
            deny_exports: bytes(deny_exports),
        })
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
            (0, _, None) => self.shared.send_now(|out| rnats_proto::leaf::encode::sub(out, subject, None)),
            (_, 0, _) => self.shared.send_now(|out| rnats_proto::leaf::encode::unsub(out, subject, queue)),
            (_, n, Some(q)) if n != before => {
                self.shared.send_now(|out| rnats_proto::leaf::encode::sub(out, subject, Some((q, n))));
            }
            _ => {}
        }
    }

    /// The remote announced interest (`LS+`): a target in the account (a new weight for
    /// known queue interest).
    pub(crate) fn remote_sub(self: &Arc<Self>, subject: &[u8], queue: Option<(&[u8], u32)>) {
        let key: InterestKey = (subject.into(), queue.map(|(q, _)| q.into()));
        let weight = queue.map_or(1, |(_, w)| w.max(1));
        let mut remote = self.remote.lock();
        if let Some(existing) = remote.get(&key) {
            existing.weight.store(weight, Ordering::Relaxed);
            return;
        }
        let interest = Arc::new(RemoteInterest {
            link: Arc::clone(self),
            subject: key.0.clone(),
            queue: key.1.clone(),
            weight: AtomicU32::new(weight),
        });
        remote.insert(key, Arc::clone(&interest));
        drop(remote);
        let queue = interest.queue.clone();
        self.account.add_target(subject, queue.as_deref(), Target::Link(interest));
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

    /// Whether the remote announced interest in exactly this subject (tests, loop detection).
    pub fn remote_has(&self, subject: &[u8]) -> bool {
        self.remote.lock().keys().any(|(s, _)| &s[..] == subject)
    }

    /// Subjects the remote is interested in (for tests and monitoring).
    pub fn remote_interest_count(&self) -> usize {
        self.remote.lock().len()
    }
}

/// Where one message goes over links during a fan-out: each link once, with the queue groups
/// it was picked for. Small and on the stack for the usual one or two links.
#[derive(Default)]
pub(crate) struct LinkSends<'a> {
    entries: Vec<(&'a Arc<Link>, Vec<&'a [u8]>)>,
}

impl<'a> LinkSends<'a> {
    /// The link gets the message (plain interest).
    pub(crate) fn plain(&mut self, link: &'a Arc<Link>) {
        if !self.entries.iter().any(|(l, _)| Arc::ptr_eq(l, link)) {
            self.entries.push((link, Vec::new()));
        }
    }

    /// The link gets the message for queue group `queue`.
    pub(crate) fn queue(&mut self, link: &'a Arc<Link>, queue: &'a [u8]) {
        match self.entries.iter_mut().find(|(l, _)| Arc::ptr_eq(l, link)) {
            Some((_, queues)) => queues.push(queue),
            None => self.entries.push((link, vec![queue])),
        }
    }

    /// Whether anything is to be sent.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The links and the queue groups for each.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = (&'a Arc<Link>, Vec<&'a [u8]>)> + '_ {
        self.entries.drain(..)
    }
}
