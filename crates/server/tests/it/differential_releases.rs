//! Where nats-server 2.9.10 and 2.15.1 answer the differential scripts differently. Every table
//! of scripts runs on both releases, and the scripts whose answers differ must be exactly the
//! ones listed here, which `docs/architecture.md` explains (with the way rnats went: 2.15.1's,
//! which the other differential tests hold it to). A new difference the scripts find fails
//! here until it is listed and documented; so does a listed one that went away.

use super::differential_harness::{differing, Releases, Suite};

/// Per suite, the scripts on which the releases differ, by difference.
const DIFFERENCES: &[(&str, &[&str])] = &[
    (
        "main",
        &[
            // A 503 for a request nobody took names the subject (`Nats-Subject` header).
            "no_responders_503",
            "no_responders_503_hpub",
            "no_responders_echo_false_own_responder",
            "no_responders_verbose",
            "no_responders_responder_auto_unsubscribed",
            "no_responders_subject_not_pedantic",
            "no_responders_long_subject",
            "no_responders_protocol_1",
            // The old gateway reply prefix `$GR.` is reserved like `_GR_.`.
            "publish_to_old_gr_subject",
            "reply_old_gr_prefix",
            "publish_to_old_gr_subject_verbose",
            "pedantic_old_gr_subject",
            "not_pedantic_old_gr_prefix",
            "old_gr_subject_and_reserved_reply",
            "pedantic_wildcard_with_old_gr_reply",
            "hpub_old_gr_subject",
            "hpub_old_gr_reply",
            // `$NRG.` (Raft groups) is closed to clients outside the system account.
            "publish_to_nrg_subject",
            "publish_to_bare_nrg_prefix",
            "not_pedantic_bare_nrg_prefix",
            "publish_to_nrg_verbose_with_reserved_reply",
            // A protocol-1 client gets an INFO naming its account after its first PONG.
            "connect_full_client_fields",
            "connect_protocol_1",
            "connect_info_after_first_pong",
            "connect_info_verbose",
            "connect_info_ping_before_connect",
            "connect_info_two_connects",
            "connect_info_pong_only",
            "connect_info_with_headers_and_messages",
            // A client's INFO is decoded into a larger `Info` struct.
            "client_info_api_level_not_integer",
            "client_info_system_account_not_flag",
            "client_info_compression_not_text",
            "client_info_route_pool_not_integer",
            "client_info_gossip_mode_overflow",
            "client_info_lnocu_not_flag",
            "client_info_route_account_not_text",
            "client_info_route_request_not_text",
            "client_info_xkey_not_text",
            "client_info_field_case_folded",
        ],
    ),
    // The INFO naming the account.
    ("limits", &["auth_ok_protocol_1"]),
    ("token", &["token_ok_protocol_1"]),
    (
        "accounts",
        &[
            "account_connect_info",
            "account_connect_info_system",
            // `$NRG.` outside the system account.
            "account_other_publishes_nrg",
            // A request through a service import that no responder takes gets its 503.
            "account_import_no_responder_protocol_1",
            "account_import_local_subject_only",
        ],
    ),
    ("permissions", &["permissions_protocol_1"]),
    ("account_limits", &["pay_0_connect_info", "pay_neg_connect_info", "pay_none_connect_info"]),
];

fn all_suites() -> Vec<Suite> {
    let mut suites = super::differential::suites();
    suites.push(super::differential_auth::suite());
    suites.push(super::limits_config::suite());
    suites
}

#[test]
fn releases_differ_only_where_documented() {
    let mut found: Vec<(&str, Vec<String>)> = Vec::new();
    for suite in all_suites() {
        let Some(releases) = Releases::configured(&suite.config) else { return };
        let names = differing(&releases, &suite.scripts).into_iter().map(String::from).collect();
        found.push((suite.name, names));
    }
    found.retain(|(_, names)| !names.is_empty());
    for (_, names) in &mut found {
        names.sort_unstable();
    }
    let expected: Vec<(&str, Vec<String>)> = DIFFERENCES
        .iter()
        .map(|(suite, names)| {
            let mut names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            names.sort_unstable();
            (*suite, names)
        })
        .collect();
    assert_eq!(found, expected, "scripts on which nats-server 2.9.10 and 2.15.1 differ (found, listed)");
}
