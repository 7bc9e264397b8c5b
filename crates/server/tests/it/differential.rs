//! Differential tests against nats-server 2.15.1 (see `differential_harness.rs` for how
//! scripts run and what is masked): the main table of client-protocol scripts, servers
//! configured alike (small limits and user/password auth, token auth, fast keep-alive, deep
//! CONNECT JSON, accounts with imports and a system account, one connection at most), and
//! multi-connection cases (header delivery, imports across accounts).

use std::net::SocketAddr;
use std::time::Duration;

use rnats_testkit::{mask_info, run_script, RawConn};

use super::differential_harness::{idle, script, send_and_sync, visible, Pair, Script, Servers, Suite};
use super::support::options_from;

/// Reading time of an idle script that must end before any server PING.
const SHORT_IDLE: Duration = Duration::from_millis(700);
/// Reading time of an idle script that must see (or not see) the first PING (sent 2 to 2.4 s
/// after CONNECT).
const LONG_IDLE: Duration = Duration::from_millis(1500);
/// How long a script on one server may take (only reached when something is wrong).
const SCRIPT_TIMEOUT: Duration = Duration::from_millis(1500);

/// `CONNECT` turning `+OK` acknowledgements off, the common prefix of most scripts.
const QUIET: &str = "CONNECT {\"verbose\":false}\r\n";
/// `CONNECT` with headers and no `+OK`s.
const QUIET_HEADERS: &str = "CONNECT {\"verbose\":false,\"headers\":true}\r\n";

/// A script after the quiet CONNECT.
fn quiet(name: &str, rest: &str) -> Script {
    script(name, format!("{QUIET}{rest}"))
}

/// A script after the quiet CONNECT with headers on.
fn quiet_headers(name: &str, rest: &str) -> Script {
    script(name, format!("{QUIET_HEADERS}{rest}"))
}

