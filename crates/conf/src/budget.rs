//! How much one parse may build. Variables share their value rather than copy it, so memory
//! follows what is written; but whoever walks the result (the server's options) visits a
//! shared value once per use. The budget therefore counts each use of a variable as a copy of
//! its value, and every byte read (the file, each include again, environment values): a
//! `b = [$a, $a, ...]`, `c = [$b, $b, ...]` chain or a file included thousands of times stops
//! early with an error instead of growing without end. 12 000 users that each use a
//! 200-subject permissions variable count about 2.5 million values, far below the limit.
//! Keys that includes set are counted apart: the same file included again right after itself
//! costs nothing, but interleaved with other keys every include sets all its keys again.

use crate::value::Value;

/// Most values one parse may build, each use of a variable counting its value again.
pub const MAX_VALUES: u64 = 1 << 24;

/// Most bytes one parse may read (every file and include each time it is read, environment
/// values) plus the string bytes that uses of variables count again.
pub const MAX_BYTES: u64 = 1 << 28;

/// Most keys includes may set, in all: each include sets its file's keys again, except right
/// after an include of the same file (then nothing changes). Real files have tens or
/// thousands of top-level keys; the same big file included thousands of times with something
/// between stops here, before the work grows.
pub const MAX_INCLUDED_KEYS: u64 = 1 << 20;

/// What a value costs whoever walks it: how many values it is made of (itself included), the
/// bytes of its strings, and how many levels of maps and arrays it holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Weight {
    pub values: u64,
    pub bytes: u64,
    pub depth: usize,
}

impl Weight {
    /// A string, number, boolean or date.
    pub fn scalar(value: &Value) -> Weight {
        let bytes = match value {
            Value::String(s) | Value::DateTime(s) => s.len() as u64,
            _ => 0,
        };
        Weight { values: 1, bytes, depth: 0 }
    }

    /// Adds a child of a map or array being built.
    pub fn add(&mut self, child: Weight) {
        self.values = self.values.saturating_add(child.values);
        self.bytes = self.bytes.saturating_add(child.bytes);
        self.depth = self.depth.max(child.depth);
    }

    /// The map or array whose children add up to `self`.
    pub fn enclosed(self) -> Weight {
        Weight { values: self.values.saturating_add(1), bytes: self.bytes, depth: self.depth + 1 }
    }
}

/// What one parse built, counted the way [`MAX_VALUES`] and [`MAX_BYTES`] count it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Values built, each use of a variable counting its value again.
    pub values: u64,
    /// Bytes read, and string bytes counted again by uses of variables.
    pub bytes: u64,
    /// Keys set by includes.
    pub included_keys: u64,
    /// The most entries (live ones and ones a repeated key replaced, not yet dropped) any one
    /// map held at once: memory for a map stays within twice its distinct keys.
    pub peak_map_entries: usize,
}

/// The running count of a parse.
#[derive(Debug, Default)]
pub(crate) struct Budget {
    pub used: Stats,
    exhausted: bool,
}

impl Budget {
    /// Counts `weight` (values and bytes); an error once a limit is passed.
    pub fn charge(&mut self, weight: Weight) -> Result<(), String> {
        self.charge_values(weight.values)?;
        self.charge_bytes(weight.bytes)
    }

    /// Counts values built.
    pub fn charge_values(&mut self, values: u64) -> Result<(), String> {
        let what = "values (each use of a variable counts its value again)";
        self.count(|used| &mut used.values, values, MAX_VALUES, what)
    }

    /// Counts bytes read or copied.
    pub fn charge_bytes(&mut self, bytes: u64) -> Result<(), String> {
        let what = "bytes read (each include counts again) or copied by variables";
        self.count(|used| &mut used.bytes, bytes, MAX_BYTES, what)
    }

    /// Counts keys an include sets.
    pub fn charge_included_keys(&mut self, keys: u64) -> Result<(), String> {
        self.count(|used| &mut used.included_keys, keys, MAX_INCLUDED_KEYS, "keys set by includes")
    }

    fn count(&mut self, counter: fn(&mut Stats) -> &mut u64, add: u64, max: u64, what: &str) -> Result<(), String> {
        let total = counter(&mut self.used);
        *total = total.saturating_add(add);
        if *total > max {
            self.exhausted = true;
            return Err(format!("configuration too large: more than {max} {what}"));
        }
        Ok(())
    }

    /// Notes a map's size.
    pub fn map_entries(&mut self, held: usize) {
        self.used.peak_map_entries = self.used.peak_map_entries.max(held);
    }

    /// Whether a limit was passed: the whole parse stops.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }
}
