//! The decomposable (Gamma-augmented) contrastive loss with stochastic EM.
//!
//! A reconstruction of Chen et al., NeurIPS 2022 (only the abstract is
//! confirmed; see `docs/methods/contrastive.md`). Per anchor `i` the
//! auxiliary `ν_i | θ ~ Gamma(α, rate Z_i)` linearises `log Z_i`, so given ν
//! the loss `Σ_i [−α s_ii + ν_i · E_y e^{s(x_i, y)}]` is a sum over samples
//! whose minibatch estimate is unbiased.
//!
//! One step on a batch `I`:
//! 1. E-step (no gradient): `u_i ← (1 − γ) u_i + γ · mean_{j≠i} e^{s_ij}`
//!    in a buffer indexed by sample id, then `ν_i = α / u_i` (mean) or
//!    `ν_i ~ Gamma(α, rate u_i)` (sampled).
//! 2. M-step: `L̂ = (1/|I|) Σ_i [−α s_ii + ν_i · mean_{j≠i} e^{s_ij}]` with ν
//!    a constant.
//!
//! The buffer holds `log u_i` and the M-step evaluates `ν_i e^{s_ij}` as
//! `(ν_i u_i) · e^{s_ij − log u_i}`, which folds the per-row constant into
//! `u_i` as the spec asks, so small temperatures do not overflow.

use crate::infonce::{diagonal, logsumexp_rows, without_diagonal};
use burn::tensor::{Tensor, TensorData, backend::Backend};
use rand_distr::{Distribution, Gamma};
use serde::{Deserialize, Serialize};
use tessera_core::{Error, Result, Rng};

/// How the E-step sets the auxiliary variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NuMode {
    /// `ν_i = E[ν_i] = α / u_i` (the default).
    Mean,
    /// `ν_i ~ Gamma(α, rate u_i)`.
    Sample,
}

/// Settings of the stochastic EM.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmConfig {
    /// Gamma shape α (> 0); α = 1 recovers the softmax likelihood.
    pub alpha: f64,
    /// Weight γ ∈ (0, 1] of the new batch estimate in the running `u_i`.
    pub gamma: f64,
    /// Mean or sampled ν.
    pub nu: NuMode,
}

impl Default for EmConfig {
    fn default() -> Self {
        EmConfig {
            alpha: 1.0,
            gamma: 0.1,
            nu: NuMode::Mean,
        }
    }
}

/// Draws `ν ~ Gamma(shape α, rate)`.
pub fn sample_gamma(alpha: f64, rate: f64, rng: &mut Rng) -> Result<f64> {
    let dist = Gamma::new(alpha, 1.0 / rate)
        .map_err(|e| Error::Numeric(format!("Gamma(shape {alpha}, rate {rate}): {e}")))?;
    Ok(dist.sample(rng))
}

/// Per-sample running estimates `log u_i ≈ log Z_i` for one direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZBuffer {
    log_u: Vec<f64>,
    seen: Vec<bool>,
}

impl ZBuffer {
    /// A buffer for `n` samples, all unset.
    pub fn new(n: usize) -> Self {
        ZBuffer {
            log_u: vec![0.0; n],
            seen: vec![false; n],
        }
    }

    /// `log u_i` (0 while unset).
    pub fn log_u(&self, i: usize) -> f64 {
        self.log_u[i]
    }

    /// Sets `log u_i` directly (initialisation pass).
    pub fn set(&mut self, indices: &[usize], log_estimates: &[f64]) {
        for (&i, &v) in indices.iter().zip(log_estimates) {
            self.log_u[i] = v;
            self.seen[i] = true;
        }
    }

    /// E-step update `u_i ← (1 − γ) u_i + γ m_i` for the batch only; a sample
    /// never seen before takes `m_i` directly.
    pub fn update(&mut self, indices: &[usize], log_estimates: &[f64], gamma: f64) {
        for (&i, &m) in indices.iter().zip(log_estimates) {
            self.log_u[i] = if self.seen[i] {
                log_add((1.0 - gamma).ln() + self.log_u[i], gamma.ln() + m)
            } else {
                m
            };
            self.seen[i] = true;
        }
    }
}

/// `log(e^a + e^b)`.
fn log_add(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        m
    } else {
        m + ((a - m).exp() + (b - m).exp()).ln()
    }
}

