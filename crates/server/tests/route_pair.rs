//! Servers joined by routes wired in memory: every route session is driven with the bytes the
//! other side queued, until all are quiet (no sockets on the routes, no sleeps). Clients are
//! socket-free sessions too. What this pins: interest and messages per account across a route,
//! accounts kept apart, one member per queue group in the whole cluster (local first), and one
//! hop in a full mesh (nothing delivered twice).

use std::path::Path;
use std::sync::Arc;

use rnats::client::ClientSession;
use rnats::conn::ConnShared;
use rnats::link::route_session::RouteSession;
use rnats_proto::route::RouteMode;
use rnats_testkit::TestServer;

const ACCOUNTS: &str = "accounts {
  X: { users: [{user: x, password: x}] }
  Y: { users: [{user: y, password: y}] }
}";

fn server() -> TestServer {
    let map = rnats_conf::parse_str(ACCOUNTS, Path::new("route.conf")).expect("config parses");
    TestServer::with_options(rnats::options::from_map(&map).expect("config loads").options)
}

/// One end of a route.
struct End {
    session: RouteSession,
    shared: Arc<ConnShared>,
}

/// Routes between every pair of servers of a mesh.
struct Mesh {
    routes: Vec<(End, End)>,
}

impl Mesh {
    fn new(servers: &[&TestServer]) -> Mesh {
        let mut routes = Vec::new();
        let mut id = 50_000;
        for (i, a) in servers.iter().enumerate() {
            for b in &servers[i + 1..] {
                routes.push((end(a, id), end(b, id + 1)));
                id += 2;
            }
        }
        let mut mesh = Mesh { routes };
        mesh.settle();
        mesh
    }

    /// Hands what each end queued to the other until every route is quiet.
    fn settle(&mut self) {
        for _ in 0..100 {
            let mut quiet = true;
            for (a, b) in &mut self.routes {
                let to_b = a.shared.take_pending_for_test();
                let to_a = b.shared.take_pending_for_test();
                quiet &= to_a.is_empty() && to_b.is_empty();
                deliver(b, &to_b);
                deliver(a, &to_a);
            }
            if quiet {
                return;
            }
        }
        panic!("the routes never went quiet");
    }
}

fn end(server: &TestServer, id: u64) -> End {
    let state = Arc::clone(server.state());
    let shared = ConnShared::new_link(id, usize::MAX);
    let accounts = state.accounts();
    let session =
        RouteSession::start(state, Arc::clone(&shared), format!("route-{id}"), RouteMode::default(), &accounts);
    End { session, shared }
}

fn deliver(end: &mut End, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    assert_eq!(end.session.process(bytes), Ok(bytes.len()), "{}", String::from_utf8_lossy(bytes));
    end.session.flush();
}

/// A socket-free client of `server`, logged in as `user` (password = user name).
struct Client {
    session: ClientSession,
    shared: Arc<ConnShared>,
}

impl Client {
    fn new(server: &TestServer, id: u64, user: &str) -> Client {
        let state = Arc::clone(server.state());
        let shared = ConnShared::new(id, usize::MAX);
        let account = state.global_account();
        let mut client = Client { session: ClientSession::new(state, Arc::clone(&shared), account), shared };
        client.send(&format!(
            "CONNECT {{\"verbose\":false,\"headers\":true,\"user\":\"{user}\",\"pass\":\"{user}\"}}\r\n"
        ));
        client.received();
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
fn messages_cross_a_route_in_their_own_account_only() {
    let (a, b) = (server(), server());
    let mut mesh = Mesh::new(&[&a, &b]);
    let mut x_on_b = Client::new(&b, 1, "x");
    let mut y_on_b = Client::new(&b, 2, "y");
    x_on_b.send("SUB orders 1\r\n");
    y_on_b.send("SUB orders 1\r\n");
    mesh.settle();

    let mut x_on_a = Client::new(&a, 3, "x");
    x_on_a.send("PUB orders 2\r\nhi\r\nHPUB orders 12 14\r\nNATS/1.0\r\n\r\nyo\r\n");
    mesh.settle();
    assert_eq!(x_on_b.received(), "MSG orders 1 2\r\nhi\r\nHMSG orders 1 12 14\r\nNATS/1.0\r\n\r\nyo\r\n");
    assert_eq!(y_on_b.received(), "", "account Y never sees account X's traffic");

    // Interest leaves with the subscriber: nothing crosses any more.
    x_on_b.send("UNSUB 1\r\n");
    mesh.settle();
    let before = b.state().link_messages_in();
    x_on_a.send("PUB orders 2\r\nno\r\n");
    mesh.settle();
    assert_eq!(b.state().link_messages_in(), before, "no interest, no RMSG");
}

#[test]
fn one_queue_member_in_the_whole_cluster_local_first() {
    let (a, b, c) = (server(), server(), server());
    let mut mesh = Mesh::new(&[&a, &b, &c]);
    let mut members: Vec<Client> =
        [(&a, 1), (&b, 2), (&c, 3)].into_iter().map(|(s, id)| Client::new(s, id, "x")).collect();
    for member in &mut members {
        member.send("SUB work grp 1\r\n");
    }
    mesh.settle();
    let mut remote_publisher = Client::new(&a, 4, "x");
    // A member on the publisher's server exists: it takes every message.
    for i in 0..30 {
        remote_publisher.send(&format!("PUB work 2\r\n{i:02}\r\n"));
        mesh.settle();
    }
    let counts: Vec<usize> = members.iter().map(|m| m.received().matches("MSG work").count()).collect();
    assert_eq!(counts, vec![30, 0, 0]);

    // Without a local member, each message goes to exactly one remote member.
    members[0].send("UNSUB 1\r\n");
    mesh.settle();
    for i in 0..30 {
        remote_publisher.send(&format!("PUB work 2\r\n{i:02}\r\n"));
        mesh.settle();
    }
    let counts: Vec<usize> = members.iter().map(|m| m.received().matches("MSG work").count()).collect();
    assert_eq!(counts[0], 0);
    assert_eq!(counts[1] + counts[2], 30, "each message exactly once: {counts:?}");
}

#[test]
fn a_full_mesh_delivers_once_one_hop() {
    let (a, b, c) = (server(), server(), server());
    let mut mesh = Mesh::new(&[&a, &b, &c]);
    let mut on_b = Client::new(&b, 1, "x");
    let mut on_c = Client::new(&c, 2, "x");
    on_b.send("SUB news.> 1\r\n");
    on_c.send("SUB news.* 1\r\nSUB news.> 2\r\n");
    mesh.settle();
    let mut publisher = Client::new(&a, 3, "x");
    publisher.send("PUB news.today 2\r\nhi\r\n");
    mesh.settle();
    assert_eq!(on_b.received(), "MSG news.today 1 2\r\nhi\r\n");
    let got_c = on_c.received();
    assert_eq!(got_c.matches("MSG news.today").count(), 2, "one per subscription: {got_c}");
    // One RMSG per interested server, none forwarded route to route.
    assert_eq!(b.state().link_messages_in() + c.state().link_messages_in(), 2);
}