fn scripts() -> Vec<Script> {
    let long = "a".repeat(5000);
    let just_over = "b".repeat(4100);
    vec![
        // --- PING / PONG, and no CONNECT at all (verbose and pedantic default to true) ---
        script("ping_without_connect", "PING\r\n"),
        script("pong_then_ping", "PONG\r\nPING\r\n"),
        script("ping_trailing_garbage", "PING garbage\r\nPING\r\n"),
        script("pingx_ignored_rest", "PINGX\r\nPING\r\n"),
        script("sub_pub_without_connect_verbose_default", "SUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n"),
        script("pedantic_default_without_connect", "SUB foo.* 1\r\nPUB foo.* 2\r\nhi\r\nPING\r\n"),
        // --- CONNECT ---
        script("connect_empty_object_verbose_default", "CONNECT {}\r\nPING\r\n"),
        script("connect_verbose_true", "CONNECT {\"verbose\":true}\r\nPING\r\n"),
        script("connect_verbose_false", "CONNECT {\"verbose\":false}\r\nPING\r\n"),
        script(
            "connect_full_client_fields",
            "CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"name\":\"n\",\
             \"lang\":\"rust\",\"version\":\"1.0\",\"protocol\":1,\"echo\":true,\"headers\":true,\
             \"no_responders\":true}\r\nPING\r\nPING\r\n",
        ),
        script("connect_unknown_fields_ignored", "CONNECT {\"verbose\":false,\"whatever\":[1,2]}\r\nPING\r\n"),
        script("connect_twice", "CONNECT {}\r\nCONNECT {\"verbose\":false}\r\nPING\r\n"),
        // nats-server decodes a second CONNECT over the first: fields it omits keep their values.
        script("connect_twice_keeps_omitted_fields", "CONNECT {\"verbose\":false}\r\nCONNECT {}\r\nPING\r\n"),
        script("connect_invalid_json", "CONNECT {bad json\r\nPING\r\n"),
        script("connect_no_arguments", "CONNECT\r\nPING\r\n"),
        script("connect_no_space_before_json", "CONNECT{\"verbose\":false}\r\nPING\r\n"),
        // The INFO that answers CONNECT follows the first PONG: the second PONG ends the reading.
        script("connect_protocol_1", "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\nPING\r\n"),
        script("connect_protocol_2_invalid", "CONNECT {\"verbose\":false,\"protocol\":2}\r\nPING\r\n"),
        script("connect_protocol_negative_invalid", "CONNECT {\"protocol\":-1}\r\nPING\r\n"),
        script("connect_account_field", "CONNECT {\"verbose\":false,\"account\":\"A\"}\r\nPING\r\n"),
        script("connect_new_account_field", "CONNECT {\"verbose\":false,\"new_account\":true}\r\nPING\r\n"),
        script("connect_no_responders_without_headers", "CONNECT {\"verbose\":false,\"no_responders\":true}\r\nPING\r\n"),
        script("connect_user_without_auth_configured", "CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}\r\nPING\r\n"),
        // --- PUB / MSG ---
        quiet("pub_no_subscribers", "PUB foo 5\r\nhello\r\nPING\r\n"),
        quiet("pub_to_own_sub", "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n"),
        quiet("pub_with_reply", "SUB foo 1\r\nPUB foo bar 5\r\nhello\r\nPING\r\n"),
        quiet("pub_empty_payload", "SUB foo 1\r\nPUB foo 0\r\n\r\nPING\r\n"),
        quiet("pub_payload_containing_crlf", "SUB foo 1\r\nPUB foo 4\r\na\r\nb\r\nPING\r\n"),
        quiet("pub_size_token_leading_zero", "SUB foo 1\r\nPUB foo 02\r\nhi\r\nPING\r\n"),
        quiet("pub_size_token_nine_digits", "SUB foo 1\r\nPUB foo 000000002\r\nhi\r\nPING\r\n"),
        quiet("pub_size_token_ten_digits", "SUB foo 1\r\nPUB foo 0000000002\r\nhi\r\nPING\r\n"),
        quiet("pub_size_not_numeric", "PUB foo abc\r\nhi\r\nPING\r\n"),
        quiet("pub_size_negative", "PUB foo -1\r\nhi\r\nPING\r\n"),
        quiet("pub_one_argument", "PUB foo\r\nPING\r\n"),
        quiet("pub_no_arguments", "PUB \r\nPING\r\n"),
        quiet("pub_four_arguments", "PUB foo bar baz 2\r\nhi\r\nPING\r\n"),
        quiet("pub_payload_too_short_for_size", "SUB foo 1\r\nPUB foo 1\r\nhi\r\nPING\r\n"),
        quiet("pub_payload_too_long_for_size", "SUB foo 1\r\nPUB foo 3\r\nhi\r\nPING\r\n"),
        quiet("pub_payload_bare_lf_terminator", "SUB foo 1\r\nPUB foo 2\r\nhi\nPING\r\n"),
        quiet("pub_payload_cr_then_garbage", "SUB foo 1\r\nPUB foo 2\r\nhi\rXPING\r\n"),
        quiet("pub_max_payload_violation", "PUB foo 1048577\r\n"),
        quiet("pub_max_payload_exact_size_header_only", "PUB foo 999999999\r\n"),
        quiet("pub_verb_without_space", "PUBfoo 2\r\nhi\r\nPING\r\n"),
        script("pub_verbose_ok_before_msg", "CONNECT {}\r\nSUB foo 1\r\nPUB foo r 2\r\nhi\r\nPING\r\n"),
        // --- HPUB / HMSG ---
        quiet_headers("hpub_delivered_as_hmsg", "SUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
        quiet_headers(
            "hpub_with_reply",
            "SUB foo 1\r\nHPUB foo reply 24 26\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nhi\r\nPING\r\n",
        ),
        quiet_headers(
            "hpub_header_size_wrong",
            "SUB foo 1\r\nHPUB foo reply 22 24\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nhi\r\nPING\r\n",
        ),
        quiet_headers("hpub_header_not_nats", "SUB foo 1\r\nHPUB foo 2 4\r\nabcd\r\nPING\r\n"),
        quiet_headers("hpub_header_size_zero", "SUB foo 1\r\nHPUB foo 0 2\r\nhi\r\nPING\r\n"),
        quiet_headers("hpub_both_sizes_zero", "SUB foo 1\r\nHPUB foo 0 0\r\n\r\nPING\r\n"),
        quiet_headers("hpub_header_only", "SUB foo 1\r\nHPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"),
        quiet_headers("hpub_size_tokens_leading_zeros", "SUB foo 1\r\nHPUB foo 012 0014\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
        quiet_headers("hpub_header_larger_than_total", "HPUB foo 14 12\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
        quiet_headers("hpub_two_arguments", "HPUB foo 12\r\nPING\r\n"),
        quiet_headers("hpub_five_arguments", "HPUB foo a b 12 14\r\nPING\r\n"),
        quiet_headers("hpub_bad_terminator", "SUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhiXXPING\r\n"),
        quiet_headers("hpub_max_payload_violation", "HPUB foo 12 1048577\r\n"),
        quiet("hpub_without_headers_support", "SUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
        script("hpub_before_connect", "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n"),
        // Without headers nats-server closes at the end of the HPUB line: no payload awaited,
        // the arguments and their sizes never looked at, nothing sent.
        quiet("hpub_without_headers_no_payload", "HPUB foo 12 14\r\n"),
        quiet("hpub_without_headers_bad_terminator", "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhiXXPING\r\n"),
        quiet("hpub_without_headers_bad_arguments", "HPUB foo 12\r\nPING\r\n"),
        quiet("hpub_without_headers_no_arguments", "HPUB \r\nPING\r\n"),
        quiet("hpub_without_headers_over_max_payload", "HPUB foo 12 2000000\r\n"),
        script("hpub_headers_false", "CONNECT {\"verbose\":false,\"headers\":false}\r\nHPUB foo 12 14\r\n"),
        // A second CONNECT keeps headers unless it says otherwise.
        script(
            "hpub_headers_kept_by_second_connect",
            format!("{QUIET_HEADERS}{QUIET}SUB foo 1\r\nHPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"),
        ),
        script(
            "hpub_headers_turned_off_by_second_connect",
            format!("{QUIET_HEADERS}CONNECT {{\"headers\":false}}\r\nHPUB foo 12 14\r\n"),
        ),
        script(
            "hpub_verbose_headers",
            "CONNECT {\"headers\":true}\r\nSUB foo 1\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nPING\r\n",
        ),
        // --- SUB / queue groups / wildcards ---
        quiet("sub_queue_single_member", "SUB foo q 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPING\r\n"),
        quiet("sub_plain_and_queue", "SUB foo 1\r\nSUB foo q 2\r\nPUB foo 1\r\na\r\nPING\r\n"),
        // (Two groups on one subject come in random order from nats-server: its groups are a map.)
        quiet("sub_two_queue_groups", "SUB foo q1 1\r\nSUB * q2 2\r\nPUB foo 1\r\na\r\nPING\r\n"),
        quiet("sub_star_wildcard", "SUB foo.* 1\r\nPUB foo.bar 1\r\na\r\nPUB foo.bar.baz 1\r\nb\r\nPING\r\n"),
        quiet("sub_gt_wildcard", "SUB foo.> 1\r\nPUB foo.bar 1\r\na\r\nPUB foo.bar.baz 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n"),
        quiet("sub_full_wildcard", "SUB > 1\r\nPUB a 1\r\na\r\nPUB a.b.c 1\r\nb\r\nPING\r\n"),
        quiet("sub_star_middle", "SUB a.*.c 1\r\nPUB a.b.c 1\r\na\r\nPUB a.b.d 1\r\nb\r\nPING\r\n"),
        quiet("sub_overlapping_wildcards", "SUB a.* 1\r\nSUB a.> 2\r\nSUB a.b 3\r\nPUB a.b 1\r\nx\r\nPING\r\n"),
        quiet("sub_queue_wildcard", "SUB a.* q 1\r\nPUB a.b 1\r\nx\r\nPING\r\n"),
        quiet("sub_same_sid_twice", "SUB foo 1\r\nSUB bar 1\r\nPUB foo 1\r\na\r\nPUB bar 1\r\nb\r\nPING\r\n"),
        script("sub_same_sid_twice_verbose", "CONNECT {}\r\nSUB foo 1\r\nSUB foo 1\r\nPING\r\n"),
        quiet("sub_invalid_subject_double_dot", "SUB foo..bar 1\r\nPING\r\n"),
        quiet("sub_invalid_subject_leading_dot", "SUB .foo 1\r\nPING\r\n"),
        quiet("sub_invalid_subject_trailing_dot", "SUB foo. 1\r\nPING\r\n"),
        quiet("sub_invalid_subject_gt_not_last", "SUB foo.>.bar 1\r\nPING\r\n"),
        script("sub_invalid_subject_verbose", "CONNECT {}\r\nSUB foo..bar 1\r\nPING\r\n"),
        quiet("sub_embedded_wildcards_literal", "SUB foo*.b> 1\r\nPUB foo*.b> 1\r\na\r\nPING\r\n"),
        quiet("sub_one_argument", "SUB foo\r\nPING\r\n"),
        quiet("sub_four_arguments", "SUB foo q 1 extra\r\nPING\r\n"),
        quiet("sub_verb_without_space", "SUBfoo 1\r\nPING\r\n"),
        quiet("sub_long_sid", "SUB foo abcdefghijklmnopqrstuvwxyz0123456789\r\nPUB foo 1\r\na\r\nPING\r\n"),
        // --- UNSUB ---
        quiet("unsub_then_pub", "SUB foo 1\r\nUNSUB 1\r\nPUB foo 1\r\na\r\nPING\r\n"),
        quiet(
            "unsub_with_max",
            "SUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n",
        ),
        quiet("unsub_max_after_deliveries", "SUB foo 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nUNSUB 1 2\r\nPUB foo 1\r\nc\r\nPING\r\n"),
        quiet("unsub_max_zero", "SUB foo 1\r\nUNSUB 1 0\r\nPUB foo 1\r\na\r\nPING\r\n"),
        quiet("unsub_max_not_numeric", "SUB foo 1\r\nUNSUB 1 abc\r\nPUB foo 1\r\na\r\nPING\r\n"),
        quiet("unsub_max_leading_zero", "SUB foo 1\r\nUNSUB 1 02\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n"),
        quiet("unsub_unknown_sid", "UNSUB 99\r\nPING\r\n"),
        script("unsub_unknown_sid_verbose", "CONNECT {}\r\nUNSUB 99\r\nUNSUB 98 5\r\nPING\r\n"),
        quiet("unsub_no_arguments", "UNSUB \r\nPING\r\n"),
        quiet("unsub_three_arguments", "SUB foo 1\r\nUNSUB 1 2 3\r\nPING\r\n"),
        quiet("unsub_verb_without_space", "UNSUB1\r\nPING\r\n"),
        quiet("unsub_queue_sub", "SUB foo q 1\r\nUNSUB 1\r\nPUB foo 1\r\na\r\nPING\r\n"),
        quiet("resub_after_unsub_same_sid", "SUB foo 1\r\nUNSUB 1\r\nSUB bar 1\r\nPUB bar 1\r\na\r\nPING\r\n"),
        // --- echo, no responders ---
        script(
            "echo_false",
            "CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n",
        ),
        script(
            "echo_false_verbose",
            "CONNECT {\"echo\":false}\r\nSUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n",
        ),
        script(
            "no_responders_503",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB reply 7\r\nPUB nobody reply 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_503_hpub",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB reply.* 7\r\nHPUB nobody reply.x 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n",
        ),
        script(
            "no_responders_without_reply_sub",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nPUB nobody reply 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_with_responder",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB reply 7\r\nSUB svc 8\r\nPUB svc reply 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_without_reply",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nPUB nobody 2\r\nhi\r\nPING\r\n",
        ),
        // --- pedantic ---
        script(
            "pedantic_wildcard_publish",
            "CONNECT {\"verbose\":false,\"pedantic\":true}\r\nSUB foo.* 1\r\nPUB foo.* 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "pedantic_invalid_publish_subject",
            "CONNECT {\"verbose\":false,\"pedantic\":true}\r\nSUB > 1\r\nPUB foo..bar 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "pedantic_verbose_wildcard_publish",
            "CONNECT {\"pedantic\":true}\r\nPUB foo.> 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "not_pedantic_wildcard_publish",
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB foo.* 1\r\nSUB foo.bar 2\r\nPUB foo.* 2\r\nhi\r\nPING\r\n",
        ),
        // --- reserved subjects and replies ---
        quiet("publish_to_gr_subject", "SUB > 1\r\nPUB _GR_.x 2\r\nhi\r\nPING\r\n"),
        quiet("publish_to_old_gr_subject", "SUB > 1\r\nPUB $GR.x 2\r\nhi\r\nPING\r\n"),
        script("publish_to_gr_subject_verbose", "CONNECT {}\r\nPUB _GR_.x 2\r\nhi\r\nPING\r\n"),
        quiet("reply_service_import_prefix", "SUB > 1\r\nPUB foo _R_.x 2\r\nhi\r\nPING\r\n"),
        quiet("reply_js_ack_prefix", "SUB > 1\r\nPUB foo $JS.ACK.x 2\r\nhi\r\nPING\r\n"),
        quiet("reply_gr_prefix", "SUB > 1\r\nPUB foo _GR_.x 2\r\nhi\r\nPING\r\n"),
        script("reply_reserved_verbose", "CONNECT {}\r\nPUB foo _R_.x 2\r\nhi\r\nPING\r\n"),
        quiet_headers("hpub_reserved_reply", "HPUB foo $JS.ACK.y 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"),
        // --- verbs from the client that the server only reads ---
        script("client_ok_ignored", "+OK\r\nPING\r\n"),
        script("client_info_ignored", "INFO {\"server_id\":\"x\"}\r\nPING\r\n"),
        script("client_err_closes", "-ERR 'oops'\r\nPING\r\n"),
        script("client_err_without_space", "-ERR\r\nPING\r\n"),
        // --- case, line endings, whitespace ---
        script("lowercase_verbs", "connect {\"verbose\":false}\r\nsub foo 1\r\npub foo 2\r\nhi\r\nunsub 1\r\nping\r\n"),
        script("mixed_case_verbs", "CoNnEcT {\"verbose\":false}\r\nSuB foo 1\r\nPuB foo 2\r\nhi\r\nHpUb foo 12 12\r\nNATS/1.0\r\n\r\n\r\nPiNg\r\n"),
        script("mixed_case_hpub_headers", "Connect {\"verbose\":false,\"headers\":true}\r\nsub foo 1\r\nhpub foo 12 12\r\nNATS/1.0\r\n\r\n\r\npInG\r\n"),
        script("bare_lf_line_endings", "CONNECT {\"verbose\":false}\nSUB foo 1\nPUB foo 2\nhi\r\nUNSUB 1\nPONG\nPING\n"),
        quiet("tabs_between_arguments", "SUB\tfoo\t1\r\nPUB\tfoo\treply\t2\r\nhi\r\nPING\r\n"),
        quiet("multiple_spaces_and_tabs", "SUB  \t foo \t\t q  1\r\nPUB   foo  \t 2   \r\nhi\r\nUNSUB \t 1  \r\nPING\r\n"),
        quiet("trailing_space_before_crlf", "SUB foo 1 \r\nPUB foo 2 \r\nhi\r\nPING \r\n"),
        // --- unknown operations ---
        script("unknown_verb", "FOO\r\nPING\r\n"),
        script("unknown_verb_after_connect", "CONNECT {}\r\nFOO bar\r\nPING\r\n"),
        script("bad_second_letter", "PX\r\nPING\r\n"),
        script("bad_hpub_spelling", "HPOB foo 1 2\r\nPING\r\n"),
        script("bad_connect_spelling", "CONNEKT {}\r\nPING\r\n"),
        script("bad_ok_spelling", "+OX\r\nPING\r\n"),
        script("route_verb_from_client", "RS+ foo\r\nPING\r\n"),
        script("leaf_verb_from_client", "LS+ foo\r\nPING\r\n"),
        script("msg_verb_from_client", "MSG foo 1 2\r\nhi\r\nPING\r\n"),
        script("leading_space", " PING\r\n"),
        script("empty_line", "\r\nPING\r\n"),
        // --- reserved prefixes exactly, and combined with pedantic ---
        quiet("publish_to_bare_gr_prefix", "SUB > 1\r\nPUB _GR_. 2\r\nhi\r\nPING\r\n"),
        quiet("reply_bare_service_import_prefix", "SUB > 1\r\nPUB foo _R_. 2\r\nhi\r\nPING\r\n"),
        quiet("reply_bare_js_ack_prefix", "SUB > 1\r\nPUB foo $JS.ACK. 2\r\nhi\r\nPING\r\n"),
        quiet("reply_bare_gr_prefix", "SUB > 1\r\nPUB foo _GR_. 2\r\nhi\r\nPING\r\n"),
        quiet("reply_old_gr_prefix", "SUB > 1\r\nPUB foo $GR.x 2\r\nhi\r\nPING\r\n"),
        quiet("reply_js_api_not_reserved", "SUB > 1\r\nPUB foo $JS.API.x 2\r\nhi\r\nPING\r\n"),
        script("pedantic_gr_subject", "CONNECT {\"verbose\":false}\r\nPUB _GR_.* 2\r\nhi\r\nPING\r\n"),
        script("pedantic_wildcard_with_reserved_reply", "CONNECT {\"verbose\":false}\r\nPUB foo.* _R_.x 2\r\nhi\r\nPING\r\n"),
        script("pedantic_wildcard_reply", "CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo bar.* 2\r\nhi\r\nPING\r\n"),
        script("gr_subject_and_reserved_reply", "CONNECT {}\r\nPUB _GR_.x _R_.y 2\r\nhi\r\nPING\r\n"),
        // --- CONNECT JSON details ---
        script("connect_verbose_null", "CONNECT {\"verbose\":null}\r\nPING\r\n"),
        script("connect_verbose_string", "CONNECT {\"verbose\":\"no\"}\r\nPING\r\n"),
        script("connect_verbose_number", "CONNECT {\"verbose\":0}\r\nPING\r\n"),
        script("connect_duplicate_key", "CONNECT {\"verbose\":true,\"verbose\":false}\r\nPING\r\n"),
        script("connect_uppercase_key", "CONNECT {\"VERBOSE\":false}\r\nPING\r\n"),
        script("connect_mixed_case_key", "CONNECT {\"Verbose\":false,\"Echo\":false}\r\nSUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n"),
        script("connect_trailing_garbage", "CONNECT {\"verbose\":false} x\r\nPING\r\n"),
        script("connect_trailing_space", "CONNECT {\"verbose\":false}  \r\nPING\r\n"),
        script("connect_array", "CONNECT []\r\nPING\r\n"),
        script("connect_string", "CONNECT \"x\"\r\nPING\r\n"),
        script("connect_null", "CONNECT null\r\nPING\r\n"),
        script("connect_protocol_float", "CONNECT {\"verbose\":false,\"protocol\":1.5}\r\nPING\r\n"),
        script("connect_protocol_string", "CONNECT {\"verbose\":false,\"protocol\":\"1\"}\r\nPING\r\n"),
        script("connect_protocol_huge", "CONNECT {\"verbose\":false,\"protocol\":99999999999999999999}\r\nPING\r\n"),
        script("connect_name_not_string", "CONNECT {\"verbose\":false,\"name\":5}\r\nPING\r\n"),
        script("connect_tls_required_without_tls", "CONNECT {\"verbose\":false,\"tls_required\":true}\r\nPING\r\n"),
        script("connect_jwt_without_operator", "CONNECT {\"verbose\":false,\"jwt\":\"x\",\"nkey\":\"y\",\"sig\":\"z\"}\r\nPING\r\n"),
        script("connect_auth_token_without_auth", "CONNECT {\"verbose\":false,\"auth_token\":\"t\"}\r\nPING\r\n"),
        script("connect_account_empty", "CONNECT {\"verbose\":false,\"account\":\"\"}\r\nPING\r\n"),
        // Go's encoding/json: bad UTF-8 and lone surrogates become U+FFFD, nesting is deep.
        script("connect_invalid_utf8_in_string", &b"CONNECT {\"verbose\":false,\"name\":\"a\xff\xfeb\"}\r\nPING\r\n"[..]),
        script("connect_invalid_utf8_in_key", &b"CONNECT {\"verbose\":false,\"na\xffme\":1}\r\nPING\r\n"[..]),
        script("connect_invalid_utf8_outside_string", &b"CONNECT {\"verbose\":false}\xff\r\nPING\r\n"[..]),
        script("connect_lone_surrogates", "CONNECT {\"verbose\":false,\"name\":\"\\ud800\",\"lang\":\"\\udc00x\"}\r\nPING\r\n"),
        script("connect_nested_200", format!("CONNECT {{\"verbose\":false,\"x\":{}{}}}\r\nPING\r\n", "[".repeat(199), "]".repeat(199))),
        script("connect_key_folds_long_s", "CONNECT {\"verbose\":false,\"verbo\u{17f}e\":true}\r\nPING\r\n"),
        script("connect_control_character_in_string", "CONNECT {\"verbose\":false,\"name\":\"a\u{1}b\"}\r\nPING\r\n"),
        script("connect_new_account_false", "CONNECT {\"verbose\":false,\"new_account\":false}\r\nPING\r\n"),
        script("connect_headers_string", "CONNECT {\"verbose\":false,\"headers\":\"true\"}\r\nPING\r\n"),
        script("connect_unicode_escape", "CONNECT {\"verbose\":false,\"name\":\"\\u00e9\"}\r\nPING\r\n"),
        script("connect_tab_separator", "CONNECT\t{\"verbose\":false}\r\nPING\r\n"),
        script("connect_verbose_then_bad_sub", "CONNECT {}\r\nSUB foo\r\nPING\r\n"),
        script("connect_verbose_max_payload", "CONNECT {}\r\nPUB foo 1048577\r\n"),
        script("connect_verbose_bad_protocol", "CONNECT {\"verbose\":true,\"protocol\":3}\r\nPING\r\n"),
        // --- subscriptions ending and sids being reused ---
        quiet("resub_after_auto_unsub_same_sid", "SUB foo 1\r\nUNSUB 1 1\r\nPUB foo 1\r\na\r\nSUB bar 1\r\nPUB bar 1\r\nb\r\nPING\r\n"),
        quiet("unsub_max_on_ended_sub", "SUB foo 1\r\nUNSUB 1 1\r\nPUB foo 1\r\na\r\nUNSUB 1 5\r\nPUB foo 1\r\nb\r\nPING\r\n"),
        quiet("unsub_max_queue", "SUB foo q 1\r\nUNSUB 1 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPING\r\n"),
        quiet("unsub_max_raised", "SUB foo 1\r\nUNSUB 1 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n"),
        quiet("unsub_max_lowered", "SUB foo 1\r\nUNSUB 1 3\r\nPUB foo 1\r\na\r\nUNSUB 1 1\r\nPUB foo 1\r\nb\r\nPING\r\n"),
        quiet("unsub_max_negative", "SUB foo 1\r\nUNSUB 1 -1\r\nPUB foo 1\r\na\r\nPING\r\n"),
        quiet("unsub_max_ten_digits", "SUB foo 1\r\nUNSUB 1 0000000005\r\nPUB foo 1\r\na\r\nPING\r\n"),
        script("unsub_max_verbose", "CONNECT {}\r\nSUB foo 1\r\nUNSUB 1 1\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPING\r\n"),
        // --- more no responders ---
        script(
            "no_responders_echo_false_own_responder",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true,\"echo\":false}\r\nSUB reply 7\r\nSUB svc 8\r\nPUB svc reply 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_queue_reply_sub",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB reply q 7\r\nPUB nobody reply 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_verbose",
            "CONNECT {\"headers\":true,\"no_responders\":true}\r\nSUB reply 7\r\nPUB nobody reply 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_reserved_reply",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB _R_.x 7\r\nPUB nobody _R_.x 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "no_responders_responder_auto_unsubscribed",
            "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nSUB reply 7\r\nSUB svc 8\r\nUNSUB 8 1\r\nPUB svc reply 1\r\na\r\nPUB svc reply 1\r\nb\r\nPING\r\n",
        ),
        // --- subjects with unusual bytes ---
        quiet("subject_utf8", "SUB f\u{e9}e.* 1\r\nPUB f\u{e9}e.x 1\r\na\r\nPING\r\n"),
        script("subject_invalid_utf8", b"CONNECT {\"verbose\":false}\r\nSUB f\xffo 1\r\nPUB f\xffo 1\r\na\r\nPING\r\n".to_vec()),
        quiet("subject_nul_byte", "SUB f\0o 1\r\nPUB f\0o 1\r\na\r\nPING\r\n"),
        script("pedantic_subject_nul_byte", "CONNECT {\"verbose\":false,\"pedantic\":true}\r\nPUB f\0o 1\r\na\r\nPING\r\n"),
        quiet("pedantic_by_default_gt_publish", "SUB foo.> 1\r\nSUB foo.* 2\r\nPUB foo.> 1\r\na\r\nPING\r\n"),
        quiet("pedantic_by_default_invalid_publish", "SUB > 1\r\nPUB foo..bar 1\r\na\r\nPUB .foo 1\r\nb\r\nPING\r\n"),
        script(
            "not_pedantic_gt_publish",
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB foo.> 1\r\nSUB foo.* 2\r\nPUB foo.> 1\r\na\r\nPING\r\n",
        ),
        script(
            "not_pedantic_invalid_publish",
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB > 1\r\nPUB foo..bar 1\r\na\r\nPUB .foo 1\r\nb\r\nPING\r\n",
        ),
        script(
            "not_pedantic_gr_prefix",
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB > 1\r\nPUB _GR_. 1\r\na\r\nPUB _GR_.* 1\r\nb\r\nPING\r\n",
        ),
        quiet("sub_single_star", "SUB * 1\r\nPUB foo 1\r\na\r\nPUB foo.bar 1\r\nb\r\nPING\r\n"),
        quiet("sub_gt_only_token_after", "SUB foo.> 1\r\nPUB foo. 1\r\na\r\nPING\r\n"),
        // --- other verbs' argument rules ---
        script("client_ok_with_arguments", "+OK foo\r\nPING\r\n"),
        script("client_info_garbage", "INFO garbage\r\nPING\r\n"),
        script("client_info_no_arguments", "INFO\r\nPING\r\n"),
        script("client_info_null", "INFO null\r\nPING\r\n"),
        script("client_info_array", "INFO []\r\nPING\r\n"),
        script("client_info_wrong_field_type", "INFO {\"port\":\"x\"}\r\nPING\r\n"),
        script("client_info_unknown_field", "INFO {\"whatever\":[1]}\r\nPING\r\n"),
        // A client's INFO is decoded into nats-server's `Info`: a field of the wrong type or out
        // of its integer's range closes the connection (2.15.1 knows more fields than 2.9.10).
        script("client_info_int32_overflow", "INFO {\"max_payload\":3000000000}\r\nPING\r\n"),
        script("client_info_negative_unsigned", "INFO {\"client_id\":-1}\r\nPING\r\n"),
        script("client_info_exponent_integer", "INFO {\"port\":1e3}\r\nPING\r\n"),
        script("client_info_byte_overflow", "INFO {\"gateway_cmd\":300}\r\nPING\r\n"),
        script("client_info_bytes_not_base64", "INFO {\"gateway_cmd_payload\":\"!!\"}\r\nPING\r\n"),
        script("client_info_bytes_base64", "INFO {\"gateway_cmd_payload\":\"aGk=\"}\r\nPING\r\n"),
        script("client_info_permissions_not_object", "INFO {\"import\":1}\r\nPING\r\n"),
        script("client_info_permissions_wrong_list", "INFO {\"export\":{\"allow\":1}}\r\nPING\r\n"),
        script("client_info_permissions_ok", "INFO {\"import\":{\"allow\":[\"a\"],\"deny\":null}}\r\nPING\r\n"),
        script("client_info_api_level_not_integer", "INFO {\"api_lvl\":\"x\"}\r\nPING\r\n"),
        script("client_info_system_account_not_flag", "INFO {\"acc_is_sys\":1}\r\nPING\r\n"),
        script("client_info_compression_not_text", "INFO {\"compression\":1}\r\nPING\r\n"),
        script("client_info_route_pool_not_integer", "INFO {\"route_pool_size\":\"x\"}\r\nPING\r\n"),
        script("client_info_gossip_mode_overflow", "INFO {\"gossip_mode\":300}\r\nPING\r\n"),
        script("client_info_lnocu_not_flag", "INFO {\"lnocu\":1}\r\nPING\r\n"),
        script("client_info_route_account_not_text", "INFO {\"route_account\":1}\r\nPING\r\n"),
        script("client_info_route_request_not_text", "INFO {\"route_acc_add_reqid\":1}\r\nPING\r\n"),
        script("client_info_xkey_not_text", "INFO {\"xkey\":1}\r\nPING\r\n"),
        script("client_info_field_case_folded", "INFO {\"API_LVL\":\"x\"}\r\nPING\r\n"),
        script("client_err_no_quote", "-ERR oops\r\nPING\r\n"),
        script("pong_with_arguments", "PONG x y\r\nPING\r\n"),
        script("many_pings", "PING\r\nPING\r\nping\r\nPING\r\n"),
        script("ping_bare_lf", "PING\nPING\n"),
        script("ping_cr_only", "PING\rPING\r\n"),
        // --- control lines just over the limit, complete in one write ---
        script("sub_complete_line_over_limit", format!("SUB {just_over} 1\r\nPING\r\n")),
        script("connect_complete_line_over_limit", format!("CONNECT {{\"verbose\":false,\"name\":\"{just_over}\"}}\r\nPING\r\n")),
        script("unsub_complete_line_over_limit", format!("UNSUB {just_over}\r\nPING\r\n")),
        script("hpub_complete_line_over_limit", format!("{QUIET_HEADERS}HPUB {just_over} 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n")),
        script("sub_line_at_limit", format!("{QUIET}SUB {} 1\r\nPING\r\n", "c".repeat(4094))),
        script("sub_line_one_over_limit", format!("{QUIET}SUB {} 1\r\nPING\r\n", "c".repeat(4095))),
        script("pub_line_at_limit", format!("{QUIET}PUB {} 1\r\na\r\nPING\r\n", "d".repeat(4094))),
        script("pub_line_one_over_limit", format!("{QUIET}PUB {} 1\r\na\r\nPING\r\n", "d".repeat(4095))),
        // --- control line limit ---
        script("control_line_exceeded_without_newline", format!("SUB {long}")),
        script("pub_control_line_exceeded", format!("PUB {just_over} 2\r\nhi\r\nPING\r\n")),
        script("connect_control_line_exceeded_without_newline", format!("CONNECT {{\"name\":\"{long}")),
        script("ping_long_line_no_limit", format!("PING {long}\r\nPING\r\n")),
        // An incomplete line at the limit waits for more; leading blanks after the verb and a
        // final CR do not count.
        idle("sub_incomplete_line_at_limit", format!("SUB   {}", "e".repeat(4096)), SHORT_IDLE),
        idle("sub_incomplete_line_at_limit_with_cr", format!("SUB {}\r", "e".repeat(4096)), SHORT_IDLE),
        idle("pub_incomplete_payload", format!("{QUIET}PUB foo 10\r\nabc"), SHORT_IDLE),
        // The first PING: about two seconds after CONNECT (2 s plus up to 20 %), none before
        // CONNECT (until the full ping interval, two minutes).
        idle("first_ping_after_connect", QUIET, LONG_IDLE),
        idle("no_ping_before_connect", "", LONG_IDLE),
        script("sub_incomplete_line_one_over_limit", format!("SUB {}", "e".repeat(4097))),
        // --- where nats-server 2.9.10 and 2.15.1 differ (see docs/architecture.md) ---
        // The old gateway reply prefix `$GR.` is closed to clients like `_GR_.`.
        quiet("publish_to_bare_old_gr_prefix", "SUB > 1\r\nPUB $GR. 2\r\nhi\r\nPING\r\n"),
        quiet("publish_to_old_gr_prefix_lowercase", "SUB > 1\r\nPUB $gr.x 2\r\nhi\r\nPING\r\n"),
        quiet("reply_bare_old_gr_prefix", "SUB > 1\r\nPUB foo $GR. 2\r\nhi\r\nPING\r\n"),
        script("publish_to_old_gr_subject_verbose", "CONNECT {}\r\nPUB $GR.x 2\r\nhi\r\nPING\r\n"),
        script("pedantic_old_gr_subject", "CONNECT {\"verbose\":false}\r\nPUB $GR.* 2\r\nhi\r\nPING\r\n"),
        script(
            "not_pedantic_old_gr_prefix",
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB > 1\r\nPUB $GR. 1\r\na\r\nPUB $GR.* 1\r\nb\r\nPING\r\n",
        ),
        script("old_gr_subject_and_reserved_reply", "CONNECT {}\r\nPUB $GR.x _R_.y 2\r\nhi\r\nPING\r\n"),
        script("pedantic_wildcard_with_old_gr_reply", "CONNECT {}\r\nPUB foo.* $GR.y 2\r\nhi\r\nPING\r\n"),
        quiet_headers("hpub_old_gr_subject", "SUB > 1\r\nHPUB $GR.x 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"),
        quiet_headers("hpub_old_gr_reply", "SUB > 1\r\nHPUB foo $GR.x 12 12\r\nNATS/1.0\r\n\r\n\r\nPING\r\n"),
        quiet("subscribe_to_old_gr_subjects", "SUB $GR.> 1\r\nSUB _GR_.> 2\r\nPING\r\n"),
        // Raft groups' subjects are closed to clients outside the system account.
        quiet("publish_to_nrg_subject", "SUB > 1\r\nPUB $NRG.x 2\r\nhi\r\nPING\r\n"),
        quiet("publish_to_bare_nrg_prefix", "SUB > 1\r\nPUB $NRG. 2\r\nhi\r\nPING\r\n"),
        script(
            "not_pedantic_bare_nrg_prefix",
            "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB > 1\r\nPUB $NRG. 1\r\na\r\nPUB $NRG 1\r\nb\r\nPING\r\n",
        ),
        quiet("publish_to_nrg_lowercase", "SUB > 1\r\nPUB $nrg.x 2\r\nhi\r\nPING\r\n"),
        quiet("reply_nrg_not_reserved", "SUB > 1\r\nPUB foo $NRG.x 2\r\nhi\r\nPING\r\n"),
        script("publish_to_nrg_verbose_with_reserved_reply", "CONNECT {}\r\nPUB $NRG.x _R_.y 2\r\nhi\r\nPING\r\n"),
        // A client speaking protocol 1 is told its account after the first PONG after CONNECT.
        script("connect_info_after_first_pong", "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\nPING\r\n"),
        script("connect_info_verbose", "CONNECT {\"protocol\":1}\r\nSUB foo 1\r\nPING\r\nPING\r\n"),
        script(
            "connect_info_ping_before_connect",
            "PING\r\nCONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\nPING\r\n",
        ),
        script(
            "connect_info_two_connects",
            "CONNECT {\"verbose\":false,\"protocol\":1}\r\nCONNECT {\"verbose\":false}\r\nPING\r\nPING\r\n",
        ),
        script(
            "connect_info_protocol_raised_after_first_pong",
            "CONNECT {\"verbose\":false}\r\nPING\r\nCONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\nPING\r\n",
        ),
        script("connect_info_pong_only", "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPONG\r\nPING\r\nPING\r\n"),
        script(
            "connect_info_with_headers_and_messages",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"headers\":true}\r\nSUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\nPUB foo 1\r\nb\r\nPING\r\n",
        ),
        // The 503 names the subject nobody was listening on.
        script(
            "no_responders_subject_not_pedantic",
            "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true}\r\nSUB r 1\r\nPUB no.* r 0\r\n\r\nPING\r\n",
        ),
        script(
            "no_responders_long_subject",
            format!(
                "CONNECT {{\"verbose\":false,\"headers\":true,\"no_responders\":true}}\r\nSUB r 1\r\nPUB {} r 0\r\n\r\nPING\r\n",
                "n".repeat(200)
            ),
        ),
        script(
            "no_responders_protocol_1",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"headers\":true,\"no_responders\":true}\r\nSUB r 1\r\nPUB nobody r 0\r\n\r\nPING\r\nPING\r\n",
        ),
    ]
}

/// Every table of scripts in this file, for `differential_releases.rs` too.
pub(super) fn suites() -> Vec<Suite> {
    vec![main_suite(), limits_suite(), deep_connect_suite(), token_suite(), keepalive_suite(), accounts_suite()]
}

fn main_suite() -> Suite {
    Suite { name: "main", config: String::new(), scripts: scripts() }
}

#[test]
fn scripts_match_go_server() {
    main_suite().check();
}

/// Credentials of the configured servers.
const AUTH: &str = "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\n";

/// Scripts for servers with small limits, a user and password, and a short auth timeout.
fn limited_scripts() -> Vec<Script> {
    let sixteen = "0123456789abcdef";
    let subject_64 = "s".repeat(62); // "<subject> 1" is exactly the 64-byte limit
    let subject_65 = "s".repeat(63);
    let auth = |name: &str, rest: &str| script(name, format!("{AUTH}{rest}"));
    vec![
        // --- authentication ---
        script("auth_ok_verbose", "CONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n"),
        auth("auth_ok_quiet", "SUB a 1\r\nPUB a 1\r\nx\r\nPING\r\n"),
        script(
            "auth_ok_protocol_1",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\nPING\r\n",
        ),
        script("auth_wrong_password", "CONNECT {\"user\":\"alice\",\"pass\":\"nope\"}\r\nPING\r\n"),
        script("auth_unknown_user", "CONNECT {\"user\":\"bob\",\"pass\":\"secret\"}\r\nPING\r\n"),
        script("auth_missing_password", "CONNECT {\"user\":\"alice\"}\r\nPING\r\n"),
        script("auth_no_credentials", "CONNECT {}\r\nPING\r\n"),
        script("auth_token_instead", "CONNECT {\"auth_token\":\"secret\"}\r\nPING\r\n"),
        script("auth_user_case_matters", "CONNECT {\"user\":\"Alice\",\"pass\":\"secret\"}\r\nPING\r\n"),
        script("auth_ping_first", "PING\r\n"),
        script("auth_pub_first", "PUB foo 2\r\nhi\r\n"),
        script("auth_sub_first", "SUB foo 1\r\n"),
        script("auth_unsub_first", "UNSUB 1\r\n"),
        script("auth_pong_first", "PONG\r\n"),
        script("auth_ok_first", "+OK\r\n"),
        script("auth_info_first", "INFO {}\r\n"),
        script("auth_err_first", "-ERR 'x'\r\n"),
        script("auth_unknown_verb_first", "FOO\r\n"),
        script("auth_bad_verb_starting_with_c", "CX\r\n"),
        script("auth_lowercase_connect", "connect {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n"),
        script("auth_empty_line_first", "\r\n"),
        script("auth_bad_json", "CONNECT {nope\r\nPING\r\n"),
        script("auth_bad_protocol_good_credentials", "CONNECT {\"user\":\"alice\",\"pass\":\"secret\",\"protocol\":5}\r\n"),
        script("auth_bad_protocol_bad_credentials", "CONNECT {\"user\":\"alice\",\"pass\":\"x\",\"protocol\":5}\r\n"),
        script(
            "auth_no_responders_without_headers",
            "CONNECT {\"user\":\"alice\",\"pass\":\"secret\",\"no_responders\":true}\r\n",
        ),
        script("auth_account_field", "CONNECT {\"user\":\"alice\",\"pass\":\"secret\",\"account\":\"A\"}\r\n"),
        auth("auth_second_connect_wrong", "CONNECT {\"user\":\"alice\",\"pass\":\"x\"}\r\nPING\r\n"),
        auth("auth_second_connect_right", "CONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\nPING\r\n"),
        script("auth_timeout_silent", ""),
        script("auth_timeout_partial_connect", "CONNECT {\"user\":"),
        // --- max_payload 16 ---
        auth("payload_at_limit", &format!("SUB a 1\r\nPUB a 16\r\n{sixteen}\r\nPING\r\n")),
        auth("payload_over_limit", &format!("PUB a 17\r\n{sixteen}x\r\nPING\r\n")),
        auth("payload_over_limit_header_only", "PUB a 1000\r\n"),
        script(
            "hpub_over_limit",
            "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\",\"headers\":true}\r\nHPUB a 12 17\r\n",
        ),
        script(
            "hpub_at_limit",
            "CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"secret\",\"headers\":true}\r\nSUB a 1\r\nHPUB a 12 16\r\nNATS/1.0\r\n\r\nabcd\r\nPING\r\n",
        ),
        script("payload_over_limit_verbose", "CONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\nPUB a 17\r\n"),
        // --- max_control_line 64 ---
        auth("control_line_at_limit", &format!("SUB {subject_64} 1\r\nPING\r\n")),
        auth("control_line_over_limit", &format!("SUB {subject_65} 1\r\nPING\r\n")),
        auth("pub_control_line_over_limit", &format!("PUB {subject_65} 0\r\n\r\nPING\r\n")),
        auth("control_line_over_limit_incomplete", &format!("SUB {subject_65}{subject_65}")),
        script(
            "connect_over_control_line",
            format!("CONNECT {{\"user\":\"alice\",\"pass\":\"secret\",\"name\":\"{subject_64}\"}}\r\nPING\r\n"),
        ),
        // --- max_subscriptions 2 ---
        auth("subs_over_limit", "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPUB a 1\r\ny\r\nPING\r\n"),
        script(
            "subs_over_limit_verbose",
            "CONNECT {\"user\":\"alice\",\"pass\":\"secret\"}\r\nSUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n",
        ),
        auth("subs_limit_after_unsub", "SUB a 1\r\nSUB b 2\r\nUNSUB 1\r\nSUB c 3\r\nPUB c 1\r\nx\r\nPING\r\n"),
        auth(
            "subs_limit_after_auto_unsub",
            "SUB a 1\r\nUNSUB 1 1\r\nSUB b 2\r\nPUB a 1\r\nx\r\nSUB c 3\r\nPUB c 1\r\ny\r\nPING\r\n",
        ),
        auth("subs_limit_same_sid_again", "SUB a 1\r\nSUB b 2\r\nSUB a 1\r\nPING\r\n"),
        auth("subs_limit_invalid_subject", "SUB a 1\r\nSUB b 2\r\nSUB c..d 3\r\nPING\r\n"),
        auth("subs_limit_many_refused", "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nSUB d 4\r\nUNSUB 3\r\nPING\r\n"),
    ]
}

fn limits_suite() -> Suite {
    let config = "max_payload: 16\nmax_control_line: 64\nmax_subscriptions: 2\n\
                  authorization { user: alice, password: secret, timeout: 0.5 }\n";
    Suite { name: "limits", config: config.into(), scripts: limited_scripts() }
}

#[test]
fn limits_and_auth_match_go_server() {
    limits_suite().check();
}

/// CONNECT bodies nested up to Go's limit of 10 000 levels, and one past it (a long control
/// line allowed so they fit).
fn deep_connect_suite() -> Suite {
    let nested = |levels: usize| {
        let inner = levels - 1;
        format!("CONNECT {{\"verbose\":false,\"x\":{}{}}}\r\nPING\r\n", "[".repeat(inner), "]".repeat(inner))
    };
    let scripts = vec![script("nested_10000", nested(10_000)), script("nested_10001", nested(10_001))];
    Suite { name: "deep_connect", config: "max_control_line: 65536\n".into(), scripts }
}

#[test]
fn deep_connect_json_matches_go_server() {
    deep_connect_suite().check();
}

fn token_suite() -> Suite {
    let scripts = vec![
        script("token_ok", "CONNECT {\"auth_token\":\"t0k\"}\r\nPING\r\n"),
        script("token_wrong", "CONNECT {\"auth_token\":\"nope\"}\r\nPING\r\n"),
        script("token_as_user", "CONNECT {\"user\":\"t0k\"}\r\nPING\r\n"),
        script("token_as_password", "CONNECT {\"pass\":\"t0k\"}\r\nPING\r\n"),
        script("token_missing", "CONNECT {\"verbose\":false}\r\nPING\r\n"),
        script("token_with_user_too", "CONNECT {\"verbose\":false,\"user\":\"u\",\"auth_token\":\"t0k\"}\r\nPING\r\n"),
        script("token_ping_first", "PING\r\n"),
        script(
            "token_ok_protocol_1",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"auth_token\":\"t0k\"}\r\nPING\r\nPING\r\n",
        ),
    ];
    Suite { name: "token", config: "authorization { token: t0k }\n".into(), scripts }
}

#[test]
fn token_auth_matches_go_server() {
    token_suite().check();
}

fn keepalive_suite() -> Suite {
    let scripts = vec![
        // Never answering: two PINGs, then the connection is stale.
        script("stale_after_connect", QUIET),
        script("stale_without_connect", ""),
        script("stale_verbose", "CONNECT {}\r\n"),
    ];
    Suite { name: "keepalive", config: "ping_interval: \"100ms\"\nping_max: 2\n".into(), scripts }
}

#[test]
fn keepalive_matches_go_server() {
    keepalive_suite().check();
}

#[test]
fn max_connections_matches_go_server() {
    let config = "max_connections: 1\n";
    let Some(servers) = Servers::configured(config, options_from(config)) else {
        return;
    };
    let mut outputs = Vec::new();
    for addr in [servers.rnats.addr(), servers.go.addr()] {
        let mut first = RawConn::connect(addr);
        send_and_sync(&mut first, format!("{QUIET}PING\r\n").as_bytes(), 1);
        let second = mask_info(&run_script(addr, b"PING\r\n", SCRIPT_TIMEOUT));
        send_and_sync(&mut first, b"PING\r\n", 2);
        outputs.push((second, mask_info(first.received())));
    }
    assert!(outputs[1].0.contains("maximum connections exceeded"), "Go refused: {:?}", outputs[1].0);
    assert_eq!(outputs[0], outputs[1], "rnats (left) and nats-server (right): (refused, first) connection");
}

/// Two connections: a subscriber (with or without header support, plain and queue
/// subscription) and a publisher with headers. Returns the masked output of both; both
/// connections are closed on return.
fn two_connections(addr: SocketAddr, subscriber_connect: &str, publish: &str) -> (String, String) {
    let mut subscriber = RawConn::connect(addr);
    let subscribe = format!("{subscriber_connect}SUB foo 1\r\nSUB foo q 2\r\nPING\r\n");
    send_and_sync(&mut subscriber, subscribe.as_bytes(), 1);
    let mut publisher = RawConn::connect(addr);
    send_and_sync(&mut publisher, format!("{QUIET_HEADERS}{publish}PING\r\n").as_bytes(), 1);
    send_and_sync(&mut subscriber, b"PING\r\n", 2);
    (mask_info(subscriber.received()), mask_info(publisher.received()))
}

#[test]
fn headers_to_subscribers_match_go_server() {
    let Some(servers) = Servers::start() else {
        return;
    };
    let hpub = "HPUB foo reply 24 26\r\nNATS/1.0\r\nA: b\r\nC: d\r\n\r\nhi\r\n\
                HPUB foo 12 12\r\nNATS/1.0\r\n\r\n\r\nHPUB foo 0 2\r\nhi\r\n";
    let cases = [
        ("headers_stripped_for_subscriber_without_headers", QUIET, hpub),
        ("headers_kept_for_subscriber_with_headers", QUIET_HEADERS, hpub),
        ("plain_pub_to_subscriber_with_headers", QUIET_HEADERS, "PUB foo 2\r\nhi\r\nPUB foo r 02\r\nhi\r\n"),
        ("headers_stripped_verbose_subscriber", "CONNECT {}\r\n", hpub),
    ];
    let mut report = String::new();
    for (name, connect, publish) in cases {
        let ours = two_connections(servers.rnats.addr(), connect, publish);
        let theirs = two_connections(servers.go.addr(), connect, publish);
        assert!(theirs.0.contains("MSG foo 1"), "{name}: nats-server delivered nothing: {}", visible(&theirs.0));
        servers.wait_idle();
        if ours != theirs {
            report.push_str(&format!(
                "--- {name}\n  rnats subscriber: {}\n  go subscriber:    {}\n  rnats publisher:  {}\n  go publisher:     {}\n",
                visible(&ours.0),
                visible(&theirs.0),
                visible(&ours.1),
                visible(&theirs.1),
            ));
        }
    }
    assert!(report.is_empty(), "two-connection cases differ from nats-server:\n{report}");
}

/// Accounts, users, stream and service imports: the same configuration file for both servers.
const ACCOUNTS_CONFIG: &str = r#"
system_account: SYS
accounts {
  SYS: { users: [{user: sys, password: y}] }
  SAT: { users: [{user: sat, password: s}], exports: [{stream: "events.>"}, {service: "svc.*"}],
         limits: {max_payload: 1000} }
  MASTER: { users: [{user: master, password: m}], imports: [
      {stream: {account: SAT, subject: "events.>"}, prefix: from_sat}
      {service: {account: SAT, subject: "svc.a"}, to: "ask"} ] }
}
"#;

/// Replaces the random part of server-made `_R_.` reply subjects.
fn mask_replies(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("_R_.") {
        out.push_str(&rest[..i]);
        out.push_str("_R_.<masked>");
        rest = rest[i..].trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    }
    out.push_str(rest);
    out
}

fn accounts_servers() -> Option<Servers> {
    Servers::configured(ACCOUNTS_CONFIG, options_from(ACCOUNTS_CONFIG))
}

fn accounts_suite() -> Suite {
    let scripts = vec![
        script("account_user_ok", "CONNECT {\"user\":\"sat\",\"pass\":\"s\"}\r\nPING\r\n"),
        script("account_user_wrong_pass", "CONNECT {\"user\":\"sat\",\"pass\":\"x\"}\r\nPING\r\n"),
        script("account_unknown_user", "CONNECT {\"user\":\"nobody\",\"pass\":\"s\"}\r\nPING\r\n"),
        script("account_no_credentials", "CONNECT {\"verbose\":false}\r\nPING\r\n"),
        script("account_ping_first", "PING\r\n"),
        // The INFO answering CONNECT names the account, its payload limit, the system account.
        script(
            "account_connect_info",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"sat\",\"pass\":\"s\"}\r\nPING\r\nPING\r\n",
        ),
        script(
            "account_connect_info_system",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"sys\",\"pass\":\"y\"}\r\nPING\r\nPING\r\n",
        ),
        script(
            "account_over_payload_limit",
            format!("CONNECT {{\"verbose\":false,\"user\":\"sat\",\"pass\":\"s\"}}\r\nPUB a 1001\r\n{}\r\nPING\r\n", "x".repeat(1001)),
        ),
        // Only the system account may publish to Raft groups' subjects. (`$NRG.>` rather than
        // `>`: nats-server's system account also carries its events, which rnats does not make.)
        script(
            "account_system_publishes_nrg",
            "CONNECT {\"verbose\":false,\"user\":\"sys\",\"pass\":\"y\"}\r\nSUB $NRG.> 1\r\nPUB $NRG.x 1\r\na\r\nPING\r\n",
        ),
        script(
            "account_other_publishes_nrg",
            "CONNECT {\"verbose\":false,\"user\":\"sat\",\"pass\":\"s\"}\r\nSUB > 1\r\nPUB $NRG.x 1\r\na\r\nPING\r\n",
        ),
        // A request through a service import that no responder takes gets its 503.
        script(
            "account_import_no_responder_protocol_1",
            "CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"master\",\"pass\":\"m\",\"headers\":true,\"no_responders\":true}\r\n\
             SUB r 1\r\nPUB ask r 0\r\n\r\nPING\r\nPING\r\n",
        ),
        script("account_token_instead", "CONNECT {\"auth_token\":\"s\"}\r\nPING\r\n"),
        script(
            "account_own_messages",
            "CONNECT {\"verbose\":false,\"user\":\"sat\",\"pass\":\"s\"}\r\nSUB > 1\r\nPUB events.x 2\r\nhi\r\nPING\r\n",
        ),
        script(
            "account_import_local_subject_only",
            "CONNECT {\"verbose\":false,\"user\":\"master\",\"pass\":\"m\",\"headers\":true,\"no_responders\":true}\r\n\
             SUB r 1\r\nPUB svc.a r 0\r\n\r\nPUB ask r 0\r\n\r\nPING\r\n",
        ),
    ];
    Suite { name: "accounts", config: ACCOUNTS_CONFIG.into(), scripts }
}

#[test]
fn account_logins_match_go_server() {
    accounts_suite().check();
}

#[test]
fn imports_across_accounts_match_go_server() {
    let Some(servers) = accounts_servers() else { return };
    let mut outputs = Vec::new();
    for addr in [servers.rnats.addr(), servers.go.addr()] {
        let mut master = RawConn::connect(addr);
        send_and_sync(
            &mut master,
            b"CONNECT {\"verbose\":false,\"user\":\"master\",\"pass\":\"m\"}\r\nSUB from_sat.> 1\r\nSUB events.> 2\r\nSUB reply.here 3\r\nPING\r\n",
            1,
        );
        let mut sat = RawConn::connect(addr);
        send_and_sync(
            &mut sat,
            b"CONNECT {\"verbose\":false,\"user\":\"sat\",\"pass\":\"s\"}\r\nSUB svc.* 9\r\nPING\r\n",
            1,
        );
        // A stream message, then a request from the master through the service import.
        send_and_sync(&mut sat, b"PUB events.a.b 5\r\nhello\r\nPING\r\n", 2);
        send_and_sync(&mut master, b"PUB ask reply.here 3\r\nq?!\r\nPING\r\n", 2);
        send_and_sync(&mut sat, b"PING\r\n", 3);
        // The responder answers on the reply subject it was given.
        let received = String::from_utf8_lossy(sat.received()).into_owned();
        let reply =
            received.split("MSG svc.a 9 ").nth(1).and_then(|r| r.split(' ').next()).unwrap_or("none").to_string();
        send_and_sync(&mut sat, format!("PUB {reply} 2\r\nok\r\nPING\r\n").as_bytes(), 4);
        send_and_sync(&mut master, b"PING\r\n", 3);
        outputs.push((mask_replies(&mask_info(master.received())), mask_replies(&mask_info(sat.received()))));
    }
    assert!(outputs[1].0.contains("MSG from_sat.events.a.b 1 5"), "Go delivered the import: {:?}", outputs[1].0);
    assert_eq!(outputs[0], outputs[1], "rnats (left) and nats-server (right): (master, satellite)");
}
