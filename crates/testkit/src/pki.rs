//! Certificates made on the spot for TLS tests: a CA, a server certificate for `localhost`
//! and `127.0.0.1`, and client certificates with whatever names a test maps users by. Files
//! are written to a fresh directory (the servers and clients under test read PEM files).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, SanType,
};

/// What a client certificate says about its holder.
#[derive(Debug, Clone, Default)]
pub struct ClientNames {
    /// Subject attributes in certificate order (least specific first), e.g. `[("O", "NATS"), ("CN", "alice")]`.
    pub subject: Vec<(&'static str, String)>,
    /// Email subject alternative names.
    pub emails: Vec<String>,
    /// DNS subject alternative names.
    pub dns: Vec<String>,
    /// URI subject alternative names.
    pub uris: Vec<String>,
}

/// A CA and the files it signed.
pub struct TestPki {
    dir: PathBuf,
    ca: CertifiedIssuer<'static, KeyPair>,
    /// `ca.pem`.
    pub ca_file: PathBuf,
    /// `server.pem` (localhost, 127.0.0.1).
    pub server_cert: PathBuf,
    /// `server-key.pem`.
    pub server_key: PathBuf,
}

static NEXT_DIR: AtomicU64 = AtomicU64::new(0);

impl TestPki {
    /// A new CA with a server certificate, in a fresh temporary directory.
    pub fn new() -> TestPki {
        let n = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rnats-pki-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("pki directory");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, "rnats test CA");
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().expect("ca key")).expect("ca cert");
        let ca_file = write(&dir, "ca.pem", &ca.pem());
        let mut server =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("server params");
        server.distinguished_name.push(DnType::CommonName, "localhost");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate().expect("server key");
        let cert = server.signed_by(&key, &ca).expect("server cert");
        let server_cert = write(&dir, "server.pem", &cert.pem());
        let server_key = write(&dir, "server-key.pem", &key.serialize_pem());
        TestPki { dir, ca, ca_file, server_cert, server_key }
    }

    /// A client certificate signed by the CA: `(cert file, key file)`.
    pub fn client(&self, name: &str, names: &ClientNames) -> (PathBuf, PathBuf) {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        for (kind, value) in &names.subject {
            let kind = match *kind {
                "CN" => DnType::CommonName,
                "O" => DnType::OrganizationName,
                "OU" => DnType::OrganizationalUnitName,
                "C" => DnType::CountryName,
                "L" => DnType::LocalityName,
                "ST" => DnType::StateOrProvinceName,
                "DC" => DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]),
                other => panic!("unknown attribute {other}"),
            };
            params.distinguished_name.push(kind, value.as_str());
        }
        let ia5 = |s: &String| s.as_str().try_into().expect("ASCII name");
        params.subject_alt_names.extend(names.emails.iter().map(|e| SanType::Rfc822Name(ia5(e))));
        params.subject_alt_names.extend(names.dns.iter().map(|d| SanType::DnsName(ia5(d))));
        params.subject_alt_names.extend(names.uris.iter().map(|u| SanType::URI(ia5(u))));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().expect("client key");
        let cert = params.signed_by(&key, &self.ca).expect("client cert");
        (
            write(&self.dir, &format!("{name}.pem"), &cert.pem()),
            write(&self.dir, &format!("{name}-key.pem"), &key.serialize_pem()),
        )
    }

    /// A client certificate from another CA (one the server does not trust).
    pub fn stranger(&self, name: &str) -> (PathBuf, PathBuf) {
        let other = TestPki::new();
        let names = ClientNames { subject: vec![("CN", name.to_string())], ..ClientNames::default() };
        other.client(name, &names)
    }
}

impl Default for TestPki {
    fn default() -> Self {
        Self::new()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write pem");
    path
}
