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

pub(super) fn bad(key: &str, msg: impl Into<String>) -> Invalid {
    Invalid {
        key: key.to_string(),
        msg: msg.into(),
    }
}
