//! The subject index: a trie of subscription subjects, one level per token, with the wildcard
//! children `*` and `>` held apart from literal tokens so a match walks at most three branches
//! per level. Results are cached per published subject; every insert or remove bumps a
//! generation number and empties the cache, so a cached result is never stale, and callers can
//! keep their own caches checked against [`SubjectIndex::generation`].

use std::collections::HashMap;
use std::sync::Arc;

use foldhash::fast::RandomState;
use parking_lot::Mutex;

/// How many published subjects the shared cache remembers before it evicts.
pub const DEFAULT_CACHE_LIMIT: usize = 1024;

type Map<K, V> = HashMap<K, V, RandomState>;
/// Published subject -> shared result.
type Cache<T> = Map<Box<[u8]>, Arc<MatchResult<T>>>;

/// Who is interested in one published subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchResult<T> {
    /// Every plain subscription that matches; each gets a copy.
    pub plain: Vec<T>,
    /// Matching queue groups, merged by name across subjects; one member of each gets a copy.
    pub queues: Vec<QueueGroup<T>>,
}

impl<T> MatchResult<T> {
    fn new() -> Self {
        MatchResult { plain: Vec::new(), queues: Vec::new() }
    }

    /// Nobody matches.
    pub fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.queues.is_empty()
    }
}

/// The members of one queue group that match a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueGroup<T> {
    /// Queue group name.
    pub name: Box<[u8]>,
    /// Members (at least one).
    pub members: Vec<T>,
}

struct Node<T> {
    next: Option<Box<Level<T>>>,
    plain: Vec<T>,
    queues: Vec<QueueGroup<T>>,
}

impl<T> Node<T> {
    fn new() -> Self {
        Node { next: None, plain: Vec::new(), queues: Vec::new() }
    }

    fn is_empty(&self) -> bool {
        self.next.is_none() && self.plain.is_empty() && self.queues.is_empty()
    }
}

struct Level<T> {
    literal: Map<Box<[u8]>, Node<T>>,
    star: Option<Box<Node<T>>>,
    full: Option<Box<Node<T>>>,
}

impl<T> Level<T> {
    fn new() -> Self {
        Level { literal: Map::default(), star: None, full: None }
    }

    fn is_empty(&self) -> bool {
        self.literal.is_empty() && self.star.is_none() && self.full.is_none()
    }
}

fn walk_level<T>(level: &Level<T>, subject: &mut Vec<u8>, f: &mut impl FnMut(&[u8], Option<&[u8]>, &T)) {
    let children = level
        .literal
        .iter()
        .map(|(token, node)| (&token[..], node))
        .chain(level.star.as_deref().map(|node| (&b"*"[..], node)))
        .chain(level.full.as_deref().map(|node| (&b">"[..], node)));
    for (token, node) in children {
        let mark = subject.len();
        if mark > 0 {
            subject.push(b'.');
        }
        subject.extend_from_slice(token);
        for value in &node.plain {
            f(subject, None, value);
        }
        for group in &node.queues {
            for value in &group.members {
                f(subject, Some(&group.name), value);
            }
        }
        if let Some(next) = &node.next {
            walk_level(next, subject, f);
        }
        subject.truncate(mark);
    }
}

/// Error for a subject that cannot be a subscription subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSubject;

/// A map from subscription subjects (with wildcards) to values of type `T`, usually handles
/// to subscriptions. Queue-group values are kept apart from plain ones.
pub struct SubjectIndex<T> {
    root: Level<T>,
    generation: u64,
    count: usize,
    cache: Mutex<Cache<T>>,
    cache_limit: usize,
}

impl<T: Clone + PartialEq> Default for SubjectIndex<T> {
    fn default() -> Self {
        Self::with_cache_limit(DEFAULT_CACHE_LIMIT)
    }
}

impl<T: Clone + PartialEq> SubjectIndex<T> {
    /// An empty index whose cache holds at most `cache_limit` subjects (0 disables it).
    pub fn with_cache_limit(cache_limit: usize) -> Self {
        SubjectIndex { root: Level::new(), generation: 0, count: 0, cache: Mutex::new(Map::default()), cache_limit }
    }

    /// Number of values stored.
    pub fn len(&self) -> usize {
        self.count
    }

    /// No values stored.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Changes every time the contents change.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Subjects held in the shared match cache.
    pub fn cache_len(&self) -> usize {
        self.cache.lock().len()
    }

    /// Calls `f(subject, queue, value)` for every value stored (order unspecified). For
    /// snapshots of interest, e.g. when a server link starts and must announce it.
    pub fn for_each(&self, mut f: impl FnMut(&[u8], Option<&[u8]>, &T)) {
        let mut subject = Vec::new();
        walk_level(&self.root, &mut subject, &mut f);
    }

    /// Adds `value` under `subject`, in queue group `queue` if given.
    pub fn insert(&mut self, subject: &[u8], queue: Option<&[u8]>, value: T) -> Result<(), InvalidSubject> {
        if !crate::is_valid_subject(subject) {
            return Err(InvalidSubject);
        }
        let mut level = &mut self.root;
        let mut tokens = subject.split(|&b| b == b'.').peekable();
        let node = loop {
            let Some(token) = tokens.next() else {
                return Err(InvalidSubject);
            };
            let node: &mut Node<T> = match token {
                b"*" => level.star.get_or_insert_with(|| Box::new(Node::new())),
                b">" => level.full.get_or_insert_with(|| Box::new(Node::new())),
                _ => level.literal.entry(token.into()).or_insert_with(Node::new),
            };
            if tokens.peek().is_none() {
                break node;
            }
            level = node.next.get_or_insert_with(|| Box::new(Level::new()));
        };
        match queue {
            None => node.plain.push(value),
            Some(name) => match node.queues.iter_mut().find(|g| &*g.name == name) {
                Some(group) => group.members.push(value),
                None => node.queues.push(QueueGroup { name: name.into(), members: vec![value] }),
            },
        }
        self.count += 1;
        self.changed();
        Ok(())
    }

