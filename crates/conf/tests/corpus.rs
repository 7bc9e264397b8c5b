//! Every `*.conf` of the shared corpus (real nats-server config files) against what
//! nats-server 2.9.10 said about it (`expected.tsv`):
//! - accepted by nats-server: must parse;
//! - rejected for a syntax, variable or include problem: must fail, on the same line for a
//!   syntax error, with the same message (`Parse error on line N: '...'`);
//! - rejected for anything else (unknown field, bad cipher, ...): must parse, and the
//!   `file:line:col` nats-server names must be the position of some key or value.
//!
//! Each file is parsed from the folder nats-server was run from (`server/`, `test/` or
//! `conf/`), as `expected.tsv` was made, so positions name files exactly as nats-server did.
//! That needs the process's working directory, hence this one test in its own binary.

use std::path::{Path, PathBuf};

use rnats_conf::{parse_file, Map, Value};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conf-corpus")
}

/// Every (file, line, column) of a key or value in `map`.
fn positions(map: &Map, out: &mut Vec<(String, usize, usize)>) {
    for entry in &map.entries {
        let key = &entry.key_pos;
        out.push((key.file.display().to_string(), key.line, key.column));
        value_positions(&entry.value.value, out);
        let pos = &entry.value.pos;
        out.push((pos.file.display().to_string(), pos.line, pos.column));
    }
}

fn value_positions(value: &Value, out: &mut Vec<(String, usize, usize)>) {
    match value {
        Value::Map(map) => positions(map, out),
        Value::Array(values) => {
            for v in values.iter() {
                out.push((v.pos.file.display().to_string(), v.pos.line, v.pos.column));
                value_positions(&v.value, out);
            }
        }
        _ => {}
    }
}

/// `FILE:LINE:COL` at the start of nats-server's message, if any.
fn go_position(message: &str) -> Option<(String, usize, usize)> {
    let mut parts = message.splitn(4, ':');
    let file = parts.next()?.to_string();
    let line = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    Some((file, line, col))
}

#[test]
fn corpus_files_parse_as_nats_server_parses_them() {
    let dir = corpus_dir();
    let Ok(tsv) = std::fs::read_to_string(dir.join("expected.tsv")) else {
        eprintln!("skipped: no config corpus at {}", dir.display());
        return;
    };
    let cwd = std::env::current_dir().expect("current dir");
    let mut failures = Vec::new();
    let (mut parsed, mut rejected, mut rows, mut placed) = (0, 0, 0, 0);
    for row in tsv.lines().skip(1) {
        let mut cols = row.splitn(3, '\t');
        let (Some(file), Some(status), Some(go)) = (cols.next(), cols.next(), cols.next()) else { continue };
        rows += 1;
        let go = go.strip_prefix("nats-server: ").unwrap_or(go);
        let (top, rel) = file.split_once('/').expect("file under a top folder");
        std::env::set_current_dir(dir.join(top)).expect("cd into the corpus");
        let result = parse_file(Path::new(rel));
        std::env::set_current_dir(&cwd).expect("cd back");
        match &result {
            Ok(_) => parsed += 1,
            Err(_) => rejected += 1,
        }
        let syntax_line = go
            .strip_prefix("Parse error on line ")
            .and_then(|rest| rest.split_once(": '"))
            .and_then(|(line, _)| line.parse::<usize>().ok());
        let problem = if status == "ok" {
            result.as_ref().err().map(|e| format!("nats-server accepts it, we say {e:?}"))
        } else if let Some(line) = syntax_line {
            match &result {
                Ok(_) => Some(format!("nats-server says {go:?}, we accept it")),
                Err(errors) => {
                    let first = &errors[0];
                    let ours = (first.pos.as_ref().map(|p| p.line), first.message.as_str());
                    (ours != (Some(line), go)).then(|| format!("nats-server says {go:?}, we say {first}"))
                }
            }
        } else if go.starts_with("variable reference") || go.starts_with("error parsing include file") {
            let expected = if go.starts_with("variable") { "variable reference" } else { "error parsing include file" };
            match &result {
                Ok(_) => Some(format!("nats-server says {go:?}, we accept it")),
                Err(errors) => (!errors[0].message.starts_with(expected))
                    .then(|| format!("nats-server says {go:?}, we say {}", errors[0])),
            }
        } else {
            match &result {
                Err(errors) => Some(format!("nats-server's complaint is not about syntax ({go:?}), we say {errors:?}")),
                Ok(map) => go_position(go).and_then(|at| {
                    placed += 1;
                    let mut all = Vec::new();
                    positions(map, &mut all);
                    (!all.contains(&at)).then(|| format!("nats-server names {at:?} ({go:?}); no key or value is there"))
                }),
            }
        };
        if let Some(problem) = problem {
            failures.push(format!("{file}: {problem}"));
        }
    }
    eprintln!("{rows} corpus files: {parsed} parse, {rejected} rejected; {placed} positions nats-server named found");
    assert!(rows >= 100, "expected the whole corpus, read {rows} rows");
    assert!(placed >= 15, "expected positions to check, found {placed}");
    assert!(failures.is_empty(), "{} corpus files differ:\n{}", failures.len(), failures.join("\n"));
}
