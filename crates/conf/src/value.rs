use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a key or value starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pos {
    /// The file it is in (as given, or joined onto the including file's folder).
    pub file: Arc<PathBuf>,
    /// 1-based line (for a string or block spanning lines, the line it ends on, as
    /// nats-server counts).
    pub line: usize,
    /// Column as nats-server reports it: counted from the newline that ends the previous
    /// line, so 0-based on line 1 and 1-based on the lines after. (A string with escapes is
    /// placed as far right as the escapes saved bytes, as nats-server does.)
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A parsed value. Maps and arrays are shared, not copied: every `$NAME` reference to one
/// points at the same allocation, so a value used many times costs memory once (cloning a
/// `Value` clones a reference count for them).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Quoted, block or bare string (durations like `"2m"` stay strings).
    String(String),
    /// Integer, with any size suffix applied (`1k` = 1000, `1kb` = `1ki` = 1024, ...).
    Integer(i64),
    /// Floating-point number.
    Float(f64),
    /// `true/false/yes/no/on/off`.
    Bool(bool),
    /// An ISO-8601 date-time such as `2016-05-04T18:53:41Z`, as written.
    DateTime(String),
    /// `[ ... ]`.
    Array(Arc<Vec<Spanned>>),
    /// `{ ... }` (and the top level of a file).
    Map(Arc<Map>),
}

/// A value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    /// The value.
    pub value: Value,
    /// Its position: where the value starts (a quoted string: after its quote; a variable's
    /// value: after the `$` of the reference), but for a map or array where nats-server puts
    /// it, just after its closing bracket. (nats-server reports a map entry's problems at
    /// its key.)
    pub pos: Pos,
}

/// One `key = value` of a map.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as written.
    pub key: String,
    /// Where the key starts (nats-server reports option errors at the key).
    pub key_pos: Pos,
    /// The value.
    pub value: Spanned,
    /// A `$NAME` reference elsewhere resolved to this entry. nats-server does not report such
    /// a key as an unknown field (it is a variable definition), so the parser must set this.
    pub used_as_variable: bool,
}

/// The entries of a map in file order. A key given again replaces the earlier entry, as in
/// nats-server's map (the parser keeps each exact key once, at the place of its last
/// occurrence); keys differing in case are different keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Map {
    /// Entries in file order.
    pub entries: Vec<Entry>,
}

impl Map {
    /// The last entry whose key equals `key` ignoring ASCII case (nats-server lower-cases
    /// option keys).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key.eq_ignore_ascii_case(key))
    }

    /// Entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }
}

/// A syntax error (or an include/variable problem), with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Position, when known.
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pos {
            Some(pos) => write!(f, "{pos}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
