//! A validation failure at one key: what every check of an experiment
//! returns, so the loader can say where the key was written.

/// A validation failure at one key.
#[derive(Debug, PartialEq)]
pub struct Invalid {
    /// Dotted key path, like `receiver.recv_sizes`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub msg: String,
}

/// A failure at `key`. `msg` is rendered here, once: an [`Invalid`] becomes
/// one line of an `Error::Config` (`file:line:col: key `k`: msg`), and the
/// reasons it is built from (a [`crate::units::UnitError`], a name or bound
/// error) are this crate's own leaf errors, with no cause of their own.
pub(super) fn bad(key: &str, msg: impl std::fmt::Display) -> Invalid {
    Invalid {
        key: key.to_string(),
        msg: msg.to_string(),
    }
}
