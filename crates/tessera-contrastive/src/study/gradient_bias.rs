//! The gradient-bias study: for a fixed (trained) model, how far the mean
//! minibatch gradient of each estimator is from the full-data gradient, as a
//! function of the batch size.
//!
//! Gradients are taken with respect to the embeddings of all `n` training
//! pairs (the parameter gradient is a fixed linear map of these, so a bias
//! here is a bias there). For each batch size `B` the estimator is averaged
//! over `D(B)` uniformly drawn batches (without replacement within a batch);
//! the Monte-Carlo noise floor `Σ_k Var_k / D` is subtracted from the squared
//! distance before the square root.

use super::gradient::{
    Emb, RowRule, embedding_gradient, log_mean_negatives, score_block, symmetric,
};
use super::{PairSplit, StudyOutput, train_embeddings};
use crate::config::{ContrastiveConfig, LossKind, Temperature};
use crate::infonce::Denominator;
use crate::train::fit;
use burn::tensor::backend::AutodiffBackend;
use rand::seq::index::sample;
use tessera_core::plot::{LinePlot, Series};
use tessera_core::{Progress, Report, Result, Rng, Seed};

/// Settings of the gradient-bias study.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GradientBiasStudy {
    /// Batch sizes measured.
    pub batch_sizes: Vec<usize>,
    /// E-step weights γ of the running-buffer estimators.
    pub gammas: Vec<f64>,
    /// How the fixed model is trained first (InfoNCE, τ = 0.1).
    pub model: ContrastiveConfig,
}

impl Default for GradientBiasStudy {
    fn default() -> Self {
        GradientBiasStudy {
            batch_sizes: vec![16, 32, 64, 128, 256, 512, 1024],
            gammas: vec![0.1, 0.9],
            model: ContrastiveConfig {
                loss: LossKind::Infonce {
                    denominator: Denominator::WithPositive,
                },
                temperature: Temperature::Fixed(0.1),
                epochs: 100,
                ..Default::default()
            },
        }
    }
}

