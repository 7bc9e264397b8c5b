//! What every section parser shares: the error and warning collector, typed access to values
//! with nats-server's messages for a wrong type, and Go's formatting of values.

use std::collections::HashSet;
use std::fmt::Write as _;

use rnats_conf::{Entry, Map, Pos, Spanned, Value};

use super::ConfigError;

/// nats-server turns a wrong value type into a recovered panic: the error is recorded and the
/// rest of the enclosing section is skipped. `Err(Abort)` is that: the error is already in
/// [`Ctx::errors`], the caller stops the section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Abort;

/// The result of a step that may abort its section.
pub(crate) type Step<T> = Result<T, Abort>;

/// A value and the position nats-server reports for it: the key's position for a map entry
/// (nats-server moves a value's token to its key), the value's own for an array element.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    /// Where errors about this value point.
    pub pos: &'a Pos,
    /// The value.
    pub value: &'a Value,
}

impl<'a> Item<'a> {
    /// The value of a map entry, reported at its key.
    pub fn entry(entry: &'a Entry) -> Self {
        Item { pos: &entry.key_pos, value: &entry.value.value }
    }

    /// An array element, reported where it starts.
    pub fn element(element: &'a Spanned) -> Self {
        Item { pos: &element.pos, value: &element.value }
    }
}

/// Top-level keys that protect the server: ignoring one would leave it open or unencrypted.
const SECURITY_KEYS: &[&str] = &["operator", "operators", "trusted", "trusted_keys", "resolver", "resolver_preload"];

/// How a plain field of a section is checked (the value's type, as nats-server asserts it).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// A string.
    Str,
    /// An integer.
    Int,
    /// `host:port` or a port (errors are reported, the section goes on).
    Listen,
}

/// The listener fields of every section with a port of its own (cluster, gateway, leafnodes,
/// websocket, mqtt).
pub(crate) const LISTENER: &[(&str, Shape)] =
    &[("listen", Shape::Listen), ("port", Shape::Int), ("host", Shape::Str), ("net", Shape::Str)];

/// Checks `key` if one of `tables` lists it: `Some(step)` (an aborted step ends the section),
/// or `None` for a key the caller handles itself.
pub(crate) fn plain_field(ctx: &mut Ctx, tables: &[&[(&str, Shape)]], key: &str, item: Item<'_>) -> Option<Step<()>> {
    let shape = tables.iter().flat_map(|t| t.iter()).find(|(name, _)| *name == key)?.1;
    Some(match shape {
        Shape::Str => ctx.str(item).map(drop),
        Shape::Int => ctx.int(item).map(drop),
        Shape::Listen => {
            let _ = super::listen::listen_item(ctx, item);
            Ok(())
        }
    })
}

/// Users defined so far (top-level `authorization` and `accounts`), for nats-server's
/// cross-checks between the two.
#[derive(Debug, Default)]
pub(crate) struct UserRegistry {
    /// `authorization` has a single user (or password).
    pub single_user: bool,
    /// `authorization` has a token.
    pub token: bool,
    /// User names seen.
    pub names: HashSet<String>,
    /// User nkeys seen.
    pub nkeys: HashSet<String>,
}

impl UserRegistry {
    /// Whether any users array defined a user.
    pub fn has_users(&self) -> bool {
        !self.names.is_empty() || !self.nkeys.is_empty()
    }
}

/// Collects everything a configuration says is wrong, in processing order.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    /// Errors: the configuration is rejected.
    pub errors: Vec<ConfigError>,
    /// What nats-server itself reports as warnings ("invalid use of field"); it prints them
    /// before the errors.
    pub go_warnings: Vec<ConfigError>,
    /// rnats's own warnings (settings it does not act on).
    pub notes: Vec<String>,
    /// Security settings rnats cannot enforce yet (TLS, users, permissions, accounts, operator
    /// mode): the server refuses to run with them rather than run open.
    pub security_gaps: Vec<String>,
    /// Users for the authorization/accounts cross-checks.
    pub users: UserRegistry,
    /// `store_dir` was set (top level or in `jetstream`).
    pub store_dir_set: bool,
    /// Where relative file names (TLS files) are looked up: nats-server's working folder.
    pub base_dir: std::path::PathBuf,
    /// What the start checks need to know (`validate`).
    pub facts: super::facts::Facts,
    /// Permissions blocks read so far, by the address of the (shared) map they came from.
    pub shared_permissions: std::collections::HashMap<usize, std::sync::Arc<super::PermissionsConfig>>,
}

impl Ctx {
    /// Records an error at `pos`.
    pub fn error(&mut self, pos: &Pos, message: impl Into<String>) {
        self.errors.push(ConfigError { pos: Some(pos.clone()), message: message.into() });
    }

