//! A connection's shared face: its outbound buffer, the signals that wake its writer and
//! reader, and the flags other connections read when they deliver to it.
//!
//! Deliveries append to `Outbound::pending` under a short lock and remember the connection in
//! their own [`FlushSet`]; at the end of a read batch the publisher wakes each writer once. The
//! writer swaps the pending buffer out under the lock and writes it without holding the lock.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::errors::CloseReason;

/// Bytes waiting to be written, and whether the connection is closing.
pub(crate) struct Outbound {
    /// Encoded operations not yet handed to the writer.
    pub(crate) pending: Vec<u8>,
    /// Some publisher has this connection in its flush set and will wake the writer.
    pub(crate) flush_queued: bool,
    /// Set once; the writer flushes what is pending (unless the reason drops it) and closes.
    pub(crate) closed: Option<CloseReason>,
}

/// The part of a connection that other connections and its writer see.
pub struct ConnShared {
    /// Connection id (INFO `client_id`).
    pub id: u64,
    pub(crate) outbound: Mutex<Outbound>,
    /// Wakes the writer: data is pending or the connection is closing.
    pub(crate) writer_wake: Notify,
    /// Wakes the reader when the connection is closed from elsewhere (slow consumer, stale).
    pub(crate) reader_wake: Notify,
    /// Signalled after each write: publishers stalled on this connection may go on.
    pub(crate) drained: Notify,
    /// The client understands HMSG (set at CONNECT, read by every deliverer).
    pub(crate) headers: AtomicBool,
    /// PINGs sent and not yet answered.
    pub(crate) pings_out: AtomicU32,
    /// Milliseconds since server start of the last inbound bytes (liveness).
    pub(crate) last_inbound_ms: AtomicU64,
    /// CONNECT was processed: the writer arms the short first PING.
    connected: AtomicBool,
    /// PINGs sent over the connection's life.
    pings_sent: AtomicU32,
    max_pending: usize,
    /// Passing `max_pending` closes the connection (clients). Server links are never closed for
    /// what is pending, as in nats-server: their publishers stall, and the write deadline
    /// closes a link whose peer stopped reading.
    close_on_pending: bool,
}

impl ConnShared {
    /// A client connection with nothing pending.
    pub fn new(id: u64, max_pending: usize) -> Arc<ConnShared> {
        Self::with_policy(id, max_pending, true)
    }

    /// A server link with nothing pending: `max_pending` only makes its publishers stall.
    pub fn new_link(id: u64, max_pending: usize) -> Arc<ConnShared> {
        Self::with_policy(id, max_pending, false)
    }

    fn with_policy(id: u64, max_pending: usize, close_on_pending: bool) -> Arc<ConnShared> {
        Arc::new(ConnShared {
            id,
            outbound: Mutex::new(Outbound { pending: Vec::new(), flush_queued: false, closed: None }),
            writer_wake: Notify::new(),
            reader_wake: Notify::new(),
            drained: Notify::new(),
            headers: AtomicBool::new(false),
            pings_out: AtomicU32::new(0),
            last_inbound_ms: AtomicU64::new(0),
            connected: AtomicBool::new(false),
            pings_sent: AtomicU32::new(0),
            max_pending,
            close_on_pending,
        })
    }

    /// Whether HMSG may be sent to this client.
    pub fn supports_headers(&self) -> bool {
        self.headers.load(Ordering::Relaxed)
    }

    /// Appends what `encode` writes, unless the connection is closing. Passing `max_pending`
    /// closes a client as a slow consumer and drops what was pending.
    pub(crate) fn enqueue(&self, encode: impl FnOnce(&mut Vec<u8>)) -> Enqueued {
        let mut out = self.outbound.lock();
        if out.closed.is_some() {
            return Enqueued { needs_wake: false, over_half: false };
        }
        encode(&mut out.pending);
        let pending = out.pending.len();
        if pending > self.max_pending && self.close_on_pending {
            out.pending = Vec::new();
            out.closed = Some(CloseReason::SlowConsumerPendingBytes);
            drop(out);
            self.writer_wake.notify_one();
            self.reader_wake.notify_one();
            self.drained.notify_waiters();
            return Enqueued { needs_wake: false, over_half: false };
        }
        Enqueued {
            needs_wake: !std::mem::replace(&mut out.flush_queued, true),
            over_half: pending > self.max_pending / 2,
        }
    }

    /// Appends and wakes the writer at once (for writes outside a read batch, such as
    /// interest announcements to a server link).
    pub(crate) fn send_now(&self, encode: impl FnOnce(&mut Vec<u8>)) {
        if self.enqueue(encode).needs_wake {
            self.writer_wake.notify_one();
        }
    }