/// Trains the fixed model on `pair.train`, then measures every estimator's bias.
pub fn run<B: AutodiffBackend>(
    study: &GradientBiasStudy,
    pair: &PairSplit,
    seed: Seed,
    progress: &Progress,
) -> Result<StudyOutput> {
    let started = std::time::Instant::now();
    let fitted = fit::<B>(&pair.train, &study.model, seed, progress)?;
    let (z, w) = train_embeddings(&fitted.model, &pair.train)?;
    let scale = 1.0 / study.model.temperature.initial();
    progress.log(&format!(
        "gradient bias: model trained ({} steps), measuring",
        study.model.epochs * pair.train.len().div_ceil(study.model.batch_size)
    ));
    let points = gradient_bias(&z, &w, scale, &study.batch_sizes, &study.gammas, seed);
    let mut report = Report::new("contrastive-gradient-bias", &pair.name);
    let mut names: Vec<String> = Vec::new();
    for p in &points {
        report.push_seeds(
            "relative gradient bias %",
            &format!("B={}", p.batch),
            &p.estimator,
            &[p.relative_bias * 100.0],
            None,
        );
        report.push_seeds(
            "relative noise floor %",
            &format!("B={}", p.batch),
            &p.estimator,
            &[p.relative_noise * 100.0],
            None,
        );
        if !names.contains(&p.estimator) {
            names.push(p.estimator.clone());
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    let series = names
        .iter()
        .map(|n| Series {
            name: n.clone(),
            points: points
                .iter()
                .filter(|p| &p.estimator == n)
                .map(|p| (p.batch as f64, p.relative_bias))
                .collect(),
        })
        .collect();
    let plot = LinePlot {
        title: format!(
            "gradient bias vs batch size ({}, trained InfoNCE model)",
            pair.name
        ),
        x_label: "batch size".into(),
        y_label: "||E[g_B] - g|| / ||g||".into(),
        log_x: true,
        log_y: true,
        series,
    };
    Ok(StudyOutput {
        report,
        plots: vec![("gradient-bias.svg".into(), plot)],
    })
}

/// One measured point.
#[derive(Clone, Debug, PartialEq)]
pub struct BiasPoint {
    /// Estimator name.
    pub estimator: String,
    /// Batch size.
    pub batch: usize,
    /// `‖E[ĝ_B] − g‖ / ‖g‖` after subtracting the noise floor.
    pub relative_bias: f64,
    /// The subtracted noise floor, relative to `‖g‖`.
    pub relative_noise: f64,
    /// Batches averaged.
    pub draws: usize,
}

/// Batches averaged at batch size `b`: ~32k anchor rows, between 32 and 2000 batches.
pub fn draws_for(b: usize) -> usize {
    (32_768 / b).clamp(32, 2000)
}

/// Running sums of one estimator's gradients.
struct Accumulator {
    sum: Vec<f64>,
    sumsq: Vec<f64>,
    draws: usize,
}

impl Accumulator {
    fn new(len: usize) -> Self {
        Accumulator {
            sum: vec![0.0; len],
            sumsq: vec![0.0; len],
            draws: 0,
        }
    }

    fn add(&mut self, g: &[f64]) {
        for ((s, q), v) in self.sum.iter_mut().zip(&mut self.sumsq).zip(g) {
            *s += v;
            *q += v * v;
        }
        self.draws += 1;
    }

    /// (relative bias, relative noise floor) against `target`.
    fn bias(&self, target: &[f64]) -> (f64, f64) {
        let d = self.draws as f64;
        let mut dist2 = 0.0;
        let mut noise2 = 0.0;
        for ((s, q), t) in self.sum.iter().zip(&self.sumsq).zip(target) {
            let mean = s / d;
            dist2 += (mean - t).powi(2);
            noise2 += ((q / d - mean * mean) * d / (d - 1.0)).max(0.0) / d;
        }
        let norm = target.iter().map(|v| v * v).sum::<f64>().sqrt();
        (
            (dist2 - noise2).max(0.0).sqrt() / norm,
            noise2.sqrt() / norm,
        )
    }
}

/// A stochastic-EM buffer (log u) for both directions at a fixed model.
struct Buffers {
    log_u: [Vec<f64>; 2],
    gamma: f64,
}

impl Buffers {
    /// The spec's warm start (one pass over the data in batches of `b`) followed by
    /// `5n/b` E-steps on random batches, so the running estimate is in its steady state.
    fn warm(z: &Emb, w: &Emb, scale: f64, b: usize, gamma: f64, rng: &mut Rng) -> Self {
        let n = z.rows;
        let mut buf = Buffers {
            log_u: [vec![0.0; n], vec![0.0; n]],
            gamma: 1.0,
        };
        let order = sample(rng, n, n).into_vec();
        for idx in order.chunks(b).filter(|c| c.len() >= 2) {
            buf.update(&score_block(z, w, idx, idx, scale), idx);
        }
        buf.gamma = gamma;
        for _ in 0..(5 * n).div_ceil(b) {
            let idx = sample(rng, n, b).into_vec();
            buf.update(&score_block(z, w, &idx, &idx, scale), &idx);
        }
        buf
    }

    fn update(&mut self, s: &[f64], idx: &[usize]) {
        let k = idx.len();
        let estimates = [
            log_mean_negatives(s, k),
            log_mean_negatives(&super::gradient::transpose(s, k), k),
        ];
        for (d, est) in estimates.iter().enumerate() {
            for (&i, &m) in idx.iter().zip(est) {
                let old = self.log_u[d][i];
                self.log_u[d][i] = if self.gamma >= 1.0 {
                    m
                } else {
                    let (a, b) = ((1.0 - self.gamma).ln() + old, self.gamma.ln() + m);
                    let hi = a.max(b);
                    hi + ((a - hi).exp() + (b - hi).exp()).ln()
                };
            }
        }
    }

    fn log_nu(&self, idx: &[usize]) -> [Vec<f64>; 2] {
        [
            idx.iter().map(|&i| -self.log_u[0][i]).collect(),
            idx.iter().map(|&i| -self.log_u[1][i]).collect(),
        ]
    }
}

/// Runs the study on embeddings `z`, `w` (unit rows) with score scale `scale`;
/// `gammas` are the E-step weights of the running-buffer estimators.
pub fn gradient_bias(
    z: &Emb,
    w: &Emb,
    scale: f64,
    batch_sizes: &[usize],
    gammas: &[f64],
    seed: Seed,
) -> Vec<BiasPoint> {
    let n = z.rows;
    let all: Vec<usize> = (0..n).collect();
    let s_full = score_block(z, w, &all, &all, scale);
    let target_gen = embedding_gradient(
        &symmetric(&s_full, n, RowRule::Decoupled, [None, None]),
        &all,
        z,
        w,
        scale,
    );
    let target_own = embedding_gradient(
        &symmetric(&s_full, n, RowRule::Infonce, [None, None]),
        &all,
        z,
        w,
        scale,
    );
    let oracle = [
        log_mean_negatives(&s_full, n)
            .iter()
            .map(|v| -v)
            .collect::<Vec<_>>(),
        log_mean_negatives(&super::gradient::transpose(&s_full, n), n)
            .iter()
            .map(|v| -v)
            .collect(),
    ];
    drop(s_full);
    let mut rng = seed.rng("gradient-bias");
    let mut points = Vec::new();
    for &b in batch_sizes.iter().filter(|&&b| b >= 2 && b <= n) {
        let draws = draws_for(b);
        let mut buffers: Vec<Buffers> = gammas
            .iter()
            .map(|&g| Buffers::warm(z, w, scale, b, g, &mut rng))
            .collect();
        let names: Vec<String> = ["infonce", "decoupled", "decomposable-oracle"]
            .iter()
            .map(|s| s.to_string())
            .chain(gammas.iter().map(|g| format!("decomposable-em-gamma{g}")))
            .collect();
        let mut acc: Vec<Accumulator> = names
            .iter()
            .map(|_| Accumulator::new(2 * n * z.cols))
            .collect();
        for _ in 0..draws {
            let idx = sample(&mut rng, n, b).into_vec();
            let s = score_block(z, w, &idx, &idx, scale);
            let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
            let (of, ob) = (pick(&oracle[0]), pick(&oracle[1]));
            let mut grads = vec![
                symmetric(&s, b, RowRule::Infonce, [None, None]),
                symmetric(&s, b, RowRule::Decoupled, [None, None]),
                symmetric(&s, b, RowRule::Decomposable, [Some(&of), Some(&ob)]),
            ];
            for buf in &mut buffers {
                buf.update(&s, &idx);
                let [nf, nb] = buf.log_nu(&idx);
                grads.push(symmetric(
                    &s,
                    b,
                    RowRule::Decomposable,
                    [Some(&nf), Some(&nb)],
                ));
            }
            for (a, g) in acc.iter_mut().zip(&grads) {
                a.add(&embedding_gradient(g, &idx, z, w, scale));
            }
        }
        for (name, a) in names.iter().zip(&acc) {
            let mut push = |estimator: String, target: &[f64]| {
                let (relative_bias, relative_noise) = a.bias(target);
                points.push(BiasPoint {
                    estimator,
                    batch: b,
                    relative_bias,
                    relative_noise,
                    draws,
                });
            };
            push(format!("{name}-vs-generalised"), &target_gen);
            if name == "infonce" {
                push("infonce-vs-own-full-batch".into(), &target_own);
            }
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clustered(n: usize, m: usize, seed: u64) -> (Emb, Emb) {
        // Pairs that agree (trained-like), so the positive dominates.
        let (z, w) = crate::reference::unit_pair(n, m, seed);
        let mix: Vec<f64> = z
            .data
            .iter()
            .zip(&w.data)
            .map(|(a, b)| 0.8 * a + 0.2 * b)
            .collect();
        let mut wm = Emb {
            rows: n,
            cols: m,
            data: mix,
        };
        for r in wm.data.chunks_mut(m) {
            let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
            r.iter_mut().for_each(|v| *v /= norm);
        }
        (
            Emb {
                rows: n,
                cols: m,
                data: z.data,
            },
            wm,
        )
    }

    #[test]
    fn oracle_is_unbiased_and_infonce_bias_shrinks_with_batch() {
        let (z, w) = clustered(128, 8, 71);
        let pts = gradient_bias(&z, &w, 5.0, &[8, 64], &[0.5], Seed(1));
        let get = |e: &str, b: usize| {
            pts.iter()
                .find(|p| p.estimator == e && p.batch == b)
                .unwrap()
                .relative_bias
        };
        let (i8, i64) = (
            get("infonce-vs-own-full-batch", 8),
            get("infonce-vs-own-full-batch", 64),
        );
        assert!(
            i8 > 0.2 && i64 < 0.5 * i8,
            "infonce bias {i8} at B=8, {i64} at B=64"
        );
        assert!(
            get("decomposable-oracle-vs-generalised", 8) < 0.1 * get("decoupled-vs-generalised", 8)
        );
    }
}
