//! Configuration errors of Cold Brew.

/// A rule of [`crate::ColdBrewConfig`] that a value breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A size (hidden width, layers, epochs, K) is zero.
    #[error("`{0}` must be at least 1")]
    Zero(&'static str),
    /// A dropout probability outside [0, 1).
    #[error("`{name}` must be in [0, 1), got {value}")]
    Dropout {
        /// The field.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A non-positive learning rate or negative weight decay / η.
    #[error("`{name}` must be {rule}, got {value}")]
    Range {
        /// The field.
        name: &'static str,
        /// The rule, e.g. "> 0".
        rule: &'static str,
        /// The value given.
        value: f64,
    },
    /// The structural-embedding switch is not three characters of 0/1.
    #[error("`se_layers` must be three characters of 0/1 ([first, middle, last]), got `{0}`")]
    SeSwitch(String),
    /// Label propagation's α outside [0, 1].
    #[error("`lp.alpha` must be in [0, 1], got {0}")]
    LpAlpha(f32),
}

impl From<ConfigError> for tessera_core::Error {
    fn from(e: ConfigError) -> Self {
        tessera_core::Error::Config(format!("coldbrew: {e}"))
    }
}
