//! `authorization`: the single user/password or token rnats enforces, and the users lists and
//! permissions it validates (also used by accounts, cluster, gateway and leafnodes).

use std::sync::Arc;

use rnats_conf::{Entry, Map, Pos, Value};

use super::check::{go_display, go_quote_list, go_type, Abort, Ctx, Item, Step};
use super::duration::parse_go_duration;
use super::top::seconds;
use super::{ConfigUser, Options, PermissionsConfig, ResponsePermission, SubjectPermission};

/// What an `authorization` block holds, as nats-server's `authorization` struct.
#[derive(Debug, Default)]
pub(crate) struct AuthBlock {
    pub user: String,
    pub pass: String,
    pub token: String,
    /// Seconds (0: unset).
    pub timeout: f64,
    /// `users`, when given and valid (nkey users included).
    pub users: Option<Vec<ConfigUser>>,
    /// `permissions`/`default_permissions`: for the block's users without their own.
    pub permissions: Option<Arc<PermissionsConfig>>,
    /// `auth_callout` was given.
    pub callout: bool,
}

/// nkey prefix bytes (the first base32 character: A, O, U).
pub(crate) const PREFIX_ACCOUNT: u8 = 0;
pub(crate) const PREFIX_OPERATOR: u8 = 14 << 3;
pub(crate) const PREFIX_USER: u8 = 20 << 3;

/// Whether `text` is a public nkey of the given kind (checksum and prefix).
pub(crate) fn is_public_key(text: &str, prefix: u8) -> bool {
    matches!(nkeys::from_public_key(text), Ok((p, _)) if p == prefix)
}

/// The top-level `authorization` entry: applies user/password/token/timeout to `o`.
pub(crate) fn top_level(ctx: &mut Ctx, o: &mut Options, entry: &Entry) {
    let item = Item::entry(entry);
    let pos = item.pos;
    let Ok(auth) = authorization(ctx, item) else {
        return;
    };
    o.auth.user = non_empty(&auth.user);
    o.auth.pass = non_empty(&auth.pass);
    o.auth.token = non_empty(&auth.token);
    // nats-server stores these before its checks; accounts parsed later compare against them.
    ctx.users.single_user |= !auth.user.is_empty();
    ctx.users.token |= !auth.token.is_empty();
    if (!auth.user.is_empty() || !auth.pass.is_empty()) && !auth.token.is_empty() {
        ctx.error(pos, "Cannot have a user/pass and token");
        return;
    }
    if auth.timeout != 0.0 {
        match seconds(auth.timeout) {
            Some(d) => o.auth_timeout = Some(d),
            None => {
                ctx.error(pos, "authorization timeout can not be negative");
                return;
            }
        }
    }
    let has_users = auth.users.is_some() || ctx.users.has_users();
    if has_users && !auth.user.is_empty() {
        ctx.error(pos, "Can not have a single user/pass and a users array");
        return;
    }
    if has_users && !auth.token.is_empty() {
        ctx.error(pos, "Can not have a token and a users array");
        return;
    }
    if let Some(mut users) = auth.users {
        apply_default_permissions(&mut users, auth.permissions.as_ref());
        let users = register_users(ctx, pos, users);
        o.users.extend(users);
    }
    if auth.callout {
        ctx.security_gap(pos, "auth_callout is not supported yet by rnats; the setting is ignored");
    }
}

/// Users without a `permissions` block of their own get the defaults (no merging: a user's
/// own block replaces them entirely, as in nats-server).
pub(crate) fn apply_default_permissions(users: &mut [ConfigUser], defaults: Option<&Arc<PermissionsConfig>>) {
    let Some(defaults) = defaults else { return };
    for user in users.iter_mut().filter(|u| u.permissions.is_none()) {
        user.permissions = Some(Arc::clone(defaults));
    }
}

