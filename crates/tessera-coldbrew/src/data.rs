//! [`ColdBrewData`]: a validated node-classification graph and its node split.

use rand::seq::SliceRandom;
use tessera_core::{Error, Result, Seed};
use tessera_data::GraphData;
use tessera_graph::{Graph, NodeFeatures, SelfLoops};

/// How training / validation / test nodes are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeSplit {
    /// Node ids `< n` train, the rest test (the official Cora protocol, n = 600).
    FirstIds(usize),
    /// The archive's `train` / `val` / `test` masks (Planetoid public split).
    Masks,
    /// Per class, `train` random training and `val` validation nodes; the rest test.
    PerClass {
        /// Training nodes per class.
        train: usize,
        /// Validation nodes per class.
        val: usize,
    },
}

impl NodeSplit {
    /// The protocol of the paper (Cora, CiteSeer, PubMed) or 20 / 30 per class elsewhere.
    pub fn for_dataset(name: &str) -> Self {
        match name {
            "cora" => NodeSplit::FirstIds(600),
            "citeseer" | "pubmed" => NodeSplit::Masks,
            _ => NodeSplit::PerClass { train: 20, val: 30 },
        }
    }
}

/// A graph with features, labels and a node split, checked for consistency.
#[derive(Clone, Debug)]
pub struct ColdBrewData {
    /// Dataset name or file, for reports and messages.
    pub name: String,
    /// The undirected graph with self-loops.
    pub graph: Graph,
    /// Node features (row-normalised when built from a dataset).
    pub features: NodeFeatures,
    /// Class per node.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
    /// Training nodes.
    pub train: Vec<usize>,
    /// Validation nodes, if the split has them.
    pub val: Option<Vec<usize>>,
    /// Evaluation nodes (never training nodes; CiteSeer placeholders excluded).
    pub test: Vec<usize>,
}

impl ColdBrewData {
    /// Checks row counts, the train set and that the graph has edges.
    ///
    /// `source` names the input for messages.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        name: &str,
        source: &str,
        graph: Graph,
        features: NodeFeatures,
        labels: Vec<usize>,
        train: Vec<usize>,
        val: Option<Vec<usize>>,
        test: Vec<usize>,
    ) -> Result<Self> {
        let n = graph.num_nodes();
        if features.rows() != n {
            return Err(Error::input(
                source,
                "features",
                format!("{n} rows (one per graph node)"),
                format!("{} rows", features.rows()),
            ));
        }
        if labels.len() != n {
            return Err(Error::input(
                source,
                "labels",
                format!("{n} labels (one per feature row)"),
                format!("{} labels", labels.len()),
            ));
        }
        if train.is_empty() {
            return Err(Error::input(
                source,
                "train mask",
                "at least one training node",
                "an empty train mask",
            ));
        }
        if let Some(&bad) = train
            .iter()
            .chain(&test)
            .chain(val.iter().flatten())
            .find(|&&i| i >= n)
        {
            return Err(Error::input(
                source,
                "node split",
                format!("node ids < {n}"),
                bad.to_string(),
            ));
        }
        let real_edges = (0..n)
            .map(|i| {
                graph
                    .neighbors(i)
                    .iter()
                    .filter(|&&j| j as usize != i)
                    .count()
            })
            .sum::<usize>();
        if real_edges == 0 {
            return Err(Error::input(
                source,
                "edges",
                "at least one edge between two distinct nodes",
                "an isolated-only graph (no edges)",
            ));
        }
        let classes = labels.iter().max().map_or(0, |m| m + 1);
        Ok(ColdBrewData {
            name: name.into(),
            graph,
            features,
            labels,
            classes,
            train,
            val,
            test,
        })
    }

    /// Builds the data of a catalogue graph under `split` (`seed` draws per-class splits).
    pub fn from_graph_data(
        name: &str,
        g: &GraphData,
        split: NodeSplit,
        seed: Seed,
    ) -> Result<Self> {
        let src = &g.source;
        let features = g.features.as_ref().ok_or_else(|| {
            Error::input(
                src,
                "features",
                "node features",
                "none (this archive has no features)",
            )
        })?;
        let labels = g
            .labels
            .clone()
            .ok_or_else(|| Error::input(src, "labels", "a label per node", "no `labels` array"))?;
        let graph = Graph::from_edges(src, g.num_nodes, &g.src, &g.dst, true, SelfLoops::Add)?;
        let x = NodeFeatures::from_features(src, features, true)?;
        let placeholder = g.masks.get("placeholder");
        let keep = |i: &usize| placeholder.is_none_or(|m| !m[*i]);
        let (train, val, test) = match split {
            NodeSplit::FirstIds(k) => (
                (0..k.min(g.num_nodes)).collect(),
                None,
                (k..g.num_nodes).filter(keep).collect(),
            ),
            NodeSplit::Masks => (
                g.mask_indices("train")?,
                Some(g.mask_indices("val")?),
                g.mask_indices("test")?.into_iter().filter(keep).collect(),
            ),
            NodeSplit::PerClass { train, val } => per_class(&labels, train, val, seed),
        };
        Self::new(name, src, graph, x, labels, train, val, test)
    }
}

