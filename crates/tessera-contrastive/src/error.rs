//! Configuration errors of the contrastive crate.

/// A rule of [`ContrastiveConfig`](crate::ContrastiveConfig) that was broken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A value that must be positive is not.
    #[error("`{name}` must be > 0, found {value}")]
    NotPositive {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A probability or fraction is outside its range.
    #[error("`{name}` must lie in [{low}, {high}], found {value}")]
    OutOfRange {
        /// The setting.
        name: &'static str,
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
        /// Its value.
        value: f64,
    },
    /// The batch is too small for in-batch negatives.
    #[error("`batch_size` must be at least 2 (in-batch negatives), found {0}")]
    BatchTooSmall(usize),
    /// A tower width is zero.
    #[error("tower widths must be > 0, found {0:?}")]
    ZeroWidth(Vec<usize>),
}

impl From<ConfigError> for tessera_core::Error {
    fn from(e: ConfigError) -> Self {
        tessera_core::Error::Config(e.to_string())
    }
}
