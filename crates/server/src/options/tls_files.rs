//! The files a `tls` block names must be readable when the configuration is read: nats-server
//! loads them then (`GenTLSConfig`), so `-t` fails on a missing one, at the block's key, with
//! the path as written. What the files contain is checked when the server starts
//! (`crate::tls`), because settings rustls cannot serve must still pass `-t` as they do in
//! nats-server.

use std::io::Read;
use std::path::Path;

use rnats_conf::Pos;

use super::check::Ctx;
use super::TlsConfig;
use crate::errors::go_os_error;

/// Records nats-server's error for the first file of `block` that cannot be read (in its
/// order: the certificate and key, then the CA file). Relative paths are taken from
/// `ctx.base_dir`, as nats-server takes them from its working folder.
pub(crate) fn check(ctx: &mut Ctx, pos: &Pos, block: &TlsConfig) -> bool {
    let base = ctx.base_dir.clone();
    let unreadable = |path: &Path| read_error(&base, path);
    let problem = match (&block.cert_file, &block.key_file) {
        (Some(cert), Some(key)) => unreadable(cert)
            .or_else(|| unreadable(key))
            .map(|e| format!("error parsing X509 certificate/key pair: {e}")),
        _ => {
            let total = block.certs.len();
            block.certs.iter().enumerate().find_map(|(i, (cert, key))| {
                let e = unreadable(cert).or_else(|| unreadable(key))?;
                Some(format!("error parsing X509 certificate/key pair {}/{total}: {e}", i + 1))
            })
        }
    };
    let problem = problem.or_else(|| block.ca_file.as_deref().and_then(unreadable));
    match problem {
        Some(message) => {
            ctx.error(pos, message);
            false
        }
        None => true,
    }
}

/// Why `path` (taken from `base` when relative) cannot be read, as Go words it: `open PATH:
/// no such file or directory`, `read PATH: is a directory`.
fn read_error(base: &Path, path: &Path) -> Option<String> {
    let full = base.join(path);
    let shown = path.display();
    let mut file = match std::fs::File::open(&full) {
        Ok(file) => file,
        Err(e) => return Some(format!("open {shown}: {}", go_os_error(&e))),
    };
    // Reading to the end is what nats-server does; the bytes themselves are not kept.
    let mut sink = [0u8; 8192];
    loop {
        match file.read(&mut sink) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Some(format!("read {shown}: {}", go_os_error(&e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_gos() {
        let dir = std::env::temp_dir();
        assert_eq!(
            read_error(&dir, Path::new("rnats-no-such-file.pem")).as_deref(),
            Some("open rnats-no-such-file.pem: no such file or directory")
        );
        assert_eq!(read_error(Path::new("/"), Path::new("tmp")).as_deref(), Some("read tmp: is a directory"));
        assert_eq!(read_error(Path::new("/"), Path::new("/proc/self/status")), None);
    }
}
