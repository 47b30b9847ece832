//! The fixed linear-probe protocol: multinomial logistic regression on frozen
//! embeddings.
//!
//! Protocol (identical for every model so numbers compare): standardise
//! features with training statistics, zero-initialised weights and biases,
//! 300 full-batch Adam steps (lr 0.05, β = 0.9/0.999), L2 penalty 1e-4 on
//! the weights, float64 throughout; accuracy of the argmax on the test rows.

use rayon::prelude::*;
use tessera_data::DenseMatrix;

/// Adam steps of the probe.
const STEPS: usize = 300;
/// Adam learning rate.
const LR: f64 = 0.05;
/// L2 penalty on the weights.
const L2: f64 = 1e-4;

/// Test accuracy of a logistic-regression probe trained on `(train, y_train)`.
pub fn linear_probe(
    train: &DenseMatrix,
    y_train: &[usize],
    test: &DenseMatrix,
    y_test: &[usize],
) -> f64 {
    let classes = y_train.iter().chain(y_test).max().map_or(1, |m| m + 1);
    let d = train.cols;
    let (mean, std) = column_stats(train);
    let standardise = |x: &DenseMatrix| -> Vec<f64> {
        x.data
            .iter()
            .enumerate()
            .map(|(k, &v)| (f64::from(v) - mean[k % d]) / std[k % d])
            .collect()
    };
    let (xtr, xte) = (standardise(train), standardise(test));
    let p = (d + 1) * classes; // weights d×C then biases C
    let (mut w, mut m, mut v) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
    let n = train.rows as f64;
    for step in 1..=STEPS {
        let grad = gradient(&w, &xtr, y_train, classes);
        let (b1, b2) = (0.9f64, 0.999f64);
        for k in 0..p {
            let g = grad[k] / n + if k < d * classes { L2 * w[k] } else { 0.0 };
            m[k] = b1 * m[k] + (1.0 - b1) * g;
            v[k] = b2 * v[k] + (1.0 - b2) * g * g;
            let (mh, vh) = (
                m[k] / (1.0 - b1.powi(step as i32)),
                v[k] / (1.0 - b2.powi(step as i32)),
            );
            w[k] -= LR * mh / (vh.sqrt() + 1e-8);
        }
    }
    let correct = xte
        .chunks(d)
        .zip(y_test)
        .filter(|(x, y)| argmax(&logits(&w, x, classes)) == **y)
        .count();
    correct as f64 / y_test.len().max(1) as f64
}

fn column_stats(x: &DenseMatrix) -> (Vec<f64>, Vec<f64>) {
    let n = x.rows.max(1) as f64;
    let mut mean = vec![0.0; x.cols];
    let mut sq = vec![0.0; x.cols];
    for r in 0..x.rows {
        for (c, &v) in x.row(r).iter().enumerate() {
            mean[c] += f64::from(v) / n;
            sq[c] += f64::from(v) * f64::from(v) / n;
        }
    }
    let std = sq
        .iter()
        .zip(&mean)
        .map(|(s, m)| (s - m * m).max(0.0).sqrt())
        .map(|s| if s > 1e-9 { s } else { 1.0 })
        .collect();
    (mean, std)
}

/// Rows per parallel piece of the gradient; the pieces are summed in order,
/// so the result does not depend on the thread count or scheduling.
const PIECE: usize = 256;

/// Sum over rows of the cross-entropy gradient (weights d×C, then biases C).
fn gradient(w: &[f64], x: &[f64], y: &[usize], classes: usize) -> Vec<f64> {
    let d = w.len() / classes - 1;
    let pieces: Vec<Vec<f64>> = x
        .par_chunks(PIECE * d.max(1))
        .zip(y.par_chunks(PIECE))
        .map(|(xs, ys)| {
            let mut g = vec![0.0; w.len()];
            let mut e = vec![0.0; classes];
            for (row, &label) in xs.chunks(d.max(1)).zip(ys) {
                logits_into(w, row, &mut e);
                softmax_in_place(&mut e);
                e[label] -= 1.0;
                for (gj, &xj) in g.chunks_exact_mut(classes).zip(row) {
                    for (gc, ec) in gj.iter_mut().zip(&e) {
                        *gc += ec * xj;
                    }
                }
                for (gc, ec) in g[d * classes..].iter_mut().zip(&e) {
                    *gc += ec;
                }
            }
            g
        })
        .collect();
    let mut total = vec![0.0; w.len()];
    for piece in &pieces {
        for (t, g) in total.iter_mut().zip(piece) {
            *t += g;
        }
    }
    total
}

/// `out = bias + x · W` for one row.
fn logits_into(w: &[f64], x: &[f64], out: &mut [f64]) {
    let classes = out.len();
    out.copy_from_slice(&w[x.len() * classes..]);
    for (wj, &xj) in w.chunks_exact(classes).zip(x) {
        for (o, wc) in out.iter_mut().zip(wj) {
            *o += wc * xj;
        }
    }
}

fn logits(w: &[f64], x: &[f64], classes: usize) -> Vec<f64> {
    let mut out = vec![0.0; classes];
    logits_into(w, x, &mut out);
    out
}

fn softmax_in_place(z: &mut [f64]) {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    z.iter_mut().for_each(|v| *v /= s);
}

/// Index of the largest value (first on ties).
pub fn argmax(v: &[f64]) -> usize {
    v.iter()
        .enumerate()
        .fold(0, |best, (i, &x)| if x > v[best] { i } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;
    use tessera_core::Seed;

    fn blobs(n: usize, sep: f32, seed: u64) -> (DenseMatrix, Vec<usize>) {
        let mut rng = Seed(seed).rng("blobs");
        let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let data = y
            .iter()
            .flat_map(|&c| {
                (0..4)
                    .map(|j| if j == c { sep } else { 0.0 } + rng.random_range(-1.0..1.0))
                    .collect::<Vec<_>>()
            })
            .collect();
        (DenseMatrix::new(n, 4, data).unwrap(), y)
    }

    #[test]
    fn separable_classes_are_learned_and_noise_is_chance() {
        let (xtr, ytr) = blobs(300, 4.0, 1);
        let (xte, yte) = blobs(150, 4.0, 2);
        assert!(linear_probe(&xtr, &ytr, &xte, &yte) > 0.97);
        let (xtr, ytr) = blobs(300, 0.0, 3);
        let (xte, yte) = blobs(300, 0.0, 4);
        let acc = linear_probe(&xtr, &ytr, &xte, &yte);
        assert!((acc - 1.0 / 3.0).abs() < 0.1, "{acc}");
    }
}
