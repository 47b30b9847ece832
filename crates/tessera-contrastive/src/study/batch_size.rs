//! The batch-size study: linear-probe and retrieval quality against batch
//! size for InfoNCE, the decoupled control and the decomposable loss, at an
//! equal number of epochs, over several seeds.
//!
//! Claim tested (Chen et al., abstract): the decomposable loss at batch B/2
//! matches or beats InfoNCE at batch B. A row `claim` per pair gives the share
//! of batch sizes where it holds for the linear probe (mean over seeds).

use super::{PairSplit, StudyOutput, train_and_evaluate};
use crate::config::{ContrastiveConfig, LossKind};
use crate::decomposable::EmConfig;
use crate::infonce::Denominator;
use burn::tensor::backend::AutodiffBackend;
use tessera_core::plot::{LinePlot, Series};
use tessera_core::{Progress, Report, Result, Seed, metrics::mean};

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

/// Runs the study on each pair.
pub fn run<B: AutodiffBackend>(
    study: &BatchSizeStudy,
    pairs: &[PairSplit],
    seed: Seed,
    progress: &Progress,
) -> Result<StudyOutput> {
    let started = std::time::Instant::now();
    let mut report = Report::new(
        "contrastive-batch-size",
        pairs
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("+"),
    );
    let mut plots = Vec::new();
    let total = pairs.len() * study.batch_sizes.len() * 3 * study.seeds;
    let mut task = progress.task("batch-size study", total as u64);
    for pair in pairs {
        // probe[loss][b] = per-seed values
        let mut probe = vec![vec![Vec::new(); study.batch_sizes.len()]; 3];
        for (bi, &b) in study.batch_sizes.iter().enumerate() {
            for (li, (name, loss)) in losses(study.em).iter().enumerate() {
                let config = ContrastiveConfig {
                    batch_size: b,
                    loss: *loss,
                    ..study.base.clone()
                };
                let (mut acc, mut r1, mut r10, mut train_loss, mut proto) =
                    (vec![], vec![], vec![], vec![], vec![]);
                for s in 0..study.seeds {
                    let (eval, gen_loss) =
                        train_and_evaluate::<B>(pair, &config, seed.child(s as u64))?;
                    acc.push(eval.probe_a.unwrap_or(f64::NAN) * 100.0);
                    r1.push(eval.recall_ab[0] * 100.0);
                    r10.push(eval.recall_ab[2] * 100.0);
                    proto.push(eval.prototype.unwrap_or(f64::NAN) * 100.0);
                    train_loss.push(gen_loss);
                    task.inc(1);
                }
                let split = format!("{} B={b}", pair.name);
                report.push_seeds("probe-a %", &split, name, &acc, None);
                report.push_seeds("R@1 a->b %", &split, name, &r1, None);
                report.push_seeds("R@10 a->b %", &split, name, &r10, None);
                report.push_seeds("prototype %", &split, name, &proto, None);
                report.push_seeds("generalised train loss", &split, name, &train_loss, None);
                probe[li][bi] = acc;
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
    task.finish();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(StudyOutput { report, plots })
}
