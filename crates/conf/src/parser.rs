//! Items to a value tree, as nats-server's `conf/parse.go` builds its map: a stack of open
//! maps and arrays, a stack of keys waiting for their value, `$NAME` looked up in the open
//! maps (innermost first) and then in the environment, `include` parsed on the spot and its
//! keys added to the current map.
//!
//! Go stops at the first problem. Here a lexing error stops too (nothing sensible follows it),
//! but a value that does not convert, an unknown variable or a failed include is recorded and
//! parsing goes on, so one run reports them all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::include::{clean, include_path};
use crate::lexer::{Item, Kind, Lexer};
use crate::scalar;
use crate::value::{Entry, Error, Map, Pos, Spanned, Value};

/// Deepest nesting of maps and arrays (counting the top-level map as 0), including what
/// variables and includes bring in. Go has no limit; a limit keeps recursion over the tree
/// (drop, clone, comparisons) far from the stack's end.
pub(crate) const MAX_DEPTH: usize = 128;

/// Deepest chain of files including files.
const MAX_INCLUDE_DEPTH: usize = 32;

/// Most include directives followed in one parse (each re-reads its file).
const MAX_INCLUDES: usize = 4096;

/// Deepest chain of environment variables whose values refer to other variables.
const MAX_ENV_DEPTH: usize = 32;

/// Most values (scalars, maps and arrays) that variable references may copy in one parse;
/// `b = [$a, $a, ...]`, `c = [$b, $b, ...]` would otherwise grow exponentially.
const MAX_COPIED_VALUES: usize = 1 << 20;

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
    copies_left: usize,
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
            copies_left: MAX_COPIED_VALUES,
        }
    }
}

/// Parses `input` (the contents of `file`) whose top-level map sits at nesting `base_depth`.
/// Returns the map and every error found; the map is meaningful only without errors.
pub(crate) fn parse(
    input: &[u8],
    file: Arc<PathBuf>,
    base_depth: usize,
    session: &mut Session<'_>,
) -> (Map, Vec<Error>) {
    let mut parser = Parser {
        file,
        frames: vec![Frame::Map { map: Map::default(), index: HashMap::new() }],
        keys: Vec::new(),
        errors: Vec::new(),
        base_depth,
        session,
    };
    let mut lexer = Lexer::new(input);
    loop {
        let item = lexer.next_item();
        if !parser.process(item) {
            break;
        }
    }
    let map = match parser.frames.into_iter().next() {
        Some(Frame::Map { map, .. }) => map,
        _ => Map::default(),
    };
    (map, parser.errors)
}

/// An open map or array.
enum Frame {
    Map {
        map: Map,
        /// Key to the index of its last entry, for variable lookups.
        index: HashMap<String, usize>,
    },
    Array(Vec<Spanned>),
}

