//! Items to a value tree, as nats-server's `conf/parse.go` builds its map: a stack of open
//! maps and arrays, a stack of keys waiting for their value, `$NAME` looked up in the open
//! maps (innermost first) and then in the environment, `include` parsed on the spot and its
//! keys added to the current map.
//!
//! Go stops at the first problem. Here a lexing error stops too (nothing sensible follows it),
//! but a value that does not convert, an unknown variable or a failed include is recorded and
//! parsing goes on, so one run reports them all. Passing the budget (`budget`) stops
//! everything.
//!
//! A variable's value is shared with the place that uses it (maps and arrays are reference
//! counted), so using a big value many times costs memory once; the budget still counts each
//! use, for whoever walks the result.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::budget::{Budget, Stats, Weight};
use crate::frame::{ArrayFrame, MapFrame};
use crate::include::{clean, include_path};
use crate::included::{Included, MAX_INCLUDE_DEPTH};
use crate::lexer::{Item, Kind, Lexer};
use crate::scalar;
use crate::value::{Entry, Error, Map, Pos, Spanned, Value};

/// Deepest nesting of maps and arrays (counting the top-level map as 0), including what
/// variables and includes bring in. Go has no limit; a limit keeps recursion over the tree
/// (drop, clone, comparisons) far from the stack's end.
pub(crate) const MAX_DEPTH: usize = 128;

/// Most include directives followed in one parse (each re-reads its file).
const MAX_INCLUDES: usize = 4096;

/// Deepest chain of environment variables whose values refer to other variables.
const MAX_ENV_DEPTH: usize = 32;

/// The environment lookup.
pub(crate) type EnvFn<'a> = &'a dyn Fn(&str) -> Option<String>;

/// How includes are read.
pub(crate) type ReadFn<'a> = &'a dyn Fn(&Path) -> std::io::Result<Vec<u8>>;

/// What one parse shares with the parses it starts (included files, environment values).
pub(crate) struct Session<'a> {
    env: EnvFn<'a>,
    read: ReadFn<'a>,
    /// Files being parsed, outermost first, as cleaned path text (cycle check).
    files: Vec<String>,
    includes_followed: usize,
    /// Environment variables being expanded (cycle check).
    env_names: Vec<String>,
    budget: Budget,
    /// Included files parsed so far (without errors), by path.
    parsed: HashMap<String, Arc<Included>>,
    /// Files included since the start, in order (each parse notes where it started).
    included_log: Vec<String>,
    /// The longest chain of files reached (for what a kept parse includes below itself).
    peak_chain: usize,
}

impl<'a> Session<'a> {
    /// A session for the top-level file `file`.
    pub fn new(file: &Path, env: EnvFn<'a>, read: ReadFn<'a>) -> Session<'a> {
        Session {
            env,
            read,
            files: vec![clean(&file.to_string_lossy())],
            includes_followed: 0,
            env_names: Vec::new(),
            budget: Budget::default(),
            parsed: HashMap::new(),
            included_log: Vec::new(),
            peak_chain: 1,
        }
    }

    /// What the parse built so far.
    pub fn stats(&self) -> Stats {
        self.budget.used
    }
}

/// Parses `input` (the contents of `file`) whose top-level map sits at nesting `base_depth`.
/// Returns the top-level entries with their weights and every error found; the entries are
/// meaningful only without errors.
pub(crate) fn parse(
    input: &[u8],
    file: Arc<PathBuf>,
    base_depth: usize,
    session: &mut Session<'_>,
) -> (Vec<(Entry, Weight)>, Vec<Error>) {
    let mut parser = Parser {
        file,
        frames: vec![Frame::Map(MapFrame::default())],
        keys: Vec::new(),
        errors: Vec::new(),
        base_depth,
        session,
        changes: 0,
        last_include: None,
    };
    if let Err(message) = parser.session.budget.charge_bytes(input.len() as u64) {
        parser.errors.push(Error { pos: None, message });
    } else {
        let mut lexer = Lexer::new(input);
        while parser.process(lexer.next_item()) {}
    }
    let entries = match parser.frames.into_iter().next() {
        Some(Frame::Map(map)) => map.into_entries().collect(),
        _ => Vec::new(),
    };
    (entries, parser.errors)
}

/// The top-level entries as a map.
pub(crate) fn into_map(entries: Vec<(Entry, Weight)>) -> Map {
    Map { entries: entries.into_iter().map(|(entry, _)| entry).collect() }
}

/// An open map or array.
enum Frame {
    Map(MapFrame),
    Array(ArrayFrame),
}

