//! The files a `tls` block names must be readable and hold what Go expects when the
//! configuration is read: nats-server loads them then (`GenTLSConfig`), so `-t` fails on a
//! missing or wrong one, at the block's key, with the path as written and Go's words
//! (`tls_pem`). Whether rustls can serve what Go accepts is checked next (`tls_serve`).

use std::io::Read;
use std::path::Path;

use rnats_conf::Pos;

use super::check::Ctx;
use super::tls_pem;
use super::TlsConfig;
use crate::errors::go_os_error;

/// Records nats-server's error for the first file of `block` that cannot be read or does not
/// hold what it should (in its order: the certificate and key, then the CA file). Relative
/// paths are taken from `ctx.base_dir`, as nats-server takes them from its working folder.
pub(crate) fn check(ctx: &mut Ctx, pos: &Pos, block: &TlsConfig) -> bool {
    let base = ctx.base_dir.clone();
    let pair = |cert: &Path, key: &Path| -> Result<(), String> {
        let (cert, key) = (read(&base, cert)?, read(&base, key)?);
        tls_pem::key_pair(&cert, &key)
    };
    let problem = match (&block.cert_file, &block.key_file) {
        (Some(cert), Some(key)) => {
            pair(cert, key).err().map(|e| format!("error parsing X509 certificate/key pair: {e}"))
        }
        _ => {
            let total = block.certs.len();
            block.certs.iter().enumerate().find_map(|(i, (cert, key))| {
                let e = pair(cert, key).err()?;
                Some(format!("error parsing X509 certificate/key pair {}/{total}: {e}", i + 1))
            })
        }
    };
    let ca = |path: &Path| read(&base, path).and_then(|pem| tls_pem::ca_certificates(&pem)).err();
    let problem = problem.or_else(|| block.ca_file.as_deref().and_then(ca));
    match problem {
        Some(message) => {
            ctx.error(pos, message);
            false
        }
        None => true,
    }
}

/// The contents of `path` (taken from `base` when relative), or why it cannot be read, as Go
/// words it: `open PATH: no such file or directory`, `read PATH: is a directory`.
fn read(base: &Path, path: &Path) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let mut file = std::fs::File::open(base.join(path)).map_err(|e| format!("open {shown}: {}", go_os_error(&e)))?;
    let mut contents = Vec::new();
    file.read_to_end(&mut contents).map_err(|e| format!("read {shown}: {}", go_os_error(&e)))?;
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_gos() {
        let dir = std::env::temp_dir();
        assert_eq!(
            read(&dir, Path::new("rnats-no-such-file.pem")).err().as_deref(),
            Some("open rnats-no-such-file.pem: no such file or directory")
        );
        assert_eq!(read(Path::new("/"), Path::new("tmp")).err().as_deref(), Some("read tmp: is a directory"));
        assert!(read(Path::new("/"), Path::new("/proc/self/status")).is_ok());
    }
}
