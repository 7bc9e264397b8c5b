//! Subjects and replies a client may not use whatever its permissions: nats-server keeps them
//! for traffic it makes itself (gateway-routed replies, service-import replies, JetStream
//! acks, Raft groups).

/// Gateway-routed reply prefixes, the current form and the old one. A client may not publish
/// to a subject that starts with either and goes on past it, nor use such a reply (nats-server
/// 2.15.1; 2.9.10 left the old `$GR.` form to clients).
const GATEWAY_PREFIXES: [&[u8]; 2] = [b"_GR_.", b"$GR."];
/// The service-import reply prefix: reserved as a reply even bare.
const SERVICE_REPLY_PREFIX: &[u8] = b"_R_.";
/// JetStream acks: reserved as a reply when something follows.
const JS_ACK_PREFIX: &[u8] = b"$JS.ACK.";
/// Raft groups' subjects: only the system account may publish there, even to the bare
/// prefix (nats-server 2.11 and later; 2.9.10 let anyone).
const RAFT_PREFIX: &[u8] = b"$NRG.";

/// Whether `subject` is a gateway-routed reply subject, closed to clients.
pub(super) fn is_gateway_subject(subject: &[u8]) -> bool {
    GATEWAY_PREFIXES.iter().any(|p| has_longer_prefix(subject, p))
}

/// Whether `subject` belongs to Raft groups, closed to clients outside the system account.
pub(super) fn is_raft_subject(subject: &[u8]) -> bool {
    subject.starts_with(RAFT_PREFIX)
}

/// nats-server's `isReservedReply`.
pub(super) fn is_reserved_reply(reply: &[u8]) -> bool {
    reply.starts_with(SERVICE_REPLY_PREFIX)
        || has_longer_prefix(reply, JS_ACK_PREFIX)
        || GATEWAY_PREFIXES.iter().any(|p| has_longer_prefix(reply, p))
}

/// Whether `subject` starts with `prefix` and has more after it.
fn has_longer_prefix(subject: &[u8], prefix: &[u8]) -> bool {
    subject.len() > prefix.len() && subject.starts_with(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_reserved_only_when_something_follows() {
        assert!(is_gateway_subject(b"_GR_.x") && is_gateway_subject(b"$GR.x"));
        assert!(!is_gateway_subject(b"_GR_.") && !is_gateway_subject(b"$GR.") && !is_gateway_subject(b"$gr.x"));
        assert!(is_reserved_reply(b"_R_.") && is_reserved_reply(b"$JS.ACK.x") && is_reserved_reply(b"$GR.x"));
        assert!(!is_reserved_reply(b"$JS.ACK.") && !is_reserved_reply(b"$GR.") && !is_reserved_reply(b"$NRG.x"));
        assert!(is_raft_subject(b"$NRG.") && is_raft_subject(b"$NRG.x") && !is_raft_subject(b"$NRG"));
    }
}
