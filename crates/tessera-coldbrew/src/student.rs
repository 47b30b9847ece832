//! The student: MLP1 (features → teacher targets) and MLP2 (features +
//! virtual-neighbour aggregate + MLP1 output → classes).

use burn::module::{Module, Param};
use burn::tensor::{Int, Tensor, backend::Backend};
use tessera_graph::{GraphOps, Mlp, MlpConfig, NodeFeatures, NodeModel, nn::Activation};

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

impl<B: Backend> NodeModel<B> for StudentHead<B> {
    fn logits(&self, _ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        self.forward(x)
    }

    fn logits_rows(
        &self,
        _ops: &GraphOps,
        x: &NodeFeatures,
        rows: &[usize],
        _rows_t: Tensor<B, 1, Int>,
    ) -> Tensor<B, 2> {
        self.forward(&x.select_rows(rows))
    }
}
