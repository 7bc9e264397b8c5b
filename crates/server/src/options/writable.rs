//! Whether a file the server writes at start (pid file, log file) can be opened for writing,
//! found out without creating or changing it, in Go's words for the failure (`open PATH: no
//! such file or directory`), so `-t` can refuse what the start would fail on. (A folder that
//! exists but may not be written to is only found out at start.)

use std::path::Path;

use crate::errors::go_os_error;

/// `Err(open PATH: reason)` when opening `path` (relative ones from `base`) to write would
/// fail; the path is shown as written.
pub(crate) fn check(base: &Path, path: &Path) -> Result<(), String> {
    let full = base.join(path);
    let failure = |e: std::io::Error| format!("open {}: {}", path.display(), go_os_error(&e));
    let errno = |code| std::io::Error::from_raw_os_error(code);
    match std::fs::metadata(&full) {
        Ok(meta) if meta.is_dir() => Err(failure(errno(libc::EISDIR))),
        // Opened to append, not created and not written: the file stays as it is.
        Ok(_) => std::fs::OpenOptions::new().append(true).open(&full).map(drop).map_err(failure),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = full.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            match std::fs::metadata(parent) {
                Ok(meta) if meta.is_dir() => Ok(()),
                Ok(_) => Err(failure(errno(libc::ENOTDIR))),
                Err(e) => Err(failure(e)),
            }
        }
        Err(e) => Err(failure(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_as_go_gives_them() {
        let base = std::env::temp_dir();
        assert_eq!(check(&base, Path::new("rnats-writable-test.pid")), Ok(()));
        assert_eq!(
            check(&base, Path::new("no-such-dir/x.pid")),
            Err("open no-such-dir/x.pid: no such file or directory".into())
        );
        assert_eq!(check(Path::new("/"), Path::new("tmp")), Err("open tmp: is a directory".into()));
    }
}
