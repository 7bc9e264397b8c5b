//! `allow_responses`: the reply subjects of requests delivered to one connection, which its
//! user may then publish to. Recording runs on every publisher that delivers a request to the
//! connection, so it costs O(1) however many replies are tracked: entries leave in the order
//! they were recorded (one time limit for all), never by scanning the whole table.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use foldhash::fast::RandomState;
use parking_lot::Mutex;

use super::ResponseLimits;

/// Most replies one connection tracks; past it the oldest is forgotten (a response to it is
/// then refused like any other subject the user may not publish to).
pub const MAX_TRACKED_REPLIES: usize = 262_144;

/// The reply subjects of requests delivered to one connection whose user has
/// `allow_responses`: shared by its subscriptions (which record) and its session (which
/// checks when publishing).
#[derive(Debug)]
pub struct ReplyTracker {
    limits: ResponseLimits,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    /// Reply -> its latest recording.
    replies: HashMap<Arc<[u8]>, Recorded, RandomState>,
    /// Every recording, oldest first; one whose reply was recorded again since (or answered
    /// its last time) is stale and skipped when it comes up.
    order: VecDeque<(Arc<[u8]>, u64)>,
    next_seq: u64,
}

/// One recording of a reply: when, which, and how many responses were sent since.
#[derive(Debug)]
struct Recorded {
    at: Instant,
    seq: u64,
    sent: u64,
}

impl ReplyTracker {
    /// A tracker with these limits.
    pub fn new(limits: ResponseLimits) -> ReplyTracker {
        ReplyTracker { limits, table: Mutex::default() }
    }

    /// A request with `reply` was delivered: the user may answer it (again from zero).
    pub fn record(&self, reply: &[u8]) {
        let now = Instant::now();
        let mut table = self.table.lock();
        self.expire(&mut table, now);
        let seq = table.next_seq;
        table.next_seq += 1;
        let key: Arc<[u8]> = match table.replies.get_key_value(reply) {
            Some((key, _)) => Arc::clone(key),
            None => reply.into(),
        };
        table.replies.insert(Arc::clone(&key), Recorded { at: now, seq, sent: 0 });
        table.order.push_back((key, seq));
        if table.order.len() > MAX_TRACKED_REPLIES {
            table.forget_oldest();
        }
    }

    /// Whether the user may publish to `subject` as a response; counts it if so.
    pub fn allow_response(&self, subject: &[u8]) -> bool {
        let now = Instant::now();
        let mut table = self.table.lock();
        let Some(recorded) = table.replies.get_mut(subject) else { return false };
        recorded.sent += 1;
        let over_max = self.limits.max.is_some_and(|max| recorded.sent > max);
        let expired = self.limits.ttl.is_some_and(|ttl| now.duration_since(recorded.at) > ttl);
        if over_max || expired {
            table.replies.remove(subject);
            return false;
        }
        true
    }

    /// Replies tracked now.
    pub fn tracked(&self) -> usize {
        self.table.lock().replies.len()
    }

    /// Drops recordings past the time limit from the front, and stale ones met on the way.
    fn expire(&self, table: &mut Table, now: Instant) {
        while let Some((reply, seq)) = table.order.front() {
            let live = table.replies.get(reply).filter(|r| r.seq == *seq);
            match (live, self.limits.ttl) {
                (Some(recorded), Some(ttl)) if now.duration_since(recorded.at) > ttl => table.forget_oldest(),
                (Some(_), _) => return,
                (None, _) => drop(table.order.pop_front()),
            }
        }
    }
}

impl Table {
    /// Forgets the oldest recording (and its reply, unless recorded again since).
    fn forget_oldest(&mut self) {
        if let Some((reply, seq)) = self.order.pop_front() {
            if self.replies.get(&reply).is_some_and(|r| r.seq == seq) {
                self.replies.remove(&reply);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn replies_allowed_up_to_max() {
        let tracker = ReplyTracker::new(ResponseLimits { max: Some(2), ttl: None });
        assert!(!tracker.allow_response(b"_INBOX.1"));
        tracker.record(b"_INBOX.1");
        assert!(tracker.allow_response(b"_INBOX.1"));
        assert!(tracker.allow_response(b"_INBOX.1"));
        assert!(!tracker.allow_response(b"_INBOX.1"));
        assert!(!tracker.allow_response(b"_INBOX.1"), "the entry is gone");
        let unlimited = ReplyTracker::new(ResponseLimits { max: None, ttl: None });
        unlimited.record(b"r");
        assert!((0..100).all(|_| unlimited.allow_response(b"r")));
    }

    #[test]
    fn replies_expire() {
        let tracker = ReplyTracker::new(ResponseLimits { max: None, ttl: Some(Duration::from_millis(1)) });
        tracker.record(b"r");
        std::thread::sleep(Duration::from_millis(5));
        assert!(!tracker.allow_response(b"r"));
        tracker.record(b"s");
        assert_eq!(tracker.tracked(), 1, "expired recordings leave as new ones come");
    }

    #[test]
    fn recording_again_restarts_the_count_and_the_clock() {
        let tracker = ReplyTracker::new(ResponseLimits { max: Some(1), ttl: Some(Duration::from_millis(50)) });
        tracker.record(b"r");
        assert!(tracker.allow_response(b"r"));
        tracker.record(b"r");
        assert!(tracker.allow_response(b"r"), "a new request on the same reply may be answered");
        tracker.record(b"r");
        tracker.record(b"x");
        assert_eq!(tracker.tracked(), 2);
        assert!(tracker.table.lock().order.len() <= 4);
    }

    #[test]
    fn the_table_is_bounded_and_forgets_the_oldest() {
        let tracker = ReplyTracker::new(ResponseLimits { max: None, ttl: None });
        for i in 0..MAX_TRACKED_REPLIES + 10 {
            tracker.record(format!("_INBOX.{i}").as_bytes());
        }
        assert_eq!(tracker.tracked(), MAX_TRACKED_REPLIES);
        assert!(!tracker.allow_response(b"_INBOX.0"), "the oldest was forgotten");
        assert!(tracker.allow_response(format!("_INBOX.{}", MAX_TRACKED_REPLIES + 9).as_bytes()));
    }
}
