//! `mqtt`: checked as nats-server's `parseMQTT`; rnats has no MQTT listener yet.

use rnats_conf::Value;

use super::auth::simple_auth;
use super::check::{go_type, Ctx, Item, Shape, Step};
use super::duration::any_duration;
use super::facts::Endpoint;
use super::facts::Listener;
use super::listen::listener_section;
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("js_domain", Shape::Str)];

/// nats-server's `parseMQTT`. What the start checks need goes to `ctx.facts.mqtt`.
pub(crate) fn mqtt(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected mqtt to be a map, got {}", go_type(item.value)));
    };
    let mut facts = Listener { pos: Some(item.pos.clone()), ..Listener::default() };
    let mut endpoint = Endpoint::default();
    let step = listener_section(ctx, fields, FIELDS, &mut endpoint, &mut |ctx, key, entry| {
        let it = Item::entry(entry);
        match key {
            "tls" => facts.tls |= tls_section(ctx, it, true).is_ok(),
            "authorization" | "authentication" => (facts.username, facts.token) = simple_auth(ctx, it)?,
            "no_auth_user" => facts.no_auth_user = ctx.str(it)?.to_string(),
            "ack_wait" | "ackwait" => facts.ack_wait_negative = any_duration(ctx, "ack_wait", it)? < 0,
            "js_api_timeout" | "api_timeout" => {
                facts.js_api_timeout_negative = any_duration(ctx, "js_api_timeout", it)? < 0;
            }
            "max_ack_pending" | "max_pending" | "max_inflight" => {
                let n = ctx.int(it)?;
                if !(0..=0xFFFF).contains(&n) {
                    ctx.error(it.pos, format!("invalid value {n}, should in [0..65535] range"));
                }
            }
            "stream_replicas" => facts.replicas.0 = ctx.int(it)?,
            "consumer_replicas" => {
                ctx.go_warning(it.pos, &entry.key, "consumer replicas setting ignored in this server version");
            }
            "consumer_memory_storage" | "reject_qos2_publish" | "downgrade_qos2_subscribe" => {
                ctx.bool(it)?;
            }
            "consumer_inactive_threshold" | "consumer_auto_cleanup" => {
                any_duration(ctx, "consumer_inactive_threshold", it)?;
            }
            _ => ctx.unknown_field(entry),
        }
        Ok(())
    });
    facts.endpoint = endpoint;
    ctx.facts.mqtt = Some(facts);
    step
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options("\nmqtt { port: 1883, ack_wait: \"30s\", max_ack_pending: 100, js_domain: hub, no_auth_user: a }\nauthorization { users: [{user: a, password: b}] }\njetstream: true\n");
        assert_eq!(first_error("\nmqtt = 5\n"), r#"test.conf:2:1: Expected mqtt to be a map, got int64"#);
        assert_eq!(
            first_error("\nmqtt { max_pending: 70000 }\n"),
            r#"test.conf:2:8: invalid value 70000, should in [0..65535] range"#
        );
        assert_eq!(
            first_error("\nmqtt { ack_wait: \"x\" }\n"),
            r#"test.conf:2:8: error parsing ack_wait: time: invalid duration "x""#
        );
        assert_eq!(first_error("\nmqtt { foo: 1 }\n"), r#"test.conf:2:8: unknown field "foo""#);
        assert_eq!(
            first_error("\nmqtt { authorization = 5 }\n"),
            r#"test.conf:2:8: interface conversion: interface {} is int64, not map[string]interface {}"#
        );
    }
}
