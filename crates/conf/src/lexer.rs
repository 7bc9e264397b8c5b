//! The tokenizer: the same state machine as nats-server's `conf/lex.go` (2.9.10), state for
//! state, so that the odd corners agree too (`[1]` is a string `1]` and an unterminated array,
//! `1kx` is a string, a lone `/` before a map key is skipped, ...). Line and column of every
//! item are computed the way Go computes them (see [`Item::column`]).
//!
//! States are an enum and the state stack a `Vec`, so nothing here recurses, whatever the
//! nesting of the input.

use std::collections::VecDeque;

use crate::chars::{decode, is_blank, is_digit, is_key_separator, is_nl, is_number_suffix, is_space, EOF};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A lexing error; the value is the message. Nothing follows it.
    Error,
    /// End of input. Nothing follows it.
    Eof,
    Key,
    /// Comment text (ignored by the parser).
    Text,
    String,
    Bool,
    Integer,
    Float,
    Datetime,
    ArrayStart,
    ArrayEnd,
    MapStart,
    MapEnd,
    CommentStart,
    /// `$NAME`; the value is `NAME`.
    Variable,
    /// `include PATH`; the value is the path.
    Include,
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub kind: Kind,
    /// Bytes, with escapes already applied (Go strings are bytes too).
    pub val: Vec<u8>,
    /// 1-based line the lexer was on when it emitted the item (for an item spanning lines, the
    /// last one).
    pub line: usize,
    /// Go's `pos`: the item's start, counted from the newline that ends the previous line (so
    /// 1-based on every line but the first, where it is 0-based). Escapes shift it right by
    /// what they save, as in Go. May be negative only in theory.
    pub pos: isize,
}

impl Item {
    /// The column as nats-server prints it.
    pub fn column(&self) -> usize {
        usize::try_from(self.pos).unwrap_or(0)
    }
}

/// The states of `lex.go`, one variant per `lexXxx` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Top,
    TopValueEnd,
    KeyStart,
    DubQuotedKey,
    QuotedKey,
    Key,
    KeyEnd,
    IncludeStart,
    Include,
    IncludeQuotedString,
    IncludeDubQuotedString,
    IncludeString,
    Value,
    ArrayValue,
    ArrayValueEnd,
    ArrayEnd,
    MapKeyStart,
    MapQuotedKey,
    MapDubQuotedKey,
    MapKey,
    MapKeyEnd,
    MapValue,
    MapValueEnd,
    MapEnd,
    QuotedString,
    DubQuotedString,
    String,
    Block,
    StringEscape,
    StringBinary,
    NumberOrDateOrStringOrIpStart,
    NumberOrDateOrStringOrIp,
    ConvenientNumber,
    DateAfterYear,
    NegNumberStart,
    NegNumber,
    FloatStart,
    Float,
    IpAddr,
    CommentStart,
    Comment,
}

