//! What an authenticated user may publish and subscribe to, decided as nats-server decides
//! it: allow lists, deny lists that win, queue-group entries, a delivery filter for wildcard
//! subscriptions that cover denied subjects, and `allow_responses` (publishing to the reply
//! subjects of requests delivered to the user).

use std::time::Duration;

use rnats_subject::{is_subset_match, subject_matches};

use crate::options::{PermissionsConfig, ResponsePermission, SubjectPermission};

/// A user's permissions, built once from the configuration and shared by its connections.
#[derive(Debug)]
pub struct Permissions {
    publish: Option<PublishRules>,
    subscribe: Option<SubscribeRules>,
    responses: Option<ResponseLimits>,
}

#[derive(Debug)]
struct PublishRules {
    /// `None`: everything not denied; `Some(empty)`: nothing (but tracked replies).
    allow: Option<Vec<Box<[u8]>>>,
    deny: Vec<Box<[u8]>>,
}

/// A subscribe entry: a subject, optionally restricted to one queue group (`"subject queue"`).
#[derive(Debug)]
struct QueueEntry {
    subject: Box<[u8]>,
    queue: Option<Box<[u8]>>,
}

#[derive(Debug)]
struct SubscribeRules {
    /// Empty: no restriction (nats-server ignores an empty subscribe allow list).
    allow: Vec<QueueEntry>,
    deny: Vec<QueueEntry>,
}

/// How often, and for how long, a delivered request may be answered.
#[derive(Debug, Clone, Copy)]
pub struct ResponseLimits {
    /// Responses per request (`None`: unlimited).
    pub(super) max: Option<u64>,
    /// Time after the request (`None`: forever).
    pub(super) ttl: Option<Duration>,
}

impl ResponseLimits {
    /// Responses per request and how long after it (`None`: unlimited).
    pub fn new(max: Option<u64>, ttl: Option<Duration>) -> ResponseLimits {
        ResponseLimits { max, ttl }
    }
}

impl Permissions {
    /// Compiles a `permissions` block.
    pub fn new(config: &PermissionsConfig) -> Permissions {
        let bytes = |list: &Option<Vec<String>>| -> Vec<Box<[u8]>> {
            list.iter().flatten().map(|s| s.as_bytes().into()).collect()
        };
        let publish = config.publish.as_ref().map(|p: &SubjectPermission| PublishRules {
            allow: p.allow.as_ref().map(|_| bytes(&p.allow)),
            deny: bytes(&p.deny),
        });
        let subscribe = config.subscribe.as_ref().map(|s| SubscribeRules {
            allow: queue_entries(s.allow.as_deref()),
            deny: queue_entries(s.deny.as_deref()),
        });
        let responses = config.responses.map(|r: ResponsePermission| ResponseLimits {
            max: u64::try_from(r.max).ok().filter(|&m| m > 0),
            ttl: u64::try_from(r.expires_nanos).ok().filter(|&n| n > 0).map(Duration::from_nanos),
        });
        Permissions { publish, subscribe, responses }
    }

    /// Whether the static rules let the user publish to `subject` (a tracked reply may still
    /// be allowed when this says no).
    pub fn may_publish(&self, subject: &[u8]) -> bool {
        let Some(rules) = &self.publish else { return true };
        let allowed = rules.allow.as_ref().is_none_or(|allow| allow.iter().any(|p| subject_matches(p, subject)));
        allowed && !rules.deny.iter().any(|p| subject_matches(p, subject))
    }

    /// Whether the user may subscribe to `subject` (wildcards in it count as literal tokens,
    /// so `foo.*` needs an entry that covers `foo.*`), with nats-server's queue-entry rules.
    pub fn may_subscribe(&self, subject: &[u8], queue: Option<&[u8]>) -> bool {
        let Some(rules) = &self.subscribe else { return true };
        let mut allowed = true;
        if !rules.allow.is_empty() {
            allowed = rules.allow.iter().any(|e| e.queue.is_none() && subject_matches(&e.subject, subject));
            if let Some(verdict) = queue.and_then(|q| queue_verdict(&rules.allow, subject, q)) {
                allowed = verdict;
            }
        }
        if allowed && !rules.deny.is_empty() {
            allowed = !rules.deny.iter().any(|e| e.queue.is_none() && subject_matches(&e.subject, subject));
            if let Some(verdict) = queue.and_then(|q| queue_verdict(&rules.deny, subject, q)) {
                allowed = !verdict;
            }
        }
        allowed
    }

    /// Whether messages delivered on an allowed subscription to `subject` must be checked
    /// against the deny list one by one: the subscription has wildcards that cover a denied
    /// subject (`foo.*` with `foo.bar` denied).
    pub fn needs_delivery_filter(&self, subject: &[u8]) -> bool {
        let Some(rules) = &self.subscribe else { return false };
        let wildcard = subject.split(|&b| b == b'.').any(|t| t == b"*" || t == b">");
        wildcard && rules.deny.iter().any(|e| e.queue.is_none() && is_subset_match(&e.subject, subject))
    }

    /// Whether a message on `subject` is denied to this user (the delivery filter).
    pub fn denies_delivery(&self, subject: &[u8]) -> bool {
        self.subscribe
            .as_ref()
            .is_some_and(|rules| rules.deny.iter().any(|e| e.queue.is_none() && subject_matches(&e.subject, subject)))
    }

    /// `allow_responses`, if granted.
    pub fn responses(&self) -> Option<ResponseLimits> {
        self.responses
    }
}

