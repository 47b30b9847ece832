//! In-memory matrices: dense row-major and compressed sparse row (CSR).

use tessera_core::{Error, Result};

/// A dense row-major `rows × cols` matrix of `f32`.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseMatrix {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// `rows * cols` values, row by row.
    pub data: Vec<f32>,
}

impl DenseMatrix {
    /// Wraps `data`, checking that its length is `rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Result<Self> {
        if data.len() != rows * cols {
            return Err(Error::input(
                "dense matrix",
                "data",
                format!("{rows}×{cols} = {} values", rows * cols),
                format!("{} values", data.len()),
            ));
        }
        Ok(DenseMatrix { rows, cols, data })
    }

    /// A matrix of zeros.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        DenseMatrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The rows at `indices`, in that order.
    pub fn select_rows(&self, indices: &[usize]) -> DenseMatrix {
        let mut data = Vec::with_capacity(indices.len() * self.cols);
        for &i in indices {
            data.extend_from_slice(self.row(i));
        }
        DenseMatrix {
            rows: indices.len(),
            cols: self.cols,
            data,
        }
    }

    /// The first non-finite value as (row, col, value), if any.
    pub fn first_non_finite(&self) -> Option<(usize, usize, f32)> {
        let pos = self.data.iter().position(|v| !v.is_finite())?;
        Some((
            pos / self.cols.max(1),
            pos % self.cols.max(1),
            self.data[pos],
        ))
    }
}

/// A compressed sparse row matrix of `f32`.
#[derive(Clone, Debug, PartialEq)]
pub struct CsrMatrix {
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Row pointer: row `i` occupies `indptr[i]..indptr[i + 1]`.
    pub indptr: Vec<usize>,
    /// Column index of each stored value.
    pub indices: Vec<u32>,
    /// Stored values.
    pub data: Vec<f32>,
}

impl CsrMatrix {
    /// Builds a CSR matrix, checking every structural invariant.
    ///
    /// `source` names where the arrays came from, for error messages.
    pub fn new(
        source: &str,
        rows: usize,
        cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<f32>,
    ) -> Result<Self> {
        if indptr.len() != rows + 1 {
            return Err(Error::input(
                source,
                "indptr",
                format!("length rows + 1 = {}", rows + 1),
                format!("length {}", indptr.len()),
            ));
        }
        if indptr.first() != Some(&0) {
            return Err(Error::input(
                source,
                "indptr[0]",
                "0",
                format!("{:?}", indptr.first()),
            ));
        }
        if let Some(i) = indptr.windows(2).position(|w| w[1] < w[0]) {
            return Err(Error::input(
                source,
                format!("indptr[{}]", i + 1),
                "a non-decreasing row pointer",
                format!("{} after {}", indptr[i + 1], indptr[i]),
            ));
        }
        let nnz = indptr[rows];
        if indices.len() != nnz || data.len() != nnz {
            return Err(Error::input(
                source,
                "indices/data",
                format!("{nnz} entries (indptr[-1])"),
                format!("{} indices and {} values", indices.len(), data.len()),
            ));
        }
        if let Some(p) = indices.iter().position(|&c| c as usize >= cols) {
            let row = indptr.partition_point(|&s| s <= p) - 1;
            return Err(Error::input(
                source,
                format!("indices[{p}] (row {row})"),
                format!("a column index < {cols}"),
                indices[p].to_string(),
            ));
        }
        if let Some(p) = data.iter().position(|v| !v.is_finite()) {
            let row = indptr.partition_point(|&s| s <= p) - 1;
            return Err(Error::input(
                source,
                format!("data[{p}] (row {row})"),
                "a finite value",
                data[p].to_string(),
            ));
        }
        Ok(CsrMatrix {
            rows,
            cols,
            indptr,
            indices,
            data,
        })
    }

    /// Number of stored values.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Column indices and values of row `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.data[r])
    }

    /// The dense form (use only for matrices that fit in memory densely).
    pub fn to_dense(&self) -> DenseMatrix {
        let mut out = DenseMatrix::zeros(self.rows, self.cols);
        for i in 0..self.rows {
            let (cols, vals) = self.row(i);
            for (&c, &v) in cols.iter().zip(vals) {
                out.data[i * self.cols + c as usize] += v;
            }
        }
        out
    }

    /// Divides each row by its sum (rows summing to zero are left as they are).
    pub fn row_normalize_l1(&mut self) {
        for i in 0..self.rows {
            let r = self.indptr[i]..self.indptr[i + 1];
            let sum: f32 = self.data[r.clone()].iter().sum();
            if sum != 0.0 {
                self.data[r].iter_mut().for_each(|v| *v /= sum);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_round_trips_to_dense_and_normalises() {
        let mut m =
            CsrMatrix::new("t", 2, 3, vec![0, 2, 3], vec![0, 2, 1], vec![1.0, 3.0, 2.0]).unwrap();
        assert_eq!(m.to_dense().data, vec![1.0, 0.0, 3.0, 0.0, 2.0, 0.0]);
        m.row_normalize_l1();
        assert_eq!(m.row(0).1, &[0.25, 0.75]);
    }

    #[test]
    fn csr_rejects_bad_structure_with_location() {
        let e =
            CsrMatrix::new("f.npz", 2, 3, vec![0, 1, 2], vec![0, 7], vec![1.0, 1.0]).unwrap_err();
        assert!(e.to_string().contains("indices[1] (row 1)"), "{e}");
        let e = CsrMatrix::new("f.npz", 2, 3, vec![0, 2], vec![0], vec![1.0]).unwrap_err();
        assert!(e.to_string().contains("indptr"), "{e}");
        let e = CsrMatrix::new("f.npz", 1, 3, vec![0, 1], vec![0], vec![f32::NAN]).unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
    }

    #[test]
    fn dense_checks_length_and_finds_non_finite() {
        assert!(DenseMatrix::new(2, 2, vec![0.0; 3]).is_err());
        let m = DenseMatrix::new(2, 2, vec![0.0, 1.0, f32::INFINITY, 0.0]).unwrap();
        assert_eq!(m.first_non_finite(), Some((1, 0, f32::INFINITY)));
        assert_eq!(
            m.select_rows(&[1, 0]).data,
            vec![f32::INFINITY, 0.0, 0.0, 1.0]
        );
    }
}
