//! The modality-structures study: the CLIP loss alone against the paper's
//! base loss (CLIP + augmented same-view terms) with each regulariser alone
//! and all three together; linear probe and retrieval, several seeds.
//!
//! Claim tested (Jiang et al., CVPR 2023): the regularisers improve
//! linear-probe accuracy over the CLIP loss alone.

use super::cells::CellStore;
use super::{
    Metric, PairSplit, Setting, StudyOutput, push_metrics, run_cells, study_report, values,
};
use crate::config::{ContrastiveConfig, Regularisers, Temperature};
use crate::probe::linear_probe;
use burn::tensor::backend::AutodiffBackend;
use tessera_core::plot::{LinePlot, Series};
use tessera_core::{Progress, Result, Seed, metrics::mean};

/// Settings of the modality-structures study.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ModalityStudy {
    /// Seeds per cell.
    pub seeds: usize,
    /// Optimizer steps per run (epochs are derived from the training size).
    pub steps: usize,
    /// Everything else (regularisers and epochs are overridden).
    pub base: ContrastiveConfig,
}

impl Default for ModalityStudy {
    fn default() -> Self {
        ModalityStudy {
            seeds: 5,
            steps: 400,
            base: ContrastiveConfig {
                temperature: Temperature::Learnable(0.07),
                batch_size: 256,
                ..Default::default()
            },
        }
    }
}

/// The compared variants: CLIP, the paper's base loss, and base + regularisers.
pub fn variants() -> Vec<(&'static str, Regularisers)> {
    let con = Regularisers {
        same_view: true,
        ..Regularisers::NONE
    };
    vec![
        ("clip", Regularisers::NONE),
        ("con", con),
        ("con+sep", Regularisers { sep: 1.0, ..con }),
        ("con+br", Regularisers { br: 0.5, ..con }),
        ("con+gc", Regularisers { gc: 1.0, ..con }),
        (
            "con+all",
            Regularisers {
                sep: 1.0,
                br: 0.5,
                gc: 1.0,
                ..con
            },
        ),
    ]
}

/// The reported numbers of each cell (view-a probe first: the plot uses it).
const METRICS: [Metric; 7] = [
    ("probe-a %", |c| c.eval.probe_a.map(|p| p * 100.0)),
    ("probe-b %", |c| c.eval.probe_b.map(|p| p * 100.0)),
    ("probe-[a,b] %", |c| c.eval.probe_ab.map(|p| p * 100.0)),
    ("probe-[z,z^i] a %", |c| {
        c.eval.probe_a_specific.map(|p| p * 100.0)
    }),
    ("R@1 a->b %", |c| Some(c.eval.recall_ab[0] * 100.0)),
    ("R@1 b->a %", |c| Some(c.eval.recall_ba[0] * 100.0)),
    ("prototype %", |c| c.eval.prototype.map(|p| p * 100.0)),
];

/// Runs every variant on every pair; finished cells come from and go to `store`.
pub fn run<B: AutodiffBackend>(
    study: &ModalityStudy,
    pairs: &[PairSplit],
    seed: Seed,
    store: &mut CellStore,
    progress: &Progress,
) -> Result<StudyOutput> {
    let started = std::time::Instant::now();
    let variants = variants();
    let settings: Vec<Setting> = pairs
        .iter()
        .enumerate()
        .flat_map(|(pi, pair)| {
            let steps_per_epoch = pair.train.len().div_ceil(study.base.batch_size).max(1);
            let epochs = study.steps.div_ceil(steps_per_epoch).max(1);
            variants.iter().map(move |(name, reg)| Setting {
                pair: pi,
                label: (*name).to_string(),
                config: ContrastiveConfig {
                    reg: *reg,
                    epochs,
                    ..study.base.clone()
                },
            })
        })
        .collect();
    let table = run_cells::<B>(pairs, &settings, study.seeds, seed, store, progress)?;
    let mut report = study_report("contrastive-modality-structures", pairs, study.seeds);
    let mut series = Vec::new();
    for (pi, pair) in pairs.iter().enumerate() {
        if let (Some(ytr), Some(yte)) = (&pair.train.labels, &pair.test.labels) {
            let raw = linear_probe(&pair.train.a.x, ytr, &pair.test.a.x, yte) * 100.0;
            report.push_seeds("probe-a %", &pair.name, "raw-features", &[raw], None);
        }
        let mut probe_means = Vec::new();
        for (vi, (name, _)) in variants.iter().enumerate() {
            let cells = &table[&(pi, (*name).to_string())];
            push_metrics(&mut report, &pair.name, name, cells, &METRICS);
            let probe = values(cells, METRICS[0].1).unwrap_or_default();
            probe_means.push((vi as f64, mean(&probe)));
        }
        series.push(Series {
            name: pair.name.clone(),
            points: probe_means,
        });
    }
    report.seconds = started.elapsed().as_secs_f64();
    let names: Vec<&str> = variants.iter().map(|v| v.0).collect();
    let plot = LinePlot {
        title: format!(
            "view-a linear probe by variant: {}",
            names
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{i}={n}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        x_label: "variant".into(),
        y_label: "probe accuracy % (mean over seeds)".into(),
        series,
        ..Default::default()
    };
    Ok(StudyOutput {
        report,
        plots: vec![("modality-structures-probe.svg".into(), plot)],
    })
}
