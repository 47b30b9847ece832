//! # tessera-coldbrew
//!
//! Cold Brew (Zheng et al., ICLR 2022): a GCN teacher with per-node
//! structural embeddings is distilled into an MLP student that embeds and
//! classifies nodes from their features alone — new products with no edges
//! (cold start) or very few (tail). The student retrieves K "virtual
//! neighbours" among the known nodes (one GEMM + per-row top-K + softmax)
//! and feeds their teacher representations to its classifier. The Feature
//! Contribution Ratio ([`fcr`]) tells in advance how much a feature-only
//! model can recover on a graph.
//!
//! Pipeline ([`fit`]): split nodes into head / tail / isolation by degree
//! and cut the isolation nodes' edges → teacher ([`Teacher`]) on the cut
//! graph → targets Ē (every teacher layer's output, concatenated) → MLP1
//! (features → Ē) → virtual neighbours → MLP2 (features + ẽ + ê → classes).
//! [`reproduce`] runs the paper's Table 3 protocol with GCN, GraphSAGE,
//! MLP and label-propagation baselines.
//!
//! ```
//! use tessera_coldbrew::{fcr, ColdBrewConfig};
//!
//! // the paper's Cora numbers: GNN 86.96, MLP 69.02, LP 78.18
//! assert!((fcr(86.96, 69.02, 78.18) - 32.86).abs() < 0.01);
//! let config = ColdBrewConfig::for_dataset("cora");
//! config.check()?;
//! assert_eq!((config.hidden, config.k, config.se_layers.as_str()), (64, 3, "100"));
//! # Ok::<(), tessera_coldbrew::ConfigError>(())
//! ```

pub mod config;
pub mod data;
pub mod error;
pub mod eval;
pub mod model;
pub mod retrieval;
pub mod student;
pub mod teacher;
pub mod train;

pub use config::{ColdBrewConfig, Mlp1FitOn, OfficialQuirks, SeForm, Selection};
pub use data::{ColdBrewData, NodeSplit};
pub use error::ConfigError;
pub use eval::{EvalSets, GcnProtocol, fcr, reproduce};
pub use model::{ColdBrewModel, ModelShape, StudentOutput};
pub use teacher::Teacher;
pub use train::{Fitted, fit};
