//! Listening sockets opened the way nats-server's Go runtime opens them, and the accept loop
//! every listener shares, which pauses after errors the way nats-server does.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use crate::server::ServerState;

/// Linux caps this at `net.core.somaxconn` (4096 by default), which is what Go asks for.
const LISTEN_BACKLOG: i32 = 4096;

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
/// `::ffff:127.0.0.1`). `what` names the connections in the error line.
pub(crate) async fn accept_loop(
    state: Arc<ServerState>,
    listener: TcpListener,
    stop: Arc<Notify>,
    what: &'static str,
    mut serve: impl FnMut(&Arc<ServerState>, TcpStream, SocketAddr),
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => serve(&state, stream, SocketAddr::new(peer.ip().to_canonical(), peer.port())),
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    state.log.error(&format!("Error accepting {what} connection: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = stop.notified() => return,
        }
    }
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
}
