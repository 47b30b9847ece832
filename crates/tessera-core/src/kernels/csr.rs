//! A square or rectangular CSR operator. Operators built from arrays keep
//! their transpose for gathered `Âᵀ·G` products; derived ones (dropout masks,
//! row batches) skip building it and scatter instead.

use super::simd;
use super::team::Team;
use crate::{Error, Result};
use std::ops::Range;
use std::sync::Arc;

/// Fewest rows one parallel band takes (keeps tiny operators on one thread).
const ROWS_PER_TASK: usize = 16;

/// One CSR matrix: row pointer, column indices and values.
#[derive(Clone, Debug, PartialEq)]
struct Csr {
    rows: usize,
    cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

impl Csr {
    /// `out = self · x` with `x` a row-major `cols × width` matrix: one band
    /// of rows (balanced by stored entries) per member of the helper team.
    fn apply(&self, x: &[f32], width: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; self.rows * width];
        if width == 0 {
            return out;
        }
        let team = Team::global();
        let mut parts = Vec::with_capacity(team.members());
        let mut rest = &mut out[..];
        for band in self.row_bands(team.members()) {
            let (head, tail) = rest.split_at_mut(band.len() * width);
            parts.push((band, head));
            rest = tail;
        }
        team.run_parts(parts, |(band, out)| {
            for panel in panels(width) {
                for (i, row) in band.clone().zip(out.chunks_mut(width)) {
                    let span = self.indptr[i]..self.indptr[i + 1];
                    simd::csr_row(
                        &mut row[panel.clone()],
                        &self.indices[span.clone()],
                        &self.values[span],
                        &x[panel.start..],
                        width,
                    );
                }
            }
        });
        out
    }

    /// At most `count` consecutive row ranges covering every row, with about
    /// the same number of stored entries each (and at least [`ROWS_PER_TASK`] rows).
    fn row_bands(&self, count: usize) -> Vec<Range<usize>> {
        let count = count.min(self.rows / ROWS_PER_TASK).max(1);
        let nnz = self.indptr[self.rows];
        let mut bounds: Vec<usize> = (0..count)
            .map(|b| {
                self.indptr
                    .partition_point(|&p| p < nnz * b / count)
                    .min(self.rows)
            })
            .collect();
        bounds.push(self.rows);
        bounds.dedup();
        bounds.windows(2).map(|w| w[0]..w[1]).collect()
    }

