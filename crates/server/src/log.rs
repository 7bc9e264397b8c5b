//! Log lines in nats-server's format: `[pid] 2006/01/02 15:04:05.000000 [INF] text`.
//! Launchers and tools parse some of these lines, so the format is part of the contract.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

/// Where log lines go and which are written.
pub struct Logger {
    pid: u32,
    logtime: bool,
    debug: bool,
    trace: bool,
    sink: Mutex<Box<dyn Write + Send>>,
}

impl Logger {
    /// Logs to standard error, or to `file` (appending) when given.
    pub fn new(file: Option<&Path>, logtime: bool, debug: bool, trace: bool) -> io::Result<Logger> {
        let sink: Box<dyn Write + Send> = match file {
            Some(path) => Box::new(OpenOptions::new().create(true).append(true).open(path)?),
            None => Box::new(io::stderr()),
        };
        Ok(Logger { pid: std::process::id(), logtime, debug, trace, sink: Mutex::new(sink) })
    }

    /// A logger that drops everything (tests, embedding).
    pub fn silent() -> Logger {
        Logger { pid: 0, logtime: false, debug: false, trace: false, sink: Mutex::new(Box::new(io::sink())) }
    }

    fn write(&self, level: &str, text: &str) {
        let mut line = format!("[{}] ", self.pid);
        if self.logtime {
            line.push_str(&timestamp());
            line.push(' ');
        }
        line.push_str(level);
        line.push(' ');
        line.push_str(text);
        line.push('\n');
        let mut sink = self.sink.lock();
        // A log line that cannot be written has nowhere to be reported.
        let _ = sink.write_all(line.as_bytes());
        let _ = sink.flush();
    }

    /// `[INF]`.
    pub fn info(&self, text: &str) {
        self.write("[INF]", text);
    }
    /// `[WRN]`.
    pub fn warn(&self, text: &str) {
        self.write("[WRN]", text);
    }
    /// `[ERR]`.
    pub fn error(&self, text: &str) {
        self.write("[ERR]", text);
    }
    /// `[FTL]`.
    pub fn fatal(&self, text: &str) {
        self.write("[FTL]", text);
    }
    /// `[DBG]`, only with debug on.
    pub fn debug(&self, text: impl FnOnce() -> String) {
        if self.debug {
            self.write("[DBG]", &text());
        }
    }
    /// `[TRC]`, only with trace on.
    pub fn trace(&self, text: impl FnOnce() -> String) {
        if self.trace {
            self.write("[TRC]", &text());
        }
    }
    /// Whether trace lines are written.
    pub fn trace_enabled(&self) -> bool {
        self.trace
    }
}

/// UTC wall-clock time as `2006/01/02 15:04:05.000000`.
fn timestamp() -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}/{month:02}/{day:02} {:02}:{:02}:{:02}.{:06}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_micros()
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_514), (2026, 3, 2));
    }
}
