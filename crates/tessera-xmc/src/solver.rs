//! L2-regularised squared-hinge SVMs solved by dual coordinate descent with
//! shrinking (Hsieh et al., ICML 2008, Algorithm 3; liblinear's and PECOS's
//! `L2R_L2LOSS_SVC_DUAL`), several one-vs-rest problems on the same rows at once.
//!
//! The sibling clusters of one parent are trained on the same instances. A block
//! of `W` siblings ("lanes") keeps its weights interleaved (`w[feature][lane]`),
//! so one pass over a row reads its features once and updates every lane with
//! short vector operations. Each lane runs its own dual coordinate descent — own
//! dual variables, own shrinking set, own stopping test and iteration count — the
//! lanes only share the random order in which rows are visited in a pass (the
//! rows of one lane still come in a uniformly random order, as in liblinear).

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

/// Per-lane coordinate-descent state that is not per row.
struct LaneState<const W: usize> {
    pg_max_old: [f32; W],
    iterations: [usize; W],
    active_rows: [usize; W],
}

/// Solves `lanes` (≤ `W`) problems `min ½‖w‖² + Σ_i C_{y_i} max(0, 1 − y_i (wᵀx_i + b·bias))²`
/// on the rows of `x`; bit `k` of `positive[i]` marks row `i` as +1 for lane `k`.
///
/// `sq_norms[i]` is `‖x_i‖²`. Returns one solution per lane.
pub(crate) fn solve_block<const W: usize>(
    x: &LocalRows,
    positive: &[u32],
    lanes: usize,
    sq_norms: &[f32],
    cfg: &SolverConfig,
    rng: &mut Rng,
) -> Vec<Solution> {
    assert!(
        lanes <= W && W <= 32,
        "solve_block: {lanes} lanes in a block of {W}"
    );
    let n = x.rows();
    let nf = x.features.len();
    let bias = cfg.bias;
    let all: u32 = if lanes == 32 { !0 } else { (1u32 << lanes) - 1 };
    let (diag_p, diag_n) = (0.5 / cfg.cp, 0.5 / cfg.cn);
    let mut w = vec![[0f32; W]; nf];
    let mut b = [0f32; W];
    let mut alpha = vec![[0f32; W]; n];
    let mut active = vec![all; n];
    let mut running = all;
    let mut st = LaneState::<W> {
        pg_max_old: [f32::INFINITY; W],
        iterations: [0; W],
        active_rows: [n; W],
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    while running != 0 {
        order.shuffle(rng);
        let (mut pg_max, mut pg_min) = ([f32::NEG_INFINITY; W], [f32::INFINITY; W]);
        for &i in &order {
            let i = i as usize;
            let mask = active[i] & running;
            if mask == 0 {
                continue;
            }
            let (cols, vals) = x.row(i);
            let mut dot = [0f32; W];
            for (&c, &v) in cols.iter().zip(vals) {
                let wc = &w[c as usize];
                for k in 0..W {
                    dot[k] += v * wc[k];
                }
            }
            let mut delta = [0f32; W];
            let mut changed = false;
            let a = &mut alpha[i];
            for k in Lanes(mask) {
                let pos = positive[i] >> k & 1 == 1;
                let (yi, diag) = if pos { (1.0, diag_p) } else { (-1.0, diag_n) };
                let g = yi * (dot[k] + b[k] * bias) - 1.0 + a[k] * diag;
                let pg = if a[k] == 0.0 {
                    if g > st.pg_max_old[k] {
                        active[i] &= !(1 << k);
                        st.active_rows[k] -= 1;
                        continue;
                    }
                    g.min(0.0)
                } else {
                    g
                };
                pg_max[k] = pg_max[k].max(pg);
                pg_min[k] = pg_min[k].min(pg);
                if pg.abs() > 1e-12 {
                    let old = a[k];
                    a[k] = (old - g / (sq_norms[i] + bias * bias + diag)).max(0.0);
                    delta[k] = (a[k] - old) * yi;
                    changed = true;
                }
            }
            if changed {
                for (&c, &v) in cols.iter().zip(vals) {
                    let wc = &mut w[c as usize];
                    for k in 0..W {
                        wc[k] += v * delta[k];
                    }
                }
                for k in 0..W {
                    b[k] += delta[k] * bias;
                }
            }
        }
        let mut unshrink = 0u32;
        for k in Lanes(running) {
            st.iterations[k] += 1;
            if pg_max[k] - pg_min[k] <= cfg.eps {
                if st.active_rows[k] == n {
                    running &= !(1 << k);
                    continue;
                }
                unshrink |= 1 << k;
                st.active_rows[k] = n;
                st.pg_max_old[k] = f32::INFINITY;
            } else {
                st.pg_max_old[k] = if pg_max[k] <= 0.0 {
                    f32::INFINITY
                } else {
                    pg_max[k]
                };
            }
            if st.iterations[k] >= cfg.max_iter {
                running &= !(1 << k);
            }
        }
        if unshrink != 0 {
            active.iter_mut().for_each(|m| *m |= unshrink);
            order = (0..n as u32).collect();
        }
        order.retain(|&i| active[i as usize] & running != 0);
    }
    (0..lanes)
        .map(|k| Solution {
            w: w.iter().map(|wc| wc[k]).collect(),
            b: b[k],
        })
        .collect()
}

/// The set bits of a lane mask, lowest first.
struct Lanes(u32);

impl Iterator for Lanes {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let k = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparse::from_rows;
    use tessera_core::Seed;

    fn score(local: &LocalRows, sol: &Solution, i: usize) -> f32 {
        let (c, v) = local.row(i);
        c.iter()
            .zip(v)
            .map(|(&c, &v)| sol.w[c as usize] * v)
            .sum::<f32>()
            + sol.b
    }

    /// Checks primal optimality `w = 2C Σ_i y_i ξ_i x_i`, `ξ_i = max(0, 1 − y_i s_i)`.
    fn assert_kkt(local: &LocalRows, positive: &[bool], sol: &Solution, tol: f32) {
        let mut w = vec![0f32; local.features.len()];
        let mut b = 0f32;
        for (i, &pos) in positive.iter().enumerate() {
            let y = if pos { 1.0 } else { -1.0 };
            let xi = (1.0 - y * score(local, sol, i)).max(0.0);
            let (c, v) = local.row(i);
            for (&c, &v) in c.iter().zip(v) {
                w[c as usize] += 2.0 * y * xi * v;
            }
            b += 2.0 * y * xi;
        }
        for (f, (a, s)) in w.iter().zip(&sol.w).enumerate() {
            assert!((a - s).abs() < tol, "local feature {f}: {a} vs {s}");
        }
        assert!((b - sol.b).abs() < tol, "bias {b} vs {}", sol.b);
    }

    fn tight() -> SolverConfig {
        SolverConfig {
            eps: 1e-4,
            max_iter: 1000,
            ..SolverConfig::default()
        }
    }

    #[test]
    fn separable_problem_reaches_margin_and_kkt() {
        // Two clusters in 2-d: positives near (1, 0), negatives near (0, 1).
        let rows = vec![
            (vec![0, 1], vec![1.0, 0.1]),
            (vec![0, 1], vec![0.9, 0.0]),
            (vec![0, 1], vec![0.1, 1.0]),
            (vec![0, 1], vec![0.0, 0.8]),
        ];
        let local = LocalRows::gather(&from_rows(2, rows), &[0, 1, 2, 3]);
        let positive = [true, true, false, false];
        let bits: Vec<u32> = positive.iter().map(|&p| p as u32).collect();
        let sq: Vec<f32> = (0..4)
            .map(|i| local.row(i).1.iter().map(|v| v * v).sum())
            .collect();
        let sol = solve_block::<4>(&local, &bits, 1, &sq, &tight(), &mut Seed(0).rng("t"));
        for (i, &pos) in positive.iter().enumerate() {
            let y = if pos { 1.0 } else { -1.0 };
            let m = y * score(&local, &sol[0], i);
            assert!(m > 0.3, "row {i} margin {m}");
        }
        assert_kkt(&local, &positive, &sol[0], 1e-2);
    }

    #[test]
    fn every_lane_solves_its_own_problem() {
        // 60 random sparse rows over 12 features; lane k's positives are rows with
        // feature k among their columns (plus noise), so lanes differ.
        let mut rng = Seed(3).rng("rows");
        use rand::Rng as _;
        let rows: Vec<(Vec<u32>, Vec<f32>)> = (0..60)
            .map(|_| {
                let mut c: Vec<u32> = (0..12).filter(|_| rng.random::<f32>() < 0.3).collect();
                c.push(12);
                c.dedup();
                let v = c.iter().map(|_| rng.random::<f32>() + 0.1).collect();
                (c, v)
            })
            .collect();
        let m = from_rows(13, rows);
        let local = LocalRows::gather(&m, &(0..60).collect::<Vec<u32>>());
        let sq: Vec<f32> = (0..60)
            .map(|i| local.row(i).1.iter().map(|v| v * v).sum())
            .collect();
        let lanes = 5;
        let pos = |i: usize, k: usize| m.row(i).0.contains(&(k as u32)) ^ (i % 11 == k);
        let bits: Vec<u32> = (0..60)
            .map(|i| (0..lanes).map(|k| (pos(i, k) as u32) << k).sum())
            .collect();
        let block = solve_block::<8>(&local, &bits, lanes, &sq, &tight(), &mut Seed(0).rng("b"));
        assert_eq!(block.len(), lanes);
        for (k, sol) in block.iter().enumerate() {
            let positive: Vec<bool> = (0..60).map(|i| pos(i, k)).collect();
            assert!(positive.iter().any(|&p| p) && !positive.iter().all(|&p| p));
            assert_kkt(&local, &positive, sol, 2e-2);
            // Alone in a block of its own, the lane reaches the same optimum.
            let one: Vec<u32> = positive.iter().map(|&p| p as u32).collect();
            let alone = solve_block::<4>(&local, &one, 1, &sq, &tight(), &mut Seed(9).rng("a"));
            for (a, s) in alone[0].w.iter().zip(&sol.w) {
                assert!((a - s).abs() < 2e-2, "lane {k}: {a} vs {s}");
            }
        }
    }

    #[test]
    fn lanes_iterator_lists_set_bits() {
        assert_eq!(Lanes(0b1010_0101).collect::<Vec<_>>(), vec![0, 2, 5, 7]);
        assert_eq!(Lanes(0).count(), 0);
    }
}
