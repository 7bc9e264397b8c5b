//! `ports_file_dir` (config) and `--ports_file_dir` (flag): once listening, the server writes
//! `<dir>/<executable>_<pid>.ports` with the JSON nats-server 2.15.1 writes, and removes it at
//! exit.

mod support;

use std::path::{Path, PathBuf};

use rnats_testkit::{require_current_go_server, wait_for};
use serde_json::Value;
use support::{scratch_dir, Process, BIN, PATIENCE};

/// The ports file `process`, started as `executable`, writes into `dir`, once it is there.
fn ports_file(process: &Process, dir: &Path, executable: &str) -> (PathBuf, String) {
    let path = dir.join(format!("{executable}_{}.ports", process.pid()));
    let mut text = String::new();
    // Polled until whole: a look may fall between the file's creation and its write.
    let written = wait_for(PATIENCE, || {
        text = std::fs::read_to_string(&path).unwrap_or_default();
        serde_json::from_str::<Value>(&text).is_ok()
    });
    assert!(written, "no ports file {}: {text:?}", path.display());
    (path, text)
}

/// The ports file's text with the server's own port written as `PORT`.
fn masked(text: &str, port: u16) -> String {
    text.replace(&format!(":{port}\""), ":PORT\"")
}

/// Starts rnats and nats-server alike (`args`, then `dir_args(ports dir)`) and returns
/// rnats's ports file, its masked text, and nats-server's masked text.
fn both(
    name: &str,
    go: &Path,
    args: &[&str],
    dir_args: impl Fn(&str) -> Vec<String>,
) -> (Process, PathBuf, [String; 2]) {
    let (rnats_dir, go_dir) = (scratch_dir(&format!("{name}-rnats-ports")), scratch_dir(&format!("{name}-go-ports")));
    let start = |name: &str, program: &Path, dir: &Path| {
        let extra = dir_args(dir.to_str().expect("UTF-8 path"));
        let all: Vec<&str> = args.iter().copied().chain(extra.iter().map(String::as_str)).collect();
        Process::start(name, program, &all, None)
    };
    let rnats = start(&format!("{name}-rnats"), Path::new(BIN), &rnats_dir);
    let go_server = start(&format!("{name}-go"), go, &go_dir);
    let (path, text) = ports_file(&rnats, &rnats_dir, "rnats-server");
    let (_, go_text) = ports_file(&go_server, &go_dir, "nats-server");
    let texts = [masked(&text, rnats.client_port()), masked(&go_text, go_server.client_port())];
    let _ = std::fs::remove_dir_all(&go_dir);
    (rnats, path, texts)
}

#[test]
fn flag_on_the_default_host_lists_every_address_and_terminate_removes_it() {
    let Some(go) = require_current_go_server() else { return };
    let flag = |dir: &str| vec!["--ports_file_dir".to_string(), dir.to_string()];
    let (mut rnats, path, [text, go_text]) = both("flag", &go, &["-p", "-1"], flag);
    assert_eq!(text, go_text, "the same addresses as nats-server, in its order");
    assert!(text.starts_with(r#"{"nats":["nats://127.0.0.1:PORT""#), "{text}");
    assert!(rnats.stop_with("TERM"), "clean exit");
    assert!(!path.exists(), "the ports file is removed at exit");
    let _ = std::fs::remove_dir_all(path.parent().expect("ports dir"));
}

#[test]
fn config_setting_with_a_host_lists_that_address_and_interrupt_removes_it() {
    let Some(go) = require_current_go_server() else { return };
    // The configuration file sits in the ports directory: nothing else is written there.
    let config = |dir: &str| {
        let file = Path::new(dir).join("ports.conf");
        std::fs::write(&file, format!("ports_file_dir: \"{dir}\"\n")).expect("config");
        vec!["-c".to_string(), file.to_str().expect("UTF-8 path").to_string()]
    };
    let (mut rnats, path, [text, go_text]) = both("config", &go, &["-a", "127.0.0.1", "-p", "-1"], config);
    assert_eq!(text, r#"{"nats":["nats://127.0.0.1:PORT"]}"#);
    assert_eq!(go_text, text);
    assert!(rnats.stop_with("INT"), "clean exit");
    assert!(!path.exists(), "the ports file is removed at exit");
    let _ = std::fs::remove_dir_all(path.parent().expect("ports dir"));
}
