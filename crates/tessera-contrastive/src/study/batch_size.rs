//! The batch-size study: linear-probe and retrieval quality against batch
//! size for InfoNCE, the decoupled control and the decomposable loss, at an
//! equal number of epochs, over several seeds.
//!
//! Claim tested (Chen et al., abstract): the decomposable loss at batch B/2
//! matches or beats InfoNCE at batch B. A row `claim` per pair gives the share
//! of batch sizes where it holds for the linear probe (mean over seeds).

use super::cells::CellStore;
use super::{
    Metric, PairSplit, Setting, StudyOutput, push_metrics, run_cells, study_report, values,
};
use crate::config::{ContrastiveConfig, LossKind};
use crate::decomposable::EmConfig;
use crate::infonce::Denominator;
use burn::tensor::backend::AutodiffBackend;
use tessera_core::plot::{LinePlot, Series};
use tessera_core::{Progress, Result, Seed, metrics::mean};

/// Settings of the batch-size study.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BatchSizeStudy {
    /// Batch sizes (each should be twice the previous for the claim check).
    pub batch_sizes: Vec<usize>,
    /// Seeds per cell.
    pub seeds: usize,
    /// Everything else (batch size and loss are overridden).
    pub base: ContrastiveConfig,
    /// The decomposable loss's EM settings.
    pub em: EmConfig,
}

impl Default for BatchSizeStudy {
    fn default() -> Self {
        BatchSizeStudy {
            batch_sizes: vec![32, 64, 128, 256, 512],
            seeds: 5,
            base: ContrastiveConfig {
                epochs: 30,
                ..Default::default()
            },
            em: EmConfig::default(),
        }
    }
}

/// The compared losses: (name, loss).
fn losses(em: EmConfig) -> [(&'static str, LossKind); 3] {
    [
        (
            "infonce",
            LossKind::Infonce {
                denominator: Denominator::WithPositive,
            },
        ),
        (
            "decoupled",
            LossKind::Infonce {
                denominator: Denominator::NegativesOnly,
            },
        ),
        ("decomposable", LossKind::Decomposable(em)),
    ]
}

/// The reported numbers of each cell (the probe first: the claim uses it).
const METRICS: [Metric; 5] = [
    ("probe-a %", |c| c.eval.probe_a.map(|p| p * 100.0)),
    ("R@1 a->b %", |c| Some(c.eval.recall_ab[0] * 100.0)),
    ("R@10 a->b %", |c| Some(c.eval.recall_ab[2] * 100.0)),
    ("prototype %", |c| c.eval.prototype.map(|p| p * 100.0)),
    ("generalised train loss", |c| Some(c.train_loss)),
];

/// Runs the study on each pair; finished cells come from and go to `store`.
pub fn run<B: AutodiffBackend>(
    study: &BatchSizeStudy,
    pairs: &[PairSplit],
    seed: Seed,
    store: &mut CellStore,
    progress: &Progress,
) -> Result<StudyOutput> {
    let started = std::time::Instant::now();
    let settings: Vec<Setting> = (0..pairs.len())
        .flat_map(|pair| {
            study.batch_sizes.iter().flat_map(move |&b| {
                losses(study.em).map(|(name, loss)| Setting {
                    pair,
                    label: format!("B={b}/{name}"),
                    config: ContrastiveConfig {
                        batch_size: b,
                        loss,
                        ..study.base.clone()
                    },
                })
            })
        })
        .collect();
    let table = run_cells::<B>(pairs, &settings, study.seeds, seed, store, progress)?;
    let mut report = study_report("contrastive-batch-size", pairs, study.seeds);
    let mut plots = Vec::new();
    for (pi, pair) in pairs.iter().enumerate() {
        // probe[loss][b] = per-seed values
        let mut probe = vec![vec![Vec::new(); study.batch_sizes.len()]; 3];
        for (bi, &b) in study.batch_sizes.iter().enumerate() {
            for (li, (name, _)) in losses(study.em).iter().enumerate() {
                let cells = &table[&(pi, format!("B={b}/{name}"))];
                push_metrics(
                    &mut report,
                    &format!("{} B={b}", pair.name),
                    name,
                    cells,
                    &METRICS,
                );
                probe[li][bi] = values(cells, METRICS[0].1).unwrap_or_default();
            }
        }
        // Claim: decomposable at B/2 (index bi − 1) ≥ InfoNCE at B (index bi).
        let held: Vec<f64> = (1..study.batch_sizes.len())
            .map(|bi| f64::from(u8::from(mean(&probe[2][bi - 1]) >= mean(&probe[0][bi]))))
            .collect();
        report.push_seeds(
            "claim share (decomposable@B/2 >= infonce@B, probe)",
            &pair.name,
            "decomposable",
            &[mean(&held)],
            None,
        );
        plots.push((
            format!("batch-size-probe-{}.svg", pair.name),
            LinePlot {
                title: format!("linear probe vs batch size ({}, equal epochs)", pair.name),
                x_label: "batch size".into(),
                y_label: "probe accuracy % (mean over seeds)".into(),
                log_x: true,
                series: losses(study.em)
                    .iter()
                    .enumerate()
                    .map(|(li, (name, _))| Series {
                        name: name.to_string(),
                        points: study
                            .batch_sizes
                            .iter()
                            .zip(&probe[li])
                            .map(|(&b, v)| (b as f64, mean(v)))
                            .collect(),
                    })
                    .collect(),
                ..Default::default()
            },
        ));
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(StudyOutput { report, plots })
}
