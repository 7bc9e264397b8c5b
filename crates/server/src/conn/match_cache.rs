//! A connection's own match cache, so a publisher repeating subjects takes no shared lock.
//! It is emptied whenever the account's generation moves.

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;
use rnats_subject::MatchResult;

use crate::account::Account;
use crate::subscription::Target;

/// Subjects a connection remembers before it starts over.
const LIMIT: usize = 256;

/// Subject -> match result, valid for one account generation.
#[derive(Default)]
pub struct MatchCache {
    generation: u64,
    entries: HashMap<Box<[u8]>, Arc<MatchResult<Target>>, RandomState>,
}

impl MatchCache {
    pub(crate) fn matches(&mut self, account: &Account, subject: &[u8]) -> Arc<MatchResult<Target>> {
        // Read the generation before matching: a change during the match then shows as a
        // mismatch on the next call rather than being hidden.
        let generation = account.generation();
        if generation != self.generation {
            self.entries.clear();
            self.generation = generation;
        }
        if let Some(hit) = self.entries.get(subject) {
            return Arc::clone(hit);
        }
        let result = account.matches(subject);
        if self.entries.len() >= LIMIT {
            self.entries.clear();
        }
        self.entries.insert(subject.into(), Arc::clone(&result));
        result
    }

    pub(crate) fn clear(&mut self) {
        self.entries = HashMap::default();
    }
}
