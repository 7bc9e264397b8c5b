//! Just enough of the client protocol for load: buffered PUB frames out, MSG frames counted in
//! without copying payloads.

use std::io::{self, BufWriter, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A connection that has sent CONNECT and seen its PONG.
pub struct Conn {
    pub stream: TcpStream,
    /// Bytes after the last complete frame, carried into the next read.
    pending: Vec<u8>,
    /// Payload bytes (plus CRLF) still to skip from the last MSG header.
    skip: usize,
    read_buf: Vec<u8>,
}

impl Conn {
    /// Connects with a user and password (for servers with accounts).
    pub fn connect_as(addr: SocketAddr, auth: Option<&(String, String)>) -> io::Result<Conn> {
        Self::connect_with(addr, None, auth)
    }

    /// Connects, binding the local side to `source` when given.
    pub fn connect_from(addr: SocketAddr, source: Option<std::net::IpAddr>) -> io::Result<Conn> {
        Self::connect_with(addr, source, None)
    }

    /// Connects, binding the local side to `source` when given (to spread many connections over
    /// several loopback addresses: one source address runs out of ports near 28 000), as `auth`.
    fn connect_with(
        addr: SocketAddr,
        source: Option<std::net::IpAddr>,
        auth: Option<&(String, String)>,
    ) -> io::Result<Conn> {
        let stream = match source {
            None => TcpStream::connect(addr)?,
            Some(ip) => {
                let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
                socket.bind(&SocketAddr::new(ip, 0).into())?;
                socket.connect(&addr.into())?;
                socket.into()
            }
        };
        stream.set_nodelay(true)?;
        let mut conn = Conn { stream, pending: Vec::new(), skip: 0, read_buf: Vec::new() };
        let credentials = auth.map(|(user, pass)| format!(",\"user\":{user:?},\"pass\":{pass:?}")).unwrap_or_default();
        let connect = format!(
            "CONNECT {{\"verbose\":false,\"pedantic\":false,\"headers\":true,\"protocol\":1{credentials}}}\r\nPING\r\n"
        );
        conn.stream.write_all(connect.as_bytes())?;
        conn.wait_pong(Duration::from_secs(30))?;
        Ok(conn)
    }

    /// Sends raw bytes.
    pub fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Waits for a PONG (after a PING the caller sent), counting any MSGs on the way.
    pub fn wait_pong(&mut self, timeout: Duration) -> io::Result<u64> {
        let deadline = Instant::now() + timeout;
        let mut msgs = 0;
        loop {
            let (n, pong) = self.read_some(deadline)?;
            msgs += n;
            if pong {
                return Ok(msgs);
            }
        }
    }

    /// Reads until `want` MSGs have arrived or the deadline passes; returns how many arrived.
    pub fn count_msgs(&mut self, want: u64, deadline: Instant) -> io::Result<u64> {
        if self.read_buf.len() < 256 * 1024 {
            self.read_buf = vec![0; 256 * 1024];
        }
        let mut got = 0;
        while got < want {
            match self.read_some(deadline) {
                Ok((n, _)) => got += n,
                Err(e) if e.kind() == io::ErrorKind::TimedOut => break,
                Err(e) => return Err(e),
            }
        }
        Ok(got)
    }

    /// One read: returns (MSGs completed, whether a PONG was seen). Answers server PINGs.
    fn read_some(&mut self, deadline: Instant) -> io::Result<(u64, bool)> {
        let now = Instant::now();
        if now >= deadline {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline"));
        }
        self.stream.set_read_timeout(Some(deadline - now))?;
        if self.read_buf.is_empty() {
            // Small for handshakes, so thousands of idle connections stay cheap in the tool.
            self.read_buf = vec![0; 4 * 1024];
        }
        let n = match self.stream.read(&mut self.read_buf) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "server closed the connection")),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline"))
            }
            Err(e) => return Err(e),
        };
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(&self.read_buf[..n]);
        let (msgs, pong, ping, used) = scan(&data, &mut self.skip);
        self.pending = data[used..].to_vec();
        if ping {
            self.stream.write_all(b"PONG\r\n")?;
        }
        Ok((msgs, pong))
    }
}

/// Scans complete frames in `data`: returns (MSG/HMSG count, PONG seen, PING seen, bytes used).
fn scan(data: &[u8], skip: &mut usize) -> (u64, bool, bool, usize) {
    let mut i = 0;
    let (mut msgs, mut pong, mut ping) = (0, false, false);
    loop {
        if *skip > 0 {
            let take = (*skip).min(data.len() - i);
            i += take;
            *skip -= take;
            if *skip > 0 {
                break;
            }
            msgs += 1;
            continue;
        }
        let Some(nl) = data[i..].iter().position(|&b| b == b'\n') else { break };
        let line = &data[i..i + nl];
        i += nl + 1;
        if line.starts_with(b"MSG ") || line.starts_with(b"HMSG ") {
            let last = line.rsplit(|&b| b == b' ').next().unwrap_or(b"0");
            let size: usize = std::str::from_utf8(last).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
            *skip = size + 2;
        } else if line.starts_with(b"PONG") {
            pong = true;
        } else if line.starts_with(b"PING") {
            ping = true;
        } else if line.starts_with(b"-ERR") {
            eprintln!("server error: {}", String::from_utf8_lossy(line));
        }
    }
    (msgs, pong, ping, i)
}

/// A buffer of `count` PUB frames on `subject` with `size`-byte payloads, for batched writes.
pub fn pub_frames(subject: &str, size: usize, count: usize) -> Vec<u8> {
    let mut frame = format!("PUB {subject} {size}\r\n").into_bytes();
    frame.extend(std::iter::repeat_n(b'x', size));
    frame.extend_from_slice(b"\r\n");
    frame.repeat(count)
}

/// Publishes `total` messages as fast as the socket takes them, in batches of ~64 KiB, then
/// PINGs and waits for the PONG (so the server has processed every one).
pub fn publish(conn: &mut Conn, subject: &str, size: usize, total: u64) -> io::Result<()> {
    let per_batch = (64 * 1024 / (size + subject.len() + 16)).max(1);
    let batch = pub_frames(subject, size, per_batch);
    let mut writer = BufWriter::with_capacity(256 * 1024, conn.stream.try_clone()?);
    let mut sent = 0u64;
    while sent + per_batch as u64 <= total {
        writer.write_all(&batch)?;
        sent += per_batch as u64;
    }
    let rest = (total - sent) as usize;
    writer.write_all(&batch[..batch.len() / per_batch * rest])?;
    writer.write_all(b"PING\r\n")?;
    writer.flush()?;
    drop(writer);
    conn.wait_pong(Duration::from_secs(600))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_counts_across_splits() {
        let data = b"INFO {}\r\nMSG a 1 5\r\nhello\r\nHMSG a 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPONG\r\n";
        for cut in 0..data.len() {
            let mut skip = 0;
            let (m1, p1, _, used) = scan(&data[..cut], &mut skip);
            let mut rest = data[used..cut].to_vec();
            rest.extend_from_slice(&data[cut..]);
            let (m2, p2, _, _) = scan(&rest, &mut skip);
            assert_eq!(m1 + m2, 2, "cut {cut}");
            assert!(p1 || p2);
        }
    }
}
