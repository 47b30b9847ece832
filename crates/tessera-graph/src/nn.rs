//! GCN, GraphSAGE-mean and MLP node models as burn modules.
//!
//! Propagation goes through [`tessera_core::kernels::spmm`]; the first
//! layer's `X·W` through the CSR features of [`NodeFeatures`].

use crate::dropout::Dropout;
use crate::{Graph, NodeFeatures, SelfLoops, norm};
use burn::module::Module;
use burn::nn::{Initializer, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{gelu, relu};
use burn::tensor::{Tensor, backend::Backend};
use tessera_core::Result;
use tessera_core::kernels::{CsrOperator, spmm};

/// The propagation operators of one graph.
#[derive(Clone, Debug)]
pub struct GraphOps {
    /// GCN's `Â = D^{-1/2}(A+I)D^{-1/2}`.
    pub gcn: CsrOperator,
    /// `D^{-1/2}(A+I)`: rows scaled only (Cold Brew's code-form structural-embedding term).
    pub gcn_left: CsrOperator,
    /// The neighbour mean `D^{-1}A` over `A` without self-loops (GraphSAGE).
    pub mean: CsrOperator,
}

impl GraphOps {
    /// Builds both operators from `graph` (self-loops in `graph` are ignored for `mean`, added for `gcn`).
    pub fn new(graph: &Graph) -> Result<Self> {
        let looped = graph.with_self_loops(SelfLoops::Add);
        Ok(GraphOps {
            gcn: norm::symmetric(&looped)?,
            gcn_left: norm::left_symmetric(&looped)?,
            mean: norm::random_walk(&graph.with_self_loops(SelfLoops::Remove))?,
        })
    }
}

/// The input of a layer: the (sparse) features for the first layer, a tensor after.
pub enum LayerInput<'a, B: Backend> {
    /// Node features (first layer).
    Features(&'a NodeFeatures),
    /// Hidden activations.
    Hidden(Tensor<B, 2>),
}

impl<B: Backend> LayerInput<'_, B> {
    /// `input · W` (no bias).
    fn project(&self, layer: &Linear<B>) -> Tensor<B, 2> {
        match self {
            LayerInput::Features(x) => x.matmul(layer.weight.val()),
            LayerInput::Hidden(h) => h.clone().matmul(layer.weight.val()),
        }
    }
}

fn add_bias<B: Backend>(y: Tensor<B, 2>, layer: &Linear<B>) -> Tensor<B, 2> {
    match &layer.bias {
        Some(b) => y + b.val().unsqueeze(),
        None => y,
    }
}

/// Widths `[d_in, hidden, ..., hidden, out]` for `layers` layers.
fn widths(d_in: usize, hidden: usize, out: usize, layers: usize) -> Vec<usize> {
    let mut w = vec![d_in];
    w.extend(std::iter::repeat_n(hidden, layers.saturating_sub(1)));
    w.push(out);
    w
}

/// A GCN (Kipf & Welling): `H' = Â (H W) + b`, ReLU and dropout between layers.
#[derive(Module, Debug)]
pub struct Gcn<B: Backend> {
    layers: Vec<Linear<B>>,
    dropout: Dropout,
    /// Dropout on the logits too while training (the official Cold Brew GCN).
    #[module(skip)]
    logit_dropout: bool,
}

impl<B: Backend> Gcn<B> {
    /// `layers` GCN layers `d_in → hidden → … → out` (Glorot weights, zero bias, as PyG).
    pub fn new(
        d_in: usize,
        hidden: usize,
        out: usize,
        layers: usize,
        dropout: f64,
        device: &B::Device,
    ) -> Self {
        let w = widths(d_in, hidden, out, layers);
        let layers = w
            .windows(2)
            .map(|p| {
                LinearConfig::new(p[0], p[1])
                    .with_initializer(Initializer::XavierUniform { gain: 1.0 })
                    .init(device)
            })
            .map(|mut l: Linear<B>| {
                l.bias = l.bias.map(|b| b.map(|t| t.zeros_like()));
                l
            })
            .collect();
        Gcn {
            layers,
            dropout: Dropout::new(dropout),
            logit_dropout: false,
        }
    }

