//! A fused dense layer `act(x·W + b)` with a closed-form backward.
//!
//! With `x` of shape `n × i`, `W` of shape `i × o`, `b` of length `o`, the
//! layer computes `y = act(x·W + b)` for `act` the identity or ReLU. Its
//! gradients, for an upstream gradient `G = ∂L/∂y`:
//!
//! ```text
//! G' = G ⊙ act'(y)          (ReLU: G where y > 0, else 0)
//! ∂L/∂W = xᵀ·G'    ∂L/∂b = Σ_rows G'    ∂L/∂x = G'·Wᵀ
//! ```
//!
//! On the CPU backend ([`CpuAutodiff`] and [`Cpu`], f32) the forward is one
//! gemm that accumulates onto rows pre-filled with `b`, then ReLU in place;
//! the backward masks `G` in place (when it owns the buffer) and runs at most
//! two gemms that read transposed operands through strides, without copies.
//! burn's `Linear` + `relu` takes about four extra passes over `y` and the
//! same number of allocations per layer and step. Every other backend (CUDA)
//! takes [`dense_reference`], plain burn ops whose gradient burn derives.

use super::gemm::{View, gemm_into, gemm_pair};
use super::host::{contiguous_f32, same_type};
use crate::backend::{Cpu, CpuAutodiff};
use burn::backend::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::flex::FlexTensor;
use burn::tensor::activation::relu;
use burn::tensor::backend::Backend;
use burn::tensor::{DType, Tensor, TensorData, TensorPrimitive};
use std::any::Any;

/// The activation applied after the affine map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// `y = x·W + b`.
    Identity,
    /// `y = max(0, x·W + b)`.
    Relu,
}

/// `act(x·W + b)` for `x: n × i`, `W: i × o`, `b: o`; differentiable on
/// autodiff backends (formula in the module doc).
///
/// # Panics
/// If the shapes do not chain (`x`'s columns ≠ `W`'s rows, or `b` not of
/// length `o`): shape errors, like a bad matmul.
pub fn dense<B: Backend>(
    x: Tensor<B, 2>,
    weight: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
    activation: Activation,
) -> Tensor<B, 2> {
    let ([_, i], [wi, o]) = (x.dims(), weight.dims());
    assert_eq!(i, wi, "dense: x has {i} columns, the weight {wi} rows");
    if let Some(b) = &bias {
        assert_eq!(b.dims(), [o], "dense: the bias must have {o} entries");
    }
    let fast = x.dtype() == DType::F32
        && weight.dtype() == DType::F32
        && bias.as_ref().is_none_or(|b| b.dtype() == DType::F32);
    let inputs: Box<dyn Any> = Box::new((x, weight, bias));
    let inputs = match inputs.downcast::<Inputs<CpuAutodiff>>() {
        Ok(t) if fast => return same_type(fused_autodiff(*t, activation)),
        Ok(t) => t as Box<dyn Any>,
        Err(other) => other,
    };
    let inputs = match inputs.downcast::<Inputs<Cpu>>() {
        Ok(t) if fast => {
            let (x, w, b) = *t;
            let b = b.map(|b| b.into_primitive().tensor());
            let y = forward(
                &x.into_primitive().tensor(),
                &w.into_primitive().tensor(),
                b.as_ref(),
                activation,
            );
            return same_type(Tensor::<Cpu, 2>::from_primitive(TensorPrimitive::Float(y)));
        }
        Ok(t) => t as Box<dyn Any>,
        Err(other) => other,
    };
    let (x, weight, bias) = *inputs
        .downcast::<Inputs<B>>()
        .expect("the box holds the caller's tensors");
    dense_reference(x, weight, bias, activation)
}

/// The same layer from burn ops (`matmul`, broadcast add, `relu`); burn
/// derives its gradient. The reference the fused kernel is tested against,
/// and the path on non-CPU backends.
pub fn dense_reference<B: Backend>(
    x: Tensor<B, 2>,
    weight: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
    activation: Activation,
) -> Tensor<B, 2> {
    let y = x.matmul(weight);
    let y = match bias {
        Some(b) => y + b.unsqueeze(),
        None => y,
    };
    match activation {
        Activation::Identity => y,
        Activation::Relu => relu(y),
    }
}

