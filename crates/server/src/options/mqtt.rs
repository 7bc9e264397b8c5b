//! `mqtt`: checked as nats-server's `parseMQTT`; rnats has no MQTT listener yet.

use rnats_conf::Value;

use super::auth::simple_auth;
use super::check::{go_type, plain_field, Ctx, Item, Shape, Step, LISTENER};
use super::duration::duration_field;
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("no_auth_user", Shape::Str), ("js_domain", Shape::Str)];

/// nats-server's `parseMQTT`.
pub(crate) fn mqtt(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected mqtt to be a map, got {}", go_type(item.value)));
    };
    for entry in fields.iter() {
        let it = Item::entry(entry);
        let key = entry.key.to_ascii_lowercase();
        if let Some(step) = plain_field(ctx, &[LISTENER, FIELDS], &key, it) {
            step?;
            continue;
        }
        match key.as_str() {
            "tls" => {
                let _ = tls_section(ctx, it, true);
            }
            "authorization" | "authentication" => simple_auth(ctx, it)?,
            "ack_wait" | "ackwait" => {
                duration_field(ctx, "ack_wait", it)?;
            }
            "max_ack_pending" | "max_pending" | "max_inflight" => {
                let n = ctx.int(it)?;
                if !(0..=0xFFFF).contains(&n) {
                    ctx.error(it.pos, format!("invalid value {n}, should in [0..65535] range"));
                }
            }
            // 2.9 additions and newer.
            "stream_replicas" | "consumer_replicas" => {
                ctx.int(it)?;
            }
            "consumer_memory_storage" | "reject_qos2_publish" | "downgrade_qos2_subscribe" => {
                ctx.bool(it)?;
            }
            "consumer_inactive_threshold" | "consumer_auto_cleanup" => {
                duration_field(ctx, "consumer_inactive_threshold", it)?;
            }
            "js_api_timeout" => {
                duration_field(ctx, "js_api_timeout", it)?;
            }
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(())
}

/// Cases checked against nats-server 2.9.10 (`nats-server -t`): the expected texts are its
/// output for the same file.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options("\nmqtt { port: 1883, ack_wait: \"30s\", max_ack_pending: 100, js_domain: hub, no_auth_user: a, authorization { token: t } }\n");
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
