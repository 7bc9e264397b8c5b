//! Helpers for the options unit tests: parse a configuration text and interpret it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{from_map_in, ConfigError, Loaded, Options};

/// TLS files the unit tests name, in the folder [`load`] reads from: two certificate/key
/// pairs (`a`, `b`) and a CA file (`ca.pem`, `x`).
const TLS_PAIRS: [(&str, &str); 2] = [("a.pem", "a.key"), ("b.pem", "b.key")];

/// Parses `text` (as file `test.conf`) and interprets it, with relative file names taken from
/// a folder that holds [`TLS_PAIRS`].
pub(crate) fn load(text: &str) -> Result<Loaded, Vec<ConfigError>> {
    let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("test configuration has valid syntax");
    from_map_in(&map, tls_dir())
}

fn tls_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("rnats-options-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("test folder");
        for (cert_file, key_file) in TLS_PAIRS {
            let pair = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("certificate");
            std::fs::write(dir.join(cert_file), pair.cert.pem()).expect("test certificate");
            std::fs::write(dir.join(key_file), pair.signing_key.serialize_pem()).expect("test key");
            for ca in ["ca.pem", "x"] {
                std::fs::write(dir.join(ca), pair.cert.pem()).expect("test CA file");
            }
        }
        dir
    })
}

/// The options of a valid configuration.
pub(crate) fn options(text: &str) -> Options {
    load(text).unwrap_or_else(|e| panic!("expected a valid configuration, got {e:?}")).options
}

/// The warnings of a valid configuration.
pub(crate) fn warnings(text: &str) -> Vec<String> {
    load(text).unwrap_or_else(|e| panic!("expected a valid configuration, got {e:?}")).warnings
}

/// Every error of an invalid configuration, as displayed.
pub(crate) fn errors(text: &str) -> Vec<String> {
    match load(text) {
        Ok(loaded) => panic!("expected errors, got {:?}", loaded.options),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

/// The first error of an invalid configuration, as displayed.
pub(crate) fn first_error(text: &str) -> String {
    errors(text).remove(0)
}
