//! Reply routes of service imports: the reply subjects an exporting account generates for
//! requests that come in through its service imports (`_R_.<account prefix>.<token>`), each
//! leading back to the requester's own reply subject in the importing account. One wildcard
//! target on `_R_.<prefix>.>` catches every response.
//!
//! Routes are bounded and expire without scanning: each service import keeps its routes in a
//! queue in the order they were made (one threshold per import, so the oldest is always the
//! first to expire). At most [`MAX_ROUTES_PER_IMPORT`] wait per import; a flood of requests
//! nobody answers then costs its own import's oldest routes, never another importer's.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use parking_lot::Mutex;

use crate::account::Account;
use crate::import::ServiceImport;

/// Most routes one service import keeps waiting for responses; a new request past it
/// forgets the import's oldest route (a response to it is dropped, as after its threshold).
pub const MAX_ROUTES_PER_IMPORT: usize = 65_536;
/// Most expired routes dropped per import while holding the lock once.
const EXPIRE_BATCH: usize = 1024;

/// Where a generated reply subject leads.
struct Route {
    importer: Arc<Account>,
    reply: Box<[u8]>,
    streamed: bool,
    /// The import it came through, whose queue holds it.
    import: ImportKey,
    deadline: Instant,
}

/// A service import, by identity (imports live as long as the server).
type ImportKey = usize;

/// One import's routes, oldest first; an entry whose route is gone (answered) is skipped.
struct ImportQueue {
    threshold: Duration,
    order: VecDeque<(Instant, Arc<[u8]>)>,
    live: usize,
}

#[derive(Default)]
struct Table {
    routes: HashMap<Arc<[u8]>, Route, RandomState>,
    queues: HashMap<ImportKey, ImportQueue, RandomState>,
}

/// The reply routes of one exporting account.
pub struct Responses {
    /// `_R_.<6 random characters>.`
    prefix: Box<[u8]>,
    table: Mutex<Table>,
}

impl Responses {
    /// An exporter's empty route table with a fresh random prefix.
    pub fn new() -> Arc<Responses> {
        let mut prefix = b"_R_.".to_vec();
        prefix.extend((0..6).map(|_| fastrand::alphanumeric() as u8));
        prefix.push(b'.');
        Arc::new(Responses { prefix: prefix.into(), table: Mutex::default() })
    }

    /// The wildcard subject that catches every response.
    pub fn catch_all(&self) -> Vec<u8> {
        [&self.prefix[..], b">"].concat()
    }

    /// Generates a reply subject for a request whose requester waits on `reply` in `importer`.
    pub fn register(&self, import: &ServiceImport, reply: &[u8]) -> Arc<[u8]> {
        let mut subject = self.prefix.to_vec();
        subject.extend((0..6).map(|_| fastrand::alphanumeric() as u8));
        let subject: Arc<[u8]> = subject.into();
        let now = Instant::now();
        let key = import as *const ServiceImport as ImportKey;
        let deadline = now + import.threshold;
        let route = Route {
            importer: Arc::clone(&import.importer),
            reply: reply.into(),
            streamed: import.streamed,
            import: key,
            deadline,
        };
        let mut table = self.table.lock();
        let queue = table.queues.entry(key).or_insert_with(|| ImportQueue {
            threshold: import.threshold,
            order: VecDeque::new(),
            live: 0,
        });
        queue.order.push_back((deadline, Arc::clone(&subject)));
        queue.live += 1;
        let full = queue.live > MAX_ROUTES_PER_IMPORT;
        let crowded = queue.order.len() > 2 * MAX_ROUTES_PER_IMPORT;
        if let Some(old) = table.routes.insert(Arc::clone(&subject), route) {
            // Two requests drew the same random token: the older one loses its route.
            table.left(&old);
        }
        // Each new route pays for a little expiry, so it never piles up between sweeps.
        table.expire_from(key, now, 2);
        if full {
            table.forget_oldest(key);
        }
        if crowded {
            table.compact(key);
        }
        subject
    }

    /// Forgets a route (the request reached nobody).
    pub fn forget(&self, subject: &[u8]) {
        let mut table = self.table.lock();
        if let Some(route) = table.routes.remove(subject) {
            table.left(&route);
        }
    }

    /// Where a response on `subject` goes: (account, the requester's reply subject). A
    /// single-response route ends here; a streamed one gets a new deadline.
    pub fn take(&self, subject: &[u8]) -> Option<(Arc<Account>, Box<[u8]>)> {
        let mut guard = self.table.lock();
        let table = &mut *guard;
        let route = table.routes.get_mut(subject)?;
        if route.streamed {
            let threshold = table.queues.get(&route.import).map_or(Duration::ZERO, |q| q.threshold);
            route.deadline = Instant::now() + threshold;
            return Some((Arc::clone(&route.importer), route.reply.clone()));
        }
        let route = table.routes.remove(subject)?;
        table.left(&route);
        Some((route.importer, route.reply))
    }

    /// Drops up to a batch of routes whose threshold passed without a response (per
    /// import); whether more may be left. Callers yield between batches, so requests and
    /// responses of the account never wait long for the lock.
    pub fn expire(&self, now: Instant) -> bool {
        let mut table = self.table.lock();
        let keys: Vec<ImportKey> = table.queues.keys().copied().collect();
        let mut more = false;
        for key in keys {
            more |= table.expire_from(key, now, EXPIRE_BATCH) == EXPIRE_BATCH;
        }
        more
    }

    /// Routes waiting for responses.
    pub fn pending(&self) -> usize {
        self.table.lock().routes.len()
    }
}

impl Table {
    /// A route left the table: one fewer live in its queue (its entry is skipped later).
    fn left(&mut self, route: &Route) {
        if let Some(queue) = self.queues.get_mut(&route.import) {
            queue.live = queue.live.saturating_sub(1);
        }
    }

