//! Configuration cases (`crates/server/tests/data/config_cases.txt`): small config files and
//! what `-t` says of each, as nats-server 2.15.1 says it. The library test, the binary test and
//! the check against nats-server itself all read them from here.
//!
//! ```text
//! === title
//! config lines (written to t.conf)
//! +++ empty.pem                  a file beside it, with the lines that follow
//! +++ server.pem < server/configs/certs/server.pem   a copy of a corpus file
//! --> t.conf:1:6: message        -t fails with this first line (nats-server's and ours)
//! --> valid                      -t passes
//! --> start: t.conf:1:0: message nats-server's -t passes but its start fails with the
//!                                message (after the position); rnats refuses it at -t
//! --> rnats: t.conf:1:0: message nats-server accepts it; rnats cannot run it and says so
//! ~~> t.conf:1:0: warning        a warning rnats gives (any number)
//! ```

use std::path::{Path, PathBuf};

/// The case file, compiled in.
const CASES: &str = include_str!("../../server/tests/data/config_cases.txt");

/// What `-t` is to say of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Valid for nats-server and for rnats.
    Valid,
    /// Both refuse it at `-t` with this first line.
    Invalid(String),
    /// nats-server's `-t` passes and its start fails with the message after the position;
    /// rnats refuses it at `-t` with the whole line.
    Start(String),
    /// nats-server accepts it; rnats refuses it with this line (a feature it cannot honour).
    RnatsRefuses(String),
}

/// A file written beside the configuration.
#[derive(Debug, Clone)]
pub enum Extra {
    /// With these contents.
    Text(String),
    /// A copy of a corpus file (path inside the corpus).
    Corpus(String),
}

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its title.
    pub title: String,
    /// The text of `t.conf`.
    pub config: String,
    /// Files beside it.
    pub files: Vec<(String, Extra)>,
    /// The verdict.
    pub expect: Expect,
    /// Warnings rnats must give (when valid).
    pub warnings: Vec<String>,
}

impl Case {
    /// Writes `t.conf` and its files into a new folder and returns the folder; `None` (a skip,
    /// a failure in CI) when a corpus file is needed and `../shared/` is missing.
    pub fn write(&self) -> Option<PathBuf> {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rnats-case-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("case folder");
        std::fs::write(dir.join("t.conf"), &self.config).expect("write t.conf");
        for (name, extra) in &self.files {
            let path = dir.join(name);
            match extra {
                Extra::Text(text) => std::fs::write(&path, text).expect("write case file"),
                Extra::Corpus(source) => {
                    let corpus = crate::shared_dir()?.join("conf-corpus");
                    std::fs::copy(corpus.join(source), &path).expect("copy corpus file");
                }
            }
        }
        Some(dir)
    }
}

/// Every case of the file.
pub fn cases() -> Vec<Case> {
    parse(CASES)
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("\n=== ").skip(1) {
        let mut lines = block.lines();
        let title = lines.next().unwrap_or_default().trim().to_string();
        let (mut config, mut files, mut expect, mut warnings) = (String::new(), Vec::new(), None, Vec::new());
        let mut current_file: Option<(String, Extra)> = None;
        for line in lines {
            if let Some(verdict) = line.strip_prefix("--> ") {
                expect = Some(match verdict {
                    "valid" => Expect::Valid,
                    _ => match (verdict.strip_prefix("start: "), verdict.strip_prefix("rnats: ")) {
                        (Some(line), _) => Expect::Start(line.to_string()),
                        (_, Some(line)) => Expect::RnatsRefuses(line.to_string()),
                        _ => Expect::Invalid(verdict.to_string()),
                    },
                });
            } else if let Some(warning) = line.strip_prefix("~~> ") {
                warnings.push(warning.to_string());
            } else if let Some(file) = line.strip_prefix("+++ ") {
                files.extend(current_file.take());
                current_file = Some(match file.split_once(" < ") {
                    Some((name, source)) => (name.to_string(), Extra::Corpus(source.to_string())),
                    None => (file.to_string(), Extra::Text(String::new())),
                });
            } else if let Some((_, Extra::Text(contents))) = current_file.as_mut() {
                contents.push_str(line);
                contents.push('\n');
            } else if current_file.is_none() && expect.is_none() && !line.starts_with('#') {
                config.push_str(line);
                config.push('\n');
            }
        }
        files.extend(current_file);
        let expect = expect.unwrap_or_else(|| panic!("case {title:?} has no --> line"));
        cases.push(Case { title, config, files, expect, warnings });
    }
    assert!(!cases.is_empty(), "config_cases.txt has cases");
    cases
}

/// `FILE:LINE:COL: message` -> `message` (a text without a position is returned whole).
pub fn without_position(line: &str) -> &str {
    let mut parts = line.splitn(4, ':');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(l), Some(c), Some(rest)) if is_number(l) && is_number(c) => rest.trim_start(),
        _ => line,
    }
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Whether our line says what nats-server's says: the same, or (where nats-server gives no
/// position, as for syntax errors) the same after the position rnats puts first.
pub fn same_line(ours: &str, theirs: &str) -> bool {
    ours == theirs || without_position(theirs) == theirs && ours.ends_with(&format!(": {theirs}"))
}

/// The configuration file's path inside a case folder.
pub fn config_path(dir: &Path) -> PathBuf {
    dir.join("t.conf")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_format() {
        let text = "# comment\n\n=== one\nport: 1\n--> valid\n~~> t.conf:1:0: w\n\
                    === two\ntls { cert_file: a.pem }\n+++ a.pem\nline\n+++ b.pem < server/x.pem\n--> start: t.conf:1:0: m\n";
        let cases = parse(text);
        assert_eq!(cases.len(), 2);
        assert_eq!((cases[0].config.as_str(), &cases[0].expect), ("port: 1\n", &Expect::Valid));
        assert_eq!(cases[0].warnings, ["t.conf:1:0: w"]);
        assert_eq!(cases[1].expect, Expect::Start("t.conf:1:0: m".into()));
        assert!(matches!(&cases[1].files[0].1, Extra::Text(t) if t == "line\n"));
        assert!(matches!(&cases[1].files[1].1, Extra::Corpus(s) if s == "server/x.pem"));
        assert_eq!(without_position("t.conf:1:0: max_payload (1) x"), "max_payload (1) x");
        assert_eq!(without_position("no position: here"), "no position: here");
    }
}
