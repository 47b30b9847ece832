//! Fused symmetric InfoNCE with a closed-form backward.
//!
//! For `B` pairs `(z_i, w_i)` (rows of two `B × d` tensors, normalised or not
//! by the caller) and a one-element `scale = 1/τ`:
//!
//! ```text
//! s_ij = scale · ⟨z_i, w_j⟩
//! r_i  = log Σ_j exp(s_ij)            (row log-sum-exp: z_i against every w_j)
//! c_j  = log Σ_i exp(s_ij)            (column log-sum-exp: w_j against every z_i)
//! L    = 1/(2B) · Σ_i [ (r_i − s_ii) + (c_i − s_ii) ]
//!      = ( mean_i CE(row i, target i) + mean_j CE(column j, target j) ) / 2
//! ```
//!
//! This is `tessera_contrastive::infonce::symmetric_infonce(scores(z, w, scale),
//! Denominator::WithPositive)` computed in one kernel. The gradient is closed-form:
//! with `G_ij = ∂L/∂s_ij = (e^{s_ij − r_i} + e^{s_ij − c_j} − 2·[i = j]) / (2B)`,
//! `∂L/∂z = scale · G·w`, `∂L/∂w = scale · Gᵀ·z` and `∂L/∂scale = Σ_ij G_ij ⟨z_i, w_j⟩`
//! (so a learnable temperature works).
//!
//! On the CPU backend ([`CpuAutodiff`], f32) [`symmetric_infonce`] is one
//! autodiff node: the forward keeps a single `B × B` buffer (the raw products
//! `⟨z_i, w_j⟩`, from burn's gemm), computes row and column log-sum-exps with
//! max subtraction in two parallel passes (vectorised `exp`), and the
//! backward overwrites that buffer with `scale·G` before two gemms. Column
//! sums are reduced in a fixed order, so results do not depend on the thread
//! count. On every other backend it falls back to
//! [`symmetric_infonce_reference`], plain burn ops whose gradient burn derives.

use super::host::{flex, same_type};
use super::simd;
use crate::backend::{Cpu, CpuAutodiff};
use burn::backend::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensorOps;
use burn::tensor::{DType, Tensor, TensorData, TensorPrimitive};
use rayon::prelude::*;
use std::any::Any;
use std::sync::Arc;

/// Rows per parallel task: fixed, so the summation order (and the result)
/// does not depend on the number of threads.
const ROWS_PER_TASK: usize = 64;

/// Symmetric InfoNCE of the pairs `(z_i, w_i)` with scores `scale·⟨z_i, w_j⟩`
/// (formula in the module doc); returns a one-element tensor.
///
/// # Panics
/// If `z` and `w` differ in shape or have no rows, or `scale` does not hold
/// exactly one value (shape errors, like a bad matmul).
pub fn symmetric_infonce<B: Backend>(
    z: Tensor<B, 2>,
    w: Tensor<B, 2>,
    scale: Tensor<B, 1>,
) -> Tensor<B, 1> {
    assert_eq!(
        z.dims(),
        w.dims(),
        "symmetric_infonce: z and w must have the same shape"
    );
    assert!(
        z.dims()[0] > 0,
        "symmetric_infonce: needs at least one pair"
    );
    assert_eq!(
        scale.dims(),
        [1],
        "symmetric_infonce: scale must hold one value"
    );
    let fast = [z.dtype(), w.dtype(), scale.dtype()]
        .iter()
        .all(|d| *d == DType::F32);
    let inputs: Box<dyn Any> = Box::new((z, w, scale));
    let inputs = match inputs.downcast::<(
        Tensor<CpuAutodiff, 2>,
        Tensor<CpuAutodiff, 2>,
        Tensor<CpuAutodiff, 1>,
    )>() {
        Ok(t) if fast => return same_type::<_, Tensor<B, 1>>(fused_autodiff(t.0, t.1, t.2)),
        Ok(t) => t as Box<dyn Any>,
        Err(other) => other,
    };
    let inputs = match inputs.downcast::<(Tensor<Cpu, 2>, Tensor<Cpu, 2>, Tensor<Cpu, 1>)>() {
        Ok(t) if fast => {
            let (z, w, s) = *t;
            let (z, w, s) = (flex(z), flex(w), flex(s));
            let loss = forward(&z, &w, scalar(&s)).loss;
            return same_type::<_, Tensor<B, 1>>(Tensor::<Cpu, 1>::from_primitive(
                TensorPrimitive::Float(loss),
            ));
        }
        Ok(t) => t as Box<dyn Any>,
        Err(other) => other,
    };
    let (z, w, scale) = *inputs
        .downcast::<(Tensor<B, 2>, Tensor<B, 2>, Tensor<B, 1>)>()
        .expect("the box holds the caller's tensors");
    symmetric_infonce_reference(z, w, scale)
}

