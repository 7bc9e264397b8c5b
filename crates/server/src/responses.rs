//! Reply maps of service imports: the reply subjects an exporting account generates for
//! requests that come in through its service imports (`_R_.<account prefix>.<token>`), each
//! leading back to the requester's own reply subject in the importing account. One wildcard
//! target on `_R_.<prefix>.>` catches every response.
//!
//! Reply maps are bounded and expire without scanning: each service import keeps its maps in a
//! queue in the order they were made (one threshold per import, so the oldest is always the
//! first to expire). At most [`MAX_REPLY_MAPS_PER_IMPORT`] wait per import; a flood of requests
//! nobody answers then costs its own import's oldest maps, never another importer's.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use foldhash::fast::RandomState;
use parking_lot::Mutex;

use crate::account::Account;
use crate::import::ServiceImport;

/// Most maps one service import keeps waiting for responses; a new request past it
/// forgets the import's oldest map (a response to it is dropped, as after its threshold).
pub const MAX_REPLY_MAPS_PER_IMPORT: usize = 65_536;
/// Most expired maps dropped per import while holding the lock once.
const EXPIRE_BATCH: usize = 1024;

/// Where a generated reply subject leads.
struct ReplyMap {
    importer: Arc<Account>,
    reply: Box<[u8]>,
    streamed: bool,
    /// The import it came through, whose queue holds it.
    import: ImportKey,
    deadline: Instant,
    seq: u64,
}

/// A queue entry: when the map expires (as far as the queue knows), its subject, its number.
type Entry = (Instant, Arc<[u8]>, u64);

/// A service import, by identity (imports live as long as the server).
type ImportKey = usize;

/// One import's maps, oldest first; an entry whose map is gone (answered) is skipped.
struct ImportQueue {
    threshold: Duration,
    order: VecDeque<Entry>,
    live: usize,
}

#[derive(Default)]
struct Table {
    /// Numbers maps, so a queue entry is known for the map it was made for (a token may be
    /// drawn again once its map is gone).
    next_seq: u64,
    maps: HashMap<Arc<[u8]>, ReplyMap, RandomState>,
    queues: HashMap<ImportKey, ImportQueue, RandomState>,
}

/// The reply maps of one exporting account.
pub struct Responses {
    /// `_R_.<6 random characters>.`
    prefix: Box<[u8]>,
    table: Mutex<Table>,
}

impl Responses {
    /// An exporter's empty map table with a fresh random prefix.
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
        let now = Instant::now();
        let key = import as *const ServiceImport as ImportKey;
        let deadline = now + import.threshold;
        let mut table = self.table.lock();
        // A token that a live map holds is drawn again: a response must never reach another
        // requester (possibly in another account).
        let subject = loop {
            let mut subject = self.prefix.to_vec();
            subject.extend((0..6).map(|_| fastrand::alphanumeric() as u8));
            if !table.maps.contains_key(subject.as_slice()) {
                break Arc::<[u8]>::from(subject);
            }
        };
        let seq = table.next_seq;
        table.next_seq += 1;
        let map = ReplyMap {
            importer: Arc::clone(&import.importer),
            reply: reply.into(),
            streamed: import.streamed,
            import: key,
            deadline,
            seq,
        };
        let queue = table.queues.entry(key).or_insert_with(|| ImportQueue {
            threshold: import.threshold,
            order: VecDeque::new(),
            live: 0,
        });
        queue.order.push_back((deadline, Arc::clone(&subject), seq));
        queue.live += 1;
        let full = queue.live > MAX_REPLY_MAPS_PER_IMPORT;
        let crowded = queue.order.len() > 2 * MAX_REPLY_MAPS_PER_IMPORT;
        table.maps.insert(Arc::clone(&subject), map);
        // Each new map pays for a little expiry, so it never piles up between sweeps.
        table.expire_from(key, now, 2);
        if full {
            table.forget_oldest(key);
        }
        if crowded {
            table.compact(key);
        }
        subject
    }

    /// Forgets a map (the request reached nobody).
    pub fn forget(&self, subject: &[u8]) {
        let mut table = self.table.lock();
        if let Some(map) = table.maps.remove(subject) {
            table.left(&map);
        }
    }

    /// Where a response on `subject` goes: (account, the requester's reply subject). A
    /// single-response map ends here; a streamed one gets a new deadline.
    pub fn take(&self, subject: &[u8]) -> Option<(Arc<Account>, Box<[u8]>)> {
        let mut guard = self.table.lock();
        let table = &mut *guard;
        let map = table.maps.get_mut(subject)?;
        if map.streamed {
            let threshold = table.queues.get(&map.import).map_or(Duration::ZERO, |q| q.threshold);
            map.deadline = Instant::now() + threshold;
            return Some((Arc::clone(&map.importer), map.reply.clone()));
        }
        let map = table.maps.remove(subject)?;
        table.left(&map);
        Some((map.importer, map.reply))
    }

    /// Drops up to a batch of maps whose threshold passed without a response (per
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

    /// Reply maps waiting for responses.
    pub fn pending(&self) -> usize {
        self.table.lock().maps.len()
    }
}