    /// The transpose, built with a counting sort (columns stay sorted per row).
    fn transpose(&self) -> Csr {
        let mut counts = vec![0usize; self.cols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for i in 0..self.cols {
            counts[i + 1] += counts[i];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let nnz = self.values.len();
        let mut indices = vec![0u32; nnz];
        let mut values = vec![0.0f32; nnz];
        for r in 0..self.rows {
            for p in self.indptr[r]..self.indptr[r + 1] {
                let c = self.indices[p] as usize;
                indices[next[c]] = r as u32;
                values[next[c]] = self.values[p];
                next[c] += 1;
            }
        }
        Csr {
            rows: self.cols,
            cols: self.rows,
            indptr,
            indices,
            values,
        }
    }

    /// `out = selfᵀ · g` without a stored transpose: row bands of `self` run
    /// in parallel, each scattering into its own `cols × width` accumulator,
    /// and the accumulators are summed. Large outputs build the transpose instead.
    /// `max_floats` bounds the accumulators' total size.
    fn apply_transpose(&self, g: &[f32], width: usize, max_floats: usize) -> Vec<f32> {
        let out_len = self.cols * width;
        let bands = self.row_bands(Team::global().members());
        if out_len * bands.len() > max_floats {
            return self.transpose().apply(g, width);
        }
        let mut partials: Vec<Vec<f32>> = bands.iter().map(|_| vec![0.0f32; out_len]).collect();
        let parts: Vec<_> = bands.into_iter().zip(partials.iter_mut()).collect();
        Team::global().run_parts(parts, |(band, acc)| {
            for panel in panels(width) {
                for i in band.clone() {
                    let span = self.indptr[i]..self.indptr[i + 1];
                    simd::csr_row_scatter(
                        &mut acc[panel.start..],
                        &self.indices[span.clone()],
                        &self.values[span],
                        &g[i * width..][panel.clone()],
                        width,
                    );
                }
            }
        });
        let mut partials = partials.into_iter();
        let mut out = partials.next().unwrap_or_else(|| vec![0.0; out_len]);
        for p in partials {
            out.iter_mut().zip(&p).for_each(|(o, v)| *o += v);
        }
        out
    }
}

/// The column panels a product of `width` columns runs in, one after the
/// other: a panel of the dense operand (rows × [`simd::PANEL`] floats) stays
/// in cache while a band of rows is summed, however wide the operand.
fn panels(width: usize) -> impl Iterator<Item = Range<usize>> {
    (0..width)
        .step_by(simd::PANEL)
        .map(move |p| p..(p + simd::PANEL).min(width))
}

/// Largest total size (in floats) of the per-band accumulators of a
/// scattered transposed product (64 MiB); above it the transpose is built.
const SCATTER_MAX_FLOATS: usize = 16 << 20;

/// A sparse `rows × cols` operator `Â` (e.g. a normalised adjacency) for
/// products `Â·M` and, for gradients, `Âᵀ·G`.
///
/// Cloning is cheap (the matrices are shared).
#[derive(Clone, Debug)]
pub struct CsrOperator {
    forward: Arc<Csr>,
    /// The stored transpose (operators built by [`CsrOperator::new`]).
    transpose: Option<Arc<Csr>>,
}

impl CsrOperator {
    /// Builds the operator from CSR arrays, checking every invariant.
    pub fn new(
        rows: usize,
        cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        values: Vec<f32>,
    ) -> Result<Self> {
        let src = "sparse operator";
        if indptr.len() != rows + 1 || indptr.first() != Some(&0) {
            return Err(Error::input(
                src,
                "indptr",
                format!("{} entries starting at 0", rows + 1),
                format!("{} entries", indptr.len()),
            ));
        }
        if let Some(i) = indptr.windows(2).position(|w| w[1] < w[0]) {
            return Err(Error::input(
                src,
                format!("indptr[{}]", i + 1),
                "a non-decreasing row pointer",
                format!("{} after {}", indptr[i + 1], indptr[i]),
            ));
        }
        let nnz = indptr[rows];
        if indices.len() != nnz || values.len() != nnz {
            return Err(Error::input(
                src,
                "indices/values",
                format!("{nnz} entries"),
                format!("{} indices, {} values", indices.len(), values.len()),
            ));
        }
        if let Some(p) = indices.iter().position(|&c| c as usize >= cols) {
            return Err(Error::input(
                src,
                format!("indices[{p}]"),
                format!("a column < {cols}"),
                indices[p].to_string(),
            ));
        }
        if let Some(p) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::input(
                src,
                format!("values[{p}]"),
                "a finite value",
                values[p].to_string(),
            ));
        }
        let forward = Csr {
            rows,
            cols,
            indptr,
            indices,
            values,
        };
        let transpose = forward.transpose();
        Ok(CsrOperator {
            forward: Arc::new(forward),
            transpose: Some(Arc::new(transpose)),
        })
    }

    /// Every stored value replaced by `f(position, value)` (e.g. dropout
    /// masks); entries that map to zero are dropped, so later products skip
    /// them. The result keeps no transpose (its `Âᵀ·G` scatters).
    pub fn map_values(&self, mut f: impl FnMut(usize, f32) -> f32) -> CsrOperator {
        // Branch-free compaction: every entry is written, the write position
        // advances only for non-zeros (dropout masks make the branch random).
        let fwd = &self.forward;
        let nnz = fwd.values.len();
        let mut indptr = Vec::with_capacity(fwd.rows + 1);
        let (mut indices, mut values) = (vec![0u32; nnz], vec![0.0f32; nnz]);
        let mut k = 0;
        indptr.push(0);
        for r in 0..fwd.rows {
            for p in fwd.indptr[r]..fwd.indptr[r + 1] {
                let v = f(p, fwd.values[p]);
                indices[k] = fwd.indices[p];
                values[k] = v;
                k += usize::from(v != 0.0);
            }
            indptr.push(k);
        }
        indices.truncate(k);
        values.truncate(k);
        CsrOperator {
            forward: Arc::new(Csr {
                rows: fwd.rows,
                cols: fwd.cols,
                indptr,
                indices,
                values,
            }),
            transpose: None,
        }
    }

