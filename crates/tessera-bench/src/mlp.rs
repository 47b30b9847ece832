//! `mlp-step`: one AdamW step of a 512→256→256→64 ReLU MLP on a fixed batch
//! (MSE loss); the peer runs the same start weights and data.

use crate::Outcome;
use crate::inputs::{det_matrix, glorot_scale};
use crate::timing::median_seconds;
use burn::module::{Module, Param};
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Tensor, TensorData};
use tessera_core::kernels::Activation;
use tessera_core::nn::Dense;
use tessera_core::optim::AdamW;
use tessera_core::{BackendJob, Result};

/// Layer widths of the benchmark MLP.
pub const WIDTHS: [usize; 4] = [512, 256, 256, 64];

/// The MLP (three fused dense layers, ReLU between them).
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    layers: Vec<Dense<B>>,
}

impl<B: Backend> Mlp<B> {
    /// The deterministic start weights shared with the peer (salt 10 + layer).
    pub fn deterministic(device: &B::Device) -> Self {
        let layers = WIDTHS
            .windows(2)
            .enumerate()
            .map(|(l, w)| {
                let (fan_in, fan_out) = (w[0], w[1]);
                let weight = det_matrix(
                    fan_in,
                    fan_out,
                    10 + l as u64,
                    glorot_scale(fan_in, fan_out),
                );
                let bias = det_matrix(1, fan_out, 20 + l as u64, 0.1);
                Dense {
                    weight: Param::from_tensor(Tensor::from_data(
                        TensorData::new(weight, [fan_in, fan_out]),
                        device,
                    )),
                    bias: Some(Param::from_tensor(Tensor::from_data(
                        TensorData::new(bias, [fan_out]),
                        device,
                    ))),
                }
            })
            .collect();
        Mlp { layers }
    }

    /// Forward pass.
    pub fn forward(&self, mut x: Tensor<B, 2>) -> Tensor<B, 2> {
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let activation = if l < last {
                Activation::Relu
            } else {
                Activation::Identity
            };
            x = layer.forward(x, activation);
        }
        x
    }
}

/// The mlp-step workload.
pub struct MlpJob {
    /// Batch size.
    pub batch: usize,
    /// Untimed steps.
    pub warmup: usize,
    /// Timed steps.
    pub iters: usize,
}

impl BackendJob for MlpJob {
    type Output = Outcome;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Outcome> {
        let (d_in, d_out) = (WIDTHS[0], WIDTHS[3]);
        let x = Tensor::<B, 2>::from_data(
            TensorData::new(det_matrix(self.batch, d_in, 1, 2.0), [self.batch, d_in]),
            &device,
        );
        let y = Tensor::<B, 2>::from_data(
            TensorData::new(det_matrix(self.batch, d_out, 2, 2.0), [self.batch, d_out]),
            &device,
        );
        let mut model = Some(Mlp::<B>::deterministic(&device));
        let mut optim = AdamW::default()
            .with_epsilon(1e-8)
            .with_weight_decay(0.01)
            .init::<B, Mlp<B>>();
        let (seconds, loss) = median_seconds(self.warmup, self.iters, || {
            let m = model
                .take()
                .expect("the model is put back after every step");
            let diff = m.forward(x.clone()) - y.clone();
            let loss = (diff.clone() * diff).mean();
            let grads = GradientsParams::from_grads(loss.backward(), &m);
            model = Some(optim.step(1e-3, m, grads));
            B::sync(&device).ok();
            loss
        });
        let loss = loss.into_scalar().elem::<f64>();
        Ok(Outcome::new(seconds).with_metric("loss_last_step", loss))
    }
}
