//! Training node classifiers: a [`NodeModel`] trait, one full-batch
//! training loop ([`fit_node_model`]) and a ready API for GCN / SAGE / MLP
//! classifiers ([`train_classifier`]) that other method crates reuse for
//! their downstream protocols.

use crate::NodeFeatures;
use crate::nn::{Activation, Gcn, GraphOps, Mlp, MlpConfig, Sage};
use burn::module::{AutodiffModule, Module};
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::activation::log_softmax;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Int, Tensor, TensorData};
use rand::Rng as _;
use tessera_core::optim::AdamW;
use tessera_core::train::{EpochStats, Goal, LoopConfig, TrainEnv, train};
use tessera_core::{Error, Progress, Result, Seed, metrics};

/// A model that maps a graph and node features to per-node outputs.
pub trait NodeModel<B: Backend>: Module<B> {
    /// Output rows for every node of `x` (logits for classifiers).
    fn logits(&self, ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2>;

    /// Output rows for `rows` only (`rows_t` is the same ids as a tensor).
    /// Models that see the whole graph compute every node and select;
    /// feature-only models override this to touch only those rows.
    fn logits_rows(
        &self,
        ops: &GraphOps,
        x: &NodeFeatures,
        rows: &[usize],
        rows_t: Tensor<B, 1, Int>,
    ) -> Tensor<B, 2> {
        let _ = rows;
        self.logits(ops, x).select(0, rows_t)
    }

    /// A regularisation term added to the loss (none by default).
    fn penalty(&self) -> Option<Tensor<B, 1>> {
        None
    }
}

impl<B: Backend> NodeModel<B> for Gcn<B> {
    fn logits(&self, ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        self.output(
            self.forward_layers(&ops.gcn, x, &[])
                .pop()
                .expect("a GCN has at least one layer"),
        )
    }
}

impl<B: Backend> NodeModel<B> for Sage<B> {
    fn logits(&self, ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        self.forward(&ops.mean, x)
    }
}

impl<B: Backend> NodeModel<B> for Mlp<B> {
    fn logits(&self, _ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        self.forward(x, None)
    }

    fn logits_rows(
        &self,
        _ops: &GraphOps,
        x: &NodeFeatures,
        rows: &[usize],
        _rows_t: Tensor<B, 1, Int>,
    ) -> Tensor<B, 2> {
        self.forward(&x.select_rows(rows), None)
    }
}

/// What a model is trained to output on its training rows.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a> {
    /// A class per node (cross-entropy); accuracy drives epoch selection.
    Classes(&'a [usize]),
    /// A row-major `N × width` matrix of values per node (mean squared error).
    Values {
        /// The values.
        data: &'a [f32],
        /// Row width.
        width: usize,
    },
}

/// Adam's ε in [`fit_node_model`]: PyTorch's default, which the reference implementations use.
pub const ADAM_EPSILON: f32 = 1e-8;

/// Optimisation settings of [`fit_node_model`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FitConfig {
    /// Full-batch epochs.
    pub epochs: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Adam L2 weight decay.
    pub weight_decay: f64,
    /// Dropout on the input features.
    pub input_dropout: f64,
    /// Train each step on as many nodes as there are training nodes, drawn
    /// with replacement (the official Cold Brew student loop), instead of
    /// the full batch.
    #[serde(default)]
    pub resample: bool,
}

/// Mean cross-entropy of `logits` rows against `targets`.
pub fn cross_entropy<B: Backend>(logits: Tensor<B, 2>, targets: &[usize]) -> Tensor<B, 1> {
    let device = logits.device();
    let idx = Tensor::<B, 1, Int>::from_data(
        TensorData::new(
            targets.iter().map(|&t| t as i64).collect::<Vec<_>>(),
            [targets.len()],
        ),
        &device,
    );
    let picked = log_softmax(logits, 1).gather(1, idx.unsqueeze_dim(1));
    -picked.mean()
}

