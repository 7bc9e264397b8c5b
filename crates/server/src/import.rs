//! Stream imports: messages published in one account on subjects it exports, delivered into
//! another account that imports them (unchanged, under a `prefix`, or mapped onto `to`).
//!
//! The exporter's index holds a [`Target::StreamImport`] only while some subscription in the
//! importer could receive what it carries, so an import nobody listens to costs the exporter
//! nothing. Chained imports work because an import target counts as interest in the account it
//! sits in.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::account::Account;
use crate::subscription::Target;

/// How a published subject becomes the importer's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalMapping {
    /// The same subject.
    Same,
    /// `prefix.` + subject.
    Prefix(Box<[u8]>),
    /// `to`: wildcard tokens (`*`, `>`) and `$N` / `{{wildcard(N)}}` take the published
    /// subject's tokens at the import subject's wildcard positions.
    To(Box<[u8]>),
}

/// One configured stream import between two accounts.
pub struct StreamImport {
    /// Where messages are published.
    pub exporter: Arc<Account>,
    /// Where they are delivered.
    pub importer: Arc<Account>,
    /// The exporter-side subject (may have wildcards).
    pub subject: Box<[u8]>,
    /// The importer-side pattern, to tell which importer subscriptions are interested.
    pub local: Box<[u8]>,
    /// Subject rewriting.
    pub mapping: LocalMapping,
    /// Importer subscriptions (and import targets) colliding with `local`.
    interest: Mutex<usize>,
}

impl StreamImport {
    /// A new import (not yet wired into either account).
    pub fn new(exporter: Arc<Account>, importer: Arc<Account>, subject: &str, mapping: LocalMapping) -> Arc<Self> {
        let local: Box<[u8]> = match &mapping {
            LocalMapping::Same => subject.as_bytes().into(),
            LocalMapping::Prefix(prefix) => [prefix.as_ref(), b".", subject.as_bytes()].concat().into(),
            // A `to` with `$N` placeholders may produce any token there: treat them as `*`.
            LocalMapping::To(to) => to
                .split(|&b| b == b'.')
                .map(|t| if t.starts_with(b"$") || t.starts_with(b"{{") { &b"*"[..] } else { t })
                .collect::<Vec<_>>()
                .join(&b'.')
                .into(),
        };
        Arc::new(StreamImport {
            exporter,
            importer,
            subject: subject.as_bytes().into(),
            local,
            mapping,
            interest: Mutex::new(0),
        })
    }

    /// One more interested subscription in the importer: the first puts the target into the
    /// exporter's index.
    pub(crate) fn add_interest(self: &Arc<Self>) {
        let mut interest = self.interest.lock();
        *interest += 1;
        if *interest == 1 {
            self.exporter.add_target(&self.subject, None, Target::StreamImport(Arc::clone(self)));
        }
    }

    /// One fewer: the last takes the target out again.
    pub(crate) fn remove_interest(self: &Arc<Self>) {
        let mut interest = self.interest.lock();
        *interest = interest.saturating_sub(1);
        if *interest == 0 {
            self.exporter.remove_target(&self.subject, None, &Target::StreamImport(Arc::clone(self)));
        }
    }

    /// Writes the importer's subject for a message published on `published`.
    pub(crate) fn local_subject(&self, published: &[u8], out: &mut SubjectBuffer) {
        match &self.mapping {
            LocalMapping::Same => out.push(published),
            LocalMapping::Prefix(prefix) => {
                out.push(prefix);
                out.push(b".");
                out.push(published);
            }
            LocalMapping::To(to) => map_onto(&self.subject, published, to, out),
        }
    }
}