/// Adds users to the registry, reporting names and nkeys already defined (nats-server:
/// `Duplicate user "x" detected`). Returns the users that were new.
pub(crate) fn register_users(ctx: &mut Ctx, pos: &Pos, users: Vec<ConfigUser>) -> Vec<ConfigUser> {
    let mut fresh = Vec::with_capacity(users.len());
    // nats-server checks the nkey users first, then the named ones.
    let (nkey_users, named): (Vec<ConfigUser>, Vec<ConfigUser>) = users.into_iter().partition(|u| u.nkey.is_some());
    for user in nkey_users.into_iter().chain(named) {
        let (set, key, what) = match (&user.nkey, &user.user) {
            (Some(nkey), _) => (&mut ctx.users.nkeys, nkey.clone(), "nkey"),
            (None, Some(name)) => (&mut ctx.users.names, name.clone(), "user"),
            (None, None) => continue,
        };
        if set.insert(key.clone()) {
            fresh.push(user);
        } else {
            ctx.error(pos, format!("Duplicate {what} {key:?} detected"));
        }
    }
    fresh
}

/// nats-server's `parseAuthorization`.
pub(crate) fn authorization(ctx: &mut Ctx, item: Item<'_>) -> Step<AuthBlock> {
    let map = ctx.map(item)?;
    let mut auth = AuthBlock::default();
    for entry in map.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "user" | "username" => auth.user = ctx.str(it)?.to_string(),
            "pass" | "password" => auth.pass = ctx.str(it)?.to_string(),
            "token" => auth.token = ctx.str(it)?.to_string(),
            "timeout" => auth.timeout = auth_timeout(ctx, "authorization", it)?,
            "users" => auth.users = users(ctx, it).ok(),
            "default_permission" | "default_permissions" | "permissions" => {
                auth.permissions = permissions(ctx, it).ok();
            }
            // Newer than 2.9.10.
            "auth_callout" | "auth_hook" => {
                auth.callout = auth_callout(ctx, it).is_ok();
            }
            "proxy_required" => proxy_required(ctx, it)?,
            _ => ctx.unknown_field(entry),
        }
    }
    Ok(auth)
}

/// `proxy_required` (newer than 2.9.10): clients must come through a trusted proxy. rnats
/// has no proxy support, so honouring it is impossible and ignoring it would let them in
/// directly: a security gap.
pub(crate) fn proxy_required(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    if ctx.bool(item)? {
        ctx.security_gap(item.pos, "proxy_required is not supported yet by rnats");
    }
    Ok(())
}

/// An authorization `timeout` (`section`: "authorization", "leafnode authorization"): seconds
/// as a number, or a duration; nats-server warns above a minute.
pub(crate) fn auth_timeout(ctx: &mut Ctx, section: &str, item: Item<'_>) -> Step<f64> {
    let seconds = match item.value {
        Value::Integer(n) => *n as f64,
        Value::Float(f) => *f,
        Value::String(text) => match super::duration::parse_go_duration(text) {
            Ok(nanos) => nanos as f64 / 1e9,
            Err(e) => return ctx.fail(item.pos, format!("error parsing {section} config, 'timeout' {e}")),
        },
        _ => return ctx.fail(item.pos, format!("error parsing {section} config, 'timeout' wrong type")),
    };
    if seconds > 60.0 {
        let reason = format!(
            "timeout of {} ({seconds:.6} seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example",
            go_display(item.value)
        );
        ctx.go_warning(item.pos, "timeout", reason);
    }
    Ok(seconds)
}