/// `Int` row ids on `device`.
pub fn index_tensor<B: Backend>(ids: &[usize], device: &B::Device) -> Tensor<B, 1, Int> {
    Tensor::from_data(
        TensorData::new(
            ids.iter().map(|&i| i as i64).collect::<Vec<_>>(),
            [ids.len()],
        ),
        device,
    )
}

/// Host copy of a model's outputs for every node, row-major, and its width.
pub fn node_outputs<B: Backend, M: NodeModel<B>>(
    model: &M,
    ops: &GraphOps,
    x: &NodeFeatures,
) -> (Vec<f32>, usize) {
    let y = model.logits(ops, x);
    let [_, width] = y.dims();
    (
        y.into_data()
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("float outputs"),
        width,
    )
}

/// Accuracy (in %) of row-wise argmax of `scores` on `nodes`.
pub fn accuracy_on(scores: &[f32], width: usize, labels: &[usize], nodes: &[usize]) -> f64 {
    let pred = metrics::argmax_rows(scores, width);
    let p: Vec<usize> = nodes.iter().map(|&i| pred[i]).collect();
    let t: Vec<usize> = nodes.iter().map(|&i| labels[i]).collect();
    100.0 * metrics::accuracy(&p, &t)
}

/// One training batch: its nodes (as ids and as a tensor) and their targets.
struct Batch<B: Backend> {
    nodes: Vec<usize>,
    rows: Tensor<B, 1, Int>,
    classes: Option<Vec<usize>>,
    values: Option<Tensor<B, 2>>,
}

impl<B: Backend> Batch<B> {
    fn new(targets: Targets<'_>, nodes: &[usize], device: &B::Device) -> Self {
        let (classes, values) = match targets {
            Targets::Classes(labels) => (Some(nodes.iter().map(|&i| labels[i]).collect()), None),
            Targets::Values { data, width } => {
                let rows: Vec<f32> = nodes
                    .iter()
                    .flat_map(|&i| data[i * width..(i + 1) * width].iter().copied())
                    .collect();
                let t = Tensor::from_data(TensorData::new(rows, [nodes.len(), width]), device);
                (None, Some(t))
            }
        };
        Batch {
            nodes: nodes.to_vec(),
            rows: index_tensor::<B>(nodes, device),
            classes,
            values,
        }
    }

    /// Cross-entropy for class targets, mean squared error for value targets.
    fn loss(&self, out: Tensor<B, 2>) -> Tensor<B, 1> {
        match (&self.classes, &self.values) {
            (Some(classes), _) => cross_entropy(out, classes),
            (None, Some(target)) => (out - target.clone()).powf_scalar(2.0).mean(),
            (None, None) => unreachable!("targets are either classes or values"),
        }
    }
}

