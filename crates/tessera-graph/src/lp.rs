//! Label propagation: `R ← clamp₀¹(α·Â·R + (1−α)·Y₀)`, repeated.

use tessera_core::kernels::CsrOperator;

/// Settings of [`label_propagation`] (the official FCR run: α = 0.5, 50 steps).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LpConfig {
    /// Weight of the propagated term.
    pub alpha: f32,
    /// Number of propagation steps.
    pub steps: usize,
}

impl Default for LpConfig {
    fn default() -> Self {
        LpConfig {
            alpha: 0.5,
            steps: 50,
        }
    }
}

/// Propagates the one-hot labels of `train` over `op` (an `N × N` operator)
/// and returns the `N × classes` score matrix `R`, row-major.
pub fn label_propagation(
    op: &CsrOperator,
    labels: &[usize],
    classes: usize,
    train: &[usize],
    config: LpConfig,
) -> Vec<f32> {
    let n = op.rows();
    let mut y0 = vec![0.0f32; n * classes];
    for &i in train {
        y0[i * classes + labels[i]] = 1.0;
    }
    let mut r = y0.clone();
    for _ in 0..config.steps {
        r = op.apply(&r, classes);
        for (v, y) in r.iter_mut().zip(&y0) {
            *v = (config.alpha * *v + (1.0 - config.alpha) * y).clamp(0.0, 1.0);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Graph, SelfLoops, norm};

    #[test]
    fn reaches_its_fixed_point_on_a_path() {
        // path of 5 nodes, labels known at both ends
        let g =
            Graph::from_edges("t", 5, &[0, 1, 2, 3], &[1, 2, 3, 4], true, SelfLoops::Add).unwrap();
        let op = norm::symmetric(&g).unwrap();
        let labels = [0, 0, 0, 1, 1];
        let cfg = LpConfig {
            alpha: 0.5,
            steps: 200,
        };
        let r = label_propagation(&op, &labels, 2, &[0, 4], cfg);
        // fixed point: one more step changes nothing
        let y0: Vec<f32> = [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0].to_vec();
        let next: Vec<f32> = op
            .apply(&r, 2)
            .iter()
            .zip(&y0)
            .map(|(a, y)| (0.5 * a + 0.5 * y).clamp(0.0, 1.0))
            .collect();
        for (a, b) in r.iter().zip(&next) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        // nodes nearer the class-0 end score higher for class 0
        assert!(r[0] > r[2] && r[2] > r[6] && r[9] > r[7]);
        let again = label_propagation(
            &op,
            &labels,
            2,
            &[0, 4],
            LpConfig {
                alpha: 0.5,
                steps: 400,
            },
        );
        assert!(r.iter().zip(&again).all(|(a, b)| (a - b).abs() < 1e-6));
    }
}