/// The caller's tensors on one backend.
type Inputs<B> = (Tensor<B, 2>, Tensor<B, 2>, Option<Tensor<B, 1>>);

/// A strided view of an f32 2-D CPU tensor with non-negative strides.
fn view(t: &FlexTensor) -> View<'_> {
    let layout = t.layout();
    let (rows, cols, row_stride, col_stride) =
        layout.as_2d_strides().expect("dense: a 2-D operand");
    View::new(
        &t.storage::<f32>()[layout.start_offset()..],
        rows,
        cols,
        row_stride,
        col_stride,
    )
}

/// `t` itself when [`view`] can read it in place, else a contiguous copy.
fn readable(t: &FlexTensor) -> FlexTensor {
    if t.dtype() == DType::F32 && t.layout().has_positive_strides() {
        t.clone()
    } else {
        FlexTensor::from_data(t.clone().into_data().convert::<f32>())
    }
}

/// The forward pass on host tensors: `act(x·W + b)`, contiguous.
fn forward(
    x: &FlexTensor,
    w: &FlexTensor,
    b: Option<&FlexTensor>,
    activation: Activation,
) -> FlexTensor {
    let (x, w) = (readable(x), readable(w));
    let (xv, wv) = (view(&x), view(&w));
    let (n, o) = (xv.rows(), wv.cols());
    let mut y = Vec::with_capacity(n * o);
    match b {
        Some(b) => {
            let b = b.to_contiguous();
            let b = &b.storage::<f32>()[..o];
            for _ in 0..n {
                y.extend_from_slice(b);
            }
        }
        None => y.resize(n * o, 0.0),
    }
    gemm_into(&mut y, true, &xv, &wv);
    if activation == Activation::Relu {
        y.iter_mut().for_each(|v| *v = v.max(0.0));
    }
    FlexTensor::from_data(TensorData::new(y, [n, o]))
}

/// What the backward keeps: the inputs and, for ReLU, the output (its mask).
#[derive(Clone, Debug)]
struct State {
    x: FlexTensor,
    w: FlexTensor,
    y: Option<FlexTensor>,
}

/// The backward node (parents: `x`, `W`, `b`).
#[derive(Debug)]
struct DenseBackward;

impl Backward<Cpu, 3> for DenseBackward {
    type State = State;

    fn backward(self, ops: Ops<State, 3>, grads: &mut Gradients, _checkpointer: &mut Checkpointer) {
        let grad = grads.consume::<Cpu>(&ops.node);
        let [parent_x, parent_w, parent_b] = ops.parents;
        let State { x, w, y } = ops.state;
        let mut grad = contiguous_f32(grad);
        let (n, o) = (grad.layout().shape()[0], grad.layout().shape()[1]);
        let mut db = parent_b.is_some().then(|| vec![0.0f32; o]);
        mask_and_sum_rows(
            &mut grad.storage_mut::<f32>()[..n * o],
            y.as_ref(),
            db.as_deref_mut(),
        );
        if let (Some(node), Some(db)) = (parent_b, db) {
            grads.register::<Cpu>(node.id, FlexTensor::from_data(TensorData::new(db, [o])));
        }
        let g = view(&grad);
        // ∂W = xᵀ·G' and ∂x = G'·Wᵀ take the same work (n·i·o multiply-adds)
        // and are independent, so when both are needed they run side by side.
        let (x, w) = (readable(&x), readable(&w));
        let (xt, wt) = (view(&x).t(), view(&w).t());
        let mut dw = parent_w.as_ref().map(|_| vec![0.0f32; xt.rows() * o]);
        let mut dx = parent_x.as_ref().map(|_| vec![0.0f32; n * wt.cols()]);
        match (dw.as_deref_mut(), dx.as_deref_mut()) {
            (Some(dw), Some(dx)) => gemm_pair((dw, &xt, &g), (dx, &g, &wt)),
            (Some(dw), None) => gemm_into(dw, false, &xt, &g),
            (None, Some(dx)) => gemm_into(dx, false, &g, &wt),
            (None, None) => {}
        }
        if let (Some(node), Some(dw)) = (parent_w, dw) {
            let dw = TensorData::new(dw, [xt.rows(), o]);
            grads.register::<Cpu>(node.id, FlexTensor::from_data(dw));
        }
        if let (Some(node), Some(dx)) = (parent_x, dx) {
            let dx = TensorData::new(dx, [n, wt.cols()]);
            grads.register::<Cpu>(node.id, FlexTensor::from_data(dx));
        }
    }
}