/// Trains `model` with Adam on the cross-entropy (class targets) or mean
/// squared error (value targets) of the `train` nodes, plus the model's
/// penalty: full batch, or `|train|` nodes drawn with replacement per step
/// with [`FitConfig::resample`]. With `select`, the model of the epoch
/// with the best accuracy on those nodes is kept; otherwise the last one.
#[allow(clippy::too_many_arguments)]
pub fn fit_node_model<B, M>(
    model: M,
    ops: &GraphOps,
    x: &NodeFeatures,
    targets: Targets<'_>,
    train_nodes: &[usize],
    select: Option<&[usize]>,
    config: &FitConfig,
    seed: Seed,
    progress: &Progress,
    name: &str,
) -> Result<M>
where
    B: AutodiffBackend,
    M: NodeModel<B> + AutodiffModule<B>,
    M::InnerModule: NodeModel<B::InnerBackend>,
{
    if train_nodes.is_empty() {
        return Err(Error::input(
            name,
            "train mask",
            "at least one training node",
            "an empty split",
        ));
    }
    let device = model.devices().into_iter().next().unwrap_or_default();
    let full_batch = Batch::new(targets, train_nodes, &device);
    let labels = match (targets, select) {
        (Targets::Classes(l), _) => Some(l),
        (Targets::Values { .. }, Some(_)) => {
            return Err(Error::Config(format!(
                "{name}: epoch selection needs class targets"
            )));
        }
        (Targets::Values { .. }, None) => None,
    };
    let mut rng = seed.rng(&format!("{name}-input-dropout"));
    let mut batch_rng = seed.rng(&format!("{name}-batches"));
    crate::dropout::reseed(seed.derive(&format!("{name}-dropout")));
    // torch.optim.Adam: L2 penalty on the gradient, ε = 1e-8 (burn defaults to 1e-5),
    // as the reference code uses; one fused pass per parameter tensor.
    let optim = AdamW::adam_l2(config.weight_decay as f32)
        .with_epsilon(ADAM_EPSILON)
        .init::<B, M>();
    let loop_cfg = LoopConfig {
        epochs: config.epochs,
        patience: None,
        goal: Goal::Maximize,
        keep_best: select.is_some(),
        checkpoint_every: 0,
    };
    let env = TrainEnv {
        checkpoints: None,
        device: &device,
        progress,
        name,
    };
    let trained = train(&loop_cfg, model, optim, &env, |m: M, opt, _| {
        let drawn;
        let batch = if config.resample {
            let nodes: Vec<usize> = (0..train_nodes.len())
                .map(|_| train_nodes[batch_rng.random_range(0..train_nodes.len())])
                .collect();
            drawn = Batch::new(targets, &nodes, &device);
            &drawn
        } else {
            &full_batch
        };
        let xd = x.dropout(config.input_dropout, &mut rng);
        let out = m.logits_rows(ops, &xd, &batch.nodes, batch.rows.clone());
        let mut loss = batch.loss(out);
        if let Some(p) = m.penalty() {
            loss = loss + p;
        }
        let value = f64::from(loss.clone().into_scalar().elem::<f32>());
        let grads = GradientsParams::from_grads(loss.backward(), &m);
        let m = opt.step(config.lr, m, grads);
        let validation = select.zip(labels).map(|(nodes, labels)| {
            let (scores, width) = node_outputs(&m.valid(), ops, x);
            accuracy_on(&scores, width, labels, nodes)
        });
        Ok((
            m,
            EpochStats {
                loss: value,
                validation,
            },
        ))
    })?;
    Ok(trained.model)
}

/// Which node classifier [`train_classifier`] trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    /// Graph convolutional network.
    Gcn,
    /// GraphSAGE with mean aggregation.
    Sage,
    /// Feature-only multi-layer perceptron (ReLU).
    Mlp,
}

/// Settings of a node classifier.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassifierConfig {
    /// Model family.
    pub architecture: Architecture,
    /// Hidden width.
    pub hidden: usize,
    /// Number of layers (≥ 1; an MLP with `layers` = 3 has two hidden layers).
    pub layers: usize,
    /// Dropout on every layer input.
    pub dropout: f64,
    /// Epochs, learning rate, weight decay.
    pub fit: FitConfig,
    /// GCN only: dropout on the logits too while training (the official Cold Brew GCN).
    #[serde(default)]
    pub logit_dropout: bool,
}

impl ClassifierConfig {
    /// A two-layer classifier with the Planetoid defaults (hidden 64, dropout 0.5, lr 0.01, wd 5e-4, 200 epochs).
    pub fn new(architecture: Architecture) -> Self {
        ClassifierConfig {
            architecture,
            hidden: 64,
            layers: 2,
            dropout: 0.5,
            fit: FitConfig {
                epochs: 200,
                lr: 0.01,
                weight_decay: 5e-4,
                input_dropout: 0.5,
                resample: false,
            },
            logit_dropout: false,
        }
    }

    /// Checks the values.
    pub fn check(&self) -> Result<()> {
        if self.layers == 0 || self.hidden == 0 || self.fit.epochs == 0 {
            return Err(Error::Config(
                "classifier: layers, hidden and epochs must be ≥ 1".into(),
            ));
        }
        if !(0.0..1.0).contains(&self.dropout) || !(0.0..1.0).contains(&self.fit.input_dropout) {
            return Err(Error::Config(format!(
                "classifier: dropout must be in [0, 1), got {}",
                self.dropout
            )));
        }
        if self.fit.lr.is_nan()
            || self.fit.lr <= 0.0
            || self.fit.weight_decay.is_nan()
            || self.fit.weight_decay < 0.0
        {
            return Err(Error::Config(
                "classifier: lr must be > 0 and weight decay ≥ 0".into(),
            ));
        }
        Ok(())
    }
}

