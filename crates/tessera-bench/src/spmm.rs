//! `spmm`: `Â·H` forward, or forward + backward of `sum(Â·H ⊙ R)` w.r.t. `H`.

use crate::graph::BenchGraph;
use crate::inputs::det_matrix;
use crate::timing::median_seconds;
use crate::{Outcome, Pass};
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{ElementConversion, Tensor, TensorData};
use tessera_core::kernels::{CsrOperator, spmm};
use tessera_core::{BackendJob, Result};

/// The spmm workload on one graph.
pub struct SpmmJob {
    /// The graph (only its adjacency is used).
    pub graph: BenchGraph,
    /// Width of the dense operand `H`.
    pub dim: usize,
    /// Forward only, or forward + backward.
    pub pass: Pass,
    /// Forward on host slices with [`CsrOperator::apply`], bypassing burn tensors (diagnostic).
    pub host: bool,
    /// Untimed iterations.
    pub warmup: usize,
    /// Timed iterations.
    pub iters: usize,
}

impl BackendJob for SpmmJob {
    type Output = Outcome;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Outcome> {
        let op: &CsrOperator = &self.graph.adjacency;
        let n = op.rows();
        let h = Tensor::<B, 2>::from_data(
            TensorData::new(det_matrix(n, self.dim, 1, 2.0), [n, self.dim]),
            &device,
        );
        let r = Tensor::<B, 2>::from_data(
            TensorData::new(det_matrix(n, self.dim, 2, 2.0), [n, self.dim]),
            &device,
        );
        let (seconds, checksum) = match self.pass {
            Pass::Forward if self.host => {
                // The bare CSR kernel on host slices: what the tensor wrapper adds is the difference.
                let h = h
                    .into_data()
                    .convert::<f32>()
                    .into_vec::<f32>()
                    .expect("converted to f32 just before");
                let (seconds, y) =
                    median_seconds(self.warmup, self.iters, || op.apply(&h, self.dim));
                return Ok(Outcome::new(seconds)
                    .with_extra("checksum", y.iter().map(|&v| f64::from(v)).sum()));
            }
            Pass::Forward => median_seconds(self.warmup, self.iters, || {
                let y = spmm(op, h.clone());
                B::sync(&device).ok();
                y
            }),
            Pass::ForwardBackward => {
                let h = h.require_grad();
                median_seconds(self.warmup, self.iters, || {
                    let loss = (spmm(op, h.clone()) * r.clone()).sum();
                    let grads = loss.backward();
                    let g = h.grad(&grads).expect("H requires grad");
                    B::sync(&device).ok();
                    Tensor::<B, 2>::from_inner(g)
                })
            }
        };
        Ok(
            Outcome::new(seconds)
                .with_extra("checksum", checksum.sum().into_scalar().elem::<f64>()),
        )
    }
}
