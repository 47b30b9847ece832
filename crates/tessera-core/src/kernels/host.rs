//! Small helpers shared by the CPU fast paths of the kernels: moving values
//! between generic and concrete backend types, and reading `FlexTensor`s.

use crate::backend::Cpu;
use burn::backend::flex::FlexTensor;
use burn::tensor::{DType, Tensor};
use std::any::Any;

/// Moves a value whose type the caller has proven equal to `U` into `U`.
pub(crate) fn same_type<T: 'static, U: 'static>(value: T) -> U {
    *(Box::new(value) as Box<dyn Any>)
        .downcast::<U>()
        .expect("types are equal by the caller's downcast")
}

/// The CPU backend's tensor primitive.
pub(crate) fn flex<const D: usize>(t: Tensor<Cpu, D>) -> FlexTensor {
    t.into_primitive().tensor()
}

/// `t` as a contiguous f32 tensor starting at offset 0 (itself when it already is one).
pub(crate) fn contiguous_f32(t: FlexTensor) -> FlexTensor {
    if t.dtype() == DType::F32 && t.is_contiguous() && t.layout().start_offset() == 0 {
        t
    } else {
        FlexTensor::from_data(t.into_data().convert::<f32>())
    }
}

/// Test helpers shared by the kernels' tests.
#[cfg(test)]
pub(crate) mod testing {
    use burn::tensor::Tensor;
    use burn::tensor::backend::Backend;

    /// The values of `t` as f32, row-major.
    pub(crate) fn values<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
        t.into_data().convert::<f32>().into_vec::<f32>().unwrap()
    }

    /// Asserts `|a − b| ≤ tol·(1 + |b|)` elementwise, naming `what` and the index.
    pub(crate) fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= tol * (1.0 + y.abs()),
                "{what}[{i}]: {x} vs {y}"
            );
        }
    }
}
