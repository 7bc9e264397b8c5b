//! What nats-server checks only when it creates and starts a server (`validateOptions`, the
//! accounts, the monitoring listener), in its order. nats-server's `-t` skips these; rnats
//! runs them when reading the file too, so that a configuration `-t` calls valid starts. The
//! message is nats-server's; rnats puts the place of the key in question first.
//!
//! The checks of sections rnats does not act on read what the parsers noted in [`Facts`]
//! (`validate_unbuilt`); for options made in code those are empty.

use rnats_conf::Pos;

use super::facts::Facts;
use super::validate_unbuilt as unbuilt;
use super::writable;
use super::Options;

/// Why a configuration cannot start a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invalid {
    /// Where the key in question was written (unknown for options made in code).
    pub pos: Option<Pos>,
    /// nats-server's text.
    pub message: String,
}

/// A failed check, placed at the first of `keys` the file set.
pub(crate) fn invalid(facts: &Facts, keys: &[&str], message: String) -> Invalid {
    let pos = keys.iter().find_map(|key| facts.at(key)).cloned();
    Invalid { pos, message }
}

/// The first reason these options cannot start a server, in nats-server's words.
pub fn validate(options: &Options) -> Result<(), String> {
    check(options, &Facts::default()).map_err(|e| e.message)
}

/// All checks, in nats-server's order.
pub(crate) fn check(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    unbuilt::lame_duck(facts)?;
    max_payload(o, facts)?;
    server_name(o, facts)?;
    unbuilt::operators(o, facts)?;
    leafnodes(o, facts)?;
    unbuilt::leafnodes(o, facts)?;
    no_auth_user(o, facts, o.no_auth_user.as_deref(), "no_auth_user")?;
    unbuilt::gateway(facts)?;
    unbuilt::cluster(o, facts)?;
    unbuilt::mqtt(o, facts)?;
    unbuilt::jetstream(o, facts)?;
    unbuilt::websocket(o, facts)?;
    system_account(o, facts)?;
    log_file(o, facts)?;
    pid_file(o, facts)?;
    unbuilt::monitoring(facts)?;
    unbuilt::resolver_start(facts)?;
    unbuilt::jetstream_start(o, facts)?;
    unbuilt::ports(o, facts)
}

/// A payload must fit in what a connection may have pending.
fn max_payload(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    if o.max_payload <= o.max_pending {
        return Ok(());
    }
    let message = format!("max_payload ({}) cannot be higher than max_pending ({})", o.max_payload, o.max_pending);
    Err(invalid(facts, &["max_payload", "max_pending"], message))
}

/// nats-server 2.15.1 also refuses this while reading the file; options made in code meet it
/// here.
fn server_name(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    match &o.server_name {
        Some(name) if name.contains(' ') => {
            Err(invalid(facts, &["server_name"], "server name cannot contain spaces".into()))
        }
        _ => Ok(()),
    }
}

/// The accounts leaf connections are bound to must exist.
fn leafnodes(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(leaf) = &o.leafnodes else { return Ok(()) };
    if facts.operator_mode {
        return Ok(());
    }
    let exists = |name: &Option<String>| match name.as_deref() {
        None | Some("" | "$G") => true,
        Some("$SYS") if o.system_account.is_none() && !facts.no_system_account => true,
        Some(name) => o.accounts.iter().any(|a| a == name),
    };
    let missing = |name: &Option<String>, kind: &str, key: String| {
        let name = name.as_deref().unwrap_or_default();
        let message = format!("cannot find local account {name:?} specified in leafnode {kind}");
        Err(invalid(facts, &[key.as_str(), "leafnodes"], message))
    };
    if !exists(&leaf.account) {
        return missing(&leaf.account, "authorization", "leafnodes.authorization.account".into());
    }
    for (i, user) in leaf.users.iter().enumerate() {
        if !exists(&user.account) {
            return missing(&user.account, "authorization", format!("leafnodes.users.{i}.account"));
        }
    }
    for (i, remote) in leaf.remotes.iter().enumerate() {
        if !exists(&remote.account) {
            return missing(&remote.account, "remote", format!("leafnodes.remotes.{i}.account"));
        }
    }
    Ok(())
}

