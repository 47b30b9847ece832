//! `Â·M` on burn tensors with a custom backward `Âᵀ·G`.
//!
//! [`spmm`] is generic over every backend. On the CPU backends
//! ([`CpuAutodiff`] and [`Cpu`]) it runs the team-parallel CSR kernel of
//! [`CsrOperator`]; on [`CpuAutodiff`] the product is registered as one
//! autodiff node whose backward applies the transpose. Every
//! other backend (CUDA) takes [`spmm_gather_scatter`], built from burn's
//! `select` and `select_assign`, whose gradient burn derives itself.
//! Backend detection uses `Any` downcasts, so no extra trait bound leaks
//! into model code written for `B: AutodiffBackend`.

use super::CsrOperator;
use super::host::{contiguous_f32, same_type};
use crate::backend::{Cpu, CpuAutodiff};
use burn::backend::Autodiff;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind, unary};
use burn::backend::flex::FlexTensor;
use burn::tensor::backend::Backend;
use burn::tensor::ops::FloatTensor;
use burn::tensor::{IndexingUpdateOp, Int, Tensor, TensorData, TensorPrimitive};
use std::any::Any;

/// `Â · x` for a `cols × d` tensor `x`, differentiable on autodiff backends.
///
/// # Panics
/// If `x` does not have `op.cols()` rows (a shape error, like a bad matmul).
pub fn spmm<B: Backend>(op: &CsrOperator, x: Tensor<B, 2>) -> Tensor<B, 2> {
    let [rows, _] = x.dims();
    assert_eq!(
        rows,
        op.cols(),
        "spmm: operand has {rows} rows, the operator {} columns",
        op.cols()
    );
    let boxed: Box<dyn Any> = Box::new(x);
    let boxed = match boxed.downcast::<Tensor<CpuAutodiff, 2>>() {
        Ok(t) => return same_type(spmm_autodiff(op, *t)),
        Err(other) => other,
    };
    let boxed = match boxed.downcast::<Tensor<Cpu, 2>>() {
        Ok(t) => {
            let prim = host_product::<Cpu>(op, t.into_primitive().tensor(), false);
            return same_type(Tensor::<Cpu, 2>::from_primitive(TensorPrimitive::Float(
                prim,
            )));
        }
        Err(other) => other,
    };
    spmm_gather_scatter(
        op,
        same_type(
            *boxed
                .downcast::<Tensor<B, 2>>()
                .expect("the box holds a Tensor<B, 2>"),
        ),
    )
}

/// `Â · x` from burn ops only (gather the source rows, scale, scatter-add
/// into the target rows); works on every backend and lets burn derive the
/// gradient. The reference the custom kernel is tested against.
pub fn spmm_gather_scatter<B: Backend>(op: &CsrOperator, x: Tensor<B, 2>) -> Tensor<B, 2> {
    let device = x.device();
    let [_, width] = x.dims();
    let nnz = op.nnz();
    let (mut rows, mut cols, mut vals) = (
        Vec::with_capacity(nnz),
        Vec::with_capacity(nnz),
        Vec::with_capacity(nnz),
    );
    for (r, c, v) in op.triplets() {
        rows.push(r as i64);
        cols.push(c as i64);
        vals.push(v);
    }
    let rows = Tensor::<B, 1, Int>::from_data(TensorData::new(rows, [nnz]), &device);
    let cols = Tensor::<B, 1, Int>::from_data(TensorData::new(cols, [nnz]), &device);
    let vals = Tensor::<B, 2>::from_data(TensorData::new(vals, [nnz, 1]), &device);
    let messages = x.select(0, cols) * vals;
    Tensor::zeros([op.rows(), width], &device).select_assign(
        0,
        rows,
        messages,
        IndexingUpdateOp::Add,
    )
}

