//! Operator (JWT) mode: `operator`, `trusted`, `resolver`, `resolver_preload`. Checked as
//! nats-server does; an operator JWT file must be readable and hold a JWT (its claims are not
//! checked: rnats has no JWT mode yet and refuses to run with one).

use rnats_conf::Value;

use super::auth::{is_public_key, PREFIX_OPERATOR};
use super::check::{go_type, Ctx, Item, Step};
use super::duration::parse_go_duration;

/// `operator`: operator JWTs (file names or the JWTs themselves), one or a list.
pub(crate) fn operator(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let jwts: Vec<&str> = match item.value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(elements) => {
            let mut jwts = Vec::with_capacity(elements.len());
            for element in elements.iter() {
                let Value::String(s) = &element.value else {
                    let message = "error parsing operators: unsupported type *conf.token where string is expected";
                    ctx.error(item.pos, message);
                    break;
                };
                jwts.push(s.as_str());
            }
            jwts
        }
        other => return ctx.fail(item.pos, format!("error parsing operators: unsupported type {}", go_type(other))),
    };
    for jwt in &jwts {
        match read_operator_jwt(&ctx.base_dir, jwt) {
            Ok(()) => ctx.facts.operator_mode = true,
            Err(e) => ctx.error(item.pos, format!("error parsing operator JWT: {e}")),
        }
    }
    Ok(())
}

/// An operator JWT from a file, or inline (text starting as a JWT does) when no such file
/// exists: it must at least have a JWT's three parts.
fn read_operator_jwt(base: &std::path::Path, name: &str) -> Result<(), String> {
    let contents = match std::fs::read(base.join(name)) {
        Ok(contents) => String::from_utf8_lossy(&contents).into_owned(),
        Err(_) if name.starts_with("eyJ") => name.to_string(),
        Err(e) => return Err(format!("open {name}: {}", crate::errors::go_os_error(&e))),
    };
    // A decorated file (`nsc` output) holds the JWT between BEGIN/END lines.
    let jwt = contents.lines().map(str::trim).find(|line| line.starts_with("eyJ")).unwrap_or(contents.trim());
    if jwt.split('.').count() != 3 {
        return Err("expected 3 chunks".into());
    }
    Ok(())
}

/// `trusted`/`trusted_keys`: operator public nkeys.
pub(crate) fn trusted(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let keys = match item.value {
        Value::String(s) => vec![s.clone()],
        Value::Array(elements) => {
            let mut keys = Vec::with_capacity(elements.len());
            for element in elements.iter() {
                match &element.value {
                    Value::String(s) => keys.push(s.clone()),
                    other => {
                        let message = format!("error parsing trusted: unsupported type in array {}", go_type(other));
                        ctx.error(&element.pos, message);
                    }
                }
            }
            keys
        }
        other => {
            ctx.error(item.pos, format!("error parsing trusted: unsupported type {}", go_type(other)));
            Vec::new()
        }
    };
    // nats-server reports bad keys at the last token it looked at: the array's last element.
    let pos = match item.value {
        Value::Array(elements) => elements.last().map_or(item.pos, |e| &e.pos),
        _ => item.pos,
    };
    for key in keys {
        if !is_public_key(&key, PREFIX_OPERATOR) {
            ctx.error(pos, format!("trust key {key:?} required to be a valid public operator nkey"));
        }
    }
    Ok(())
}

/// The message for a resolver nats-server cannot make sense of.
const RESOLVER_USAGE: &str = r#"error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])"#;

/// `resolver`: `MEM`, `URL("...")`, or `{type: full|cache, dir: ...}`.
/// Returns whether it keeps accounts in a folder (`FULL` or `CACHE`).
pub(crate) fn resolver(ctx: &mut Ctx, item: Item<'_>) -> Step<bool> {
    match item.value {
        Value::String(s) => {
            let upper = s.to_ascii_uppercase();
            if upper.contains("MEM") {
                return Ok(false);
            }
            // URL or URL("address"); nats-server does not look further at the address.
            if upper.contains("URL") {
                return Ok(false);
            }
            ctx.fail(item.pos, RESOLVER_USAGE)
        }
        Value::Map(fields) => {
            let (mut dir, mut kind) = (String::new(), String::new());
            let (mut allow_delete, mut hard_delete, mut ttl, mut interval) = (false, false, false, false);
            for entry in fields.iter() {
                let it = Item::entry(entry);
                // nats-server looks these keys up case-sensitively and ignores others.
                match entry.key.as_str() {
                    "dir" => dir = ctx.str(it)?.to_string(),
                    "type" => kind = ctx.str(it)?.to_string(),
                    "allow_delete" => allow_delete = ctx.bool(it)?,
                    "hard_delete" => {
                        ctx.bool(it)?;
                        hard_delete = true;
                    }
                    "limit" => {
                        ctx.int(it)?;
                    }
                    "ttl" | "interval" | "timeout" => {
                        let text = ctx.str(it)?;
                        match parse_go_duration(text) {
                            Ok(nanos) => {
                                ttl |= entry.key == "ttl" && nanos != 0;
                                interval |= entry.key == "interval" && nanos != 0;
                            }
                            Err(e) => return ctx.fail(item.pos, e),
                        }
                    }
                    _ => {}
                }
            }
            let check_dir = |ctx: &mut Ctx| {
                if dir.is_empty() {
                    ctx.error(item.pos, "dir has no value and needs to point to a directory");
                } else if let Ok(meta) = std::fs::metadata(ctx.base_dir.join(&dir)) {
                    use std::os::unix::fs::PermissionsExt;
                    if !meta.is_dir() || meta.permissions().mode() & 0o100 == 0 {
                        ctx.error(item.pos, "dir needs to point to an accessible directory");
                    }
                }
            };
            match kind.to_ascii_uppercase().as_str() {
                "CACHE" => {
                    check_dir(ctx);
                    if interval {
                        ctx.error(item.pos, "CACHE does not accept sync");
                    }
                    if allow_delete {
                        ctx.error(item.pos, "CACHE does not accept allow_delete");
                    }
                    if hard_delete {
                        ctx.error(item.pos, "CACHE does not accept hard_delete");
                    }
                    Ok(true)
                }
                "FULL" => {
                    check_dir(ctx);
                    if ttl {
                        ctx.error(item.pos, "FULL does not accept ttl");
                    }
                    if hard_delete && !allow_delete {
                        ctx.error(item.pos, "hard_delete has no effect without delete");
                    }
                    Ok(true)
                }
                "MEM" | "MEMORY" => Ok(false),
                _ => ctx.fail(item.pos, RESOLVER_USAGE),
            }
        }
        other => ctx.fail(item.pos, format!("error parsing operator resolver, wrong type {}", go_type(other))),
    }
}

