//! Who may connect, and as whom: the configured credentials (token, single user, users lists
//! with plain or bcrypt passwords, NKEY users, TLS certificates mapped to users) and the
//! decision for one CONNECT, in nats-server's order.
//!
//! A decision that needs bcrypt is handed back as a [`PasswordCheck`] for the connection task
//! to pass through the [`PasswordGate`]: the reactor never hashes.

mod cert;
mod gate;
mod permissions;
mod replies;
mod secret;

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use foldhash::fast::RandomState;
use rnats_proto::ConnectOptions;

pub use cert::{CertIdentity, DistinguishedName};
pub use gate::PasswordGate;
pub use permissions::{Permissions, ResponseLimits};
pub use replies::{ReplyTracker, MAX_TRACKED_REPLIES};
pub use secret::{constant_time_eq, is_bcrypt, Secret, SecretChecker};

use crate::account::Account;
use crate::options::{ConfigUser, Options, PermissionsConfig};

/// `len` bytes from the operating system's secure generator.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; N];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        // The OS generator does not fail on Linux; never hand out zeros if it does.
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    bytes
}

/// A fresh nonce for an NKEY challenge: 11 random bytes, base64url without padding (15
/// characters), as nats-server makes them. The client signs the text itself.
pub fn new_nonce() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<11>())
}

/// Who a client authenticated as, for log lines: nats-server's `User "x"` / `Nkey "x"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    /// No credentials configured, or none needed.
    Anonymous,
    /// A named user (or the single configured user).
    User(Arc<str>),
    /// An NKEY user, by public key.
    Nkey(Arc<str>),
    /// The configured token.
    Token,
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Identity::Anonymous | Identity::Token => f.write_str("User \"N/A\""),
            Identity::User(name) => write!(f, "User {name:?}"),
            Identity::Nkey(key) => write!(f, "Nkey {key:?}"),
        }
    }
}

/// What an accepted client gets: its account, its permissions, who it is.
#[derive(Clone)]
pub struct Grant {
    /// The account the connection is bound to.
    pub account: Arc<Account>,
    /// Publish/subscribe permissions (`None`: unrestricted).
    pub permissions: Option<Arc<Permissions>>,
    /// For log lines.
    pub identity: Identity,
}

/// A password or token comparison that may need bcrypt: through the [`PasswordGate`] unless
/// [`PasswordCheck::is_quick`].
pub struct PasswordCheck {
    secret: Secret,
    presented: String,
    grant: Grant,
}

impl PasswordCheck {
    /// Whether the answer is known without hashing (plain text, or a remembered success).
    pub fn is_quick(&self, checker: &SecretChecker) -> bool {
        checker.is_quick(&self.secret, &self.presented)
    }

    /// Compares (blocking for bcrypt): the grant on success.
    pub fn run(self, checker: &SecretChecker) -> Option<Grant> {
        checker.matches(&self.secret, &self.presented).then_some(self.grant)
    }

    /// Who the client claims to be, for the failure log line.
    pub fn identity(&self) -> &Identity {
        &self.grant.identity
    }
}

/// The decision for one CONNECT.
pub enum Verdict {
    /// Accepted.
    Granted(Grant),
    /// Accepted if the password matches.
    Check(PasswordCheck),
    /// Refused; who the client claimed to be, for the log line.
    Denied(Identity),
}

/// What kind of connection is logging in (nats-server's `allowed_connection_types` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionKind {
    /// A client over TCP (`STANDARD`).
    Standard,
    /// A leaf node (`LEAFNODE`).
    Leaf,
}

impl ConnectionKind {
    fn name(self) -> &'static str {
        match self {
            ConnectionKind::Standard => "STANDARD",
            ConnectionKind::Leaf => "LEAFNODE",
        }
    }
}

/// A configured user, ready to be matched.
struct User {
    identity: Identity,
    /// `allowed_connection_types`, upper-cased (`None`: any).
    kinds: Option<Vec<String>>,
    password: Option<Secret>,
    account: Arc<Account>,
    permissions: Option<Arc<Permissions>>,
}

impl User {
    fn grant(&self) -> Grant {
        Grant {
            account: Arc::clone(&self.account),
            permissions: self.permissions.clone(),
            identity: self.identity.clone(),
        }
    }