struct Parser<'s, 'a> {
    file: Arc<PathBuf>,
    frames: Vec<Frame>,
    keys: Vec<(String, Pos)>,
    errors: Vec<Error>,
    base_depth: usize,
    session: &'s mut Session<'a>,
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
                    Frame::Map { map: Map::default(), index: HashMap::new() }
                } else {
                    Frame::Array(Vec::new())
                };
                self.frames.push(frame);
            }
            Kind::MapEnd | Kind::ArrayEnd => {
                let value = match (self.frames.len() > 1).then(|| self.frames.pop()).flatten() {
                    Some(Frame::Map { map, .. }) => Value::Map(map),
                    Some(Frame::Array(values)) => Value::Array(values),
                    None => {
                        self.error(pos, "internal error: end of a map or array that was not started".to_string());
                        return false;
                    }
                };
                self.set_value(Spanned { value, pos });
            }
            Kind::String => {
                self.set_value(Spanned { value: Value::String(text(&item.val)), pos });
            }
            Kind::Integer => self.convert(pos, scalar::integer(&item.val).map(Value::Integer)),
            Kind::Float => self.convert(pos, scalar::float(&item.val).map(Value::Float)),
            Kind::Bool => self.convert(pos, scalar::boolean(&item.val).map(Value::Bool)),
            Kind::Datetime => self.convert(pos, scalar::datetime(&item.val).map(Value::DateTime)),
            Kind::Variable => self.variable(&text(&item.val), pos),
            Kind::Include => self.include(&text(&item.val), pos),
        }
        true
    }

    /// Sets a converted value, or records why it did not convert (and sets a placeholder so
    /// the keys stay paired with their values).
    fn convert(&mut self, pos: Pos, value: Result<Value, String>) {
        let value = value.unwrap_or_else(|message| {
            self.error(pos.clone(), message);
            Value::String(String::new())
        });
        self.set_value(Spanned { value, pos });
    }

    /// Go's `setValue`: appended to an open array, or paired with the last pending key in an
    /// open map. Returns the map entry made, if any.
    fn set_value(&mut self, value: Spanned) -> Option<&mut Entry> {
        let key = match self.frames.last() {
            Some(Frame::Map { .. }) => match self.keys.pop() {
                Some(key) => Some(key),
                None => {
                    self.error(value.pos, "internal error: a value without a key".to_string());
                    return None;
                }
            },
            _ => None,
        };
        match self.frames.last_mut() {
            Some(Frame::Array(values)) => {
                values.push(value);
                None
            }
            Some(Frame::Map { map, index }) => {
                let (key, key_pos) = key?;
                index.insert(key.clone(), map.entries.len());
                map.entries.push(Entry { key, key_pos, value, used_as_variable: false });
                map.entries.last_mut()
            }
            None => None,
        }
    }

    fn variable(&mut self, name: &str, pos: Pos) {
        let value = match self.lookup(name, &pos) {
            Ok(Some(value)) => value,
            Ok(None) => {
                self.error(pos.clone(), format!("variable reference for '{name}' can not be found"));
                Value::String(String::new())
            }
            Err(message) => {
                self.error(pos.clone(), message);
                Value::String(String::new())
            }
        };
        self.set_value(Spanned { value, pos });
    }

    /// Go's `lookupVariable`: a bcrypt hash (`$2a$...`) is itself; then the open maps, the
    /// innermost first (keys set so far, exact case), marking the entry found as used; then
    /// the environment, whose value is parsed as a config value.
    fn lookup(&mut self, name: &str, pos: &Pos) -> Result<Option<Value>, String> {
        if name.starts_with("2a$") {
            return Ok(Some(Value::String(format!("${name}"))));
        }
        let found = self.frames.iter().enumerate().rev().find_map(|(f, frame)| match frame {
            Frame::Map { index, .. } => index.get(name).map(|&i| (f, i)),
            Frame::Array(_) => None,
        });
        if let Some((f, i)) = found {
            if let Some(Frame::Map { map, .. }) = self.frames.get(f) {
                if let Some(entry) = map.entries.get(i) {
                    let value = &entry.value.value;
                    let (depth, count) = (value_depth(value), value_count(value));
                    self.check_copy(name, depth, count)?;
                }
            }
            if let Some(Frame::Map { map, .. }) = self.frames.get_mut(f) {
                if let Some(entry) = map.entries.get_mut(i) {
                    entry.used_as_variable = true;
                    return Ok(Some(entry.value.value.clone()));
                }
            }
        }
        let Some(text) = (self.session.env)(name) else { return Ok(None) };
        self.env_value(name, &text, pos)
    }

    /// Checks that a copy of a value `depth` deep made of `count` values fits the limits, and
    /// charges it.
    fn check_copy(&mut self, name: &str, depth: usize, count: usize) -> Result<(), String> {
        if self.depth() + depth > MAX_DEPTH {
            return Err(format!(
                "variable reference for '{name}' nests maps and arrays deeper than {MAX_DEPTH} levels"
            ));
        }
        if count > self.session.copies_left {
            return Err(format!(
                "variable reference for '{name}': variables copy more than {MAX_COPIED_VALUES} values in all"
            ));
        }
        self.session.copies_left -= count;
        Ok(())
    }

    /// An environment variable's value, parsed as nats-server does: `pk=<value>` through a
    /// fresh parser (which sees the environment but not this file's keys).
    fn env_value(&mut self, name: &str, text: &str, pos: &Pos) -> Result<Option<Value>, String> {
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
        let (map, errors) = parse(source.as_bytes(), Arc::new(PathBuf::new()), self.depth(), self.session);
        self.session.env_names.pop();
        if let Some(first) = errors.first() {
            return Err(format!("variable reference for '{name}' could not be parsed: {}", first.message));
        }
        let Some(entry) = map.entries.into_iter().rev().find(|e| e.key == "pk") else { return Ok(None) };
        let mut value = entry.value.value;
        self.check_copy(name, value_depth(&value), value_count(&value))?;
        restamp(&mut value, pos);
        Ok(Some(value))
    }

    /// `include <target>`: parses the file and adds its keys to the current map.
    fn include(&mut self, target: &str, pos: Pos) {
        let path = include_path(&self.file, target);
        let shown = path.to_string_lossy().into_owned();
        if self.session.files.contains(&shown) {
            let chain = self.session.files.join("' -> '");
            return self
                .error(pos, format!("error parsing include file '{target}', include cycle: '{chain}' -> '{shown}'"));
        }
        if self.session.files.len() > MAX_INCLUDE_DEPTH {
            return self.error(
                pos,
                format!("error parsing include file '{target}', includes nest deeper than {MAX_INCLUDE_DEPTH}"),
            );
        }
        if self.session.includes_followed >= MAX_INCLUDES {
            return self
                .error(pos, format!("error parsing include file '{target}', more than {MAX_INCLUDES} includes"));
        }
        self.session.includes_followed += 1;
        let data = match (self.session.read)(&path) {
            Ok(data) => data,
            Err(e) => return self.error(pos, format!("error parsing include file '{target}', open {shown}: {e}")),
        };
        self.session.files.push(shown);
        let (map, errors) = parse(&data, Arc::new(path), self.depth(), self.session);
        self.session.files.pop();
        // Wrapped as nats-server wraps them, so its whole message is part of ours.
        self.errors.extend(
            errors
                .into_iter()
                .map(|e| Error { message: format!("error parsing include file '{target}', {}", e.message), ..e }),
        );
        for entry in map.entries {
            let used = entry.used_as_variable;
            self.keys.push((entry.key, entry.key_pos));
            if let Some(added) = self.set_value(entry.value) {
                added.used_as_variable = used;
            }
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// How many levels of maps and arrays `value` holds (a scalar: 0).
fn value_depth(value: &Value) -> usize {
    match value {
        Value::Map(map) => 1 + map.entries.iter().map(|e| value_depth(&e.value.value)).max().unwrap_or(0),
        Value::Array(values) => 1 + values.iter().map(|v| value_depth(&v.value)).max().unwrap_or(0),
        _ => 0,
    }
}

/// How many values `value` is made of, itself included.
fn value_count(value: &Value) -> usize {
    match value {
        Value::Map(map) => 1 + map.entries.iter().map(|e| value_count(&e.value.value)).sum::<usize>(),
        Value::Array(values) => 1 + values.iter().map(|v| value_count(&v.value)).sum::<usize>(),
        _ => 1,
    }
}

/// Gives every key and value inside `value` the position `pos` (an environment variable's
/// value has no place in a file; nats-server reports it at the reference).
fn restamp(value: &mut Value, pos: &Pos) {
    match value {
        Value::Map(map) => {
            for entry in &mut map.entries {
                entry.key_pos = pos.clone();
                entry.value.pos = pos.clone();
                restamp(&mut entry.value.value, pos);
            }
        }
        Value::Array(values) => {
            for v in values {
                v.pos = pos.clone();
                restamp(&mut v.value, pos);
            }
        }
        _ => {}
    }
}
