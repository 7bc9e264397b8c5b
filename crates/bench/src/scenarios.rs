//! The load scenarios. Each returns figures measured over its busy period only.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::procstat::{cpu_ns, rss_bytes};
use crate::wire::{pub_frames, publish, Conn};
use crate::Args;

/// One measured figure.
pub struct Figure {
    pub scenario: String,
    pub size: usize,
    /// Units counted (messages, deliveries, requests, connections).
    pub units: u64,
    pub unit: &'static str,
    pub secs: f64,
    pub server_cpu_ns: Option<u64>,
    pub client_cpu_ns: Option<u64>,
    /// Extra named values (latency percentiles, memory per connection, losses).
    pub extra: Vec<(&'static str, f64)>,
}

impl Figure {
    fn rate(&self) -> f64 {
        self.units as f64 / self.secs.max(1e-9)
    }

    pub fn table_line(&self) -> String {
        let per = |cpu: Option<u64>| {
            cpu.map(|ns| format!("{:.0}", ns as f64 / self.units.max(1) as f64)).unwrap_or_else(|| "-".into())
        };
        let mut line = format!(
            "{:<12} {:>6} B {:>10} {:<11} {:>8.3} s {:>12.0} {}/s  server {:>6} ns/{}  client {:>6} ns/{}",
            self.scenario,
            self.size,
            self.units,
            self.unit,
            self.secs,
            self.rate(),
            self.unit,
            per(self.server_cpu_ns),
            self.unit,
            per(self.client_cpu_ns),
            self.unit
        );
        for (name, value) in &self.extra {
            line.push_str(&format!("  {name}={value:.1}"));
        }
        line
    }

    pub fn json_line(&self, label: &str) -> String {
        let mut json = format!(
            "{{\"label\":\"{label}\",\"scenario\":\"{}\",\"size\":{},\"units\":{},\"unit\":\"{}\",\"secs\":{:.6},\"rate\":{:.1}",
            self.scenario,
            self.size,
            self.units,
            self.unit,
            self.secs,
            self.rate()
        );
        if let Some(ns) = self.server_cpu_ns {
            json.push_str(&format!(",\"server_cpu_ns_per_unit\":{:.1}", ns as f64 / self.units.max(1) as f64));
        }
        if let Some(ns) = self.client_cpu_ns {
            json.push_str(&format!(",\"client_cpu_ns_per_unit\":{:.1}", ns as f64 / self.units.max(1) as f64));
        }
        for (name, value) in &self.extra {
            json.push_str(&format!(",\"{name}\":{value:.3}"));
        }
        json.push('}');
        json
    }
}

/// CPU and wall clock over a busy period.
struct Meter {
    start: Instant,
    server_pid: u32,
    server_cpu: Option<u64>,
    client_cpu: Option<u64>,
    progress: Arc<AtomicBool>,
}

impl Meter {
    fn start(args: &Args) -> Meter {
        let progress = Arc::new(AtomicBool::new(true));
        let running = Arc::clone(&progress);
        // A dot a second on stderr for long runs, so a slow run is visibly alive.
        thread::spawn(move || {
            let mut ticks = 0;
            while running.load(Ordering::Relaxed) {
                thread::sleep(Duration::from_millis(100));
                ticks += 1;
                if ticks % 10 == 0 && running.load(Ordering::Relaxed) {
                    eprint!(".");
                }
            }
        });
        Meter {
            start: Instant::now(),
            server_pid: args.server_pid,
            server_cpu: (args.server_pid != 0).then(|| cpu_ns(args.server_pid)).flatten(),
            client_cpu: cpu_ns(0),
            progress,
        }
    }

