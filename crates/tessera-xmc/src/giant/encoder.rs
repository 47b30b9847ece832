//! The neural GIANT encoder: `x → Linear → GELU → Dropout → Linear → tanh` over the
//! TF-IDF vector, fine-tuned coarse-to-fine on the label tree's levels with a fresh
//! linear head per level and the squared hinge `max(0, 1 − y·s)²` (y ∈ {±1}), averaged
//! separately over positive and negative clusters.
//!
//! Our CPU adaptation of XR-Transformer's curriculum: every cluster of a trained level
//! is a candidate (a superset of TFN ∪ matcher-aware negatives), so only levels with at
//! most `max_level_clusters` clusters are trained; heads start at random, not from a
//! bootstrapped linear model.

use super::config::EncoderConfig;
use super::features::NeighbourhoodProblem;
use crate::XLinearModel;
use crate::problem::XmcProblem;
use crate::train::level_targets;
use crate::tree::ClusterChain;
use burn::grad_clipping::GradientClippingConfig;
use burn::module::{AutodiffModule, Module};
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Tensor, TensorData};
use rand::seq::SliceRandom;
use tessera_core::backend::CpuAutodiff;
use tessera_core::{Error, Progress, Result, Seed};
use tessera_data::{CsrMatrix, DenseMatrix};
use tessera_graph::nn::Activation;
use tessera_graph::{Mlp, MlpConfig, NodeFeatures};

#[derive(Module, Debug)]
struct Net<B: Backend> {
    body: Mlp<B>,
    head: Linear<B>,
}

impl<B: Backend> Net<B> {
    fn embed(&self, x: &NodeFeatures) -> Tensor<B, 2> {
        self.body.forward(x, None).tanh()
    }
}

