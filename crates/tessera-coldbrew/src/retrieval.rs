//! Virtual neighbours: for each query row, one GEMM against the teacher
//! targets, a partial top-K per row, and a softmax-weighted mean of the K
//! retrieved targets. No per-node loop over tensors.
//!
//! [`Neighbourhoods`] keeps, per query, the K best and the K worst raw
//! scores with their target ids, so the aggregate can be recomputed cheaply
//! at any temperature: the official code scores `α₀·ê` (softmax at
//! temperature `1/α₀`, the bottom K when `α₀ < 0`), and α₀ is learned.

use burn::tensor::{Tensor, TensorData, backend::Backend};
use rayon::prelude::*;

/// Query rows scored per GEMM (bounds memory to `CHUNK × N` scores).
const CHUNK: usize = 2048;

/// For each query, the ids and raw scores `q_i·Ē_j` of its K best and K
/// worst targets (ties by lower id).
#[derive(Clone, Debug)]
pub struct Neighbourhoods {
    k: usize,
    /// Per query: `k` ids of the best scores, then `k` ids of the worst.
    ids: Vec<u32>,
    /// The matching raw scores.
    scores: Vec<f32>,
}

impl Neighbourhoods {
    /// Scores every row of `queries` (`n_q × width`) against every row of
    /// `targets` (`N × width`). With `self_ids`, query `i` may not retrieve
    /// target `self_ids[i]`. `k` is capped at the number of candidates.
    pub fn new<B: Backend>(
        queries: &[f32],
        targets: &[f32],
        width: usize,
        k: usize,
        self_ids: Option<&[usize]>,
        device: &B::Device,
    ) -> Self {
        let n = targets.len() / width;
        let nq = queries.len() / width;
        let k = k.min(n.saturating_sub(usize::from(self_ids.is_some())));
        let keys_t =
            Tensor::<B, 2>::from_data(TensorData::new(targets.to_vec(), [n, width]), device)
                .transpose();
        let mut ids = vec![0u32; nq * 2 * k];
        let mut kept = vec![0.0f32; nq * 2 * k];
        for start in (0..nq).step_by(CHUNK) {
            let end = (start + CHUNK).min(nq);
            let q = Tensor::<B, 2>::from_data(
                TensorData::new(
                    queries[start * width..end * width].to_vec(),
                    [end - start, width],
                ),
                device,
            );
            let scores = q
                .matmul(keys_t.clone())
                .into_data()
                .convert::<f32>()
                .into_vec::<f32>()
                .expect("float scores");
            let span = start * 2 * k..end * 2 * k;
            ids[span.clone()]
                .par_chunks_mut(2 * k.max(1))
                .zip(kept[span].par_chunks_mut(2 * k.max(1)))
                .enumerate()
                .for_each(|(r, (ids, kept))| {
                    let own = self_ids.map(|o| o[start + r]);
                    extremes(&scores[r * n..(r + 1) * n], k, own, ids, kept);
                });
        }
        Neighbourhoods {
            k,
            ids,
            scores: kept,
        }
    }

    /// `softmax(scale·s) · Ē` over the K best targets of each query in
    /// `rows` (the K worst when `scale < 0`, as they then score highest);
    /// `rows × width`, row-major. `scale = 1` is the plain retrieval.
    pub fn aggregate(&self, rows: &[usize], targets: &[f32], width: usize, scale: f32) -> Vec<f32> {
        let mut out = vec![0.0f32; rows.len() * width];
        let k = self.k;
        if k == 0 {
            return out;
        }
        out.par_chunks_mut(width).zip(rows).for_each(|(row, &i)| {
            let base = i * 2 * k + if scale < 0.0 { k } else { 0 };
            let ids = &self.ids[base..base + k];
            let s: Vec<f32> = self.scores[base..base + k]
                .iter()
                .map(|v| scale * v)
                .collect();
            let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let weights: Vec<f32> = s.iter().map(|v| (v - max).exp()).collect();
            let total: f32 = weights.iter().sum();
            for (&j, w) in ids.iter().zip(&weights) {
                let w = w / total;
                let t = &targets[j as usize * width..(j as usize + 1) * width];
                for (o, t) in row.iter_mut().zip(t) {
                    *o += w * t;
                }
            }
        });
        out
    }
}