    fn finish(self, scenario: &str, size: usize, units: u64, unit: &'static str) -> Figure {
        let secs = self.start.elapsed().as_secs_f64();
        self.progress.store(false, Ordering::Relaxed);
        let server_cpu_ns = match (self.server_cpu, cpu_ns(self.server_pid)) {
            (Some(before), Some(after)) if self.server_pid != 0 => Some(after - before),
            _ => None,
        };
        let client_cpu_ns = match (self.client_cpu, cpu_ns(0)) {
            (Some(before), Some(after)) => Some(after - before),
            _ => None,
        };
        Figure {
            scenario: scenario.to_string(),
            size,
            units,
            unit,
            secs,
            server_cpu_ns,
            client_cpu_ns,
            extra: Vec::new(),
        }
    }
}

pub fn run(scenario: &str, args: &Args) -> io::Result<Vec<Figure>> {
    match scenario {
        "pub" => publish_only(args),
        "pubsub" => fan_out(args, 1, "pubsub"),
        "fanout" => fan_out(args, args.clients, "fanout"),
        "fanin" => fan_in(args),
        "queue" => queue(args),
        "reqrep" => request_reply(args),
        "idle" => idle(args),
        "subs100k" => many_subscriptions(args),
        "calibrate" => calibrate(args),
        other => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("unknown scenario {other}"))),
    }
    .inspect(|_| eprintln!())
}

fn publish_only(args: &Args) -> io::Result<Vec<Figure>> {
    let mut publisher = Conn::connect_as(args.addr, args.pub_auth.as_ref())?;
    let meter = Meter::start(args);
    publish(&mut publisher, "bench.pub", args.size, args.msgs)?;
    Ok(vec![meter.finish("pub", args.size, args.msgs, "msg")])
}

/// Subscribers that each count `want` messages on their own thread; returns their counts.
fn counting_subscribers(
    args: &Args,
    count: usize,
    sub_line: impl Fn(usize) -> String,
    want: u64,
) -> io::Result<Vec<thread::JoinHandle<io::Result<u64>>>> {
    let mut handles = Vec::new();
    for i in 0..count {
        let mut conn = Conn::connect_as(args.addr, args.sub_auth.as_ref())?;
        conn.send(format!("{}PING\r\n", sub_line(i)).as_bytes())?;
        conn.wait_pong(Duration::from_secs(30))?;
        let deadline = Instant::now() + args.timeout;
        handles.push(thread::spawn(move || conn.count_msgs(want, deadline)));
    }
    Ok(handles)
}

fn join_counts(handles: Vec<thread::JoinHandle<io::Result<u64>>>) -> io::Result<Vec<u64>> {
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("subscriber thread panicked"))))
        .collect()
}

fn fan_out(args: &Args, subscribers: usize, name: &str) -> io::Result<Vec<Figure>> {
    let subs = counting_subscribers(args, subscribers, |i| format!("SUB bench.fan {i}\r\n"), args.msgs)?;
    let mut publisher = Conn::connect_as(args.addr, args.pub_auth.as_ref())?;
    let meter = Meter::start(args);
    publish(&mut publisher, "bench.fan", args.size, args.msgs)?;
    let counts = join_counts(subs)?;
    let delivered: u64 = counts.iter().sum();
    let mut figure = meter.finish(name, args.size, delivered, "delivery");
    figure.extra.push(("lost", (args.msgs * subscribers as u64 - delivered) as f64));
    figure.extra.push(("subscribers", subscribers as f64));
    Ok(vec![figure])
}

fn fan_in(args: &Args) -> io::Result<Vec<Figure>> {
    let per_publisher = args.msgs / args.clients as u64;
    let total = per_publisher * args.clients as u64;
    let subs = counting_subscribers(args, 1, |_| "SUB bench.in 1\r\n".into(), total)?;
    let mut publishers = Vec::new();
    for _ in 0..args.clients {
        publishers.push(Conn::connect_as(args.addr, args.pub_auth.as_ref())?);
    }
    let meter = Meter::start(args);
    let size = args.size;
    let handles: Vec<_> = publishers
        .into_iter()
        .map(|mut conn| thread::spawn(move || publish(&mut conn, "bench.in", size, per_publisher)))
        .collect();
    for handle in handles {
        handle.join().unwrap_or_else(|_| Err(io::Error::other("publisher thread panicked")))?;
    }
    let delivered: u64 = join_counts(subs)?.iter().sum();
    let mut figure = meter.finish("fanin", args.size, delivered, "msg");
    figure.extra.push(("lost", (total - delivered) as f64));
    figure.extra.push(("publishers", args.clients as f64));
    Ok(vec![figure])
}

