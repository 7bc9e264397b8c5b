//! An account: one isolated subject space with its own index. Clients without configured
//! accounts share the global account `$G`; users listed in `accounts {}` are bound to theirs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use rnats_subject::{MatchResult, SubjectIndex};

use crate::subscription::{SubRef, Subscription};

/// Name of the account clients land in when no accounts are configured.
pub const GLOBAL_ACCOUNT: &str = "$G";
/// Default name of the system account (it exists even when not configured).
pub const SYSTEM_ACCOUNT: &str = "$SYS";

/// One subject space.
pub struct Account {
    /// Account name.
    pub name: String,
    /// Read-locked by publishers (who rarely get here: they have their own caches), write-locked
    /// by SUB and UNSUB.
    index: RwLock<SubjectIndex<SubRef>>,
    /// Mirrors the index's generation so publishers can check their caches without the lock.
    generation: AtomicU64,
}

impl Account {
    /// An empty account.
    pub fn new(name: &str) -> Arc<Account> {
        Arc::new(Account {
            name: name.to_string(),
            index: RwLock::new(SubjectIndex::default()),
            generation: AtomicU64::new(0),
        })
    }

    /// Adds a subscription to the index. Fails for an invalid subject.
    pub fn add_subscription(&self, sub: &Arc<Subscription>) -> bool {
        let mut index = self.index.write();
        let added = index.insert(&sub.subject, sub.queue.as_deref(), SubRef(Arc::clone(sub))).is_ok();
        self.generation.store(index.generation(), Ordering::Release);
        added
    }

    /// Removes a subscription from the index (once; later calls do nothing).
    pub fn remove_subscription(&self, sub: &Arc<Subscription>) -> bool {
        if sub.removed.swap(true, Ordering::AcqRel) {
            return false;
        }
        let mut index = self.index.write();
        let removed = index.remove(&sub.subject, sub.queue.as_deref(), &SubRef(Arc::clone(sub)));
        self.generation.store(index.generation(), Ordering::Release);
        removed
    }

    /// Who is interested in `subject`.
    pub fn matches(&self, subject: &[u8]) -> Arc<MatchResult<SubRef>> {
        self.index.read().matches(subject)
    }

    /// Changes whenever a subscription is added or removed.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Subscriptions in the index.
    pub fn subscription_count(&self) -> usize {
        self.index.read().len()
    }
}
