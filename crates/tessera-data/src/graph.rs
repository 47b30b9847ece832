//! [`GraphData`]: a node-attributed graph with labels and named node masks.

use crate::matrix::{CsrMatrix, DenseMatrix};
use crate::npy::Npz;
use std::collections::BTreeMap;
use std::path::Path;
use tessera_core::{Error, Result};

/// Node features, dense or sparse.
#[derive(Clone, Debug, PartialEq)]
pub enum Features {
    /// A dense `nodes × dims` matrix.
    Dense(DenseMatrix),
    /// A sparse `nodes × dims` matrix (bag of words, TF-IDF).
    Sparse(CsrMatrix),
}

impl Features {
    /// Number of rows (nodes).
    pub fn rows(&self) -> usize {
        match self {
            Features::Dense(m) => m.rows,
            Features::Sparse(m) => m.rows,
        }
    }

    /// Number of columns (feature dimensions).
    pub fn cols(&self) -> usize {
        match self {
            Features::Dense(m) => m.cols,
            Features::Sparse(m) => m.cols,
        }
    }

    /// The dense form.
    pub fn to_dense(&self) -> DenseMatrix {
        match self {
            Features::Dense(m) => m.clone(),
            Features::Sparse(m) => m.to_dense(),
        }
    }
}

/// A graph dataset: directed edge list, optional features and labels, and named node masks.
///
/// Undirected graphs store both directions of every edge (as the shared
/// `.npz` files do). All invariants are checked by [`GraphData::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct GraphData {
    /// Where the graph came from (file path or dataset name), for messages.
    pub source: String,
    /// Number of nodes.
    pub num_nodes: usize,
    /// Edge sources.
    pub src: Vec<u32>,
    /// Edge targets.
    pub dst: Vec<u32>,
    /// Node features (PubMed here has none).
    pub features: Option<Features>,
    /// Class id per node.
    pub labels: Option<Vec<usize>>,
    /// Number of classes (max label + 1).
    pub num_classes: usize,
    /// Named boolean node masks (`train`, `val`, `test`, `placeholder`, ...).
    pub masks: BTreeMap<String, Vec<bool>>,
}

impl GraphData {
    /// Number of stored (directed) edges.
    pub fn num_edges(&self) -> usize {
        self.src.len()
    }

    /// Indices of the nodes where mask `name` is set; an unknown or empty mask is an error.
    pub fn mask_indices(&self, name: &str) -> Result<Vec<usize>> {
        let mask = self.masks.get(name).ok_or_else(|| {
            Error::input(
                &self.source,
                format!("mask `{name}`"),
                "the mask to exist",
                format!("masks {:?}", self.masks.keys().collect::<Vec<_>>()),
            )
        })?;
        let idx: Vec<usize> = mask
            .iter()
            .enumerate()
            .filter_map(|(i, &m)| m.then_some(i))
            .collect();
        if idx.is_empty() {
            return Err(Error::input(
                &self.source,
                format!("mask `{name}`"),
                "at least one selected node",
                "an empty split",
            ));
        }
        Ok(idx)
    }

    /// Checks edge ids, row counts of features/labels/masks, and finiteness of dense features.
    pub fn validate(&self) -> Result<()> {
        let src = &self.source;
        if self.src.len() != self.dst.len() {
            return Err(Error::input(
                src,
                "edge list",
                "as many targets as sources",
                format!("{} sources, {} targets", self.src.len(), self.dst.len()),
            ));
        }
        for (name, ends) in [("source", &self.src), ("target", &self.dst)] {
            if let Some(p) = ends.iter().position(|&v| v as usize >= self.num_nodes) {
                return Err(Error::input(
                    src,
                    format!("edge {p} ({name})"),
                    format!("a node id < {} (the number of nodes)", self.num_nodes),
                    ends[p].to_string(),
                ));
            }
        }
        if let Some(f) = &self.features {
            if f.rows() != self.num_nodes {
                return Err(Error::input(
                    src,
                    "features",
                    format!("{} rows (one per node)", self.num_nodes),
                    format!("{} rows", f.rows()),
                ));
            }
            if let Features::Dense(m) = f
                && let Some((r, c, v)) = m.first_non_finite()
            {
                return Err(Error::input(
                    src,
                    format!("features row {r}, column {c}"),
                    "a finite value",
                    v.to_string(),
                ));
            }
        }
        if let Some(labels) = &self.labels
            && labels.len() != self.num_nodes
        {
            return Err(Error::input(
                src,
                "labels",
                format!("{} labels (one per node)", self.num_nodes),
                format!("{} labels", labels.len()),
            ));
        }
        for (name, mask) in &self.masks {
            if mask.len() != self.num_nodes {
                return Err(Error::input(
                    src,
                    format!("mask `{name}`"),
                    format!("{} entries", self.num_nodes),
                    format!("{} entries", mask.len()),
                ));
            }
        }
        Ok(())
    }

    /// Reads the shared-data graph layout: `edge_index` (2×E), optional CSR
    /// `features_*`, optional `labels`, and every `*_mask` array.
    pub fn from_npz(path: &Path) -> Result<Self> {
        let mut npz = Npz::open(path)?;
        let source = path.display().to_string();
        let features = if npz.has("features_shape") {
            Some(Features::Sparse(npz.csr("features")?))
        } else if npz.has("features") {
            Some(Features::Dense(npz.dense("features")?))
        } else {
            None
        };
        let labels_arr = npz.optional("labels")?;
        let edge = npz.array("edge_index")?;
        edge.expect_ndim(2)?;
        if edge.shape[0] != 2 {
            return Err(edge.err("shape (2, E)", format!("{:?}", edge.shape)));
        }
        let mut masks = BTreeMap::new();
        for key in npz.keys().into_iter().filter(|k| k.ends_with("_mask")) {
            let arr = npz.array(&key)?;
            masks.insert(key.trim_end_matches("_mask").to_string(), arr.to_bool()?);
        }
        let num_nodes = features
            .as_ref()
            .map(Features::rows)
            .or(labels_arr.as_ref().map(|l| l.shape.iter().product()))
            .or(masks.values().next().map(Vec::len))
            .ok_or_else(|| {
                Error::input(
                    &source,
                    "archive",
                    "features, labels or a mask to fix the node count",
                    "none of them",
                )
            })?;
        let ids = edge.to_index(num_nodes, "node ids")?;
        let e = edge.shape[1];
        let labels = match labels_arr {
            Some(a) => Some(a.to_index(usize::MAX, "class ids")?),
            None => None,
        };
        let num_classes = labels
            .as_ref()
            .and_then(|l| l.iter().max())
            .map_or(0, |m| m + 1);
        let graph = GraphData {
            source,
            num_nodes,
            src: ids[..e].iter().map(|&v| v as u32).collect(),
            dst: ids[e..].iter().map(|&v| v as u32).collect(),
            features,
            labels,
            num_classes,
            masks,
        };
        graph.validate()?;
        Ok(graph)
    }
}