fn queue(args: &Args) -> io::Result<Vec<Figure>> {
    // Each member counts until the group as a whole has everything, then a short quiet period
    // shows whether anything arrived twice.
    let members = 4;
    let total = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for i in 0..members {
        let mut conn = Conn::connect_as(args.addr, args.sub_auth.as_ref())?;
        conn.send(format!("SUB bench.q workers {i}\r\nPING\r\n").as_bytes())?;
        conn.wait_pong(Duration::from_secs(30))?;
        let total = Arc::clone(&total);
        let (want, deadline) = (args.msgs, Instant::now() + args.timeout);
        handles.push(thread::spawn(move || -> io::Result<(u64, Conn)> {
            let mut mine = 0;
            while total.load(Ordering::Relaxed) < want && Instant::now() < deadline {
                let step = conn.count_msgs(1, (Instant::now() + Duration::from_millis(50)).min(deadline))?;
                mine += step;
                total.fetch_add(step, Ordering::Relaxed);
            }
            Ok((mine, conn))
        }));
    }
    let mut publisher = Conn::connect_as(args.addr, args.pub_auth.as_ref())?;
    let meter = Meter::start(args);
    publish(&mut publisher, "bench.q", args.size, args.msgs)?;
    let mut members_done = Vec::new();
    for handle in handles {
        members_done.push(handle.join().unwrap_or_else(|_| Err(io::Error::other("member thread panicked")))?);
    }
    let first_pass: u64 = members_done.iter().map(|(n, _)| n).sum();
    let mut figure = meter.finish("queue", args.size, first_pass, "msg");
    // A quiet period after the measurement shows whether anything arrives twice.
    let mut late = 0;
    for (_, conn) in &mut members_done {
        late += conn.count_msgs(u64::MAX, Instant::now() + Duration::from_millis(200))?;
    }
    let delivered = first_pass + late;
    figure.extra.push(("lost", args.msgs.saturating_sub(delivered) as f64));
    figure.extra.push(("duplicates", delivered.saturating_sub(args.msgs) as f64));
    Ok(vec![figure])
}

fn request_reply(args: &Args) -> io::Result<Vec<Figure>> {
    let mut responder = Conn::connect_as(args.addr, args.sub_auth.as_ref())?;
    responder.send(b"SUB bench.svc 1\r\nPING\r\n")?;
    responder.wait_pong(Duration::from_secs(30))?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop_responder = Arc::clone(&stop);
    let size = args.size;
    let responder = thread::spawn(move || serve_requests(responder, size, &stop_responder));
    let mut requester = Conn::connect_as(args.addr, args.pub_auth.as_ref())?;
    requester.send(b"SUB bench.inbox 1\r\nPING\r\n")?;
    requester.wait_pong(Duration::from_secs(30))?;
    let request = {
        let mut frame = format!("PUB bench.svc bench.inbox {size}\r\n").into_bytes();
        frame.extend(std::iter::repeat_n(b'r', size));
        frame.extend_from_slice(b"\r\n");
        frame
    };
    let mut histogram = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
        .map_err(|e| io::Error::other(e.to_string()))?;
    let requests = args.msgs.min(50_000);
    let deadline = Instant::now() + args.timeout;
    let meter = Meter::start(args);
    let mut done = 0;
    while done < requests && Instant::now() < deadline {
        let sent = Instant::now();
        requester.send(&request)?;
        if requester.count_msgs(1, deadline)? == 0 {
            break;
        }
        let _ = histogram.record((sent.elapsed().as_nanos() as u64 / 1000).max(1));
        done += 1;
    }
    let mut figure = meter.finish("reqrep", args.size, done, "request");
    stop.store(true, Ordering::Relaxed);
    let _ = responder.join();
    for (name, q) in [("p50_us", 0.5), ("p90_us", 0.9), ("p99_us", 0.99), ("p999_us", 0.999)] {
        figure.extra.push((name, histogram.value_at_quantile(q) as f64));
    }
    Ok(vec![figure])
}

