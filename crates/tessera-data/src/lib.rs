//! # tessera-data
//!
//! Everything between files and models: readers and writers (`.npy`, `.npz`
//! with CSR triplets), validation with precise errors, and typed datasets:
//! [`GraphData`], [`MultiViewData`], [`InteractionLog`], [`SeriesSet`],
//! [`TextPairs`], [`TrajectorySet`] and [`ImageSet`].
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
pub mod catalogue;
pub mod checksum;
pub mod fetch;
pub mod graph;
pub mod idx;
pub mod image;
pub mod interactions;
pub mod matrix;
pub mod multiview;
pub mod npy;
pub mod parquet_io;
pub mod safetensors_io;
pub mod scipy;
pub mod series;
pub mod table;
pub mod text;
pub mod trajectory;

pub use array::{Array, ArrayData};
pub use graph::{Features, GraphData};
pub use image::{ImagePart, ImageSet};
pub use interactions::{IdMap, InteractionLog, RawEvent};
pub use matrix::{CsrMatrix, DenseMatrix};
pub use multiview::{MultiViewData, View};
pub use npy::{Npz, read_npy, write_npy, write_npy_f32};
pub use scipy::{read_csr_npz, write_csr_npz};
pub use series::SeriesSet;
pub use table::{ColumnData, ColumnType, Table, TextFormat};
pub use text::TextPairs;
pub use trajectory::{Recording, TrajectorySet};
