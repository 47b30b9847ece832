//! [`NodeFeatures`]: node features held as a sparse operator, so that the
//! first layer's `X·W` is a CSR product (bag-of-words features are ~1 % dense);
//! appended dense columns go through a GEMM instead.

use crate::dropout::mask_from;
use burn::tensor::{Tensor, TensorData, backend::Backend};
use std::sync::Arc;
use tessera_core::kernels::{CsrOperator, spmm};
use tessera_core::{Error, Result, Rng};
use tessera_data::{CsrMatrix, DenseMatrix, Features};

/// An `N × d` feature matrix: a CSR block (zeros of dense inputs are
/// dropped), optionally followed by dense columns (e.g. Cold Brew's
/// appended teacher-space vectors), whose share of `X·W` is a GEMM.
#[derive(Clone, Debug)]
pub struct NodeFeatures {
    op: CsrOperator,
    dense: Option<DenseBlock>,
}

/// Dense columns appended after the CSR block (row-major, `rows × width`).
#[derive(Clone, Debug)]
struct DenseBlock {
    width: usize,
    values: Arc<Vec<f32>>,
}

impl NodeFeatures {
    /// From CSR features; with `row_normalize` each row is divided by its sum (Planetoid practice).
    pub fn from_csr(m: &CsrMatrix, row_normalize: bool) -> Result<Self> {
        let mut m = m.clone();
        if row_normalize {
            m.row_normalize_l1();
        }
        Ok(NodeFeatures {
            op: CsrOperator::new(m.rows, m.cols, m.indptr, m.indices, m.data)?,
            dense: None,
        })
    }

    /// From dense features (rejects non-finite values, naming row and column).
    pub fn from_dense(source: &str, m: &DenseMatrix, row_normalize: bool) -> Result<Self> {
        if let Some((r, c, v)) = m.first_non_finite() {
            return Err(Error::input(
                source,
                format!("features row {r}, column {c}"),
                "a finite value",
                v.to_string(),
            ));
        }
        let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
        for r in 0..m.rows {
            for (c, &v) in m.row(r).iter().enumerate() {
                if v != 0.0 {
                    indices.push(c as u32);
                    data.push(v);
                }
            }
            indptr.push(indices.len());
        }
        let csr = CsrMatrix::new(source, m.rows, m.cols, indptr, indices, data)?;
        Self::from_csr(&csr, row_normalize)
    }

    /// From a dataset's features, dense or sparse.
    pub fn from_features(source: &str, f: &Features, row_normalize: bool) -> Result<Self> {
        match f {
            Features::Dense(m) => Self::from_dense(source, m, row_normalize),
            Features::Sparse(m) => Self::from_csr(m, row_normalize),
        }
    }

    /// Number of nodes (rows).
    pub fn rows(&self) -> usize {
        self.op.rows()
    }

    /// Feature dimension (columns): the CSR block's and the dense block's.
    pub fn cols(&self) -> usize {
        self.op.cols() + self.dense_width()
    }

    fn dense_width(&self) -> usize {
        self.dense.as_ref().map_or(0, |d| d.width)
    }

    /// The rows at `nodes`, in that order.
    pub fn select_rows(&self, nodes: &[usize]) -> Self {
        NodeFeatures {
            op: self.op.select_rows(nodes),
            dense: self.dense.as_ref().map(|d| DenseBlock {
                width: d.width,
                values: Arc::new(
                    nodes
                        .iter()
                        .flat_map(|&i| d.values[i * d.width..(i + 1) * d.width].iter().copied())
                        .collect(),
                ),
            }),
        }
    }

    /// `[X, extra]`: the features with `extra` (row-major, `rows × width`)
    /// appended as dense columns.
    ///
    /// Errors if `extra` does not hold `rows × width` finite values.
    pub fn hstack_dense(&self, extra: &[f32], width: usize) -> Result<Self> {
        if extra.len() != self.rows() * width {
            return Err(Error::input(
                "appended columns",
                "shape",
                format!("{} × {width} values", self.rows()),
                format!("{} values", extra.len()),
            ));
        }
        if let Some(p) = extra.iter().position(|v| !v.is_finite()) {
            return Err(Error::input(
                "appended columns",
                format!("row {}, column {}", p / width, p % width),
                "a finite value",
                extra[p].to_string(),
            ));
        }
        let old = self.dense_width();
        let total = old + width;
        let mut values = Vec::with_capacity(self.rows() * total);
        for i in 0..self.rows() {
            if let Some(d) = &self.dense {
                values.extend_from_slice(&d.values[i * old..(i + 1) * old]);
            }
            values.extend_from_slice(&extra[i * width..(i + 1) * width]);
        }
        Ok(NodeFeatures {
            op: self.op.clone(),
            dense: Some(DenseBlock {
                width: total,
                values: Arc::new(values),
            }),
        })
    }

    /// Inverted dropout on the stored entries (zeros stay zero, so this equals
    /// dense dropout); dropped sparse entries leave the operator, so the
    /// products that follow skip them.
    pub fn dropout(&self, prob: f64, rng: &mut Rng) -> Self {
        if prob <= 0.0 {
            return self.clone();
        }
        let sparse = mask_from(rng, self.op.nnz(), prob);
        NodeFeatures {
            op: self.op.map_values(|p, v| v * sparse[p]),
            dense: self.dense.as_ref().map(|d| {
                let m = mask_from(rng, d.values.len(), prob);
                DenseBlock {
                    width: d.width,
                    values: Arc::new(d.values.iter().zip(&m).map(|(v, k)| v * k).collect()),
                }
            }),
        }
    }

