//! # tessera-data
//!
//! Everything between files and models: readers and writers (`.npy`, `.npz`
//! with CSR triplets), validation with precise errors, and typed datasets
//! such as [`GraphData`].
//!
//! ```no_run
//! use tessera_data::GraphData;
//!
//! let cora = GraphData::from_npz("../shared/data/planetoid/cora.npz".as_ref())?;
//! assert_eq!(cora.num_nodes, 2708);
//! let train = cora.mask_indices("train")?;
//! println!("{} training nodes, {} classes", train.len(), cora.num_classes);
//! # Ok::<(), tessera_core::Error>(())
//! ```

pub mod array;
pub mod graph;
pub mod matrix;
pub mod npy;
pub mod scipy;

pub use array::{Array, ArrayData};
pub use graph::{Features, GraphData};
pub use matrix::{CsrMatrix, DenseMatrix};
pub use npy::{Npz, read_npy, write_npy, write_npy_f32};
pub use scipy::{read_csr_npz, write_csr_npz};
