//! Exact float64 gradients of the contrastive estimators with respect to the
//! embeddings, for the gradient-bias study.
//!
//! Every estimator is written as the gradient `G` of the loss with respect to
//! the batch score matrix `s_ij = scale · ⟨z_i, w_j⟩` (rows: anchors of view
//! a, columns: view b; the symmetric loss averages `G` of both directions);
//! the embedding gradients are then `scale · G W` and `scale · Gᵀ Z`.

use rayon::prelude::*;

/// Row-major `rows × cols` float64 embeddings.
#[derive(Clone, Debug, PartialEq)]
pub struct Emb {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Values.
    pub data: Vec<f64>,
}

impl Emb {
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// A per-anchor rule turning score row `s_i·` (positive at `i`) into `∂L_i/∂s_i·`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RowRule {
    /// InfoNCE with the positive in the denominator: `softmax(s_i·) − e_i`.
    Infonce,
    /// Negatives-only InfoNCE: `softmax over j≠i` off the diagonal, `−1` on it.
    Decoupled,
    /// Decomposable M-step with `ν_i` given (α = 1): `ν_i e^{s_ij} / (k − 1)` off, `−1` on.
    Decomposable,
}

/// Scores of anchors `rows` (of `z`) against candidates `cols` (of `w`).
pub fn score_block(z: &Emb, w: &Emb, rows: &[usize], cols: &[usize], scale: f64) -> Vec<f64> {
    rows.par_iter()
        .flat_map_iter(|&i| cols.iter().map(move |&j| scale * dot(z.row(i), w.row(j))))
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `log mean_{j≠i} e^{s_ij}` of each row of a square score block.
pub fn log_mean_negatives(s: &[f64], k: usize) -> Vec<f64> {
    (0..k)
        .map(|i| {
            let row = &s[i * k..(i + 1) * k];
            let m = row
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &v)| v)
                .fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = row
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, &v)| (v - m).exp())
                .sum();
            m + (sum / (k - 1) as f64).ln()
        })
        .collect()
}

/// `∂L/∂s` for one direction of a square `k × k` block, `L = (1/k) Σ_i L_i`;
/// `log_nu` holds `log ν_i` for [`RowRule::Decomposable`].
pub fn row_gradients(s: &[f64], k: usize, rule: RowRule, log_nu: Option<&[f64]>) -> Vec<f64> {
    let mut g = vec![0.0; k * k];
    g.par_chunks_mut(k).enumerate().for_each(|(i, out)| {
        let row = &s[i * k..(i + 1) * k];
        match rule {
            RowRule::Infonce | RowRule::Decoupled => {
                let keep = |j: usize| rule == RowRule::Infonce || j != i;
                let m = row
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| keep(j))
                    .map(|(_, &v)| v)
                    .fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = row
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| keep(j))
                    .map(|(_, &v)| (v - m).exp())
                    .sum();
                for (j, o) in out.iter_mut().enumerate() {
                    *o = if keep(j) { (row[j] - m).exp() / z } else { 0.0 };
                }
            }
            RowRule::Decomposable => {
                let ln = log_nu.map_or(0.0, |v| v[i]);
                for (j, o) in out.iter_mut().enumerate() {
                    *o = if j == i {
                        0.0
                    } else {
                        (ln + row[j]).exp() / (k - 1) as f64
                    };
                }
            }
        }
        out[i] -= 1.0;
        out.iter_mut().for_each(|v| *v /= k as f64);
    });
    g
}

/// The embedding gradients of score gradient `g` (block `idx × idx`) as one
/// vector: `∂/∂Z` (`n × m`, zero outside the batch) followed by `∂/∂W`.
pub fn embedding_gradient(g: &[f64], idx: &[usize], z: &Emb, w: &Emb, scale: f64) -> Vec<f64> {
    let k = idx.len();
    let m = z.cols;
    let rows: Vec<(Vec<f64>, Vec<f64>)> = (0..k)
        .into_par_iter()
        .map(|a| {
            let (mut dz, mut dw) = (vec![0.0; m], vec![0.0; m]);
            for b in 0..k {
                let (gab, gba) = (g[a * k + b], g[b * k + a]);
                for (d, &x) in dz.iter_mut().zip(w.row(idx[b])) {
                    *d += gab * x;
                }
                for (d, &x) in dw.iter_mut().zip(z.row(idx[b])) {
                    *d += gba * x;
                }
            }
            (dz, dw)
        })
        .collect();
    let len = z.rows * m;
    let mut out = vec![0.0; 2 * len];
    for (a, (dz, dw)) in rows.into_iter().enumerate() {
        let i = idx[a];
        for c in 0..m {
            out[i * m + c] += scale * dz[c];
            out[len + i * m + c] += scale * dw[c];
        }
    }
    out
}