    fn admits(&self, kind: ConnectionKind) -> bool {
        self.kinds.as_ref().is_none_or(|kinds| kinds.iter().any(|k| k == kind.name()))
    }

    /// The check of `presented` against this user's password (a user without one accepts
    /// only an empty password, as nats-server compares "" with ""), for a connection of `kind`.
    fn check(&self, presented: Option<&str>, kind: ConnectionKind) -> Verdict {
        if !self.admits(kind) {
            return Verdict::Denied(self.identity.clone());
        }
        let presented = presented.unwrap_or("").to_string();
        match &self.password {
            Some(secret) => Verdict::Check(PasswordCheck { secret: secret.clone(), presented, grant: self.grant() }),
            None if presented.is_empty() => Verdict::Granted(self.grant()),
            None => Verdict::Denied(self.identity.clone()),
        }
    }
}

/// Every credential the server accepts, built once at start.
pub struct Authenticator {
    required: bool,
    token: Option<Secret>,
    single: Option<User>,
    users: HashMap<String, User, RandomState>,
    nkeys: HashMap<String, User, RandomState>,
    /// `leafnodes { authorization }` users (a single user is one entry): when present, leaf
    /// connections log in with these only.
    leaf_users: Option<HashMap<String, User, RandomState>>,
    no_auth_user: Option<String>,
    /// `tls { verify_and_map }`: users come from client certificates.
    map_certificates: bool,
    /// Each named user's name parsed as a distinguished name, for certificate mapping.
    user_dns: Vec<(String, DistinguishedName)>,
    /// Global account, for the token and single-user forms and anonymous clients.
    global: Arc<Account>,
    /// Compares passwords; remembers bcrypt successes. Shared with the bcrypt gate's threads.
    pub checker: Arc<SecretChecker>,
}

impl Authenticator {
    /// The credentials in `options`; `account` resolves account names (users of unknown
    /// accounts land in the global account, which the config check prevents).
    pub fn new(options: &Options, account: impl Fn(&str) -> Option<Arc<Account>>, global: Arc<Account>) -> Self {
        // Users sharing a permissions block share its compiled form too.
        let mut compiled: HashMap<*const PermissionsConfig, Arc<Permissions>, RandomState> = HashMap::default();
        let mut make = |config: &ConfigUser, identity: Identity| User {
            identity,
            kinds: config.connection_types.clone(),
            password: config.password.as_deref().map(Secret::new),
            account: config.account.as_deref().and_then(&account).unwrap_or_else(|| Arc::clone(&global)),
            permissions: config
                .permissions
                .as_ref()
                .map(|p| Arc::clone(compiled.entry(Arc::as_ptr(p)).or_insert_with(|| Arc::new(Permissions::new(p))))),
        };
        let mut users: HashMap<String, User, RandomState> = HashMap::default();
        let mut nkeys: HashMap<String, User, RandomState> = HashMap::default();
        for config in &options.users {
            match (&config.nkey, &config.user) {
                (Some(key), _) => {
                    nkeys.insert(key.clone(), make(config, Identity::Nkey(key.as_str().into())));
                }
                (None, Some(name)) => {
                    users.insert(name.clone(), make(config, Identity::User(name.as_str().into())));
                }
                (None, None) => {}
            }
        }
        let auth = &options.auth;
        let single = auth.user.as_ref().map(|name| User {
            identity: Identity::User(name.as_str().into()),
            kinds: None,
            password: Some(Secret::new(auth.pass.as_deref().unwrap_or(""))),
            account: Arc::clone(&global),
            permissions: None,
        });
        let leaf_users = options.leafnodes.as_ref().and_then(|leaf| {
            let entries: Vec<(&String, Option<&String>, Option<&String>)> = match &leaf.user {
                Some(user) => vec![(user, leaf.password.as_ref(), leaf.account.as_ref())],
                None => leaf.users.iter().map(|u| (&u.user, u.password.as_ref(), u.account.as_ref())).collect(),
            };
            let users: HashMap<String, User, RandomState> = entries
                .into_iter()
                .map(|(name, password, account_name)| {
                    let user = User {
                        identity: Identity::User(name.as_str().into()),
                        kinds: None,
                        password: password.map(|p| Secret::new(p)),
                        account: account_name.and_then(|a| account(a)).unwrap_or_else(|| Arc::clone(&global)),
                        permissions: None,
                    };
                    (name.clone(), user)
                })
                .collect();
            (!users.is_empty()).then_some(users)
        });
        let user_dns =
            users.keys().filter_map(|name| DistinguishedName::parse(name).map(|dn| (name.clone(), dn))).collect();
        Authenticator {
            required: auth.is_required() || !options.users.is_empty(),
            token: auth.token.as_deref().map(Secret::new),
            single,
            users,
            nkeys,
            leaf_users,
            no_auth_user: options.no_auth_user.clone(),
            map_certificates: options.tls.as_ref().is_some_and(|t| t.map_users),
            user_dns,
            global,
            checker: Arc::new(SecretChecker::default()),
        }
    }

