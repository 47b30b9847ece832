//! The fixed linear-probe protocol: multinomial logistic regression on frozen
//! embeddings.
//!
//! Protocol (identical for every model so numbers compare): standardise
//! features with training statistics, zero-initialised weights and biases,
//! 300 full-batch Adam steps (lr 0.05, β = 0.9/0.999), L2 penalty 1e-4 on
//! the weights, float64 throughout; accuracy of the argmax on the test rows.

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

/// `a · b` for row-major `a` (m×k) and `b` (k×n); with `a_transposed`, `aᵀ · b`
/// for row-major `a` of k×m. Single-threaded, so the sums are reproducible.
fn matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize, a_transposed: bool) -> Vec<f64> {
    assert!(a.len() == m * k && b.len() == k * n, "matmul shapes");
    let mut c = vec![0.0; m * n];
    if m * n * k == 0 {
        return c;
    }
    let (a_cs, a_rs) = if a_transposed {
        (m as isize, 1)
    } else {
        (1, k as isize)
    };
    // SAFETY: the lengths are checked above, the strides address exactly those
    // row-major buffers, `c` is a distinct, exclusively borrowed m×n buffer,
    // and `read_dst = false` means its initial contents are not read.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
    c
}

/// Sum over rows of the cross-entropy gradient (weights d×C, then biases C).
fn gradient(w: &[f64], x: &[f64], y: &[usize], classes: usize) -> Vec<f64> {
    let d = w.len() / classes - 1;
    let n = y.len();
    // E = softmax(X·W + b) − onehot(y), row by row.
    let mut e = matmul(x, &w[..d * classes], n, d, classes, false);
    let bias = &w[d * classes..];
    let mut grad_b = vec![0.0; classes];
    for (row, &label) in e.chunks_exact_mut(classes).zip(y) {
        row.iter_mut().zip(bias).for_each(|(v, b)| *v += b);
        softmax_in_place(row);
        row[label] -= 1.0;
        grad_b.iter_mut().zip(row.iter()).for_each(|(g, v)| *g += v);
    }
    let mut grad = matmul(x, &e, d, n, classes, true);
    grad.extend(grad_b);
    grad
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

    #[test]
    fn gradient_equals_the_row_by_row_cross_entropy_gradient() {
        let (d, classes, n) = (5, 3, 37);
        let mut rng = Seed(9).rng("grad");
        let w: Vec<f64> = (0..(d + 1) * classes)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-2.0..2.0)).collect();
        let y: Vec<usize> = (0..n).map(|i| (i * 7) % classes).collect();
        let mut want = vec![0.0; w.len()];
        for (row, &label) in x.chunks(d).zip(&y) {
            let mut p = logits(&w, row, classes);
            softmax_in_place(&mut p);
            for c in 0..classes {
                let e = p[c] - f64::from(u8::from(c == label));
                for j in 0..d {
                    want[j * classes + c] += e * row[j];
                }
                want[d * classes + c] += e;
            }
        }
        let got = gradient(&w, &x, &y, classes);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-10, "{g} vs {w}");
        }
    }
}
