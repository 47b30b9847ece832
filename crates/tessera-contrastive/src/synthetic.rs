//! The spec's synthetic information-gap generator (modality-structures stand-in 2).
//!
//! A shared latent `s ∈ R^8` and specific latents `a, b ∈ R^8` give
//! `x_a = φ_a([s; a]) + noise` and `x_b = φ_b([s; b]) + noise` through fixed
//! random 2-layer tanh MLPs; the label is the argmax of a random linear
//! function of `[s; a]` (so view a carries more task information than view b)
//! or of `s` alone (no information gap).

use crate::data::{PairedViews, View};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use tessera_core::{Result, Rng, Seed};
use tessera_data::DenseMatrix;

/// Latent width of s, a and b.
const LATENT: usize = 8;

fn gaussian(rng: &mut Rng, n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|_| scale * Distribution::<f64>::sample(&StandardNormal, rng))
        .collect()
}

/// `y = W x` for a row-major `out × in` matrix.
fn matvec(w: &[f64], x: &[f64]) -> Vec<f64> {
    w.chunks(x.len())
        .map(|r| r.iter().zip(x).map(|(a, b)| a * b).sum())
        .collect()
}

struct Mlp {
    w1: Vec<f64>,
    w2: Vec<f64>,
}

impl Mlp {
    fn new(rng: &mut Rng, input: usize, hidden: usize, out: usize) -> Self {
        Mlp {
            w1: gaussian(rng, hidden * input, 1.0 / (input as f64).sqrt()),
            w2: gaussian(rng, out * hidden, 1.0 / (hidden as f64).sqrt()),
        }
    }

    fn apply(&self, x: &[f64]) -> Vec<f64> {
        let h: Vec<f64> = matvec(&self.w1, x).into_iter().map(f64::tanh).collect();
        matvec(&self.w2, &h)
    }
}

/// `n` pairs with `classes` labels; `gap` = labels depend on view a's specific latent too.
pub fn information_gap(n: usize, classes: usize, gap: bool, seed: Seed) -> Result<PairedViews> {
    let mut rng = seed.rng("synthetic-gap");
    let (da, db) = (32, 24);
    let (phi_a, phi_b) = (
        Mlp::new(&mut rng, 2 * LATENT, 64, da),
        Mlp::new(&mut rng, 2 * LATENT, 64, db),
    );
    let label_w = gaussian(&mut rng, classes * 2 * LATENT, 1.0);
    let (mut xa, mut xb, mut y) = (
        Vec::with_capacity(n * da),
        Vec::with_capacity(n * db),
        Vec::with_capacity(n),
    );
    for _ in 0..n {
        let s = gaussian(&mut rng, LATENT, 1.0);
        let (a, b) = (
            gaussian(&mut rng, LATENT, 1.0),
            gaussian(&mut rng, LATENT, 1.0),
        );
        let sa: Vec<f64> = s.iter().chain(&a).copied().collect();
        let sb: Vec<f64> = s.iter().chain(&b).copied().collect();
        let label_in: Vec<f64> = if gap {
            sa.clone()
        } else {
            s.iter()
                .copied()
                .chain(std::iter::repeat_n(0.0, LATENT))
                .collect()
        };
        y.push(crate::probe::argmax(&matvec(&label_w, &label_in)));
        xa.extend(
            phi_a
                .apply(&sa)
                .into_iter()
                .map(|v| (v + 0.1 * rng.random::<f64>()) as f32),
        );
        xb.extend(
            phi_b
                .apply(&sb)
                .into_iter()
                .map(|v| (v + 0.1 * rng.random::<f64>()) as f32),
        );
    }
    PairedViews::new(
        View {
            source: "synthetic view a".into(),
            x: DenseMatrix::new(n, da, xa)?,
        },
        View {
            source: "synthetic view b".into(),
            x: DenseMatrix::new(n, db, xb)?,
        },
        Some(y),
    )
}