impl Table {
    /// A map left the table: one fewer live in its queue (its entry is skipped later).
    fn left(&mut self, map: &ReplyMap) {
        if let Some(queue) = self.queues.get_mut(&map.import) {
            queue.live = queue.live.saturating_sub(1);
        }
    }

    /// Drops up to `budget` expired or stale entries from the front of one import's queue;
    /// how many it looked at. A streamed map whose deadline moved goes to the back again.
    fn expire_from(&mut self, key: ImportKey, now: Instant, budget: usize) -> usize {
        let mut seen = 0;
        while seen < budget {
            let Some(queue) = self.queues.get_mut(&key) else { break };
            let Some((deadline, subject, seq)) = queue.order.front() else { break };
            let map = self.maps.get(subject);
            let stale = map.is_none_or(|r| r.seq != *seq);
            if !stale && *deadline > now {
                break;
            }
            seen += 1;
            let Some((_, subject, seq)) = queue.order.pop_front() else { break };
            match self.maps.get(&subject).filter(|r| r.seq == seq) {
                None => {}
                Some(map) if map.deadline > now => queue.order.push_back((map.deadline, subject, seq)),
                Some(_) => {
                    queue.live = queue.live.saturating_sub(1);
                    self.maps.remove(&subject);
                }
            }
        }
        seen
    }

    /// Drops the entries of answered maps from one import's queue. They leave by themselves
    /// when they reach the front, but a long-lived map at the front holds them back; this
    /// runs at most once per [`MAX_REPLY_MAPS_PER_IMPORT`] new maps, so its cost is spread.
    fn compact(&mut self, key: ImportKey) {
        let maps = &self.maps;
        if let Some(queue) = self.queues.get_mut(&key) {
            queue.order.retain(|(_, subject, seq)| maps.get(subject).is_some_and(|r| r.seq == *seq));
        }
    }

    /// Forgets the oldest live map of one import.
    fn forget_oldest(&mut self, key: ImportKey) {
        while let Some((_, subject, seq)) = self.queues.get_mut(&key).and_then(|q| q.order.pop_front()) {
            if self.maps.get(&subject).is_some_and(|r| r.seq == seq) {
                if let Some(map) = self.maps.remove(&subject) {
                    self.left(&map);
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
    fn a_reply_map_leads_back_once() {
        let responses = Responses::new();
        let import = import(false, Duration::from_secs(60));
        let subject = responses.register(&import, b"inbox.1");
        assert!(subject.starts_with(b"_R_."));
        let (account, reply) = responses.take(&subject).expect("map");
        assert_eq!((account.name.as_str(), &reply[..]), ("B", &b"inbox.1"[..]));
        assert!(responses.take(&subject).is_none(), "a singleton map ends with its response");
        assert_eq!(responses.pending(), 0);
    }

    /// The same token drawn twice (forced by reseeding the generator) never hands one
    /// requester's response to another.
    #[test]
    fn a_token_drawn_again_is_not_reused_while_live() {
        let responses = Responses::new();
        let import = import(false, Duration::from_secs(60));
        fastrand::seed(7);
        let first = responses.register(&import, b"inbox.first");
        fastrand::seed(7);
        let second = responses.register(&import, b"inbox.second");
        assert_ne!(first, second);
        assert_eq!(responses.pending(), 2);
        assert_eq!(responses.take(&first).map(|(_, r)| r.to_vec()), Some(b"inbox.first".to_vec()));
        assert_eq!(responses.take(&second).map(|(_, r)| r.to_vec()), Some(b"inbox.second".to_vec()));
    }

    #[test]
    fn reply_maps_per_import_are_bounded_and_the_oldest_goes() {
        let responses = Responses::new();
        let flooded = import(false, Duration::from_secs(60));
        let other = import(false, Duration::from_secs(60));
        let kept = responses.register(&other, b"other.inbox");
        let first = responses.register(&flooded, b"inbox.0");
        for i in 1..=MAX_REPLY_MAPS_PER_IMPORT {
            responses.register(&flooded, format!("inbox.{i}").as_bytes());
        }
        assert_eq!(responses.pending(), MAX_REPLY_MAPS_PER_IMPORT + 1);
        assert!(responses.take(&first).is_none(), "the flooded import lost its oldest map");
        assert!(responses.take(&kept).is_some(), "another import's map is untouched");
    }

    #[test]
    fn expiry_goes_in_batches_and_keeps_live_reply_maps() {
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
        assert_eq!(responses.pending(), 1, "a map within its threshold stays");
    }

    #[test]
    fn a_streamed_reply_map_lives_while_responses_come() {
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
    fn answered_reply_maps_do_not_pile_up_behind_a_long_one() {
        let responses = Responses::new();
        let stream = import(true, Duration::from_secs(60));
        let _held = responses.register(&stream, b"held");
        for i in 0..3 * MAX_REPLY_MAPS_PER_IMPORT {
            let subject = responses.register(&stream, format!("inbox.{i}").as_bytes());
            responses.forget(&subject);
        }
        assert_eq!(responses.pending(), 1);
        assert!(queue_len(&responses, &stream) <= 2 * MAX_REPLY_MAPS_PER_IMPORT + 1);
    }
}
