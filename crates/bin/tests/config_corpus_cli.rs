//! `rnats-server -t -c FILE` over nats-server's own config files: exit status as nats-server
//! 2.9.10's (`../shared/conf-corpus/expected.tsv`), except files rejected there only for a key
//! of a newer release, which rnats accepts; a syntax error carries nats-server's `Parse error on
//! line N: '...'` text whole. (The library test `config_corpus` also checks that
//! each rejection names the same file and line.)

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_rnats-server");
const NEWER_KEYS: [&str; 5] =
    ["allow_trace", "connect_backoff", "server_metadata", "certs", "allow_insecure_cipher_suites"];

#[test]
fn config_check_agrees_with_nats_server_on_the_corpus() {
    let Some(shared) = rnats_testkit::shared_dir() else { return };
    let corpus = shared.join("conf-corpus");
    let table = std::fs::read_to_string(corpus.join("expected.tsv")).expect("expected.tsv");
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for row in table.lines().skip(1) {
        let fields: Vec<&str> = row.splitn(3, '\t').collect();
        let [file, status, first_error] = fields[..] else { continue };
        // Files run from the folder nats-server's tests run them from (the first component).
        let (folder, relative) = file.split_once('/').expect("folder/file");
        let newer_only = NEWER_KEYS.iter().any(|k| first_error.contains(&format!("{k:?}")));
        let want_ok = status == "ok" || newer_only;
        let out = Command::new(BIN)
            .current_dir(corpus.join(folder))
            .args(["-t", "-c", relative])
            .output()
            .expect("run rnats-server -t");
        checked += 1;
        if out.status.success() != want_ok {
            mismatches.push(format!(
                "{file}: expected {}, got exit {:?}: {}",
                if want_ok { "valid" } else { "rejected" },
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("")
            ));
        } else if !want_ok && !String::from_utf8_lossy(&out.stderr).contains(".conf:") {
            mismatches.push(format!("{file}: the error names no file and line"));
        } else if let Some(text) = first_error.strip_prefix("nats-server: ").filter(|t| t.starts_with("Parse error")) {
            // Syntax errors carry nats-server's whole text after our file:line:column.
            if !String::from_utf8_lossy(&out.stderr).contains(&format!(": {text}\n")) {
                mismatches.push(format!("{file}: nats-server's text {text:?} is not in our error"));
            }
        }
    }
    assert!(checked > 100, "corpus read ({checked} files)");
    assert!(mismatches.is_empty(), "{} of {checked} differ:\n{}", mismatches.len(), mismatches.join("\n"));
}