/// Trains the encoder on `levels` of `model`'s chain (coarse first) and embeds every node.
pub(crate) fn train_encoder(
    problem: &NeighbourhoodProblem,
    training: &XmcProblem,
    model: &XLinearModel,
    levels: &[usize],
    config: &EncoderConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<DenseMatrix> {
    let chain = ClusterChain {
        levels: model.levels.iter().map(|l| l.clusters.clone()).collect(),
    };
    let targets: Vec<CsrMatrix> = levels
        .iter()
        .map(|&t| level_targets(&training.y, &chain, t))
        .collect();
    let x_train = NodeFeatures::from_csr(&training.x, false)?;
    let x_all = NodeFeatures::from_csr(&problem.x, false)?;
    fit_and_embed::<CpuAutodiff>(
        &x_train,
        &targets,
        &x_all,
        config,
        seed,
        progress,
        &Default::default(),
    )
}

fn fit_and_embed<B: AutodiffBackend>(
    x_train: &NodeFeatures,
    targets: &[CsrMatrix],
    x_all: &NodeFeatures,
    config: &EncoderConfig,
    seed: Seed,
    progress: &Progress,
    device: &B::Device,
) -> Result<DenseMatrix> {
    seed.seed_backend::<B>("giant-encoder", device);
    tessera_graph::dropout::reseed(seed.derive("giant-encoder-dropout"));
    let body_cfg = MlpConfig {
        hidden: vec![config.hidden],
        out: config.out,
        layer_norm: false,
        activation: Activation::Gelu,
        dropout: config.dropout,
    };
    let mut body = Mlp::<B>::new(x_train.cols(), &body_cfg, device);
    let mut rng = seed.rng("giant-encoder-batches");
    let mut order: Vec<usize> = (0..x_train.rows()).collect();
    for (t, y) in targets.iter().enumerate() {
        let k = y.cols;
        let mut net = Net {
            body,
            head: LinearConfig::new(config.out, k).init(device),
        };
        let mut optim = AdamConfig::new()
            .with_grad_clipping(Some(GradientClippingConfig::Norm(config.max_grad_norm)))
            .init::<B, Net<B>>();
        let steps = config.epochs_per_level * order.len().div_ceil(config.batch);
        let mut task = progress.task(
            &format!("giant encoder level {t} ({k} clusters)"),
            steps as u64,
        );
        let mut step = 0usize;
        for _ in 0..config.epochs_per_level {
            order.shuffle(&mut rng);
            for batch in order.chunks(config.batch) {
                let mut signs = vec![-1f32; batch.len() * k];
                for (r, &i) in batch.iter().enumerate() {
                    for &c in y.row(i).0 {
                        signs[r * k + c as usize] = 1.0;
                    }
                }
                let signs =
                    Tensor::<B, 2>::from_data(TensorData::new(signs, [batch.len(), k]), device);
                let scores = net.head.forward(net.embed(&x_train.select_rows(batch)));
                let loss = balanced_squared_hinge(signs, scores);
                let value: f32 = loss.clone().into_scalar().elem();
                if !value.is_finite() {
                    return Err(Error::Numeric(format!(
                        "giant encoder loss became {value} at level {t}, step {step}"
                    )));
                }
                let grads = GradientsParams::from_grads(loss.backward(), &net);
                let lr = config.lr * (1.0 - step as f64 / steps as f64);
                net = optim.step(lr, net, grads);
                step += 1;
                task.set_message(format!("loss {value:.4}"));
                task.inc(1);
            }
        }
        task.finish();
        body = net.body;
    }
    let inner = body.valid();
    let mut data = Vec::with_capacity(x_all.rows() * config.out);
    let all: Vec<usize> = (0..x_all.rows()).collect();
    for chunk in all.chunks(4096) {
        let z = inner.forward(&x_all.select_rows(chunk), None).tanh();
        data.extend(
            z.into_data()
                .to_vec::<f32>()
                .map_err(|e| Error::Numeric(format!("reading embeddings: {e:?}")))?,
        );
    }
    DenseMatrix::new(x_all.rows(), config.out, data)
}

/// Squared hinge `max(0, 1 − y·s)²` averaged separately over positives and negatives and
/// summed, so the rare positives are not drowned by the many negative clusters.
fn balanced_squared_hinge<B: Backend>(signs: Tensor<B, 2>, scores: Tensor<B, 2>) -> Tensor<B, 1> {
    let hinge = (signs.clone() * scores)
        .neg()
        .add_scalar(1.0)
        .clamp_min(0.0)
        .powf_scalar(2.0);
    let pos = signs.add_scalar(1.0).mul_scalar(0.5);
    let neg = pos.clone().neg().add_scalar(1.0);
    let pos_loss = (hinge.clone() * pos.clone()).sum() / pos.sum().clamp_min(1.0);
    let neg_loss = (hinge * neg.clone()).sum() / neg.sum().clamp_min(1.0);
    pos_loss + neg_loss
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoder_separates_two_feature_groups() {
        // 40 nodes: even nodes use features {0, 1} and belong to cluster 0, odd ones {2, 3} → cluster 1.
        let n = 40;
        let x = CsrMatrix::new(
            "x",
            n,
            4,
            (0..=n).map(|i| 2 * i).collect(),
            (0..n)
                .flat_map(|i| if i % 2 == 0 { [0u32, 1] } else { [2, 3] })
                .collect(),
            vec![0.7; 2 * n],
        )
        .unwrap();
        let y = CsrMatrix::new(
            "y",
            n,
            2,
            (0..=n).collect(),
            (0..n).map(|i| (i % 2) as u32).collect(),
            vec![1.0; n],
        )
        .unwrap();
        let xf = NodeFeatures::from_csr(&x, false).unwrap();
        let cfg = EncoderConfig {
            hidden: 16,
            out: 8,
            batch: 8,
            epochs_per_level: 20,
            lr: 1e-2,
            ..EncoderConfig::default()
        };
        let z = fit_and_embed::<CpuAutodiff>(
            &xf,
            std::slice::from_ref(&y),
            &xf,
            &cfg,
            Seed(0),
            &Progress::hidden(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!((z.rows, z.cols), (40, 8));
        assert!(z.data.iter().all(|v| v.abs() <= 1.0));
        let dist = |a: usize, b: usize| {
            z.row(a)
                .iter()
                .zip(z.row(b))
                .map(|(p, q)| (p - q).powi(2))
                .sum::<f32>()
        };
        assert!(
            dist(0, 2) < 1e-6 && dist(1, 3) < 1e-6,
            "same input, same embedding"
        );
        assert!(dist(0, 1) > 0.1, "groups separated: {}", dist(0, 1));
        let again = fit_and_embed::<CpuAutodiff>(
            &xf,
            &[y],
            &xf,
            &cfg,
            Seed(0),
            &Progress::hidden(),
            &Default::default(),
        )
        .unwrap();
        assert_eq!(again, z, "same seed, same embeddings");
    }
}