    /// The operator restricted to `rows`, in that order (every id must be `< rows()`).
    pub fn select_rows(&self, rows: &[usize]) -> CsrOperator {
        let f = &self.forward;
        let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
        for &r in rows {
            let span = f.indptr[r]..f.indptr[r + 1];
            indices.extend_from_slice(&f.indices[span.clone()]);
            values.extend_from_slice(&f.values[span]);
            indptr.push(indices.len());
        }
        let forward = Csr {
            rows: rows.len(),
            cols: f.cols,
            indptr,
            indices,
            values,
        };
        CsrOperator {
            forward: Arc::new(forward),
            transpose: None,
        }
    }

    /// Number of rows of `Â`.
    pub fn rows(&self) -> usize {
        self.forward.rows
    }

    /// Number of columns of `Â`.
    pub fn cols(&self) -> usize {
        self.forward.cols
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.forward.values.len()
    }

    /// Column indices and values of row `i`.
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        let f = &self.forward;
        let span = f.indptr[i]..f.indptr[i + 1];
        (&f.indices[span.clone()], &f.values[span])
    }

    /// `(row, col, value)` of every stored entry, row by row.
    pub fn triplets(&self) -> impl Iterator<Item = (usize, usize, f32)> + '_ {
        let f = &self.forward;
        (0..f.rows).flat_map(move |r| {
            (f.indptr[r]..f.indptr[r + 1]).map(move |p| (r, f.indices[p] as usize, f.values[p]))
        })
    }

    /// `Â · x` for a row-major `cols × width` matrix `x` (bands of rows in parallel).
    ///
    /// # Panics
    /// If `x.len() != cols * width` (a programming error, not user input).
    pub fn apply(&self, x: &[f32], width: usize) -> Vec<f32> {
        assert_eq!(
            x.len(),
            self.cols() * width,
            "CsrOperator::apply: operand has the wrong size"
        );
        self.forward.apply(x, width)
    }

    /// `Âᵀ · g` for a row-major `rows × width` matrix `g` (the gradient of
    /// [`apply`](Self::apply)): a gather over the stored transpose, or a
    /// scatter over `Â`'s rows for derived operators.
    ///
    /// # Panics
    /// If `g.len() != rows * width`.
    pub fn apply_transpose(&self, g: &[f32], width: usize) -> Vec<f32> {
        assert_eq!(
            g.len(),
            self.rows() * width,
            "CsrOperator::apply_transpose: operand has the wrong size"
        );
        match &self.transpose {
            Some(t) => t.apply(g, width),
            None => self.forward.apply_transpose(g, width, SCATTER_MAX_FLOATS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> CsrOperator {
        // [[1, 0, 2], [0, 3, 0]]
        CsrOperator::new(2, 3, vec![0, 2, 3], vec![0, 2, 1], vec![1.0, 2.0, 3.0]).unwrap()
    }

    #[test]
    fn apply_and_transpose_match_dense_products() {
        let a = op();
        // x: 3×2
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(a.apply(&x, 2), vec![11.0, 14.0, 9.0, 12.0]);
        // g: 2×1 -> Aᵀ g: 3×1
        assert_eq!(a.apply_transpose(&[1.0, 2.0], 1), vec![1.0, 6.0, 2.0]);
        let t: Vec<_> = a.triplets().collect();
        assert_eq!(t, vec![(0, 0, 1.0), (0, 2, 2.0), (1, 1, 3.0)]);
        let doubled = a.map_values(|_, v| 2.0 * v);
        assert_eq!(
            doubled.apply_transpose(&[1.0, 2.0], 1),
            vec![2.0, 12.0, 4.0]
        );
        let dropped = a.map_values(|p, v| if p == 1 { 0.0 } else { v });
        assert_eq!(dropped.nnz(), 2);
        assert_eq!(dropped.apply(&x, 2), vec![1.0, 2.0, 9.0, 12.0]);
        assert_eq!(dropped.apply_transpose(&[1.0, 2.0], 1), vec![1.0, 6.0, 0.0]);
        let twice = dropped.map_values(|_, v| if v == 3.0 { 0.0 } else { v });
        assert_eq!(twice.apply_transpose(&[1.0, 2.0], 1), vec![1.0, 0.0, 0.0]);
        let second = a.select_rows(&[1, 1]);
        assert_eq!(second.apply(&x, 2), vec![9.0, 12.0, 9.0, 12.0]);
    }

    /// Derived operators (no stored transpose) scatter; both the banded
    /// scatter and its built-transpose fallback equal the stored transpose,
    /// and all of them equal a naive loop, for one column panel and several.
    #[test]
    fn scattered_transpose_equals_stored_transpose() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let (rows, cols) = (300, 70);
        let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
        for _ in 0..rows {
            for c in 0..cols {
                if rng.random_bool(0.1) {
                    indices.push(c as u32);
                    values.push(rng.random_range(-1.0f32..1.0));
                }
            }
            indptr.push(indices.len());
        }
        let a = CsrOperator::new(rows, cols, indptr, indices, values).unwrap();
        for width in [12, 2 * simd::PANEL + 22] {
            let g: Vec<f32> = (0..rows * width)
                .map(|_| rng.random_range(-1.0f32..1.0))
                .collect();
            let x: Vec<f32> = (0..cols * width)
                .map(|_| rng.random_range(-1.0f32..1.0))
                .collect();
            let (mut naive_t, mut naive) = (vec![0.0f32; cols * width], vec![0.0f32; rows * width]);
            for (r, c, v) in a.triplets() {
                for j in 0..width {
                    naive_t[c * width + j] += v * g[r * width + j];
                    naive[r * width + j] += v * x[c * width + j];
                }
            }
            let close = |got: &[f32], want: &[f32], what: &str| {
                assert_eq!(got.len(), want.len());
                for (k, (x, y)) in got.iter().zip(want).enumerate() {
                    assert!(
                        (x - y).abs() <= 1e-4,
                        "{what}, width {width}, entry {k}: {x} vs {y}"
                    );
                }
            };
            close(&a.apply(&x, width), &naive, "product");
            let stored = a.apply_transpose(&g, width);
            close(&stored, &naive_t, "stored transpose");
            let derived = a.map_values(|_, v| v);
            assert!(derived.transpose.is_none());
            close(&derived.apply_transpose(&g, width), &stored, "scatter");
            close(
                &derived.forward.apply_transpose(&g, width, 0),
                &stored,
                "fallback",
            );
            let all: Vec<usize> = (0..rows).collect();
            assert_eq!(
                a.select_rows(&all).apply_transpose(&g, width).len(),
                stored.len()
            );
        }
    }

    #[test]
    fn row_bands_cover_every_row_with_balanced_entries() {
        // Row i holds i entries: 0 + 1 + … + 99 = 4950.
        let rows = 100usize;
        let indptr: Vec<usize> = (0..=rows).map(|i| i * i.saturating_sub(1) / 2).collect();
        let nnz = indptr[rows];
        let csr = Csr {
            rows,
            cols: rows,
            indices: vec![0; nnz],
            values: vec![1.0; nnz],
            indptr,
        };
        for count in [1, 2, 3, 7] {
            let bands = csr.row_bands(count);
            assert_eq!(bands.first().unwrap().start, 0);
            assert_eq!(bands.last().unwrap().end, rows);
            assert!(
                bands
                    .windows(2)
                    .all(|w| w[0].end == w[1].start && !w[0].is_empty())
            );
            let load = |b: &Range<usize>| csr.indptr[b.end] - csr.indptr[b.start];
            let max = bands.iter().map(load).max().unwrap();
            assert!(max <= nnz / bands.len() + rows, "count {count}: {max}");
        }
        assert_eq!(csr.row_bands(1000).len(), rows / ROWS_PER_TASK);
    }

    #[test]
    fn rejects_bad_structure() {
        assert!(CsrOperator::new(2, 3, vec![0, 2], vec![0], vec![1.0]).is_err());
        let e = CsrOperator::new(1, 2, vec![0, 1], vec![5], vec![1.0]).unwrap_err();
        assert!(e.to_string().contains("indices[0]"), "{e}");
        assert!(CsrOperator::new(1, 2, vec![0, 1], vec![0], vec![f32::NAN]).is_err());
    }
}
