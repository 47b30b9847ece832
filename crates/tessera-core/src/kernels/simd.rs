//! Row loops of the fused kernels, with a fast vectorisable `exp`.
//!
//! Every public function here runs its body compiled for AVX2 + FMA when the
//! CPU has them (checked at run time, once per call) and the portable build
//! otherwise; the body is the same code, written in 8-lane blocks that LLVM
//! turns into vector instructions. [`exp`] is the Cephes single-precision
//! polynomial (relative error below 2e-7 on the reduced range), branch-free
//! so that it vectorises; inputs are clamped to `[-87.3, 88.3]`, so it never
//! returns `inf` and tiny results flush to about `1e-38` instead of 0.

/// Lanes per block (one AVX2 register of f32).
const LANES: usize = 8;

/// `e^x`, branch-free (see the module doc for range and accuracy).
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5 · 2^23: adding it rounds to the nearest integer, kept in the low mantissa bits.
    const MAGIC: f32 = 12_582_912.0;
    let x = x.clamp(-87.3, 88.3);
    let t = x * LOG2E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let poly = p * r * r + r + 1.0;
    let k = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    poly * f32::from_bits(((k + 127) << 23) as u32)
}

/// Defines `pub fn $name` that dispatches to an AVX2+FMA build of `$body` when available.
macro_rules! dispatch {
    ($(#[$doc:meta])* $name:ident => $body:ident ($($arg:ident : $ty:ty),*) -> $ret:ty) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn accelerated($($arg: $ty),*) -> $ret {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                    return unsafe { accelerated($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

dispatch! {
    /// For one row `x` of raw scores: returns `max_j scale·x_j` and raises
    /// `col_max[j]` to `scale·x_j` where that is larger.
    row_max_and_col_max => row_max_and_col_max_body(x: &[f32], scale: f32, col_max: &mut [f32]) -> f32
}

dispatch! {
    /// `Σ_j e^(scale·x_j − shift)`.
    sum_exp => sum_exp_body(x: &[f32], scale: f32, shift: f32) -> f32
}

dispatch! {
    /// `acc[j] += e^(scale·x_j − shift[j])` (column sums of one row).
    add_exp => add_exp_body(x: &[f32], scale: f32, shift: &[f32], acc: &mut [f32]) -> ()
}

dispatch! {
    /// The InfoNCE score gradient of one row, in place: with `s = scale·x`,
    /// `x_j ← out_scale · k · (e^(s_j − row_lse) + e^(s_j − col_lse[j]))`,
    /// minus `out_scale · 2k` at column `diagonal`. Returns `Σ_j G_j·x_j` with
    /// `G_j` the value before the `out_scale` factor (the temperature gradient).
    infonce_grad_row => infonce_grad_row_body(
        x: &mut [f32], scale: f32, row_lse: f32, col_lse: &[f32], k: f32, diagonal: usize, out_scale: f32
    ) -> f32
}

dispatch! {
    /// One output row (or column panel of it) of a CSR product:
    /// `out = Σ_k values[k] · x[cols[k]]`, where row `c` of `x` starts at
    /// `x[c · stride]` and `out.len()` of its values are read (`out`'s old
    /// values are ignored). The rows of the next few neighbours are prefetched
    /// while the current one is accumulated: the loads of a sparse product
    /// are a gather from a large operand and mostly miss the cache.
    csr_row => csr_row_body(out: &mut [f32], cols: &[u32], values: &[f32], x: &[f32], stride: usize) -> ()
}

dispatch! {
    /// One input row (or column panel of it) of a transposed CSR product,
    /// scattered: for every entry `k`, `acc[cols[k]] += values[k] · g_row`,
    /// where row `c` of `acc` starts at `acc[c · stride]` and is `g_row.len()` long.
    csr_row_scatter => csr_row_scatter_body(acc: &mut [f32], cols: &[u32], values: &[f32], g_row: &[f32], stride: usize) -> ()
}

#[inline(always)]
fn csr_row_scatter_body(
    acc: &mut [f32],
    cols: &[u32],
    values: &[f32],
    g_row: &[f32],
    stride: usize,
) {
    let width = g_row.len();
    for (&c, &v) in cols.iter().zip(values) {
        scaled_add(&mut acc[c as usize * stride..][..width], v, g_row);
    }
}

/// How many neighbours ahead [`csr_row`] prefetches.
const PREFETCH_AHEAD: usize = 4;

/// Column-panel width of the CSR products: a panel of the output row lives
/// in registers (8 AVX2 registers) while a row's entries are summed.
pub const PANEL: usize = 64;

#[inline(always)]
fn csr_row_body(out: &mut [f32], cols: &[u32], values: &[f32], x: &[f32], stride: usize) {
    if out.len() == PANEL {
        return csr_row_panel::<PANEL>(out, cols, values, x, stride);
    }
    let width = out.len();
    if cols.is_empty() {
        out.fill(0.0);
    }
    for (k, (&c, &v)) in cols.iter().zip(values).enumerate() {
        if let Some(&ahead) = cols.get(k + PREFETCH_AHEAD) {
            prefetch_row(&x[ahead as usize * stride..][..width]);
        }
        let src = &x[c as usize * stride..][..width];
        // The first neighbour writes without reading `out`: a fresh output
        // page is then faulted in once (on the write), not twice.
        if k == 0 {
            scaled_copy(out, v, src);
        } else {
            scaled_add(out, v, src);
        }
    }
}

/// [`csr_row_body`] for a `W`-wide output: the sum stays in registers and is
/// stored once. Same additions in the same order, so the same result.
#[inline(always)]
fn csr_row_panel<const W: usize>(
    out: &mut [f32],
    cols: &[u32],
    values: &[f32],
    x: &[f32],
    stride: usize,
) {
    let mut sum = [0.0f32; W];
    for (k, (&c, &v)) in cols.iter().zip(values).enumerate() {
        if let Some(&ahead) = cols.get(k + PREFETCH_AHEAD) {
            prefetch_row(&x[ahead as usize * stride..][..W]);
        }
        let src = &x[c as usize * stride..][..W];
        for l in 0..W {
            sum[l] += v * src[l];
        }
    }
    out.copy_from_slice(&sum);
}

/// `out = v · src`.
#[inline(always)]
fn scaled_copy(out: &mut [f32], v: f32, src: &[f32]) {
    for (o, s) in out.iter_mut().zip(src) {
        *o = v * s;
    }
}

/// `out += v · src`, in 8-lane blocks.
#[inline(always)]
fn scaled_add(out: &mut [f32], v: f32, src: &[f32]) {
    let mut os = out.chunks_exact_mut(LANES);
    let mut ss = src.chunks_exact(LANES);
    for (ob, sb) in (&mut os).zip(&mut ss) {
        for l in 0..LANES {
            ob[l] += v * sb[l];
        }
    }
    for (o, s) in os.into_remainder().iter_mut().zip(ss.remainder()) {
        *o += v * s;
    }
}

/// Asks the CPU to bring every cache line of `row` into L1 (a hint; no-op off x86-64).
#[inline(always)]
fn prefetch_row(row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        const LINE_FLOATS: usize = 16;
        for line in row.chunks(LINE_FLOATS) {
            // SAFETY: a prefetch never faults, and the pointer is in bounds anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

#[inline(always)]
fn row_max_and_col_max_body(x: &[f32], scale: f32, col_max: &mut [f32]) -> f32 {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    let mut xs = x.chunks_exact(LANES);
    let mut cs = col_max.chunks_exact_mut(LANES);
    for (xb, cb) in (&mut xs).zip(&mut cs) {
        for l in 0..LANES {
            let s = scale * xb[l];
            lanes[l] = lanes[l].max(s);
            cb[l] = cb[l].max(s);
        }
    }
    let mut m = lanes.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for (xv, cv) in xs.remainder().iter().zip(cs.into_remainder()) {
        let s = scale * xv;
        m = m.max(s);
        *cv = cv.max(s);
    }
    m
}

#[inline(always)]
fn sum_exp_body(x: &[f32], scale: f32, shift: f32) -> f32 {
    let mut lanes = [0.0f32; LANES];
    let mut xs = x.chunks_exact(LANES);
    for xb in &mut xs {
        for l in 0..LANES {
            lanes[l] += exp(scale * xb[l] - shift);
        }
    }
    lanes.iter().sum::<f32>()
        + xs.remainder()
            .iter()
            .map(|v| exp(scale * v - shift))
            .sum::<f32>()
}

#[inline(always)]
fn add_exp_body(x: &[f32], scale: f32, shift: &[f32], acc: &mut [f32]) {
    for ((a, v), s) in acc.iter_mut().zip(x).zip(shift) {
        *a += exp(scale * v - s);
    }
}

#[inline(always)]
fn infonce_grad_row_body(
    x: &mut [f32],
    scale: f32,
    row_lse: f32,
    col_lse: &[f32],
    k: f32,
    diagonal: usize,
    out_scale: f32,
) -> f32 {
    let raw_diagonal = x[diagonal];
    let mut lanes = [0.0f32; LANES];
    let mut xs = x.chunks_exact_mut(LANES);
    let mut cs = col_lse.chunks_exact(LANES);
    for (xb, cb) in (&mut xs).zip(&mut cs) {
        for l in 0..LANES {
            let s = scale * xb[l];
            let g = k * (exp(s - row_lse) + exp(s - cb[l]));
            lanes[l] += g * xb[l];
            xb[l] = out_scale * g;
        }
    }
    let mut dot = lanes.iter().sum::<f32>();
    for (xv, c) in xs.into_remainder().iter_mut().zip(cs.remainder()) {
        let s = scale * *xv;
        let g = k * (exp(s - row_lse) + exp(s - c));
        dot += g * *xv;
        *xv = out_scale * g;
    }
    // The positive pair: G has −2k more at the diagonal.
    dot -= 2.0 * k * raw_diagonal;
    x[diagonal] -= out_scale * 2.0 * k;
    dot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate_over_the_float_range() {
        let mut worst = 0.0f64;
        for i in -8700..=8800 {
            let x = i as f32 * 0.01 + 0.003;
            let want = f64::from(x).exp();
            let rel = ((f64::from(exp(x)) - want) / want).abs();
            worst = worst.max(rel);
        }
        assert!(worst < 5e-7, "worst relative error {worst}");
        assert!(exp(-1000.0) < 1e-37 && exp(-1000.0) >= 0.0);
        assert!(exp(1000.0).is_finite());
        assert_eq!(exp(0.0), 1.0);
    }

    /// Lengths around the 8-lane blocks, so both the blocks and the tails are checked.
    fn row(len: usize, salt: f32) -> Vec<f32> {
        (0..len)
            .map(|j| (j as f32 * 0.37 + salt).sin() * 3.0)
            .collect()
    }

    #[test]
    fn csr_rows_match_scalar_sums_on_strided_panels() {
        // Widths around the 8-lane blocks and the register panel; a stride
        // wider than the row reads (and writes) only its own panel.
        for (width, stride) in [
            (1, 1),
            (7, 7),
            (8, 8),
            (9, 9),
            (23, 23),
            (64, 64),
            (9, 20),
            (64, 80),
        ] {
            let x = row(5 * stride, 0.1);
            let entries = [
                (vec![], vec![]),
                (vec![3u32], vec![0.5f32]),
                (
                    vec![4, 0, 2, 0, 1, 3],
                    vec![1.0, -0.5, 0.25, 2.0, 0.1, -1.5],
                ),
            ];
            for (cols, values) in &entries {
                let mut out = vec![f32::NAN; width];
                csr_row(&mut out, cols, values, &x, stride);
                let mut acc = vec![1.0f32; 5 * stride];
                let g = row(width, 0.7);
                csr_row_scatter(&mut acc, cols, values, &g, stride);
                for j in 0..width {
                    let want: f32 = cols
                        .iter()
                        .zip(values)
                        .map(|(&c, v)| v * x[c as usize * stride + j])
                        .sum();
                    let got = out[j];
                    assert!(
                        (got - want).abs() <= 1e-5 * (1.0 + want.abs()),
                        "width {width} stride {stride} col {j}: {got} vs {want}"
                    );
                }
                for c in 0..5 {
                    for j in 0..stride {
                        let hits: f32 = cols
                            .iter()
                            .zip(values)
                            .filter(|&(&k, _)| k as usize == c)
                            .map(|(_, v)| v)
                            .sum();
                        let want = 1.0 + if j < width { hits * g[j] } else { 0.0 };
                        let got = acc[c * stride + j];
                        assert!(
                            (got - want).abs() <= 1e-5,
                            "scatter {c},{j}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn row_loops_match_scalar_formulas() {
        for len in [1, 7, 8, 9, 23, 64] {
            let (x, scale) = (row(len, 0.5), 1.7f32);
            let mut col_max = vec![0.5f32; len];
            let m = row_max_and_col_max(&x, scale, &mut col_max);
            let want = x
                .iter()
                .map(|v| scale * v)
                .fold(f32::NEG_INFINITY, f32::max);
            assert_eq!(m, want);
            for (c, v) in col_max.iter().zip(&x) {
                assert_eq!(*c, (scale * v).max(0.5));
            }
            let s = sum_exp(&x, scale, m);
            let want: f64 = x.iter().map(|v| f64::from(scale * v - m).exp()).sum();
            assert!((f64::from(s) - want).abs() < 1e-5 * want, "{s} vs {want}");
            let shift = row(len, 1.5);
            let mut acc = vec![1.0f32; len];
            add_exp(&x, scale, &shift, &mut acc);
            for j in 0..len {
                let want = 1.0 + f64::from(scale * x[j] - shift[j]).exp();
                assert!((f64::from(acc[j]) - want).abs() < 1e-5 * want);
            }
        }
    }

    #[test]
    fn grad_row_matches_scalar_formula() {
        for len in [5, 8, 19] {
            let (x, scale, lse, k, out) = (row(len, 0.2), 2.0f32, 4.0f32, 0.25f32, 0.5f32);
            let col = row(len, 2.0).iter().map(|v| v + 5.0).collect::<Vec<_>>();
            let diag = len / 2;
            let mut g = x.clone();
            let dot = infonce_grad_row(&mut g, scale, lse, &col, k, diag, out);
            let mut want_dot = 0.0f64;
            for j in 0..len {
                let s = f64::from(scale * x[j]);
                let mut gj =
                    f64::from(k) * ((s - f64::from(lse)).exp() + (s - f64::from(col[j])).exp());
                if j == diag {
                    gj -= 2.0 * f64::from(k);
                }
                want_dot += gj * f64::from(x[j]);
                assert!(
                    (f64::from(g[j]) - f64::from(out) * gj).abs() < 1e-5,
                    "{j}: {} vs {}",
                    g[j],
                    gj
                );
            }
            assert!(
                (f64::from(dot) - want_dot).abs() < 1e-4,
                "{dot} vs {want_dot}"
            );
        }
    }
}
