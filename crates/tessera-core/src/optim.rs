//! Adam / AdamW as one fused pass per parameter tensor.
//!
//! [`AdamW`] is burn's `AdamW` (decoupled weight decay, bias-corrected
//! moments, same defaults and the same update formula), implemented as a
//! burn `SimpleOptimizer`, so it plugs into `OptimizerAdaptor` and every
//! training loop unchanged. [`AdamW::adam_l2`] gives the coupled form
//! instead: burn's `Adam` with `WeightDecayConfig`, i.e. `torch.optim.Adam`'s
//! `weight_decay`, where the penalty `κ·θ` is added to the gradient. With
//! step `t`, gradient `g`, learning rate `η`:
//!
//! ```text
//! g ← g + κ·θ
//! m ← β₁·m + (1−β₁)·g        v ← β₂·v + (1−β₂)·g²
//! θ ← θ·(1 − η·λ) − η · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
//! ```
//!
//! On the CPU backend (f32) the whole update is one parallel loop over the
//! parameter, both moments and the gradient, in place where the buffers are
//! not shared: burn's version makes about a dozen passes and allocations per
//! parameter tensor. Other backends run the same formula as tensor ops.

use crate::backend::Cpu;
use crate::kernels::host::{contiguous_f32, flex, same_type};
use crate::kernels::team::Team;
use burn::backend::flex::FlexTensor;
use burn::module::AutodiffModule;
use burn::optim::SimpleOptimizer;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::record::Record;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{DType, Tensor, TensorPrimitive};
use std::any::Any;

/// Elements per parallel task of the fused update.
const CHUNK: usize = 16 * 1024;

/// AdamW hyper-parameters (burn's `AdamWConfig` defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamW {
    /// β₁ (default 0.9).
    pub beta_1: f32,
    /// β₂ (default 0.999).
    pub beta_2: f32,
    /// ε (default 1e-5, burn's; PyTorch uses 1e-8).
    pub epsilon: f32,
    /// Decoupled weight decay λ (default 1e-4).
    pub weight_decay: f32,
    /// L2 penalty κ added to the gradient as `κ·θ` (default 0).
    pub l2_penalty: f32,
}

impl Default for AdamW {
    fn default() -> Self {
        AdamW {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-5,
            weight_decay: 1e-4,
            l2_penalty: 0.0,
        }
    }
}

impl AdamW {
    /// Sets ε.
    pub fn with_epsilon(self, epsilon: f32) -> Self {
        AdamW { epsilon, ..self }
    }

    /// Sets the decoupled weight decay λ.
    pub fn with_weight_decay(self, weight_decay: f32) -> Self {
        AdamW {
            weight_decay,
            ..self
        }
    }

    /// Adam with an L2 penalty κ on the gradient and no decoupled decay:
    /// burn's `Adam` with `WeightDecayConfig::new(κ)`, PyTorch's `Adam(weight_decay=κ)`.
    pub fn adam_l2(penalty: f32) -> Self {
        AdamW {
            weight_decay: 0.0,
            l2_penalty: penalty,
            ..AdamW::default()
        }
    }

    /// The optimizer for module `M` on backend `B`.
    pub fn init<B: AutodiffBackend, M: AutodiffModule<B>>(self) -> OptimizerAdaptor<Self, M, B> {
        OptimizerAdaptor::from(self)
    }
}

/// Per-parameter state: the step count and both moments.
#[derive(Record, Clone)]
pub struct AdamWState<B: Backend, const D: usize> {
    /// Steps taken so far.
    pub time: usize,
    /// First moment `m`.
    pub moment_1: Tensor<B, D>,
    /// Second moment `v`.
    pub moment_2: Tensor<B, D>,
}

/// The scalars of one update.
#[derive(Clone, Copy)]
struct Coefficients {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    /// `1 − β₁ᵗ`.
    correction_1: f32,
    /// `1 − β₂ᵗ`.
    correction_2: f32,
    /// `1 − η·λ`.
    decay: f32,
    /// `η`.
    lr: f32,
    /// `κ`.
    l2: f32,
}

impl<B: Backend> SimpleOptimizer<B> for AdamW {
    type State<const D: usize> = AdamWState<B, D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<B, D>,
        grad: Tensor<B, D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<B, D>, Option<Self::State<D>>) {
        let (time, m, v) = match state {
            Some(s) => (s.time + 1, s.moment_1, s.moment_2),
            None => (1, grad.zeros_like(), grad.zeros_like()),
        };
        let c = Coefficients {
            beta_1: self.beta_1,
            beta_2: self.beta_2,
            epsilon: self.epsilon,
            correction_1: 1.0 - self.beta_1.powi(time as i32),
            correction_2: 1.0 - self.beta_2.powi(time as i32),
            decay: (1.0 - lr * f64::from(self.weight_decay)) as f32,
            lr: lr as f32,
            l2: self.l2_penalty,
        };
        let (tensor, m, v) = update(tensor, grad, m, v, c);
        let state = AdamWState {
            time,
            moment_1: m,
            moment_2: v,
        };
        (tensor, Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &B::Device) -> Self::State<D> {
        AdamWState {
            time: state.time,
            moment_1: state.moment_1.to_device(device),
            moment_2: state.moment_2.to_device(device),
        }
    }
}

