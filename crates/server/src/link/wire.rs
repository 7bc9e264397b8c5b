//! The bytes a link speaks, by kind: the only place link protocol lines are written. A closed
//! set: leaf nodes and routes now; gateways next.

use rnats_proto::encode::Sizes;

use super::LinkKind;
use crate::deliver::Message;

/// How one link writes interest and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `LS+`/`LS-`/`LMSG`/`HMSG` (the link is bound to one account).
    Leaf,
    /// `RS+`/`RS-`/`RMSG`/`HMSG` naming the account (one route connection carries many).
    Route,
    /// The same on a route dedicated to one account: no account token.
    RouteBound,
}

impl Wire {
    /// The wire of a kind of link. Gateways have none yet.
    pub fn of(kind: LinkKind) -> Wire {
        match kind {
            LinkKind::LeafAccepted | LinkKind::LeafSolicited => Wire::Leaf,
            LinkKind::Route => Wire::Route,
            // No gateway links exist until that issue lands; its wire joins here.
            LinkKind::Gateway => Wire::Route,
        }
    }

    fn account(self, account: &str) -> Option<&[u8]> {
        (self == Wire::Route).then_some(account.as_bytes())
    }

    /// Interest in `subject` in `account` (with the queue group and its weight).
    pub fn sub(self, out: &mut Vec<u8>, account: &str, subject: &[u8], queue: Option<(&[u8], u32)>) {
        match self {
            Wire::Leaf => rnats_proto::leaf::encode::sub(out, subject, queue),
            Wire::Route | Wire::RouteBound => {
                rnats_proto::route::encode::sub(out, self.account(account), subject, queue);
            }
        }
    }

    /// No more interest in `subject` (for the queue group).
    pub fn unsub(self, out: &mut Vec<u8>, account: &str, subject: &[u8], queue: Option<&[u8]>) {
        match self {
            Wire::Leaf => rnats_proto::leaf::encode::unsub(out, subject, queue),
            Wire::Route | Wire::RouteBound => {
                rnats_proto::route::encode::unsub(out, self.account(account), subject, queue);
            }
        }
    }

    /// A message in `account`, naming the queue groups the remote is to pick members of.
    pub fn msg(self, out: &mut Vec<u8>, account: &str, msg: &Message<'_>, queues: &[&[u8]]) {
        let sizes = match msg.header_len {
            Some(_) => Sizes::WithHeaders(msg.header_size_token, msg.size_token),
            None => Sizes::Plain(msg.size_token),
        };
        let (subject, reply, body) = (msg.subject, msg.reply, msg.body);
        match self {
            Wire::Leaf => rnats_proto::leaf::encode::msg(out, subject, reply, queues, sizes, body),
            Wire::Route | Wire::RouteBound => {
                rnats_proto::route::encode::msg(out, self.account(account), subject, reply, queues, sizes, body);
            }
        }
    }
}