    /// Whether pending bytes are past half of `max_pending` (publishers should wait a little).
    pub(crate) fn is_over_half(&self) -> bool {
        self.outbound.lock().pending.len() > self.max_pending / 2
    }

    /// Marks the connection closed (the first reason wins) and wakes its tasks.
    pub fn close(&self, reason: CloseReason) {
        {
            let mut out = self.outbound.lock();
            if out.closed.is_some() {
                return;
            }
            if matches!(reason, CloseReason::SlowConsumerPendingBytes | CloseReason::SlowConsumerWriteDeadline) {
                out.pending = Vec::new();
            }
            out.closed = Some(reason);
        }
        self.writer_wake.notify_one();
        self.reader_wake.notify_one();
    }

    /// The close reason, once closed.
    pub fn closed(&self) -> Option<CloseReason> {
        self.outbound.lock().closed
    }

    /// Records the first CONNECT and wakes the writer so it can reschedule its first PING.
    pub(crate) fn mark_connected(&self) {
        self.connected.store(true, Ordering::Release);
        self.writer_wake.notify_one();
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    pub(crate) fn count_ping(&self) {
        self.pings_sent.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn pings_out_total(&self) -> u32 {
        self.pings_sent.load(Ordering::Relaxed)
    }

    /// Throws away what is pending, keeping the buffer's capacity, as a writer would after
    /// writing it. For benchmarks and tests that run sessions without sockets.
    pub fn drain_pending(&self) -> usize {
        let mut out = self.outbound.lock();
        let drained = out.pending.len();
        out.pending.clear();
        out.flush_queued = false;
        drained
    }

    /// Takes what is pending (for tests that drive sessions without sockets).
    pub fn take_pending_for_test(&self) -> Vec<u8> {
        let mut out = self.outbound.lock();
        out.flush_queued = false;
        std::mem::take(&mut out.pending)
    }

    /// Bytes pending (for tests and monitoring).
    pub fn pending_bytes(&self) -> usize {
        self.outbound.lock().pending.len()
    }

    /// Takes what is pending into `spare` (which must be empty), for the writer.
    pub(crate) fn take_pending(&self, spare: &mut Vec<u8>) -> Option<CloseReason> {
        let mut out = self.outbound.lock();
        std::mem::swap(&mut out.pending, spare);
        out.flush_queued = false;
        out.closed
    }
}

/// What an append did.
#[must_use]
pub(crate) struct Enqueued {
    /// The caller must put the connection in its flush set (nobody else has yet).
    pub(crate) needs_wake: bool,
    /// The connection's pending bytes passed half of its `max_pending`.
    pub(crate) over_half: bool,
}

/// Connections a reader has appended to during one read batch; each is woken once at the end.
/// Also remembers one subscriber that is falling behind, for the reader to wait on briefly.
#[derive(Default)]
pub struct FlushSet {
    queued: Vec<Arc<ConnShared>>,
    lagging: Option<Arc<ConnShared>>,
}

impl FlushSet {
    /// Records the result of appending to `client`.
    pub(crate) fn note(&mut self, client: &Arc<ConnShared>, enqueued: Enqueued) {
        if enqueued.needs_wake {
            self.queued.push(Arc::clone(client));
        }
        if enqueued.over_half && self.lagging.is_none() {
            self.lagging = Some(Arc::clone(client));
        }
    }

    /// Wakes every writer once and empties the set (keeping its capacity). Returns a
    /// subscriber past half its `max_pending`, if any, for the publisher to stall on.
    pub fn flush(&mut self) -> Option<Arc<ConnShared>> {
        for client in self.queued.drain(..) {
            client.writer_wake.notify_one();
        }
        self.lagging.take()
    }

    /// Connections waiting for a wake-up.
    pub fn len(&self) -> usize {
        self.queued.len()
    }

    /// Nothing waiting.
    pub fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_close_at_max_pending_and_links_stall_only() {
        let client = ConnShared::new(1, 100);
        let link = ConnShared::new_link(2, 100);
        for shared in [&client, &link] {
            let first = shared.enqueue(|out| out.extend_from_slice(&[b'x'; 60]));
            assert!(first.over_half);
            let _ = shared.enqueue(|out| out.extend_from_slice(&[b'x'; 60]));
        }
        assert_eq!(client.closed(), Some(CloseReason::SlowConsumerPendingBytes));
        assert_eq!(link.closed(), None);
        assert_eq!(link.pending_bytes(), 120);
        assert!(link.is_over_half(), "its publishers still stall");
    }
}