/// Parameter, gradient and both moments of one tensor.
type Quad<B, const D: usize> = (Tensor<B, D>, Tensor<B, D>, Tensor<B, D>, Tensor<B, D>);

/// The updated `(θ, m, v)`: fused on the CPU backend, tensor ops elsewhere.
fn update<B: Backend, const D: usize>(
    tensor: Tensor<B, D>,
    grad: Tensor<B, D>,
    m: Tensor<B, D>,
    v: Tensor<B, D>,
    c: Coefficients,
) -> (Tensor<B, D>, Tensor<B, D>, Tensor<B, D>) {
    let all_f32 = [&tensor, &grad, &m, &v]
        .iter()
        .all(|t| t.dtype() == DType::F32);
    let quad: Box<dyn Any> = Box::new((tensor, grad, m, v));
    let quad = match quad.downcast::<Quad<Cpu, D>>() {
        Ok(q) if all_f32 => {
            let (t, g, m, v) = *q;
            let out = fused::<D>(flex(t), &flex(g), flex(m), flex(v), c);
            return same_type::<_, (Tensor<B, D>, Tensor<B, D>, Tensor<B, D>)>(out);
        }
        Ok(q) => q as Box<dyn Any>,
        Err(other) => other,
    };
    let (tensor, grad, m, v) = *quad
        .downcast::<Quad<B, D>>()
        .expect("the box holds the caller's tensors");
    update_reference(tensor, grad, m, v, c)
}

/// The update as tensor ops (burn's formula and order of operations).
fn update_reference<B: Backend, const D: usize>(
    tensor: Tensor<B, D>,
    grad: Tensor<B, D>,
    m: Tensor<B, D>,
    v: Tensor<B, D>,
    c: Coefficients,
) -> (Tensor<B, D>, Tensor<B, D>, Tensor<B, D>) {
    let grad = if c.l2 == 0.0 {
        grad
    } else {
        grad + tensor.clone().mul_scalar(c.l2)
    };
    let m = m.mul_scalar(c.beta_1) + grad.clone().mul_scalar(1.0 - c.beta_1);
    let v = v.mul_scalar(c.beta_2) + grad.square().mul_scalar(1.0 - c.beta_2);
    let delta = m.clone().div_scalar(c.correction_1)
        / (v.clone().div_scalar(c.correction_2).sqrt() + c.epsilon);
    let tensor = tensor.mul_scalar(c.decay) - delta.mul_scalar(c.lr);
    (tensor, m, v)
}

