//! The bytes a link speaks, by kind: the only place link protocol lines are written. A closed
//! set: leaf nodes now; routes (`RS+`/`RS-`/`RMSG` with the account named) and gateways next.

use rnats_proto::encode::Sizes;

use super::LinkKind;
use crate::deliver::Message;

/// How one link writes interest and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `LS+`/`LS-`/`LMSG`/`HMSG` (the link is bound to one account).
    Leaf,
}

impl Wire {
    /// The wire of a kind of link. Routes and gateways have none yet.
    pub fn of(kind: LinkKind) -> Wire {
        match kind {
            LinkKind::LeafAccepted | LinkKind::LeafSolicited => Wire::Leaf,
            // No route or gateway links exist until those issues land; their wires join here.
            LinkKind::Route | LinkKind::Gateway => Wire::Leaf,
        }
    }

    /// Interest in `subject` (with the queue group and its weight).
    pub fn sub(self, out: &mut Vec<u8>, subject: &[u8], queue: Option<(&[u8], u32)>) {
        match self {
            Wire::Leaf => rnats_proto::leaf::encode::sub(out, subject, queue),
        }
    }

    /// No more interest in `subject` (for the queue group).
    pub fn unsub(self, out: &mut Vec<u8>, subject: &[u8], queue: Option<&[u8]>) {
        match self {
            Wire::Leaf => rnats_proto::leaf::encode::unsub(out, subject, queue),
        }
    }

    /// A message, naming the queue groups the remote is to pick members of.
    pub fn msg(self, out: &mut Vec<u8>, msg: &Message<'_>, queues: &[&[u8]]) {
        let sizes = match msg.header_len {
            Some(_) => Sizes::WithHeaders(msg.header_size_token, msg.size_token),
            None => Sizes::Plain(msg.size_token),
        };
        match self {
            Wire::Leaf => rnats_proto::leaf::encode::msg(out, msg.subject, msg.reply, queues, sizes, msg.body),
        }
    }
}