/// nats-server's `parseUsers`: a list of `{user, password}` or `{nkey}` maps.
pub(crate) fn users(ctx: &mut Ctx, item: Item<'_>) -> Step<Vec<ConfigUser>> {
    let Value::Array(elements) = item.value else {
        return ctx.fail(item.pos, format!("Expected users field to be an array, got {}", go_display(item.value)));
    };
    let mut out = Vec::with_capacity(elements.len());
    for element in elements.iter() {
        let Value::Map(fields) = &element.value else {
            let shown = go_display(&element.value);
            ctx.error(&element.pos, format!("Expected user entry to be a map/struct, got {shown}"));
            continue;
        };
        // nats-server reports the entry's problems at the last field it looked at.
        let mut last = &element.pos;
        let mut user = ConfigUser::default();
        for entry in fields.iter() {
            let it = Item::entry(entry);
            last = &entry.key_pos;
            match entry.key.to_ascii_lowercase().as_str() {
                "nkey" => user.nkey = non_empty(ctx.str(it)?),
                "user" | "username" => user.user = non_empty(ctx.str(it)?),
                "pass" | "password" => user.password = non_empty(ctx.str(it)?),
                "permission" | "permissions" | "authorization" => user.permissions = Some(permissions(ctx, it)?),
                "allowed_connection_types" | "connection_types" | "clients" => {
                    user.connection_types = connection_types(ctx, it);
                }
                "proxy_required" => proxy_required(ctx, it)?,
                _ => ctx.unknown_field(entry),
            }
        }
        match &user.nkey {
            None if user.user.is_none() => return ctx.fail(last, "User entry requires a user"),
            Some(nkey) if !is_public_key(nkey, PREFIX_USER) => {
                return ctx.fail(last, "Not a valid public nkey for a user");
            }
            Some(_) if user.user.is_some() || user.password.is_some() => {
                return ctx.fail(last, "Nkey users do not take usernames or passwords");
            }
            _ => out.push(user),
        }
    }
    Ok(out)
}

/// nats-server's `parseUserPermissions`. A block shared through a variable (`permissions:
/// $PERMS` for thousands of users) is read once and its result shared, unless reading it
/// reported something (then each use reports it again, as nats-server does).
pub(crate) fn permissions(ctx: &mut Ctx, item: Item<'_>) -> Step<Arc<PermissionsConfig>> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, format!("Expected permissions to be a map/struct, got {}", go_display(item.value)));
    };
    // The tree outlives this reading, so an address names one block for all of it.
    let key = Arc::as_ptr(fields) as usize;
    if let Some(shared) = ctx.shared_permissions.get(&key) {
        return Ok(Arc::clone(shared));
    }
    let reported = (ctx.errors.len(), ctx.go_warnings.len(), ctx.notes.len());
    let perms = Arc::new(read_permissions(ctx, fields));
    if reported == (ctx.errors.len(), ctx.go_warnings.len(), ctx.notes.len()) {
        ctx.shared_permissions.insert(key, Arc::clone(&perms));
    }
    Ok(perms)
}

fn read_permissions(ctx: &mut Ctx, fields: &Map) -> PermissionsConfig {
    let mut perms = PermissionsConfig::default();
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "pub" | "publish" | "import" => perms.publish = variable_permissions(ctx, it).ok(),
            "sub" | "subscribe" | "export" => perms.subscribe = variable_permissions(ctx, it).ok(),
            "publish_allow_responses" | "allow_responses" => match it.value {
                Value::Bool(true) => perms.responses = Some(ResponsePermission::default()),
                Value::Bool(false) => perms.responses = None,
                _ => perms.responses = allow_responses(ctx, it).ok(),
            },
            _ => {
                if !entry.used_as_variable {
                    ctx.error(it.pos, format!("Unknown field {:?} parsing permissions", entry.key));
                }
            }
        }
    }
    // nats-server: answering requests only means publishing nothing else (an empty allow list
    // denies every subject but the replies).
    if perms.responses.is_some() {
        let publish = perms.publish.get_or_insert_with(SubjectPermission::default);
        publish.allow.get_or_insert_with(Vec::new);
    }
    perms
}

/// A publish or subscribe permission: a subject list (old style: an allow list) or
/// `{allow, deny}`.
fn variable_permissions(ctx: &mut Ctx, item: Item<'_>) -> Step<SubjectPermission> {
    match item.value {
        Value::Map(fields) => Ok(subject_permission(ctx, fields)),
        // nats-server hands the old style over without its position: its errors have none.
        _ => permission_subjects(ctx, item, false).map(|allow| SubjectPermission { allow: Some(allow), deny: None }),
    }
}