/// Transposes a square `k × k` block.
pub fn transpose(s: &[f64], k: usize) -> Vec<f64> {
    (0..k * k).map(|t| s[(t % k) * k + t / k]).collect()
}

/// The symmetric estimator's score gradient: `½ (G(s) + G(sᵀ)ᵀ)`.
pub fn symmetric(s: &[f64], k: usize, rule: RowRule, log_nu: [Option<&[f64]>; 2]) -> Vec<f64> {
    let forward = row_gradients(s, k, rule, log_nu[0]);
    let backward = transpose(&row_gradients(&transpose(s, k), k, rule, log_nu[1]), k);
    forward
        .iter()
        .zip(&backward)
        .map(|(a, b)| 0.5 * (a + b))
        .collect()
}

/// The generalised (negatives-only, full-data) symmetric loss
/// `½ Σ_dir (1/n) Σ_i [−s_ii + log mean_{j≠i} e^{s_ij}]`: what the decomposable loss targets.
pub fn generalised_loss(z: &Emb, w: &Emb, scale: f64) -> f64 {
    let n = z.rows;
    let all: Vec<usize> = (0..n).collect();
    let s = score_block(z, w, &all, &all, scale);
    let diag: f64 = (0..n).map(|i| s[i * n + i]).sum();
    let rows: f64 = log_mean_negatives(&s, n).iter().sum();
    let cols: f64 = log_mean_negatives(&transpose(&s, n), n).iter().sum();
    (rows + cols - 2.0 * diag) / (2.0 * n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference;

    fn emb(m: &reference::Mat) -> Emb {
        Emb {
            rows: m.rows,
            cols: m.cols,
            data: m.data.clone(),
        }
    }

    #[test]
    fn embedding_gradients_match_finite_differences_of_the_reference() {
        let (z, w) = reference::unit_pair(5, 3, 61);
        let idx: Vec<usize> = (0..5).collect();
        for (rule, negatives_only) in [(RowRule::Infonce, false), (RowRule::Decoupled, true)] {
            let s = score_block(&emb(&z), &emb(&w), &idx, &idx, 3.0);
            let g = symmetric(&s, 5, rule, [None, None]);
            let both = embedding_gradient(&g, &idx, &emb(&z), &emb(&w), 3.0);
            let (gz, gw) = (both[..15].to_vec(), both[15..].to_vec());
            let fz = reference::fd_grad(&z, |p| {
                reference::symmetric_infonce(p, &w, 3.0, negatives_only)
            });
            let fw = reference::fd_grad(&w, |p| {
                reference::symmetric_infonce(&z, p, 3.0, negatives_only)
            });
            reference::assert_grad(
                &reference::Mat {
                    rows: 5,
                    cols: 3,
                    data: gz,
                },
                &fz,
                1e-6,
            );
            reference::assert_grad(
                &reference::Mat {
                    rows: 5,
                    cols: 3,
                    data: gw,
                },
                &fw,
                1e-6,
            );
        }
    }

    #[test]
    fn decomposable_with_batch_mean_equals_decoupled() {
        let (z, w) = reference::unit_pair(6, 4, 62);
        let idx: Vec<usize> = (0..6).collect();
        let s = score_block(&emb(&z), &emb(&w), &idx, &idx, 4.0);
        let nu_f: Vec<f64> = log_mean_negatives(&s, 6).iter().map(|v| -v).collect();
        let nu_b: Vec<f64> = log_mean_negatives(&transpose(&s, 6), 6)
            .iter()
            .map(|v| -v)
            .collect();
        let a = symmetric(&s, 6, RowRule::Decomposable, [Some(&nu_f), Some(&nu_b)]);
        let b = symmetric(&s, 6, RowRule::Decoupled, [None, None]);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-12);
        }
    }
}
