//! The benchmark graphs: the GCN-normalised adjacency and dense features.

use std::path::Path;
use tessera_core::Result;
use tessera_core::kernels::CsrOperator;
use tessera_data::graph::GraphData;

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

/// `D^-1/2 (A + I) D^-1/2` from the (both-directions) edge list, with
/// duplicate edges and existing self loops merged into one unit entry.
pub fn normalized_adjacency(graph: &GraphData) -> Result<CsrOperator> {
    let n = graph.num_nodes;
    let mut neighbours: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    for (&s, &d) in graph.src.iter().zip(&graph.dst) {
        neighbours[s as usize].push(d);
    }
    let mut indptr = Vec::with_capacity(n + 1);
    indptr.push(0);
    let mut indices = Vec::with_capacity(graph.src.len() + n);
    for row in &mut neighbours {
        row.sort_unstable();
        row.dedup();
        indices.extend_from_slice(row);
        indptr.push(indices.len());
    }
    let inv_sqrt: Vec<f32> = neighbours
        .iter()
        .map(|r| 1.0 / (r.len() as f32).sqrt())
        .collect();
    let mut values = Vec::with_capacity(indices.len());
    for (i, row) in neighbours.iter().enumerate() {
        values.extend(row.iter().map(|&j| inv_sqrt[i] * inv_sqrt[j as usize]));
    }
    CsrOperator::new(n, n, indptr, indices, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn normalisation_matches_closed_form_on_a_path() {
        // Path 0-1-2 (both directions) plus a duplicate edge: degrees with self loop 2, 3, 2.
        let graph = GraphData {
            source: "path".into(),
            num_nodes: 3,
            src: vec![0, 1, 1, 2, 0],
            dst: vec![1, 0, 2, 1, 1],
            features: None,
            labels: None,
            num_classes: 0,
            masks: BTreeMap::new(),
        };
        let a = normalized_adjacency(&graph).unwrap();
        assert_eq!(a.nnz(), 7);
        let dense = a.apply(&[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0], 3);
        let d = [2.0f32, 3.0, 2.0];
        for i in 0..3 {
            for j in 0..3 {
                let edge = i == j || i.abs_diff(j) == 1;
                let want = if edge {
                    1.0 / (d[i] * d[j]).sqrt()
                } else {
                    0.0
                };
                assert!(
                    (dense[i * 3 + j] - want).abs() < 1e-6,
                    "({i},{j}) {} vs {want}",
                    dense[i * 3 + j]
                );
            }
        }
    }
}