/// A node-classification problem on one graph.
#[derive(Clone, Copy, Debug)]
pub struct NodeTask<'a> {
    /// Propagation operators of the training graph.
    pub ops: &'a GraphOps,
    /// Node features.
    pub features: &'a NodeFeatures,
    /// Class of every node.
    pub labels: &'a [usize],
    /// Number of classes.
    pub classes: usize,
    /// Training nodes.
    pub train: &'a [usize],
    /// Nodes whose accuracy selects the best epoch (`None` = keep the last epoch).
    pub select: Option<&'a [usize]>,
}

/// A trained classifier (inference copy) of any [`Architecture`].
#[derive(Debug)]
pub enum TrainedClassifier<B: Backend> {
    /// A GCN.
    Gcn(Gcn<B>),
    /// A GraphSAGE model.
    Sage(Sage<B>),
    /// An MLP.
    Mlp(Mlp<B>),
}

impl<B: Backend> TrainedClassifier<B> {
    /// Logits for every node (row-major) and the number of classes, on the graph of `ops`.
    pub fn scores(&self, ops: &GraphOps, x: &NodeFeatures) -> (Vec<f32>, usize) {
        match self {
            TrainedClassifier::Gcn(m) => node_outputs(m, ops, x),
            TrainedClassifier::Sage(m) => node_outputs(m, ops, x),
            TrainedClassifier::Mlp(m) => node_outputs(m, ops, x),
        }
    }

    /// Accuracy (%) on each node set, evaluated on the graph of `ops`.
    pub fn accuracies(
        &self,
        ops: &GraphOps,
        x: &NodeFeatures,
        labels: &[usize],
        sets: &[&[usize]],
    ) -> Vec<f64> {
        let (scores, width) = self.scores(ops, x);
        sets.iter()
            .map(|s| accuracy_on(&scores, width, labels, s))
            .collect()
    }
}