/// Detached `log mean_{j≠i} e^{s_ij}` for every row of a square score matrix.
pub fn log_mean_negatives<B: Backend>(s: Tensor<B, 2>) -> Vec<f64> {
    let n = s.dims()[0];
    let lse = logsumexp_rows(without_diagonal(s.detach()));
    let shift = ((n - 1).max(1) as f64).ln();
    lse.into_data()
        .convert::<f64>()
        .to_vec::<f64>()
        .unwrap_or_default()
        .into_iter()
        .map(|v| v - shift)
        .collect()
}

/// The M-step loss of one direction, `(1/n) Σ_i [−α s_ii + c_i · mean_{j≠i} e^{s_ij − log u_i}]`,
/// where `c_i = ν_i u_i` (α for the mean E-step) and `log_u` holds `log u_i` (`[n, 1]`, constants).
pub fn mstep_loss<B: Backend>(
    s: Tensor<B, 2>,
    log_u: Tensor<B, 2>,
    c: Tensor<B, 2>,
    alpha: f64,
) -> Tensor<B, 1> {
    let n = s.dims()[0];
    let positive = diagonal(s.clone());
    let pooled = (without_diagonal(s) - log_u).exp().sum_dim(1) / ((n - 1).max(1) as f64);
    (c * pooled - positive * alpha).mean()
}

/// Stochastic-EM state of the two-tower decomposable loss: one buffer per direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EmState {
    config: EmConfig,
    buffers: [ZBuffer; 2],
}

impl EmState {
    /// Fresh state for a dataset of `n` pairs.
    pub fn new(n: usize, config: EmConfig) -> Self {
        EmState {
            config,
            buffers: [ZBuffer::new(n), ZBuffer::new(n)],
        }
    }

    /// The buffer of direction 0 (x→y) or 1 (y→x).
    pub fn buffer(&self, direction: usize) -> &ZBuffer {
        &self.buffers[direction]
    }

    /// Initialises both buffers from a batch at the current parameters (no gradient).
    pub fn initialise<B: Backend>(&mut self, s: Tensor<B, 2>, indices: &[usize]) {
        self.buffers[0].set(indices, &log_mean_negatives(s.clone()));
        self.buffers[1].set(indices, &log_mean_negatives(s.transpose()));
    }

    /// One E-step on batch `indices` with scores `s` (rows: x, columns: y),
    /// then the M-step loss averaged over both directions.
    pub fn step<B: Backend>(
        &mut self,
        s: Tensor<B, 2>,
        indices: &[usize],
        rng: &mut Rng,
    ) -> Result<Tensor<B, 1>> {
        let forward = self.direction(0, s.clone(), indices, rng)?;
        let backward = self.direction(1, s.transpose(), indices, rng)?;
        Ok((forward + backward) / 2.0)
    }

