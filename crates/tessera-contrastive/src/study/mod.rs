//! The three reproductions behind `tessera contrastive reproduce --study NAME`.
//!
//! Each returns a [`StudyOutput`]: a [`Report`] (rows of metric, split,
//! model, mean ± std over seeds) and the plots the CLI writes to `plots/`.

pub mod batch_size;
pub mod cells;
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
use cells::{CellResult, CellStore};
use gradient::Emb;
use std::collections::HashMap;
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

/// One training configuration of a study: the pair it trains on (index into
/// the study's pairs), a label naming it in cell ids and reports (e.g.
/// `B=64/infonce`), and the full training settings.
#[derive(Clone, Debug)]
pub struct Setting {
    /// Index of the pair in the study's pair list.
    pub pair: usize,
    /// Label, unique within the pair.
    pub label: String,
    /// Training settings.
    pub config: ContrastiveConfig,
}

/// Per-seed results of every setting, in seed order.
pub type CellTable = HashMap<(usize, String), Vec<CellResult>>;

/// Trains and evaluates every setting with seeds `0..seeds` (children of
/// `seed`), seed by seed, so that a stopped study has whole seeds done;
/// finished cells come from (and new ones go to) `store`.
pub fn run_cells<B: AutodiffBackend>(
    pairs: &[PairSplit],
    settings: &[Setting],
    seeds: usize,
    seed: Seed,
    store: &mut CellStore,
    progress: &Progress,
) -> Result<CellTable> {
    let mut task = progress.task("study cells", (settings.len() * seeds) as u64);
    let mut table = CellTable::new();
    for s in 0..seeds {
        for setting in settings {
            let pair = &pairs[setting.pair];
            let id = format!("{}/{}/seed={s}", pair.name, setting.label);
            let cell = store.get_or_run(&id, || {
                train_and_evaluate::<B>(pair, &setting.config, seed.child(s as u64))
            })?;
            table
                .entry((setting.pair, setting.label.clone()))
                .or_default()
                .push(cell);
            task.inc(1);
        }
    }
    task.finish();
    Ok(table)
}

/// An empty report for a study over `pairs`, with a row saying how many seeds each cell has.
pub fn study_report(method: &str, pairs: &[PairSplit], seeds: usize) -> Report {
    let mut report = Report::new(
        method,
        pairs
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("+"),
    );
    report.push_seeds("seeds per cell", "all", "all", &[seeds as f64], None);
    report
}

/// A reported number of a cell: its name and how to read it (`None` where the
/// cell has no such number, e.g. a probe without labels).
pub type Metric = (&'static str, fn(&CellResult) -> Option<f64>);

/// The per-seed values of `metric` over `cells`, if every cell has it.
pub fn values(cells: &[CellResult], metric: fn(&CellResult) -> Option<f64>) -> Option<Vec<f64>> {
    cells.iter().map(metric).collect()
}

/// Adds one report row (mean ± std over the cells' seeds) per metric every cell has.
pub fn push_metrics(
    report: &mut Report,
    split: &str,
    model: &str,
    cells: &[CellResult],
    metrics: &[Metric],
) {
    for (name, metric) in metrics {
        if let Some(v) = values(cells, *metric) {
            report.push_seeds(name, split, model, &v, None);
        }
    }
}