/// The tokenizer over one input.
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    start: usize,
    pos: usize,
    width: usize,
    line: usize,
    /// `None` once an error or the end was emitted.
    state: Option<State>,
    stack: Vec<State>,
    /// Go's `stringParts`, joined; `parts_count` is its length (a part may be empty, and "has
    /// escaped parts" is about the count).
    parts: Vec<u8>,
    parts_count: usize,
    string_state: State,
    /// Index of the newline that starts the current line (0 on the first line).
    lstart: usize,
    /// `lstart` as it was when the current item started.
    ilstart: usize,
    items: VecDeque<Item>,
    /// State transitions left before giving up (a guard: the state machine always consumes
    /// input or emits within a few steps).
    fuel: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer over `input`.
    pub fn new(input: &'a [u8]) -> Lexer<'a> {
        Lexer {
            input,
            start: 0,
            pos: 0,
            width: 0,
            line: 1,
            state: Some(State::Top),
            stack: Vec::new(),
            parts: Vec::new(),
            parts_count: 0,
            string_state: State::String,
            lstart: 0,
            ilstart: 0,
            items: VecDeque::new(),
            fuel: input.len().saturating_mul(8).saturating_add(1024),
        }
    }

    /// The next item; after an `Error` or `Eof` item, `Eof` forever.
    pub fn next_item(&mut self) -> Item {
        loop {
            if let Some(item) = self.items.pop_front() {
                return item;
            }
            let Some(state) = self.state else {
                return Item { kind: Kind::Eof, val: Vec::new(), line: self.line, pos: 0 };
            };
            if self.fuel == 0 {
                self.state = self.errorf("internal error: the lexer made no progress".to_string());
                continue;
            }
            self.fuel -= 1;
            self.state = self.step(state);
        }
    }

    // ---- Go's lexer primitives ----

    fn next(&mut self) -> char {
        if self.pos >= self.input.len() {
            self.width = 0;
            return EOF;
        }
        if self.input[self.pos] == b'\n' {
            self.line += 1;
            self.lstart = self.pos;
        }
        let (r, width) = decode(self.input, self.pos);
        self.width = width;
        self.pos += width;
        r
    }

    fn backup(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
        if self.input.get(self.pos) == Some(&b'\n') {
            self.line = self.line.saturating_sub(1);
        }
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.ilstart = self.lstart;
    }

    fn push(&mut self, state: State) {
        self.stack.push(state);
    }

    fn pop(&mut self) -> Option<State> {
        match self.stack.pop() {
            Some(state) => Some(state),
            None => self.errorf("BUG in lexer: no states to pop.".to_string()),
        }
    }

    /// The pending text (`input[start..pos]`).
    fn pending(&self) -> &'a [u8] {
        self.input.get(self.start..self.pos).unwrap_or_default()
    }

    fn send(&mut self, kind: Kind, val: Vec<u8>) {
        let pos = to_isize(self.pos) - to_isize(self.ilstart) - to_isize(val.len());
        self.items.push_back(Item { kind, val, line: self.line, pos });
        self.start = self.pos;
        self.ilstart = self.lstart;
    }

    /// Go's `emit`: the string parts (not cleared) then the pending text.
    fn emit(&mut self, kind: Kind) {
        let mut val = self.parts.clone();
        val.extend_from_slice(self.pending());
        self.send(kind, val);
    }

    /// Go's `emitString`: a string item from the parts (cleared) and the pending text.
    fn emit_string(&mut self) {
        let mut val = std::mem::take(&mut self.parts);
        self.parts_count = 0;
        val.extend_from_slice(self.pending());
        self.send(Kind::String, val);
    }

    fn add_current_string_part(&mut self, offset: usize) {
        let end = self.pos.saturating_sub(offset).max(self.start);
        let part = self.input.get(self.start..end).unwrap_or_default();
        self.parts.extend_from_slice(part);
        self.parts_count += 1;
        self.start = self.pos;
    }

    fn add_string_part(&mut self, s: &[u8]) -> Option<State> {
        self.parts.extend_from_slice(s);
        self.parts_count += 1;
        self.start = self.pos;
        Some(self.string_state)
    }

    fn errorf(&mut self, message: String) -> Option<State> {
        let pos = to_isize(self.pos) - to_isize(self.lstart);
        self.items.push_back(Item { kind: Kind::Error, val: message.into_bytes(), line: self.line, pos });
        None
    }

    /// `EOF` when at the end (a NUL reads as the end too), else an error, as Go does for a
    /// quoted key or string cut short.
    fn eof_or_error(&mut self) -> Option<State> {
        if self.pos > self.start {
            return self.errorf("Unexpected EOF.".to_string());
        }
        self.emit(Kind::Eof);
        None
    }

    fn is_bool(&self) -> bool {
        let s = self.pending();
        [&b"true"[..], b"false", b"on", b"off", b"yes", b"no"].iter().any(|b| s.eq_ignore_ascii_case(b))
    }

    fn is_variable(&mut self) -> bool {
        if self.input.get(self.start) == Some(&b'$') {
            self.start += 1;
            return true;
        }
        false
    }

    fn key_check_keyword(&mut self, fall_through: State, push: Option<State>) -> Option<State> {
        if self.pending().eq_ignore_ascii_case(b"include") {
            self.ignore();
            if let Some(state) = push {
                self.push(state);
            }
            return Some(State::IncludeStart);
        }
        self.emit(Kind::Key);
        Some(fall_through)
    }

    // ---- the states ----

    fn step(&mut self, state: State) -> Option<State> {
        match state {
            State::Top => self.lex_top(),
            State::TopValueEnd => self.lex_top_value_end(),
            State::KeyStart => self.lex_key_start(),
            State::DubQuotedKey => self.lex_quoted_key('"'),
            State::QuotedKey => self.lex_quoted_key('\''),
            State::Key => self.lex_key(),
            State::KeyEnd => self.lex_key_end(),
            State::IncludeStart => self.lex_include_start(),
            State::Include => self.lex_include(),
            State::IncludeQuotedString => self.lex_include_quoted('\''),
            State::IncludeDubQuotedString => self.lex_include_quoted('"'),
            State::IncludeString => self.lex_include_string(),
            State::Value => self.lex_value(),
            State::ArrayValue => self.lex_array_value(),
            State::ArrayValueEnd => self.lex_array_value_end(),
            State::ArrayEnd => {
                self.ignore();
                self.emit(Kind::ArrayEnd);
                self.pop()
            }
            State::MapKeyStart => self.lex_map_key_start(),
            State::MapQuotedKey => self.lex_map_quoted_key('\''),
            State::MapDubQuotedKey => self.lex_map_quoted_key('"'),
            State::MapKey => self.lex_map_key(),
            State::MapKeyEnd => self.lex_map_key_end(),
            State::MapValue => self.lex_map_value(),
            State::MapValueEnd => self.lex_map_value_end(),
            State::MapEnd => {
                self.ignore();
                self.emit(Kind::MapEnd);
                self.pop()
            }
            State::QuotedString => self.lex_quoted_string(),
            State::DubQuotedString => self.lex_dub_quoted_string(),
            State::String => self.lex_string(),
            State::Block => self.lex_block(),
            State::StringEscape => self.lex_string_escape(),
            State::StringBinary => self.lex_string_binary(),
            State::NumberOrDateOrStringOrIpStart => self.lex_number_start(),
            State::NumberOrDateOrStringOrIp => self.lex_number(),
            State::ConvenientNumber => self.lex_convenient_number(),
            State::DateAfterYear => self.lex_date_after_year(),
            State::NegNumberStart => self.lex_neg_number_start(),
            State::NegNumber => self.lex_neg_number(),
            State::FloatStart => self.lex_float_start(),
            State::Float => self.lex_float(),
            State::IpAddr => self.lex_ip_addr(),
            State::CommentStart => {
                self.ignore();
                self.emit(Kind::CommentStart);
                Some(State::Comment)
            }
            State::Comment => self.lex_comment(),
        }
    }

    /// After `/` was read where a comment may start: `//` starts one (returning to `back`);
    /// otherwise the second rune is given back and `None` returned.
    fn slash_comment(&mut self, back: State) -> Option<State> {
        if self.next() == '/' {
            self.push(back);
            return Some(State::CommentStart);
        }
        self.backup();
        None
    }

    fn lex_top(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) || r == '{' {
            // A `{` at the top level is skipped (nats-server accepts `{ ... }` around a file).
            self.ignore();
            return Some(State::Top);
        }
        match r {
            '#' => {
                self.push(State::Top);
                return Some(State::CommentStart);
            }
            '/' => {
                if let Some(next) = self.slash_comment(State::Top) {
                    return Some(next);
                }
                return self.eof_or_error();
            }
            EOF => return self.eof_or_error(),
            _ => {}
        }
        self.backup();
        self.push(State::TopValueEnd);
        Some(State::KeyStart)
    }

    fn lex_top_value_end(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            '#' => {
                self.push(State::Top);
                Some(State::CommentStart)
            }
            '/' => match self.slash_comment(State::Top) {
                Some(next) => Some(next),
                None => Some(State::TopValueEnd),
            },
            _ if is_blank(r) => Some(State::TopValueEnd),
            _ if is_nl(r) || r == EOF || r == ';' || r == ',' || r == '}' => {
                self.ignore();
                Some(State::Top)
            }
            _ => self.errorf(format!(
                "Expected a top-level value to end with a new line, comment or EOF, but got '{}' instead.",
                show(r)
            )),
        }
    }

    fn lex_key_start(&mut self) -> Option<State> {
        let r = self.peek();
        if is_key_separator(r) {
            return self.errorf(format!("Unexpected key separator '{}'", show(r)));
        }
        if is_space(r) {
            self.next();
            self.ignore();
            return Some(State::KeyStart);
        }
        if r == '"' || r == '\'' {
            self.next();
            self.ignore();
            return Some(if r == '"' { State::DubQuotedKey } else { State::QuotedKey });
        }
        self.ignore();
        self.next();
        Some(State::Key)
    }

    fn lex_quoted_key(&mut self, quote: char) -> Option<State> {
        let r = self.peek();
        if r == quote {
            self.emit(Kind::Key);
            self.next();
            self.ignore();
            return Some(State::KeyEnd);
        }
        if r == EOF {
            return self.eof_or_error();
        }
        self.next();
        Some(if quote == '"' { State::DubQuotedKey } else { State::QuotedKey })
    }

    fn lex_key(&mut self) -> Option<State> {
        let r = self.peek();
        if is_space(r) {
            return self.key_check_keyword(State::KeyEnd, None);
        }
        if is_key_separator(r) || r == EOF {
            self.emit(Kind::Key);
            return Some(State::KeyEnd);
        }
        self.next();
        Some(State::Key)
    }

    fn lex_key_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            self.ignore();
            return Some(State::KeyEnd);
        }
        if is_key_separator(r) {
            self.ignore();
            return Some(State::Value);
        }
        if r == EOF {
            self.emit(Kind::Eof);
            return None;
        }
        self.backup();
        Some(State::Value)
    }

    fn lex_include_start(&mut self) -> Option<State> {
        let r = self.next();
        if is_blank(r) {
            self.ignore();
            return Some(State::IncludeStart);
        }
        self.backup();
        Some(State::Include)
    }

    fn lex_include(&mut self) -> Option<State> {
        let r = self.next();
        let found = match r {
            '\'' => {
                self.ignore();
                return Some(State::IncludeQuotedString);
            }
            '"' => {
                self.ignore();
                return Some(State::IncludeDubQuotedString);
            }
            '[' => "start of an array",
            '{' => "start of a map",
            '(' => "start of a block",
            '-' => "start of a number",
            '\\' => "escape sequence",
            _ if is_digit(r) => "start of a number",
            _ if is_nl(r) => "new line",
            _ => {
                self.backup();
                return Some(State::IncludeString);
            }
        };
        self.errorf(format!("Expected include value but found {found}"))
    }

    fn lex_include_quoted(&mut self, quote: char) -> Option<State> {
        let r = self.next();
        if r == quote {
            self.backup();
            self.emit(Kind::Include);
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            let what = if quote == '"' { "double quoted" } else { "quoted" };
            return self.errorf(format!("Unexpected EOF in {what} include"));
        }
        Some(if quote == '"' { State::IncludeDubQuotedString } else { State::IncludeQuotedString })
    }

    fn lex_include_string(&mut self) -> Option<State> {
        let r = self.next();
        if is_nl(r) || r == EOF || r == ';' || r == '}' || is_blank(r) {
            self.backup();
            self.emit(Kind::Include);
            return self.pop();
        }
        if r == '\'' {
            self.backup();
            self.emit(Kind::Include);
            self.next();
            self.ignore();
            return self.pop();
        }
        Some(State::IncludeString)
    }

    fn lex_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_blank(r) {
            self.ignore();
            return Some(State::Value);
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(Kind::ArrayStart);
                Some(State::ArrayValue)
            }
            '{' => {
                self.ignore();
                self.emit(Kind::MapStart);
                Some(State::MapKeyStart)
            }
            '\'' => {
                self.ignore();
                Some(State::QuotedString)
            }
            '"' => {
                self.ignore();
                self.string_state = State::DubQuotedString;
                Some(State::DubQuotedString)
            }
            '-' => Some(State::NegNumberStart),
            '(' => {
                self.ignore();
                Some(State::Block)
            }
            _ if is_digit(r) => {
                self.backup();
                Some(State::NumberOrDateOrStringOrIpStart)
            }
            '.' => self.errorf("Floats must start with a digit".to_string()),
            _ if is_nl(r) => self.errorf("Expected value but found new line".to_string()),
            _ => {
                self.backup();
                self.string_state = State::String;
                Some(State::String)
            }
        }
    }

    fn lex_array_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            self.ignore();
            return Some(State::ArrayValue);
        }
        match r {
            '#' => {
                self.push(State::ArrayValue);
                Some(State::CommentStart)
            }
            '/' => match self.slash_comment(State::ArrayValue) {
                Some(next) => Some(next),
                None => self.errorf("Unexpected array value terminator ','.".to_string()),
            },
            ',' => self.errorf("Unexpected array value terminator ','.".to_string()),
            ']' => Some(State::ArrayEnd),
            _ => {
                self.backup();
                self.push(State::ArrayValueEnd);
                Some(State::Value)
            }
        }
    }

    fn lex_array_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_blank(r) {
            self.ignore();
            return Some(State::ArrayValueEnd);
        }
        match r {
            '#' => {
                self.push(State::ArrayValueEnd);
                Some(State::CommentStart)
            }
            '/' => match self.slash_comment(State::ArrayValueEnd) {
                Some(next) => Some(next),
                None => {
                    self.ignore();
                    Some(State::ArrayValue)
                }
            },
            _ if r == ',' || is_nl(r) => {
                self.ignore();
                Some(State::ArrayValue)
            }
            ']' => Some(State::ArrayEnd),
            _ => self.errorf(format!(
                "Expected an array value terminator \",\" or an array terminator \"]\", but got '{}' instead.",
                show(r)
            )),
        }
    }

    fn lex_map_key_start(&mut self) -> Option<State> {
        let r = self.peek();
        if is_key_separator(r) {
            return self.errorf(format!("Unexpected key separator '{}'.", show(r)));
        }
        if r == ']' {
            return self.errorf(format!("Unexpected array end '{}' processing map.", show(r)));
        }
        if is_space(r) {
            self.next();
            self.ignore();
            return Some(State::MapKeyStart);
        }
        match r {
            '}' => {
                self.next();
                self.ignore();
                return Some(State::MapEnd);
            }
            '#' => {
                self.next();
                self.push(State::MapKeyStart);
                return Some(State::CommentStart);
            }
            '/' => {
                self.next();
                if let Some(next) = self.slash_comment(State::MapKeyStart) {
                    return Some(next);
                }
                // A lone `/` is skipped: the key starts after it.
            }
            '\'' | '"' => {
                self.next();
                self.ignore();
                return Some(if r == '"' { State::MapDubQuotedKey } else { State::MapQuotedKey });
            }
            EOF => return self.errorf("Unexpected EOF processing map.".to_string()),
            _ => {}
        }
        self.ignore();
        self.next();
        Some(State::MapKey)
    }

    fn lex_map_quoted_key(&mut self, quote: char) -> Option<State> {
        let r = self.peek();
        if r == EOF {
            let what = if quote == '"' { "double quoted" } else { "quoted" };
            return self.errorf(format!("Unexpected EOF processing {what} map key."));
        }
        if r == quote {
            self.emit(Kind::Key);
            self.next();
            self.ignore();
            return Some(State::MapKeyEnd);
        }
        self.next();
        Some(if quote == '"' { State::MapDubQuotedKey } else { State::MapQuotedKey })
    }

    fn lex_map_key(&mut self) -> Option<State> {
        let r = self.peek();
        if r == EOF {
            return self.errorf("Unexpected EOF processing map key.".to_string());
        }
        if is_space(r) {
            return self.key_check_keyword(State::MapKeyEnd, Some(State::MapValueEnd));
        }
        if is_key_separator(r) {
            self.emit(Kind::Key);
            return Some(State::MapKeyEnd);
        }
        self.next();
        Some(State::MapKey)
    }

    fn lex_map_key_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            self.ignore();
            return Some(State::MapKeyEnd);
        }
        if is_key_separator(r) {
            self.ignore();
            return Some(State::MapValue);
        }
        self.backup();
        Some(State::MapValue)
    }

    fn lex_map_value(&mut self) -> Option<State> {
        let r = self.next();
        if is_space(r) {
            self.ignore();
            return Some(State::MapValue);
        }
        match r {
            ',' => self.errorf("Unexpected map value terminator \",\".".to_string()),
            '}' => {
                self.ignore();
                Some(State::MapEnd)
            }
            _ => {
                self.backup();
                self.push(State::MapValueEnd);
                Some(State::Value)
            }
        }
    }

    fn lex_map_value_end(&mut self) -> Option<State> {
        let r = self.next();
        if is_blank(r) {
            self.ignore();
            return Some(State::MapValueEnd);
        }
        match r {
            '#' => {
                self.push(State::MapValueEnd);
                Some(State::CommentStart)
            }
            '/' => match self.slash_comment(State::MapValueEnd) {
                Some(next) => Some(next),
                None => {
                    self.ignore();
                    Some(State::MapKeyStart)
                }
            },
            _ if r == ';' || r == ',' || is_nl(r) => {
                self.ignore();
                Some(State::MapKeyStart)
            }
            '}' => {
                self.ignore();
                Some(State::MapEnd)
            }
            _ => self.errorf(format!(
                "Expected a map value terminator \",\" or a map terminator \"}}\", but got '{}' instead.",
                show(r)
            )),
        }
    }

    fn lex_quoted_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\'' {
            self.backup();
            self.emit(Kind::String);
            self.next();
            self.ignore();
            return self.pop();
        }
        if r == EOF {
            return self.eof_or_error();
        }
        Some(State::QuotedString)
    }

    fn lex_dub_quoted_string(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            '\\' => {
                self.add_current_string_part(1);
                Some(State::StringEscape)
            }
            '"' => {
                self.backup();
                self.emit_string();
                self.next();
                self.ignore();
                self.pop()
            }
            EOF => self.eof_or_error(),
            _ => Some(State::DubQuotedString),
        }
    }

    fn lex_string(&mut self) -> Option<State> {
        let r = self.next();
        if r == '\\' {
            self.add_current_string_part(1);
            return Some(State::StringEscape);
        }
        if is_nl(r) || r == EOF || matches!(r, ';' | ',' | ']' | '}') || is_blank(r) {
            self.backup();
            if self.parts_count > 0 {
                self.emit_string();
            } else if self.is_bool() {
                self.emit(Kind::Bool);
            } else if self.is_variable() {
                self.emit(Kind::Variable);
            } else {
                self.emit_string();
            }
            return self.pop();
        }
        if r == '\'' {
            self.backup();
            self.emit_string();
            self.next();
            self.ignore();
            return self.pop();
        }
        Some(State::String)
    }

    /// `(` ... `)`: everything up to a `)` alone on its line (after a newline, before a
    /// newline or the end), stepping back and forth exactly as Go does.
    fn lex_block(&mut self) -> Option<State> {
        let r = self.next();
        if r == ')' {
            self.backup();
            self.backup();
            if self.next() != '\n' {
                self.next();
                return Some(State::Block);
            }
            self.next();
            let after = self.next();
            if after == '\n' || after == EOF {
                self.backup();
                self.backup();
                self.emit(Kind::String);
                self.next();
                self.ignore();
                return self.pop();
            }
            self.backup();
            return Some(State::Block);
        }
        if r == EOF {
            return self.errorf("Unexpected EOF processing block.".to_string());
        }
        Some(State::Block)
    }

    fn lex_string_escape(&mut self) -> Option<State> {
        let r = self.next();
        match r {
            'x' => Some(State::StringBinary),
            't' => self.add_string_part(b"\t"),
            'n' => self.add_string_part(b"\n"),
            'r' => self.add_string_part(b"\r"),
            '"' => self.add_string_part(b"\""),
            '\\' => self.add_string_part(b"\\"),
            _ => self.errorf(format!(
                "Invalid escape character '{}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\.",
                show(r)
            )),
        }
    }

    fn lex_string_binary(&mut self) -> Option<State> {
        const END_OF_LINE: &str = "Expected two hexadecimal digits after '\\x', but hit end of line";
        if is_nl(self.next()) || is_nl(self.next()) {
            return self.errorf(END_OF_LINE.to_string());
        }
        let offset = self.pos.saturating_sub(2);
        let digits = self.input.get(offset..self.pos).unwrap_or_default();
        match hex_byte(digits) {
            Some(byte) => self.add_string_part(&[byte]),
            None => self.errorf(format!(
                "Expected two hexadecimal digits after '\\x', but got '{}'",
                String::from_utf8_lossy(digits)
            )),
        }
    }

    fn lex_number_start(&mut self) -> Option<State> {
        let r = self.next();
        if !is_digit(r) {
            return self.not_a_digit(r);
        }
        Some(State::NumberOrDateOrStringOrIp)
    }

    fn not_a_digit(&mut self, r: char) -> Option<State> {
        if r == '.' {
            return self.errorf("Floats must start with a digit, not '.'.".to_string());
        }
        self.errorf(format!("Expected a digit but got '{}'.", show(r)))
    }

    /// Whether `r` ends a number (anything else after digits makes the value a bare string).
    fn ends_number(r: char) -> bool {
        is_nl(r) || r == EOF || matches!(r, '}' | ';' | ',') || is_blank(r) || is_digit(r)
    }

    fn lex_number(&mut self) -> Option<State> {
        let r = self.next();
        if r == '-' {
            if self.pos.saturating_sub(self.start) != 5 {
                return self.errorf("All ISO8601 dates must be in full Zulu form.".to_string());
            }
            return Some(State::DateAfterYear);
        }
        if is_digit(r) {
            return Some(State::NumberOrDateOrStringOrIp);
        }
        if r == '.' {
            return Some(State::FloatStart);
        }
        if is_number_suffix(r) {
            return Some(State::ConvenientNumber);
        }
        if !Self::ends_number(r) {
            // Not a number after all (`4222abc`, and, as in Go, `1]`): a bare string, which
            // keeps the rune just read.
            self.string_state = State::String;
            return Some(State::String);
        }
        self.backup();
        self.emit(Kind::Integer);
        self.pop()
    }

    fn lex_convenient_number(&mut self) -> Option<State> {
        let r = self.next();
        if matches!(r, 'b' | 'B' | 'i' | 'I') {
            return Some(State::ConvenientNumber);
        }
        self.backup();
        if Self::ends_number(r) {
            self.emit(Kind::Integer);
            return self.pop();
        }
        self.string_state = State::String;
        Some(State::String)
    }

    fn lex_date_after_year(&mut self) -> Option<State> {
        for f in "00-00T00:00:00Z".chars() {
            let r = self.next();
            if f == '0' {
                if !is_digit(r) {
                    return self
                        .errorf(format!("Expected digit in ISO8601 datetime, but found '{}' instead.", show(r)));
                }
            } else if f != r {
                return self.errorf(format!("Expected '{f}' in ISO8601 datetime, but found '{}' instead.", show(r)));
            }
        }
        self.emit(Kind::Datetime);
        self.pop()
    }

    fn lex_neg_number_start(&mut self) -> Option<State> {
        let r = self.next();
        if !is_digit(r) {
            return self.not_a_digit(r);
        }
        Some(State::NegNumber)
    }

    fn lex_neg_number(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) {
            return Some(State::NegNumber);
        }
        if r == '.' {
            return Some(State::FloatStart);
        }
        if is_number_suffix(r) {
            return Some(State::ConvenientNumber);
        }
        self.backup();
        self.emit(Kind::Integer);
        self.pop()
    }

    fn lex_float_start(&mut self) -> Option<State> {
        let r = self.next();
        if !is_digit(r) {
            return self.errorf(format!("Floats must have a digit after the '.', but got '{}' instead.", show(r)));
        }
        Some(State::Float)
    }

    fn lex_float(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) {
            return Some(State::Float);
        }
        if r == '.' {
            // A second dot: an IP address (`127.0.0.1`, `127.0.0.1:4222`), kept as a string.
            return Some(State::IpAddr);
        }
        self.backup();
        self.emit(Kind::Float);
        self.pop()
    }

    fn lex_ip_addr(&mut self) -> Option<State> {
        let r = self.next();
        if is_digit(r) || matches!(r, '.' | ':' | '-') {
            return Some(State::IpAddr);
        }
        self.backup();
        self.emit(Kind::String);
        self.pop()
    }

    fn lex_comment(&mut self) -> Option<State> {
        let r = self.peek();
        if is_nl(r) || r == EOF {
            self.emit(Kind::Text);
            return self.pop();
        }
        self.next();
        Some(State::Comment)
    }
}