/// `Â·x` (or `Âᵀ·x` when `transpose`) on the host. A contiguous f32 tensor of
/// the CPU backend is read in place; any other is copied to the host first.
fn host_product<B: Backend>(
    op: &CsrOperator,
    x: FloatTensor<B>,
    transpose: bool,
) -> FloatTensor<B> {
    let boxed: Box<dyn Any> = Box::new(x);
    match boxed.downcast::<FlexTensor>() {
        Ok(flex) => same_type(flex_product(op, *flex, transpose)),
        Err(other) => {
            let x = *other
                .downcast::<FloatTensor<B>>()
                .expect("the box holds a FloatTensor<B>");
            copied_product::<B>(op, x, transpose)
        }
    }
}

/// [`host_product`] on the CPU backend: no copy of a contiguous f32 operand.
fn flex_product(op: &CsrOperator, x: FlexTensor, transpose: bool) -> FlexTensor {
    let x = contiguous_f32(x);
    let [rows_in, width] = x.layout().shape().dims::<2>();
    let host = &x.storage::<f32>()[..rows_in * width];
    let (out, rows) = product(op, host, width, transpose);
    FlexTensor::from_data(TensorData::new(out, [rows, width]))
}

/// [`host_product`] on any other backend, through a host copy.
fn copied_product<B: Backend>(
    op: &CsrOperator,
    x: FloatTensor<B>,
    transpose: bool,
) -> FloatTensor<B> {
    let x = Tensor::<B, 2>::from_primitive(TensorPrimitive::Float(x));
    let device = x.device();
    let [_, width] = x.dims();
    let host = x
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("float tensor data converts to f32");
    let (out, rows) = product(op, &host, width, transpose);
    Tensor::<B, 2>::from_data(TensorData::new(out, [rows, width]), &device)
        .into_primitive()
        .tensor()
}

/// The product on host slices and its row count.
fn product(op: &CsrOperator, x: &[f32], width: usize, transpose: bool) -> (Vec<f32>, usize) {
    if transpose {
        (op.apply_transpose(x, width), op.cols())
    } else {
        (op.apply(x, width), op.rows())
    }
}

/// The backward node of [`spmm`]: `dL/dx = Âᵀ · dL/dy`.
#[derive(Debug)]
struct SpmmBackward;

impl<B: Backend> Backward<B, 1> for SpmmBackward {
    type State = CsrOperator;

    fn backward(
        self,
        ops: Ops<Self::State, 1>,
        grads: &mut Gradients,
        _checkpointer: &mut Checkpointer,
    ) {
        let op = ops.state;
        unary::<B, _>(ops.parents, ops.node, grads, |grad| {
            host_product::<B>(&op, grad, true)
        });
    }
}

