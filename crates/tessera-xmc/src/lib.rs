//! # tessera-xmc
//!
//! Extreme multi-label ranking in plain Rust, and GIANT node features built on it.
//!
//! - [`Tfidf`]: TF-IDF weighting of sparse counts;
//! - [`pifa()`]: PIFA label embeddings `row-ℓ2(row-ℓ2(Y)ᵀ X)`;
//! - [`ClusterChain`]: the balanced hierarchical spherical 2-means label tree;
//! - [`fit`] / [`XLinearModel`]: XR-Linear (PECOS defaults: squared-hinge dual
//!   coordinate descent, weight threshold 0.1, teacher-forced negatives, beam 10,
//!   `l3-hinge`), saved as a folder of scipy CSR files;
//! - [`evaluate`]: precision@k and recall@k;
//! - [`giant`]: GIANT node features (neighbourhood-prediction XMC, multi-scale
//!   linear scores, a coarse-to-fine fine-tuned encoder) and the downstream protocol.
//!
//! ```
//! use tessera_core::{Progress, Seed};
//! use tessera_data::CsrMatrix;
//! use tessera_xmc::{evaluate, fit, XLinearConfig, XmcProblem};
//!
//! // 200 instances, 40 labels: instance i carries label i % 40 and feature i % 40 (+ noise).
//! let n = 200;
//! let x = CsrMatrix::new("x", n, 41, (0..=n).map(|i| 2 * i).collect(),
//!     (0..n).flat_map(|i| [(i % 40) as u32, 40]).collect(), vec![1.0; 2 * n])?;
//! let y = CsrMatrix::new("y", n, 40, (0..=n).collect(), (0..n).map(|i| (i % 40) as u32).collect(), vec![1.0; n])?;
//! let problem = XmcProblem::new(x, y, "x", "y")?;
//! let mut config = XLinearConfig::default();
//! config.tree.max_leaf_size = 10;
//! let model = fit(&problem, &config, Seed(0), &Progress::hidden())?;
//! let metrics = evaluate(&model.predict(&problem.x)?, &problem.y, 1);
//! assert!(metrics.precision[0] > 0.99);
//! # Ok::<(), tessera_core::Error>(())
//! ```

pub mod config;
pub mod error;
pub mod eval;
pub mod giant;
pub mod model;
pub mod pifa;
pub mod problem;
mod solver;
mod sparse;
pub mod tfidf;
pub mod train;
pub mod tree;

pub use config::{Negatives, PostProcessor, PredictConfig, SolverConfig, XLinearConfig};
pub use error::ConfigError;
pub use eval::{XmcMetrics, drop_own_label, evaluate};
pub use model::{RankerLevel, XLinearModel};
pub use pifa::pifa;
pub use problem::XmcProblem;
pub use tfidf::{Tfidf, TfidfConfig};
pub use train::{fit, fit_with_chain, level_targets};
pub use tree::{ClusterChain, ClusterLevel, TreeConfig};
