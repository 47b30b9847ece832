//! GIANT: node features from self-supervised multi-scale neighbourhood prediction.
//!
//! 1. [`neighbourhood_problem`]: labels = the undirected adjacency rows (no self loops),
//!    instances = TF-IDF rows of the node "text"; training rows are the nodes with
//!    `0 < degree < max_degree`.
//! 2. XR-Linear on that problem; its exhaustive multi-scale cluster scores are the
//!    *linear* features ([`crate::XLinearModel::multiscale_scores`]).
//! 3. [`encoder`]: an MLP over the TF-IDF vector fine-tuned coarse-to-fine on the label
//!    tree's levels with the squared hinge; its tanh output is the *neural* feature.
//! 4. [`downstream`]: MLP / GraphSAGE / GCN node classification on raw vs GIANT features.

pub mod config;
pub mod downstream;
pub mod encoder;
pub mod features;

pub use config::{EncoderConfig, GiantConfig, GiantFeature};
pub use downstream::{DownstreamConfig, reproduce};
pub use features::{GiantFeatures, NeighbourhoodProblem, giant_features, neighbourhood_problem};
