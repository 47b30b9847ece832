//! Deterministic inputs both sides of a benchmark compute bit-for-bit
//! identically (`bench/common.py::det_matrix` is the Python twin), so the
//! losses the two sides report can be compared.

/// A `rows × cols` row-major matrix of values in `[-scale/2, scale/2)`:
/// entry `k = i·cols + j` is a 64-bit mix of `k` and `salt`, reduced to 24 bits.
pub fn det_matrix(rows: usize, cols: usize, salt: u64, scale: f32) -> Vec<f32> {
    (0..(rows * cols) as u64)
        .map(|k| {
            let mut x = k.wrapping_add(salt.wrapping_mul(0x9E37_79B9));
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            x ^= x >> 33;
            x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
            x ^= x >> 33;
            ((x >> 40) as f32 / 16_777_216.0 - 0.5) * scale
        })
        .collect()
}

/// Glorot-uniform bound for a `fan_in × fan_out` weight, as the `scale` of [`det_matrix`].
pub fn glorot_scale(fan_in: usize, fan_out: usize) -> f32 {
    2.0 * (6.0 / (fan_in + fan_out) as f32).sqrt()
}

/// Scales every row of a row-major `? × cols` matrix to unit L2 norm.
pub fn l2_normalize_rows(data: &mut [f32], cols: usize) {
    for row in data.chunks_mut(cols) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        row.iter_mut().for_each(|v| *v /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_reproducible_bounded_and_spread() {
        let a = det_matrix(64, 32, 3, 2.0);
        assert_eq!(a, det_matrix(64, 32, 3, 2.0));
        assert_ne!(a, det_matrix(64, 32, 4, 2.0));
        assert!(a.iter().all(|v| (-1.0..1.0).contains(v)));
        let mean = a.iter().sum::<f32>() / a.len() as f32;
        let var = a.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / a.len() as f32;
        assert!(mean.abs() < 0.05, "mean {mean}");
        // Uniform on [-1, 1): variance 1/3.
        assert!((var - 1.0 / 3.0).abs() < 0.03, "var {var}");
    }

    #[test]
    fn matches_the_python_twin() {
        // Printed by bench/common.py::det_matrix(1, 3, 0, 1.0) and (2, 2, 7, 2.0).
        let want = [0.462_103_84, 0.008_256_61, 0.336_627_36];
        for (a, b) in det_matrix(1, 3, 0, 1.0).iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{a} vs {b}");
        }
        let want = [-0.649_399_04, 0.975_284_34, 0.178_743_24, -0.436_601_16];
        for (a, b) in det_matrix(2, 2, 7, 2.0).iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{a} vs {b}");
        }
    }

    #[test]
    fn rows_become_unit_norm() {
        let mut a = det_matrix(5, 7, 1, 1.0);
        l2_normalize_rows(&mut a, 7);
        for row in a.chunks(7) {
            assert!((row.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }
}
