//! `gateway` (connections between clusters): checked as nats-server's `parseGateway`; rnats
//! has no gateways yet.

use rnats_conf::Value;

use super::auth::authorization;
use super::check::{go_display, go_type, Ctx, Item, Shape, Step};
use super::duration::any_duration;
use super::facts::Endpoint;
use super::facts::Gateway;
use super::listen::listener_section;
use super::misc::{url, urls};
use super::newer;
use super::tls::tls_section;

/// Plain fields of this section besides the listener ones.
const FIELDS: &[(&str, Shape)] = &[("advertise", Shape::Str), ("connect_retries", Shape::Int)];

/// nats-server's `parseGateway`. What the start checks need goes to `ctx.facts.gateway`.
pub(crate) fn gateway(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected gateway to be a map, got {}", go_type(item.value)));
    };
    let mut facts = Gateway { pos: Some(item.pos.clone()), ..Gateway::default() };
    let mut endpoint = Endpoint::default();
    let step = listener_section(ctx, fields, FIELDS, &mut endpoint, &mut |ctx, key, entry| {
        let it = Item::entry(entry);
        match key {
            "name" => {
                let name = ctx.str(it)?;
                if name.contains(' ') {
                    ctx.error(it.pos, "gateway name cannot contain spaces");
                    return Ok(());
                }
                facts.name = name.to_string();
            }
            "authorization" => {
                let Ok(auth) = authorization(ctx, it) else {
                    return Ok(());
                };
                if auth.users.is_some() {
                    ctx.error(it.pos, "Gateway authorization does not allow multiple users");
                } else if !auth.token.is_empty() {
                    ctx.error(it.pos, "Gateway authorization does not support tokens");
                } else if auth.callout {
                    ctx.error(it.pos, "Gateway authorization does not support callouts");
                }
            }
            "tls" => {
                let _ = tls_section(ctx, it, false);
            }
            // A malformed list ends nats-server's whole gateway block.
            "gateways" => facts.gateways = gateways(ctx, it)?,
            "reject_unknown" | "reject_unknown_cluster" => {
                ctx.bool(it)?;
            }
            // Newer than 2.9.10.
            "connect_backoff" => {
                ctx.bool(it)?;
            }
            "write_deadline" => {
                any_duration(ctx, "write_deadline", it)?;
            }
            "write_timeout" => {
                newer::write_timeout(ctx, it)?;
            }
            _ => ctx.unknown_field(entry),
        }
        Ok(())
    });
    facts.endpoint = endpoint;
    ctx.facts.gateway = Some(facts);
    step
}

/// nats-server's `parseGateways`: `[ {name, url(s), tls}, ... ]`.
fn gateways(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<(String, bool)>> {
    let Value::Array(elements) = item.value else {
        // nats-server hands the bare value over: the error has no position.
        return ctx.fail_unplaced(format!("Expected gateways field to be an array, got {}", go_type(item.value)));
    };
    let mut listed = Vec::with_capacity(elements.len());
    // A wrong type inside ends the list, not the gateway block.
    ctx.section(|ctx| {
        for element in elements.iter() {
            let Value::Map(fields) = &element.value else {
                let message = format!("Expected gateway entry to be a map/struct, got {}", go_display(&element.value));
                ctx.error(&element.pos, message);
                continue;
            };
            listed.push((String::new(), false));
            let Some(gateway) = listed.last_mut() else { continue };
            for entry in fields.iter() {
                let it = Item::entry(entry);
                match entry.key.to_ascii_lowercase().as_str() {
                    "name" => gateway.0 = ctx.str(it)?.to_string(),
                    "tls" => {
                        let _ = tls_section(ctx, it, false);
                    }
                    "url" => {
                        url(ctx, "gateway", it)?;
                        gateway.1 = true;
                    }
                    "urls" => {
                        urls(ctx, "gateway", it)?;
                        gateway.1 |= matches!(it.value, Value::Array(a) if !a.is_empty());
                    }
                    _ => ctx.unknown_field(entry),
                }
            }
        }
        Ok(())
    });
    Ok(listed)
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        options("\ngateway { name: A, listen: \"0.0.0.0:7222\", reject_unknown_cluster: true, gateways: [ {name: B, urls: [\"nats://b:7222\"]}, {name: C, url: \"nats://c:7222\"} ] }\n");
        assert_eq!(first_error("\ngateway = 5\n"), r#"test.conf:2:1: Expected gateway to be a map, got int64"#);
        assert_eq!(
            first_error("\ngateway { gateways: [ {name: A, url: \"nats://a:1\", foo: 1} ] }\n"),
            r#"test.conf:2:52: unknown field "foo""#
        );
        assert_eq!(first_error("\ngateway { gateways: 5 }\n"), r#"Expected gateways field to be an array, got int64"#);
        assert_eq!(
            first_error("\ngateway { gateways: [ 5 ] }\n"),
            r#"test.conf:2:23: Expected gateway entry to be a map/struct, got 5"#
        );
        assert_eq!(
            first_error("\ngateway { name: A, authorization { users: [] } }\n"),
            r#"test.conf:2:20: Gateway authorization does not allow multiple users"#
        );
        assert_eq!(
            first_error("\ngateway { name: A, authorization { token: x } }\n"),
            r#"test.conf:2:20: Gateway authorization does not support tokens"#
        );
        assert_eq!(
            first_error("\ngateway { gateways: [ {name: A, url: \"x y://\"} ] }\n"),
            r#"test.conf:2:33: error parsing gateway url ["x y://"]"#
        );
        assert_eq!(
            first_error("\ngateway { name: 5 }\n"),
            r#"test.conf:2:11: interface conversion: interface {} is int64, not string"#
        );
    }
}
