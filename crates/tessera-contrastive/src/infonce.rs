//! Symmetric InfoNCE (CLIP-style) over a batch of paired embeddings.
//!
//! Scores are `s_ij = scale · ⟨z_i, w_j⟩` for L2-normalised rows; the
//! positive of anchor `i` is column `i`. The log-sum-exp subtracts the row
//! maximum, so any temperature is safe in float32.

use burn::tensor::{Tensor, backend::Backend};
use serde::{Deserialize, Serialize};

/// Which columns enter the InfoNCE denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Denominator {
    /// All columns, the positive included (standard InfoNCE / CLIP).
    WithPositive,
    /// Only the negatives `j ≠ i` ("decoupled" InfoNCE).
    NegativesOnly,
}

/// Added to the diagonal to remove the positive from a log-sum-exp.
const MASK: f32 = 1e9;

/// The score matrix `scale · z wᵀ` (`[n, n]`); `scale` is a one-element tensor (1/τ).
pub fn scores<B: Backend>(z: Tensor<B, 2>, w: Tensor<B, 2>, scale: Tensor<B, 1>) -> Tensor<B, 2> {
    z.matmul(w.transpose()) * scale.unsqueeze::<2>()
}

/// The diagonal `s_ii` of a square score matrix, as `[n, 1]`.
pub fn diagonal<B: Backend>(s: Tensor<B, 2>) -> Tensor<B, 2> {
    let n = s.dims()[0];
    let device = s.device();
    (s * Tensor::<B, 2>::eye(n, &device)).sum_dim(1)
}

/// Row-wise log-sum-exp with max subtraction, `[n, 1]`.
pub fn logsumexp_rows<B: Backend>(s: Tensor<B, 2>) -> Tensor<B, 2> {
    let max = s.clone().max_dim(1).detach();
    (s - max.clone()).exp().sum_dim(1).log() + max
}

/// `s` with the diagonal pushed to `-1e9`, so that exp drops the positives.
pub fn without_diagonal<B: Backend>(s: Tensor<B, 2>) -> Tensor<B, 2> {
    let n = s.dims()[0];
    let device = s.device();
    s - Tensor::<B, 2>::eye(n, &device) * MASK
}

/// One direction of InfoNCE: mean over rows of `−s_ii + log Σ_j e^{s_ij}`.
pub fn infonce<B: Backend>(s: Tensor<B, 2>, denominator: Denominator) -> Tensor<B, 1> {
    let positive = diagonal(s.clone());
    let pool = match denominator {
        Denominator::WithPositive => s,
        Denominator::NegativesOnly => without_diagonal(s),
    };
    (logsumexp_rows(pool) - positive).mean()
}

/// Symmetric InfoNCE: the average of the row (z→w) and column (w→z) directions.
pub fn symmetric_infonce<B: Backend>(s: Tensor<B, 2>, denominator: Denominator) -> Tensor<B, 1> {
    (infonce(s.clone(), denominator) + infonce(s.transpose(), denominator)) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{self, Mat};
    use tessera_core::backend::CpuAutodiff;

    type B = CpuAutodiff;

    #[test]
    fn matches_float64_reference_both_denominators() {
        let (z, w) = reference::unit_pair(6, 4, 1);
        for (denom, negatives_only) in [
            (Denominator::WithPositive, false),
            (Denominator::NegativesOnly, true),
        ] {
            let s = scores(
                z.tensor::<B>(),
                w.tensor::<B>(),
                reference::scalar::<B>(5.0),
            );
            let ours = f64::from(symmetric_infonce(s, denom).into_scalar());
            let want = reference::symmetric_infonce(&z, &w, 5.0, negatives_only);
            assert!((ours - want).abs() < 1e-4, "{denom:?}: {ours} vs {want}");
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (z, w) = reference::unit_pair(5, 3, 2);
        for negatives_only in [false, true] {
            let denom = if negatives_only {
                Denominator::NegativesOnly
            } else {
                Denominator::WithPositive
            };
            let f = |z: &Mat, w: &Mat| reference::symmetric_infonce(z, w, 4.0, negatives_only);
            let zt = z.tensor::<B>().require_grad();
            let wt = w.tensor::<B>().require_grad();
            let loss = symmetric_infonce(
                scores(zt.clone(), wt.clone(), reference::scalar::<B>(4.0)),
                denom,
            );
            let grads = loss.backward();
            reference::assert_grad(
                &Mat::from_tensor(zt.grad(&grads).unwrap()),
                &reference::fd_grad(&z, |p| f(p, &w)),
                2e-3,
            );
            reference::assert_grad(
                &Mat::from_tensor(wt.grad(&grads).unwrap()),
                &reference::fd_grad(&w, |p| f(&z, p)),
                2e-3,
            );
        }
    }

    #[test]
    fn large_scale_stays_finite() {
        let (z, w) = reference::unit_pair(4, 3, 3);
        let s = scores(
            z.tensor::<B>(),
            w.tensor::<B>(),
            reference::scalar::<B>(500.0),
        );
        assert!(
            symmetric_infonce(s, Denominator::WithPositive)
                .into_scalar()
                .is_finite()
        );
    }
}
