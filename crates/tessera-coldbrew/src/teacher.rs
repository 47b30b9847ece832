//! The teacher: a GCN whose layers add a learnable per-node structural embedding.

use crate::config::{ColdBrewConfig, SeForm};
use burn::module::{Module, Param};
use burn::tensor::{Distribution, Tensor, backend::Backend};
use tessera_core::kernels::spmm;
use tessera_graph::{Gcn, GraphOps, NodeFeatures, NodeModel};

/// GCN + structural embedding (SE): layer `l` outputs
/// `Â H W + S E⁽ˡ⁾ + b` with `S = D^{-1/2}A` (code form) or `Â` (paper form).
#[derive(Module, Debug)]
pub struct Teacher<B: Backend> {
    gcn: Gcn<B>,
    se: Vec<Option<Param<Tensor<B, 2>>>>,
    eta: f64,
    paper_form: bool,
}

impl<B: Backend> Teacher<B> {
    /// A teacher for `nodes` nodes; SE tables start as N(0, 1) on the layers `config.se_layers` selects.
    pub fn new(
        nodes: usize,
        d_in: usize,
        classes: usize,
        config: &ColdBrewConfig,
        device: &B::Device,
    ) -> Self {
        let gcn = Gcn::new(
            d_in,
            config.hidden,
            classes,
            config.layers,
            config.dropout,
            device,
        )
        .with_logit_dropout(config.quirks.logit_dropout);
        let se = gcn
            .layer_widths()
            .into_iter()
            .enumerate()
            .map(|(l, w)| {
                config.se_on_layer(l).then(|| {
                    Param::from_tensor(Tensor::random(
                        [nodes, w],
                        Distribution::Normal(0.0, 1.0),
                        device,
                    ))
                })
            })
            .collect();
        Teacher {
            gcn,
            se,
            eta: config.eta,
            paper_form: config.se_form == SeForm::Paper,
        }
    }

    /// A teacher with the given GCN and no structural embedding (for tests and ablations).
    pub fn from_gcn(gcn: Gcn<B>) -> Self {
        let layers = gcn.layer_widths().len();
        Teacher {
            gcn,
            se: (0..layers).map(|_| None).collect(),
            eta: 0.0,
            paper_form: false,
        }
    }

    /// Sets every structural embedding to zero.
    pub fn zero_se(self) -> Self {
        let se = self
            .se
            .into_iter()
            .map(|e| e.map(|p| p.map(|t| t.zeros_like())))
            .collect();
        Teacher { se, ..self }
    }

    /// Every layer's output (after the SE term and bias, before ReLU); the last is the logits.
    pub fn layer_outputs(&self, ops: &GraphOps, x: &NodeFeatures) -> Vec<Tensor<B, 2>> {
        let op = if self.paper_form {
            &ops.gcn
        } else {
            &ops.gcn_left
        };
        let extra: Vec<Option<Tensor<B, 2>>> = self
            .se
            .iter()
            .map(|e| e.as_ref().map(|e| spmm(op, e.val())))
            .collect();
        self.gcn.forward_layers(&ops.gcn, x, &extra)
    }

    /// The distillation target Ē: every layer's output concatenated (`N × (h·(L−1) + C)`).
    pub fn targets(&self, ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        Tensor::cat(self.layer_outputs(ops, x), 1)
    }
}

impl<B: Backend> NodeModel<B> for Teacher<B> {
    fn logits(&self, ops: &GraphOps, x: &NodeFeatures) -> Tensor<B, 2> {
        self.gcn.output(
            self.layer_outputs(ops, x)
                .pop()
                .expect("a teacher has at least one layer"),
        )
    }

    /// η · Σ_l ‖E⁽ˡ⁾‖_F (not squared, as the official code).
    fn penalty(&self) -> Option<Tensor<B, 1>> {
        let norms: Vec<Tensor<B, 1>> = self
            .se
            .iter()
            .flatten()
            .map(|e| e.val().powf_scalar(2.0).sum().sqrt())
            .collect();
        if norms.is_empty() || self.eta == 0.0 {
            return None;
        }
        Some(Tensor::cat(norms, 0).sum() * self.eta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::AutodiffModule;
    use tessera_core::backend::CpuAutodiff;
    use tessera_graph::{Graph, SelfLoops};

    #[test]
    fn teacher_with_zero_se_equals_plain_gcn() {
        let g =
            Graph::from_edges("t", 5, &[0, 1, 2, 3], &[1, 2, 3, 0], true, SelfLoops::Add).unwrap();
        let ops = GraphOps::new(&g).unwrap();
        let m = tessera_data::DenseMatrix::new(5, 3, (0..15).map(|v| (v % 4) as f32).collect())
            .unwrap();
        let x = NodeFeatures::from_dense("t", &m, true).unwrap();
        let device = Default::default();
        let config = ColdBrewConfig {
            hidden: 4,
            se_layers: "111".into(),
            ..Default::default()
        };
        let teacher = Teacher::<CpuAutodiff>::new(5, 3, 2, &config, &device).valid();
        let with_se = teacher
            .logits(&ops, &x)
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        let teacher = teacher.zero_se();
        let zero = teacher
            .logits(&ops, &x)
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        let plain = teacher
            .gcn
            .logits(&ops, &x)
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        assert_eq!(zero, plain);
        assert!(
            zero.iter().zip(&with_se).any(|(a, b)| (a - b).abs() > 1e-3),
            "SE must matter when non-zero"
        );
        assert_eq!(teacher.targets(&ops, &x).dims(), [5, 4 + 2]);
    }
}
