//! Isolation property test: random accounts, exports, stream imports, subscriptions and
//! publishes, checked against an independent model of who must receive what. Every message the
//! model expects arrives (as often as expected), and nothing else does.
//!
//! Sessions are driven in process (no sockets), so the check is exact and fast.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rnats::client::ClientSession;
use rnats::conn::ConnShared;
use rnats_testkit::TestServer;

const TOKENS: [&str; 3] = ["a", "b", "c"];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A subject of 1-3 tokens; with `wildcards`, tokens may be `*` and the last may be `>`.
fn subject(rng: &mut Rng, wildcards: bool) -> String {
    let len = 1 + rng.below(3);
    (0..len)
        .map(|i| {
            if wildcards && rng.below(4) == 0 {
                if i == len - 1 && rng.below(2) == 0 {
                    ">"
                } else {
                    "*"
                }
            } else {
                TOKENS[rng.below(TOKENS.len())]
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The model's own matcher (deliberately not the server's).
fn matches(filter: &str, subject: &str) -> bool {
    let f: Vec<&str> = filter.split('.').collect();
    let s: Vec<&str> = subject.split('.').collect();
    for (i, token) in f.iter().enumerate() {
        if *token == ">" {
            return s.len() > i;
        }
        match s.get(i) {
            Some(t) if *token == "*" || token == t => {}
            _ => return false,
        }
    }
    f.len() == s.len()
}

/// Whether every subject matching `inner` also matches `outer`.
fn contained(inner: &str, outer: &str) -> bool {
    let i: Vec<&str> = inner.split('.').collect();
    let o: Vec<&str> = outer.split('.').collect();
    for (n, token) in o.iter().enumerate() {
        if *token == ">" {
            return i.len() > n;
        }
        match i.get(n) {
            Some(t) if *token == "*" && *t != ">" => {}
            Some(t) if token == t => {}
            _ => return false,
        }
    }
    i.len() == o.len()
}

struct Export {
    owner: usize,
    subject: String,
    private_to: Option<usize>,
}

struct Import {
    importer: usize,
    exporter: usize,
    subject: String,
    prefix: Option<String>,
}

/// A service import of a literal subject: requests published in `importer` on `local` reach
/// `exporter` on `subject`.
struct ServiceImport {
    importer: usize,
    exporter: usize,
    subject: String,
    local: String,
}

struct Scenario {
    accounts: usize,
    exports: Vec<Export>,
    imports: Vec<Import>,
    services: Vec<ServiceImport>,
}

impl Scenario {
    fn random(rng: &mut Rng) -> Scenario {
        let accounts = 2 + rng.below(3);
        let mut exports = Vec::new();
        for owner in 0..accounts {
            for _ in 0..1 + rng.below(3) {
                let private_to = (rng.below(3) == 0).then(|| rng.below(accounts)).filter(|&a| a != owner);
                let subject = subject(rng, true);
                // nats-server judges an import by the first export of its exact subject; keep
                // one export per subject so the model need not know that rule.
                if exports.iter().any(|e: &Export| e.owner == owner && e.subject == subject) {
                    continue;
                }
                exports.push(Export { owner, subject, private_to });
            }
        }
        let mut imports = Vec::new();
        // Imports only from a lower-numbered account to a higher one: no cycles.
        for _ in 0..2 + rng.below(8) {
            let Some(export) = exports.get(rng.below(exports.len().max(1))) else { break };
            let candidates: Vec<usize> = (export.owner + 1..accounts).collect();
            if candidates.is_empty() {
                continue;
            }
            let importer = candidates[rng.below(candidates.len())];
            if export.private_to.is_some_and(|p| p != importer) {
                continue;
            }
            // Import the export's subject or a literal subject inside it.
            let literal = subject(rng, false);
            let subject = if contained(&literal, &export.subject) { literal } else { export.subject.clone() };
            let prefix = (rng.below(2) == 0).then(|| format!("p{}", export.owner));
            if imports
                .iter()
                .any(|i: &Import| i.importer == importer && i.exporter == export.owner && i.subject == subject)
            {
                continue;
            }
            imports.push(Import { importer, exporter: export.owner, subject, prefix });
        }
        // Service imports also flow from a lower-numbered account to a higher one (requests
        // go importer -> exporter), so stream and service flows together stay acyclic.
        let mut services = Vec::new();
        for _ in 0..rng.below(4) {
            let importer = rng.below(accounts - 1);
            let exporter = importer + 1 + rng.below(accounts - importer - 1);
            let subject = subject(rng, false);
            let local = if rng.below(2) == 0 { subject.clone() } else { format!("svc{exporter}.{}", subject) };
            if services.iter().any(|s: &ServiceImport| s.importer == importer && s.local == local) {
                continue;
            }
            services.push(ServiceImport { importer, exporter, subject, local });
        }
        Scenario { accounts, exports, imports, services }
    }

    fn config(&self) -> String {
        let mut text = String::from("accounts {\n");
        for account in 0..self.accounts {
            text.push_str(&format!(
                "  ACC{account}: {{\n    users: [{{user: u{account}, password: p}}]\n    exports: [\n"
            ));
            for s in self.services.iter().filter(|s| s.exporter == account) {
                text.push_str(&format!("      {{service: \"{}\"}}\n", s.subject));
            }
            for e in self.exports.iter().filter(|e| e.owner == account) {
                match e.private_to {
                    Some(p) => text.push_str(&format!("      {{stream: \"{}\", accounts: [ACC{p}]}}\n", e.subject)),
                    None => text.push_str(&format!("      {{stream: \"{}\"}}\n", e.subject)),
                }
            }
            text.push_str("    ]\n    imports: [\n");
            for i in self.imports.iter().filter(|i| i.importer == account) {
                let prefix = i.prefix.as_ref().map(|p| format!(", prefix: {p}")).unwrap_or_default();
                text.push_str(&format!(
                    "      {{stream: {{account: ACC{}, subject: \"{}\"}}{prefix}}}\n",
                    i.exporter, i.subject
                ));
            }
            for s in self.services.iter().filter(|s| s.importer == account) {
                text.push_str(&format!(
                    "      {{service: {{account: ACC{}, subject: \"{}\"}}, to: \"{}\"}}\n",
                    s.exporter, s.subject, s.local
                ));
            }
            text.push_str("    ]\n  }\n");
        }
        text.push_str("}\n");
        text
    }

    /// The model: every (account, subject) a message published in `account` on `subject`
    /// reaches, with multiplicity, following imports (which form a DAG).
    fn reach(&self, account: usize, subject: &str, out: &mut Vec<(usize, String)>) {
        out.push((account, subject.to_string()));
        for import in self.imports.iter().filter(|i| i.exporter == account && matches(&i.subject, subject)) {
            let local = match &import.prefix {
                Some(p) => format!("{p}.{subject}"),
                None => subject.to_string(),
            };
            self.reach(import.importer, &local, out);
        }
        for service in self.services.iter().filter(|i| i.importer == account && i.local == subject) {
            self.reach(service.exporter, &service.subject, out);
        }
    }
}

/// MSG lines a session's client received: (sid, subject).
fn received(shared: &ConnShared) -> Vec<(String, String)> {
    let bytes = shared.take_pending_for_test();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let mut out = Vec::new();
    let mut lines = text.split("\r\n");
    while let Some(line) = lines.next() {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.first() == Some(&"MSG") {
            out.push((fields[2].to_string(), fields[1].to_string()));
            lines.next();
        }
    }
    out
}

#[test]
fn messages_cross_accounts_exactly_as_the_model_says() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    // Deliveries the model expects in another account than the publisher's: the test must
    // exercise imports, not only isolation.
    let mut crossed = 0;
    let mut withheld = 0;
    for round in 0..60 {
        let scenario = Scenario::random(&mut rng);
        let text = scenario.config();
        let map = rnats_conf::parse_str(&text, Path::new("model.conf")).expect("config parses");
        let loaded = rnats::options::from_map(&map).unwrap_or_else(|e| panic!("round {round}: {e:?}\n{text}"));
        let server = TestServer::with_options(loaded.options);
        let state = Arc::clone(server.state());
        // One subscriber session per account with a few subscriptions, one publisher each.
        let mut subscribers = Vec::new();
        let mut subs_of: Vec<Vec<(String, String)>> = Vec::new();
        for account in 0..scenario.accounts {
            let acc = state.account(&format!("ACC{account}")).expect("account");
            let shared = ConnShared::new(10_000 + account as u64, usize::MAX);
            let mut session = ClientSession::new(Arc::clone(&state), Arc::clone(&shared), acc);
            let connect = format!("CONNECT {{\"verbose\":false,\"user\":\"u{account}\",\"pass\":\"p\"}}\r\n");
            session.process(connect.as_bytes()).expect("connect");
            let mut subs = Vec::new();
            for n in 0..1 + rng.below(4) {
                let filter = match rng.below(4) {
                    0 => format!("p{}.{}", rng.below(scenario.accounts), subject(&mut rng, true)),
                    1 => format!("p{}.>", rng.below(scenario.accounts)),
                    2 => ">".to_string(),
                    _ => subject(&mut rng, true),
                };
                let sid = format!("{n}");
                session.process(format!("SUB {filter} {sid}\r\n").as_bytes()).expect("sub");
                subs.push((sid, filter));
            }
            shared.take_pending_for_test();
            subscribers.push((session, shared));
            subs_of.push(subs);
        }
        let mut publishers: Vec<_> = (0..scenario.accounts)
            .map(|account| {
                let acc = state.account(&format!("ACC{account}")).expect("account");
                let shared = ConnShared::new(20_000 + account as u64, usize::MAX);
                let mut session = ClientSession::new(Arc::clone(&state), Arc::clone(&shared), acc);
                let connect = format!("CONNECT {{\"verbose\":false,\"user\":\"u{account}\",\"pass\":\"p\"}}\r\n");
                session.process(connect.as_bytes()).expect("connect");
                session
            })
            .collect();
        for _ in 0..40 {
            let from = rng.below(scenario.accounts);
            let subject = subject(&mut rng, false);
            publishers[from].process(format!("PUB {subject} 0\r\n\r\n").as_bytes()).expect("pub");
            let mut reached = Vec::new();
            scenario.reach(from, &subject, &mut reached);
            for (account, (_, shared)) in subscribers.iter().enumerate() {
                let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
                for (acc, local) in reached.iter().filter(|(a, _)| *a == account) {
                    for (sid, filter) in &subs_of[*acc] {
                        if matches(filter, local) {
                            *expected.entry((sid.clone(), local.clone())).or_default() += 1;
                        }
                    }
                }
                if account != from {
                    crossed += expected.values().sum::<usize>();
                    // Subscriptions here that match the raw subject but got nothing: isolation held.
                    if expected.is_empty() && subs_of[account].iter().any(|(_, f)| matches(f, &subject)) {
                        withheld += 1;
                    }
                }
                let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
                for msg in received(shared) {
                    *got.entry(msg).or_default() += 1;
                }
                assert_eq!(
                    got, expected,
                    "round {round}: PUB {subject} in ACC{from}, deliveries in ACC{account}\nconfig:\n{text}\nsubs: {:?}",
                    subs_of[account]
                );
            }
        }
    }
    eprintln!("{crossed} cross-account deliveries, {withheld} isolation checks");
    assert!(crossed > 50, "imports exercised: {crossed} cross-account deliveries");
    assert!(withheld > 50, "isolation exercised: {withheld} same-subject subscriptions elsewhere got nothing");
}
