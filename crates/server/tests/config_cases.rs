//! The configuration cases (`tests/data/config_cases.txt`, read by `rnats_testkit::cases`):
//! each loads through the library as the case says, and nats-server 2.15.1 says of each what
//! the case says it says (its `-t`, and for the checks it only makes when starting, its start).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rnats_testkit::cases::{cases, config_path, same_line, without_position, Case, Expect};
use rnats_testkit::GoRelease;

/// Loads a case with the library: `Ok(warnings)` or `Err(first problem)` (an error, else a
/// setting rnats cannot honour).
fn load(case: &Case) -> Option<Result<Vec<String>, String>> {
    let dir = case.write()?;
    let map = match rnats_conf::parse_str(&case.config, std::path::Path::new("t.conf")) {
        Ok(map) => map,
        Err(errors) => {
            return Some(Err(errors
                .first()
                .map(|e| rnats::options::ConfigError::from(e.clone()).to_string())
                .unwrap_or_default()))
        }
    };
    let result = rnats::options::from_map_in(&map, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    Some(match result {
        Ok(loaded) => match loaded.security_gaps.first() {
            Some(gap) => Err(gap.clone()),
            None => Ok(loaded.warnings),
        },
        Err(errors) => Err(errors.first().map(ToString::to_string).unwrap_or_default()),
    })
}

#[test]
fn cases_load_as_expected() {
    let mut failures = Vec::new();
    for case in cases() {
        let Some(got) = load(&case) else { return };
        let ok = match (&case.expect, &got) {
            (Expect::Valid, Ok(warnings)) => case.warnings.iter().all(|w| warnings.contains(w)),
            // The file holds lines: a message that ends in a newline (one of Go's does) ends here.
            (Expect::Invalid(line) | Expect::Start(line) | Expect::RnatsRefuses(line), Err(first)) => {
                same_line(first.trim_end(), line)
            }
            // nats-server's own warnings (`invalid use of field`) fail its `-t`, not its start:
            // the library loads the file and hands them over first.
            (Expect::Invalid(line), Ok(warnings)) => warnings.first() == Some(line),
            _ => false,
        };
        if !ok {
            failures
                .push(format!("{}\n  expected {:?} {:?}\n  got      {got:?}", case.title, case.expect, case.warnings));
        }
    }
    assert!(failures.is_empty(), "{} cases differ:\n{}", failures.len(), failures.join("\n"));
}

/// Runs nats-server in `dir` with `args`; its exit status and standard error, or `None` when it
/// was still running after a while (and was stopped).
fn run_go(binary: &std::path::Path, dir: &std::path::Path, args: &[&str]) -> Option<(bool, String)> {
    let mut child = Command::new(binary)
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nats-server");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for nats-server") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }?;
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    Some((status.success(), stderr))
}

#[test]
fn cases_agree_with_nats_server() {
    let Some(binary) = GoRelease::Current.require() else { return };
    let mut failures = Vec::new();
    for case in cases() {
        let Some(dir) = case.write() else { return };
        let conf = config_path(&dir);
        let conf = conf.file_name().and_then(|n| n.to_str()).expect("t.conf");
        let (ok, stderr) = run_go(&binary, &dir, &["-t", "-c", conf]).expect("-t ends");
        let first = stderr.lines().next().unwrap_or("").strip_prefix("nats-server: ").unwrap_or("").to_string();
        let problem = match &case.expect {
            Expect::Valid | Expect::RnatsRefuses(_) => (!ok).then(|| format!("-t: {first}")),
            Expect::Invalid(line) => (ok || first != *line).then(|| format!("-t: {first}")),
            Expect::Start(line) if !ok => Some(format!("-t already fails: {first}")),
            Expect::Start(line) => {
                let message = without_position(line);
                // Any free client port, unless the case is about the ports it names.
                let names_port = case.config.lines().any(|l| l.starts_with("port") || l.starts_with("listen"));
                let args: &[&str] = if names_port { &["-c", conf] } else { &["-c", conf, "-p", "-1"] };
                match run_go(&binary, &dir, args) {
                    None => Some("starts".to_string()),
                    Some((_, stderr)) => {
                        // "nats-server: MESSAGE", a fatal log line, or Go's log package's line.
                        let said = stderr.lines().any(|l| {
                            l.strip_prefix("nats-server: ") == Some(message) || l.ends_with(&format!(" {message}"))
                        });
                        (!said).then(|| format!("start says {stderr:?}"))
                    }
                }
            }
        };
        let _ = std::fs::remove_dir_all(&dir);
        if let Some(problem) = problem {
            failures.push(format!("{}\n  case:   {:?}\n  2.15.1 {problem}", case.title, case.expect));
        }
    }
    assert!(failures.is_empty(), "{} cases differ from nats-server 2.15.1:\n{}", failures.len(), failures.join("\n"));
}
