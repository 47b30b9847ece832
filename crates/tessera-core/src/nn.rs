//! Layers built on tessera's fused kernels.

use crate::kernels::dense::{Activation, dense};
use burn::module::{Module, Param};
use burn::nn::LinearConfig;
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

/// A fully connected layer `act(x·W + b)` with `W` of shape `d_in × d_out`.
///
/// Same parameters, initialisation and record layout as burn's `Linear`
/// (fields `weight` and `bias`), but the forward and backward run as one
/// fused op on the CPU backend ([`dense`]), with the activation folded in.
#[derive(Module, Debug)]
pub struct Dense<B: Backend> {
    /// `d_in × d_out`.
    pub weight: Param<Tensor<B, 2>>,
    /// `d_out`.
    pub bias: Option<Param<Tensor<B, 1>>>,
}

impl<B: Backend> Dense<B> {
    /// A layer initialised exactly like `LinearConfig::new(d_in, d_out).init(device)`.
    pub fn new(d_in: usize, d_out: usize, device: &B::Device) -> Self {
        let linear = LinearConfig::new(d_in, d_out).init(device);
        Dense {
            weight: linear.weight,
            bias: linear.bias,
        }
    }

    /// `act(x·W + b)` for `x` of shape `n × d_in`.
    pub fn forward(&self, x: Tensor<B, 2>, activation: Activation) -> Tensor<B, 2> {
        dense(
            x,
            self.weight.val(),
            self.bias.as_ref().map(Param::val),
            activation,
        )
    }
}
