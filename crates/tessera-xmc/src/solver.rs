//! L2-regularised squared-hinge SVM solved by dual coordinate descent with
//! shrinking (Hsieh et al., ICML 2008, Algorithm 3; liblinear's
//! `L2R_L2LOSS_SVC_DUAL`), on a [`LocalRows`] subset.

use crate::config::SolverConfig;
use crate::sparse::LocalRows;
use rand::seq::SliceRandom;
use tessera_core::Rng;

/// A trained binary scorer over the local columns of its subset.
pub(crate) struct Solution {
    /// Weight of every local column.
    pub w: Vec<f32>,
    /// Weight of the constant bias feature.
    pub b: f32,
}

/// Minimises `½‖w‖² + Σ_i C_{y_i} max(0, 1 − y_i (wᵀx_i + b·bias))²`.
///
/// `positive[i]` marks the +1 rows; `sq_norms[i]` is `‖x_i‖²`.
pub(crate) fn solve(
    x: &LocalRows,
    positive: &[bool],
    sq_norms: &[f32],
    cfg: &SolverConfig,
    rng: &mut Rng,
) -> Solution {
    let n = x.rows();
    let mut w = vec![0f32; x.features.len()];
    let mut b = 0f32;
    let bias = cfg.bias;
    let diag = |i: usize| 0.5 / if positive[i] { cfg.cp } else { cfg.cn };
    let qd: Vec<f32> = (0..n)
        .map(|i| sq_norms[i] + bias * bias + diag(i))
        .collect();
    let mut alpha = vec![0f32; n];
    let mut index: Vec<usize> = (0..n).collect();
    let mut active = n;
    let mut pg_max_old = f32::INFINITY;
    for _ in 0..cfg.max_iter {
        let (mut pg_max, mut pg_min) = (f32::NEG_INFINITY, f32::INFINITY);
        index[..active].shuffle(rng);
        let mut s = 0;
        while s < active {
            let i = index[s];
            let yi = if positive[i] { 1.0 } else { -1.0 };
            let (cols, vals) = x.row(i);
            let margin: f32 = cols
                .iter()
                .zip(vals)
                .map(|(&c, &v)| w[c as usize] * v)
                .sum::<f32>()
                + b * bias;
            let g = yi * margin - 1.0 + alpha[i] * diag(i);
            let pg = if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            pg_max = pg_max.max(pg);
            pg_min = pg_min.min(pg);
            if pg.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (old - g / qd[i]).max(0.0);
                let d = (alpha[i] - old) * yi;
                for (&c, &v) in cols.iter().zip(vals) {
                    w[c as usize] += d * v;
                }
                b += d * bias;
            }
            s += 1;
        }
        if pg_max - pg_min <= cfg.eps {
            if active == n {
                break;
            }
            active = n;
            pg_max_old = f32::INFINITY;
            continue;
        }
        pg_max_old = if pg_max <= 0.0 { f32::INFINITY } else { pg_max };
    }
    Solution { w, b }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparse::from_rows;
    use tessera_core::Seed;

    #[test]
    fn separable_problem_reaches_margin_and_kkt() {
        // Two clusters in 2-d: positives near (1, 0), negatives near (0, 1).
        let rows = vec![
            (vec![0, 1], vec![1.0, 0.1]),
            (vec![0, 1], vec![0.9, 0.0]),
            (vec![0, 1], vec![0.1, 1.0]),
            (vec![0, 1], vec![0.0, 0.8]),
        ];
        let m = from_rows(2, rows);
        let local = LocalRows::gather(&m, &[0, 1, 2, 3]);
        let positive = [true, true, false, false];
        let sq: Vec<f32> = (0..4)
            .map(|i| local.row(i).1.iter().map(|v| v * v).sum())
            .collect();
        let cfg = SolverConfig {
            eps: 1e-4,
            max_iter: 1000,
            ..SolverConfig::default()
        };
        let sol = solve(&local, &positive, &sq, &cfg, &mut Seed(0).rng("t"));
        let score = |i: usize| {
            let (c, v) = local.row(i);
            c.iter()
                .zip(v)
                .map(|(&c, &v)| sol.w[c as usize] * v)
                .sum::<f32>()
                + sol.b
        };
        for (i, &pos) in positive.iter().enumerate() {
            let y = if pos { 1.0 } else { -1.0 };
            assert!(y * score(i) > 0.3, "row {i} margin {}", y * score(i));
        }
        // Primal optimality: w = 2C Σ_i y_i ξ_i x_i with ξ_i = max(0, 1 - y_i s_i).
        let mut w = [0f32; 2];
        let mut b = 0f32;
        for (i, &pos) in positive.iter().enumerate() {
            let y = if pos { 1.0 } else { -1.0 };
            let xi = (1.0 - y * score(i)).max(0.0);
            let (c, v) = local.row(i);
            for (&c, &v) in c.iter().zip(v) {
                w[local.features[c as usize] as usize] += 2.0 * y * xi * v;
            }
            b += 2.0 * y * xi;
        }
        for (f, wf) in w.iter().enumerate() {
            let local_id = local
                .features
                .iter()
                .position(|&g| g as usize == f)
                .unwrap();
            assert!(
                (wf - sol.w[local_id]).abs() < 1e-2,
                "feature {f}: {wf} vs {}",
                sol.w[local_id]
            );
        }
        assert!((b - sol.b).abs() < 1e-2);
    }
}