/// `{allow: [...], deny: [...]}`.
fn subject_permission(ctx: &mut Ctx, fields: &Map) -> SubjectPermission {
    let mut perm = SubjectPermission::default();
    for entry in fields.iter() {
        match entry.key.to_ascii_lowercase().as_str() {
            key @ ("allow" | "deny") => {
                let subjects = permission_subjects(ctx, Item::entry(entry), true).ok();
                if key == "allow" {
                    perm.allow = subjects;
                } else {
                    perm.deny = subjects;
                }
            }
            _ => {
                if !entry.used_as_variable {
                    let message = format!(
                        "Unknown field name {:?} parsing subject permissions, only 'allow' or 'deny' are permitted",
                        entry.key
                    );
                    ctx.error(&entry.key_pos, message);
                }
            }
        }
    }
    perm
}

/// nats-server's `parsePermSubjects`: a subject or a list of subjects (a subject may carry a
/// queue name after a space). `placed`: whether nats-server knows the position.
pub(crate) fn permission_subjects(ctx: &mut Ctx, item: Item<'_>, placed: bool) -> Step<Vec<String>> {
    let fail = |ctx: &mut Ctx, message: String| -> Step<Vec<String>> {
        if placed {
            ctx.fail(item.pos, message)
        } else {
            ctx.error_unplaced(message);
            Err(Abort)
        }
    };
    let subjects = match item.value {
        Value::String(s) => vec![s.clone()],
        Value::Array(elements) => {
            let mut subjects = Vec::with_capacity(elements.len());
            for element in elements.iter() {
                match &element.value {
                    Value::String(s) => subjects.push(s.clone()),
                    _ => return ctx.fail(&element.pos, "Subject in permissions array cannot be cast to string"),
                }
            }
            subjects
        }
        other => {
            let message =
                format!("Expected subject permissions to be a subject, or array of subjects, got {}", go_type(other));
            return fail(ctx, message);
        }
    };
    for subject in &subjects {
        if !is_valid_subject(subject) {
            let fields: Vec<&str> = subject.split_whitespace().collect();
            if fields.len() != 2 {
                return fail(ctx, format!("subject {subject:?} is not a valid subject"));
            }
            if !is_valid_subject(fields[0]) {
                return fail(ctx, format!("subject {:?} is not a valid subject", fields[0]));
            }
        }
    }
    Ok(subjects)
}

/// A subject as nats-server's `IsValidSubject` accepts it.
pub(crate) fn is_valid_subject(subject: &str) -> bool {
    rnats_subject::is_valid_subject(subject.as_bytes())
}

/// `allow_responses` as a map: `{max, expires}` (0 or absent: nats-server's defaults).
fn allow_responses(ctx: &mut Ctx, item: Item<'_>) -> Step<ResponsePermission> {
    let Value::Map(fields) = item.value else {
        return ctx.fail(item.pos, "error parsing response permissions, expected a boolean or a map");
    };
    let mut perm = ResponsePermission::default();
    for entry in fields.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "max" | "max_msgs" | "max_messages" | "max_responses" => {
                let max = ctx.int(it)?;
                if max != 0 {
                    perm.max = max;
                }
            }
            "expires" | "expiration" | "ttl" => match it.value {
                Value::String(text) => match parse_go_duration(text) {
                    Ok(0) => {}
                    Ok(nanos) => perm.expires_nanos = nanos,
                    Err(e) => return ctx.fail(it.pos, format!("error parsing expires: {e}")),
                },
                _ => return ctx.fail(it.pos, "error parsing expires, not a duration string"),
            },
            _ => {
                if !entry.used_as_variable {
                    ctx.error(it.pos, format!("Unknown field {:?} parsing permissions", entry.key));
                }
            }
        }
    }
    Ok(perm)
}

/// `allowed_connection_types`: names nats-server knows, upper-cased.
fn connection_types(ctx: &mut Ctx, item: Item<'_>) -> Option<Vec<String>> {
    let types = ctx.string_list("allowed connection types", item).ok()?;
    const KNOWN: [&str; 7] = ["STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS", "IN_PROCESS"];
    let unknown: Vec<String> =
        types.iter().map(|t| t.to_ascii_uppercase()).filter(|t| !KNOWN.contains(&t.as_str())).collect();
    if !unknown.is_empty() {
        ctx.error(item.pos, format!("invalid connection types {}", go_quote_list(&unknown)));
        return None;
    }
    Some(types.iter().map(|t| t.to_ascii_uppercase()).collect())
}

