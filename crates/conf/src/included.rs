//! Included files are parsed once per parse and their result shared by every `include` of
//! the same file (nats-server reads the file again each time; the keys are the same). Only a
//! parse without errors is kept, and only where it would come out the same: where the file
//! would not close an include cycle or go too deep. Anywhere else the file is parsed again,
//! which reports the problem at its place.

use crate::budget::Weight;
use crate::value::Entry;

/// Deepest chain of files including files.
pub(crate) const MAX_INCLUDE_DEPTH: usize = 32;

/// A file's parse, ready to be added to any map.
pub(crate) struct Included {
    /// Its top-level entries, with what each weighs.
    pub entries: Vec<(Entry, Weight)>,
    /// Every file it includes, directly or not.
    pub files: Vec<String>,
    /// How many files deep its own includes go.
    pub chain_below: usize,
    /// The deepest nesting of maps and arrays among its values.
    pub deepest: usize,
}

impl Included {
    /// A parse of `entries` that included `files` (in any order, repeated), `chain_below` deep.
    pub fn new(entries: Vec<(Entry, Weight)>, mut files: Vec<String>, chain_below: usize) -> Included {
        files.sort_unstable();
        files.dedup();
        let deepest = entries.iter().map(|(_, weight)| weight.depth).max().unwrap_or(0);
        Included { entries, files, chain_below, deepest }
    }

    /// Whether this parse stands for the file included from within `chain` (the files being
    /// parsed, which do not include this one) into a map `depth` deep.
    pub fn fits(&self, chain: &[String], depth: usize) -> bool {
        chain.len() + 1 + self.chain_below <= MAX_INCLUDE_DEPTH + 1
            && depth + self.deepest <= crate::parser::MAX_DEPTH
            && !self.files.iter().any(|f| chain.contains(f))
    }
}