    /// Whether any credentials are configured.
    pub fn is_required(&self) -> bool {
        self.required
    }

    /// Whether NKEY users exist: INFO then carries a nonce to sign.
    pub fn needs_nonce(&self) -> bool {
        !self.nkeys.is_empty()
    }

    /// The `no_auth_user`'s grant: what a client without credentials gets.
    pub fn no_auth_grant(&self) -> Option<Grant> {
        let name = self.no_auth_user.as_deref()?;
        let user = self.users.get(name).or_else(|| self.nkeys.get(name))?;
        user.admits(ConnectionKind::Standard).then(|| user.grant())
    }

    /// Decides a CONNECT, in nats-server's order: NKEY users (when the client presents a key),
    /// users lists (mapped from the certificate with `verify_and_map`, else `no_auth_user`
    /// for a client without credentials, else by name), the token, the single user.
    pub fn decide(&self, connect: &ConnectOptions, nonce: Option<&str>, cert: Option<&CertIdentity>) -> Verdict {
        self.decide_for(connect, nonce, cert, self.map_certificates, ConnectionKind::Standard)
    }

    /// A leaf node's CONNECT: the `leafnodes { authorization }` users when configured, else
    /// the server's own users as for a client (nats-server's rule), with the leaf listener's
    /// certificate mapping.
    pub fn decide_leaf(
        &self,
        connect: &ConnectOptions,
        nonce: Option<&str>,
        cert: Option<&CertIdentity>,
        map_certificates: bool,
    ) -> Verdict {
        match &self.leaf_users {
            Some(users) => {
                let name = connect.user.as_deref().unwrap_or("");
                match users.get(name) {
                    Some(user) => user.check(connect.pass.as_deref(), ConnectionKind::Leaf),
                    None => Verdict::Denied(Identity::User(name.into())),
                }
            }
            None => self.decide_for(connect, nonce, cert, map_certificates, ConnectionKind::Leaf),
        }
    }

