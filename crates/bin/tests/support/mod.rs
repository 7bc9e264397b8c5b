//! A server process (rnats-server or Go's nats-server) for binary-level tests: its own
//! temporary directory, its log in a file there, polled rather than slept on.

#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The rnats binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_rnats-server");

/// How long a server may take to start, or to do what a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// A fresh, empty temporary directory for this test process.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rnats-bin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A running server process; killed and its directory removed when dropped.
pub struct Process {
    child: Child,
    /// The process's own temporary directory.
    pub dir: PathBuf,
    log: PathBuf,
}

impl Process {
    /// Runs `program` with `args` plus `-l <dir>/server.log`, under `sh -c` with `shell_prefix`
    /// first when given (such as `ulimit -n 40`), and waits until it is ready.
    pub fn start(name: &str, program: &Path, args: &[&str], shell_prefix: Option<&str>) -> Process {
        let dir = scratch_dir(name);
        let log = dir.join("server.log");
        let mut command = match shell_prefix {
            Some(prefix) => {
                let mut sh = Command::new("sh");
                sh.arg("-c").arg(format!("{prefix} && exec \"$0\" \"$@\"")).arg(program);
                sh
            }
            None => Command::new(program),
        };
        let child = command
            .args(args)
            .arg("-l")
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn server");
        let process = Process { child, dir, log };
        assert!(process.wait_log(|text| text.contains("Server is ready")), "{name} did not start");
        process
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Polls the log until `done` holds for its text (false after [`PATIENCE`]).
    pub fn wait_log(&self, mut done: impl FnMut(&str) -> bool) -> bool {
        rnats_testkit::wait_for(PATIENCE, || done(&self.log_text()))
    }

    /// The client port from the `Listening for client connections on` line.
    pub fn client_port(&self) -> u16 {
        let text = self.log_text();
        let line = text.lines().find_map(|l| l.split("Listening for client connections on ").nth(1));
        line.and_then(|addr| addr.rsplit(':').next()).and_then(|p| p.parse().ok()).expect("listening line")
    }

    /// Sends `signal` (`TERM`, `INT`, ...) and waits for the exit; true on a clean exit.
    pub fn stop_with(&mut self, signal: &str) -> bool {
        let _ = Command::new("kill").args([format!("-{signal}"), self.pid().to_string()]).status();
        self.child.wait().is_ok_and(|status| status.success())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
