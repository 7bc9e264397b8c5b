//! NATS subjects and the subject index.
//!
//! A subject is a `.`-separated list of non-empty tokens without white space. In a
//! subscription, the token `*` matches any one token and a final `>` matches one or more
//! trailing tokens. [`SubjectIndex`] maps subscription subjects to values and answers "who is
//! interested in this subject", with plain and queue-group results apart.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod index;
mod validate;

pub use index::{MatchResult, QueueGroup, SubjectIndex, DEFAULT_CACHE_LIMIT};
pub use validate::{is_subset_match, is_valid_literal_subject, is_valid_subject, subject_matches, subjects_collide};