struct Parser<'s, 'a> {
    file: Arc<PathBuf>,
    frames: Vec<Frame>,
    keys: Vec<(String, Pos)>,
    errors: Vec<Error>,
    base_depth: usize,
    session: &'s mut Session<'a>,
    /// Counts every value set and every variable used: a repeated include is a no-op only
    /// if nothing happened since the last one.
    changes: u64,
    /// The last include: the frame it went into, the parse, and `changes` after it.
    last_include: Option<(usize, Arc<Included>, u64)>,
}

impl Parser<'_, '_> {
    fn pos(&self, item: &Item) -> Pos {
        Pos { file: Arc::clone(&self.file), line: item.line, column: item.column() }
    }

    fn error(&mut self, pos: Pos, message: String) {
        self.errors.push(Error { pos: Some(pos), message });
    }

    /// Nesting of the innermost open map or array.
    fn depth(&self) -> usize {
        self.base_depth + self.frames.len().saturating_sub(1)
    }

    /// Handles one item; false when parsing must stop.
    fn process(&mut self, item: Item) -> bool {
        let pos = self.pos(&item);
        match item.kind {
            Kind::Eof => return false,
            Kind::Error => {
                // nats-server's own words: launchers (client test suites) look for them.
                let reason = String::from_utf8_lossy(&item.val);
                self.error(pos, format!("Parse error on line {}: '{reason}'", item.line));
                return false;
            }
            Kind::Text | Kind::CommentStart => {}
            Kind::Key => self.keys.push((text(&item.val), pos)),
            Kind::MapStart | Kind::ArrayStart => {
                if self.depth() >= MAX_DEPTH {
                    self.error(pos, format!("maps and arrays nested deeper than {MAX_DEPTH} levels"));
                    return false;
                }
                let frame = if item.kind == Kind::MapStart {
                    Frame::Map(MapFrame::default())
                } else {
                    Frame::Array(ArrayFrame::default())
                };
                self.frames.push(frame);
            }
            Kind::MapEnd | Kind::ArrayEnd => {
                let (value, weight) = match (self.frames.len() > 1).then(|| self.frames.pop()).flatten() {
                    Some(Frame::Map(map)) => {
                        let (map, weight) = map.finish();
                        (Value::Map(Arc::new(map)), weight)
                    }
                    Some(Frame::Array(array)) => {
                        let (values, weight) = array.finish();
                        (Value::Array(Arc::new(values)), weight)
                    }
                    None => {
                        self.error(pos, "internal error: end of a map or array that was not started".to_string());
                        return false;
                    }
                };
                // The map or array itself; what it holds was counted as it was set.
                if !self.charged(Weight { values: 1, bytes: 0, depth: 0 }, &pos) {
                    return false;
                }
                self.set_value(Spanned { value, pos }, weight);
            }
            Kind::String => return self.scalar(pos, Ok(Value::String(text(&item.val)))),
            Kind::Integer => return self.scalar(pos, scalar::integer(&item.val).map(Value::Integer)),
            Kind::Float => return self.scalar(pos, scalar::float(&item.val).map(Value::Float)),
            Kind::Bool => return self.scalar(pos, scalar::boolean(&item.val).map(Value::Bool)),
            Kind::Datetime => return self.scalar(pos, scalar::datetime(&item.val).map(Value::DateTime)),
            Kind::Variable => return self.variable(&text(&item.val), pos),
            Kind::Include => return self.include(&text(&item.val), pos),
        }
        true
    }

    /// Counts `weight` against the budget; false (with the error recorded) once it is spent.
    fn charged(&mut self, weight: Weight, pos: &Pos) -> bool {
        match self.session.budget.charge(weight) {
            Ok(()) => true,
            Err(message) => {
                self.error(pos.clone(), message);
                false
            }
        }
    }

    /// Sets a converted value, or records why it did not convert (and sets a placeholder so
    /// the keys stay paired with their values). A literal's bytes were counted when read.
    fn scalar(&mut self, pos: Pos, value: Result<Value, String>) -> bool {
        let value = value.unwrap_or_else(|message| {
            self.error(pos.clone(), message);
            Value::String(String::new())
        });
        let weight = Weight::scalar(&value);
        if !self.charged(Weight { values: 1, bytes: 0, depth: 0 }, &pos) {
            return false;
        }
        self.set_value(Spanned { value, pos }, weight);
        true
    }

