//! The server side of a TLS handshake, for every listener: within the TLS timeout, then the
//! client certificate (if any) checked against `pinned_certs`. Failures are logged with
//! nats-server's texts.

use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;

use crate::auth::CertIdentity;
use crate::log::Logger;
use crate::tls::ListenerTls;

/// An accepted TLS connection and the peer's verified certificate.
pub(crate) type Accepted = (Box<TlsStream<TcpStream>>, Option<CertIdentity>);

/// Runs the handshake on `stream`; `None` (logged under `label`) when it fails, times out, or
/// the certificate is not pinned.
pub(crate) async fn accept_tls(tls: &ListenerTls, stream: TcpStream, log: &Logger, label: &str) -> Option<Accepted> {
    let stream = match timeout(tls.timeout, tls.acceptor.accept(stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            log.error(&format!("{label} - TLS handshake error: {e}"));
            return None;
        }
        Err(_) => {
            log.error(&format!("{label} - TLS handshake timeout"));
            return None;
        }
    };
    let cert = crate::tls::peer_identity(stream.get_ref().1);
    if !tls.accepts_pin(cert.as_ref()) {
        log.error(&format!("{label} - TLS handshake error: certificate not pinned"));
        return None;
    }
    Some((Box::new(stream), cert))
}