    /// Records an error nats-server reports without a position.
    pub fn error_unplaced(&mut self, message: impl Into<String>) {
        self.errors.push(ConfigError { pos: None, message: message.into() });
    }

    /// Records an error and aborts the section (for errors nats-server returns from a section
    /// parser).
    pub fn fail<T>(&mut self, pos: &Pos, message: impl Into<String>) -> Step<T> {
        self.error(pos, message);
        Err(Abort)
    }

    /// Records an error nats-server reports without a position, and aborts the section.
    pub fn fail_unplaced<T>(&mut self, message: impl Into<String>) -> Step<T> {
        self.error_unplaced(message);
        Err(Abort)
    }

    /// `unknown field "key"`, unless the entry is a variable definition used elsewhere.
    pub fn unknown_field(&mut self, entry: &Entry) {
        if !entry.used_as_variable {
            self.error(&entry.key_pos, format!("unknown field {:?}", entry.key));
        }
    }

    /// A warning nats-server gives: `invalid use of field "field": reason`.
    pub fn go_warning(&mut self, pos: &Pos, field: &str, reason: impl std::fmt::Display) {
        self.go_warnings
            .push(ConfigError { pos: Some(pos.clone()), message: format!("invalid use of field {field:?}: {reason}") });
    }

    /// rnats's warning for a setting it accepts but does not act on.
    pub fn note(&mut self, pos: &Pos, message: impl std::fmt::Display) {
        self.notes.push(format!("{pos}: {message}"));
    }

    /// A security setting rnats cannot enforce yet: a warning, and a reason to refuse to run.
    pub fn security_gap(&mut self, pos: &Pos, message: impl std::fmt::Display) {
        let text = format!("{pos}: {message}");
        self.notes.push(text.clone());
        self.security_gaps.push(text);
    }

    /// The standard warning for a whole setting of a feature rnats has not built.
    pub fn unsupported(&mut self, entry: &Entry) {
        let key = entry.key.to_ascii_lowercase();
        let message = format!("{key} is not supported yet by rnats; the setting is ignored");
        if SECURITY_KEYS.contains(&key.as_str()) {
            self.security_gap(&entry.key_pos, message);
        } else {
            self.note(&entry.key_pos, message);
        }
    }

    /// nats-server's message for a failed type assertion, and the abort it causes.
    pub fn wrong_type<T>(&mut self, item: Item<'_>, expected: &str) -> Step<T> {
        let found = go_type(item.value);
        self.fail(item.pos, format!("interface conversion: interface {{}} is {found}, not {expected}"))
    }

    /// The value as a string (nats-server: `v.(string)`).
    pub fn str<'a>(&mut self, item: Item<'a>) -> Step<&'a str> {
        match item.value {
            Value::String(s) => Ok(s),
            _ => self.wrong_type(item, "string"),
        }
    }

    /// The value as an integer (`v.(int64)`).
    pub fn int(&mut self, item: Item<'_>) -> Step<i64> {
        match item.value {
            Value::Integer(n) => Ok(*n),
            _ => self.wrong_type(item, "int64"),
        }
    }

    /// The value as a boolean (`v.(bool)`).
    pub fn bool(&mut self, item: Item<'_>) -> Step<bool> {
        match item.value {
            Value::Bool(b) => Ok(*b),
            _ => self.wrong_type(item, "bool"),
        }
    }

    /// The value as a map (`v.(map[string]interface{})`).
    pub fn map<'a>(&mut self, item: Item<'a>) -> Step<&'a Map> {
        match item.value {
            Value::Map(m) => Ok(m),
            _ => self.wrong_type(item, "map[string]interface {}"),
        }
    }

    /// The value as an array (`v.([]interface{})`).
    pub fn array<'a>(&mut self, item: Item<'a>) -> Step<&'a [Spanned]> {
        match item.value {
            Value::Array(a) => Ok(a),
            _ => self.wrong_type(item, "[]interface {}"),
        }
    }

    /// A string or an array of strings (nats-server's `parseStringArray`): errors name the
    /// field; a wrong element is reported and skipped.
    pub fn string_list(&mut self, field: &str, item: Item<'_>) -> Step<Vec<String>> {
        match item.value {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(elements) => {
                let mut out = Vec::with_capacity(elements.len());
                for element in elements.iter() {
                    match &element.value {
                        Value::String(s) => out.push(s.clone()),
                        other => self.error(
                            &element.pos,
                            format!("error parsing {field}: unsupported type in array {}", go_type(other)),
                        ),
                    }
                }
                Ok(out)
            }
            other => self.fail(item.pos, format!("error parsing {field}: unsupported type {}", go_type(other))),
        }
    }

    /// Runs a section parser; an abort just ends the section (its error is recorded).
    pub fn section(&mut self, f: impl FnOnce(&mut Ctx) -> Step<()>) {
        let _ = f(self);
    }
}