/// The same loss from plain burn ops (two `B × B` log-sum-exps with max
/// subtraction); burn derives its gradient. The reference the fused kernel
/// is tested against, and the path on non-CPU backends.
pub fn symmetric_infonce_reference<B: Backend>(
    z: Tensor<B, 2>,
    w: Tensor<B, 2>,
    scale: Tensor<B, 1>,
) -> Tensor<B, 1> {
    let scale = scale.unsqueeze::<2>();
    let s = z.clone().matmul(w.clone().transpose()) * scale.clone();
    let positive = (z * w).sum_dim(1) * scale;
    let lse = |s: Tensor<B, 2>| {
        let max = s.clone().max_dim(1).detach();
        (s - max.clone()).exp().sum_dim(1).log() + max
    };
    (lse(s.clone()) + lse(s.transpose()) - positive * 2.0).mean() / 2.0
}

/// The single value of a one-element f32 tensor.
fn scalar(t: &FlexTensor) -> f32 {
    t.to_contiguous().storage::<f32>()[0]
}

/// Forward results kept for the backward.
struct Forward {
    /// The one-element loss.
    loss: FlexTensor,
    /// Raw products `⟨z_i, w_j⟩`, `B × B`, contiguous.
    products: FlexTensor,
    /// Row log-sum-exps `r_i`.
    row_lse: Vec<f32>,
    /// Column log-sum-exps `c_j`.
    col_lse: Vec<f32>,
}

/// The forward pass on host tensors (see the module doc).
fn forward(z: &FlexTensor, w: &FlexTensor, scale: f32) -> Forward {
    let b = z.layout().shape()[0];
    let products = Cpu::float_matmul(z.clone(), Cpu::float_transpose(w.clone())).to_contiguous();
    let p = products.storage::<f32>();
    let chunk = ROWS_PER_TASK * b;
    // Pass 1: row log-sum-exps (the row is in cache twice) and per-task column maxima.
    let parts: Vec<(Vec<f32>, Vec<f32>)> = p
        .par_chunks(chunk)
        .map(|rows| {
            let mut col_max = vec![f32::NEG_INFINITY; b];
            let lse = rows
                .chunks(b)
                .map(|row| {
                    let m = simd::row_max_and_col_max(row, scale, &mut col_max);
                    m + simd::sum_exp(row, scale, m).ln()
                })
                .collect::<Vec<_>>();
            (lse, col_max)
        })
        .collect();
    let mut col_max = vec![f32::NEG_INFINITY; b];
    let mut row_lse = Vec::with_capacity(b);
    for (lse, m) in parts {
        row_lse.extend(lse);
        col_max.iter_mut().zip(m).for_each(|(a, v)| *a = a.max(v));
    }
    // Pass 2: column sums of exp(s − column max), per task, then added in task order.
    let sums: Vec<Vec<f32>> = p
        .par_chunks(chunk)
        .map(|rows| {
            let mut acc = vec![0.0f32; b];
            rows.chunks(b)
                .for_each(|row| simd::add_exp(row, scale, &col_max, &mut acc));
            acc
        })
        .collect();
    let mut col_sum = vec![0.0f32; b];
    for part in sums {
        col_sum.iter_mut().zip(part).for_each(|(a, v)| *a += v);
    }
    let col_lse: Vec<f32> = col_max
        .iter()
        .zip(&col_sum)
        .map(|(m, s)| m + s.ln())
        .collect();
    let total: f64 = (0..b)
        .map(|i| {
            f64::from(row_lse[i]) + f64::from(col_lse[i]) - 2.0 * f64::from(scale * p[i * b + i])
        })
        .sum();
    let loss = (total / (2.0 * b as f64)) as f32;
    let loss = FlexTensor::from_data(TensorData::new(vec![loss], [1]));
    Forward {
        loss,
        products,
        row_lse,
        col_lse,
    }
}

