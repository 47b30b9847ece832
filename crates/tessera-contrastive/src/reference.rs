//! Direct float64 reference implementations and finite-difference helpers (tests only).

use burn::tensor::{Tensor, TensorData, backend::Backend};
use rand::{Rng as _, SeedableRng};

/// A small dense float64 matrix.
#[derive(Clone, Debug)]
pub struct Mat {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Mat {
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    pub fn tensor<B: Backend>(&self) -> Tensor<B, 2> {
        let data: Vec<f32> = self.data.iter().map(|&v| v as f32).collect();
        Tensor::from_data(
            TensorData::new(data, [self.rows, self.cols]),
            &Default::default(),
        )
    }

    pub fn from_tensor<B: Backend>(t: Tensor<B, 2>) -> Mat {
        let [rows, cols] = t.dims();
        let data = t.into_data().convert::<f64>().to_vec::<f64>().unwrap();
        Mat { rows, cols, data }
    }
}

/// A one-element tensor.
pub fn scalar<B: Backend>(v: f32) -> Tensor<B, 1> {
    Tensor::from_data(TensorData::new(vec![v], [1]), &Default::default())
}

/// Random matrix with unit-norm rows.
pub fn unit(rows: usize, cols: usize, seed: u64) -> Mat {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut data: Vec<f64> = (0..rows * cols)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    for r in data.chunks_mut(cols) {
        let n = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        r.iter_mut().for_each(|v| *v /= n);
    }
    Mat { rows, cols, data }
}

/// Two independent unit-row matrices.
pub fn unit_pair(rows: usize, cols: usize, seed: u64) -> (Mat, Mat) {
    (unit(rows, cols, seed), unit(rows, cols, seed + 100))
}

pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One InfoNCE direction: rows of `z` are anchors against rows of `w`.
pub fn infonce(z: &Mat, w: &Mat, scale: f64, negatives_only: bool) -> f64 {
    let n = z.rows;
    let mut total = 0.0;
    for i in 0..n {
        let denom: f64 = (0..n)
            .filter(|&j| !(negatives_only && j == i))
            .map(|j| (scale * dot(z.row(i), w.row(j))).exp())
            .sum();
        total += -scale * dot(z.row(i), w.row(i)) + denom.ln();
    }
    total / n as f64
}

pub fn symmetric_infonce(z: &Mat, w: &Mat, scale: f64, negatives_only: bool) -> f64 {
    (infonce(z, w, scale, negatives_only) + infonce(w, z, scale, negatives_only)) / 2.0
}

/// Central finite-difference gradient of `f` at `x`.
pub fn fd_grad(x: &Mat, f: impl Fn(&Mat) -> f64) -> Mat {
    let h = 1e-5;
    let mut g = x.clone();
    for k in 0..x.data.len() {
        let mut p = x.clone();
        p.data[k] += h;
        let up = f(&p);
        p.data[k] -= 2.0 * h;
        g.data[k] = (up - f(&p)) / (2.0 * h);
    }
    g
}

/// Asserts `got ≈ want` with a tolerance relative to the largest entry of `want`.
pub fn assert_grad(got: &Mat, want: &Mat, tol: f64) {
    let scale = want.data.iter().fold(1e-3f64, |m, v| m.max(v.abs()));
    for (k, (a, b)) in got.data.iter().zip(&want.data).enumerate() {
        assert!(
            (a - b).abs() <= tol * scale,
            "entry {k}: autodiff {a} vs finite difference {b} (scale {scale})"
        );
    }
}

/// One direction of the M-step loss with explicit ν: mean_i [−α s_ii + ν_i mean_{j≠i} e^{s_ij}].
pub fn decomposable_mstep(z: &Mat, w: &Mat, scale: f64, alpha: f64, nu: &[f64]) -> f64 {
    let n = z.rows;
    let mut total = 0.0;
    for (i, nu_i) in nu.iter().enumerate().take(n) {
        let pooled: f64 = (0..n)
            .filter(|&j| j != i)
            .map(|j| (scale * dot(z.row(i), w.row(j))).exp())
            .sum::<f64>()
            / (n - 1) as f64;
        total += -alpha * scale * dot(z.row(i), w.row(i)) + nu_i * pooled;
    }
    total / n as f64
}
