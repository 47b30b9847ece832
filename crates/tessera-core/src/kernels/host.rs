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