/// One parallel pass: `θ`, `m`, `v` updated in place (copied first only if shared).
fn fused<const D: usize>(
    tensor: FlexTensor,
    grad: &FlexTensor,
    m: FlexTensor,
    v: FlexTensor,
    c: Coefficients,
) -> (Tensor<Cpu, D>, Tensor<Cpu, D>, Tensor<Cpu, D>) {
    let (mut tensor, mut m, mut v) = (contiguous_f32(tensor), contiguous_f32(m), contiguous_f32(v));
    let grad = contiguous_f32(grad.clone());
    let len = tensor.layout().num_elements();
    let g = &grad.storage::<f32>()[..len];
    let p = &mut tensor.storage_mut::<f32>()[..len];
    let ms = &mut m.storage_mut::<f32>()[..len];
    let vs = &mut v.storage_mut::<f32>()[..len];
    let chunks: Vec<_> = p
        .chunks_mut(CHUNK)
        .zip(ms.chunks_mut(CHUNK))
        .zip(vs.chunks_mut(CHUNK))
        .zip(g.chunks(CHUNK))
        .collect();
    Team::global().run_parts(chunks, |(((p, m), v), g)| {
        for i in 0..p.len() {
            let gi = g[i] + c.l2 * p[i];
            let mi = c.beta_1 * m[i] + (1.0 - c.beta_1) * gi;
            let vi = c.beta_2 * v[i] + (1.0 - c.beta_2) * (gi * gi);
            let delta = (mi / c.correction_1) / ((vi / c.correction_2).sqrt() + c.epsilon);
            p[i] = p[i] * c.decay - delta * c.lr;
            m[i] = mi;
            v[i] = vi;
        }
    });
    let wrap = |t: FlexTensor| Tensor::<Cpu, D>::from_primitive(TensorPrimitive::Float(t));
    (wrap(tensor), wrap(m), wrap(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;
    use crate::backend::CpuAutodiff;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::decay::WeightDecayConfig;
    use burn::optim::{AdamConfig, AdamWConfig, GradientsParams, Optimizer};
    use burn::tensor::TensorData;
    use rand::Rng;

    fn row<B: Backend>(values: Vec<f32>, device: &B::Device) -> Tensor<B, 1> {
        let n = values.len();
        Tensor::from_data(TensorData::new(values, [n]), device)
    }

    type A = CpuAutodiff;

    fn params<B: Backend>(linear: &Linear<B>) -> Vec<f32> {
        let mut out = linear.weight.val().into_data().into_vec::<f32>().unwrap();
        out.extend(
            linear
                .bias
                .as_ref()
                .unwrap()
                .val()
                .into_data()
                .into_vec::<f32>()
                .unwrap(),
        );
        out
    }

    /// Four steps of `ours` and of burn's optimizer `theirs` on the same
    /// linear layer, gradients and learning rate land on the same parameters.
    fn assert_same_steps<O: Optimizer<Linear<A>, A>>(ours: AdamW, mut theirs: O) {
        let device = Default::default();
        Seed(3).seed_backend::<A>("adamw-test", &device);
        // Large enough to span several parallel chunks.
        let start: Linear<A> = LinearConfig::new(300, 120).init(&device);
        let mut rng = Seed(4).rng("adamw-x");
        let x: Vec<f32> = (0..8 * 300)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        let x = Tensor::<A, 2>::from_data(TensorData::new(x, [8, 300]), &device);
        let mut ours = ours.init::<A, Linear<A>>();
        let initial = params(&start);
        let (mut a, mut b) = (start.clone(), start);
        for _ in 0..4 {
            let ga = GradientsParams::from_grads(
                a.forward(x.clone()).powf_scalar(2.0).sum().backward(),
                &a,
            );
            let gb = GradientsParams::from_grads(
                b.forward(x.clone()).powf_scalar(2.0).sum().backward(),
                &b,
            );
            a = ours.step(1e-2, a, ga);
            b = theirs.step(1e-2, b, gb);
        }
        let (pa, pb) = (params(&a), params(&b));
        assert!(
            pa.iter().zip(&initial).all(|(x, y)| x != y),
            "every parameter moves"
        );
        for (k, (x, y)) in pa.iter().zip(&pb).enumerate() {
            assert!(
                (x - y).abs() <= 1e-5 * (1.0 + y.abs()),
                "param {k}: {x} vs {y}"
            );
        }
    }

    #[test]
    fn fused_equals_burns_adamw() {
        assert_same_steps(
            AdamW::default().with_weight_decay(0.05).with_epsilon(1e-8),
            AdamWConfig::new()
                .with_weight_decay(0.05)
                .with_epsilon(1e-8)
                .init::<A, Linear<A>>(),
        );
    }

    #[test]
    fn l2_form_equals_burns_adam_with_weight_decay() {
        assert_same_steps(
            AdamW::adam_l2(0.05).with_epsilon(1e-8),
            AdamConfig::new()
                .with_weight_decay(Some(WeightDecayConfig::new(0.05)))
                .with_epsilon(1e-8)
                .init::<A, Linear<A>>(),
        );
    }

    /// The fused pass and the tensor-op formula agree, from a non-zero state.
    #[test]
    fn fused_equals_reference_formula() {
        let device = Default::default();
        let mut rng = Seed(5).rng("adamw-ref");
        let mut vec = |n: usize, lo: f32| {
            (0..n)
                .map(|_| rng.random_range(lo..1.0))
                .collect::<Vec<f32>>()
        };
        let (t, g, m, v) = (
            vec(40_000, -1.0),
            vec(40_000, -1.0),
            vec(40_000, -0.1),
            vec(40_000, 0.0),
        );
        let c = Coefficients {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
            correction_1: 1.0 - 0.9f32.powi(3),
            correction_2: 1.0 - 0.999f32.powi(3),
            decay: 1.0 - 1e-3 * 0.01,
            lr: 1e-3,
            l2: 5e-4,
        };
        let cpu = |x: &Vec<f32>| row::<Cpu>(x.clone(), &device);
        let fused_out = update(cpu(&t), cpu(&g), cpu(&m), cpu(&v), c);
        let reference = update_reference(cpu(&t), cpu(&g), cpu(&m), cpu(&v), c);
        let pairs = [
            (fused_out.0, reference.0),
            (fused_out.1, reference.1),
            (fused_out.2, reference.2),
        ];
        for (which, (a, b)) in pairs.into_iter().enumerate() {
            let (a, b) = (
                a.into_data().into_vec::<f32>().unwrap(),
                b.into_data().into_vec::<f32>().unwrap(),
            );
            for (k, (x, y)) in a.iter().zip(&b).enumerate() {
                assert!(
                    (x - y).abs() <= 1e-6 * (1.0 + y.abs()),
                    "output {which}[{k}]: {x} vs {y}"
                );
            }
        }
    }
}
