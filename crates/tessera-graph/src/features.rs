//! [`NodeFeatures`]: node features held as a sparse operator, so that the
//! first layer's `X·W` is a CSR product (bag-of-words features are ~1 % dense).

use burn::nn::Linear;
use burn::tensor::{Tensor, backend::Backend};
use rand::Rng as _;
use tessera_core::kernels::{CsrOperator, spmm};
use tessera_core::{Error, Result, Rng};
use tessera_data::{CsrMatrix, DenseMatrix, Features};

/// An `N × d` feature matrix stored as CSR (zeros of dense inputs are dropped).
#[derive(Clone, Debug)]
pub struct NodeFeatures {
    op: CsrOperator,
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

    /// Feature dimension (columns).
    pub fn cols(&self) -> usize {
        self.op.cols()
    }

    /// The rows at `nodes`, in that order.
    pub fn select_rows(&self, nodes: &[usize]) -> Self {
        NodeFeatures {
            op: self.op.select_rows(nodes),
        }
    }

    /// `[X, extra]`: the features with `extra` (row-major, `rows × width`) appended as dense columns.
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
        let cols = self.cols();
        let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
        for i in 0..self.rows() {
            let (c, v) = self.op.row(i);
            indices.extend_from_slice(c);
            data.extend_from_slice(v);
            for (c, &v) in extra[i * width..(i + 1) * width].iter().enumerate() {
                indices.push((cols + c) as u32);
                data.push(v);
            }
            indptr.push(indices.len());
        }
        Ok(NodeFeatures {
            op: CsrOperator::new(self.rows(), cols + width, indptr, indices, data)?,
        })
    }

    /// Inverted dropout on the stored entries (zeros stay zero, so this equals dense dropout).
    pub fn dropout(&self, prob: f64, rng: &mut Rng) -> Self {
        if prob <= 0.0 {
            return self.clone();
        }
        let scale = (1.0 / (1.0 - prob)) as f32;
        NodeFeatures {
            op: self.op.map_values(|_, v| {
                if rng.random_bool(prob) {
                    0.0
                } else {
                    v * scale
                }
            }),
        }
    }

    /// `X · W + b` for a burn [`Linear`] layer (row layout, `W` is `d × out`).
    pub fn linear<B: Backend>(&self, layer: &Linear<B>) -> Tensor<B, 2> {
        let y = self.matmul(layer.weight.val());
        match &layer.bias {
            Some(b) => y + b.val().unsqueeze(),
            None => y,
        }
    }

    /// `X · W` through the CSR kernel (differentiable in `W`).
    pub fn matmul<B: Backend>(&self, w: Tensor<B, 2>) -> Tensor<B, 2> {
        spmm(&self.op, w)
    }

    /// Row `i` as dense values.
    pub fn dense_row(&self, i: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; self.cols()];
        let (cols, vals) = self.op.row(i);
        cols.iter()
            .zip(vals)
            .for_each(|(&c, &v)| out[c as usize] = v);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
