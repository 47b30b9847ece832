//! Sparse linear algebra on [`CsrMatrix`]: transpose, row normalisation,
//! sparse × sparse products and row selection, parallel with rayon.

use rayon::prelude::*;
use tessera_data::CsrMatrix;

/// Builds a CSR matrix from rows of (column, value) pairs, without re-validating.
pub(crate) fn from_rows(cols: usize, rows: Vec<(Vec<u32>, Vec<f32>)>) -> CsrMatrix {
    let mut indptr = Vec::with_capacity(rows.len() + 1);
    indptr.push(0);
    let nnz: usize = rows.iter().map(|r| r.0.len()).sum();
    let (mut indices, mut data) = (Vec::with_capacity(nnz), Vec::with_capacity(nnz));
    for (c, v) in &rows {
        indices.extend_from_slice(c);
        data.extend_from_slice(v);
        indptr.push(indices.len());
    }
    CsrMatrix {
        rows: rows.len(),
        cols,
        indptr,
        indices,
        data,
    }
}

/// The transpose (column indices come out sorted within each row).
pub fn transpose(m: &CsrMatrix) -> CsrMatrix {
    let mut counts = vec![0usize; m.cols + 1];
    for &c in &m.indices {
        counts[c as usize + 1] += 1;
    }
    for i in 0..m.cols {
        counts[i + 1] += counts[i];
    }
    let indptr = counts.clone();
    let mut next = counts;
    let mut indices = vec![0u32; m.nnz()];
    let mut data = vec![0f32; m.nnz()];
    for r in 0..m.rows {
        let (cols, vals) = m.row(r);
        for (&c, &v) in cols.iter().zip(vals) {
            let p = next[c as usize];
            indices[p] = r as u32;
            data[p] = v;
            next[c as usize] += 1;
        }
    }
    CsrMatrix {
        rows: m.cols,
        cols: m.rows,
        indptr,
        indices,
        data,
    }
}

/// Scales every row to unit ℓ2 norm (all-zero rows stay zero).
pub fn normalize_rows_l2(m: &mut CsrMatrix) {
    let indptr = &m.indptr;
    let mut chunks: Vec<&mut [f32]> = Vec::with_capacity(m.rows);
    let mut rest: &mut [f32] = &mut m.data;
    for w in indptr.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        chunks.push(head);
        rest = tail;
    }
    chunks.into_par_iter().for_each(|row| {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            row.iter_mut().for_each(|v| *v /= norm);
        }
    });
}

/// The rows at `rows`, in that order.
pub(crate) fn select_rows(m: &CsrMatrix, rows: &[usize]) -> CsrMatrix {
    from_rows(
        m.cols,
        rows.iter()
            .map(|&r| {
                let (c, v) = m.row(r);
                (c.to_vec(), v.to_vec())
            })
            .collect(),
    )
}

/// The product `a · b` (Gustavson's algorithm, one dense accumulator per worker).
///
/// Column indices of each output row are sorted; exact zeros from cancellation are kept out.
pub fn spmm(a: &CsrMatrix, b: &CsrMatrix) -> CsrMatrix {
    assert_eq!(a.cols, b.rows, "spmm: inner dimensions differ");
    let rows: Vec<(Vec<u32>, Vec<f32>)> = (0..a.rows)
        .into_par_iter()
        .map_init(
            || (vec![0f32; b.cols], vec![false; b.cols], Vec::<u32>::new()),
            |(acc, seen, touched), r| {
                let (ac, av) = a.row(r);
                for (&k, &x) in ac.iter().zip(av) {
                    let (bc, bv) = b.row(k as usize);
                    for (&j, &y) in bc.iter().zip(bv) {
                        let j = j as usize;
                        if !seen[j] {
                            seen[j] = true;
                            touched.push(j as u32);
                        }
                        acc[j] += x * y;
                    }
                }
                touched.sort_unstable();
                let mut cols = Vec::with_capacity(touched.len());
                let mut vals = Vec::with_capacity(touched.len());
                for &j in touched.iter() {
                    let v = acc[j as usize];
                    if v != 0.0 {
                        cols.push(j);
                        vals.push(v);
                    }
                    acc[j as usize] = 0.0;
                    seen[j as usize] = false;
                }
                touched.clear();
                (cols, vals)
            },
        )
        .collect();
    from_rows(b.cols, rows)
}

