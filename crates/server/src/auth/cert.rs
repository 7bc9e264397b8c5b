//! A client certificate as `verify_and_map` sees it: the names it may map to a user by, in
//! nats-server's order (email, DNS and URI subject alternative names, then the subject as a
//! distinguished name), and the hash `pinned_certs` compares.

use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

/// Attribute types nats-server accepts in a structured subject match, by OID.
const KNOWN_TYPES: [(&str, &str); 10] = [
    ("2.5.4.6", "C"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.3", "CN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "ST"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.17", "POSTALCODE"),
    ("0.9.2342.19200300.100.1.25", "DC"),
];

/// A distinguished name: relative names in RFC 2253 order (most specific first), each a set
/// of `(TYPE, value)` pairs with the type upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName(Vec<Vec<(String, String)>>);

impl DistinguishedName {
    /// Parses an RFC 4514 string such as `CN=John Doe,OU=NATS,O=Synadia` (`+` joins values of
    /// one relative name; `\` escapes; spaces around values are dropped). `None` for anything
    /// else, including BER (`#...`) values.
    pub fn parse(text: &str) -> Option<DistinguishedName> {
        if !text.contains('=') {
            return None;
        }
        let mut rdns = Vec::new();
        for rdn in split_unescaped(text, b',') {
            let mut attributes = Vec::new();
            for attribute in split_unescaped(rdn, b'+') {
                let (kind, value) = attribute.split_once('=')?;
                let kind = kind.trim();
                let value = unescape(value)?;
                if kind.is_empty() {
                    return None;
                }
                attributes.push((kind.to_ascii_uppercase(), value));
            }
            rdns.push(attributes);
        }
        Some(DistinguishedName(rdns))
    }

    /// Same names in the same positions (the order inside one relative name is free).
    fn equals(&self, other: &DistinguishedName) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| same_set(a, b))
    }

    /// Same relative names, in any order.
    fn equals_any_order(&self, other: &DistinguishedName) -> bool {
        if self.0.len() != other.0.len() {
            return false;
        }
        let mut used = vec![false; other.0.len()];
        self.0.iter().all(|rdn| {
            let found = other.0.iter().enumerate().position(|(i, o)| !used[i] && same_set(rdn, o));
            found.map(|i| used[i] = true).is_some()
        })
    }
}

fn same_set(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// Splits at `sep` where it is not escaped by a backslash.
fn split_unescaped(text: &str, sep: u8) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == sep {
            parts.push(&text[start..i]);
            start = i + 1;
        }
        i += 1;
    }
    parts.push(&text[start.min(text.len())..]);
    parts
}

/// An attribute value: leading spaces and unescaped trailing spaces dropped, `\c` and `\hh`
/// escapes resolved. BER values (`#...`) are refused.
fn unescape(value: &str) -> Option<String> {
    let value = value.trim_start_matches(' ');
    if value.starts_with('#') {
        return None;
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut escaped_len = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(byte);
                i += 3;
            } else {
                out.push(*bytes.get(i + 1)?);
                i += 2;
            }
            escaped_len = out.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    while out.len() > escaped_len && out.last() == Some(&b' ') {
        out.pop();
    }
    String::from_utf8(out).ok()
}

/// What a verified client certificate offers for mapping and pinning.
#[derive(Debug, Clone, Default)]
pub struct CertIdentity {
    emails: Vec<String>,
    dns_names: Vec<String>,
    uris: Vec<String>,
    /// The subject in RFC 2253 order, when every attribute is one nats-server knows.
    subject: Option<DistinguishedName>,
    /// The subject has at least one attribute.
    has_subject: bool,
    /// Go's text for the subject (with the domain components appended, then without).
    subject_strings: Vec<String>,
    /// Lower-case hex SHA-256 of the SubjectPublicKeyInfo (what `pinned_certs` lists).
    pub spki_sha256: String,
}

impl CertIdentity {
    /// Reads a DER certificate (already verified by the TLS layer).
    pub fn from_der(der: &[u8]) -> Option<CertIdentity> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let mut identity =
            CertIdentity { spki_sha256: hex(&Sha256::digest(cert.public_key().raw)), ..CertIdentity::default() };
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::RFC822Name(email) => identity.emails.push(email.to_string()),
                    GeneralName::DNSName(dns) => identity.dns_names.push(dns.to_string()),
                    GeneralName::URI(uri) => identity.uris.push(uri.to_string()),
                    _ => {}
                }
            }
        }
        // Raw order is least specific first; RFC 2253 reverses it (and each multi-valued RDN).
        let mut raw: Vec<Vec<(String, Option<String>)>> = Vec::new();
        let mut structured = true;
        for rdn in cert.subject().iter() {
            let mut attributes = Vec::new();
            for attribute in rdn.iter() {
                let oid = attribute.attr_type().to_id_string();
                let name = KNOWN_TYPES.iter().find(|(o, _)| *o == oid).map(|(_, n)| *n);
                let value = attribute.as_str().ok().map(str::to_string);
                structured &= name.is_some() && value.is_some();
                attributes.push((name.map_or(oid, str::to_string), value));
            }
            raw.push(attributes);
        }
        identity.has_subject = raw.iter().any(|rdn| !rdn.is_empty());
        if structured {
            let rdns = raw
                .iter()
                .rev()
                .map(|rdn| rdn.iter().rev().map(|(t, v)| (t.clone(), v.clone().unwrap_or_default())).collect())
                .collect();
            identity.subject = Some(DistinguishedName(rdns));
        }
        identity.subject_strings = go_subject_strings(&raw);
        Some(identity)
    }

    /// The configured user this certificate maps to: `exists` tells whether a name is a user;
    /// `user_dns` are the users whose names parse as distinguished names.
    pub fn map_to_user(
        &self,
        exists: impl Fn(&str) -> bool,
        user_dns: &[(String, DistinguishedName)],
    ) -> Option<String> {
        if self.emails.is_empty() && !self.has_subject && self.uris.is_empty() {
            return None;
        }
        let sans = self.emails.iter().chain(&self.dns_names).chain(&self.uris);
        if let Some(name) = sans.into_iter().find(|n| exists(n)) {
            return Some(name.clone());
        }
        if let Some(subject) = &self.subject {
            let exact = user_dns.iter().find(|(_, dn)| dn.equals(subject));
            if let Some((name, _)) = exact.or_else(|| user_dns.iter().find(|(_, dn)| dn.equals_any_order(subject))) {
                return Some(name.clone());
            }
        }
        self.subject_strings.iter().find(|s| exists(s)).cloned()
    }

    /// A short description for the failure log line (never a secret: certificates are public).
    pub fn describe(&self) -> String {
        self.emails
            .first()
            .or(self.dns_names.first())
            .or(self.uris.first())
            .or(self.subject_strings.last())
            .cloned()
            .unwrap_or_default()
    }
}

