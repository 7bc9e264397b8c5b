//! The publish path allocates nothing in steady state: parse -> match -> encode into each
//! subscriber's buffer, for plain, wildcard, queue and header deliveries.
//!
//! A counting global allocator records allocations made by this thread only, so the server's
//! runtime threads do not disturb the count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use rnats::client::ClientSession;
use rnats::conn::ConnShared;
use rnats_testkit::TestServer;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

#[allow(unsafe_code)]
// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

fn session(server: &TestServer, id: u64) -> (ClientSession, Arc<ConnShared>) {
    let state = Arc::clone(server.state());
    let shared = ConnShared::new(id, usize::MAX);
    let account = state.global_account();
    (ClientSession::new(state, Arc::clone(&shared), account), shared)
}

fn feed(session: &mut ClientSession, bytes: &[u8]) {
    assert_eq!(session.process(bytes), Ok(bytes.len()));
    session.flush();
}

#[test]
fn publish_path_does_not_allocate_in_steady_state() {
    let server = TestServer::start();
    let (mut publisher, _) = session(&server, 1_000_001);
    feed(&mut publisher, b"CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n");
    let mut subscribers = Vec::new();
    for (i, sub) in [
        &b"SUB orders.eu.new 1\r\n"[..],
        b"SUB orders.*.new 2\r\n",
        b"SUB orders.> 3\r\n",
        b"SUB orders.eu.new workers 4\r\n",
        b"SUB orders.eu.new workers 5\r\n",
    ]
    .iter()
    .enumerate()
    {
        let (mut s, shared) = session(&server, 2_000_000 + i as u64);
        let headers = if i % 2 == 0 { "true" } else { "false" };
        feed(&mut s, format!("CONNECT {{\"verbose\":false,\"headers\":{headers}}}\r\n").as_bytes());
        feed(&mut s, sub);
        subscribers.push((s, shared));
    }
    let batch: Vec<u8> = [
        &b"PUB orders.eu.new 16\r\n0123456789abcdef\r\n"[..],
        b"PUB orders.eu.new reply.1 16\r\n0123456789abcdef\r\n",
        b"HPUB orders.eu.new 23 27\r\nNATS/1.0\r\nA: bcdefg\r\n\r\nbody\r\n",
        b"PUB orders.us.new 5\r\nhello\r\n",
        b"PUB nobody.listens 5\r\nhello\r\n",
    ]
    .concat();
    // Warm up: buffers and caches reach their working size.
    for _ in 0..200 {
        feed(&mut publisher, &batch);
        for (_, shared) in &subscribers {
            shared.drain_pending();
        }
    }
    let probe = allocations();
    std::hint::black_box(vec![0u8; 8]);
    assert!(allocations() > probe, "the counting allocator sees this thread's allocations");
    let before = allocations();
    for _ in 0..1000 {
        assert_eq!(publisher.process(&batch), Ok(batch.len()));
        publisher.flush();
        for (_, shared) in &subscribers {
            shared.drain_pending();
        }
    }
    let allocated = allocations() - before;
    assert_eq!(allocated, 0, "allocations on the publish path in steady state");
    // And the messages did arrive: drain once more after one batch and check the bytes.
    feed(&mut publisher, &batch);
    let (plain, queue) = subscribers.split_at(3);
    assert!(plain.iter().all(|(_, s)| s.pending_bytes() > 0), "every plain subscriber got messages");
    assert!(queue.iter().any(|(_, s)| s.pending_bytes() > 0), "the queue group got messages");
}
