//! The NATS configuration format, syntax only: what nats-server's `conf` package accepts,
//! turned into a tree of [`Value`]s that each remember their file, line and column. What the
//! keys mean is the server's business (`rnats::options`).
//!
//! The rules are nats-server 2.9.10's, corner cases included (its lexer is reproduced state
//! for state):
//! - `key = value`, `key: value` or `key value`; keys bare, `"quoted"` or `'quoted'`;
//!   entries end at a newline, `,` or `;`; `#` and `//` start comments.
//! - Maps `{ ... }` and arrays `[ ... ]` nest; map entries are separated as above, array
//!   values by newlines or `,`. A `{` at the top level is skipped (a file may be wrapped in
//!   braces).
//! - Strings: `"double"` (escapes `\t \n \r \" \\ \xHH`), `'single'` (no escapes), bare
//!   (up to a blank, newline, `,`, `;`, `]` or `}`), and blocks: `(` up to a `)` alone on a
//!   line. Bare `true/false/yes/no/on/off` in any case are booleans.
//! - Numbers: integers with optional size suffix (`k m g t p e` = powers of 1000, followed by
//!   `b`, `i` or `ib` = powers of 1024, any case), floats `1.5`, ISO dates
//!   `2016-05-04T18:53:41Z`; something that starts like a number and goes on otherwise is a
//!   bare string (`4222abc`, `10s`, `1kx`); dotted quads are strings (`127.0.0.1:4222`).
//! - `$NAME`: the value of the key `NAME` set earlier in the current map or an enclosing one
//!   (innermost first, exact case), else the environment variable `NAME` parsed as a value.
//!   `$2a$...` (bcrypt) is a plain string. The value is shared, not copied.
//! - `include path` (bare or quoted, at the top level or in a map) adds the keys of
//!   `Dir(this file)/path`, which sees none of this file's variables.
//! - A key set again in the same map replaces the earlier setting, which moves to the later
//!   place (nats-server's map keeps the last value).
//!
//! What one parse may build is bounded ([`MAX_VALUES`], [`MAX_BYTES`], [`MAX_INCLUDED_KEYS`];
//! [`parse_str_with_stats`] tells what a parse counted): each use of a variable counts as a
//! copy of its value, because whoever walks the result visits it once per use.
//!
//! Positions are where nats-server puts them: line 1-based, column counted from the newline
//! before the line, which makes it 0-based on line 1 and 1-based after (see [`Pos`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod budget;
mod chars;
mod frame;
mod include;
mod included;
mod lexer;
mod parser;
mod scalar;
mod value;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use budget::{Stats, MAX_BYTES, MAX_INCLUDED_KEYS, MAX_VALUES};
pub use value::{Entry, Error, Map, Pos, Spanned, Value};

/// Parses the config file at `path`, following includes relative to its folder. Positions
/// name the file as given here, and included files as nats-server names them (the include
/// path joined onto this path's folder).
pub fn parse_file(path: &Path) -> Result<Map, Vec<Error>> {
    let data = include::read_file(path)
        .map_err(|e| vec![Error { pos: None, message: format!("error opening config file: {e}") }])?;
    parse_bytes(&data, path, &process_env, &include::read_file)
}

/// Parses `text` as the contents of the file `file` (used for positions and to resolve
/// includes), with the process environment for variables.
pub fn parse_str(text: &str, file: &Path) -> Result<Map, Vec<Error>> {
    parse_str_with_env(text, file, &process_env)
}

/// [`parse_str`] with `env` standing in for the environment.
pub fn parse_str_with_env(text: &str, file: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Map, Vec<Error>> {
    parse_str_with(text, file, env, &include::read_file)
}

/// [`parse_str_with_env`] with `read_include` standing in for the file system when following
/// `include` (it gets the path nats-server would open; tests and fuzzing use it).
pub fn parse_str_with(
    text: &str,
    file: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    read_include: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<Map, Vec<Error>> {
    parse_bytes(text.as_bytes(), file, env, read_include)
}

/// [`parse_str_with`], also telling what the parse built (whether it succeeded or not).
pub fn parse_str_with_stats(
    text: &str,
    file: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    read_include: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> (Result<Map, Vec<Error>>, Stats) {
    parse_counted(text.as_bytes(), file, env, read_include)
}

/// The deepest nesting of maps and arrays accepted (the top-level map is level 0).
pub const MAX_DEPTH: usize = parser::MAX_DEPTH;

fn parse_bytes(
    data: &[u8],
    file: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    read_include: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> Result<Map, Vec<Error>> {
    parse_counted(data, file, env, read_include).0
}

fn parse_counted(
    data: &[u8],
    file: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    read_include: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
) -> (Result<Map, Vec<Error>>, Stats) {
    let mut session = parser::Session::new(file, env, read_include);
    let (entries, errors) = parser::parse(data, Arc::new(PathBuf::from(file)), 0, &mut session);
    let result = if errors.is_empty() { Ok(parser::into_map(entries)) } else { Err(errors) };
    (result, session.stats())
}

/// The process environment, as Go's `os.LookupEnv` sees it (names with `=` or NUL never
/// match).
fn process_env(name: &str) -> Option<String> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return None;
    }
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
}

/// An operating-system error as Go prints it: the C library's text with a lower-case first
/// letter (`no such file or directory`), without Rust's `(os error N)` tail.
pub fn go_os_error(error: &std::io::Error) -> String {
    let text = match error.raw_os_error() {
        Some(code) => std::io::Error::from_raw_os_error(code).to_string().replace(&format!(" (os error {code})"), ""),
        None => error.to_string(),
    };
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}