    /// Go's `setValue`: appended to an open array, or paired with the last pending key in an
    /// open map (replacing an earlier entry with the same key). Returns the map entry made,
    /// if any.
    fn set_value(&mut self, value: Spanned, weight: Weight) -> Placed<'_> {
        self.changes += 1;
        let key = match self.frames.last() {
            Some(Frame::Map(_)) => match self.keys.pop() {
                Some(key) => Some(key),
                None => {
                    self.error(value.pos, "internal error: a value without a key".to_string());
                    return Placed::Nowhere;
                }
            },
            _ => None,
        };
        match self.frames.last_mut() {
            Some(Frame::Array(array)) => {
                array.push(value, weight);
                Placed::InArray
            }
            Some(Frame::Map(map)) => {
                let Some((key, key_pos)) = key else { return Placed::Nowhere };
                self.session.budget.map_entries(map.held() + 1);
                match map.insert(Entry { key, key_pos, value, used_as_variable: false }, weight) {
                    Some(entry) => Placed::InMap(entry),
                    None => Placed::Nowhere,
                }
            }
            None => Placed::Nowhere,
        }
    }

    /// `$NAME`; false when the budget is spent.
    fn variable(&mut self, name: &str, pos: Pos) -> bool {
        let (value, weight) = match self.lookup(name, &pos) {
            Ok(Some(found)) => found,
            Ok(None) => {
                self.error(pos.clone(), format!("variable reference for '{name}' can not be found"));
                (Value::String(String::new()), Weight::default())
            }
            Err(message) => {
                self.error(pos.clone(), message);
                if self.session.budget.exhausted() {
                    return false;
                }
                (Value::String(String::new()), Weight::default())
            }
        };
        self.set_value(Spanned { value, pos }, weight);
        true
    }

    /// Go's `lookupVariable`: a bcrypt hash (`$2a$...`) is itself; then the open maps, the
    /// innermost first (keys set so far, exact case), marking the entry found as used; then
    /// the environment, whose value is parsed as a config value. The value found is shared,
    /// and counted against the budget as a copy.
    fn lookup(&mut self, name: &str, pos: &Pos) -> Result<Option<(Value, Weight)>, String> {
        if name.starts_with("2a$") {
            let value = Value::String(format!("${name}"));
            let weight = Weight::scalar(&value);
            self.session.budget.charge_values(1)?;
            return Ok(Some((value, weight)));
        }
        self.changes += 1;
        let found = self.frames.iter_mut().rev().find_map(|frame| match frame {
            Frame::Map(map) => map.lookup(name).map(|(entry, weight)| {
                entry.used_as_variable = true;
                (entry.value.value.clone(), weight)
            }),
            Frame::Array(_) => None,
        });
        if let Some((value, weight)) = found {
            self.check_copy(name, weight)?;
            return Ok(Some((value, weight)));
        }
        let Some(text) = (self.session.env)(name) else { return Ok(None) };
        self.env_value(name, &text, pos)
    }

    /// Checks that a copy of a value of `weight` fits where it goes, and counts it.
    fn check_copy(&mut self, name: &str, weight: Weight) -> Result<(), String> {
        if self.depth() + weight.depth > MAX_DEPTH {
            return Err(format!(
                "variable reference for '{name}' nests maps and arrays deeper than {MAX_DEPTH} levels"
            ));
        }
        self.session.budget.charge(weight)
    }

    /// An environment variable's value, parsed as nats-server does: `pk=<value>` through a
    /// fresh parser (which sees the environment but not this file's keys). That parse counts
    /// what it builds.
    fn env_value(&mut self, name: &str, text: &str, pos: &Pos) -> Result<Option<(Value, Weight)>, String> {
        if self.session.env_names.iter().any(|n| n == name) {
            let chain = self.session.env_names.join("' -> '");
            return Err(format!("variable reference cycle through the environment: '{chain}' -> '{name}'"));
        }
        if self.session.env_names.len() >= MAX_ENV_DEPTH {
            return Err(format!(
                "variable reference for '{name}': environment variables nest deeper than {MAX_ENV_DEPTH}"
            ));
        }
        let source = format!("pk={text}");
        self.session.env_names.push(name.to_string());
        let (entries, errors) = parse(source.as_bytes(), Arc::new(PathBuf::new()), self.depth(), self.session);
        self.session.env_names.pop();
        if let Some(first) = errors.first() {
            return Err(format!("variable reference for '{name}' could not be parsed: {}", first.message));
        }
        let Some((entry, weight)) = entries.into_iter().rev().find(|(e, _)| e.key == "pk") else { return Ok(None) };
        if self.depth() + weight.depth > MAX_DEPTH {
            return Err(format!(
                "variable reference for '{name}' nests maps and arrays deeper than {MAX_DEPTH} levels"
            ));
        }
        let mut value = entry.value.value;
        restamp(&mut value, pos);
        Ok(Some((value, weight)))
    }

    /// `include <target>`: adds the file's keys to the current map (a key set before is
    /// replaced). False when the budget is spent.
    fn include(&mut self, target: &str, pos: Pos) -> bool {
        let path = include_path(&self.file, target);
        let shown = path.to_string_lossy().into_owned();
        if self.session.files.contains(&shown) {
            let chain = self.session.files.join("' -> '");
            self.error(pos, format!("error parsing include file '{target}', include cycle: '{chain}' -> '{shown}'"));
            return true;
        }
        if self.session.files.len() > MAX_INCLUDE_DEPTH {
            let message =
                format!("error parsing include file '{target}', includes nest deeper than {MAX_INCLUDE_DEPTH}");
            self.error(pos, message);
            return true;
        }
        if self.session.includes_followed >= MAX_INCLUDES {
            self.error(pos, format!("error parsing include file '{target}', more than {MAX_INCLUDES} includes"));
            return true;
        }
        self.session.includes_followed += 1;
        let kept = self.session.parsed.get(&shown).filter(|kept| kept.fits(&self.session.files, self.depth()));
        let included = match kept {
            Some(kept) => Arc::clone(kept),
            None => match self.parse_include(target, path, &shown, &pos) {
                Some(included) => included,
                None => return !self.session.budget.exhausted(),
            },
        };
        let session = &mut *self.session;
        session.peak_chain = session.peak_chain.max(session.files.len() + 1 + included.chain_below);
        session.included_log.push(shown);
        session.included_log.extend(included.files.iter().cloned());
        let frame = self.frames.len() - 1;
        if let Some((last_frame, last, changes)) = &self.last_include {
            if *last_frame == frame && Arc::ptr_eq(last, &included) && *changes == self.changes {
                // The same keys again, already last and in order: nothing changes.
                return self.charged(Weight { values: 1, bytes: 0, depth: 0 }, &pos);
            }
        }
        if let Err(message) = self.session.budget.charge_included_keys(included.entries.len() as u64) {
            self.error(pos, message);
            return false;
        }
        for (entry, weight) in &included.entries {
            if !self.charged(*weight, &pos) {
                return false;
            }
            self.keys.push((entry.key.clone(), entry.key_pos.clone()));
            if let Placed::InMap(added) = self.set_value(entry.value.clone(), *weight) {
                added.used_as_variable = entry.used_as_variable;
            }
        }
        self.last_include = Some((frame, included, self.changes));
        true
    }

    /// Reads and parses an included file, keeps the parse when it has no errors, and records
    /// its errors (wrapped as nats-server wraps them, so its whole message is part of ours).
    fn parse_include(&mut self, target: &str, path: PathBuf, shown: &str, pos: &Pos) -> Option<Arc<Included>> {
        let data = match (self.session.read)(&path) {
            Ok(data) => data,
            Err(e) => {
                self.error(
                    pos.clone(),
                    format!("error parsing include file '{target}', open {shown}: {}", crate::go_os_error(&e)),
                );
                return None;
            }
        };
        let session = &mut *self.session;
        session.files.push(shown.to_string());
        let log_start = session.included_log.len();
        let outer_peak = std::mem::replace(&mut session.peak_chain, session.files.len());
        let (entries, errors) = parse(&data, Arc::new(path), self.depth(), self.session);
        let session = &mut *self.session;
        let chain_below = session.peak_chain - session.files.len();
        session.peak_chain = session.peak_chain.max(outer_peak);
        session.files.pop();
        if !errors.is_empty() {
            self.errors.extend(errors.into_iter().map(|e| Error {
                message: format!("error parsing include file '{target}', {}", e.message),
                pos: e.pos.or_else(|| Some(pos.clone())),
            }));
            return None;
        }
        let files = session.included_log[log_start..].to_vec();
        let included = Arc::new(Included::new(entries, files, chain_below));
        session.parsed.insert(shown.to_string(), Arc::clone(&included));
        Some(included)
    }
}

/// Where [`Parser::set_value`] put a value.
enum Placed<'e> {
    InMap(&'e mut Entry),
    InArray,
    Nowhere,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Gives every key and value inside `value` the position `pos` (an environment variable's
/// value has no place in a file; nats-server reports it at the reference).
/// Shared parts are copied on the way (each use was counted against the budget already).
fn restamp(value: &mut Value, pos: &Pos) {
    match value {
        Value::Map(map) => {
            for entry in &mut Arc::make_mut(map).entries {
                entry.key_pos = pos.clone();
                entry.value.pos = pos.clone();
                restamp(&mut entry.value.value, pos);
            }
        }
        Value::Array(values) => {
            for v in Arc::make_mut(values) {
                v.pos = pos.clone();
                restamp(&mut v.value, pos);
            }
        }
        _ => {}
    }
}