/// Go's `pkix.Name.ToRDNSequence().String()` for the subject (known attributes regrouped in
/// Go's order, printed most specific first), followed by the same with the subject's domain
/// components appended when it has any: the two strings nats-server tries last.
fn go_subject_strings(raw: &[Vec<(String, Option<String>)>]) -> Vec<String> {
    let values = |kind: &str| -> Vec<String> {
        raw.iter().flatten().filter(|(t, _)| t == kind).filter_map(|(_, v)| v.clone()).collect()
    };
    let mut sequence: Vec<(&str, Vec<String>)> = Vec::new();
    for kind in ["C", "ST", "L", "STREET", "POSTALCODE", "O", "OU"] {
        let list = values(kind);
        if !list.is_empty() {
            sequence.push((kind, list));
        }
    }
    // Go keeps only the last common name and serial number.
    for kind in ["CN", "SERIALNUMBER"] {
        if let Some(last) = values(kind).pop().filter(|v| !v.is_empty()) {
            sequence.push((kind, vec![last]));
        }
    }
    let text = sequence
        .iter()
        .rev()
        .map(|(kind, list)| list.iter().map(|v| format!("{kind}={}", go_escape(v))).collect::<Vec<_>>().join("+"))
        .collect::<Vec<_>>()
        .join(",");
    let dcs = values("DC");
    let mut strings = Vec::new();
    if !dcs.is_empty() {
        let dc_text = dcs.iter().map(|v| format!("DC={}", go_escape(v))).collect::<Vec<_>>().join(",");
        strings.push(if text.is_empty() { dc_text } else { format!("{text},{dc_text}") });
    }
    strings.push(text);
    strings
}

/// Go's attribute value escaping in `RDNSequence.String`.
fn go_escape(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len());
    for (k, &c) in chars.iter().enumerate() {
        let escape = match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => true,
            ' ' => k == 0 || k == chars.len() - 1,
            '#' => k == 0,
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dn(text: &str) -> DistinguishedName {
        DistinguishedName::parse(text).expect(text)
    }

    #[test]
    fn parses_rfc4514_names() {
        assert_eq!(
            dn("CN=John Doe, OU=NATS+O=Synadia"),
            DistinguishedName(vec![
                vec![("CN".into(), "John Doe".into())],
                vec![("OU".into(), "NATS".into()), ("O".into(), "Synadia".into())],
            ])
        );
        assert_eq!(dn(r"cn=a\,b\2Cc\ ").0[0][0], ("CN".into(), "a,b,c ".into()));
        assert!(DistinguishedName::parse("CN=#0403").is_none());
        assert!(DistinguishedName::parse("alice").is_none());
        assert!(DistinguishedName::parse("root@app.nats.dev").is_none());
    }

    #[test]
    fn matches_in_place_then_in_any_order() {
        let a = dn("CN=x,OU=y+O=z");
        assert!(a.equals(&dn("CN=x,O=z+OU=y")));
        assert!(!a.equals(&dn("OU=y+O=z,CN=x")));
        assert!(a.equals_any_order(&dn("OU=y+O=z,CN=x")));
        assert!(!a.equals_any_order(&dn("CN=x,OU=y")));
        assert!(!a.equals(&dn("CN=X,OU=y+O=z")), "values are case-sensitive");
        assert!(a.equals(&dn("cn=x,ou=y+o=z")), "types are not");
    }

    #[test]
    fn go_strings_regroup_known_attributes() {
        let raw = |pairs: &[(&str, &str)]| -> Vec<Vec<(String, Option<String>)>> {
            pairs.iter().map(|(t, v)| vec![(t.to_string(), Some(v.to_string()))]).collect()
        };
        let subject = raw(&[("DC", "org"), ("DC", "OpenSSL"), ("CN", "John Doe"), ("O", "users"), ("OU", "a, b")]);
        assert_eq!(
            go_subject_strings(&subject),
            ["CN=John Doe,OU=a\\, b,O=users,DC=org,DC=OpenSSL", "CN=John Doe,OU=a\\, b,O=users"]
        );
        let two_ous = raw(&[("C", "US"), ("OU", "a"), ("OU", "b"), ("CN", "first"), ("CN", "last")]);
        assert_eq!(go_subject_strings(&two_ous), ["CN=last,OU=a+OU=b,C=US"]);
    }
}
