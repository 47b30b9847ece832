//! Configuration errors of the XMC models.

/// A rule of an XMC or GIANT configuration that a value breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A setting that must be strictly positive is not.
    #[error("`{name}` must be > 0, got {value}")]
    NotPositive {
        /// The setting's name.
        name: &'static str,
        /// The offending value.
        value: f64,
    },
    /// `nr_splits` is not a power of two ≥ 2.
    #[error("`tree.nr_splits` must be a power of two ≥ 2, got {0}")]
    Splits(usize),
    /// A setting is outside its allowed range.
    #[error("`{name}` must be in {range}, got {value}")]
    OutOfRange {
        /// The setting's name.
        name: &'static str,
        /// The allowed range, in words.
        range: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A value outside a fixed set of names.
    #[error("`{name}` must be {expected}, got `{found}`")]
    Name {
        /// The setting's name.
        name: &'static str,
        /// The allowed names, in words.
        expected: &'static str,
        /// The offending value.
        found: String,
    },
    /// An unknown post-processor name.
    #[error("unknown post-processor `{0}` (expected `lN-hinge` such as `l3-hinge`, or `sigmoid`)")]
    PostProcessor(String),
}

impl From<ConfigError> for tessera_core::Error {
    fn from(e: ConfigError) -> Self {
        tessera_core::Error::Config(e.to_string())
    }
}

/// Returns [`ConfigError::NotPositive`] unless `value > 0`.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<(), ConfigError> {
    if value > 0.0 && value.is_finite() {
        Ok(())
    } else {
        Err(ConfigError::NotPositive { name, value })
    }
}