/// The CSR kernel as one autodiff node (any inner backend whose data can be read on the host).
fn spmm_autodiff<B: Backend, C: CheckpointStrategy>(
    op: &CsrOperator,
    x: Tensor<Autodiff<B, C>, 2>,
) -> Tensor<Autodiff<B, C>, 2> {
    let x = x.into_primitive().tensor();
    let out = host_product::<B>(op, x.primitive.clone(), false);
    let out = match SpmmBackward
        .prepare::<C>([x.node.clone()])
        .compute_bound()
        .stateful()
    {
        OpsKind::Tracked(prep) => prep.finish(op.clone(), out),
        OpsKind::UnTracked(prep) => prep.finish(out),
    };
    Tensor::from_primitive(TensorPrimitive::Float(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Seed;
    use rand::Rng;

    /// A random sparse operator with about `density` of the entries set.
    fn random_op(rows: usize, cols: usize, density: f64, seed: u64) -> CsrOperator {
        let mut rng = Seed(seed).rng("op");
        let (mut indptr, mut indices, mut values) = (vec![0], Vec::new(), Vec::new());
        for _ in 0..rows {
            for c in 0..cols {
                if rng.random_bool(density) {
                    indices.push(c as u32);
                    values.push(rng.random_range(-1.0f32..1.0));
                }
            }
            indptr.push(indices.len());
        }
        CsrOperator::new(rows, cols, indptr, indices, values).unwrap()
    }

    fn random_tensor<B: Backend>(rows: usize, cols: usize, seed: u64) -> Tensor<B, 2> {
        let mut rng = Seed(seed).rng("x");
        let data: Vec<f32> = (0..rows * cols)
            .map(|_| rng.random_range(-1.0f32..1.0))
            .collect();
        Tensor::from_data(TensorData::new(data, [rows, cols]), &Default::default())
    }

    fn values<B: Backend>(t: Tensor<B, 2>) -> Vec<f32> {
        t.into_data().into_vec::<f32>().unwrap()
    }

    #[test]
    fn kernel_equals_gather_scatter_forward_and_backward() {
        let op = random_op(7, 5, 0.4, 1);
        let w = random_tensor::<CpuAutodiff>(7, 3, 2);
        let x1 = random_tensor::<CpuAutodiff>(5, 3, 3).require_grad();
        let x2 = x1.clone().detach().require_grad();
        let y1 = spmm(&op, x1.clone());
        let y2 = spmm_gather_scatter(&op, x2.clone());
        for (a, b) in values(y1.clone()).iter().zip(values(y2.clone())) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        let g1 = (y1 * w.clone()).sum().backward();
        let g2 = (y2 * w).sum().backward();
        let (d1, d2) = (x1.grad(&g1).unwrap(), x2.grad(&g2).unwrap());
        let (d1, d2) = (
            d1.into_data().into_vec::<f32>().unwrap(),
            d2.into_data().into_vec::<f32>().unwrap(),
        );
        assert!(d1.iter().any(|v| v.abs() > 1e-3));
        for (a, b) in d1.iter().zip(&d2) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }

    #[test]
    fn kernel_gradient_matches_finite_differences() {
        // L(x) = Σ (Â x ⊙ w)²  has a non-constant gradient in x.
        let op = random_op(6, 6, 0.5, 4);
        let w = random_tensor::<CpuAutodiff>(6, 2, 5);
        let x0 = values(random_tensor::<CpuAutodiff>(6, 2, 6));
        let loss = |x: &[f32]| -> f64 {
            let y = op.apply(x, 2);
            let wv = values(w.clone());
            y.iter()
                .zip(&wv)
                .map(|(a, b)| f64::from(a * b).powi(2))
                .sum()
        };
        let x = Tensor::<CpuAutodiff, 2>::from_data(
            TensorData::new(x0.clone(), [6, 2]),
            &Default::default(),
        )
        .require_grad();
        let l = (spmm(&op, x.clone()) * w.clone()).powf_scalar(2.0).sum();
        let grads = l.backward();
        let analytic = x
            .grad(&grads)
            .unwrap()
            .into_data()
            .into_vec::<f32>()
            .unwrap();
        let h = 1e-3f32;
        for i in 0..x0.len() {
            let (mut plus, mut minus) = (x0.clone(), x0.clone());
            plus[i] += h;
            minus[i] -= h;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * f64::from(h));
            assert!(
                (numeric - f64::from(analytic[i])).abs() < 2e-3 * (1.0 + numeric.abs()),
                "entry {i}: {numeric} vs {}",
                analytic[i]
            );
        }
    }

    #[test]
    fn inference_backend_uses_the_kernel() {
        let op = random_op(4, 3, 0.6, 7);
        let x = random_tensor::<Cpu>(3, 2, 8);
        let host = values(x.clone());
        assert_eq!(values(spmm(&op, x)), op.apply(&host, 2));
    }

    #[test]
    fn strided_operand_is_read_correctly() {
        // A transposed view is not contiguous: the kernel must not read its raw storage.
        let op = random_op(5, 4, 0.5, 9);
        let xt = random_tensor::<Cpu>(3, 4, 10);
        let x = xt.clone().transpose();
        let contiguous = Tensor::<Cpu, 2>::from_data(x.to_data(), &x.device());
        assert_eq!(values(spmm(&op, x)), values(spmm(&op, contiguous)));
    }
}