fn per_class(
    labels: &[usize],
    train: usize,
    val: usize,
    seed: Seed,
) -> (Vec<usize>, Option<Vec<usize>>, Vec<usize>) {
    let classes = labels.iter().max().map_or(0, |m| m + 1);
    let mut rng = seed.rng("node-split");
    let (mut tr, mut va) = (Vec::new(), Vec::new());
    for c in 0..classes {
        let mut ids: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == c).collect();
        ids.shuffle(&mut rng);
        tr.extend(ids.iter().take(train));
        va.extend(ids.iter().skip(train).take(val));
    }
    let mut used = vec![false; labels.len()];
    tr.iter().chain(&va).for_each(|&i| used[i] = true);
    let test = (0..labels.len()).filter(|&i| !used[i]).collect();
    tr.sort_unstable();
    va.sort_unstable();
    (tr, Some(va), test)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_data::DenseMatrix;

    fn feats(n: usize) -> NodeFeatures {
        NodeFeatures::from_dense(
            "x",
            &DenseMatrix::new(n, 2, vec![1.0; 2 * n]).unwrap(),
            true,
        )
        .unwrap()
    }

    #[test]
    fn bad_inputs_are_clear_errors() {
        let g = Graph::from_edges("e", 3, &[0], &[1], true, SelfLoops::Add).unwrap();
        let e = ColdBrewData::new(
            "d",
            "labels.npy",
            g.clone(),
            feats(3),
            vec![0, 1],
            vec![0],
            None,
            vec![1],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("labels.npy") && e.contains("3 labels") && e.contains("found 2 labels"),
            "{e}"
        );
        let e = ColdBrewData::new(
            "d",
            "mask.npy",
            g.clone(),
            feats(3),
            vec![0, 1, 0],
            vec![],
            None,
            vec![1],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("empty train mask"), "{e}");
        let lonely = Graph::from_edges("e", 3, &[], &[], true, SelfLoops::Add).unwrap();
        let e = ColdBrewData::new(
            "d",
            "edges.csv",
            lonely,
            feats(3),
            vec![0, 1, 0],
            vec![0],
            None,
            vec![1],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("isolated-only"), "{e}");
        let e = ColdBrewData::new(
            "d",
            "x.npy",
            g,
            feats(4),
            vec![0, 1, 0],
            vec![0],
            None,
            vec![1],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("3 rows") && e.contains("4 rows"), "{e}");
    }

    #[test]
    fn per_class_split_is_disjoint_and_seeded() {
        let labels: Vec<usize> = (0..60).map(|i| i % 3).collect();
        let (tr, va, te) = per_class(&labels, 5, 3, Seed(1));
        assert_eq!(
            (tr.len(), va.as_ref().unwrap().len(), te.len()),
            (15, 9, 36)
        );
        assert_eq!(per_class(&labels, 5, 3, Seed(1)).0, tr);
        assert_ne!(per_class(&labels, 5, 3, Seed(2)).0, tr);
    }
}