/// Rewrites `published` (which matched `filter`) onto the `to` template.
fn map_onto(filter: &[u8], published: &[u8], to: &[u8], out: &mut SubjectBuffer) {
    // The published tokens that stood where the filter has wildcards, in order; a `>` takes
    // the rest of the subject as one piece.
    let mut captured: [&[u8]; 16] = [&[]; 16];
    let mut count = 0;
    let mut rest = published;
    for token in filter.split(|&b| b == b'.') {
        let (head, tail) = match memchr_dot(rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        if token == b">" {
            if count < captured.len() {
                captured[count] = rest;
                count += 1;
            }
            break;
        }
        if token == b"*" && count < captured.len() {
            captured[count] = head;
            count += 1;
        }
        rest = tail;
    }
    let mut next_wildcard = 0;
    for (i, token) in to.split(|&b| b == b'.').enumerate() {
        if i > 0 {
            out.push(b".");
        }
        let reference = placeholder_index(token);
        if token == b"*" || token == b">" {
            out.push(captured.get(next_wildcard).copied().unwrap_or(b"_"));
            next_wildcard += 1;
        } else if let Some(n) = reference {
            out.push(captured.get(n.wrapping_sub(1)).copied().filter(|_| n >= 1 && n <= count).unwrap_or(b"_"));
        } else {
            out.push(token);
        }
    }
}

/// `$N` or `{{wildcard(N)}}` (any case, spaces allowed inside the braces).
fn placeholder_index(token: &[u8]) -> Option<usize> {
    let digits: &[u8] = if let Some(d) = token.strip_prefix(b"$") {
        d
    } else {
        let inner = token.strip_prefix(b"{{")?.strip_suffix(b"}}")?;
        let inner = inner.trim_ascii();
        if inner.len() < 10 || !inner[..9].eq_ignore_ascii_case(b"wildcard(") {
            return None;
        }
        inner[9..].strip_suffix(b")")?.trim_ascii()
    };
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn memchr_dot(s: &[u8]) -> Option<usize> {
    s.iter().position(|&b| b == b'.')
}

/// A subject being built without touching the heap for the usual short ones.
pub(crate) struct SubjectBuffer {
    stack: [u8; 256],
    len: usize,
    heap: Vec<u8>,
}

impl SubjectBuffer {
    pub(crate) fn new() -> Self {
        SubjectBuffer { stack: [0; 256], len: 0, heap: Vec::new() }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        if self.heap.is_empty() && self.len + bytes.len() <= self.stack.len() {
            self.stack[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            if self.heap.is_empty() {
                self.heap.extend_from_slice(&self.stack[..self.len]);
            }
            self.heap.extend_from_slice(bytes);
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.stack[..self.len]
        } else {
            &self.heap
        }
    }
}

/// One configured service import: requests published in the importer on `local` go to the
/// exporter's responders on `subject`, with a reply subject routed back by [`crate::responses::Responses`].
pub struct ServiceImport {
    /// Where the responders are.
    pub exporter: Arc<Account>,
    /// Where the requesters are.
    pub importer: Arc<Account>,
    /// The exporter-side subject.
    pub subject: Box<[u8]>,
    /// The importer-side subject (`to`, or the subject).
    pub local: Box<[u8]>,
    /// Responses are a stream (or chunked): the reply map lives until the threshold passes
    /// without one. Otherwise the first response ends it.
    pub streamed: bool,
    /// How long a route waits for a (next) response.
    pub threshold: std::time::Duration,
}

impl ServiceImport {
    /// Writes the exporter's subject for a request published on `published`.
    pub(crate) fn exporter_subject(&self, published: &[u8], out: &mut SubjectBuffer) {
        if self.local.split(|&b| b == b'.').any(|t| t == b"*" || t == b">") {
            map_onto(&self.local, published, &self.subject, out);
        } else {
            out.push(&self.subject);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(filter: &str, published: &str, to: &str) -> String {
        let mut out = SubjectBuffer::new();
        map_onto(filter.as_bytes(), published.as_bytes(), to.as_bytes(), &mut out);
        String::from_utf8_lossy(out.as_bytes()).into_owned()
    }

    #[test]
    fn to_mappings() {
        assert_eq!(mapped("a.b", "a.b", "x.y"), "x.y");
        assert_eq!(mapped("a.*", "a.b", "x.*"), "x.b");
        assert_eq!(mapped("a.*.c.>", "a.1.c.d.e", "x.*.>"), "x.1.d.e");
        assert_eq!(mapped("a.*.*", "a.1.2", "x.$2.$1"), "x.2.1");
        assert_eq!(mapped("a.*", "a.1", "x.{{wildcard(1)}}"), "x.1");
    }

    #[test]
    fn long_subjects_spill_to_the_heap() {
        let mut out = SubjectBuffer::new();
        let long = vec![b'a'; 300];
        out.push(b"p.");
        out.push(&long);
        assert_eq!(out.as_bytes().len(), 302);
    }
}
