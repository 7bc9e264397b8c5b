//! What nats-server checks when the server is created rather than when the file is read
//! (`validateOptions`): a config test (`-t`) passes, a start fails with the message alone.

use super::Options;

/// The first reason these options cannot start a server, in nats-server's words.
pub fn validate(options: &Options) -> Result<(), String> {
    no_auth_user(options)
}

/// `no_auth_user` must name a configured user or nkey (of `authorization` or an account):
/// otherwise clients without credentials would silently get nothing or something else.
fn no_auth_user(options: &Options) -> Result<(), String> {
    let Some(name) = options.no_auth_user.as_deref() else { return Ok(()) };
    if options.users.is_empty() {
        return Err(format!("no_auth_user: {name:?} present, but users/nkeys are not defined"));
    }
    let named = |value: &Option<String>| value.as_deref() == Some(name);
    if options.users.iter().any(|u| named(&u.user) || named(&u.nkey)) {
        return Ok(());
    }
    Err(format!("no_auth_user: {name:?} not present as user or nkey in authorization block or account configuration"))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::options;
    use super::*;

    #[test]
    fn no_auth_user_must_name_a_user_or_nkey() {
        let nobody = "no_auth_user: nobody\n";
        assert_eq!(
            validate(&options(nobody)),
            Err(r#"no_auth_user: "nobody" present, but users/nkeys are not defined"#.into())
        );
        let missing = format!("{nobody}authorization {{ users: [{{user: a, password: b}}] }}\n");
        assert_eq!(
            validate(&options(&missing)),
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
}