    fn decide_for(
        &self,
        connect: &ConnectOptions,
        nonce: Option<&str>,
        cert: Option<&CertIdentity>,
        map_certificates: bool,
        kind: ConnectionKind,
    ) -> Verdict {
        if !self.required {
            return Verdict::Granted(self.anonymous());
        }
        let presented_nkey = connect.nkey.as_deref().filter(|k| !k.is_empty());
        let empty = |s: &Option<String>| s.as_deref().is_none_or(str::is_empty);
        let anonymous = empty(&connect.user) && empty(&connect.pass) && empty(&connect.auth_token);
        // nats-server: a `no_auth_user` that names an NKEY user logs a client without any
        // credentials in as that user, with no signature to check.
        if let (true, None, Some(user)) =
            (anonymous, presented_nkey, self.no_auth_user.as_deref().and_then(|name| self.nkeys.get(name)))
        {
            return if user.admits(kind) {
                Verdict::Granted(user.grant())
            } else {
                Verdict::Denied(user.identity.clone())
            };
        }
        if let (false, Some(key)) = (self.nkeys.is_empty(), presented_nkey) {
            let Some(user) = self.nkeys.get(key) else {
                return Verdict::Denied(Identity::Nkey(key.into()));
            };
            let signed = nonce.is_some_and(|nonce| verify_signature(key, nonce, connect.sig.as_deref()));
            return if signed && user.admits(kind) {
                Verdict::Granted(user.grant())
            } else {
                Verdict::Denied(user.identity.clone())
            };
        }
        if !self.users.is_empty() {
            if map_certificates {
                return self.decide_by_certificate(connect, cert, kind);
            }
            if anonymous {
                // nats-server logs such a client in with the user's own credentials.
                if let Some(user) = self.no_auth_user.as_deref().and_then(|name| self.users.get(name)) {
                    if user.admits(kind) {
                        return Verdict::Granted(user.grant());
                    }
                }
            }
            let name = connect.user.as_deref().unwrap_or("");
            return match self.users.get(name) {
                Some(user) => user.check(connect.pass.as_deref(), kind),
                None => Verdict::Denied(Identity::User(name.into())),
            };
        }
        if let Some(token) = &self.token {
            let grant = Grant { identity: Identity::Token, ..self.anonymous() };
            let presented = connect.auth_token.clone().unwrap_or_default();
            return Verdict::Check(PasswordCheck { secret: token.clone(), presented, grant });
        }
        if let Some(single) = &self.single {
            let name = connect.user.as_deref().unwrap_or("");
            let Identity::User(configured) = &single.identity else { return Verdict::Denied(Identity::Anonymous) };
            if !constant_time_eq(configured.as_bytes(), name.as_bytes()) {
                return Verdict::Denied(Identity::User(name.into()));
            }
            return single.check(connect.pass.as_deref(), kind);
        }
        Verdict::Denied(identity_claimed(connect))
    }

    /// `verify_and_map`: the user named by the client's certificate (emails, DNS names and
    /// URIs, then the subject as a distinguished name), then its password if it has one.
    fn decide_by_certificate(
        &self,
        connect: &ConnectOptions,
        cert: Option<&CertIdentity>,
        kind: ConnectionKind,
    ) -> Verdict {
        let Some(cert) = cert else {
            return Verdict::Denied(Identity::Anonymous);
        };
        let found = cert.map_to_user(|name| self.users.contains_key(name), &self.user_dns);
        match found.and_then(|name| self.users.get(&name)) {
            Some(user) => user.check(connect.pass.as_deref(), kind),
            None => Verdict::Denied(Identity::User(cert.describe().into())),
        }
    }

    fn anonymous(&self) -> Grant {
        Grant { account: Arc::clone(&self.global), permissions: None, identity: Identity::Anonymous }
    }
}

/// nats-server names the claimed user in its failure log line.
fn identity_claimed(connect: &ConnectOptions) -> Identity {
    match connect.user.as_deref() {
        Some(name) => Identity::User(name.into()),
        None => Identity::Anonymous,
    }
}

/// Whether `sig` (base64url without padding, or standard base64) is `key`'s ed25519
/// signature of the nonce text.
fn verify_signature(key: &str, nonce: &str, sig: Option<&str>) -> bool {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let Some(sig) = sig else { return false };
    let Ok(signature) = URL_SAFE_NO_PAD.decode(sig).or_else(|_| STANDARD.decode(sig)) else {
        return false;
    };
    let Ok(pair) = nkeys::KeyPair::from_public_key(key) else { return false };
    pair.verify(nonce.as_bytes(), &signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_base64url() {
        let a = new_nonce();
        assert_eq!(a.len(), 15);
        assert!(a.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(a, new_nonce());
    }

    #[test]
    fn signatures_verify_against_the_public_key_only() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let user = nkeys::KeyPair::new_user();
        let other = nkeys::KeyPair::new_user();
        let nonce = new_nonce();
        let sig = user.sign(nonce.as_bytes()).expect("sign");
        let key = user.public_key();
        assert!(verify_signature(&key, &nonce, Some(&URL_SAFE_NO_PAD.encode(&sig))));
        assert!(verify_signature(&key, &nonce, Some(&STANDARD.encode(&sig))));
        assert!(!verify_signature(&key, &new_nonce(), Some(&URL_SAFE_NO_PAD.encode(&sig))));
        assert!(!verify_signature(&other.public_key(), &nonce, Some(&URL_SAFE_NO_PAD.encode(&sig))));
        assert!(!verify_signature(&key, &nonce, None));
        assert!(!verify_signature(&key, &nonce, Some("not base64!")));
    }
}
