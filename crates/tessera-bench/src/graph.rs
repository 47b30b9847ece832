//! The benchmark graphs: the GCN-normalised adjacency and dense features.

use std::path::Path;
use tessera_core::Result;
use tessera_core::kernels::CsrOperator;
use tessera_data::graph::GraphData;
use tessera_graph::{Graph, SelfLoops, norm};

/// A loaded benchmark graph.
pub struct BenchGraph {
    /// `Â = D^-1/2 (A + I) D^-1/2`, degrees counted with the self loop.
    pub adjacency: CsrOperator,
    /// Dense row-major node features (`nodes × dim`).
    pub features: Vec<f32>,
    /// Feature width.
    pub dim: usize,
    /// Class per node.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
    /// Training nodes (the `train` mask, or every node when there is none).
    pub train: Vec<usize>,
}

impl BenchGraph {
    /// Reads a graph in the shared-data `.npz` layout.
    pub fn load(path: &Path) -> Result<Self> {
        let graph = GraphData::from_npz(path)?;
        let adjacency = normalized_adjacency(&graph)?;
        let (features, dim) = match &graph.features {
            Some(f) => (f.to_dense().data, f.cols()),
            None => {
                return Err(tessera_core::Error::input(
                    path.display().to_string(),
                    "features",
                    "node features (dense `features` or CSR `features_*`)",
                    "none",
                ));
            }
        };
        let labels = graph
            .labels
            .clone()
            .unwrap_or_else(|| vec![0; graph.num_nodes]);
        let train = match graph.masks.get("train") {
            Some(mask) => mask
                .iter()
                .enumerate()
                .filter(|(_, m)| **m)
                .map(|(i, _)| i)
                .collect(),
            None => (0..graph.num_nodes).collect(),
        };
        Ok(BenchGraph {
            adjacency,
            features,
            dim,
            labels,
            classes: graph.num_classes.max(1),
            train,
        })
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.adjacency.rows()
    }
}

/// `D^-1/2 (A + I) D^-1/2` (GCN's `Â`) from the both-directions edge list,
/// duplicates merged, one self loop per node, via `tessera-graph`.
fn normalized_adjacency(graph: &GraphData) -> Result<CsrOperator> {
    let g = Graph::from_edges(
        &graph.source,
        graph.num_nodes,
        &graph.src,
        &graph.dst,
        false,
        SelfLoops::Add,
    )?;
    norm::symmetric(&g)
}
