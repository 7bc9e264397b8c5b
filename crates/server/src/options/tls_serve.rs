//! Whether rnats can use a `tls` block nats-server accepts: rustls serves TLS 1.2/1.3 with
//! ECDHE AEAD suites, RSA keys of 2048 bits or more, ECDSA P-256/P-384 and Ed25519 keys. A
//! block it cannot honour is a security gap found when the file is read, so `-t` refuses what
//! the start would refuse, with the same reason.

use std::path::Path;

use rnats_conf::Pos;

use super::check::Ctx;
use super::TlsConfig;

/// A block this server accepts connections with (client or leaf node listener).
pub(crate) fn listener(ctx: &mut Ctx, pos: &Pos, block: &TlsConfig) {
    if !block.unsupported.is_empty() {
        return;
    }
    if let Err(e) = crate::tls::ListenerTls::new(&in_folder(&ctx.base_dir, block)) {
        let reason = as_written(&ctx.base_dir, block, &e.to_string());
        ctx.security_gap(pos, reason);
    }
}

/// A block this server connects with (a leaf node remote).
pub(crate) fn remote(ctx: &mut Ctx, pos: &Pos, block: &TlsConfig) {
    if let Err(e) = crate::tls::client_config(Some(&in_folder(&ctx.base_dir, block))) {
        let reason = as_written(&ctx.base_dir, block, &e.to_string());
        ctx.security_gap(pos, reason);
    }
}

/// The reason with file names shown as the configuration writes them.
fn as_written(base: &Path, block: &TlsConfig, reason: &str) -> String {
    let pairs = block.certs.iter().flat_map(|(cert, key)| [cert, key]);
    let written = [&block.cert_file, &block.key_file, &block.ca_file].into_iter().flatten().chain(pairs);
    written.fold(reason.to_string(), |reason, path| {
        reason.replace(&base.join(path).display().to_string(), &path.display().to_string())
    })
}

/// The block with relative file names taken from `base` (nats-server's working folder).
fn in_folder(base: &Path, block: &TlsConfig) -> TlsConfig {
    let mut block = block.clone();
    for path in [&mut block.cert_file, &mut block.key_file, &mut block.ca_file].into_iter().flatten() {
        *path = base.join(&*path);
    }
    for (cert, key) in &mut block.certs {
        *cert = base.join(&*cert);
        *key = base.join(&*key);
    }
    block
}
