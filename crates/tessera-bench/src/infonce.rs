//! `infonce`: symmetric InfoNCE forward + backward on `B × d` unit-norm pairs.

use crate::Outcome;
use crate::inputs::{det_matrix, l2_normalize_rows};
use crate::timing::median_seconds;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{ElementConversion, Tensor, TensorData};
use tessera_core::kernels::infonce::{symmetric_infonce, symmetric_infonce_reference};
use tessera_core::{BackendJob, Result};

/// Which implementation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kernel {
    /// The fused core kernel (one `B × B` buffer, closed-form backward).
    Fused,
    /// Plain burn tensor ops (the reference the kernel is tested against).
    Burn,
}

/// The infonce workload.
pub struct InfonceJob {
    /// Pairs per batch.
    pub batch: usize,
    /// Embedding width.
    pub dim: usize,
    /// Temperature τ (scores are `⟨z_i, w_j⟩ / τ`).
    pub tau: f32,
    /// Implementation.
    pub kernel: Kernel,
    /// Untimed iterations.
    pub warmup: usize,
    /// Timed iterations.
    pub iters: usize,
}

impl BackendJob for InfonceJob {
    type Output = Outcome;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Outcome> {
        let (b, d) = (self.batch, self.dim);
        let unit = |salt| {
            let mut v = det_matrix(b, d, salt, 2.0);
            l2_normalize_rows(&mut v, d);
            Tensor::<B, 2>::from_data(TensorData::new(v, [b, d]), &device).require_grad()
        };
        let (z, w) = (unit(1), unit(2));
        let scale = Tensor::<B, 1>::from_data(TensorData::new(vec![1.0 / self.tau], [1]), &device);
        let (seconds, loss) = median_seconds(self.warmup, self.iters, || {
            let loss = match self.kernel {
                Kernel::Fused => symmetric_infonce(z.clone(), w.clone(), scale.clone()),
                Kernel::Burn => symmetric_infonce_reference(z.clone(), w.clone(), scale.clone()),
            };
            let grads = loss.backward();
            let (gz, gw) = (z.grad(&grads), w.grad(&grads));
            B::sync(&device).ok();
            drop((gz, gw));
            loss
        });
        Ok(Outcome::new(seconds).with_metric("loss", loss.into_scalar().elem::<f64>()))
    }
}
