//! `gcn-epoch`: one full-batch epoch of a 2-layer GCN (Kipf & Welling):
//! `logits = Â·(relu(Â·X·W1 + b1)·W2) + b2`, mean cross-entropy over the
//! train nodes, backward, Adam (lr 0.01, L2 5e-4, ε 1e-8). No dropout, so the
//! peer (PyG `GCNConv`, same start weights) follows the same trajectory.

use crate::Outcome;
use crate::graph::BenchGraph;
use crate::inputs::{det_matrix, glorot_scale};
use crate::timing::median_seconds;
use burn::module::{Module, Param};
use burn::optim::decay::WeightDecayConfig;
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Int, Tensor, TensorData};
use tessera_core::kernels::{CsrOperator, spmm};
use tessera_core::{BackendJob, Result};

/// One GCN layer `Â·(H·W) + b` (bias after propagation, as PyG's `GCNConv`).
#[derive(Module, Debug)]
pub struct GcnLayer<B: Backend> {
    weight: Param<Tensor<B, 2>>,
    bias: Param<Tensor<B, 1>>,
}

impl<B: Backend> GcnLayer<B> {
    /// Deterministic Glorot-scaled weight (salt `salt`) and zero bias, shared with the peer.
    pub fn deterministic(fan_in: usize, fan_out: usize, salt: u64, device: &B::Device) -> Self {
        let w = det_matrix(fan_in, fan_out, salt, glorot_scale(fan_in, fan_out));
        GcnLayer {
            weight: Param::from_tensor(Tensor::from_data(
                TensorData::new(w, [fan_in, fan_out]),
                device,
            )),
            bias: Param::from_tensor(Tensor::zeros([fan_out], device)),
        }
    }

    /// `Â·(h·W) + b`.
    pub fn forward(&self, adjacency: &CsrOperator, h: Tensor<B, 2>) -> Tensor<B, 2> {
        spmm(adjacency, h.matmul(self.weight.val())) + self.bias.val().unsqueeze::<2>()
    }
}

/// The two-layer GCN.
#[derive(Module, Debug)]
pub struct Gcn<B: Backend> {
    first: GcnLayer<B>,
    second: GcnLayer<B>,
}

/// The gcn-epoch workload on one graph.
pub struct GcnJob {
    /// The graph with features, labels and train mask.
    pub graph: BenchGraph,
    /// Hidden width.
    pub hidden: usize,
    /// Untimed epochs.
    pub warmup: usize,
    /// Timed epochs.
    pub iters: usize,
}

impl BackendJob for GcnJob {
    type Output = Outcome;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Outcome> {
        let g = &self.graph;
        let n = g.nodes();
        let x = Tensor::<B, 2>::from_data(TensorData::new(g.features.clone(), [n, g.dim]), &device);
        let train = g.train.iter().map(|&i| i as i64).collect::<Vec<_>>();
        let labels = g
            .train
            .iter()
            .map(|&i| g.labels[i] as i64)
            .collect::<Vec<_>>();
        let m = train.len();
        let train = Tensor::<B, 1, Int>::from_data(TensorData::new(train, [m]), &device);
        let labels = Tensor::<B, 2, Int>::from_data(TensorData::new(labels, [m, 1]), &device);
        let mut model = Some(Gcn {
            first: GcnLayer::<B>::deterministic(g.dim, self.hidden, 1, &device),
            second: GcnLayer::<B>::deterministic(self.hidden, g.classes, 2, &device),
        });
        let mut optim = AdamConfig::new()
            .with_epsilon(1e-8)
            .with_weight_decay(Some(WeightDecayConfig::new(5e-4)))
            .init::<B, Gcn<B>>();
        let a = &g.adjacency;
        let (seconds, loss) = median_seconds(self.warmup, self.iters, || {
            let net = model
                .take()
                .expect("the model is put back after every epoch");
            let hidden = relu(net.first.forward(a, x.clone()));
            let logits = net.second.forward(a, hidden).select(0, train.clone());
            let loss = -log_softmax(logits, 1).gather(1, labels.clone()).mean();
            let grads = GradientsParams::from_grads(loss.backward(), &net);
            model = Some(optim.step(0.01, net, grads));
            B::sync(&device).ok();
            loss
        });
        Ok(Outcome::new(seconds).with_metric("loss_last_epoch", loss.into_scalar().elem::<f64>()))
    }
}