/// A subset of a matrix's rows with columns renumbered to `0..features.len()`.
///
/// Solvers and k-means on a small subset then work with dense vectors the size
/// of the subset's vocabulary instead of the full column count.
pub(crate) struct LocalRows {
    /// Row pointer into `indices` / `data`.
    pub indptr: Vec<usize>,
    /// Local column ids.
    pub indices: Vec<u32>,
    /// Values.
    pub data: Vec<f32>,
    /// Global column id of each local column.
    pub features: Vec<u32>,
}

impl LocalRows {
    /// Gathers rows `rows` of `m` (a per-thread scratch map keeps this O(nnz), not O(cols)).
    pub fn gather(m: &CsrMatrix, rows: &[u32]) -> LocalRows {
        thread_local! {
            static MAP: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        MAP.with(|cell| {
            let mut map = cell.borrow_mut();
            if map.len() < m.cols {
                map.resize(m.cols, u32::MAX);
            }
            Self::gather_with(m, rows, &mut map)
        })
    }

    fn gather_with(m: &CsrMatrix, rows: &[u32], map: &mut [u32]) -> LocalRows {
        let nnz: usize = rows
            .iter()
            .map(|&r| m.indptr[r as usize + 1] - m.indptr[r as usize])
            .sum();
        let mut out = LocalRows {
            indptr: Vec::with_capacity(rows.len() + 1),
            indices: Vec::with_capacity(nnz),
            data: Vec::with_capacity(nnz),
            features: Vec::new(),
        };
        out.indptr.push(0);
        for &r in rows {
            let (cols, vals) = m.row(r as usize);
            for (&c, &v) in cols.iter().zip(vals) {
                let slot = &mut map[c as usize];
                if *slot == u32::MAX {
                    *slot = out.features.len() as u32;
                    out.features.push(c);
                }
                out.indices.push(*slot);
                out.data.push(v);
            }
            out.indptr.push(out.indices.len());
        }
        for &f in &out.features {
            map[f as usize] = u32::MAX;
        }
        out
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Local columns and values of row `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let r = self.indptr[i]..self.indptr[i + 1];
        (&self.indices[r.clone()], &self.data[r])
    }
}

/// Dot product of a sparse row with a dense vector.
#[inline]
pub(crate) fn sparse_dot(cols: &[u32], vals: &[f32], dense: &[f32]) -> f32 {
    cols.iter()
        .zip(vals)
        .map(|(&c, &v)| v * dense[c as usize])
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: usize, cols: usize, dense: &[f32]) -> CsrMatrix {
        let rows_v = (0..rows)
            .map(|r| {
                let (mut c, mut v) = (Vec::new(), Vec::new());
                for j in 0..cols {
                    if dense[r * cols + j] != 0.0 {
                        c.push(j as u32);
                        v.push(dense[r * cols + j]);
                    }
                }
                (c, v)
            })
            .collect();
        from_rows(cols, rows_v)
    }

    #[test]
    fn transpose_and_product_match_dense_algebra() {
        let a = m(2, 3, &[1.0, 0.0, 2.0, 0.0, 3.0, 0.0]);
        let b = m(3, 2, &[1.0, 1.0, 0.0, 2.0, 4.0, 0.0]);
        assert_eq!(
            transpose(&a).to_dense().data,
            vec![1.0, 0.0, 0.0, 3.0, 2.0, 0.0]
        );
        assert_eq!(spmm(&a, &b).to_dense().data, vec![9.0, 1.0, 0.0, 6.0]);
    }

    #[test]
    fn l2_rows_have_unit_norm() {
        let mut a = m(2, 2, &[3.0, 4.0, 0.0, 0.0]);
        normalize_rows_l2(&mut a);
        assert_eq!(a.to_dense().data, vec![0.6, 0.8, 0.0, 0.0]);
    }
}