/// `no_auth_user` (of the server, or of websocket/mqtt: `key`) must name a configured user or
/// nkey (of `authorization` or an account): otherwise clients without credentials would
/// silently get nothing or something else.
pub(crate) fn no_auth_user(o: &Options, facts: &Facts, name: Option<&str>, key: &str) -> Result<(), Invalid> {
    let Some(name) = name.filter(|n| !n.is_empty()) else { return Ok(()) };
    let fail = |message: String| Err(invalid(facts, &[key], message));
    if facts.operator_mode {
        return fail("no_auth_user not compatible with Trusted Operator".into());
    }
    if o.users.is_empty() {
        return fail(format!("no_auth_user: {name:?} present, but users/nkeys are not defined"));
    }
    let named = |value: &Option<String>| value.as_deref() == Some(name);
    if o.users.iter().any(|u| named(&u.user) || named(&u.nkey)) {
        return Ok(());
    }
    fail(format!("no_auth_user: {name:?} not present as user or nkey in authorization block or account configuration"))
}

/// The log file is opened when the logger is set up, before the server starts.
fn log_file(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(path) = &o.log_file else { return Ok(()) };
    writable::check(&facts.base_dir, path)
        .map_err(|e| invalid(facts, &["log_file", "logfile"], format!("error opening file: {e}")))
}

/// The pid file is the first thing the start writes.
fn pid_file(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(path) = &o.pid_file else { return Ok(()) };
    writable::check(&facts.base_dir, path)
        .map_err(|e| invalid(facts, &["pid_file", "pidfile"], format!("Could not write pidfile: {e}")))
}

/// `system_account` must name an account (`$G` or a configured one).
fn system_account(o: &Options, facts: &Facts) -> Result<(), Invalid> {
    let Some(name) = o.system_account.as_deref() else { return Ok(()) };
    if facts.operator_mode || name == "$G" || o.accounts.iter().any(|a| a == name) {
        return Ok(());
    }
    Err(invalid(facts, &["system_account", "system"], "error resolving system account: account missing".into()))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::options;
    use super::*;

    #[test]
    fn no_auth_user_must_name_a_user_or_nkey() {
        let nobody = "no_auth_user: nobody\n";
        let mut o = options("");
        o.no_auth_user = Some("nobody".into());
        assert_eq!(validate(&o), Err(r#"no_auth_user: "nobody" present, but users/nkeys are not defined"#.into()));
        let missing = format!("{nobody}authorization {{ users: [{{user: a, password: b}}] }}\n");
        let mut o = options(&missing.replace(nobody, ""));
        o.no_auth_user = Some("nobody".into());
        assert_eq!(
            validate(&o),
            Err(
                r#"no_auth_user: "nobody" not present as user or nkey in authorization block or account configuration"#
                    .into()
            )
        );
        let in_account = "no_auth_user: a\naccounts { A { users: [{user: a, password: b}] } }\n";
        assert_eq!(validate(&options(in_account)), Ok(()));
        let nkey = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";
        let by_nkey = format!("no_auth_user: {nkey}\nauthorization {{ users: [{{nkey: {nkey}}}] }}\n");
        assert_eq!(validate(&options(&by_nkey)), Ok(()));
    }

    #[test]
    fn options_made_in_code_are_checked_too() {
        let mut o = Options { max_payload: 2000, max_pending: 1000, ..Options::default() };
        assert_eq!(validate(&o), Err("max_payload (2000) cannot be higher than max_pending (1000)".into()));
        o.max_pending = 2000;
        assert_eq!(validate(&o), Ok(()));
        o.system_account = Some("SYS".into());
        assert_eq!(validate(&o), Err("error resolving system account: account missing".into()));
    }
}