    fn direction<B: Backend>(
        &mut self,
        d: usize,
        s: Tensor<B, 2>,
        indices: &[usize],
        rng: &mut Rng,
    ) -> Result<Tensor<B, 1>> {
        let cfg = self.config;
        self.buffers[d].update(indices, &log_mean_negatives(s.clone()), cfg.gamma);
        let log_u: Vec<f32> = indices
            .iter()
            .map(|&i| self.buffers[d].log_u(i) as f32)
            .collect();
        let c = match cfg.nu {
            NuMode::Mean => vec![cfg.alpha as f32; indices.len()],
            // ν_i u_i with ν_i ~ Gamma(α, rate u_i) is Gamma(α, rate 1).
            NuMode::Sample => (0..indices.len())
                .map(|_| sample_gamma(cfg.alpha, 1.0, rng).map(|g| g as f32))
                .collect::<Result<_>>()?,
        };
        let device = s.device();
        let n = indices.len();
        let column = |v: Vec<f32>| Tensor::<B, 2>::from_data(TensorData::new(v, [n, 1]), &device);
        Ok(mstep_loss(s, column(log_u), column(c), cfg.alpha))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infonce::{Denominator, infonce, scores};
    use crate::reference::{self, Mat};
    use tessera_core::{Seed, backend::CpuAutodiff};

    type B = CpuAutodiff;

    #[test]
    fn gamma_sampler_mean_and_variance() {
        let mut rng = Seed(1).rng("gamma");
        for (alpha, rate) in [(1.0, 2.5), (3.0, 0.5)] {
            let xs: Vec<f64> = (0..200_000)
                .map(|_| sample_gamma(alpha, rate, &mut rng).unwrap())
                .collect();
            let (mean, std) = tessera_core::metrics::mean_std(&xs);
            let (want_mean, want_var) = (alpha / rate, alpha / (rate * rate));
            assert!(
                (mean - want_mean).abs() < 0.01 * want_mean,
                "mean {mean} vs {want_mean}"
            );
            assert!(
                (std * std - want_var).abs() < 0.03 * want_var,
                "var {} vs {want_var}",
                std * std
            );
        }
        assert!(sample_gamma(-1.0, 1.0, &mut rng).is_err());
    }

    #[test]
    fn alpha_one_with_batch_mean_reproduces_negatives_only_infonce_gradient() {
        let (z, w) = reference::unit_pair(6, 4, 7);
        let scale = 5.0;
        let zt = z.tensor::<B>().require_grad();
        let wt = w.tensor::<B>().require_grad();
        let s = scores(zt.clone(), wt.clone(), reference::scalar::<B>(scale));
        // E-step with the current batch only: γ = 1 makes u_i the batch mean.
        let mut em = EmState::new(
            6,
            EmConfig {
                alpha: 1.0,
                gamma: 1.0,
                nu: NuMode::Mean,
            },
        );
        let idx: Vec<usize> = (0..6).collect();
        let grads = em.step(s, &idx, &mut Seed(0).rng("nu")).unwrap().backward();
        let (gz, gw) = (
            Mat::from_tensor(zt.grad(&grads).unwrap()),
            Mat::from_tensor(wt.grad(&grads).unwrap()),
        );

        let zr = z.tensor::<B>().require_grad();
        let wr = w.tensor::<B>().require_grad();
        let s = scores(zr.clone(), wr.clone(), reference::scalar::<B>(scale));
        let loss = (infonce(s.clone(), Denominator::NegativesOnly)
            + infonce(s.transpose(), Denominator::NegativesOnly))
            / 2.0;
        let grads = loss.backward();
        reference::assert_grad(&gz, &Mat::from_tensor(zr.grad(&grads).unwrap()), 1e-4);
        reference::assert_grad(&gw, &Mat::from_tensor(wr.grad(&grads).unwrap()), 1e-4);
    }

    #[test]
    fn mstep_matches_float64_reference_and_finite_differences() {
        let (z, w) = reference::unit_pair(5, 3, 11);
        let (alpha, scale) = (2.0, 3.0);
        let log_u = [0.3, -0.2, 0.1, 0.5, 0.0];
        let nu: Vec<f64> = log_u.iter().map(|l: &f64| 0.7 / l.exp()).collect();
        let column = |v: Vec<f32>| {
            Tensor::<B, 2>::from_data(TensorData::new(v, [5, 1]), &Default::default())
        };
        let f = |z: &Mat, w: &Mat| reference::decomposable_mstep(z, w, scale, alpha, &nu);
        let zt = z.tensor::<B>().require_grad();
        let s = scores(
            zt.clone(),
            w.tensor::<B>(),
            reference::scalar::<B>(scale as f32),
        );
        let c: Vec<f32> = nu
            .iter()
            .zip(&log_u)
            .map(|(n, l)| (n * l.exp()) as f32)
            .collect();
        let loss = mstep_loss(
            s,
            column(log_u.iter().map(|&v| v as f32).collect()),
            column(c),
            alpha,
        );
        let value = f64::from(loss.clone().into_scalar());
        assert!((value - f(&z, &w)).abs() < 1e-4, "{value} vs {}", f(&z, &w));
        let grads = loss.backward();
        reference::assert_grad(
            &Mat::from_tensor(zt.grad(&grads).unwrap()),
            &reference::fd_grad(&z, |p| f(p, &w)),
            2e-3,
        );
    }

    #[test]
    fn buffer_update_touches_only_the_batch() {
        let mut b = ZBuffer::new(5);
        b.set(&[0, 1, 2, 3, 4], &[0.0; 5]);
        b.update(&[1, 3], &[2.0f64.ln(), 2.0f64.ln()], 0.5);
        for i in [0, 2, 4] {
            assert_eq!(b.log_u(i), 0.0);
        }
        for i in [1, 3] {
            assert!((b.log_u(i) - 1.5f64.ln()).abs() < 1e-12);
        }
        let mut fresh = ZBuffer::new(2);
        fresh.update(&[0], &[3.0], 0.1);
        assert_eq!(
            fresh.log_u(0),
            3.0,
            "an unseen sample takes the batch estimate"
        );
    }
}
