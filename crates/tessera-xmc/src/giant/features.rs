//! The neighbourhood-prediction XMC problem and the two GIANT feature sets.

use super::config::{GiantConfig, GiantFeature};
use super::encoder::train_encoder;
use crate::problem::XmcProblem;
use crate::sparse::{from_rows, select_rows};
use crate::tfidf::Tfidf;
use crate::train::fit;
use crate::{XLinearModel, XmcMetrics};
use tessera_core::{Error, Progress, Result, Seed};
use tessera_data::{CsrMatrix, DenseMatrix, Features, GraphData};

/// GIANT's XMC problem on a graph.
#[derive(Clone, Debug)]
pub struct NeighbourhoodProblem {
    /// TF-IDF features of every node (row i = node i).
    pub x: CsrMatrix,
    /// Undirected adjacency without self loops (row i = neighbours of node i).
    pub adjacency: CsrMatrix,
    /// Nodes used as training rows (`0 < degree < max_degree`), increasing.
    pub train_rows: Vec<usize>,
}

impl NeighbourhoodProblem {
    /// The training rows as an [`XmcProblem`].
    pub fn training(&self) -> Result<XmcProblem> {
        XmcProblem::new(
            select_rows(&self.x, &self.train_rows),
            select_rows(&self.adjacency, &self.train_rows),
            "node features",
            "adjacency",
        )
    }
}

/// Builds the problem: TF-IDF of the node features, labels = undirected neighbours.
pub fn neighbourhood_problem(
    graph: &GraphData,
    config: &GiantConfig,
) -> Result<NeighbourhoodProblem> {
    graph.validate()?;
    let counts = match &graph.features {
        Some(Features::Sparse(m)) => m.clone(),
        Some(Features::Dense(m)) => dense_to_csr(m),
        None => {
            return Err(Error::input(
                &graph.source,
                "features",
                "node features (the node text)",
                "none",
            ));
        }
    };
    let x = Tfidf::fit(&counts, &config.tfidf)?.transform(&counts)?;
    let n = graph.num_nodes;
    let mut nbrs: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (&s, &d) in graph.src.iter().zip(&graph.dst) {
        if s != d {
            nbrs[s as usize].push(d);
            nbrs[d as usize].push(s);
        }
    }
    let rows: Vec<(Vec<u32>, Vec<f32>)> = nbrs
        .into_iter()
        .map(|mut v| {
            v.sort_unstable();
            v.dedup();
            let ones = vec![1.0; v.len()];
            (v, ones)
        })
        .collect();
    let adjacency = from_rows(n, rows);
    let train_rows: Vec<usize> = (0..n)
        .filter(|&i| {
            let deg = adjacency.indptr[i + 1] - adjacency.indptr[i];
            deg > 0 && deg < config.max_degree
        })
        .collect();
    if train_rows.is_empty() {
        return Err(Error::input(
            &graph.source,
            "edge_index",
            "at least one node with 0 < degree < max_degree",
            "no such node",
        ));
    }
    Ok(NeighbourhoodProblem {
        x,
        adjacency,
        train_rows,
    })
}

fn dense_to_csr(m: &DenseMatrix) -> CsrMatrix {
    from_rows(
        m.cols,
        (0..m.rows)
            .map(|r| {
                m.row(r)
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(c, &v)| (c as u32, v))
                    .unzip()
            })
            .collect(),
    )
}

/// GIANT features of every node, in node order.
#[derive(Clone, Debug)]
pub struct GiantFeatures {
    /// The fine-tuned encoder's tanh output (`N × encoder.out`): the GIANT feature.
    pub neural: DenseMatrix,
    /// XR-Linear multi-scale cluster scores of the levels the encoder was trained on.
    pub linear: DenseMatrix,
    /// The XR-Linear neighbourhood predictor.
    pub model: XLinearModel,
    /// Its precision/recall on its own training rows (a sanity check, not a held-out score).
    pub train_metrics: XmcMetrics,
}

impl GiantFeatures {
    /// The feature set `kind`.
    pub fn get(&self, kind: GiantFeature) -> &DenseMatrix {
        match kind {
            GiantFeature::Linear => &self.linear,
            GiantFeature::Neural => &self.neural,
        }
    }
}

/// Runs the GIANT pipeline on a graph.
pub fn giant_features(
    graph: &GraphData,
    config: &GiantConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<GiantFeatures> {
    config.check()?;
    let problem = neighbourhood_problem(graph, config)?;
    let training = problem.training()?;
    progress.log(&format!(
        "giant: {} training rows of {} nodes, {} TF-IDF features",
        training.x.rows, graph.num_nodes, training.x.cols
    ));
    let model = fit(&training, &config.xlinear, seed, progress)?;
    let sample: Vec<usize> = (0..training.x.rows.min(2000)).collect();
    let pred = model.predict(&select_rows(&training.x, &sample))?;
    let train_metrics = crate::evaluate(&pred, &select_rows(&training.y, &sample), 5);
    let levels: Vec<usize> = (0..model.levels.len())
        .filter(|&t| model.levels[t].clusters.len() <= config.encoder.max_level_clusters)
        .collect();
    let upto = levels.last().map_or(1, |&t| t + 1);
    let linear = model.multiscale_scores(&problem.x, upto)?;
    let neural = train_encoder(
        &problem,
        &training,
        &model,
        &levels,
        &config.encoder,
        seed,
        progress,
    )?;
    Ok(GiantFeatures {
        neural,
        linear,
        model,
        train_metrics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn problem_is_undirected_without_self_loops_and_caps_degree() {
        let counts = CsrMatrix::new(
            "f",
            4,
            2,
            vec![0, 1, 2, 3, 4],
            vec![0, 1, 0, 1],
            vec![1.0; 4],
        )
        .unwrap();
        let graph = GraphData {
            source: "toy".into(),
            num_nodes: 4,
            src: vec![0, 0, 1, 2],
            dst: vec![1, 2, 1, 0],
            features: Some(Features::Sparse(counts)),
            labels: None,
            num_classes: 0,
            masks: BTreeMap::new(),
        };
        let cfg = GiantConfig {
            max_degree: 2,
            ..GiantConfig::default()
        };
        let p = neighbourhood_problem(&graph, &cfg).unwrap();
        assert_eq!(p.adjacency.row(0).0, &[1, 2]);
        assert_eq!(p.adjacency.row(1).0, &[0]);
        assert_eq!(p.adjacency.row(2).0, &[0]);
        assert!(p.adjacency.row(3).0.is_empty());
        // node 0 has degree 2 = max_degree, node 3 is edgeless: neither trains.
        assert_eq!(p.train_rows, vec![1, 2]);
        let no_features = GraphData {
            features: None,
            ..graph
        };
        assert!(
            neighbourhood_problem(&no_features, &cfg)
                .unwrap_err()
                .to_string()
                .contains("node features")
        );
    }
}