/// `resolver_preload`: account public key to account JWT.
pub(crate) fn resolver_preload(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, "preload should be a map of account_public_key:account_jwt");
    };
    for entry in fields.iter() {
        match &entry.value.value {
            Value::String(jwt) if looks_like_jwt(jwt) => {}
            Value::String(_) => ctx.error(&entry.key_pos, "invalid account JWT"),
            _ => ctx.error(&entry.key_pos, "preload map value should be a string JWT"),
        }
    }
    Ok(())
}

/// A JWT's shape: three base64url parts (the signature is not checked).
fn looks_like_jwt(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts[..2].iter().all(|p| !p.is_empty())
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'='))
}

/// Cases checked against nats-server 2.9.10 and 2.15.1 (`nats-server -t`): the expected texts
/// are 2.15.1's output for the same file, or what its start says where only the start refuses.
#[cfg(test)]
mod nats_server_cases {
    use super::super::testutil::{first_error, options};

    #[test]
    fn same_verdict_as_nats_server() {
        assert_eq!(
            first_error("\noperator = [\"a.jwt\"]\n"),
            r#"test.conf:2:1: error parsing operator JWT: open a.jwt: no such file or directory"#
        );
        assert_eq!(
            first_error("\noperator = 5\n"),
            r#"test.conf:2:1: error parsing operators: unsupported type int64"#
        );
        assert_eq!(
            first_error("\nresolver = FOO\n"),
            r#"test.conf:2:1: error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])"#
        );
        options("\nresolver = MEMORY\n");
        assert_eq!(
            first_error("\nresolver = { type: full }\n"),
            r#"test.conf:2:1: dir has no value and needs to point to a directory"#
        );
        assert_eq!(
            first_error("\nresolver = { type: x, dir: \"/tmp\" }\n"),
            r#"test.conf:2:1: error parsing account resolver, should be MEM or  URL("url") or a map containing dir and type state=[FULL|CACHE])"#
        );
        // A folder resolver starts only with trusted operators (else: no operator key found).
        let trusted = format!("\ntrusted = {}\n", nkeys::KeyPair::new_operator().public_key());
        options(&format!(
            "{trusted}resolver = {{ type: full, dir: \"/tmp\", allow_delete: true, interval: \"2m\", limit: 1000 }}\n"
        ));
        options(&format!("{trusted}resolver = {{ type: cache, dir: \"/tmp\", ttl: \"2m\", limit: 10 }}\n"));
        assert_eq!(
            first_error("\nresolver = { type: full, dir: \"/tmp\" }\n"),
            "test.conf:2:1: Could not start resolver: no operator key found"
        );
        assert_eq!(
            first_error("\nresolver = { type: cache, dir: \"/tmp\", allow_delete: true }\n"),
            r#"test.conf:2:1: CACHE does not accept allow_delete"#
        );
        assert_eq!(
            first_error("\nresolver = { type: full, dir: \"/tmp\", ttl: \"1h\" }\n"),
            r#"test.conf:2:1: FULL does not accept ttl"#
        );
        assert_eq!(
            first_error("\nresolver = 5\n"),
            r#"test.conf:2:1: error parsing operator resolver, wrong type int64"#
        );
        options("\nresolver = URL(\"http://localhost:9090/jwt/v1/accounts/\")\n");
        assert_eq!(
            first_error("\ntrusted = \"abc\"\n"),
            r#"test.conf:2:1: trust key "abc" required to be a valid public operator nkey"#
        );
        assert_eq!(
            first_error("\ntrusted = [\"ODXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\"]\n"),
            r#"test.conf:2:13: trust key "ODXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4" required to be a valid public operator nkey"#
        );
        assert_eq!(first_error("\ntrusted = 5\n"), r#"test.conf:2:1: error parsing trusted: unsupported type int64"#);
        assert_eq!(
            first_error("\nresolver_preload: 5\n"),
            r#"test.conf:2:1: preload should be a map of account_public_key:account_jwt"#
        );
        assert_eq!(
            first_error("\nresolver_preload: { A: 5 }\n"),
            r#"test.conf:2:21: preload map value should be a string JWT"#
        );
        assert_eq!(
            first_error("\nresolver_pinned_accounts: 5\n"),
            r#"test.conf:2:1: error parsing resolver_pinned_accounts: unsupported type int64"#
        );
        options("\nresolver_pinned_accounts: [\"A\"]\n");
    }
}
