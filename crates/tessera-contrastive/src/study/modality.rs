//! The modality-structures study: the CLIP loss alone against the paper's
//! base loss (CLIP + augmented same-view terms) with each regulariser alone
//! and all three together; linear probe and retrieval, several seeds.
//!
//! Claim tested (Jiang et al., CVPR 2023): the regularisers improve
//! linear-probe accuracy over the CLIP loss alone.

use super::{PairSplit, StudyOutput, train_and_evaluate};
use crate::config::{ContrastiveConfig, Regularisers, Temperature};
use crate::probe::linear_probe;
use burn::tensor::backend::AutodiffBackend;
use tessera_core::plot::{LinePlot, Series};
use tessera_core::{Progress, Report, Result, Seed, metrics::mean};

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

/// Runs every variant on every pair.
pub fn run<B: AutodiffBackend>(
    study: &ModalityStudy,
    pairs: &[PairSplit],
    seed: Seed,
    progress: &Progress,
) -> Result<StudyOutput> {
    let started = std::time::Instant::now();
    let mut report = Report::new(
        "contrastive-modality-structures",
        pairs
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("+"),
    );
    let variants = variants();
    let mut task = progress.task(
        "modality study",
        (pairs.len() * variants.len() * study.seeds) as u64,
    );
    let mut series = Vec::new();
    for pair in pairs {
        if let (Some(ytr), Some(yte)) = (&pair.train.labels, &pair.test.labels) {
            let raw = linear_probe(&pair.train.a.x, ytr, &pair.test.a.x, yte) * 100.0;
            report.push_seeds("probe-a %", &pair.name, "raw-features", &[raw], None);
        }
        let steps_per_epoch = pair.train.len().div_ceil(study.base.batch_size).max(1);
        let epochs = study.steps.div_ceil(steps_per_epoch).max(1);
        let mut probe_means = Vec::new();
        for (vi, (name, reg)) in variants.iter().enumerate() {
            let config = ContrastiveConfig {
                reg: *reg,
                epochs,
                ..study.base.clone()
            };
            let mut cols: [Vec<f64>; 7] = Default::default();
            for s in 0..study.seeds {
                let (e, _) = train_and_evaluate::<B>(pair, &config, seed.child(s as u64))?;
                let pct = |v: Option<f64>| v.unwrap_or(f64::NAN) * 100.0;
                for (c, v) in cols.iter_mut().zip([
                    pct(e.probe_a),
                    pct(e.probe_b),
                    pct(e.probe_ab),
                    pct(e.probe_a_specific),
                    e.recall_ab[0] * 100.0,
                    e.recall_ba[0] * 100.0,
                    pct(e.prototype),
                ]) {
                    c.push(v);
                }
                task.inc(1);
            }
            let metrics = [
                "probe-a %",
                "probe-b %",
                "probe-[a,b] %",
                "probe-[z,z^i] a %",
                "R@1 a->b %",
                "R@1 b->a %",
                "prototype %",
            ];
            for (metric, values) in metrics.iter().zip(&cols) {
                if values.iter().all(|v| v.is_finite()) {
                    report.push_seeds(metric, &pair.name, name, values, None);
                }
            }
            probe_means.push((vi as f64, mean(&cols[0])));
        }
        series.push(Series {
            name: pair.name.clone(),
            points: probe_means,
        });
    }
    task.finish();
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
