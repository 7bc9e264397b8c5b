//! Listening sockets opened the way nats-server's Go runtime opens them, and the accept loop
//! every listener shares, which pauses after errors the way nats-server does.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::errors::go_os_error;
use crate::server::ServerState;

/// Linux caps this at `net.core.somaxconn` (4096 by default), which is what Go asks for.
const LISTEN_BACKLOG: i32 = 4096;
/// The first pause after a temporary accept error; it doubles with each error in a row up to
/// `ACCEPT_MAX_SLEEP` (nats-server's constants), so a server out of file descriptors logs
/// about once a second instead of spinning.
const ACCEPT_MIN_SLEEP: Duration = Duration::from_millis(10);
const ACCEPT_MAX_SLEEP: Duration = Duration::from_secs(1);

/// Binds like Go's `net.Listen("tcp", "host:port")`: address reuse on, the full accept
/// backlog (a burst of reconnecting clients is not dropped while the loop catches up). A
/// wildcard host (`0.0.0.0`, `::` or none) gets one IPv6 socket that takes IPv4 too, as Go
/// does on Linux, so `[::1]` reaches a server started without `-a`; a host without IPv6 gets
/// the IPv4 wildcard.
pub(crate) async fn bind(host: &str, port: u16) -> io::Result<TcpListener> {
    if is_wildcard(host) {
        return match listen_on(SocketAddr::from((Ipv6Addr::UNSPECIFIED, port))) {
            Err(e) if ipv6_unavailable(&e) => listen_on(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port))),
            bound => bound,
        };
    }
    let mut last_error = io::Error::new(io::ErrorKind::AddrNotAvailable, format!("cannot resolve {host}"));
    for addr in tokio::net::lookup_host((host, port)).await? {
        match listen_on(addr) {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

fn is_wildcard(host: &str) -> bool {
    host.is_empty() || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_unspecified())
}

fn ipv6_unavailable(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(libc::EAFNOSUPPORT | libc::EADDRNOTAVAIL | libc::EPROTONOSUPPORT))
}

fn listen_on(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        socket.set_only_v6(false)?;
    }
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    socket.set_nonblocking(true)?;
    TcpListener::from_std(socket.into())
}

/// Accepts until `stop` is notified, handing each connection to `serve` with its peer address
/// as Go reports it (an IPv4 client of a dual-stack socket is `127.0.0.1`, not
/// `::ffff:127.0.0.1`). `name` is the listener in nats-server's error lines (`Client`,
/// `Leafnode`).
pub(crate) async fn accept_loop(
    state: Arc<ServerState>,
    listener: TcpListener,
    stop: Arc<Notify>,
    name: &'static str,
    mut serve: impl FnMut(&Arc<ServerState>, TcpStream, SocketAddr),
) {
    let mut delay = ACCEPT_MIN_SLEEP;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.notified() => return,
        };
        let error = match accepted {
            Ok((stream, peer)) => {
                delay = ACCEPT_MIN_SLEEP;
                serve(&state, stream, SocketAddr::new(peer.ip().to_canonical(), peer.port()));
                continue;
            }
            // Go's runtime retries an aborted handshake without a word.
            Err(e) if e.raw_os_error() == Some(libc::ECONNABORTED) => continue,
            Err(e) => e,
        };
        let text = go_accept_error(&listener, &error);
        let temporary = is_temporary(&error);
        if temporary {
            state.log.error(&format!("Temporary {name} Accept Error({text}), sleeping {}ms", delay.as_millis()));
        } else {
            state.log.error(&format!("{name} Accept error: {text}"));
        }
        // nats-server retries a permanent error at once; a pause keeps this loop from spinning
        // on one, without changing what is logged.
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.notified() => return,
        }
        if temporary {
            delay = (delay * 2).min(ACCEPT_MAX_SLEEP);
        }
    }
}

/// Go's `Errno.Temporary` for accept: out of descriptors, interrupted, timed out, reset.
fn is_temporary(error: &io::Error) -> bool {
    matches!(
        error.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::EINTR | libc::EAGAIN | libc::ETIMEDOUT | libc::ECONNRESET)
    )
}

/// The error as Go's `net.OpError` prints it: `accept tcp [::]:4222: accept4: too many open
/// files`.
fn go_accept_error(listener: &TcpListener, error: &io::Error) -> String {
    let local = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    if error.raw_os_error().is_none() {
        return format!("accept tcp {local}: {error}");
    }
    format!("accept tcp {local}: accept4: {}", go_os_error(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_hosts() {
        for host in ["", "0.0.0.0", "::"] {
            assert!(is_wildcard(host), "{host:?}");
        }
        for host in ["127.0.0.1", "::1", "localhost", "10.0.0.1"] {
            assert!(!is_wildcard(host), "{host:?}");
        }
    }

    #[tokio::test]
    async fn accept_errors_read_as_go_prints_them() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let text = go_accept_error(&listener, &io::Error::from_raw_os_error(libc::EMFILE));
        assert_eq!(text, format!("accept tcp 127.0.0.1:{port}: accept4: too many open files"));
        assert!(is_temporary(&io::Error::from_raw_os_error(libc::ENFILE)));
        assert!(!is_temporary(&io::Error::from_raw_os_error(libc::ENOBUFS)));
    }
}