    /// Also drops out the logits while training, as the official Cold Brew
    /// code does after its last layer (off by default).
    pub fn with_logit_dropout(self, on: bool) -> Self {
        Gcn {
            logit_dropout: on,
            ..self
        }
    }

    /// The logits from the last layer's output: dropped out while training
    /// when [`with_logit_dropout`](Self::with_logit_dropout) is on.
    pub fn output(&self, last: Tensor<B, 2>) -> Tensor<B, 2> {
        if self.logit_dropout {
            self.dropout.forward(last)
        } else {
            last
        }
    }

    /// Output width of each layer.
    pub fn layer_widths(&self) -> Vec<usize> {
        self.layers.iter().map(|l| l.weight.dims()[1]).collect()
    }

    /// Every layer's output before its activation; the last is the logits.
    /// `extra[l]`, when present, is added to layer `l` before its bias
    /// (Cold Brew's structural-embedding term).
    pub fn forward_layers(
        &self,
        op: &CsrOperator,
        x: &NodeFeatures,
        extra: &[Option<Tensor<B, 2>>],
    ) -> Vec<Tensor<B, 2>> {
        let mut outs: Vec<Tensor<B, 2>> = Vec::with_capacity(self.layers.len());
        for (l, layer) in self.layers.iter().enumerate() {
            let input = match outs.last() {
                None => LayerInput::Features(x),
                Some(h) => LayerInput::Hidden(self.dropout.forward(relu(h.clone()))),
            };
            let mut y = spmm(op, input.project(layer));
            if let Some(Some(e)) = extra.get(l) {
                y = y + e.clone();
            }
            outs.push(add_bias(y, layer));
        }
        outs
    }
}

/// GraphSAGE with mean aggregation: `H' = H W_root + mean_{N(i)}(H) W_neigh + b`.
#[derive(Module, Debug)]
pub struct Sage<B: Backend> {
    root: Vec<Linear<B>>,
    neigh: Vec<Linear<B>>,
    dropout: Dropout,
}

impl<B: Backend> Sage<B> {
    /// `layers` SAGE layers `d_in → hidden → … → out`.
    pub fn new(
        d_in: usize,
        hidden: usize,
        out: usize,
        layers: usize,
        dropout: f64,
        device: &B::Device,
    ) -> Self {
        let w = widths(d_in, hidden, out, layers);
        let root = w
            .windows(2)
            .map(|p| LinearConfig::new(p[0], p[1]).init(device))
            .collect();
        let neigh = w
            .windows(2)
            .map(|p| LinearConfig::new(p[0], p[1]).with_bias(false).init(device))
            .collect();
        Sage {
            root,
            neigh,
            dropout: Dropout::new(dropout),
        }
    }

    /// The logits.
    pub fn forward(&self, mean: &CsrOperator, x: &NodeFeatures) -> Tensor<B, 2> {
        let mut h: Option<Tensor<B, 2>> = None;
        for (root, neigh) in self.root.iter().zip(&self.neigh) {
            let input = match h.take() {
                None => LayerInput::Features(x),
                Some(h) => LayerInput::Hidden(self.dropout.forward(relu(h))),
            };
            // mean(H) W = mean(H W): propagate the narrow side.
            let y = add_bias(input.project(root), root) + spmm(mean, input.project(neigh));
            h = Some(y);
        }
        h.expect("a SAGE model has at least one layer")
    }
}

/// Hidden activation of an [`Mlp`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// max(0, x).
    Relu,
    /// Gaussian error linear unit.
    Gelu,
    /// No activation (`Linear → LayerNorm → Dropout → Linear`, the official
    /// Cold Brew `getMLP`, which accepts an activation argument but never inserts it).
    Identity,
}

/// Shape of an [`Mlp`].
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MlpConfig {
    /// Hidden widths (empty = a linear model).
    pub hidden: Vec<usize>,
    /// Output width.
    pub out: usize,
    /// LayerNorm after each hidden linear layer.
    pub layer_norm: bool,
    /// Hidden activation.
    pub activation: Activation,
    /// Dropout after each hidden activation.
    pub dropout: f64,
}