/// Among the queue entries covering `subject`, whether one names `queue`; `None` when no
/// queue entry covers the subject at all.
fn queue_verdict(entries: &[QueueEntry], subject: &[u8], queue: &[u8]) -> Option<bool> {
    let mut covering = entries.iter().filter(|e| e.queue.is_some() && subject_matches(&e.subject, subject)).peekable();
    covering.peek()?;
    Some(covering.any(|e| e.queue.as_deref().is_some_and(|pattern| is_subset_match(queue, pattern))))
}

fn queue_entries(list: Option<&[String]>) -> Vec<QueueEntry> {
    let mut entries = Vec::new();
    for text in list.into_iter().flatten() {
        let mut fields = text.split_whitespace();
        let subject = fields.next().unwrap_or_default();
        let queue = fields.next();
        entries.push(QueueEntry { subject: subject.as_bytes().into(), queue: queue.map(|q| q.as_bytes().into()) });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perms(publish: Option<(Option<&[&str]>, &[&str])>, subscribe: Option<(&[&str], &[&str])>) -> Permissions {
        let list = |l: &[&str]| Some(l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let config = PermissionsConfig {
            publish: publish.map(|(allow, deny)| SubjectPermission { allow: allow.and_then(list), deny: list(deny) }),
            subscribe: subscribe.map(|(allow, deny)| SubjectPermission { allow: list(allow), deny: list(deny) }),
            responses: None,
        };
        Permissions::new(&config)
    }

    #[test]
    fn publish_allow_and_deny() {
        let p = perms(Some((Some(&["foo.>", "bar"]), &["foo.secret"])), None);
        assert!(p.may_publish(b"foo.a"));
        assert!(p.may_publish(b"bar"));
        assert!(!p.may_publish(b"baz"));
        assert!(!p.may_publish(b"foo.secret"), "deny wins");
        let deny_only = perms(Some((None, &["x.*"])), None);
        assert!(deny_only.may_publish(b"y"));
        assert!(!deny_only.may_publish(b"x.1"));
        let nothing = perms(Some((Some(&[]), &[])), None);
        assert!(!nothing.may_publish(b"a"), "an empty publish allow list allows nothing");
        assert!(perms(None, None).may_publish(b"anything"));
    }

    #[test]
    fn subscribe_wildcards_count_as_literals() {
        let p = perms(None, Some((&["foo.bar", "baz.*"], &[])));
        assert!(p.may_subscribe(b"foo.bar", None));
        assert!(!p.may_subscribe(b"foo.*", None));
        assert!(p.may_subscribe(b"baz.*", None));
        assert!(p.may_subscribe(b"baz.>", None), "nats-server's quirk: * covers a literal >");
        assert!(!p.may_subscribe(b"baz.a.b", None));
        let empty = perms(None, Some((&[], &[])));
        assert!(empty.may_subscribe(b"any", None), "an empty subscribe allow list restricts nothing");
    }

    #[test]
    fn subscribe_queue_entries() {
        let only_v1 = perms(None, Some((&["foo v1"], &[])));
        assert!(!only_v1.may_subscribe(b"foo", None));
        assert!(only_v1.may_subscribe(b"foo", Some(b"v1")));
        assert!(!only_v1.may_subscribe(b"foo", Some(b"v2")));
        let plain_and_v1 = perms(None, Some((&["foo", "foo v1"], &[])));
        assert!(plain_and_v1.may_subscribe(b"foo", None));
        assert!(plain_and_v1.may_subscribe(b"foo", Some(b"v1")));
        assert!(!plain_and_v1.may_subscribe(b"foo", Some(b"v2")));
        let wildcard_queue = perms(None, Some((&["foo v.*"], &[])));
        assert!(wildcard_queue.may_subscribe(b"foo", Some(b"v.1")));
        let deny_v1 = perms(None, Some((&[], &["foo v1"])));
        assert!(deny_v1.may_subscribe(b"foo", None));
        assert!(!deny_v1.may_subscribe(b"foo", Some(b"v1")));
        assert!(deny_v1.may_subscribe(b"foo", Some(b"v2")));
        // nats-server's quirk: a matching queue entry decides over a plain deny.
        let deny_both = perms(None, Some((&[], &["foo", "foo v1"])));
        assert!(!deny_both.may_subscribe(b"foo", None));
        assert!(deny_both.may_subscribe(b"foo", Some(b"v2")));
    }

    #[test]
    fn deny_filters_wildcard_deliveries() {
        let p = perms(None, Some((&[], &["foo.secret"])));
        assert!(p.may_subscribe(b"foo.*", None));
        assert!(!p.may_subscribe(b"foo.secret", None));
        assert!(p.needs_delivery_filter(b"foo.*"));
        assert!(p.needs_delivery_filter(b">"));
        assert!(!p.needs_delivery_filter(b"bar.*"));
        assert!(!p.needs_delivery_filter(b"foo.public"));
        assert!(p.denies_delivery(b"foo.secret"));
        assert!(!p.denies_delivery(b"foo.public"));
    }

    #[test]
    fn responses_default_to_one_within_two_minutes() {
        let config = PermissionsConfig { responses: Some(ResponsePermission::default()), ..Default::default() };
        let limits = Permissions::new(&config).responses().expect("granted");
        assert_eq!((limits.max, limits.ttl), (Some(1), Some(Duration::from_secs(120))));
        let negative = PermissionsConfig {
            responses: Some(ResponsePermission { max: -1, expires_nanos: -1 }),
            ..Default::default()
        };
        let limits = Permissions::new(&negative).responses().expect("granted");
        assert_eq!((limits.max, limits.ttl), (None, None));
    }
}