/// What the backward needs: the forward buffers and the inputs.
#[derive(Clone, Debug)]
struct State {
    products: FlexTensor,
    row_lse: Arc<Vec<f32>>,
    col_lse: Arc<Vec<f32>>,
    z: FlexTensor,
    w: FlexTensor,
    scale: f32,
}

/// The backward node of the fused loss (parents: `z`, `w`, `scale`).
#[derive(Debug)]
struct InfonceBackward;

impl Backward<Cpu, 3> for InfonceBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let upstream = scalar(&grads.consume::<Cpu>(&ops.node));
        let [parent_z, parent_w, parent_scale] = ops.parents;
        let State {
            mut products,
            row_lse,
            col_lse,
            z,
            w,
            scale,
        } = ops.state;
        let b = row_lse.len();
        let k = upstream / (2.0 * b as f32);
        // In place: products ← scale · G, and Σ G_ij ⟨z_i, w_j⟩ per row.
        let dots: Vec<f32> = products
            .storage_mut::<f32>()
            .par_chunks_mut(b)
            .enumerate()
            .map(|(i, row)| simd::infonce_grad_row(row, scale, row_lse[i], &col_lse, k, i, scale))
            .collect();
        let scaled_grad = products;
        if let Some(node) = parent_scale {
            let d_scale = dots.iter().map(|&v| f64::from(v)).sum::<f64>() as f32;
            grads.register::<Cpu>(
                node.id,
                FlexTensor::from_data(TensorData::new(vec![d_scale], [1])),
            );
        }
        if let Some(node) = parent_w {
            grads.register::<Cpu>(
                node.id,
                Cpu::float_matmul(Cpu::float_transpose(scaled_grad.clone()), z),
            );
        }
        if let Some(node) = parent_z {
            grads.register::<Cpu>(node.id, Cpu::float_matmul(scaled_grad, w));
        }
    }
}

