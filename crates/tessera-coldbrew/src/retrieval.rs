//! Virtual neighbours: for each query row, one GEMM against the teacher
//! targets, a partial top-K per row, and a softmax-weighted mean of the K
//! retrieved targets. No per-node loop over tensors.

use burn::tensor::{Tensor, TensorData, backend::Backend};
use rayon::prelude::*;

/// Query rows scored per GEMM (bounds memory to `CHUNK × N` scores).
const CHUNK: usize = 2048;

/// For each row `q_i` of `queries` (`n_q × w`), scores `s = q_i Ēᵀ` against
/// every row of `targets` (`N × w`), keeps the `k` best (ties by lower id),
/// and returns `softmax(s_topk) · Ē[topk]` (`n_q × w`, row-major).
/// With `self_ids`, query `i` may not retrieve target `self_ids[i]`.
pub fn virtual_neighbours<B: Backend>(
    queries: &[f32],
    targets: &[f32],
    width: usize,
    k: usize,
    self_ids: Option<&[usize]>,
    device: &B::Device,
) -> Vec<f32> {
    let n = targets.len() / width;
    let nq = queries.len() / width;
    let keys_t = Tensor::<B, 2>::from_data(TensorData::new(targets.to_vec(), [n, width]), device)
        .transpose();
    let mut out = vec![0.0f32; nq * width];
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
        out[start * width..end * width]
            .par_chunks_mut(width)
            .enumerate()
            .for_each(|(r, row)| {
                let i = start + r;
                let own = self_ids.map(|ids| ids[i]);
                aggregate(&scores[r * n..(r + 1) * n], targets, width, k, own, row);
            });
    }
    out
}

/// Top-`k` of one score row, softmax, weighted sum of target rows into `out`.
fn aggregate(
    scores: &[f32],
    targets: &[f32],
    width: usize,
    k: usize,
    own: Option<usize>,
    out: &mut [f32],
) {
    let mut ids: Vec<usize> = (0..scores.len()).filter(|&j| Some(j) != own).collect();
    let k = k.min(ids.len());
    if k == 0 {
        return;
    }
    let better = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if k < ids.len() {
        ids.select_nth_unstable_by(k - 1, better);
        ids.truncate(k);
    }
    let max = ids
        .iter()
        .map(|&j| scores[j])
        .fold(f32::NEG_INFINITY, f32::max);
    let weights: Vec<f32> = ids.iter().map(|&j| (scores[j] - max).exp()).collect();
    let total: f32 = weights.iter().sum();
    for (&j, w) in ids.iter().zip(&weights) {
        let w = w / total;
        for (o, t) in out.iter_mut().zip(&targets[j * width..(j + 1) * width]) {
            *o += w * t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::backend::Cpu;

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
        let got = virtual_neighbours::<Cpu>(&q, &e, 2, 3, None, &Default::default());
        let s = [0.5f32, -0.5, 0.0];
        let z: f32 = s.iter().map(|v| v.exp()).sum();
        for c in 0..2 {
            let expect: f32 = (0..3).map(|j| s[j].exp() / z * e[j * 2 + c]).sum();
            assert!((got[c] - expect).abs() < 1e-6);
        }
        // equal scores: the plain mean of Ē
        let flat = virtual_neighbours::<Cpu>(&[0.0, 0.0], &e, 2, 3, None, &Default::default());
        assert!((flat[0] - 2.0 / 3.0).abs() < 1e-6 && (flat[1] - 2.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn gemm_retrieval_equals_a_naive_loop_with_and_without_self() {
        let e: Vec<f32> = (0..40).map(|v| ((v * 7) % 11) as f32 / 5.0 - 1.0).collect();
        let q: Vec<f32> = (0..16).map(|v| ((v * 5) % 7) as f32 / 3.0 - 1.0).collect();
        for own in [None, Some(vec![0, 3, 5, 9])] {
            let got = virtual_neighbours::<Cpu>(&q, &e, 4, 3, own.as_deref(), &Default::default());
            for i in 0..4 {
                let want = naive(&q[i * 4..(i + 1) * 4], &e, 4, 3, own.as_ref().map(|o| o[i]));
                for c in 0..4 {
                    assert!((got[i * 4 + c] - want[c]).abs() < 1e-5, "row {i}");
                }
            }
        }
    }
}
