//! Compute kernels shared by several methods.
//!
//! - [`csr`]: a CSR sparse operator `Â` with a rayon row-parallel product
//!   `Â·M` on host slices and its transpose precomputed once.
//! - [`spmm`]: `Â·M` on burn tensors, registered as an autodiff op whose
//!   backward is `Âᵀ·G` (fast path on the CPU backend, a generic
//!   gather/scatter fallback on every other backend).
//! - [`infonce`]: fused symmetric InfoNCE (one `B × B` buffer, closed-form
//!   backward) with a plain-burn reference and fallback.

pub mod csr;
pub mod infonce;
mod simd;
pub mod spmm;

pub use csr::CsrOperator;
pub use spmm::{spmm, spmm_gather_scatter};