/// A rune in an error message: a newline as `\n` (as Go does), the end of input as `EOF`.
/// A character in an error message as nats-server shows it: a newline escaped, anything else
/// as itself (the end of input is Go's NUL rune, printed raw, so the text stays verbatim).
fn show(r: char) -> String {
    match r {
        '\n' => "\\n".to_string(),
        _ => r.to_string(),
    }
}

fn hex_byte(digits: &[u8]) -> Option<u8> {
    let [hi, lo] = digits else { return None };
    let hi = char::from(*hi).to_digit(16)?;
    let lo = char::from(*lo).to_digit(16)?;
    u8::try_from(hi * 16 + lo).ok()
}

fn to_isize(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(input: &str) -> Vec<(Kind, String, usize, isize)> {
        let mut lx = Lexer::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            let item = lx.next_item();
            let kind = item.kind;
            out.push((kind, String::from_utf8_lossy(&item.val).into_owned(), item.line, item.pos));
            if matches!(kind, Kind::Eof | Kind::Error) {
                return out;
            }
        }
    }

    fn kinds(input: &str) -> Vec<(Kind, String)> {
        items(input).into_iter().map(|(k, v, _, _)| (k, v)).filter(|(k, _)| !matches!(k, Kind::Text)).collect()
    }

    fn s(kind: Kind, val: &str) -> (Kind, String) {
        (kind, val.to_string())
    }

    #[test]
    fn key_values_and_positions() {
        assert_eq!(
            items("foo = 1\n  bar: \"x\""),
            vec![
                (Kind::Key, "foo".into(), 1, 0),
                (Kind::Integer, "1".into(), 1, 6),
                (Kind::Key, "bar".into(), 2, 3),
                (Kind::String, "x".into(), 2, 9),
                (Kind::Eof, "".into(), 2, 11),
            ]
        );
    }

    #[test]
    fn number_corners() {
        assert_eq!(kinds("a: 4222abc"), vec![s(Kind::Key, "a"), s(Kind::String, "4222abc"), s(Kind::Eof, "")]);
        assert_eq!(kinds("a: 1kx"), vec![s(Kind::Key, "a"), s(Kind::String, "1kx"), s(Kind::Eof, "")]);
        assert_eq!(kinds("a: 1KiB"), vec![s(Kind::Key, "a"), s(Kind::Integer, "1KiB"), s(Kind::Eof, "")]);
        assert_eq!(
            kinds("a: 1.2.3.4:4222"),
            vec![s(Kind::Key, "a"), s(Kind::String, "1.2.3.4:4222"), s(Kind::Eof, "")]
        );
        assert_eq!(kinds("a: [1k]")[2], s(Kind::String, "1k"));
        assert_eq!(kinds("a: [1]")[2], s(Kind::String, "1]"));
    }

    #[test]
    fn block_keeps_inner_newlines() {
        assert_eq!(kinds("a (\nx\ny\n)\n")[1], s(Kind::String, "\nx\ny\n"));
        assert_eq!(kinds("a (\nx\n)")[1], s(Kind::String, "\nx\n)"), "at EOF Go keeps the `)`");
    }

    #[test]
    fn errors_stop() {
        let out = items("a: \"x\\q\"");
        assert_eq!(out.last().map(|i| i.0), Some(Kind::Error));
        let out = items("a {");
        assert_eq!(out.last().map(|i| (i.0, i.1.as_str())), Some((Kind::Error, "Unexpected EOF processing map.")));
    }

    #[test]
    fn nul_is_end_of_input() {
        assert_eq!(kinds("a: \"x\0y\"").last(), Some(&s(Kind::Error, "Unexpected EOF.")));
        assert_eq!(kinds("a: b\0c")[1], s(Kind::String, "b"));
    }
}
