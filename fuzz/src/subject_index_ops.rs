//! Checks behind the `subject_index_ops` fuzz target, shared with
//! `crates/subject/tests/fuzz_corpus.rs` (which includes this file with `#[path]`). Depends on
//! `rnats_subject` only.
//!
//! The input is a script of operations on a `SubjectIndex<u32>`, run side by side with a
//! model that is just a list of `(subject, queue, value)` entries matched one by one with
//! `subject_matches`. Byte 0 picks the cache limit (0, 1, 2, 3 or the default); then each
//! operation is an opcode byte followed by its operands:
//! - insert: subject, queue, value: succeeds exactly for valid subscription subjects;
//! - remove: either an entry the model holds (so removals mostly hit) or a decoded one:
//!   returns whether the model held it;
//! - match: a published subject: `matches` (cached) and `matches_uncached` both equal the
//!   model's answer (plain values and queue groups compared as multisets).
//!
//! After every operation `len`, `is_empty`, the generation (moves exactly on changes) and the
//! cache size (never over its limit) are checked too.

use std::collections::BTreeMap;

use rnats_subject::{subject_matches, MatchResult, SubjectIndex, DEFAULT_CACHE_LIMIT};

/// Tokens subjects are built from: few enough that subjects collide often, with wildcards,
/// wildcard look-alikes, an empty token and white space for the invalid cases.
const TOKENS: [&[u8]; 16] =
    [b"a", b"b", b"c", b"foo", b"bar", b"a", b"b", b"*", b"*", b">", b">", b"", b"a b", b"*x", b">x", b"\t"];
/// Queue groups, mostly none.
const QUEUES: [Option<&[u8]>; 6] = [None, None, None, Some(b"q"), Some(b"r"), Some(b"")];
/// Values per subject stay few, so duplicates happen.
const VALUES: u8 = 8;

/// One `(subject, queue, value)` stored in the model.
type Entry = (Vec<u8>, Option<Vec<u8>>, u32);

/// Reads operands off the script; 0 once it runs out.
struct Script<'a> {
    data: &'a [u8],
    at: usize,
}

impl Script<'_> {
    fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// One byte: 0 to 3 more tokens (so 1 to 4, with one subject in 16 empty), then a byte
    /// per token.
    fn subject(&mut self) -> Vec<u8> {
        let spec = self.byte();
        if spec % 16 == 15 {
            return Vec::new();
        }
        let count = 1 + (spec % 4) as usize;
        let mut subject = Vec::new();
        for i in 0..count {
            if i > 0 {
                subject.push(b'.');
            }
            subject.extend_from_slice(TOKENS[(self.byte() % 16) as usize]);
        }
        subject
    }

    fn queue(&mut self) -> Option<Vec<u8>> {
        QUEUES[(self.byte() as usize) % QUEUES.len()].map(<[u8]>::to_vec)
    }

    fn value(&mut self) -> u32 {
        u32::from(self.byte() % VALUES)
    }
}

/// Runs the script in `data`; panics where the index and the model disagree. The fuzz
/// target's whole body.
pub fn check(data: &[u8]) {
    let mut script = Script { data, at: 0 };
    let cache_limit = match script.byte() % 5 {
        4 => DEFAULT_CACHE_LIMIT,
        n => n as usize,
    };
    let mut index: SubjectIndex<u32> = SubjectIndex::with_cache_limit(cache_limit);
    let mut model: Vec<Entry> = Vec::new();
    while !script.done() {
        let generation = index.generation();
        let changed = match script.byte() % 8 {
            0..=2 => {
                let (subject, queue, value) = (script.subject(), script.queue(), script.value());
                let inserted = index.insert(&subject, queue.as_deref(), value).is_ok();
                assert_eq!(inserted, valid_filter(&subject), "insert {:?}", String::from_utf8_lossy(&subject));
                if inserted {
                    model.push((subject, queue, value));
                }
                inserted
            }
            3 | 4 => {
                let pick = script.byte();
                // Three times in four, an entry the model holds.
                let entry = match (model.len(), pick % 4) {
                    (n, 1..) if n > 0 => model[pick as usize % n].clone(),
                    _ => (script.subject(), script.queue(), script.value()),
                };
                let removed = index.remove(&entry.0, entry.1.as_deref(), &entry.2);
                let position = model.iter().position(|e| *e == entry);
                assert_eq!(removed, position.is_some(), "remove {entry:?}");
                if let Some(i) = position {
                    model.swap_remove(i);
                }
                removed
            }
            _ => {
                let subject = script.subject();
                let expected = model_matches(&model, &subject);
                let cached = index.matches(&subject);
                assert_eq!(normalize(&cached), expected, "matches {:?}", String::from_utf8_lossy(&subject));
                let uncached = index.matches_uncached(&subject);
                assert_eq!(normalize(&uncached), expected, "uncached {:?}", String::from_utf8_lossy(&subject));
                assert_eq!(index.has_interest(&subject), !(expected.0.is_empty() && expected.1.is_empty()));
                false
            }
        };
        assert_eq!(index.len(), model.len());
        assert_eq!(index.is_empty(), model.is_empty());
        assert_eq!(index.generation() != generation, changed, "generation after a change (or none)");
        assert!(index.cache_len() <= cache_limit, "cache holds {} of {cache_limit}", index.cache_len());
    }
}

/// A match result as `(plain values sorted, queue name -> members sorted)`.
pub type Normalized = (Vec<u32>, BTreeMap<Vec<u8>, Vec<u32>>);

/// `result` in a form that ignores order; checks each queue group is non-empty and named once.
pub fn normalize(result: &MatchResult<u32>) -> Normalized {
    let mut plain = result.plain.clone();
    plain.sort_unstable();
    let mut queues = BTreeMap::new();
    for group in &result.queues {
        assert!(!group.members.is_empty(), "empty queue group {:?}", group.name);
        let mut members = group.members.clone();
        members.sort_unstable();
        let previous = queues.insert(group.name.to_vec(), members);
        assert!(previous.is_none(), "queue group {:?} listed twice", group.name);
    }
    (plain, queues)
}

/// The model's answer: every entry whose filter matches; nothing for a subject with an empty
/// token (which no publish can use).
fn model_matches(model: &[Entry], subject: &[u8]) -> Normalized {
    let mut plain = Vec::new();
    let mut queues: BTreeMap<Vec<u8>, Vec<u32>> = BTreeMap::new();
    if subject.split(|&b| b == b'.').all(|t| !t.is_empty()) {
        for (filter, queue, value) in model {
            if subject_matches(filter, subject) {
                match queue {
                    None => plain.push(*value),
                    Some(name) => queues.entry(name.clone()).or_default().push(*value),
                }
            }
        }
    }
    plain.sort_unstable();
    for members in queues.values_mut() {
        members.sort_unstable();
    }
    (plain, queues)
}

/// A valid subscription subject, written out independently of the crate's own check:
/// non-empty tokens without white space, `>` only last.
fn valid_filter(subject: &[u8]) -> bool {
    let tokens: Vec<&[u8]> = subject.split(|&b| b == b'.').collect();
    tokens.iter().enumerate().all(|(i, t)| {
        !t.is_empty() && !t.iter().any(|b| b" \t\r\n\x0c".contains(b)) && (*t != b">" || i + 1 == tokens.len())
    })
}
