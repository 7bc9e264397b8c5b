//! Authentication and permissions against nats-server 2.15.1: the same scripts, byte for byte
//! after masking (bcrypt logins, permission violations, queue entries, the delivery filter,
//! verbose mode after a violation, allow_responses).

use rnats_testkit::{mask_info, RawConn};

use super::differential_harness::{script, send_and_sync, Servers, Suite};
use super::support::options_from;

/// "foo" at bcrypt cost 4 (nats-server's own test hash).
const FOO_HASH: &str = "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK";

fn permissions_config() -> String {
    format!(
        r#"
authorization {{
  default_permissions {{ publish: "public.>", subscribe: "public.>" }}
  users = [
    {{user: bc, password: "{FOO_HASH}"}}
    {{user: p, password: p, permissions: {{
        publish: {{ allow: ["a.>", "b"], deny: ["a.secret"] }}
        subscribe: {{ allow: ["a.>", "q v1", "w.*"], deny: ["a.hidden", "w.x"] }} }} }}
    {{user: r, password: r, permissions: {{ subscribe: "req.>", allow_responses: true }} }}
    {{user: r2, password: r2, permissions: {{ subscribe: "req.>", allow_responses: {{ max: 2 }} }} }}
    {{user: all, password: all, permissions: {{ publish: ">", subscribe: ">" }} }}
  ]
}}
"#
    )
}

fn servers() -> Option<Servers> {
    let config = permissions_config();
    Servers::configured(&config, options_from(&config))
}

fn login(user: &str, rest: &str) -> Vec<u8> {
    format!("CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"{user}\"}}\r\n{rest}").into_bytes()
}

/// Logins and permission violations, for `differential_releases.rs` too.
pub(super) fn suite() -> Suite {
    let scripts = vec![
        script("bcrypt_ok", "CONNECT {\"verbose\":false,\"user\":\"bc\",\"pass\":\"foo\"}\r\nPING\r\n"),
        script("bcrypt_wrong", "CONNECT {\"verbose\":false,\"user\":\"bc\",\"pass\":\"bar\"}\r\nPING\r\n"),
        script("bcrypt_hash_as_password", format!("CONNECT {{\"user\":\"bc\",\"pass\":\"{FOO_HASH}\"}}\r\nPING\r\n")),
        script(
            "default_permissions_apply",
            "CONNECT {\"verbose\":false,\"user\":\"bc\",\"pass\":\"foo\"}\r\nSUB public.> 1\r\nSUB private 2\r\n\
             PUB public.x 1\r\na\r\nPUB private 1\r\nb\r\nPING\r\n",
        ),
        script(
            "publish_allow_deny",
            login("p", "SUB a.> 1\r\nPUB a.x 1\r\n1\r\nPUB a.secret 1\r\n2\r\nPUB b 1\r\n3\r\nPUB c 1\r\n4\r\nPING\r\n"),
        ),
        script(
            "subscribe_checks",
            login(
                "p",
                "SUB a.* 1\r\nSUB c 2\r\nSUB q 3\r\nSUB q v1 4\r\nSUB q v2 5\r\nSUB a.hidden 6\r\nSUB w.* 7\r\n\
                 SUB w.x 8\r\nSUB > 9\r\nPING\r\n",
            ),
        ),
        script(
            "delivery_filter_on_wildcards",
            login("p", "SUB a.* 1\r\nSUB a.> 2\r\nPUB a.hidden 1\r\nh\r\nPUB a.open 1\r\no\r\nPING\r\n"),
        ),
        script(
            "verbose_after_violations",
            "CONNECT {\"verbose\":true,\"user\":\"p\",\"pass\":\"p\"}\r\nPUB c 1\r\nx\r\nSUB c 1\r\nUNSUB 1\r\nPUB b 0\r\n\r\nPING\r\n",
        ),
        script("responses_only_publish_nothing_else", login("r", "SUB req.> 1\r\nPUB req.a 1\r\nx\r\nPING\r\n")),
        script("sys_queue_name", login("all", "SUB foo _sys_ 1\r\nSUB foo q 2\r\nPING\r\n")),
        script(
            "permissions_protocol_1",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"p\",\"pass\":\"p\"}\r\nPUB c 1\r\nx\r\nPING\r\nPING\r\n",
        ),
        script("second_connect_changes_permissions", {
            let mut bytes = login("all", "SUB c 1\r\nPING\r\n");
            bytes.extend(login("p", "PUB c 1\r\nx\r\nSUB d 2\r\nPING\r\n"));
            bytes
        }),
    ];
    Suite { name: "permissions", config: permissions_config(), scripts }
}

#[test]
fn logins_and_permission_violations_match_go_server() {
    suite().check();
}

/// A requester (`all`) asks on `req.x`; the responder (`r`: subscribe only, `allow_responses`)
/// answers twice (the second is refused) and tries another subject. `r2` may answer twice.
#[test]
fn allow_responses_matches_go_server() {
    let Some(servers) = servers() else { return };
    let mut outputs = Vec::new();
    for addr in [servers.rnats.addr(), servers.go.addr()] {
        let mut responder = RawConn::connect(addr);
        send_and_sync(&mut responder, &login("r", "SUB req.> 1\r\nPING\r\n"), 1);
        let mut twice = RawConn::connect(addr);
        send_and_sync(&mut twice, &login("r2", "SUB req.> 1\r\nPING\r\n"), 1);
        let mut requester = RawConn::connect(addr);
        send_and_sync(&mut requester, &login("all", "SUB inbox.> 1\r\nPUB req.x inbox.1 1\r\n?\r\nPING\r\n"), 1);
        send_and_sync(&mut responder, b"PING\r\n", 2);
        send_and_sync(&mut twice, b"PING\r\n", 2);
        send_and_sync(
            &mut responder,
            b"PUB inbox.1 3\r\none\r\nPUB inbox.1 3\r\ntwo\r\nPUB inbox.2 5\r\nthree\r\nPING\r\n",
            3,
        );
        send_and_sync(
            &mut twice,
            b"PUB inbox.1 4\r\nfour\r\nPUB inbox.1 4\r\nfive\r\nPUB inbox.1 3\r\nsix\r\nPING\r\n",
            3,
        );
        send_and_sync(&mut requester, b"PING\r\n", 2);
        outputs.push((mask_info(requester.received()), mask_info(responder.received()), mask_info(twice.received())));
    }
    assert!(outputs[1].0.contains("MSG inbox.1 1 3\r\none"), "Go delivered the response: {:?}", outputs[1].0);
    assert_eq!(outputs[0], outputs[1], "rnats (left) and nats-server (right): (requester, responder, twice)");
}
