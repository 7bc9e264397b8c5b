//! `rnats-server -t` over the configuration cases (`rnats_testkit::cases`): the exit status
//! and first line the case gives, rnats's warnings for valid ones.

use std::process::Command;

use rnats_testkit::cases::{cases, same_line, Expect};

const BIN: &str = env!("CARGO_BIN_EXE_rnats-server");

#[test]
fn config_check_says_what_each_case_says() {
    let mut failures = Vec::new();
    for case in cases() {
        let Some(dir) = case.write() else { return };
        let out = Command::new(BIN).current_dir(&dir).args(["-t", "-c", "t.conf"]).output().expect("run -t");
        let _ = std::fs::remove_dir_all(&dir);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or("").strip_prefix("rnats-server: ").unwrap_or("");
        let ok = match &case.expect {
            Expect::Valid => {
                out.status.success()
                    && case.warnings.iter().all(|w| stderr.lines().any(|l| l == format!("rnats-server: warning: {w}")))
            }
            Expect::Invalid(line) | Expect::Start(line) => !out.status.success() && same_line(first, line),
            Expect::RnatsRefuses(line) => !out.status.success() && stderr.contains(line.as_str()),
        };
        if !ok {
            failures.push(format!(
                "{}\n  expected {:?}\n  got exit {:?}: {stderr}",
                case.title,
                case.expect,
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{} cases differ:\n{}", failures.len(), failures.join("\n"));
}
