//! Augmentations for vector data: feature dropout, Gaussian noise, masking.

use crate::config::Augment;
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use tessera_core::Rng;

/// An augmented copy of standardised rows (`values`, any shape): each feature
/// is dropped with probability `dropout` (survivors scaled by 1/(1 − p)),
/// then masked to 0 with probability `mask`, then gets `noise · N(0, 1)`
/// (features are standardised, so `noise` is a fraction of each feature's std).
pub fn augment(values: &[f32], cfg: &Augment, rng: &mut Rng) -> Vec<f32> {
    let keep_scale = (1.0 / (1.0 - cfg.dropout)) as f32;
    values
        .iter()
        .map(|&v| {
            let mut x = v;
            if cfg.dropout > 0.0 {
                x = if rng.random_bool(cfg.dropout) {
                    0.0
                } else {
                    x * keep_scale
                };
            }
            if cfg.mask > 0.0 && rng.random_bool(cfg.mask) {
                x = 0.0;
            }
            if cfg.noise > 0.0 {
                let e: f64 = StandardNormal.sample(rng);
                x += (cfg.noise * e) as f32;
            }
            x
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::Seed;

    #[test]
    fn each_augmentation_has_its_statistics() {
        let x = vec![1.0f32; 100_000];
        let mut rng = Seed(3).rng("aug");
        let masked = augment(
            &x,
            &Augment {
                dropout: 0.0,
                noise: 0.0,
                mask: 0.25,
            },
            &mut rng,
        );
        let zeros = masked.iter().filter(|&&v| v == 0.0).count() as f64 / x.len() as f64;
        assert!((zeros - 0.25).abs() < 0.01, "{zeros}");
        let dropped = augment(
            &x,
            &Augment {
                dropout: 0.5,
                noise: 0.0,
                mask: 0.0,
            },
            &mut rng,
        );
        let mean = dropped.iter().map(|&v| f64::from(v)).sum::<f64>() / x.len() as f64;
        assert!((mean - 1.0).abs() < 0.02, "dropout keeps the mean: {mean}");
        let noisy = augment(
            &x,
            &Augment {
                dropout: 0.0,
                noise: 0.1,
                mask: 0.0,
            },
            &mut rng,
        );
        let var = noisy
            .iter()
            .map(|&v| (f64::from(v) - 1.0).powi(2))
            .sum::<f64>()
            / x.len() as f64;
        assert!((var.sqrt() - 0.1).abs() < 0.003, "{}", var.sqrt());
        let off = augment(
            &x,
            &Augment {
                dropout: 0.0,
                noise: 0.0,
                mask: 0.0,
            },
            &mut rng,
        );
        assert_eq!(off, x);
    }
}