/// Answers each request on its reply subject with a payload of `size` bytes.
fn serve_requests(mut conn: Conn, size: usize, stop: &AtomicBool) -> io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let payload = vec![b'a'; size];
    conn.stream.set_read_timeout(Some(Duration::from_millis(100)))?;
    while !stop.load(Ordering::Relaxed) {
        let n = match conn.stream.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => continue,
            Err(e) => return Err(e),
        };
        pending.extend_from_slice(&buf[..n]);
        let mut out = Vec::new();
        let mut used = 0;
        while let Some(nl) = pending[used..].iter().position(|&b| b == b'\n') {
            let line = &pending[used..used + nl];
            let fields: Vec<&[u8]> = line.trim_ascii_end().split(|&b| b == b' ').collect();
            // MSG subject sid reply size, or HMSG subject sid reply header-size total-size (a
            // server may add headers to requests that crossed accounts).
            let request = matches!((fields.first().copied(), fields.len()), (Some(b"MSG"), 5) | (Some(b"HMSG"), 6));
            if request {
                let size_field = fields[fields.len() - 1];
                let len: usize = std::str::from_utf8(size_field).ok().and_then(|s| s.parse().ok()).unwrap_or(0);
                if pending.len() < used + nl + 1 + len + 2 {
                    break;
                }
                out.extend_from_slice(b"PUB ");
                out.extend_from_slice(fields[3]);
                out.extend_from_slice(format!(" {size}\r\n").as_bytes());
                out.extend_from_slice(&payload);
                out.extend_from_slice(b"\r\n");
                used += nl + 1 + len + 2;
            } else {
                if line.starts_with(b"PING") {
                    out.extend_from_slice(b"PONG\r\n");
                }
                used += nl + 1;
            }
        }
        pending.drain(..used);
        if !out.is_empty() {
            conn.stream.write_all(&out)?;
        }
    }
    Ok(())
}

fn idle(args: &Args) -> io::Result<Vec<Figure>> {
    let before = if args.server_pid != 0 { rss_bytes(args.server_pid) } else { None };
    let meter = Meter::start(args);
    let mut conns = Vec::with_capacity(args.conns);
    for i in 0..args.conns {
        // One loopback source address runs out of ephemeral ports near 28 000.
        let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + (i / 20_000) as u8));
        let mut conn = Conn::connect_from(args.addr, Some(source))?;
        conn.send(format!("SUB idle.{i} 1\r\nPING\r\n").as_bytes())?;
        conn.wait_pong(Duration::from_secs(30))?;
        conns.push(conn);
    }
    let mut figure = meter.finish("idle", 0, args.conns as u64, "connection");
    // Let the server settle (buffers shrink after the handshake burst).
    thread::sleep(Duration::from_secs(1));
    if let (Some(before), Some(after)) = (before, rss_bytes(args.server_pid)) {
        figure.extra.push(("rss_per_conn_bytes", after.saturating_sub(before) as f64 / args.conns.max(1) as f64));
    }
    drop(conns);
    Ok(vec![figure])
}

