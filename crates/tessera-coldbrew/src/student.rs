//! The student: MLP1 (features → teacher targets) and MLP2 (features +
//! virtual-neighbour aggregate + MLP1 output → classes).

use crate::model::to_host;
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

/// Where MLP2's training gets ê and the virtual neighbours of its batch rows.
#[derive(Clone, Debug)]
enum Retrieval {
    /// ê = MLP1(x) of every node, computed once after MLP1's training (eval
    /// mode), and each node's neighbourhood.
    Fixed {
        e_hat: Arc<Vec<f32>>,
        table: Arc<Neighbourhoods>,
    },
    /// ê and its K neighbours recomputed at every step by the live MLP1.
    Live { k: usize, exclude_self: bool },
}

/// What MLP2 trains on besides the features.
#[derive(Clone, Debug)]
pub struct StudentInputs {
    /// Teacher targets Ē, row-major `N × width`.
    pub targets: Arc<Vec<f32>>,
    /// Width of ê and Ē.
    pub width: usize,
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
    /// MLP1, trained along (with a zero gradient) by [`Self::with_live_mlp1`].
    live_mlp1: Option<Mlp<B>>,
    #[module(skip)]
    inputs: Arc<StudentInputs>,
    /// `Live` exactly when `live_mlp1` is set (both come from the constructor).
    #[module(skip)]
    retrieval: Arc<Retrieval>,
}

impl<B: Backend> StudentTraining<B> {
    /// Wraps `head` for training on `inputs`, with ê of every node (`N × width`)
    /// fixed and its neighbourhoods `table`.
    pub fn new(
        head: StudentHead<B>,
        inputs: StudentInputs,
        e_hat: Vec<f32>,
        table: Neighbourhoods,
    ) -> Self {
        StudentTraining {
            head,
            live_mlp1: None,
            inputs: Arc::new(inputs),
            retrieval: Arc::new(Retrieval::Fixed {
                e_hat: Arc::new(e_hat),
                table: Arc::new(table),
            }),
        }
    }

    /// The official stage 2 (`SEMLP.forward_part2`): MLP1 stays in training
    /// mode and in the optimiser, which `SEMLP` rebuilds over all its
    /// parameters when MLP2 is created. Every step recomputes ê (MLP1's
    /// dropout on) and its top `k`; ê enters MLP2 detached, so MLP1's gradient
    /// is zero and PyTorch 1.x's Adam (zeroed gradients are kept, not
    /// dropped) moves it by its weight decay alone: about `lr` per step
    /// towards zero, since Adam normalises the step.
    pub fn with_live_mlp1(
        head: StudentHead<B>,
        mlp1: Mlp<B>,
        inputs: StudentInputs,
        k: usize,
        exclude_self: bool,
    ) -> Self {
        StudentTraining {
            head,
            live_mlp1: Some(mlp1),
            inputs: Arc::new(inputs),
            retrieval: Arc::new(Retrieval::Live { k, exclude_self }),
        }
    }

    /// The trained head, and MLP1 when it trained along (the training inputs are dropped).
    pub fn into_parts(self) -> (StudentHead<B>, Option<Mlp<B>>) {
        (self.head, self.live_mlp1)
    }

    fn forward_rows(&self, x: &NodeFeatures, rows: &[usize]) -> Tensor<B, 2> {
        let i = &self.inputs;
        let scale = self.head.retrieval_scale(i.alpha_temperature);
        let x_rows = x.select_rows(rows);
        let (e_tilde, e_hat, live) = match (self.retrieval.as_ref(), &self.live_mlp1) {
            (Retrieval::Fixed { e_hat, table }, _) => {
                let e_tilde = table.aggregate(rows, &i.targets, i.width, scale);
                let e_hat: Vec<f32> = rows
                    .iter()
                    .flat_map(|&r| e_hat[r * i.width..(r + 1) * i.width].iter().copied())
                    .collect();
                (e_tilde, e_hat, None)
            }
            (Retrieval::Live { k, exclude_self }, Some(mlp1)) => {
                let e = mlp1.forward(&x_rows, None);
                let e_hat = to_host(e.clone());
                let table = Neighbourhoods::new::<B>(
                    &e_hat,
                    &i.targets,
                    i.width,
                    *k,
                    exclude_self.then_some(rows),
                    &e.device(),
                );
                let all: Vec<usize> = (0..rows.len()).collect();
                let e_tilde = table.aggregate(&all, &i.targets, i.width, scale);
                (e_tilde, e_hat, Some(e))
            }
            (Retrieval::Live { .. }, None) => {
                unreachable!("`with_live_mlp1` sets both")
            }
        };
        let x_aug = student_input(&x_rows, &e_tilde, &e_hat, i.width)
            .expect("ê and Ē are finite (checked before MLP2)");
        let logits = self.head.forward(&x_aug);
        match live {
            // ê entered MLP2 as constants; this zero-valued term hands MLP1 a
            // zero gradient, so the optimiser applies its weight decay alone.
            Some(e) => logits + e.sum().mul_scalar(0.0).unsqueeze(),
            None => logits,
        }
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
