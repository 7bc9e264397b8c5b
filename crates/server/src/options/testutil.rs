//! Helpers for the options unit tests: parse a configuration text and interpret it.

use std::path::Path;

use super::{from_map, ConfigError, Loaded, Options};

/// Parses `text` (as file `test.conf`) and interprets it.
pub(crate) fn load(text: &str) -> Result<Loaded, Vec<ConfigError>> {
    let map = rnats_conf::parse_str(text, Path::new("test.conf")).expect("test configuration has valid syntax");
    from_map(&map)
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