fn many_subscriptions(args: &Args) -> io::Result<Vec<Figure>> {
    const SUBS: usize = 100_000;
    let mut subscriber = Conn::connect_as(args.addr, args.sub_auth.as_ref())?;
    let mut subs = Vec::new();
    for i in 0..SUBS {
        // One in ten is a wildcard; each published subject below matches exactly one of them.
        if i % 10 == 0 {
            subs.extend_from_slice(format!("SUB w.{i}.* {i}\r\n").as_bytes());
        } else {
            subs.extend_from_slice(format!("SUB s.{i} {i}\r\n").as_bytes());
        }
    }
    subs.extend_from_slice(b"PING\r\n");
    subscriber.send(&subs)?;
    subscriber.wait_pong(Duration::from_secs(120))?;
    let deadline = Instant::now() + args.timeout;
    let want = args.msgs;
    let counter = thread::spawn(move || subscriber.count_msgs(want, deadline));
    // Publish across every subscription in turn.
    let payload = vec![b'x'; args.size];
    let mut frames = Vec::new();
    for i in 0..SUBS {
        let subject = if i % 10 == 0 { format!("w.{i}.x") } else { format!("s.{i}") };
        frames.extend_from_slice(format!("PUB {subject} {}\r\n", args.size).as_bytes());
        frames.extend_from_slice(&payload);
        frames.extend_from_slice(b"\r\n");
    }
    let mut publisher = Conn::connect_as(args.addr, args.pub_auth.as_ref())?;
    let meter = Meter::start(args);
    let frame_len = frames.len() / SUBS;
    let mut sent = 0u64;
    while sent < args.msgs {
        let n = ((args.msgs - sent) as usize).min(SUBS);
        // Frames differ in length; send whole frames by scanning for the n-th frame end.
        let end = if n == SUBS { frames.len() } else { nth_frame_end(&frames, n).unwrap_or(n * frame_len) };
        publisher.send(&frames[..end])?;
        sent += n as u64;
    }
    publisher.send(b"PING\r\n")?;
    publisher.wait_pong(args.timeout)?;
    let delivered = counter.join().unwrap_or_else(|_| Err(io::Error::other("subscriber thread panicked")))?;
    let mut figure = meter.finish("subs100k", args.size, delivered, "delivery");
    figure.extra.push(("lost", args.msgs.saturating_sub(delivered) as f64));
    Ok(vec![figure])
}

/// Byte offset just after the `n`-th PUB frame (each frame is a line plus payload plus CRLF).
fn nth_frame_end(frames: &[u8], n: usize) -> Option<usize> {
    let mut pos = 0;
    for _ in 0..n {
        let nl = frames[pos..].iter().position(|&b| b == b'\n')? + pos;
        let line = &frames[pos..nl];
        let size: usize = std::str::from_utf8(line.rsplit(|&b| b == b' ').next()?).ok()?.trim().parse().ok()?;
        pos = nl + 1 + size + 2;
    }
    Some(pos)
}

fn calibrate(args: &Args) -> io::Result<Vec<Figure>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let sink = thread::spawn(move || -> io::Result<u64> {
        let (mut socket, _) = listener.accept()?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            match socket.read(&mut buf)? {
                0 => return Ok(total),
                n => total += n as u64,
            }
        }
    });
    let frames_per_batch = (64 * 1024 / (args.size + 24)).max(1);
    let batch = pub_frames("bench.pub", args.size, frames_per_batch);
    let mut stream = std::net::TcpStream::connect(addr)?;
    let meter = Meter::start(args);
    let mut sent = 0u64;
    while sent < args.msgs {
        stream.write_all(&batch)?;
        sent += frames_per_batch as u64;
    }
    drop(stream);
    let bytes = sink.join().unwrap_or_else(|_| Err(io::Error::other("sink thread panicked")))?;
    let mut figure = meter.finish("calibrate", args.size, sent, "frame");
    figure.extra.push(("MB_per_s", bytes as f64 / 1e6 / figure.secs.max(1e-9)));
    Ok(vec![figure])
}
