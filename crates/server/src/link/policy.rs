//! The forwarding rules between connection kinds, in one place: which links hear of interest
//! that came from where, and which links a message that came from where may go out on. Pure
//! functions of the two kinds, so the whole table is a test (transcribed from nats-server:
//! `client.go` processMsgResults and subscription propagation, `leafnode.go` processLeafSub and
//! updateLeafNodes, `route.go`, `gateway.go`).
//!
//! Leaf nodes and the local side of today's server are built; the route and gateway rows are
//! the specification the cluster and super-cluster work builds to.

/// What kind of connection (or the server itself) something came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginKind {
    /// A client connection on this server.
    Client,
    /// A subscriber or publisher inside the server (system account, service responders).
    Internal,
    /// A server link.
    Link(LinkKind),
}

/// The kinds of server links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A leaf node link that this server accepted: the remote is our leaf, we are its hub.
    LeafAccepted,
    /// A leaf node link that this server solicited: the remote is our hub, we are its leaf.
    LeafSolicited,
    /// A route to another server of the same cluster (full mesh: one hop).
    Route,
    /// A gateway to another cluster (one hop between clusters).
    Gateway,
}

/// Whether interest (a subscription) that arrived from `from` is announced over a link of kind
/// `to`. The link it came from never hears of it again (callers skip the origin link).
pub fn announces(from: OriginKind, to: LinkKind) -> bool {
    use LinkKind::*;
    match (from, to) {
        // What is subscribed here, by clients or inside the server, goes everywhere.
        (OriginKind::Client | OriginKind::Internal, _) => true,
        // A hub treats its leaves' interest like its clients'.
        (OriginKind::Link(LeafAccepted), _) => true,
        // Interest from our hub goes on to our own leaves only: the hub's cluster and the
        // clusters behind its gateways already know it through the hub.
        (OriginKind::Link(LeafSolicited), LeafAccepted | LeafSolicited) => true,
        (OriginKind::Link(LeafSolicited), Route | Gateway) => false,
        // Every server of a cluster has its own routes and gateways: one hop only. Leaves of
        // this server are told, so that their clients can reach the whole cluster.
        (OriginKind::Link(Route), LeafAccepted | LeafSolicited) => true,
        (OriginKind::Link(Route), Route | Gateway) => false,
        // A remote cluster's interest stays on the server that holds the gateway.
        (OriginKind::Link(Gateway), _) => false,
    }
}

/// Whether a message that arrived from `from` may go out over a link of kind `to`.
/// `service_reply`: the message answers a request that crossed clusters or leaf nodes
/// (nats-server lets those through where ordinary messages would stop; see
/// [`is_service_reply`]).
pub fn forwards(from: OriginKind, to: LinkKind, service_reply: bool) -> bool {
    use LinkKind::*;
    match (from, to) {
        (OriginKind::Client | OriginKind::Internal, _) => true,
        (OriginKind::Link(LeafAccepted), _) => true,
        // From our hub: our own leaves and other clusters, never back into our cluster's mesh
        // (the other servers may be linked to the same hub and got it themselves).
        (OriginKind::Link(LeafSolicited), LeafAccepted | LeafSolicited | Gateway) => true,
        (OriginKind::Link(LeafSolicited), Route) => false,
        // From a route: the leaves we are hub of; the hub we are a leaf of only for a service
        // reply (the other servers of this cluster may be linked to the same hub and would
        // deliver it again).
        (OriginKind::Link(Route), LeafAccepted) => true,
        (OriginKind::Link(Route), LeafSolicited) => service_reply,
        (OriginKind::Link(Route), Route | Gateway) => false,
        // From another cluster: one server of this cluster takes it and hands it over its
        // routes to the others (who go no further); never to a third cluster.
        (OriginKind::Link(Gateway), LeafAccepted | LeafSolicited | Route) => true,
        (OriginKind::Link(Gateway), Gateway) => false,
    }
}

/// A reply subject a service import made (`_R_.`): nats-server's `isServiceReply`.
pub fn is_service_reply(subject: &[u8]) -> bool {
    subject.starts_with(b"_R_.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use LinkKind::*;

    const FROM: [OriginKind; 6] = [
        OriginKind::Client,
        OriginKind::Internal,
        OriginKind::Link(LeafAccepted),
        OriginKind::Link(LeafSolicited),
        OriginKind::Link(Route),
        OriginKind::Link(Gateway),
    ];
    const TO: [LinkKind; 4] = [LeafAccepted, LeafSolicited, Route, Gateway];

    /// The table, row by row: `(from, [to leaf accepted, leaf solicited, route, gateway])`.
    /// `1`: announced / forwarded; `0`: not; `r`: only a service reply.
    const INTEREST: [(OriginKind, [char; 4]); 6] = [
        (OriginKind::Client, ['1', '1', '1', '1']),
        (OriginKind::Internal, ['1', '1', '1', '1']),
        (OriginKind::Link(LeafAccepted), ['1', '1', '1', '1']),
        (OriginKind::Link(LeafSolicited), ['1', '1', '0', '0']),
        (OriginKind::Link(Route), ['1', '1', '0', '0']),
        (OriginKind::Link(Gateway), ['0', '0', '0', '0']),
    ];
    const MESSAGES: [(OriginKind, [char; 4]); 6] = [
        (OriginKind::Client, ['1', '1', '1', '1']),
        (OriginKind::Internal, ['1', '1', '1', '1']),
        (OriginKind::Link(LeafAccepted), ['1', '1', '1', '1']),
        (OriginKind::Link(LeafSolicited), ['1', '1', '0', '1']),
        (OriginKind::Link(Route), ['1', 'r', '0', '0']),
        (OriginKind::Link(Gateway), ['1', '1', '1', '0']),
    ];

    #[test]
    fn interest_table() {
        for (from, row) in INTEREST {
            for (to, cell) in TO.iter().zip(row) {
                assert_eq!(announces(from, *to), cell == '1', "interest from {from:?} to {to:?}");
            }
        }
    }

    #[test]
    fn message_table() {
        for (from, row) in MESSAGES {
            for (to, cell) in TO.iter().zip(row) {
                assert_eq!(forwards(from, *to, false), cell == '1', "message from {from:?} to {to:?}");
                assert_eq!(forwards(from, *to, true), cell != '0', "service reply from {from:?} to {to:?}");
            }
        }
    }

    #[test]
    fn the_tables_cover_every_kind() {
        assert!(FROM.iter().all(|f| INTEREST.iter().any(|(o, _)| o == f)));
        assert!(FROM.iter().all(|f| MESSAGES.iter().any(|(o, _)| o == f)));
    }

    /// A message never crosses two routes or two gateways (one hop each): at most gateway,
    /// then route, inside the receiving cluster.
    #[test]
    fn one_hop_rules() {
        for reply in [false, true] {
            assert!(!forwards(OriginKind::Link(Route), Route, reply));
            assert!(!forwards(OriginKind::Link(Gateway), Gateway, reply));
            assert!(!forwards(OriginKind::Link(Route), Gateway, reply));
        }
    }
}
