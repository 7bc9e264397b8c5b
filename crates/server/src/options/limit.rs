//! Count limits as nats-server keeps them: a Go `int32` where -1 (`jwt.NoLimit`) means none
//! and any other value, zero and other negatives included, is a limit. So `max_subs: 0` in an
//! account's `limits {}` refuses every subscription and `max_conn: -2` every connection, as
//! nats-server 2.15.1 (and 2.9.10) do.

/// A limit on a count or a size (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(i32);

impl Default for Limit {
    fn default() -> Self {
        Limit::NONE
    }
}

impl Limit {
    /// No limit.
    pub const NONE: Limit = Limit(-1);

    /// A number from a config file, cut to 32 bits as Go's `int32(n)` does
    /// (`4294967297` is 1).
    pub fn from_config(n: i64) -> Limit {
        // Truncation is the point: it is what nats-server does with the same number.
        #[allow(clippy::cast_possible_truncation)]
        Limit(n as i32)
    }

    /// A positive limit.
    pub fn at_most(n: u32) -> Limit {
        Limit(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Whether `count` things already there leave no room for one more.
    pub fn reached(self, count: usize) -> bool {
        self != Limit::NONE && i64::try_from(count).unwrap_or(i64::MAX) >= i64::from(self.0)
    }

    /// Whether `size` is over the limit.
    pub fn exceeded_by(self, size: usize) -> bool {
        self != Limit::NONE && i64::try_from(size).unwrap_or(i64::MAX) > i64::from(self.0)
    }

    /// The number as nats-server holds it (-1 for no limit), as its INFO reports it.
    pub fn as_int32(self) -> i32 {
        self.0
    }

    /// The tighter of two limits (nats-server's `minLimit`: no limit yields to any limit).
    pub fn min(self, other: Limit) -> Limit {
        match (self, other) {
            (Limit::NONE, other) => other,
            (this, Limit::NONE) => this,
            (Limit(a), Limit(b)) => Limit(a.min(b)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_int32_semantics() {
        assert!(!Limit::NONE.reached(usize::MAX));
        assert!(Limit::from_config(0).reached(0), "zero refuses the first");
        assert!(Limit::from_config(-2).reached(0), "other negatives too");
        assert!(!Limit::from_config(-1).reached(1_000_000), "-1 is no limit");
        assert!(!Limit::from_config(2).reached(1));
        assert!(Limit::from_config(2).reached(2));
        assert_eq!(Limit::from_config(4_294_967_297), Limit::from_config(1), "cut to 32 bits");
        assert!(Limit::from_config(0).exceeded_by(1));
        assert!(!Limit::from_config(0).exceeded_by(0));
        assert!(Limit::from_config(-2).exceeded_by(0));
        assert_eq!(Limit::NONE.min(Limit::from_config(5)), Limit::from_config(5));
        assert_eq!(Limit::from_config(3).min(Limit::from_config(5)), Limit::from_config(3));
        assert_eq!(Limit::from_config(-2).min(Limit::from_config(5)), Limit::from_config(-2));
        assert_eq!(Limit::at_most(u32::MAX), Limit::from_config(i64::from(i32::MAX)));
    }
}
