//! # tessera-contrastive
//!
//! Contrastive and multimodal representations for paired views of the same
//! entities (two modalities of a product, two feature sets of a digit):
//!
//! - [`infonce`]: symmetric InfoNCE (CLIP), with or without the positive in
//!   the denominator, fixed or learnable temperature;
//! - [`decomposable`]: the Gamma-augmented decomposable loss with stochastic
//!   EM (a reconstruction of Chen et al., NeurIPS 2022 from its abstract);
//! - [`regularisers`]: deep feature separation, Brownian bridge and geometric
//!   consistency (Jiang et al., CVPR 2023);
//! - [`model`]/[`train`]: a two-tower MLP trained with AdamW;
//! - [`eval`]/[`probe`]: linear probe, cross-view Recall@k, nearest class prototype;
//! - [`study`]: the three reproductions behind `tessera contrastive reproduce`.
//!
//! ```
//! use tessera_contrastive::{ContrastiveConfig, eval, fit, synthetic};
//! use tessera_core::{Progress, Seed, backend::CpuAutodiff};
//!
//! let data = synthetic::information_gap(400, 4, true, Seed(0))?;
//! let (train, test) = data.split_seeded(0.25, Seed(0));
//! let config = ContrastiveConfig { hidden: vec![32], embed_dim: 16, batch_size: 64, epochs: 5, ..Default::default() };
//! let fitted = fit::<CpuAutodiff>(&train, &config, Seed(0), &Progress::hidden())?;
//! let quality = eval::evaluate(&fitted.model, &train, &test)?;
//! assert!(quality.recall_ab[2] > 0.1); // Recall@10 among 100 test pairs; chance is 0.1
//! # Ok::<(), tessera_core::Error>(())
//! ```

pub mod augment;
pub mod config;
pub mod data;
pub mod decomposable;
pub mod error;
pub mod eval;
pub mod infonce;
pub mod model;
pub mod probe;
pub mod regularisers;
pub mod study;
pub mod synthetic;
pub mod train;

#[cfg(test)]
mod reference;

pub use config::{Augment, ContrastiveConfig, LossKind, Regularisers, Temperature};
pub use data::{PairedViews, View};
pub use error::ConfigError;
pub use model::{ContrastiveModel, EmbedKind};
pub use train::{Fitted, fit};
