//! Configured passwords and tokens: plain text or bcrypt hashes, and how a presented one is
//! compared with each.

use std::collections::HashSet;

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

/// A configured password or token.
#[derive(Clone)]
pub enum Secret {
    /// Compared byte for byte, in constant time.
    Plain(Box<str>),
    /// A bcrypt hash (`$2a$`, `$2b$`, `$2x$`, `$2y$` and a two-digit cost), as nats-server
    /// recognises one.
    Bcrypt(Box<str>),
}

impl Secret {
    /// The configured text, classified as nats-server's `isBcrypt` does.
    pub fn new(configured: &str) -> Secret {
        if is_bcrypt(configured) {
            Secret::Bcrypt(configured.into())
        } else {
            Secret::Plain(configured.into())
        }
    }
}

impl std::fmt::Debug for Secret {
    // Never print a credential, not even a hash.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Plain(_) => f.write_str("Secret::Plain(..)"),
            Secret::Bcrypt(_) => f.write_str("Secret::Bcrypt(..)"),
        }
    }
}

/// nats-server's test: `$2` + one of `abxy` + `$` + two digits + `$`.
pub fn is_bcrypt(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 7
        && b.starts_with(b"$2")
        && matches!(b[2], b'a' | b'b' | b'x' | b'y')
        && b[3] == b'$'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
        && b[6] == b'$'
}

/// Compares without an early exit, so the time taken does not tell how much of a guess
/// was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Most remembered bcrypt successes; the memory is emptied when it is full.
const REMEMBERED: usize = 65_536;

/// Checks presented passwords against configured secrets. Successful bcrypt comparisons are
/// remembered as a keyed digest (the key is random per process, so the memory is worthless
/// outside it): a fleet reconnecting at once (thousands of clients with the same hashed
/// password) costs one bcrypt run per distinct credential instead of one per connection.
/// Failures are never remembered, so a wrong guess always costs a full bcrypt run.
pub struct SecretChecker {
    key: [u8; 32],
    verified: Mutex<HashSet<[u8; 32]>>,
}

impl Default for SecretChecker {
    fn default() -> Self {
        let key = super::random_bytes();
        SecretChecker { key, verified: Mutex::new(HashSet::new()) }
    }
}

impl SecretChecker {
    /// Whether `presented` matches `secret`. Plain secrets are decided at once; bcrypt ones
    /// run the full hash unless this exact pair succeeded before. Blocking for bcrypt: call
    /// from a blocking thread.
    pub fn matches(&self, secret: &Secret, presented: &str) -> bool {
        match secret {
            Secret::Plain(plain) => constant_time_eq(plain.as_bytes(), presented.as_bytes()),
            Secret::Bcrypt(hash) => {
                let digest = self.digest(hash, presented);
                if self.verified.lock().contains(&digest) {
                    return true;
                }
                let ok = bcrypt::verify(presented, hash).unwrap_or(false);
                if ok {
                    let mut verified = self.verified.lock();
                    if verified.len() >= REMEMBERED {
                        verified.clear();
                    }
                    verified.insert(digest);
                }
                ok
            }
        }
    }

    /// Whether a check of `presented` against `secret` would be answered without bcrypt.
    pub fn is_quick(&self, secret: &Secret, presented: &str) -> bool {
        match secret {
            Secret::Plain(_) => true,
            Secret::Bcrypt(hash) => self.verified.lock().contains(&self.digest(hash, presented)),
        }
    }

    fn digest(&self, hash: &str, presented: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update((hash.len() as u64).to_le_bytes());
        h.update(hash.as_bytes());
        h.update(presented.as_bytes());
        h.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // bcrypt of "foo" at cost 4 (from nats-server's authorization.conf).
    const FOO: &str = "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK";

    #[test]
    fn recognises_bcrypt_as_nats_server_does() {
        assert!(is_bcrypt(FOO));
        for prefix in ["$2b$10$", "$2x$12$", "$2y$04$"] {
            assert!(is_bcrypt(&format!("{prefix}abc")), "{prefix}");
        }
        for plain in ["$2a$4$x", "$2c$04$x", "2a$04$x", "$2a$04", "password", ""] {
            assert!(!is_bcrypt(plain), "{plain}");
        }
    }

    #[test]
    fn compares_plain_and_bcrypt() {
        let checker = SecretChecker::default();
        assert!(checker.matches(&Secret::new("s3cret"), "s3cret"));
        assert!(!checker.matches(&Secret::new("s3cret"), "s3cre"));
        assert!(!checker.matches(&Secret::new("s3cret"), ""));
        let hashed = Secret::new(FOO);
        assert!(matches!(hashed, Secret::Bcrypt(_)));
        assert!(!checker.is_quick(&hashed, "foo"));
        assert!(!checker.matches(&hashed, "bar"));
        assert!(!checker.is_quick(&hashed, "bar"), "failures are not remembered");
        assert!(checker.matches(&hashed, "foo"));
        assert!(checker.is_quick(&hashed, "foo"), "a success is remembered");
        assert!(checker.matches(&hashed, "foo"));
        assert!(!checker.matches(&hashed, "fo"));
        assert_eq!(format!("{hashed:?}"), "Secret::Bcrypt(..)");
    }
}
