//! A map or array being built. A key set again replaces the earlier entry, as nats-server's
//! map does, and the replaced slot is reclaimed before it could pile up: a file that sets the
//! same keys thousands of times (say, includes the same file) holds each key about once.

use std::collections::HashMap;

use crate::budget::Weight;
use crate::value::{Entry, Map, Spanned};

/// Replaced slots are compacted away once they outnumber the live ones (and this many).
const COMPACT_AFTER: usize = 64;

/// A map being built.
#[derive(Default)]
pub(crate) struct MapFrame {
    /// Entries in the order of their last setting; `None` where a later setting replaced one.
    slots: Vec<Option<(Entry, Weight)>>,
    /// Exact key to its live slot (also how variables are looked up).
    index: HashMap<String, usize>,
    replaced: usize,
}

impl MapFrame {
    /// Sets `key` (replacing an earlier setting, which moves to this place) and returns the
    /// entry for the caller to adjust.
    pub fn insert(&mut self, entry: Entry, weight: Weight) -> Option<&mut Entry> {
        let slot = self.slots.len();
        match self.index.get_mut(&entry.key) {
            Some(old) => {
                if let Some(replaced) = self.slots.get_mut(*old) {
                    *replaced = None;
                    self.replaced += 1;
                }
                *old = slot;
            }
            None => {
                self.index.insert(entry.key.clone(), slot);
            }
        }
        self.slots.push(Some((entry, weight)));
        if self.replaced >= COMPACT_AFTER && self.replaced > self.slots.len() / 2 {
            self.compact();
        }
        let last = self.slots.len() - 1;
        self.slots.get_mut(last).and_then(Option::as_mut).map(|(entry, _)| entry)
    }

    /// Slots held, replaced ones included.
    pub fn held(&self) -> usize {
        self.slots.len()
    }

    /// The live entry for exactly `key`, with its weight.
    pub fn lookup(&mut self, key: &str) -> Option<(&mut Entry, Weight)> {
        let slot = *self.index.get(key)?;
        self.slots.get_mut(slot)?.as_mut().map(|(entry, weight)| (entry, *weight))
    }

    /// The live entries in order, with their weights.
    pub fn into_entries(self) -> impl Iterator<Item = (Entry, Weight)> {
        self.slots.into_iter().flatten()
    }

    /// The finished map and its weight.
    pub fn finish(self) -> (Map, Weight) {
        let mut weight = Weight::default();
        let entries = self
            .into_entries()
            .map(|(entry, child)| {
                weight.add(child);
                entry
            })
            .collect();
        (Map { entries }, weight.enclosed())
    }

    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.replaced = 0;
        for (slot, live) in self.slots.iter().enumerate() {
            if let Some(indexed) = live.as_ref().and_then(|(entry, _)| self.index.get_mut(&entry.key)) {
                *indexed = slot;
            }
        }
    }
}

/// An array being built.
#[derive(Default)]
pub(crate) struct ArrayFrame {
    values: Vec<Spanned>,
    weight: Weight,
}

impl ArrayFrame {
    pub fn push(&mut self, value: Spanned, weight: Weight) {
        self.values.push(value);
        self.weight.add(weight);
    }

    /// The finished array and its weight.
    pub fn finish(self) -> (Vec<Spanned>, Weight) {
        (self.values, self.weight.enclosed())
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;
    use crate::value::{Pos, Value};

    fn entry(key: &str, n: i64) -> Entry {
        let pos = Pos { file: Arc::new(PathBuf::from("t.conf")), line: 1, column: 0 };
        Entry {
            key: key.to_string(),
            key_pos: pos.clone(),
            value: Spanned { value: Value::Integer(n), pos },
            used_as_variable: false,
        }
    }

    #[test]
    fn a_repeated_key_replaces_and_moves_to_its_last_place() {
        let mut frame = MapFrame::default();
        for (key, n) in [("a", 1), ("b", 2), ("a", 3), ("A", 4)] {
            frame.insert(entry(key, n), Weight { values: 1, bytes: 0, depth: 0 });
        }
        let (map, weight) = frame.finish();
        let got: Vec<(&str, &Value)> = map.entries.iter().map(|e| (e.key.as_str(), &e.value.value)).collect();
        assert_eq!(got, [("b", &Value::Integer(2)), ("a", &Value::Integer(3)), ("A", &Value::Integer(4))]);
        assert_eq!(weight, Weight { values: 4, bytes: 0, depth: 1 }, "replaced entries weigh nothing");
    }

    #[test]
    fn replaced_slots_do_not_pile_up() {
        let mut frame = MapFrame::default();
        let mut most = 0;
        for round in 0..1000 {
            for key in ["x", "y", "z"] {
                frame.insert(entry(key, round), Weight::default());
                most = most.max(frame.held());
            }
        }
        assert!(most <= 2 * COMPACT_AFTER + 3, "{most}");
        assert_eq!(frame.lookup("y").map(|(e, _)| e.value.value.clone()), Some(Value::Integer(999)));
        assert_eq!(frame.into_entries().count(), 3);
    }
}