/// nats-server's `parseSimpleAuth` (websocket and mqtt `authorization`): the user and the
/// token.
pub(crate) fn simple_auth(ctx: &mut Ctx, item: Item<'_>) -> Step<(String, String)> {
    let map = ctx.map(item)?;
    let (mut user, mut token) = (String::new(), String::new());
    for entry in map.iter() {
        let it = Item::entry(entry);
        match entry.key.to_ascii_lowercase().as_str() {
            "user" | "username" => user = ctx.str(it)?.to_string(),
            "token" => token = ctx.str(it)?.to_string(),
            "pass" | "password" => {
                ctx.str(it)?;
            }
            // Any other type leaves nats-server's default of one second.
            "timeout" => {}
            _ => ctx.unknown_field(entry),
        }
    }
    Ok((user, token))
}

/// `auth_callout` (newer than 2.9.10), as nats-server 2.15.1's `parseAuthCallout` checks it:
/// an issuer account nkey and authorized users are required. Its `allowed_accounts` are
/// checked against the accounts once the whole file is read (`ctx.facts`).
fn auth_callout(ctx: &mut Ctx, item: Item<'_>) -> Step<()> {
    let Value::Map(map) = item.value else {
        let shown = go_display(item.value);
        return ctx.fail(item.pos, format!("Expected authorization callout to be a map/struct, got {shown}"));
    };
    let (mut issuer, mut users, mut allowed) = (String::new(), Vec::new(), Vec::new());
    // nats-server reports a missing field at the last one it read.
    let mut last = item.pos;
    for entry in map.iter() {
        let it = Item::entry(entry);
        last = it.pos;
        match entry.key.to_ascii_lowercase().as_str() {
            "issuer" => {
                issuer = ctx.str(it)?.to_string();
                if !is_public_key(&issuer, PREFIX_ACCOUNT) {
                    let message = format!("Expected callout user to be a valid public account nkey, got {issuer:?}");
                    return ctx.fail(it.pos, message);
                }
            }
            "account" | "acc" => {
                ctx.str(it)?;
            }
            "auth_users" | "users" | "allowed_accounts" => {
                let Value::Array(elements) = it.value else {
                    let what = if entry.key.eq_ignore_ascii_case("allowed_accounts") {
                        "allowed accounts"
                    } else {
                        "auth_users"
                    };
                    let message = format!("Expected {what} field to be an array, got {}", go_type(it.value));
                    return ctx.fail(it.pos, message);
                };
                let mut names = Vec::with_capacity(elements.len());
                for element in elements.iter() {
                    names.push(ctx.str(Item::element(element))?.to_string());
                }
                if entry.key.eq_ignore_ascii_case("allowed_accounts") {
                    allowed = names;
                } else {
                    users = names;
                }
            }
            "xkey" | "key" => {
                let key = ctx.str(it)?;
                if !key.starts_with('X') || nkeys::from_public_key(key).is_err() {
                    return ctx.fail(it.pos, format!("Expected callout xkey to be a valid public xkey, got {key:?}"));
                }
            }
            _ if entry.used_as_variable => {}
            _ => {
                let message = format!("Unknown field {:?} parsing authorization callout", entry.key);
                ctx.error(it.pos, message);
            }
        }
    }
    if issuer.is_empty() {
        return ctx.fail(last, "Authorization callouts require an issuer to be specified");
    }
    if users.is_empty() {
        return ctx.fail(last, "Authorization callouts require authorized users to be specified");
    }
    ctx.facts.callout_allowed_accounts = allowed;
    Ok(())
}

