//! One client subscription, shared between its connection and the subject index.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::outbound::ClientShared;

/// A subscription: who gets the messages and under which sid.
pub struct Subscription {
    /// The subscriber.
    pub client: Arc<ClientShared>,
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
}

impl Subscription {
    /// A new subscription for `client`.
    pub fn new(client: Arc<ClientShared>, subject: &[u8], queue: Option<&[u8]>, sid: &[u8]) -> Arc<Subscription> {
        Arc::new(Subscription {
            client,
            subject: subject.into(),
            queue: queue.map(Into::into),
            sid: sid.into(),
            max: AtomicU64::new(0),
            delivered: AtomicU64::new(0),
            removed: AtomicBool::new(false),
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

/// A subscription as stored in the subject index: compared by identity.
#[derive(Clone)]
pub struct SubRef(pub Arc<Subscription>);

impl PartialEq for SubRef {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for SubRef {
    type Target = Subscription;
    fn deref(&self) -> &Subscription {
        &self.0
    }
}
