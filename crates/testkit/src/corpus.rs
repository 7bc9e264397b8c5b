//! The shared config corpus (`../shared/conf-corpus`) and what each Go release said of every
//! file with `-t`: 2.9.10 in the corpus's `expected.tsv`, 2.15.1 in
//! `crates/server/tests/data/expected_2_15_1.tsv` (made by `scripts/corpus-expectations.sh`,
//! kept in the repository because the corpus folder is read-only).

use std::path::PathBuf;

use crate::GoRelease;

/// The 2.15.1 table, compiled in so tests of every crate read the same one.
const EXPECTED_2_15_1: &str = include_str!("../../server/tests/data/expected_2_15_1.tsv");

/// Deliberate differences from nats-server 2.15.1: (file, reason). rnats's tests of the corpus
/// expect the same as 2.15.1 for every other file.
pub const DIFFERENCES: &[(&str, &str)] = &[
    (
        "server/configs/listen.conf",
        "refused at -t: nats-server's -t passes it but its start fails (Can't start monitoring: can't specify both HTTP and HTTPs ports)",
    ),
    (
        "server/configs/listen-1.conf",
        "refused at -t: nats-server's -t passes it but its start fails (Can't start monitoring: can't specify both HTTP and HTTPs ports)",
    ),
];

/// Files with several errors that nats-server prints in random order (it walks a Go map), so
/// its first error is a random one of them; rnats reports them in file order. The error
/// nats-server printed first must be among ours.
pub const ANY_ORDER: &[(&str, &str)] = &[
    ("conf/includes/passwords.conf", "two variable-like keys of an include fragment, both unknown fields"),
    ("test/configs/auths.conf", "nine variable-like keys of an include fragment, all unknown fields"),
];

/// What one release printed for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// `-t` exited 0.
    pub ok: bool,
    /// Its first output line without the `nats-server: ` prefix and without 2.15.1's
    /// ` (sha256:...)` digest.
    pub output: String,
}

/// One corpus file.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// The path in the corpus (`server/configs/cluster.conf`).
    pub file: String,
    /// The folder nats-server ran in (`server`, `test` or `conf`).
    pub folder: String,
    /// The path it was given, relative to that folder.
    pub relative: String,
    debian: Verdict,
    current: Verdict,
}

impl CorpusFile {
    /// What `release` said of the file.
    pub fn verdict(&self, release: GoRelease) -> &Verdict {
        match release {
            GoRelease::Debian => &self.debian,
            GoRelease::Current => &self.current,
        }
    }

    /// The deliberate difference from 2.15.1 listed for this file, if any.
    pub fn difference(&self) -> Option<&'static str> {
        DIFFERENCES.iter().find(|(file, _)| *file == self.file).map(|(_, reason)| *reason)
    }

    /// Whether nats-server's first error is a random one of several (see [`ANY_ORDER`]).
    pub fn any_order(&self) -> bool {
        ANY_ORDER.iter().any(|(file, _)| *file == self.file)
    }

    /// Whether the two releases gave the same status and the same first line.
    pub fn releases_agree(&self) -> bool {
        self.debian == self.current
    }
}

/// The corpus folder and its files, or `None` (a skip, or a failure in CI) without
/// `../shared/`.
pub fn corpus() -> Option<(PathBuf, Vec<CorpusFile>)> {
    let dir = crate::shared_dir()?.join("conf-corpus");
    let debian = std::fs::read_to_string(dir.join("expected.tsv")).expect("conf-corpus/expected.tsv");
    let debian = rows(&debian);
    let header = format!("file\tgo_{}\tfirst_error", GoRelease::Current.version().replace('.', "_"));
    assert_eq!(EXPECTED_2_15_1.lines().next(), Some(header.as_str()), "the table is the current release's");
    let current = rows(EXPECTED_2_15_1);
    assert_eq!(debian.len(), current.len(), "both tables list every corpus file");
    let files = debian
        .into_iter()
        .zip(current)
        .map(|((file, debian), (same, current))| {
            assert_eq!(file, same, "both tables list the files in the same order");
            let (folder, relative) = file.split_once('/').expect("corpus paths start with their folder");
            CorpusFile { folder: folder.to_string(), relative: relative.to_string(), file, debian, current }
        })
        .collect();
    Some((dir, files))
}

/// `file<TAB>status<TAB>first line` rows after the header.
fn rows(table: &str) -> Vec<(String, Verdict)> {
    table
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut columns = line.splitn(3, '\t');
            let (Some(file), Some(status), Some(output)) = (columns.next(), columns.next(), columns.next()) else {
                panic!("malformed expectations line: {line:?}");
            };
            let output = output.strip_prefix("nats-server: ").unwrap_or(output);
            let output = match output.rfind(" (sha256:") {
                Some(cut) if output.ends_with(')') => &output[..cut],
                _ => output,
            };
            (file.to_string(), Verdict { ok: status == "ok", output: output.to_string() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_drop_prefix_and_digest() {
        let table = "file\tgo_2_15_1\tfirst_error\n\
                     conf/simple.conf\tok\tnats-server: configuration file simple.conf is valid (sha256:1de5)\n\
                     server/configs/x.conf\terror\tnats-server: configs/x.conf:1:0: unknown field \"a\"\n";
        let rows = rows(table);
        assert_eq!(rows[0].1, Verdict { ok: true, output: "configuration file simple.conf is valid".into() });
        assert_eq!(rows[1].1, Verdict { ok: false, output: "configs/x.conf:1:0: unknown field \"a\"".into() });
    }
}
