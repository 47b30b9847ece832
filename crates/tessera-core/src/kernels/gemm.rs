//! Strided f32 matrix products on host memory, split across a spinning [`Team`].
//!
//! [`gemm_into`] computes `dst ← dst + a·b` (or `a·b`) for row-major `dst` and
//! operands read through arbitrary non-negative strides, so transposes cost
//! nothing. Large products are split here, into one single-threaded `gemm`
//! call per team member, rather than by the `gemm` crate's rayon threading
//! (whose workers fall asleep between the short products of a training step;
//! see [`super::team`]):
//!
//! - by bands of output rows when `m ≥ k` (each member owns its rows of `dst`);
//! - by slices of the inner dimension when `k > m`, as in `∂W = xᵀ·G` with the
//!   batch inside: each member sums its slice into a private `m × n` buffer
//!   and the buffers are added at the end, so no operand is packed twice.
//!
//! [`gemm_pair`] runs two independent products side by side instead (a dense
//! layer's `∂W` and `∂x` take the same work).

use super::team::Team;

/// Products with at least this many multiply-adds are split across the pool
/// (the threshold burn's own CPU matmul uses to go parallel).
const PARALLEL_WORK: usize = 192 * 192 * 192;

/// A read-only strided f32 matrix view.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> View<'a> {
    /// A `rows × cols` view of `data` with the given element strides.
    ///
    /// # Panics
    /// If a stride is negative or the last element lies outside `data`.
    pub(crate) fn new(
        data: &'a [f32],
        rows: usize,
        cols: usize,
        row_stride: isize,
        col_stride: isize,
    ) -> Self {
        let (row_stride, col_stride) = (
            usize::try_from(row_stride).expect("gemm: a negative row stride"),
            usize::try_from(col_stride).expect("gemm: a negative column stride"),
        );
        if rows > 0 && cols > 0 {
            let last = (rows - 1) * row_stride + (cols - 1) * col_stride;
            assert!(last < data.len(), "gemm: the view runs past its data");
        }
        View {
            data,
            rows,
            cols,
            row_stride,
            col_stride,
        }
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub(crate) fn cols(&self) -> usize {
        self.cols
    }

    /// The transpose, as a view of the same memory.
    pub(crate) fn t(self) -> Self {
        View {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }

    /// Rows `start .. start + len`.
    fn row_range(self, start: usize, len: usize) -> Self {
        View {
            data: &self.data[(start * self.row_stride).min(self.data.len())..],
            rows: len,
            ..self
        }
    }

    /// Columns `start .. start + len`.
    fn col_range(self, start: usize, len: usize) -> Self {
        self.t().row_range(start, len).t()
    }
}

/// `dst ← (accumulate ? dst : 0) + a·b` for a row-major `dst` of `a.rows × b.cols`.
///
/// # Panics
/// If the inner dimensions differ or `dst` does not hold `a.rows × b.cols` values.
pub(crate) fn gemm_into(dst: &mut [f32], accumulate: bool, a: &View, b: &View) {
    gemm_on(Team::global(), dst, accumulate, a, b);
}

/// [`gemm_into`] on a given team.
fn gemm_on(team: &Team, dst: &mut [f32], accumulate: bool, a: &View, b: &View) {
    check(dst, a, b);
    let (m, k) = (a.rows, a.cols);
    let parts = if work(a, b) >= PARALLEL_WORK {
        team.members().min(m.max(k))
    } else {
        1
    };
    if parts <= 1 {
        serial(dst, accumulate, a, b);
    } else if m >= k {
        split_rows(team, dst, accumulate, a, b, parts);
    } else {
        split_inner(team, dst, accumulate, a, b, parts);
    }
}

/// `dst ← a·b` for two independent products at once, one per team member,
/// when both are large: no split and no synchronisation inside either.
pub(crate) fn gemm_pair(
    (dst1, a1, b1): (&mut [f32], &View, &View),
    (dst2, a2, b2): (&mut [f32], &View, &View),
) {
    pair_on(Team::global(), (dst1, a1, b1), (dst2, a2, b2));
}

/// [`gemm_pair`] on a given team.
fn pair_on(
    team: &Team,
    (dst1, a1, b1): (&mut [f32], &View, &View),
    (dst2, a2, b2): (&mut [f32], &View, &View),
) {
    check(dst1, a1, b1);
    check(dst2, a2, b2);
    if team.members() > 1 && work(a1, b1).min(work(a2, b2)) >= PARALLEL_WORK / 2 {
        let parts = vec![(dst1, a1, b1), (dst2, a2, b2)];
        team.run_parts(parts, |(dst, a, b)| serial(dst, false, a, b));
    } else {
        gemm_on(team, dst1, false, a1, b1);
        gemm_on(team, dst2, false, a2, b2);
    }
}

/// Asserts that `a·b` is defined and fits `dst`.
fn check(dst: &[f32], a: &View, b: &View) {
    assert_eq!(a.cols, b.rows, "gemm: inner dimensions differ");
    assert_eq!(dst.len(), a.rows * b.cols, "gemm: output buffer size");
}

/// Multiply-adds in `a·b`.
fn work(a: &View, b: &View) -> usize {
    a.rows * a.cols * b.cols
}

/// One member per band of output rows.
fn split_rows(team: &Team, dst: &mut [f32], accumulate: bool, a: &View, b: &View, parts: usize) {
    let (band, n) = (a.rows.div_ceil(parts), b.cols);
    let bands: Vec<_> = dst.chunks_mut(band * n).enumerate().collect();
    team.run_parts(bands, |(i, rows)| {
        let a = a.row_range(i * band, rows.len() / n);
        serial(rows, accumulate, &a, b);
    });
}

/// One member per slice of the inner dimension; the partial products are summed.
fn split_inner(team: &Team, dst: &mut [f32], accumulate: bool, a: &View, b: &View, parts: usize) {
    let slice = a.cols.div_ceil(parts);
    let slices: Vec<(usize, usize)> = (0..a.cols)
        .step_by(slice)
        .map(|start| (start, slice.min(a.cols - start)))
        .collect();
    let mut partials = vec![vec![0.0f32; dst.len()]; slices.len() - 1];
    let outputs = std::iter::once((&mut *dst, accumulate))
        .chain(partials.iter_mut().map(|p| (p.as_mut_slice(), false)));
    let jobs: Vec<_> = outputs.zip(slices).collect();
    team.run_parts(jobs, |((out, accumulate), (start, len))| {
        serial(
            out,
            accumulate,
            &a.col_range(start, len),
            &b.row_range(start, len),
        );
    });
    for partial in &partials {
        dst.iter_mut().zip(partial).for_each(|(d, p)| *d += p);
    }
}

/// The product on the calling thread.
fn serial(dst: &mut [f32], accumulate: bool, a: &View, b: &View) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst.fill(0.0);
        }
        return;
    }
    // SAFETY: `View::new` checked that every addressed element of `a` and `b`
    // lies inside its slice (sub-views only shrink the shape along with the
    // slice), `dst` holds `m × n` elements written row-major, and no operand
    // aliases `dst` (it is borrowed mutably, they immutably).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::host::testing;

    /// A deterministic `rows × cols` row-major matrix.
    fn matrix(rows: usize, cols: usize, salt: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| ((i * 7 + salt * 13) % 23) as f32 / 11.0 - 1.0)
            .collect()
    }

    /// `a·b` by the textbook triple loop (row-major inputs).
    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; m * n];
        for i in 0..m {
            for p in 0..k {
                for j in 0..n {
                    out[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        out
    }

    /// Split products sum in another order than the naive loop.
    fn assert_close(got: &[f32], want: &[f32]) {
        testing::assert_close(got, want, 1e-3, "product");
    }

    #[test]
    fn every_split_equals_the_naive_product() {
        // (m, k, n): serial, row split (m ≥ k), inner split (k > m, uneven slices).
        for (m, k, n) in [(5, 7, 3), (301, 257, 190), (97, 1001, 250)] {
            let (a, b) = (matrix(m, k, 1), matrix(k, n, 2));
            let want = naive(&a, &b, m, k, n);
            for members in [1, 3] {
                let mut got = vec![0.0f32; m * n];
                let av = View::new(&a, m, k, k as isize, 1);
                let bv = View::new(&b, k, n, n as isize, 1);
                gemm_on(&Team::new(members), &mut got, false, &av, &bv);
                assert_close(&got, &want);
            }
        }
    }

    #[test]
    fn transposed_views_and_accumulation() {
        let (m, k, n) = (120, 900, 200);
        // a is stored transposed (k × m), so its view is a transpose.
        let at = matrix(k, m, 3);
        let a: Vec<f32> = (0..m * k).map(|i| at[(i % k) * m + i / k]).collect();
        let b = matrix(k, n, 4);
        let start = matrix(m, n, 5);
        let mut want = naive(&a, &b, m, k, n);
        want.iter_mut().zip(&start).for_each(|(w, s)| *w += s);
        let mut got = start.clone();
        let av = View::new(&at, k, m, m as isize, 1).t();
        gemm_on(
            &Team::new(2),
            &mut got,
            true,
            &av,
            &View::new(&b, k, n, n as isize, 1),
        );
        assert_close(&got, &want);
    }

    #[test]
    fn a_pair_equals_two_products() {
        let (m, k, n) = (300, 400, 200);
        let (a, b, c) = (matrix(m, k, 6), matrix(k, n, 7), matrix(n, k, 8));
        let (mut ab, mut ca) = (vec![0.0f32; m * n], vec![0.0f32; n * n]);
        let (av, bv) = (
            View::new(&a, m, k, k as isize, 1),
            View::new(&b, k, n, n as isize, 1),
        );
        let cv = View::new(&c, n, k, k as isize, 1);
        pair_on(&Team::new(2), (&mut ab, &av, &bv), (&mut ca, &cv, &bv));
        assert_close(&ab, &naive(&a, &b, m, k, n));
        assert_close(&ca, &naive(&c, &b, n, k, n));
    }

    #[test]
    fn empty_inner_dimension_zeroes_or_keeps() {
        let (a, b) = (View::new(&[], 2, 0, 0, 1), View::new(&[], 0, 3, 3, 1));
        let mut out = vec![3.0f32; 6];
        gemm_into(&mut out, true, &a, &b);
        assert_eq!(out, vec![3.0; 6]);
        gemm_into(&mut out, false, &a, &b);
        assert_eq!(out, vec![0.0; 6]);
    }
}