/// The Go type name nats-server prints for a value (`%T`).
pub(crate) fn go_type(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Integer(_) => "int64",
        Value::Float(_) => "float64",
        Value::Bool(_) => "bool",
        Value::DateTime(_) => "time.Time",
        Value::Array(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

/// A value as Go's `%v` prints it (close enough for messages: Go prints nested values
/// through pointers, which carry no information).
pub(crate) fn go_display(value: &Value) -> String {
    let mut out = String::new();
    write_go_value(&mut out, value);
    out
}

fn write_go_value(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Float(f) => out.push_str(&go_float(*f)),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::DateTime(d) => out.push_str(d),
        Value::Array(elements) => {
            out.push('[');
            for (i, element) in elements.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go_value(out, &element.value);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push_str("map[");
            let mut entries: Vec<&Entry> = map.iter().collect();
            entries.sort_by(|a, b| a.key.cmp(&b.key));
            for (i, entry) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&entry.key);
                out.push(':');
                write_go_value(out, &entry.value.value);
            }
            out.push(']');
        }
    }
}

/// A float as Go's `%v` prints it (`strconv.FormatFloat(f, 'g', -1, 64)`).
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let exponent = f.abs().log10().floor() as i32;
    if (-4..21).contains(&exponent) {
        format!("{f}")
    } else {
        // Shortest digits in exponent form, Go style: 1e+21, 1.5e-07.
        let formatted = format!("{f:e}");
        let (mantissa, exp) = formatted.split_once('e').unwrap_or((&formatted, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// A value as Go's `%q` prints it: strings quoted, integers as a quoted character.
pub(crate) fn go_quote_value(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(n) => go_quote_rune(*n),
        Value::Bool(b) => format!("%!q(bool={b})"),
        Value::Float(f) => format!("%!q(float64={})", go_float(*f)),
        other => format!("{:?}", go_display(other)),
    }
}

/// Go's `strconv.QuoteRune` of an integer.
fn go_quote_rune(n: i64) -> String {
    let escaped = match n {
        7 => "\\a".to_string(),
        8 => "\\b".to_string(),
        9 => "\\t".to_string(),
        10 => "\\n".to_string(),
        11 => "\\v".to_string(),
        12 => "\\f".to_string(),
        13 => "\\r".to_string(),
        0x27 => "\\'".to_string(),
        0x5c => "\\\\".to_string(),
        0..=0x1f | 0x7f => format!("\\x{n:02x}"),
        _ => match u32::try_from(n).ok().and_then(char::from_u32) {
            Some(c) if !c.is_control() => c.to_string(),
            Some(c) if u32::from(c) <= 0xffff => format!("\\u{:04x}", u32::from(c)),
            Some(c) => format!("\\U{:08x}", u32::from(c)),
            None => "\u{fffd}".to_string(),
        },
    };
    format!("'{escaped}'")
}

/// Go's `%q` of a string slice: `["a" "b"]`.
pub(crate) fn go_quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[{}]", quoted.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_type_names() {
        assert_eq!(go_type(&Value::String("x".into())), "string");
        assert_eq!(go_type(&Value::Integer(1)), "int64");
        assert_eq!(go_type(&Value::Float(1.5)), "float64");
        assert_eq!(go_type(&Value::Bool(true)), "bool");
        assert_eq!(go_type(&Value::DateTime("2016-05-04T18:53:41Z".into())), "time.Time");
        assert_eq!(go_type(&Value::Array(Default::default())), "[]interface {}");
        assert_eq!(go_type(&Value::Map(Default::default())), "map[string]interface {}");
    }

    #[test]
    fn go_floats() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(100.0), "100");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(1.5e-7), "1.5e-07");
    }

    #[test]
    fn quote_values() {
        assert_eq!(go_quote_value(&Value::Integer(5)), r"'\x05'");
        assert_eq!(go_quote_value(&Value::Integer(65)), "'A'");
        assert_eq!(go_quote_value(&Value::Integer(10)), r"'\n'");
        assert_eq!(go_quote_value(&Value::Integer(-1)), "'\u{fffd}'");
        assert_eq!(go_quote_value(&Value::String("ab".into())), r#""ab""#);
        assert_eq!(go_quote_value(&Value::Bool(true)), "%!q(bool=true)");
    }

    #[test]
    fn quote_list() {
        assert_eq!(go_quote_list(&["FOO".to_string(), "b".to_string()]), r#"["FOO" "b"]"#);
    }
}
