//! The in-process publish path, without sockets: a publisher's read buffer of `PUB`s is parsed,
//! matched against the account's subscriptions and appended to each subscriber's outbound
//! buffer, then the writers are woken, exactly as a connection's read loop does it
//! (`ClientSession::process` then `ClientSession::flush`). Subscribers' buffers are emptied
//! between iterations, outside the timing, as their writers would.
//!
//! Throughput is in published messages: a fan-out to 16 subscribers delivers 16 times as many.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rnats::client::ClientSession;
use rnats::conn::ConnShared;
use rnats::log::Logger;
use rnats::{Options, Server, ServerState};

/// `PUB`s in one read buffer, one iteration.
const BATCH: usize = 100;
/// Pending bytes a subscriber may hold: one batch of the largest case fits many times over.
const MAX_PENDING: usize = 64 * 1024 * 1024;
/// What a client library sends first.
const CONNECT: &[u8] =
    b"CONNECT {\"verbose\":false,\"pedantic\":false,\"echo\":true,\"headers\":true,\"protocol\":1}\r\n";

/// One connection's protocol state and its shared outbound side.
struct Conn {
    session: ClientSession,
    shared: Arc<ConnShared>,
}

impl Conn {
    fn new(state: &Arc<ServerState>, id: u64) -> Conn {
        let shared = ConnShared::new(id, MAX_PENDING);
        let session = ClientSession::new(Arc::clone(state), Arc::clone(&shared), state.global_account());
        let mut conn = Conn { session, shared };
        conn.feed(CONNECT);
        conn
    }

    /// Processes `input`, which must hold whole operations only.
    fn feed(&mut self, input: &[u8]) {
        let used = self.session.process(input).expect("the session accepts the input");
        assert_eq!(used, input.len(), "the input holds whole operations");
        self.session.flush();
    }
}

/// One benchmark case: a publisher and the subscribers of its subject.
struct Case {
    publisher: Conn,
    subscribers: Vec<Conn>,
    input: Vec<u8>,
}

impl Case {
    /// `subscribers` connections subscribed to `subject` (in queue group `queue` if given),
    /// and a publisher whose read buffer holds `BATCH` publications of `payload` bytes.
    fn new(
        state: &Arc<ServerState>,
        first_id: u64,
        subject: &str,
        payload: usize,
        subscribers: usize,
        queue: Option<&str>,
    ) -> Case {
        let publisher = Conn::new(state, first_id);
        let sub_line = match queue {
            Some(q) => format!("SUB {subject} {q} 1\r\n"),
            None => format!("SUB {subject} 1\r\n"),
        };
        let subscribers: Vec<Conn> = (0..subscribers)
            .map(|i| {
                let mut conn = Conn::new(state, first_id + 1 + i as u64);
                conn.feed(sub_line.as_bytes());
                conn
            })
            .collect();
        let body: Vec<u8> = (0..payload).map(|i| b'a' + (i % 26) as u8).collect();
        let mut input = Vec::new();
        for _ in 0..BATCH {
            input.extend_from_slice(format!("PUB {subject} {payload}\r\n").as_bytes());
            input.extend_from_slice(&body);
            input.extend_from_slice(b"\r\n");
        }
        let mut case = Case { publisher, subscribers, input };
        case.check(subject, payload, queue.is_some());
        case
    }

    /// One batch outside the timing: every subscriber (or one member per message, for a queue
    /// group) gets exactly the expected `MSG`s.
    fn check(&mut self, subject: &str, payload: usize, queue: bool) {
        self.drain();
        let input = std::mem::take(&mut self.input);
        self.publisher.feed(&input);
        self.input = input;
        let per_message = format!("MSG {subject} 1 {payload}\r\n").len() + payload + 2;
        let copies = match (self.subscribers.len(), queue) {
            (0, _) => 0,
            (_, true) => 1,
            (n, false) => n,
        };
        assert_eq!(self.drain(), BATCH * copies * per_message, "bytes delivered for {subject}");
    }

    /// Empties every outbound buffer, as the writers would; returns the bytes subscribers got.
    fn drain(&self) -> usize {
        self.publisher.shared.drain_pending();
        self.subscribers.iter().map(|s| s.shared.drain_pending()).sum()
    }

    /// Times `iters` batches, draining between them.
    fn run(&mut self, iters: u64) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let start = Instant::now();
            let used = self.publisher.session.process(black_box(&self.input));
            self.publisher.session.flush();
            total += start.elapsed();
            assert_eq!(used, Ok(self.input.len()));
            black_box(self.drain());
        }
        total
    }
}

fn bench_publish(c: &mut Criterion) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("tokio runtime");
    let options = Options { host: "127.0.0.1".to_string(), port: -1, ..Options::default() };
    let server = runtime.block_on(Server::start(options, Logger::silent())).expect("server starts");
    let state = Arc::clone(server.state());

    let mut group = c.benchmark_group("publish");
    group.throughput(Throughput::Elements(BATCH as u64));
    let cases: [(&str, &str, usize, usize, Option<&str>); 5] = [
        ("1_sub/16B", "bench.one.small", 16, 1, None),
        ("1_sub/1KiB", "bench.one.large", 1024, 1, None),
        ("fan_out_16/16B", "bench.fan", 16, 16, None),
        ("queue_4/16B", "bench.queue", 16, 4, Some("workers")),
        ("no_subs/16B", "bench.nobody", 16, 0, None),
    ];
    for (i, (name, subject, payload, subscribers, queue)) in cases.into_iter().enumerate() {
        let mut case = Case::new(&state, 1_000_000 * (i as u64 + 1), subject, payload, subscribers, queue);
        group.bench_function(name, |b| b.iter_custom(|iters| case.run(iters)));
    }
    group.finish();

    runtime.block_on(server.shutdown());
}

criterion_group!(benches, bench_publish);
criterion_main!(benches);
