//! The student: MLP1 (features → teacher targets) and MLP2 (features +
//! virtual-neighbour aggregate + MLP1 output → classes).

use crate::retrieval::Neighbourhoods;
use burn::module::{Module, Param};
use burn::tensor::{Int, Tensor, backend::Backend};
use std::sync::Arc;
use tessera_core::Result;
use tessera_graph::{GraphOps, Mlp, MlpConfig, NodeFeatures, NodeModel, nn::Activation};

/// MLP2's input `[x, ẽ, ê]`: the features with the virtual-neighbour
/// aggregate and MLP1's estimate (both row-major, `rows × width`) appended.
pub fn student_input(
    x: &NodeFeatures,
    e_tilde: &[f32],
    e_hat: &[f32],
    width: usize,
) -> Result<NodeFeatures> {
    let mut extra = Vec::with_capacity(2 * e_hat.len());
    for (t, h) in e_tilde.chunks(width).zip(e_hat.chunks(width)) {
        extra.extend_from_slice(t);
        extra.extend_from_slice(h);
    }
    x.hstack_dense(&extra, 2 * width)
}

/// MLP1's and MLP2's shape: `Linear(in, h) → LayerNorm → [activation] → Dropout → Linear(h, out)`
/// (the official `getMLP`, whose activation is `Identity`; see [`crate::ColdBrewConfig::student_activation`]).
pub fn student_mlp_config(
    hidden: usize,
    out: usize,
    dropout: f64,
    activation: Activation,
) -> MlpConfig {
    MlpConfig {
        hidden: vec![hidden],
        out,
        layer_norm: true,
        activation,
        dropout,
    }
}

/// MLP2 on `[x, α₁·ẽ, α₀·ê]` (the features with `[ẽ, ê]` appended as columns),
/// with the learnable scalars α₀ = α₁ = 1e-4 at initialisation.
#[derive(Module, Debug)]
pub struct StudentHead<B: Backend> {
    mlp: Mlp<B>,
    alphas: Param<Tensor<B, 1>>,
    d_in: usize,
    d_target: usize,
}

impl<B: Backend> StudentHead<B> {
    /// A new head for `d_in` features, teacher targets of width `d_target`, and `classes` outputs.
    pub fn new(
        d_in: usize,
        d_target: usize,
        classes: usize,
        hidden: usize,
        dropout: f64,
        activation: Activation,
        device: &B::Device,
    ) -> Self {
        let mlp = Mlp::new(
            d_in + 2 * d_target,
            &student_mlp_config(hidden, classes, dropout, activation),
            device,
        );
        let alphas = Param::from_tensor(Tensor::from_floats([1e-4, 1e-4], device));
        StudentHead {
            mlp,
            alphas,
            d_in,
            d_target,
        }
    }

    /// Per-column input gates: 1 for features, α₁ for ẽ, α₀ for ê.
    fn input_scale(&self) -> Tensor<B, 1> {
        let a = self.alphas.val();
        let device = a.device();
        let a0 = a.clone().narrow(0, 0, 1).repeat_dim(0, self.d_target);
        let a1 = a.narrow(0, 1, 1).repeat_dim(0, self.d_target);
        Tensor::cat(vec![Tensor::ones([self.d_in], &device), a1, a0], 0)
    }

    /// Logits for the rows of `x_aug` = `[x, ẽ, ê]`.
    pub fn forward(&self, x_aug: &NodeFeatures) -> Tensor<B, 2> {
        self.mlp.forward(x_aug, Some(self.input_scale()))
    }

    /// The factor retrieval scores are multiplied by: the learned α₀ with
    /// the official `alpha_temperature` quirk, else 1.
    pub fn retrieval_scale(&self, alpha_temperature: bool) -> f32 {
        if alpha_temperature {
            self.alphas().0
        } else {
            1.0
        }
    }

    /// The learned (α₀, α₁).
    pub fn alphas(&self) -> (f32, f32) {
        let v = self
            .alphas
            .val()
            .into_data()
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("float alphas");
        (v[0], v[1])
    }
}

/// What MLP2 trains on besides the features: ê of every node, Ē, and each
/// node's retrieval neighbourhood.
#[derive(Clone, Debug)]
pub struct StudentInputs {
    /// ê = MLP1(x), row-major `N × width`.
    pub e_hat: Arc<Vec<f32>>,
    /// Teacher targets Ē, row-major `N × width`.
    pub targets: Arc<Vec<f32>>,
    /// Width of ê and Ē.
    pub width: usize,
    /// Each node's best and worst retrieval scores.
    pub table: Arc<Neighbourhoods>,
    /// Aggregate at temperature `1/α₀` with the current α₀ (official code)
    /// instead of on the raw scores.
    pub alpha_temperature: bool,
}

/// MLP2 while training: every batch's `[x, ẽ, ê]` is built from the plain
/// features `x` and [`StudentInputs`], so that ẽ follows the current α₀ when
/// [`StudentInputs::alpha_temperature`] is on.
#[derive(Module, Debug)]
pub struct StudentTraining<B: Backend> {
    head: StudentHead<B>,
    #[module(skip)]
    inputs: Arc<StudentInputs>,
}

impl<B: Backend> StudentTraining<B> {
    /// Wraps `head` for training on `inputs`.
    pub fn new(head: StudentHead<B>, inputs: StudentInputs) -> Self {
        StudentTraining {
            head,
            inputs: Arc::new(inputs),
        }
    }

    /// The trained head (the training inputs are dropped).
    pub fn into_head(self) -> StudentHead<B> {
        self.head
    }

    fn forward_rows(&self, x: &NodeFeatures, rows: &[usize]) -> Tensor<B, 2> {
        let i = &self.inputs;
        let scale = self.head.retrieval_scale(i.alpha_temperature);
        let e_tilde = i.table.aggregate(rows, &i.targets, i.width, scale);
        let e_hat: Vec<f32> = rows
            .iter()
            .flat_map(|&r| i.e_hat[r * i.width..(r + 1) * i.width].iter().copied())
            .collect();
        let x_aug = student_input(&x.select_rows(rows), &e_tilde, &e_hat, i.width)
            .expect("ê and Ē are finite (checked before MLP2)");
        self.head.forward(&x_aug)
    }
}

impl<B: Backend> NodeModel<B> for StudentTraining<B> {
    fn logits(&self, _ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        let all: Vec<usize> = (0..x.rows()).collect();
        self.forward_rows(x, &all)
    }

    fn logits_rows(
        &self,
        _ops: &GraphOps,
        x: &NodeFeatures,
        rows: &[usize],
        _rows_t: Tensor<B, 1, Int>,
    ) -> Tensor<B, 2> {
        self.forward_rows(x, rows)
    }
}
