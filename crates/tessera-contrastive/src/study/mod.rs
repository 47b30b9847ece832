//! The three reproductions behind `tessera contrastive reproduce --study NAME`.
//!
//! Each returns a [`StudyOutput`]: a [`Report`] (rows of metric, split,
//! model, mean ± std over seeds) and the plots the CLI writes to `plots/`.

pub mod batch_size;
pub mod gradient;
pub mod gradient_bias;
pub mod modality;

use crate::data::PairedViews;
use crate::eval::{Evaluation, evaluate};
use crate::model::EmbedKind;
use crate::train::fit;
use crate::{ContrastiveConfig, ContrastiveModel};
use burn::tensor::ElementConversion as _;
use burn::tensor::backend::{AutodiffBackend, Backend};
use gradient::Emb;
use tessera_core::plot::LinePlot;
use tessera_core::{Progress, Report, Result, Seed};

/// A study's report and plots.
#[derive(Debug)]
pub struct StudyOutput {
    /// The measured rows.
    pub report: Report,
    /// `(file name, plot)` pairs for the run folder's `plots/`.
    pub plots: Vec<(String, LinePlot)>,
}

/// A named view pair with its fixed train/test split.
#[derive(Clone, Debug)]
pub struct PairSplit {
    /// Name used in report rows, e.g. `pix-fou`.
    pub name: String,
    /// Training pairs.
    pub train: PairedViews,
    /// Held-out pairs.
    pub test: PairedViews,
}

/// Shared embeddings of the training pairs as float64 (for exact losses and gradients).
pub fn train_embeddings<B: Backend>(
    model: &ContrastiveModel<B>,
    train: &PairedViews,
) -> Result<(Emb, Emb)> {
    let e = |view: usize, v: &crate::View| -> Result<Emb> {
        let m = model.embed(view, &v.x, &v.source, EmbedKind::Shared)?;
        Ok(Emb {
            rows: m.rows,
            cols: m.cols,
            data: m.data.iter().map(|&x| f64::from(x)).collect(),
        })
    };
    Ok((e(0, &train.a)?, e(1, &train.b)?))
}

/// Trains on `pair.train` and evaluates on `pair.test`; also returns the
/// generalised full-data training loss at the final temperature.
pub fn train_and_evaluate<B: AutodiffBackend>(
    pair: &PairSplit,
    config: &ContrastiveConfig,
    seed: Seed,
) -> Result<(Evaluation, f64)> {
    let fitted = fit::<B>(&pair.train, config, seed, &Progress::hidden())?;
    let eval = evaluate(&fitted.model, &pair.train, &pair.test)?;
    let (z, w) = train_embeddings(&fitted.model, &pair.train)?;
    let scale = f64::from(
        fitted
            .model
            .net
            .scale(config.temperature)
            .into_scalar()
            .elem::<f32>(),
    );
    Ok((eval, gradient::generalised_loss(&z, &w, scale)))
}
