//! The error type shared by every tessera crate.

use std::path::{Path, PathBuf};

/// Result alias used across tessera.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in tessera, with enough context to act on.
///
/// Input errors always name the file (or other source), the place inside it
/// (array key, row, column) and what was expected versus what was found.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read, written or renamed.
    #[error("{action} `{path}`: {source}")]
    Io {
        /// What was being attempted ("reading", "writing", ...).
        action: &'static str,
        /// The file or folder involved.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// Input data is malformed or inconsistent.
    #[error("invalid input in `{source_name}` at {location}: expected {expected}, found {found}")]
    Input {
        /// The file (or other named source) the data came from.
        source_name: String,
        /// Where inside it: an array key, a row, a column.
        location: String,
        /// What a valid input looks like.
        expected: String,
        /// What was actually there.
        found: String,
    },
    /// A configuration value violates a rule.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A dataset name is not in the catalogue, or a dataset is not available.
    #[error("dataset: {0}")]
    Dataset(String),
    /// The requested compute device is not available in this build or machine.
    #[error("device: {0}")]
    Device(String),
    /// A numerical failure (divergence, non-finite loss, singular system).
    #[error("numerical failure: {0}")]
    Numeric(String),
    /// An external command (pip, npm, apt-get) failed.
    #[error("command `{command}` failed: {detail}")]
    Command {
        /// The command line that was run.
        command: String,
        /// Its exit status and the tail of its error output.
        detail: String,
    },
    /// Wraps another error with a sentence of context.
    #[error("{context}")]
    Context {
        /// What tessera was doing.
        context: String,
        /// The underlying error.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(action: &'static str, path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// An [`Error::Input`] naming the source, the location, and expected versus found.
    pub fn input(
        source_name: impl std::fmt::Display,
        location: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Error::Input {
            source_name: source_name.to_string(),
            location: location.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Wraps `self` with a sentence saying what was being done.
    pub fn context(self, context: impl Into<String>) -> Self {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }
}

/// Adds [`Error::context`] to results.
pub trait ResultExt<T> {
    /// Wraps the error, if any, with a sentence of context computed lazily.
    fn with_context<F: FnOnce() -> String>(self, f: F) -> Result<T>;
}

impl<T, E: Into<Error>> ResultExt<T> for std::result::Result<T, E> {
    fn with_context<F: FnOnce() -> String>(self, f: F) -> Result<T> {
        self.map_err(|e| e.into().context(f()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_error_names_file_location_expected_and_found() {
        let e = Error::input("cora.npz", "key `labels`", "int64", "float32");
        let msg = e.to_string();
        for part in ["cora.npz", "labels", "int64", "float32"] {
            assert!(msg.contains(part), "{msg}");
        }
    }

    #[test]
    fn context_keeps_the_cause() {
        let e = Error::Config("lr must be > 0".into()).context("training teacher");
        assert_eq!(e.to_string(), "training teacher");
        let src = std::error::Error::source(&e).unwrap().to_string();
        assert!(src.contains("lr must be > 0"));
    }
}