/// A feature-only MLP: `x → (Linear → [LayerNorm] → [act] → Dropout)* → Linear`.
#[derive(Module, Debug)]
pub struct Mlp<B: Backend> {
    layers: Vec<Linear<B>>,
    norms: Vec<LayerNorm<B>>,
    #[module(skip)]
    activation: Activation,
    dropout: Dropout,
}

impl<B: Backend> Mlp<B> {
    /// A new MLP on `d_in` features.
    pub fn new(d_in: usize, config: &MlpConfig, device: &B::Device) -> Self {
        let mut w = vec![d_in];
        w.extend(&config.hidden);
        w.push(config.out);
        let layers: Vec<Linear<B>> = w
            .windows(2)
            .map(|p| LinearConfig::new(p[0], p[1]).init(device))
            .collect();
        let norms = if config.layer_norm {
            config
                .hidden
                .iter()
                .map(|&h| LayerNormConfig::new(h).init(device))
                .collect()
        } else {
            Vec::new()
        };
        Mlp {
            layers,
            norms,
            activation: config.activation,
            dropout: Dropout::new(config.dropout),
        }
    }

    /// The output for the rows of `x`. With `input_scale` (one value per
    /// input column), column `j` of `x` is multiplied by `input_scale[j]`
    /// (learnable input gates, e.g. Cold Brew's α₀, α₁).
    pub fn forward(&self, x: &NodeFeatures, input_scale: Option<Tensor<B, 1>>) -> Tensor<B, 2> {
        let first = &self.layers[0];
        let w = match input_scale {
            Some(s) => first.weight.val() * s.unsqueeze_dim(1),
            None => first.weight.val(),
        };
        let mut h = x.matmul(w);
        if let Some(b) = &first.bias {
            h = h + b.val().unsqueeze();
        }
        for (l, layer) in self.layers.iter().enumerate().skip(1) {
            if let Some(norm) = self.norms.get(l - 1) {
                h = norm.forward(h);
            }
            h = match self.activation {
                Activation::Relu => relu(h),
                Activation::Gelu => gelu(h),
                Activation::Identity => h,
            };
            h = layer.forward(self.dropout.forward(h));
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::AutodiffModule;
    use tessera_core::backend::CpuAutodiff;

    type B = CpuAutodiff;

    fn toy() -> (Graph, NodeFeatures) {
        let g = Graph::from_edges("t", 4, &[0, 1, 2], &[1, 2, 3], true, SelfLoops::Remove).unwrap();
        let m = tessera_data::DenseMatrix::new(
            4,
            3,
            vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0],
        )
        .unwrap();
        (g, NodeFeatures::from_dense("t", &m, false).unwrap())
    }

    #[test]
    fn gcn_single_layer_equals_dense_formula() {
        let (g, x) = toy();
        let ops = GraphOps::new(&g).unwrap();
        let device = Default::default();
        let gcn = Gcn::<B>::new(3, 5, 2, 1, 0.0, &device).valid();
        let y = gcn
            .forward_layers(&ops.gcn, &x, &[])
            .pop()
            .unwrap()
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        let w = gcn.layers[0]
            .weight
            .val()
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        // Â X W by hand for node 0 (neighbours 0 and 1, degrees 2 and 3)
        let a = [1.0 / 2.0, 1.0 / 6f32.sqrt()];
        let xw = |i: usize, c: usize| {
            (0..3)
                .map(|k| x.dense_row(i)[k] * w[k * 2 + c])
                .sum::<f32>()
        };
        for (c, got) in y.iter().take(2).enumerate() {
            let expect = a[0] * xw(0, c) + a[1] * xw(1, c);
            assert!((got - expect).abs() < 1e-5, "{got} vs {expect}");
        }
    }

    #[test]
    fn logit_dropout_acts_only_while_training() {
        let (g, x) = toy();
        let ops = GraphOps::new(&g).unwrap();
        let device = Default::default();
        let gcn = Gcn::<B>::new(3, 64, 50, 2, 0.5, &device).with_logit_dropout(true);
        crate::dropout::reseed(1);
        let last = gcn.forward_layers(&ops.gcn, &x, &[]).pop().unwrap();
        let plain: Vec<f32> = last.clone().into_data().into_vec().unwrap();
        let dropped: Vec<f32> = gcn.output(last).into_data().into_vec().unwrap();
        let zeros = dropped.iter().filter(|&&v| v == 0.0).count();
        assert!((60..140).contains(&zeros), "{zeros} of 200 dropped");
        for (d, p) in dropped.iter().zip(&plain) {
            assert!(*d == 0.0 || (d - 2.0 * p).abs() <= 1e-5 * (1.0 + p.abs()));
        }
        let inference = gcn.valid();
        let last = inference.forward_layers(&ops.gcn, &x, &[]).pop().unwrap();
        assert_eq!(
            inference.output(last.clone()).into_data(),
            last.into_data(),
            "no dropout at inference"
        );
    }

    #[test]
    fn sage_on_a_node_without_neighbours_uses_only_the_root() {
        let g = Graph::from_edges("t", 4, &[0], &[1], true, SelfLoops::Remove).unwrap();
        let (_, x) = toy();
        let ops = GraphOps::new(&g).unwrap();
        let sage = Sage::<B>::new(3, 4, 2, 1, 0.0, &Default::default()).valid();
        let y = sage
            .forward(&ops.mean, &x)
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        let root = sage.root[0].forward::<2>(Tensor::from_data(
            burn::tensor::TensorData::new(x.dense_row(3), [1, 3]),
            &Default::default(),
        ));
        let r = root.into_data().into_vec::<f32>().unwrap();
        assert!((y[6] - r[0]).abs() < 1e-5 && (y[7] - r[1]).abs() < 1e-5);
    }

    #[test]
    fn identity_mlp_is_affine_and_relu_mlp_is_not() {
        // rows e0, e1, e0 + e1, 0: an affine map f has f(e0 + e1) = f(e0) + f(e1) − f(0)
        let m = tessera_data::DenseMatrix::new(4, 2, vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0])
            .unwrap();
        let x = NodeFeatures::from_dense("t", &m, false).unwrap();
        let gap = |activation: Activation| -> f32 {
            let cfg = MlpConfig {
                hidden: vec![16],
                out: 3,
                layer_norm: false,
                activation,
                dropout: 0.5,
            };
            let mlp = Mlp::<B>::new(2, &cfg, &Default::default()).valid();
            let y = mlp.forward(&x, None).into_data().into_vec::<f32>().unwrap();
            (0..3)
                .map(|c| (y[6 + c] - (y[c] + y[3 + c] - y[9 + c])).abs())
                .fold(0.0, f32::max)
        };
        assert!(gap(Activation::Identity) < 1e-5);
        assert!(gap(Activation::Relu) > 1e-3);
    }

    #[test]
    fn mlp_input_scale_scales_feature_columns() {
        let (_, x) = toy();
        let cfg = MlpConfig {
            hidden: vec![],
            out: 2,
            layer_norm: false,
            activation: Activation::Relu,
            dropout: 0.0,
        };
        let device = Default::default();
        let mlp = Mlp::<B>::new(3, &cfg, &device).valid();
        let scale = Tensor::from_data(
            burn::tensor::TensorData::new(vec![1.0f32, 1.0, 0.0], [3]),
            &device,
        );
        let scaled = mlp
            .forward(&x, Some(scale))
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        let plain = mlp.forward(&x, None).into_data().into_vec::<f32>().unwrap();
        let w = mlp.layers[0]
            .weight
            .val()
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        // node 2 has only feature 2, which the scale switches off: the output is the bias
        let b = mlp.layers[0]
            .bias
            .as_ref()
            .unwrap()
            .val()
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        assert!((scaled[4] - b[0]).abs() < 1e-6 && (plain[4] - b[0] - w[4]).abs() < 1e-6);
        assert_eq!(scaled[0], plain[0]);
    }
}