/// Trains a GCN / SAGE / MLP classifier on `task` for `config.fit.epochs`
/// full-batch epochs and returns its inference copy.
///
/// ```no_run
/// use tessera_graph::{Architecture, ClassifierConfig, Graph, GraphOps, NodeFeatures, NodeTask, SelfLoops, train_classifier};
/// use tessera_core::{backend::CpuAutodiff, Progress, Seed};
///
/// let data = tessera_data::GraphData::from_npz("../shared/data/planetoid/cora.npz".as_ref())?;
/// let graph = Graph::from_edges(&data.source, data.num_nodes, &data.src, &data.dst, true, SelfLoops::Add)?;
/// let ops = GraphOps::new(&graph)?;
/// let x = NodeFeatures::from_features(&data.source, data.features.as_ref().unwrap(), true)?;
/// let labels = data.labels.clone().unwrap();
/// let (train, test) = (data.mask_indices("train")?, data.mask_indices("test")?);
/// let task = NodeTask { ops: &ops, features: &x, labels: &labels, classes: data.num_classes, train: &train, select: None };
/// let model = train_classifier::<CpuAutodiff>(&task, &ClassifierConfig::new(Architecture::Gcn), Seed(0), &Default::default(), &Progress::hidden())?;
/// let acc = model.accuracies(&ops, &x, &labels, &[&test]);
/// println!("GCN test accuracy {:.1} %", acc[0]);
/// # Ok::<(), tessera_core::Error>(())
/// ```
pub fn train_classifier<B: AutodiffBackend>(
    task: &NodeTask<'_>,
    config: &ClassifierConfig,
    seed: Seed,
    device: &B::Device,
    progress: &Progress,
) -> Result<TrainedClassifier<B::InnerBackend>> {
    config.check()?;
    if task.features.rows() != task.labels.len() || task.features.rows() != task.ops.gcn.rows() {
        return Err(Error::input(
            "node task",
            "features / labels / graph",
            "the same number of nodes in each",
            format!(
                "{} feature rows, {} labels, {} graph nodes",
                task.features.rows(),
                task.labels.len(),
                task.ops.gcn.rows()
            ),
        ));
    }
    let d_in = task.features.cols();
    let (h, c, l, p) = (config.hidden, task.classes, config.layers, config.dropout);
    let name = format!("{:?}", config.architecture).to_lowercase();
    seed.seed_backend::<B>(&format!("{name}-init"), device);
    Ok(match config.architecture {
        Architecture::Gcn => {
            let m = fit_node_model(
                Gcn::<B>::new(d_in, h, c, l, p, device).with_logit_dropout(config.logit_dropout),
                task.ops,
                task.features,
                Targets::Classes(task.labels),
                task.train,
                task.select,
                &config.fit,
                seed,
                progress,
                &name,
            )?;
            TrainedClassifier::Gcn(m.valid())
        }
        Architecture::Sage => {
            let m = fit_node_model(
                Sage::<B>::new(d_in, h, c, l, p, device),
                task.ops,
                task.features,
                Targets::Classes(task.labels),
                task.train,
                task.select,
                &config.fit,
                seed,
                progress,
                &name,
            )?;
            TrainedClassifier::Sage(m.valid())
        }
        Architecture::Mlp => {
            let cfg = MlpConfig {
                hidden: vec![h; l.saturating_sub(1)],
                out: c,
                layer_norm: false,
                activation: Activation::Relu,
                dropout: p,
            };
            let m = fit_node_model(
                Mlp::<B>::new(d_in, &cfg, device),
                task.ops,
                task.features,
                Targets::Classes(task.labels),
                task.train,
                task.select,
                &config.fit,
                seed,
                progress,
                &name,
            )?;
            TrainedClassifier::Mlp(m.valid())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Graph, SelfLoops};
    use tessera_core::backend::CpuAutodiff;

    /// Two well-separated feature clusters: both batch modes learn them, the
    /// resampled one follows its own (seeded) path.
    #[test]
    fn resampled_batches_train_and_repeat_with_the_seed() {
        let n = 40;
        let values: Vec<f32> = (0..n)
            .flat_map(|i| if i % 2 == 0 { [1.0, 0.1] } else { [0.1, 1.0] })
            .collect();
        let m = tessera_data::DenseMatrix::new(n, 2, values).unwrap();
        let x = NodeFeatures::from_dense("t", &m, false).unwrap();
        let labels: Vec<usize> = (0..n).map(|i| i % 2).collect();
        let g = Graph::from_edges("t", n, &[0], &[1], true, SelfLoops::Add).unwrap();
        let ops = GraphOps::new(&g).unwrap();
        let train: Vec<usize> = (0..10).collect();
        let test: Vec<usize> = (10..n).collect();
        let run = |resample: bool| {
            let mut config = ClassifierConfig::new(Architecture::Mlp);
            config.fit.epochs = 60;
            config.fit.resample = resample;
            let task = NodeTask {
                ops: &ops,
                features: &x,
                labels: &labels,
                classes: 2,
                train: &train,
                select: None,
            };
            let model = train_classifier::<CpuAutodiff>(
                &task,
                &config,
                Seed(2),
                &Default::default(),
                &Progress::hidden(),
            )
            .unwrap();
            let (scores, _) = model.scores(&ops, &x);
            let acc = model.accuracies(&ops, &x, &labels, &[&test])[0];
            (scores, acc)
        };
        let (full, full_acc) = run(false);
        let (a, a_acc) = run(true);
        let (b, _) = run(true);
        assert_eq!(full_acc, 100.0);
        assert_eq!(a_acc, 100.0);
        assert_eq!(a, b, "same seed, same batches");
        assert_ne!(a, full, "resampling changes the path");
    }
}