/// The fused loss as one autodiff node on the CPU backend.
fn fused_autodiff<C: CheckpointStrategy>(
    z: Tensor<Autodiff<Cpu, C>, 2>,
    w: Tensor<Autodiff<Cpu, C>, 2>,
    scale: Tensor<Autodiff<Cpu, C>, 1>,
) -> Tensor<Autodiff<Cpu, C>, 1> {
    let (z, w, scale) = (
        z.into_primitive().tensor(),
        w.into_primitive().tensor(),
        scale.into_primitive().tensor(),
    );
    let scale_value = scalar(&scale.primitive);
    let fwd = forward(&z.primitive, &w.primitive, scale_value);
    let nodes = [z.node.clone(), w.node.clone(), scale.node.clone()];
    let out = match InfonceBackward
        .prepare::<C>(nodes)
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => {
            let state = State {
                products: fwd.products,
                row_lse: Arc::new(fwd.row_lse),
                col_lse: Arc::new(fwd.col_lse),
                z: z.primitive,
                w: w.primitive,
                scale: scale_value,
            };
            prep.finish(state, fwd.loss)
        }
        OpsKind::UnTracked(prep) => prep.finish(fwd.loss),
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;
    use crate::kernels::host::testing::{assert_close, values};
    use rand::Rng;

    type A = CpuAutodiff;

    fn random<B: Backend>(rows: usize, cols: usize, seed: u64, unit: bool) -> Tensor<B, 2> {
        let mut rng = Seed(seed).rng("infonce-test");
        let mut v: Vec<f32> = (0..rows * cols)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        if unit {
            for row in v.chunks_mut(cols) {
                let n = row.iter().map(|x| x * x).sum::<f32>().sqrt();
                row.iter_mut().for_each(|x| *x /= n);
            }
        }
        Tensor::from_data(TensorData::new(v, [rows, cols]), &Default::default())
    }

    /// Loss and gradients (z, w, scale) of `f` on fresh leaves.
    fn run(
        f: fn(Tensor<A, 2>, Tensor<A, 2>, Tensor<A, 1>) -> Tensor<A, 1>,
        z: &Tensor<A, 2>,
        w: &Tensor<A, 2>,
        scale: f32,
    ) -> (f32, Vec<f32>, Vec<f32>, Vec<f32>) {
        let (z, w) = (
            z.clone().detach().require_grad(),
            w.clone().detach().require_grad(),
        );
        let s = Tensor::<A, 1>::from_data(TensorData::new(vec![scale], [1]), &Default::default())
            .require_grad();
        // A non-unit upstream gradient checks the chain rule through the node.
        let loss = f(z.clone(), w.clone(), s.clone());
        let grads = (loss.clone() * 3.0).backward();
        (
            loss.into_scalar(),
            values(z.grad(&grads).unwrap()),
            values(w.grad(&grads).unwrap()),
            values(s.grad(&grads).unwrap()),
        )
    }

    #[test]
    fn fused_matches_reference_value_and_gradients() {
        // Odd sizes exercise the 8-lane tails and a partial last task (70 > 64 rows).
        for (b, d, scale, unit, seed) in [
            (70, 13, 1.0 / 0.07, true, 1),
            (9, 8, 2.0, false, 2),
            (1, 5, 5.0, true, 3),
        ] {
            let (z, w) = (
                random::<A>(b, d, seed, unit),
                random::<A>(b, d, seed + 100, unit),
            );
            let fused = run(symmetric_infonce, &z, &w, scale);
            let reference = run(symmetric_infonce_reference, &z, &w, scale);
            assert!(
                (fused.0 - reference.0).abs() < 1e-5 * (1.0 + reference.0.abs()),
                "loss {} vs {}",
                fused.0,
                reference.0
            );
            assert_close(&fused.1, &reference.1, 1e-4, "dz");
            assert_close(&fused.2, &reference.2, 1e-4, "dw");
            assert_close(&fused.3, &reference.3, 1e-4, "dscale");
        }
    }

    #[test]
    fn matches_float64_closed_form() {
        let (b, d, scale) = (6, 4, 3.0f64);
        let (z, w) = (random::<Cpu>(b, d, 7, true), random::<Cpu>(b, d, 8, true));
        let (zv, wv) = (values(z.clone()), values(w.clone()));
        let s = |i: usize, j: usize| {
            scale
                * (0..d)
                    .map(|k| f64::from(zv[i * d + k]) * f64::from(wv[j * d + k]))
                    .sum::<f64>()
        };
        let lse = |v: Vec<f64>| {
            let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
        };
        let want = (0..b)
            .map(|i| {
                lse((0..b).map(|j| s(i, j)).collect()) + lse((0..b).map(|j| s(j, i)).collect())
                    - 2.0 * s(i, i)
            })
            .sum::<f64>()
            / (2.0 * b as f64);
        // The non-autodiff CPU backend takes the fused forward too.
        let scale_t = Tensor::<Cpu, 1>::from_data(
            TensorData::new(vec![scale as f32], [1]),
            &Default::default(),
        );
        let ours = f64::from(symmetric_infonce(z, w, scale_t).into_scalar());
        assert!((ours - want).abs() < 1e-5, "{ours} vs {want}");
    }

    #[test]
    fn large_scores_stay_finite() {
        // Scores up to ±400: a naive exp would overflow.
        let (z, w) = (random::<A>(16, 8, 4, false), random::<A>(16, 8, 5, false));
        let fused = run(symmetric_infonce, &z, &w, 200.0);
        let reference = run(symmetric_infonce_reference, &z, &w, 200.0);
        assert!(fused.0.is_finite() && fused.1.iter().all(|v| v.is_finite()));
        assert!(
            (fused.0 - reference.0).abs() < 1e-4 * (1.0 + reference.0.abs()),
            "{} vs {}",
            fused.0,
            reference.0
        );
        assert_close(&fused.1, &reference.1, 1e-3, "dz");
    }

    #[test]
    fn same_inputs_give_identical_bits() {
        let (z, w) = (
            random::<A>(130, 16, 9, true),
            random::<A>(130, 16, 10, true),
        );
        assert_eq!(
            run(symmetric_infonce, &z, &w, 10.0),
            run(symmetric_infonce, &z, &w, 10.0)
        );
    }
}