/// One pass over the row-major gradient `g` (`o` columns): zeroes it where the
/// ReLU output `y` is zero, then adds each row into `column_sums`.
fn mask_and_sum_rows(g: &mut [f32], y: Option<&FlexTensor>, mut column_sums: Option<&mut [f32]>) {
    let y = y.map(|y| &y.storage::<f32>()[..g.len()]);
    let o = column_sums.as_ref().map_or(g.len(), |s| s.len());
    for (r, row) in g.chunks_exact_mut(o.max(1)).enumerate() {
        if let Some(y) = y {
            let y = &y[r * o..(r + 1) * o];
            // A select, not a branch, so the loop vectorises.
            row.iter_mut()
                .zip(y)
                .for_each(|(g, &v)| *g = if v > 0.0 { *g } else { 0.0 });
        }
        if let Some(sums) = column_sums.as_deref_mut() {
            sums.iter_mut().zip(row.iter()).for_each(|(a, v)| *a += v);
        }
    }
}

/// The fused layer as one autodiff node on the CPU backend.
fn fused_autodiff<C: CheckpointStrategy>(
    (x, w, b): Inputs<Autodiff<Cpu, C>>,
    activation: Activation,
) -> Tensor<Autodiff<Cpu, C>, 2> {
    let o = w.dims()[1];
    let b = b.unwrap_or_else(|| Tensor::zeros([o], &w.device()));
    let (x, w, b) = (
        x.into_primitive().tensor(),
        w.into_primitive().tensor(),
        b.into_primitive().tensor(),
    );
    let y = forward(&x.primitive, &w.primitive, Some(&b.primitive), activation);
    let nodes = [x.node.clone(), w.node.clone(), b.node.clone()];
    let out = match DenseBackward.prepare::<C>(nodes).compute_bound().stateful() {
        OpsKind::Tracked(prep) => {
            let state = State {
                x: x.primitive,
                w: w.primitive,
                y: (activation == Activation::Relu).then(|| y.clone()),
            };
            prep.finish(state, y)
        }
        OpsKind::UnTracked(prep) => prep.finish(y),
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;
    use crate::kernels::host::testing::{self, values};
    use rand::Rng;

    type A = CpuAutodiff;

    fn random<B: Backend, const D: usize>(shape: [usize; D], seed: u64) -> Tensor<B, D> {
        let mut rng = Seed(seed).rng("dense-test");
        let v: Vec<f32> = (0..shape.iter().product::<usize>())
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        Tensor::from_data(TensorData::new(v, shape), &Default::default())
    }

    /// The kernel's tolerance against burn.
    fn assert_close(a: &[f32], b: &[f32], what: &str) {
        testing::assert_close(a, b, 1e-4, what);
    }

    /// Value and every gradient of the fused layer equal burn's, for both
    /// activations, with and without bias, and with a transposed input.
    #[test]
    fn fused_equals_reference_forward_and_backward() {
        for (activation, with_bias, transposed) in [
            (Activation::Relu, true, false),
            (Activation::Identity, true, false),
            (Activation::Relu, false, false),
            (Activation::Relu, true, true),
        ] {
            let what = format!("{activation:?} bias={with_bias} transposed={transposed}");
            let x = if transposed {
                random::<A, 2>([7, 9], 1).transpose()
            } else {
                random::<A, 2>([9, 7], 1)
            };
            let w = random::<A, 2>([7, 5], 2);
            let b = random::<A, 1>([5], 3);
            let upstream = random::<A, 2>([9, 5], 4);
            let run = |f: fn(_, _, _, _) -> Tensor<A, 2>| {
                let (x, w, b) = (
                    x.clone().detach().require_grad(),
                    w.clone().detach().require_grad(),
                    b.clone().detach().require_grad(),
                );
                let y = f(
                    x.clone(),
                    w.clone(),
                    with_bias.then(|| b.clone()),
                    activation,
                );
                let grads = (y.clone() * upstream.clone()).sum().backward();
                let db = b.grad(&grads).map(values);
                (
                    values(y),
                    values(x.grad(&grads).unwrap()),
                    values(w.grad(&grads).unwrap()),
                    db,
                )
            };
            let fused = run(dense::<A>);
            let reference = run(dense_reference::<A>);
            assert_eq!(fused.0.contains(&0.0), activation == Activation::Relu);
            assert_close(&fused.0, &reference.0, &format!("{what} y"));
            assert_close(&fused.1, &reference.1, &format!("{what} dx"));
            assert_close(&fused.2, &reference.2, &format!("{what} dW"));
            assert_eq!(fused.3.is_some(), with_bias, "{what}: bias gradient");
            if let (Some(a), Some(b)) = (fused.3, reference.3) {
                assert_close(&a, &b, &format!("{what} db"));
            }
        }
    }

    /// Large enough to take the parallel gemm path.
    #[test]
    fn fused_equals_reference_on_the_parallel_path() {
        let x = random::<A, 2>([300, 200], 5).require_grad();
        let w = random::<A, 2>([200, 150], 6).require_grad();
        let b = random::<A, 1>([150], 7);
        let y1 = dense(x.clone(), w.clone(), Some(b.clone()), Activation::Relu);
        let y2 = dense_reference(x.clone(), w.clone(), Some(b), Activation::Relu);
        assert_close(&values(y1.clone()), &values(y2.clone()), "y");
        let g1 = y1.sum().backward();
        let g2 = y2.sum().backward();
        assert_close(
            &values(w.grad(&g1).unwrap()),
            &values(w.grad(&g2).unwrap()),
            "dW",
        );
    }

    #[test]
    fn inference_backend_uses_the_kernel() {
        let x = random::<Cpu, 2>([6, 4], 8);
        let w = random::<Cpu, 2>([4, 3], 9);
        let b = random::<Cpu, 1>([3], 10);
        let fused = values(dense(
            x.clone(),
            w.clone(),
            Some(b.clone()),
            Activation::Relu,
        ));
        let reference = values(dense_reference(x, w, Some(b), Activation::Relu));
        assert_close(&fused, &reference, "y");
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // L(W) = Σ relu(x·W + b) ⊙ u, checked entry by entry in W.
        let x = random::<Cpu, 2>([5, 4], 11);
        let b = random::<Cpu, 1>([3], 12);
        let u = random::<Cpu, 2>([5, 3], 13);
        let w0 = values(random::<Cpu, 2>([4, 3], 14));
        let loss = |w: &[f32]| -> f64 {
            let w = Tensor::<Cpu, 2>::from_data(
                TensorData::new(w.to_vec(), [4, 3]),
                &Default::default(),
            );
            let y = dense(x.clone(), w, Some(b.clone()), Activation::Relu);
            values(y * u.clone()).iter().map(|&v| f64::from(v)).sum()
        };
        let w = Tensor::<A, 2>::from_data(TensorData::new(w0.clone(), [4, 3]), &Default::default())
            .require_grad();
        let to_a =
            |t: Tensor<Cpu, 2>| Tensor::<A, 2>::from_data(t.into_data(), &Default::default());
        let y = dense(
            to_a(x.clone()),
            w.clone(),
            Some(Tensor::from_data(b.to_data(), &Default::default())),
            Activation::Relu,
        );
        let analytic = values(w.grad(&(y * to_a(u.clone())).sum().backward()).unwrap());
        let h = 1e-3f32;
        for k in 0..w0.len() {
            let (mut plus, mut minus) = (w0.clone(), w0.clone());
            plus[k] += h;
            minus[k] -= h;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * f64::from(h));
            assert!(
                (numeric - f64::from(analytic[k])).abs() < 2e-2 * (1.0 + numeric.abs()),
                "entry {k}: {numeric} vs {}",
                analytic[k]
            );
        }
    }
}
