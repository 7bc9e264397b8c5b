//! An account: one isolated subject space with its own index. Clients without configured
//! accounts share the global account `$G`; users listed in `accounts {}` are bound to theirs.
//! Messages cross accounts only through configured stream imports (see `import.rs`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use rnats_subject::{subjects_collide, MatchResult, SubjectIndex};

use crate::import::{ServiceImport, StreamImport};
use crate::link::policy::{self, OriginKind};
use crate::link::Link;
use crate::options::AccountLimits;
use crate::responses::Responses;
use crate::subscription::{Subscription, Target};

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
    index: RwLock<SubjectIndex<Target>>,
    /// Mirrors the index's generation so publishers can check their caches without the lock.
    generation: AtomicU64,
    /// Stream imports into this account: a new subscription here may make one of them live.
    imports: RwLock<Vec<Arc<StreamImport>>>,
    /// Reply maps for requests that reached this account through service imports (created
    /// with the first service export someone imports).
    responses: std::sync::OnceLock<Arc<Responses>>,
    /// `limits {}` from the config (set once at start).
    limits: std::sync::OnceLock<AccountLimits>,
    /// Client connections bound to the account now.
    connections: AtomicUsize,
    /// Server links bound to this account: each hears about every change of interest here.
    links: RwLock<Vec<Arc<Link>>>,
    /// This server's loop-detection subject for the account (`$LDS.<random>`), announced over
    /// every link: if it ever comes back over a link, the links form a loop.
    loop_subject: std::sync::OnceLock<Box<[u8]>>,
}

impl Account {
    /// An empty account.
    pub fn new(name: &str) -> Arc<Account> {
        Arc::new(Account {
            name: name.to_string(),
            index: RwLock::new(SubjectIndex::default()),
            generation: AtomicU64::new(0),
            imports: RwLock::new(Vec::new()),
            responses: std::sync::OnceLock::new(),
            limits: std::sync::OnceLock::new(),
            connections: AtomicUsize::new(0),
            links: RwLock::new(Vec::new()),
            loop_subject: std::sync::OnceLock::new(),
        })
    }

    /// Registers a stream import into this account (at start, before clients connect).
    pub fn add_import(&self, import: Arc<StreamImport>) {
        self.imports.write().push(import);
    }

    /// Sets the account's limits (at start).
    pub fn set_limits(&self, limits: AccountLimits) {
        let _ = self.limits.set(limits);
    }

    /// The account's limits.
    pub fn limits(&self) -> AccountLimits {
        self.limits.get().copied().unwrap_or_default()
    }