    /// `X · W` (differentiable in `W`, which has [`cols`](Self::cols) rows):
    /// the CSR block through the sparse kernel, the dense block as a GEMM.
    pub fn matmul<B: Backend>(&self, w: Tensor<B, 2>) -> Tensor<B, 2> {
        let Some(d) = &self.dense else {
            return spmm(&self.op, w);
        };
        let [_, out] = w.dims();
        let sparse_cols = self.op.cols();
        let device = w.device();
        let block = Tensor::<B, 2>::from_data(
            TensorData::new(d.values.to_vec(), [self.rows(), d.width]),
            &device,
        );
        let w_dense = w
            .clone()
            .slice([sparse_cols..sparse_cols + d.width, 0..out]);
        let y = block.matmul(w_dense);
        if sparse_cols == 0 {
            return y;
        }
        y + spmm(&self.op, w.slice([0..sparse_cols, 0..out]))
    }

    /// Row `i` as dense values.
    pub fn dense_row(&self, i: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; self.cols()];
        let (cols, vals) = self.op.row(i);
        cols.iter()
            .zip(vals)
            .for_each(|(&c, &v)| out[c as usize] = v);
        if let Some(d) = &self.dense {
            out[self.op.cols()..].copy_from_slice(&d.values[i * d.width..(i + 1) * d.width]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng as _;
    use tessera_core::Seed;

    #[test]
    fn dense_input_normalises_selects_and_drops_out() {
        let m = DenseMatrix::new(2, 3, vec![1.0, 0.0, 3.0, 0.0, 2.0, 0.0]).unwrap();
        let x = NodeFeatures::from_dense("x.npy", &m, true).unwrap();
        assert_eq!(x.dense_row(0), vec![0.25, 0.0, 0.75]);
        assert_eq!(x.select_rows(&[1]).dense_row(0), vec![0.0, 1.0, 0.0]);
        let wide = x.hstack_dense(&[5.0, 6.0], 1).unwrap();
        assert_eq!(wide.dense_row(1), vec![0.0, 1.0, 0.0, 6.0]);
        assert!(x.hstack_dense(&[1.0], 1).is_err());
        let d = x.dropout(0.5, &mut Seed(1).rng("d"));
        for v in d.dense_row(0).iter().chain(&d.dense_row(1)) {
            assert!([0.0, 0.5, 1.5, 2.0].contains(v), "{v}");
        }
        let bad = DenseMatrix::new(1, 2, vec![0.0, f32::NAN]).unwrap();
        let e = NodeFeatures::from_dense("x.npy", &bad, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.npy") && e.contains("row 0, column 1"), "{e}");
    }

    /// `X·W` and its gradient in `W`, sparse (CSR block + dense block) against a dense matmul.
    #[test]
    fn sparse_first_layer_equals_dense_first_layer() {
        use burn::tensor::Tensor;
        use tessera_core::backend::CpuAutodiff;
        type B = CpuAutodiff;
        let (rows, cols, extra_w, out) = (9, 13, 3, 4);
        let mut rng = Seed(3).rng("x");
        let m: Vec<f32> = (0..rows * cols)
            .map(|_| {
                if rng.random_bool(0.2) {
                    rng.random_range(0.1f32..1.0)
                } else {
                    0.0
                }
            })
            .collect();
        let extra: Vec<f32> = (0..rows * extra_w)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        let x = NodeFeatures::from_dense("x", &DenseMatrix::new(rows, cols, m).unwrap(), true)
            .unwrap()
            .hstack_dense(&extra, extra_w)
            .unwrap();
        let width = cols + extra_w;
        assert_eq!(x.cols(), width);
        let dense: Vec<f32> = (0..rows).flat_map(|i| x.dense_row(i)).collect();
        let device = Default::default();
        let w0: Vec<f32> = (0..width * out)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        let weight = || {
            Tensor::<B, 2>::from_data(TensorData::new(w0.clone(), [width, out]), &device)
                .require_grad()
        };
        let g: Tensor<B, 2> = Tensor::from_data(
            TensorData::new(
                (0..rows * out)
                    .map(|v| (v % 5) as f32 - 2.0)
                    .collect::<Vec<_>>(),
                [rows, out],
            ),
            &device,
        );
        let (w1, w2) = (weight(), weight());
        let y1 = x
            .select_rows(&(0..rows).collect::<Vec<_>>())
            .matmul(w1.clone());
        let y2 = Tensor::<B, 2>::from_data(TensorData::new(dense, [rows, width]), &device)
            .matmul(w2.clone());
        let values = |t: Tensor<B, 2>| t.into_data().into_vec::<f32>().unwrap();
        for (a, b) in values(y1.clone()).iter().zip(values(y2.clone())) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        let (d1, d2) = (
            w1.grad(&(y1 * g.clone()).sum().backward()).unwrap(),
            w2.grad(&(y2 * g).sum().backward()).unwrap(),
        );
        let (d1, d2) = (
            d1.into_data().into_vec::<f32>().unwrap(),
            d2.into_data().into_vec::<f32>().unwrap(),
        );
        assert!(d1.iter().any(|v| v.abs() > 1e-2));
        for (a, b) in d1.iter().zip(&d2) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}