/// Some(text) unless empty (nats-server's "" means unset).
pub(crate) fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::testutil::{errors, first_error, options, warnings};
    use super::super::ConfigUser;

    const USER_NKEY: &str = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";

    #[test]
    fn single_user_password_and_timeout() {
        let o = options("authorization { user: derek, password: porkchop, timeout: 1 }\n");
        assert_eq!(o.auth.user.as_deref(), Some("derek"));
        assert_eq!(o.auth.pass.as_deref(), Some("porkchop"));
        assert_eq!(o.auth.token, None);
        assert_eq!(o.auth_timeout, Some(Duration::from_secs(1)));
        let o = options("authorization { username: a, pass: b, timeout: 0.5 }\n");
        assert_eq!((o.auth.user.as_deref(), o.auth.pass.as_deref()), (Some("a"), Some("b")));
        assert_eq!(o.auth_timeout, Some(Duration::from_millis(500)));
        assert!(warnings("authorization { user: a, password: b }\n").is_empty());
    }

    #[test]
    fn token() {
        let o = options("authorization { token: \"s3cr3t\" }\n");
        assert_eq!(o.auth.token.as_deref(), Some("s3cr3t"));
        assert!(o.auth.is_required());
    }

    #[test]
    fn timeout_as_a_duration() {
        // nats-server 2.15.1 takes a duration too (2.9.10 silently used one second).
        let loaded = super::super::testutil::load("\nauthorization { user: a, timeout: \"2s\" }\n").expect("valid");
        assert_eq!(loaded.options.auth_timeout, Some(Duration::from_secs(2)));
        assert!(loaded.warnings.is_empty());
        assert_eq!(
            first_error("\nauthorization { user: a, timeout: \"x\" }\n"),
            r#"test.conf:2:26: error parsing authorization config, 'timeout' time: invalid duration "x""#
        );
    }

    #[test]
    fn conflicting_credentials() {
        assert_eq!(
            first_error("\nauthorization { user: a, token: b }\n"),
            "test.conf:2:1: Cannot have a user/pass and token"
        );
        assert_eq!(
            first_error("\nauthorization { user: a, users = [ {user: b} ] }\n"),
            "test.conf:2:1: Can not have a single user/pass and a users array"
        );
        assert_eq!(
            first_error("\nauthorization { token: a\n users = [{user: b}] }\n"),
            "test.conf:2:1: Can not have a token and a users array"
        );
    }

    #[test]
    fn users_lists_are_parsed_and_nkey_users_reported() {
        let text = format!("\nauthorization {{ users = [ {{user: a, password: b}}, {{nkey: {USER_NKEY}}} ] }}\n");
        let o = options(&text);
        assert_eq!(
            o.users,
            [
                ConfigUser { nkey: Some(USER_NKEY.into()), ..ConfigUser::default() },
                ConfigUser { user: Some("a".into()), password: Some("b".into()), ..ConfigUser::default() },
            ]
        );
        assert!(!o.auth.is_required());
        assert!(warnings(&text).is_empty());
    }

    #[test]
    fn user_entry_errors() {
        assert_eq!(
            first_error("\nauthorization { users = 5 }\n"),
            "test.conf:2:17: Expected users field to be an array, got 5"
        );
        assert_eq!(
            errors("\nauthorization { users = [ 5, {user: a}, {foo: 1} ] }\n"),
            [
                "test.conf:2:27: Expected user entry to be a map/struct, got 5",
                r#"test.conf:2:42: unknown field "foo""#,
                "test.conf:2:42: User entry requires a user",
            ]
        );
        assert_eq!(
            first_error("\nauthorization { users = [ {nkey: \"UABC\"} ] }\n"),
            "test.conf:2:28: Not a valid public nkey for a user"
        );
        assert_eq!(
            first_error(&format!("\nauthorization {{ users = [ {{nkey: {USER_NKEY}, user: x}} ] }}\n")),
            "test.conf:2:92: Nkey users do not take usernames or passwords"
        );
        assert_eq!(
            first_error("\nauthorization { users = [ {user: a, pass: 5} ] }\n"),
            "test.conf:2:37: interface conversion: interface {} is int64, not string"
        );
        assert_eq!(
            first_error("\nauthorization { users = [ {user: a, password: b}, {user: a, password: c} ] }\n"),
            r#"test.conf:2:1: Duplicate user "a" detected"#
        );
    }

    #[test]
    fn permissions() {
        let valid = "\nauthorization { users = [ {user: a, password: b, permissions: {\n\
                     publish: { allow: [\"a.>\"], deny: \"b\" }, subscribe: [\"x\", \"y z\"],\n\
                     allow_responses: { max: 1, expires: \"1m\" } } } ] }\n";
        options(valid);
        assert_eq!(
            first_error("\nauthorization { permissions = 5 }\n"),
            "test.conf:2:17: Expected permissions to be a map/struct, got 5"
        );
        // nats-server gives no position for problems of an old-style subject list.
        assert_eq!(
            first_error("\nauthorization { users = [ {user: a, permissions: { pub: \"a..b\" }} ] }\n"),
            r#"subject "a..b" is not a valid subject"#
        );
        assert_eq!(
            errors("\nauthorization { users = [ {user: a, permissions: { pub: { allow: \"a..b\", x: 1 } }} ] }\n"),
            [
                r#"test.conf:2:59: subject "a..b" is not a valid subject"#,
                r#"test.conf:2:74: Unknown field name "x" parsing subject permissions, only 'allow' or 'deny' are permitted"#,
            ]
        );
        assert_eq!(
            first_error("\nauthorization { users = [ {user: a, permissions: { foo: 1 }} ] }\n"),
            r#"test.conf:2:52: Unknown field "foo" parsing permissions"#
        );
        assert_eq!(
            first_error("\nauthorization { users = [ {user: a, permissions: { allow_responses: 5 }} ] }\n"),
            "test.conf:2:52: error parsing response permissions, expected a boolean or a map"
        );
        assert_eq!(
            first_error(
                "\nauthorization { users = [ {user: a, permissions: { allow_responses: { expires: \"1x\" } }} ] }\n"
            ),
            r#"test.conf:2:71: error parsing expires: time: unknown unit "x" in duration "1x""#
        );
    }

    #[test]
    fn connection_types() {
        options("\nauthorization { users = [ {user: a, allowed_connection_types: [\"standard\", \"MQTT\"]} ] }\n");
        assert_eq!(
            first_error(
                "\nauthorization { users = [ {user: a, allowed_connection_types: [\"STANDARD\", \"FOO\"]} ] }\n"
            ),
            r#"test.conf:2:37: invalid connection types ["FOO"]"#
        );
        assert_eq!(
            first_error("\nauthorization { users = [ {user: a, allowed_connection_types: 5} ] }\n"),
            "test.conf:2:37: error parsing allowed connection types: unsupported type int64"
        );
    }

    #[test]
    fn unknown_and_wrong_fields() {
        assert_eq!(first_error("\nauthorization { foo: 1 }\n"), r#"test.conf:2:17: unknown field "foo""#);
        assert_eq!(
            first_error("\nauthorization = 5\n"),
            "test.conf:2:1: interface conversion: interface {} is int64, not map[string]interface {}"
        );
        assert_eq!(
            first_error("\nauthorization { user = 5, pass: 6 }\n"),
            "test.conf:2:17: interface conversion: interface {} is int64, not string"
        );
    }

    #[test]
    fn users_across_authorization_and_accounts() {
        assert_eq!(
            first_error("\nauthorization { user: a, pass: b }\naccounts { A { users = [ {user: x, pass: y} ] } }\n"),
            "test.conf:3:16: Can not have a single user/pass and accounts"
        );
        assert_eq!(
            first_error("\naccounts { A { users = [ {user: x, pass: y} ] } }\nauthorization { user: a, pass: b }\n"),
            "test.conf:3:1: Can not have a single user/pass and a users array"
        );
        assert_eq!(
            first_error("\nauthorization { token: a }\naccounts { A { users = [ {user: x, pass: y} ] } }\n"),
            "test.conf:3:16: Can not have a token and accounts"
        );
        assert_eq!(
            first_error(
                "\nauthorization { users = [ {user: x, pass: y} ] }\naccounts { A { users = [ {user: x, pass: y} ] } }\n"
            ),
            r#"test.conf:3:16: Duplicate user "x" detected"#
        );
    }

    #[test]
    fn nkey_kinds() {
        assert!(super::is_public_key(USER_NKEY, super::PREFIX_USER));
        assert!(!super::is_public_key(USER_NKEY, super::PREFIX_ACCOUNT));
        assert!(!super::is_public_key("UABC", super::PREFIX_USER));
    }
}