    /// Binds one more connection, unless the account's `max_connections` is reached.
    pub(crate) fn join(&self) -> bool {
        let max = self.limits().max_connections;
        self.connections
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (!max.reached(n)).then_some(n + 1))
            .is_ok()
    }

    /// Unbinds a connection.
    pub(crate) fn leave(&self) {
        let _ = self.connections.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Client connections bound to the account.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::Acquire)
    }

    /// Registers a service import into this account (at start): its local subject routes
    /// requests to the exporter, whose response catch-all is set up here too.
    pub fn add_service_import(&self, import: Arc<ServiceImport>) -> bool {
        import.exporter.responses();
        let local = import.local.clone();
        self.add_target(&local, None, Target::ServiceImport(import))
    }

    /// This account's reply maps, set up (with their catch-all target) on first use.
    pub(crate) fn responses(&self) -> &Arc<Responses> {
        let mut created = None;
        let responses = self.responses.get_or_init(|| {
            let responses = Responses::new();
            created = Some(Arc::clone(&responses));
            responses
        });
        if let Some(responses) = created {
            let catch_all = responses.catch_all();
            self.add_target(&catch_all, None, Target::Responses(responses));
        }
        responses
    }

    /// Reply maps waiting for responses (0 when this account exports no imported service).
    pub fn pending_responses(&self) -> usize {
        self.responses.get().map_or(0, |r| r.pending())
    }

    /// Drops a batch of reply maps whose threshold passed; whether more may be left.
    pub(crate) fn expire_responses(&self, now: std::time::Instant) -> bool {
        self.responses.get().is_some_and(|responses| responses.expire(now))
    }

    /// Adds a subscription to the index. Fails for an invalid subject.
    pub fn add_subscription(&self, sub: &Arc<Subscription>) -> bool {
        self.add_target(&sub.subject, sub.queue.as_deref(), Target::Client(Arc::clone(sub)))
    }

    /// Removes a subscription from the index (once; later calls do nothing).
    pub fn remove_subscription(&self, sub: &Arc<Subscription>) -> bool {
        if sub.removed.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.remove_target(&sub.subject, sub.queue.as_deref(), &Target::Client(Arc::clone(sub)))
    }

    /// Adds any target; imports into this account whose local subject collides gain interest.
    pub(crate) fn add_target(&self, subject: &[u8], queue: Option<&[u8]>, target: Target) -> bool {
        {
            let origin = target.origin();
            let mut index = self.index.write();
            if index.insert(subject, queue, target).is_err() {
                return false;
            }
            self.generation.store(index.generation(), Ordering::Release);
            // Announced under the index lock, so a link attaching meanwhile sees each change
            // exactly once (in its snapshot or here).
            self.announce(subject, queue, origin, 1);
        }
        for import in self.colliding_imports(subject) {
            import.add_interest();
        }
        true
    }

    /// Removes a target; colliding imports lose interest.
    pub(crate) fn remove_target(&self, subject: &[u8], queue: Option<&[u8]>, target: &Target) -> bool {
        let removed = {
            let mut index = self.index.write();
            let removed = index.remove(subject, queue, target);
            self.generation.store(index.generation(), Ordering::Release);
            if removed {
                self.announce(subject, queue, target.origin(), -1);
            }
            removed
        };
        if removed {
            for import in self.colliding_imports(subject) {
                import.remove_interest();
            }
        }
        removed
    }

    /// Tells the links the forwarding rules name (never the one the change came from) that
    /// interest changed.
    fn announce(&self, subject: &[u8], queue: Option<&[u8]>, origin: (Option<u64>, OriginKind), delta: i32) {
        let links = self.links.read();
        for link in links.iter().filter(|link| hears(link, origin)) {
            link.local_interest(subject, queue, delta);
        }
    }

    /// Binds a link: it is told the account's whole interest now (except its own) and every
    /// change from then on.
    pub(crate) fn attach_link(&self, link: &Arc<Link>) {
        let index = self.index.write();
        index.for_each(|subject, queue, target| {
            if hears(link, target.origin()) {
                link.local_interest(subject, queue, 1);
            }
        });
        self.links.write().push(Arc::clone(link));
        drop(index);
    }

    /// Unbinds a link and drops the interest its remote announced.
    pub(crate) fn detach_link(&self, link: &Arc<Link>) {
        self.links.write().retain(|l| !Arc::ptr_eq(l, link));
        link.drop_remote_interest();
    }

    /// The account's loop-detection subject on this server.
    pub fn loop_subject(&self) -> &[u8] {
        self.loop_subject.get_or_init(|| {
            let token = crate::auth::new_nonce().replace(['-', '_'], "x");
            format!("$LDS.{token}").into_bytes().into()
        })
    }

    /// Whether a link other than `except` announced interest in `subject` (plain).
    pub(crate) fn link_announced_elsewhere(&self, except: u64, subject: &[u8]) -> bool {
        self.links.read().iter().any(|link| link.id != except && link.announced_remotely(subject))
    }

    /// Server links bound to the account now.
    pub fn link_count(&self) -> usize {
        self.links.read().len()
    }

    fn colliding_imports(&self, subject: &[u8]) -> Vec<Arc<StreamImport>> {
        let imports = self.imports.read();
        if imports.is_empty() {
            return Vec::new();
        }
        imports.iter().filter(|i| subjects_collide(subject, &i.local)).cloned().collect()
    }

    /// Who is interested in `subject`.
    pub fn matches(&self, subject: &[u8]) -> Arc<MatchResult<Target>> {
        self.index.read().matches(subject)
    }

    /// Changes whenever a subscription is added or removed.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Entries in the index (client subscriptions and live import targets).
    pub fn subscription_count(&self) -> usize {
        self.index.read().len()
    }
}

/// Whether `link` is told of interest from `origin`.
fn hears(link: &Link, (conn, kind): (Option<u64>, OriginKind)) -> bool {
    Some(link.id) != conn && policy::announces(kind, link.kind)
}
