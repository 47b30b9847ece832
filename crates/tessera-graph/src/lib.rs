//! # tessera-graph
//!
//! The graph core shared by graph methods: a CSR [`Graph`] built from an
//! edge list (symmetrise, dedupe, add / remove self-loops), degrees and
//! homophily, symmetric and random-walk normalisations ([`norm`]), Cold
//! Brew's head / tail / isolation [`split`], [`label_propagation`], GCN,
//! GraphSAGE-mean and MLP modules ([`nn`]) whose propagation runs through
//! the CSR kernel of `tessera_core::kernels`, and a node-classifier API
//! ([`train_classifier`]) reused by downstream protocols.
//!
//! ```
//! use tessera_graph::{Graph, SelfLoops, degree_split, SplitRule, norm};
//!
//! // a path 0-1-2-3 with self-loops
//! let g = Graph::from_edges("example", 4, &[0, 1, 2], &[1, 2, 3], true, SelfLoops::Add)?;
//! assert_eq!(g.degrees(), vec![2, 3, 3, 2]);
//! let a_hat = norm::symmetric(&g)?;
//! let y = a_hat.apply(&[1.0, 0.0, 0.0, 0.0], 1);
//! assert!((y[0] - 0.5).abs() < 1e-6);
//! let split = degree_split(&g, SplitRule::OfficialMedian);
//! // the ends have the lowest degree: one is cut off, one stays in the tail
//! assert_eq!((split.isolation.clone(), split.tail.clone()), (vec![0], vec![3]));
//! # Ok::<(), tessera_core::Error>(())
//! ```

pub mod classifier;
pub mod dropout;
pub mod features;
pub mod graph;
pub mod lp;
pub mod nn;
pub mod norm;
pub mod split;

pub use classifier::{
    Architecture, ClassifierConfig, FitConfig, NodeModel, NodeTask, Targets, TrainedClassifier,
    fit_node_model, train_classifier,
};
pub use features::NodeFeatures;
pub use graph::{Graph, SelfLoops};
pub use lp::{LpConfig, label_propagation};
pub use nn::{Gcn, GraphOps, Mlp, MlpConfig, Sage};
pub use split::{DegreeSplit, SplitRule, degree_split};
