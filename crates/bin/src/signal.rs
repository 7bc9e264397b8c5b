//! Signals: the ones the server acts on, and `-sl` to send them to a running server.

use std::process::Command;

use rnats::log::Logger;
use tokio::signal::unix::{signal, Signal, SignalKind};

/// The signals nats-server handles, registered up front.
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
    user1: Signal,
    user2: Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
            user1: signal(SignalKind::user_defined1())?,
            user2: signal(SignalKind::user_defined2())?,
        })
    }

    /// Waits for SIGINT or SIGTERM (returning its name as nats-server logs it). SIGHUP
    /// (reload), SIGUSR1 (reopen log) and SIGUSR2 (lame duck) must not kill the server as
    /// their default action would; until those features exist they are logged and ignored.
    pub async fn wait_for_stop(&mut self, log: &Logger) -> &'static str {
        loop {
            tokio::select! {
                _ = self.interrupt.recv() => return "interrupt",
                _ = self.terminate.recv() => return "terminated",
                _ = self.hangup.recv() => log.warn("Trapped \"hangup\" signal: config reload is not implemented yet"),
                _ = self.user1.recv() => log.warn("Trapped \"user defined signal 1\": log reopening is not implemented yet"),
                _ = self.user2.recv() => log.warn("Trapped \"user defined signal 2\": lame duck mode is not implemented yet"),
            }
        }
    }
}

/// `-sl COMMAND[=PID]`: PID is a number or a pid file; without it, the one running
/// rnats-server process.
pub fn send(spec: &str) -> Result<(), String> {
    let (command, target) = match spec.split_once('=') {
        Some((command, target)) => (command, Some(target)),
        None => (spec, None),
    };
    let signal = match command {
        "stop" => "KILL",
        "quit" => "INT",
        "term" => "TERM",
        "reopen" => "USR1",
        "reload" => "HUP",
        "ldm" => "USR2",
        other => return Err(format!("unknown signal {other:?}")),
    };
    let pid = match target {
        Some(target) => resolve_pid(target)?,
        None => find_server_pid()?,
    };
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .map_err(|e| format!("cannot run kill: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed to send signal {signal} to process {pid}"))
    }
}

fn resolve_pid(target: &str) -> Result<u32, String> {
    if let Ok(pid) = target.parse() {
        return Ok(pid);
    }
    let text = std::fs::read_to_string(target).map_err(|e| format!("could not read pid file {target}: {e}"))?;
    text.trim().parse().map_err(|_| format!("invalid pid file {target}: {:?}", text.trim()))
}

fn find_server_pid() -> Result<u32, String> {
    let out =
        Command::new("pgrep").args(["-x", "rnats-server"]).output().map_err(|e| format!("cannot run pgrep: {e}"))?;
    let own = std::process::id();
    let pids: Vec<u32> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .filter(|&p| p != own)
        .collect();
    match pids.as_slice() {
        [pid] => Ok(*pid),
        [] => Err("no rnats-server processes running".to_string()),
        many => Err(format!(
            "multiple rnats-server processes running:\n{}",
            many.iter().map(u32::to_string).collect::<Vec<_>>().join("\n")
        )),
    }
}
