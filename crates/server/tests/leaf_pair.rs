//! Two servers' leaf sessions wired to each other in memory: no sockets on the link, no
//! sleeps. Clients are socket-free sessions too; every byte one side queues for the other is
//! handed over by `Wire::settle` until both are quiet. Routes and gateways are to reuse this
//! harness.

use std::sync::Arc;

use rnats::client::ClientSession;
use rnats::conn::ConnShared;
use rnats::errors::CloseReason;
use rnats::link::leaf_session::LeafSession;
use rnats::link::LinkKind;
use rnats_testkit::TestServer;

/// One end of an in-memory link: its session and the buffer it writes to the other end.
struct End {
    session: LeafSession,
    shared: Arc<ConnShared>,
    closed: Option<CloseReason>,
}

/// A link between two servers in one account (`$G`).
struct Wire {
    a: End,
    b: End,
}

impl Wire {
    fn new(a: &TestServer, b: &TestServer, id: u64) -> Wire {
        let end = |server: &TestServer, id: u64| {
            let state = Arc::clone(server.state());
            let shared = ConnShared::new(id, usize::MAX);
            let account = state.global_account();
            let kind = if id.is_multiple_of(2) { LinkKind::LeafSolicited } else { LinkKind::LeafAccepted };
            let label = format!("pair-{id}");
            let session = LeafSession::start(state, account, Arc::clone(&shared), label, kind, (&[], &[]));
            End { session, shared, closed: None }
        };
        Wire { a: end(a, id), b: end(b, id + 1) }
    }

    /// Hands what each side queued to the other until neither has anything to say.
    fn settle(&mut self) {
        for _ in 0..100 {
            let to_b = self.a.shared.take_pending_for_test();
            let to_a = self.b.shared.take_pending_for_test();
            if to_a.is_empty() && to_b.is_empty() {
                return;
            }
            deliver(&mut self.b, &to_b);
            deliver(&mut self.a, &to_a);
        }
        panic!("the two sessions never went quiet");
    }
}

fn deliver(end: &mut End, bytes: &[u8]) {
    if bytes.is_empty() || end.closed.is_some() {
        return;
    }
    match end.session.process(bytes) {
        Ok(used) => assert_eq!(used, bytes.len(), "whole operations only"),
        Err(reason) => end.closed = Some(reason),
    }
    end.session.flush();
}

/// A socket-free client of `server`.
struct Client {
    session: ClientSession,
    shared: Arc<ConnShared>,
}

impl Client {
    fn new(server: &TestServer, id: u64) -> Client {
        let state = Arc::clone(server.state());
        let shared = ConnShared::new(id, usize::MAX);
        let account = state.global_account();
        let mut client = Client { session: ClientSession::new(state, Arc::clone(&shared), account), shared };
        client.send("CONNECT {\"verbose\":false,\"headers\":true}\r\n");
        client
    }

    fn send(&mut self, text: &str) {
        assert_eq!(self.session.process(text.as_bytes()), Ok(text.len()));
        self.session.flush();
    }

    fn received(&self) -> String {
        String::from_utf8_lossy(&self.shared.take_pending_for_test()).into_owned()
    }
}

#[test]
fn interest_and_messages_cross_both_ways() {
    let (a, b) = (TestServer::start(), TestServer::start());
    let mut wire = Wire::new(&a, &b, 10_000);
    wire.settle();
    let mut on_a = Client::new(&a, 1);
    let mut on_b = Client::new(&b, 2);
    on_a.send("SUB to.a 1\r\n");
    on_b.send("SUB to.b.* 7\r\n");
    wire.settle();

    on_b.send("PUB to.a 2\r\nhi\r\n");
    on_a.send("HPUB to.b.x 12 14\r\nNATS/1.0\r\n\r\nyo\r\n");
    wire.settle();
    assert_eq!(on_a.received(), "MSG to.a 1 2\r\nhi\r\n");
    assert_eq!(on_b.received(), "HMSG to.b.x 7 12 14\r\nNATS/1.0\r\n\r\nyo\r\n");

    // Interest leaves again: nothing crosses once the subscriber is gone.
    on_a.send("UNSUB 1\r\n");
    wire.settle();
    let before = a.state().link_messages_in();
    on_b.send("PUB to.a 2\r\nno\r\n");
    wire.settle();
    assert_eq!(a.state().link_messages_in(), before, "no interest, no LMSG");
    assert_eq!(on_a.received(), "");
}

#[test]
fn a_queue_group_spanning_the_link_takes_each_message_once() {
    let (a, b) = (TestServer::start(), TestServer::start());
    let mut wire = Wire::new(&a, &b, 20_000);
    let mut member_a = Client::new(&a, 1);
    let mut member_b = Client::new(&b, 2);
    member_a.send("SUB work grp 1\r\n");
    member_b.send("SUB work grp 1\r\n");
    wire.settle();
    let mut publisher = Client::new(&b, 3);
    for i in 0..50 {
        publisher.send(&format!("PUB work 2\r\n{:02}\r\n", i));
        wire.settle();
    }
    let count = |text: String| text.matches("MSG work").count();
    let (on_a, on_b) = (count(member_a.received()), count(member_b.received()));
    assert_eq!(on_a + on_b, 50, "each message exactly once");
    assert_eq!(on_a, 0, "members on the publisher's server take it first");
}

#[test]
fn two_links_between_the_same_servers_are_a_loop() {
    let (a, b) = (TestServer::start(), TestServer::start());
    let mut first = Wire::new(&a, &b, 30_000);
    first.settle();
    let mut second = Wire::new(&a, &b, 40_000);
    second.settle();
    first.settle();
    let closed: Vec<_> = [&first.a, &first.b, &second.a, &second.b].iter().filter_map(|end| end.closed).collect();
    assert!(closed.contains(&CloseReason::ProtocolViolation), "one side saw its own loop subject: {closed:?}");
    let detected = [&first, &second].iter().any(|w| w.a.session.loop_detected() || w.b.session.loop_detected());
    assert!(detected);
    assert!(a.state().loops_detected() + b.state().loops_detected() >= 1);
}

/// A leaf publisher stalls on a lagging subscriber as a client publisher does: after a batch
/// that took a subscriber past half its pending limit, the link's session names it.
#[test]
fn a_lagging_subscriber_stalls_the_link_it_is_fed_from() {
    let (a, b) = (TestServer::start(), TestServer::start());
    let mut wire = Wire::new(&a, &b, 60_000);
    let state = Arc::clone(b.state());
    let slow = ConnShared::new(7, 1_000);
    let mut subscriber = ClientSession::new(Arc::clone(&state), Arc::clone(&slow), state.global_account());
    let subscribe = "CONNECT {\"verbose\":false}\r\nSUB flood 1\r\n";
    assert_eq!(subscriber.process(subscribe.as_bytes()), Ok(subscribe.len()));
    slow.take_pending_for_test();
    wire.settle();
    let mut publisher = Client::new(&a, 8);
    let one = format!("PUB flood 100\r\n{}\r\n", "x".repeat(100));
    publisher.send(&one.repeat(6));
    let to_b = wire.a.shared.take_pending_for_test();
    assert_eq!(wire.b.session.process(&to_b), Ok(to_b.len()));
    let lagging = wire.b.session.flush().expect("the lagging subscriber is named");
    assert!(Arc::ptr_eq(&lagging, &slow));
}
