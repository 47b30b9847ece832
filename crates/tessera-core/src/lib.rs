//! # tessera-core
//!
//! The foundation every tessera method stands on, with no method-specific
//! code: the backend and device choice ([`backend`]), the shared [`Error`],
//! explicit seeding ([`Seed`]), progress bars ([`Progress`]), evaluation
//! [`metrics`], the [`train`] driver (early stopping, best model,
//! checkpoint + resume), run folders with atomic writes ([`run`]) and the
//! [`Report`] every `reproduce` returns.
//!
//! ```
//! use tessera_core::{metrics, Report};
//!
//! let accuracies = [0.81, 0.83, 0.82];
//! let mut report = Report::new("coldbrew", "cora");
//! report.push_seeds("accuracy", "overall", "gcn", &accuracies, Some(0.849));
//! assert!((report.rows[0].ours - 0.82).abs() < 1e-12);
//! assert_eq!(metrics::argmax_rows(&[0.1, 0.9, 0.7, 0.3], 2), vec![1, 0]);
//! println!("{}", report.to_table());
//! ```

pub mod backend;
pub mod error;
pub mod kernels;
pub mod metrics;
pub mod nn;
pub mod optim;
pub mod plot;
pub mod progress;
pub mod report;
pub mod run;
pub mod seed;
pub mod train;

pub use backend::{BackendJob, Device};
pub use error::{Error, Result, ResultExt};
pub use progress::{Progress, Task};
pub use report::{Report, ReportRow};
pub use run::RunFolder;
pub use seed::{Rng, Seed};