/// The `k` best then the `k` worst entries of one score row (ids and scores).
fn extremes(scores: &[f32], k: usize, own: Option<usize>, ids: &mut [u32], kept: &mut [f32]) {
    if k == 0 {
        return;
    }
    let mut cand: Vec<usize> = (0..scores.len()).filter(|&j| Some(j) != own).collect();
    for half in 0..2 {
        // The best first (ties by lower id), then the worst.
        let order = |a: &usize, b: &usize| {
            let by_score = scores[*b].total_cmp(&scores[*a]);
            if half == 0 {
                by_score
            } else {
                by_score.reverse()
            }
            .then(a.cmp(b))
        };
        if k < cand.len() {
            cand.select_nth_unstable_by(k - 1, order);
        }
        let mut pick = cand[..k].to_vec();
        pick.sort_by(order);
        for (slot, j) in pick.into_iter().enumerate() {
            ids[half * k + slot] = j as u32;
            kept[half * k + slot] = scores[j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::backend::Cpu;

    /// The plain retrieval (`scale = 1`) for every query.
    fn virtual_neighbours(
        q: &[f32],
        e: &[f32],
        w: usize,
        k: usize,
        own: Option<&[usize]>,
    ) -> Vec<f32> {
        let table = Neighbourhoods::new::<Cpu>(q, e, w, k, own, &Default::default());
        let rows: Vec<usize> = (0..q.len() / w).collect();
        table.aggregate(&rows, e, w, 1.0)
    }

    fn naive(q: &[f32], e: &[f32], w: usize, k: usize, own: Option<usize>) -> Vec<f32> {
        let n = e.len() / w;
        let mut s: Vec<(f32, usize)> = (0..n)
            .filter(|&j| Some(j) != own)
            .map(|j| ((0..w).map(|c| q[c] * e[j * w + c]).sum(), j))
            .collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        s.truncate(k);
        let z: f32 = s.iter().map(|(v, _)| v.exp()).sum();
        (0..w)
            .map(|c| s.iter().map(|(v, j)| v.exp() / z * e[j * w + c]).sum())
            .collect()
    }

    #[test]
    fn k_equal_n_is_the_softmax_weighted_mean() {
        let e = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let q = [0.5, -0.5];
        let got = virtual_neighbours(&q, &e, 2, 3, None);
        let s = [0.5f32, -0.5, 0.0];
        let z: f32 = s.iter().map(|v| v.exp()).sum();
        for c in 0..2 {
            let expect: f32 = (0..3).map(|j| s[j].exp() / z * e[j * 2 + c]).sum();
            assert!((got[c] - expect).abs() < 1e-6);
        }
        // equal scores: the plain mean of Ē
        let flat = virtual_neighbours(&[0.0, 0.0], &e, 2, 3, None);
        assert!((flat[0] - 2.0 / 3.0).abs() < 1e-6 && (flat[1] - 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn temperature_reweights_and_negative_alpha_takes_the_bottom_k() {
        let e: Vec<f32> = (0..40).map(|v| ((v * 7) % 11) as f32 / 5.0 - 1.0).collect();
        let q: Vec<f32> = (0..16).map(|v| ((v * 5) % 7) as f32 / 3.0 - 1.0).collect();
        let table = Neighbourhoods::new::<Cpu>(&q, &e, 4, 3, None, &Default::default());
        for alpha in [0.3f32, -0.7] {
            let got = table.aggregate(&[2, 0], &e, 4, alpha);
            for (r, i) in [2usize, 0].into_iter().enumerate() {
                let scaled: Vec<f32> = q[i * 4..(i + 1) * 4].iter().map(|v| alpha * v).collect();
                let want = naive(&scaled, &e, 4, 3, None);
                for c in 0..4 {
                    assert!((got[r * 4 + c] - want[c]).abs() < 1e-5, "α {alpha} row {i}");
                }
            }
        }
    }

    #[test]
    fn gemm_retrieval_equals_a_naive_loop_with_and_without_self() {
        let e: Vec<f32> = (0..40).map(|v| ((v * 7) % 11) as f32 / 5.0 - 1.0).collect();
        let q: Vec<f32> = (0..16).map(|v| ((v * 5) % 7) as f32 / 3.0 - 1.0).collect();
        for own in [None, Some(vec![0, 3, 5, 9])] {
            let got = virtual_neighbours(&q, &e, 4, 3, own.as_deref());
            for i in 0..4 {
                let want = naive(&q[i * 4..(i + 1) * 4], &e, 4, 3, own.as_ref().map(|o| o[i]));
                for c in 0..4 {
                    assert!((got[i * 4 + c] - want[c]).abs() < 1e-5, "row {i}");
                }
            }
        }
    }
}