    /// Removes one `value` stored under `subject` and `queue`. Returns whether it was there.
    pub fn remove(&mut self, subject: &[u8], queue: Option<&[u8]>, value: &T) -> bool {
        let tokens: Vec<&[u8]> = subject.split(|&b| b == b'.').collect();
        let removed = remove_from_level(&mut self.root, &tokens, queue, value);
        if removed {
            self.count -= 1;
            self.changed();
        }
        removed
    }

    fn changed(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.cache.get_mut().clear();
    }

    /// Everyone interested in the literal `subject`, from the cache when possible.
    pub fn matches(&self, subject: &[u8]) -> Arc<MatchResult<T>> {
        if self.cache_limit > 0 {
            if let Some(hit) = self.cache.lock().get(subject) {
                return Arc::clone(hit);
            }
        }
        let result = Arc::new(self.matches_uncached(subject));
        if self.cache_limit > 0 {
            let mut cache = self.cache.lock();
            if cache.len() >= self.cache_limit {
                evict_half(&mut cache);
            }
            cache.insert(subject.into(), Arc::clone(&result));
        }
        result
    }

    /// Walks the trie for `subject` without touching the cache. A subject with an empty token
    /// matches nothing.
    pub fn matches_uncached(&self, subject: &[u8]) -> MatchResult<T> {
        let mut result = MatchResult::new();
        if subject.is_empty() || subject.split(|&b| b == b'.').any(<[u8]>::is_empty) {
            return result;
        }
        collect(&self.root, subject, &mut result);
        result
    }

    /// Whether anyone at all is interested in `subject`.
    pub fn has_interest(&self, subject: &[u8]) -> bool {
        !self.matches(subject).is_empty()
    }
}

/// Drops at least half of the cache (all of a one-entry cache, so the entry added next stays
/// within the limit): cheap, and keeps a hot set that is re-added on next use.
fn evict_half<V>(cache: &mut Map<Box<[u8]>, V>) {
    let mut keep = true;
    cache.retain(|_, _| {
        keep = !keep;
        keep
    });
}

/// Collects matches in nats-server's order (subscribers with several matching subscriptions
/// see their messages in that order): at each level `>` first, then the `*` branch, then the
/// literal branch; at the last token the literal node before the `*` node.
fn collect<T: Clone>(level: &Level<T>, subject: &[u8], result: &mut MatchResult<T>) {
    let (token, rest) = match memchr::memchr(b'.', subject) {
        Some(dot) => (&subject[..dot], Some(&subject[dot + 1..])),
        None => (subject, None),
    };
    if let Some(full) = &level.full {
        add_node(full, result);
    }
    match rest {
        Some(rest) => {
            if let Some(next) = level.star.as_ref().and_then(|star| star.next.as_deref()) {
                collect(next, rest, result);
            }
            if let Some(next) = level.literal.get(token).and_then(|node| node.next.as_deref()) {
                collect(next, rest, result);
            }
        }
        None => {
            if let Some(node) = level.literal.get(token) {
                add_node(node, result);
            }
            if let Some(star) = &level.star {
                add_node(star, result);
            }
        }
    }
}

fn add_node<T: Clone>(node: &Node<T>, result: &mut MatchResult<T>) {
    result.plain.extend_from_slice(&node.plain);
    for group in &node.queues {
        match result.queues.iter_mut().find(|g| g.name == group.name) {
            Some(existing) => existing.members.extend_from_slice(&group.members),
            None => result.queues.push(group.clone()),
        }
    }
}

fn remove_from_level<T: PartialEq>(level: &mut Level<T>, tokens: &[&[u8]], queue: Option<&[u8]>, value: &T) -> bool {
    let Some((&token, rest)) = tokens.split_first() else {
        return false;
    };
    let node: &mut Node<T> = match token {
        b"*" => match level.star.as_deref_mut() {
            Some(n) => n,
            None => return false,
        },
        b">" => match level.full.as_deref_mut() {
            Some(n) => n,
            None => return false,
        },
        _ => match level.literal.get_mut(token) {
            Some(n) => n,
            None => return false,
        },
    };
    let removed = if rest.is_empty() {
        remove_value(node, queue, value)
    } else {
        match node.next.as_deref_mut() {
            Some(next) => {
                let removed = remove_from_level(next, rest, queue, value);
                if next.is_empty() {
                    node.next = None;
                }
                removed
            }
            None => false,
        }
    };
    if removed && node.is_empty() {
        match token {
            b"*" => level.star = None,
            b">" => level.full = None,
            _ => {
                level.literal.remove(token);
            }
        }
    }
    removed
}

fn remove_value<T: PartialEq>(node: &mut Node<T>, queue: Option<&[u8]>, value: &T) -> bool {
    match queue {
        None => match node.plain.iter().position(|v| v == value) {
            Some(i) => {
                node.plain.swap_remove(i);
                true
            }
            None => false,
        },
        Some(name) => {
            let Some(gi) = node.queues.iter().position(|g| &*g.name == name) else {
                return false;
            };
            let group = &mut node.queues[gi];
            let Some(i) = group.members.iter().position(|v| v == value) else {
                return false;
            };
            group.members.swap_remove(i);
            if group.members.is_empty() {
                node.queues.swap_remove(gi);
            }
            true
        }
    }
}

#[cfg(test)]
mod tests;
