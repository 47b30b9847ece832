//! Inverted dropout whose masks come from a seeded per-thread stream.
//!
//! burn's `Dropout` draws every mask element through a generic Bernoulli
//! sampler (about a third of a Cold Brew training step on the CPU). Here a
//! mask is one pass over `u32`s from [`tessera_core::Rng`], compared with a
//! threshold, already scaled by `1 / (1 − p)`, and applied as one product.
//! The stream is seeded explicitly by the training loop ([`reseed`], from a
//! [`tessera_core::Seed`] stream), as burn's backend generator was; it is
//! per thread, so concurrent trainings (e.g. parallel tests) do not share it.

use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};
use rand::{Rng as _, SeedableRng};
use std::cell::RefCell;
use tessera_core::Rng;

thread_local! {
    static STREAM: RefCell<Rng> = RefCell::new(Rng::seed_from_u64(0));
}

/// Restarts this thread's dropout stream from `seed` (e.g. `Seed::derive("gcn-dropout")`).
pub fn reseed(seed: u64) {
    STREAM.with(|s| *s.borrow_mut() = Rng::seed_from_u64(seed));
}

/// `len` mask values: `1 / (1 − prob)` with probability `1 − prob`, else 0.
fn mask(len: usize, prob: f64) -> Vec<f32> {
    STREAM.with(|s| mask_from(&mut s.borrow_mut(), len, prob))
}

/// `len` inverted-dropout factors drawn from `rng`: `1 / (1 − prob)` with
/// probability `1 − prob`, else 0 (one `u32` per element, compared with a threshold).
pub fn mask_from(rng: &mut Rng, len: usize, prob: f64) -> Vec<f32> {
    let keep = 1.0 - prob;
    // keep iff a uniform u32 < keep · 2³²
    let threshold = (keep * 4_294_967_296.0).min(u32::MAX as f64) as u32;
    let scale = (1.0 / keep) as f32;
    let mut bits = vec![0u32; len];
    rng.fill(&mut bits[..]);
    bits.into_iter()
        .map(|b| if b < threshold { scale } else { 0.0 })
        .collect()
}

/// Zeroes each element with probability `prob` and scales the rest by
/// `1 / (1 − prob)` while training (autodiff backends); identity otherwise.
#[derive(Module, Clone, Debug)]
pub struct Dropout {
    prob: f64,
}

impl Dropout {
    /// A dropout layer; `prob` must lie in `[0, 1)` (checked by the configs that build it).
    pub fn new(prob: f64) -> Self {
        Dropout { prob }
    }

    /// Applies dropout to `x` (only when `x`'s backend records gradients).
    pub fn forward<B: Backend, const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        if self.prob <= 0.0 || !B::ad_enabled(&x.device()) {
            return x;
        }
        let shape = x.shape();
        let m = mask(shape.num_elements(), self.prob);
        let m = Tensor::<B, D>::from_data(TensorData::new(m, shape), &x.device());
        x * m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::backend::{Cpu, CpuAutodiff};

    #[test]
    fn keeps_the_expected_share_scaled_and_repeats_with_the_seed() {
        let d = Dropout::new(0.6);
        let x = Tensor::<CpuAutodiff, 2>::ones([200, 100], &Default::default());
        reseed(7);
        let a: Vec<f32> = d.forward(x.clone()).into_data().into_vec().unwrap();
        let kept = a.iter().filter(|&&v| v != 0.0).count() as f64 / a.len() as f64;
        assert!((kept - 0.4).abs() < 0.02, "kept {kept}");
        assert!(a.iter().all(|&v| v == 0.0 || (v - 2.5).abs() < 1e-6));
        reseed(7);
        let b: Vec<f32> = d.forward(x).into_data().into_vec().unwrap();
        assert_eq!(a, b);
        // inference backends are untouched
        let y = Tensor::<Cpu, 2>::ones([3, 3], &Default::default());
        assert_eq!(
            d.forward(y).into_data().into_vec::<f32>().unwrap(),
            vec![1.0; 9]
        );
    }
}
