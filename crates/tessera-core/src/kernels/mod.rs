//! Compute kernels shared by several methods.
//!
//! - [`csr`]: a CSR sparse operator `Â` with a row-parallel product `Â·M`
//!   on host slices (one nnz-balanced band of rows per team member); `Âᵀ·G`
//!   gathers over a stored transpose, or scatters for derived operators
//!   (dropout masks, row batches) that skip building one.
//! - [`spmm`]: `Â·M` on burn tensors, registered as an autodiff op whose
//!   backward is `Âᵀ·G` (fast path on the CPU backend, a generic
//!   gather/scatter fallback on every other backend).
//! - [`dense`]: a fused dense layer `act(x·W + b)` (one gemm forward, a
//!   closed-form backward that masks the gradient in place).
//! - `gemm` (internal): strided f32 matrix products split into one
//!   single-threaded product per member of a `team` of helper threads that
//!   spin briefly between regions, as OpenMP's do (rayon's fall asleep).
//! - [`infonce`]: fused symmetric InfoNCE (one `B × B` buffer, closed-form
//!   backward) with a plain-burn reference and fallback.

pub mod csr;
pub mod dense;
mod gemm;
pub(crate) mod host;
pub mod infonce;
mod simd;
pub mod spmm;
pub(crate) mod team;

pub use csr::CsrOperator;
pub use dense::{Activation, dense};
pub use spmm::{spmm, spmm_gather_scatter};
