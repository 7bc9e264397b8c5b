//! Where `include` looks: Go's `filepath.Join(filepath.Dir(including file), path)`, which
//! cleans the result lexically and, unlike `Path::join`, keeps an absolute `path` under the
//! folder (`include "/etc/x.conf"` in `configs/a.conf` opens `configs/etc/x.conf`).
//! nats-server names the included file that way in its messages, so positions do too.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest file read (config or include): a guard against `include /dev/zero`.
pub(crate) const MAX_FILE_BYTES: u64 = 64 << 20;

/// Reads `path` whole, refusing anything larger than [`MAX_FILE_BYTES`].
pub(crate) fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut data = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut data)?;
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!("file larger than {MAX_FILE_BYTES} bytes")));
    }
    Ok(data)
}

/// The path nats-server opens for `include <target>` in the file `including`.
pub(crate) fn include_path(including: &Path, target: &str) -> PathBuf {
    PathBuf::from(join(&dir(&including.to_string_lossy()), target))
}

/// Go's `filepath.Clean` (Unix): collapses `//`, drops `.`, resolves `..` lexically.
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".to_string()
    } else {
        body
    }
}

/// Go's `filepath.Dir`: everything before the last `/`, cleaned (`.` when there is none).
pub(crate) fn dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(path.get(..=i).unwrap_or("/")),
        None => ".".to_string(),
    }
}

/// Go's `filepath.Join` of two elements: the non-empty ones joined by `/`, cleaned.
pub(crate) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => clean(b),
        (false, true) => clean(a),
        (false, false) => clean(&format!("{a}/{b}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_path_rules() {
        assert_eq!(clean(""), ".");
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("../a/../.."), "../..");
        assert_eq!(clean("/../a"), "/a");
        assert_eq!(dir("t.conf"), ".");
        assert_eq!(dir("configs/a.conf"), "configs");
        assert_eq!(dir("/a.conf"), "/");
        assert_eq!(dir(""), ".");
        assert_eq!(join(".", "x.conf"), "x.conf");
        assert_eq!(join("configs", "./b.conf"), "configs/b.conf");
        assert_eq!(join("configs", "/tmp/x.conf"), "configs/tmp/x.conf");
        assert_eq!(join(".", "/tmp/x.conf"), "tmp/x.conf");
        assert_eq!(join("/", "/tmp/x.conf"), "/tmp/x.conf");
    }

    #[test]
    fn include_paths() {
        let p = include_path(Path::new("configs/include_bad_conf_check_a.conf"), "include_bad_conf_check_b.conf");
        assert_eq!(p, PathBuf::from("configs/include_bad_conf_check_b.conf"));
        assert_eq!(include_path(Path::new("t.conf"), "../x.conf"), PathBuf::from("../x.conf"));
        assert_eq!(include_path(Path::new(""), "x.conf"), PathBuf::from("x.conf"));
    }
}
