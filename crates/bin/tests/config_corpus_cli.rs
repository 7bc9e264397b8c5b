//! `rnats-server -t -c FILE` over nats-server's own config files, against what nats-server
//! 2.15.1 and 2.9.10 printed for each (`rnats_testkit::corpus`): the same exit status, and for
//! a rejected file the same first line after the program's name. Where the two releases
//! disagree rnats follows 2.15.1; the deliberate differences from 2.15.1 are listed in
//! `rnats_testkit::corpus::DIFFERENCES`. A file nats-server accepts that asks for security
//! rnats cannot enforce yet (the library's `security_gaps`) must be refused with that reason.
//! (The library test `config_corpus` checks the same files through `load_config`.)

use std::process::Command;

use rnats_testkit::corpus::{corpus, CorpusFile};
use rnats_testkit::GoRelease;

const BIN: &str = env!("CARGO_BIN_EXE_rnats-server");

/// Whether `-t`'s exit status and standard error agree with what `release` printed.
fn agrees(file: &CorpusFile, release: GoRelease, ok: bool, stderr: &str) -> bool {
    let verdict = file.verdict(release);
    if verdict.ok || ok {
        return ok == verdict.ok;
    }
    let first = stderr.lines().next().unwrap_or("");
    if file.any_order() {
        // One of several errors Go prints in random order: it must be among ours.
        return stderr.lines().any(|line| line.strip_prefix("rnats-server: ").unwrap_or(line) == verdict.output);
    }
    let Some(ours) = first.strip_prefix("rnats-server: ") else { return false };
    // Where nats-server gives no position (syntax errors, a missing include) rnats puts the
    // file, line and column first.
    ours == verdict.output || !has_position(&verdict.output) && ours.ends_with(&format!(": {}", verdict.output))
}

/// Whether a message starts with `FILE:LINE:COL:`.
fn has_position(message: &str) -> bool {
    let mut parts = message.splitn(4, ':');
    let (_, line, column) = (parts.next(), parts.next(), parts.next());
    [line, column].iter().all(|part| part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

#[test]
fn config_check_agrees_with_nats_server_on_the_corpus() {
    let Some((dir, files)) = corpus() else { return };
    let mut mismatches = Vec::new();
    let mut refused = Vec::new();
    for file in &files {
        let folder = dir.join(&file.folder);
        let gaps = rnats::options::load_config_in(&folder.join(&file.relative), &folder)
            .map(|loaded| loaded.security_gaps)
            .unwrap_or_default();
        let out = Command::new(BIN)
            .current_dir(dir.join(&file.folder))
            .args(["-t", "-c", &file.relative])
            .output()
            .expect("run rnats-server -t");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let ok = out.status.success();
        if !gaps.is_empty() {
            // rnats cannot run it: -t must say so and why.
            let reason = rnats_testkit::cases::without_position(&gaps[0]);
            let says = !ok && stderr.starts_with("rnats-server: refusing to start") && stderr.contains(reason);
            if !says {
                mismatches.push(format!("{}: expected a refusal for {:?}, got: {stderr}", file.file, gaps[0]));
            }
            refused.push(file.file.clone());
            continue;
        }
        let current = agrees(file, GoRelease::Current, ok, &stderr);
        let debian = agrees(file, GoRelease::Debian, ok, &stderr) || !file.releases_agree();
        if (current && debian) == file.difference().is_none() {
            continue;
        }
        let ours = stderr.lines().next().unwrap_or("");
        mismatches.push(match file.difference() {
            Some(_) => format!("{}: listed as a difference but agrees with 2.15.1", file.file),
            None => format!(
                "{}\n  2.15.1  {}\n  2.9.10  {}\n  rnats   exit {:?}: {ours}",
                file.file,
                file.verdict(GoRelease::Current).output,
                file.verdict(GoRelease::Debian).output,
                out.status.code()
            ),
        });
    }
    assert!(files.len() > 100, "corpus read ({} files)", files.len());
    eprintln!("refused for security rnats cannot enforce yet: {refused:#?}");
    assert!(mismatches.is_empty(), "{} of {} differ:\n{}", mismatches.len(), files.len(), mismatches.join("\n"));
}