    /// Drops up to `budget` expired or stale entries from the front of one import's queue;
    /// how many it looked at. A streamed route whose deadline moved goes to the back again.
    fn expire_from(&mut self, key: ImportKey, now: Instant, budget: usize) -> usize {
        let mut seen = 0;
        while seen < budget {
            let Some(queue) = self.queues.get_mut(&key) else { break };
            let Some((deadline, subject)) = queue.order.front() else { break };
            let route = self.routes.get(subject);
            let stale = route.is_none_or(|r| r.import != key);
            if !stale && *deadline > now {
                break;
            }
            seen += 1;
            let Some((_, subject)) = queue.order.pop_front() else { break };
            match self.routes.get(&subject).filter(|r| r.import == key) {
                None => {}
                Some(route) if route.deadline > now => queue.order.push_back((route.deadline, subject)),
                Some(_) => {
                    queue.live = queue.live.saturating_sub(1);
                    self.routes.remove(&subject);
                }
            }
        }
        seen
    }

    /// Drops the entries of answered routes from one import's queue. They leave by themselves
    /// when they reach the front, but a long-lived route at the front holds them back; this
    /// runs at most once per [`MAX_ROUTES_PER_IMPORT`] new routes, so its cost is spread.
    fn compact(&mut self, key: ImportKey) {
        let routes = &self.routes;
        if let Some(queue) = self.queues.get_mut(&key) {
            queue.order.retain(|(_, subject)| routes.get(subject).is_some_and(|r| r.import == key));
        }
    }

    /// Forgets the oldest live route of one import.
    fn forget_oldest(&mut self, key: ImportKey) {
        while let Some((_, subject)) = self.queues.get_mut(&key).and_then(|q| q.order.pop_front()) {
            if self.routes.get(&subject).is_some_and(|r| r.import == key) {
                if let Some(route) = self.routes.remove(&subject) {
                    self.left(&route);
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(streamed: bool, threshold: Duration) -> ServiceImport {
        ServiceImport {
            exporter: Account::new("A"),
            importer: Account::new("B"),
            subject: b"svc".as_slice().into(),
            local: b"svc".as_slice().into(),
            streamed,
            threshold,
        }
    }

    fn queue_len(responses: &Responses, import: &ServiceImport) -> usize {
        let key = import as *const ServiceImport as ImportKey;
        responses.table.lock().queues.get(&key).map_or(0, |q| q.order.len())
    }

    #[test]
    fn a_route_leads_back_once() {
        let responses = Responses::new();
        let import = import(false, Duration::from_secs(60));
        let subject = responses.register(&import, b"inbox.1");
        assert!(subject.starts_with(b"_R_."));
        let (account, reply) = responses.take(&subject).expect("route");
        assert_eq!((account.name.as_str(), &reply[..]), ("B", &b"inbox.1"[..]));
        assert!(responses.take(&subject).is_none(), "a singleton route ends with its response");
        assert_eq!(responses.pending(), 0);
    }

    #[test]
    fn routes_per_import_are_bounded_and_the_oldest_goes() {
        let responses = Responses::new();
        let flooded = import(false, Duration::from_secs(60));
        let other = import(false, Duration::from_secs(60));
        let kept = responses.register(&other, b"other.inbox");
        let first = responses.register(&flooded, b"inbox.0");
        for i in 1..=MAX_ROUTES_PER_IMPORT {
            responses.register(&flooded, format!("inbox.{i}").as_bytes());
        }
        assert_eq!(responses.pending(), MAX_ROUTES_PER_IMPORT + 1);
        assert!(responses.take(&first).is_none(), "the flooded import lost its oldest route");
        assert!(responses.take(&kept).is_some(), "another import's route is untouched");
    }

    #[test]
    fn expiry_goes_in_batches_and_keeps_live_routes() {
        let responses = Responses::new();
        let quick = import(false, Duration::from_secs(10));
        for i in 0..3 * EXPIRE_BATCH {
            responses.register(&quick, format!("inbox.{i}").as_bytes());
        }
        let later = Instant::now() + Duration::from_secs(20);
        let mut batches = 1;
        while responses.expire(later) {
            batches += 1;
        }
        assert!(batches >= 3, "{batches} batches");
        assert_eq!(responses.pending(), 0);
        assert_eq!(queue_len(&responses, &quick), 0);
        responses.register(&quick, b"inbox.last");
        assert!(!responses.expire(Instant::now()));
        assert_eq!(responses.pending(), 1, "a route within its threshold stays");
    }

    #[test]
    fn a_streamed_route_lives_while_responses_come() {
        let responses = Responses::new();
        let stream = import(true, Duration::from_millis(200));
        let subject = responses.register(&stream, b"inbox");
        std::thread::sleep(Duration::from_millis(150));
        assert!(responses.take(&subject).is_some());
        responses.expire(Instant::now() + Duration::from_millis(100));
        assert_eq!(responses.pending(), 1, "the response moved its deadline");
        responses.expire(Instant::now() + Duration::from_millis(300));
        assert_eq!(responses.pending(), 0);
    }

    #[test]
    fn answered_routes_do_not_pile_up_behind_a_long_one() {
        let responses = Responses::new();
        let stream = import(true, Duration::from_secs(60));
        let _held = responses.register(&stream, b"held");
        for i in 0..3 * MAX_ROUTES_PER_IMPORT {
            let subject = responses.register(&stream, format!("inbox.{i}").as_bytes());
            responses.forget(&subject);
        }
        assert_eq!(responses.pending(), 1);
        assert!(queue_len(&responses, &stream) <= 2 * MAX_ROUTES_PER_IMPORT + 1);
    }
}
