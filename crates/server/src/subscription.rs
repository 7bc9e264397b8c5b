//! One client subscription, shared between its connection and the subject index.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::auth::{Permissions, ReplyTracker};
use crate::conn::ConnShared;
use crate::link::policy::OriginKind;

/// A subscription: who gets the messages and under which sid.
pub struct Subscription {
    /// The subscriber.
    pub client: Arc<ConnShared>,
    /// Subject, possibly with wildcards.
    pub subject: Box<[u8]>,
    /// Queue group.
    pub queue: Option<Box<[u8]>>,
    /// The client's id for it.
    pub sid: Box<[u8]>,
    /// Deliveries after which it ends (0: never), from `UNSUB <sid> <max>`.
    pub(crate) max: AtomicU64,
    pub(crate) delivered: AtomicU64,
    /// Taken out of the index: deliveries racing with the removal are dropped.
    pub(crate) removed: AtomicBool,
    /// What the subscriber's permissions ask of each delivery (`None` for most).
    pub(crate) guard: Option<DeliveryGuard>,
}

/// Per-delivery duties from the subscriber's permissions.
pub struct DeliveryGuard {
    /// A wildcard subscription covering denied subjects: messages on those are not delivered.
    pub deny: Option<Arc<Permissions>>,
    /// `allow_responses`: each delivered reply subject may be answered.
    pub replies: Option<Arc<ReplyTracker>>,
}

impl DeliveryGuard {
    /// Whether the message may go to the subscriber; records its reply subject if so.
    pub fn admit(&self, subject: &[u8], reply: Option<&[u8]>) -> bool {
        if self.deny.as_ref().is_some_and(|perms| perms.denies_delivery(subject)) {
            return false;
        }
        if let (Some(tracker), Some(reply)) = (&self.replies, reply) {
            tracker.record(reply);
        }
        true
    }
}

impl Subscription {
    /// A new subscription whose deliveries pass through `guard`.
    pub fn guarded(
        client: Arc<ConnShared>,
        subject: &[u8],
        queue: Option<&[u8]>,
        sid: &[u8],
        guard: Option<DeliveryGuard>,
    ) -> Arc<Subscription> {
        Arc::new(Subscription {
            client,
            subject: subject.into(),
            queue: queue.map(Into::into),
            sid: sid.into(),
            max: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            removed: AtomicBool::new(false),
            guard,
        })
    }

    /// Whether it was removed.
    pub fn is_removed(&self) -> bool {
        self.removed.load(Ordering::Acquire)
    }

    /// Messages delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

/// What the subject index points at: a client's subscription, or a stream import that carries
/// matching messages into another account. Compared by identity.
#[derive(Clone)]
pub enum Target {
    /// A client subscription.
    Client(Arc<Subscription>),
    /// A stream import out of this account (present only while the importer has interest).
    StreamImport(Arc<crate::import::StreamImport>),
    /// A service import into this account: requests go to the exporter's responders.
    ServiceImport(Arc<crate::import::ServiceImport>),
    /// The catch-all for replies this account generated for imported requests.
    Responses(Arc<crate::responses::Responses>),
    /// Interest a server link's remote announced: matching messages cross the link.
    Link(Arc<crate::link::RemoteInterest>),
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Target::Client(a), Target::Client(b)) => Arc::ptr_eq(a, b),
            (Target::StreamImport(a), Target::StreamImport(b)) => Arc::ptr_eq(a, b),
            (Target::ServiceImport(a), Target::ServiceImport(b)) => Arc::ptr_eq(a, b),
            (Target::Responses(a), Target::Responses(b)) => Arc::ptr_eq(a, b),
            (Target::Link(a), Target::Link(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Target {
    /// Where this interest comes from: the connection (a client's or a link's) and its kind.
    /// Import targets and reply catch-alls are the server's own.
    pub fn origin(&self) -> (Option<u64>, OriginKind) {
        match self {
            Target::Client(sub) => (Some(sub.client.id), OriginKind::Client),
            Target::Link(interest) => (Some(interest.link.id), OriginKind::Link(interest.link.kind)),
            Target::StreamImport(_) | Target::ServiceImport(_) | Target::Responses(_) => (None, OriginKind::Internal),
        }
    }

    /// The client subscription, if this is one.
    pub fn subscription(&self) -> Option<&Arc<Subscription>> {
        match self {
            Target::Client(sub) => Some(sub),
            _ => None,
        }
    }
}
