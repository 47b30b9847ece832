//! The downstream protocol: node classification with raw vs GIANT features.
//!
//! Random 60/20/20 node split per seed, the same classifier settings and budget for
//! every feature set, the epoch with the best validation accuracy is kept, test
//! accuracy (%) is reported as mean ± std over seeds.

use super::config::GiantConfig;
use super::features::giant_features;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use tessera_core::backend::CpuAutodiff;
use tessera_core::{Error, Progress, Report, Result, Seed};
use tessera_data::GraphData;
use tessera_graph::{
    Architecture, ClassifierConfig, Graph, GraphOps, NodeFeatures, NodeTask, SelfLoops,
    train_classifier,
};

/// Settings of [`reproduce`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DownstreamConfig {
    /// Number of seeds (splits and initialisations).
    pub seeds: usize,
    /// Hidden width of every classifier.
    pub hidden: usize,
    /// Layers of every classifier.
    pub layers: usize,
    /// Full-batch epochs.
    pub epochs: usize,
    /// The rows to run, a subset of [`MODELS`] (all by default).
    pub models: Vec<String>,
    /// The GIANT feature pipeline.
    pub giant: GiantConfig,
}

impl Default for DownstreamConfig {
    fn default() -> Self {
        DownstreamConfig {
            seeds: 5,
            hidden: 64,
            layers: 2,
            epochs: 100,
            models: MODELS.iter().map(|m| m.to_string()).collect(),
            giant: GiantConfig::default(),
        }
    }
}

/// Every downstream row: `*-giant` use the primary GIANT feature, `mlp-giant-other`
/// the other one (the linear scores when the primary is neural, and vice versa).
pub const MODELS: [&str; 6] = [
    "mlp-raw",
    "gcn-raw",
    "sage-raw",
    "mlp-giant",
    "sage-giant",
    "mlp-giant-other",
];

/// Random 60/20/20 split of `n` nodes for seed `seed`.
pub fn random_split(n: usize, seed: Seed) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let mut perm: Vec<usize> = (0..n).collect();
    perm.shuffle(&mut seed.rng("giant-split"));
    let (a, b) = (n * 6 / 10, n * 8 / 10);
    let mut parts = [perm[..a].to_vec(), perm[a..b].to_vec(), perm[b..].to_vec()];
    parts.iter_mut().for_each(|p| p.sort_unstable());
    let [train, val, test] = parts;
    (train, val, test)
}

/// GIANT features once, then the rows of `config.models` over `config.seeds` splits.
///
/// Reports validation and test accuracy (%) of every row; `mlp-giant-other` is
/// reported under the other feature's name (`mlp-giant-linear` or `mlp-giant-neural`).
pub fn reproduce(
    graph: &GraphData,
    dataset: &str,
    config: &DownstreamConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<Report> {
    let start = Instant::now();
    if let Some(bad) = config.models.iter().find(|m| !MODELS.contains(&m.as_str())) {
        return Err(Error::Config(format!(
            "giant: unknown downstream model `{bad}` (expected one of {MODELS:?})"
        )));
    }
    let labels = graph.labels.clone().ok_or_else(|| {
        Error::input(
            &graph.source,
            "labels",
            "class labels for node classification",
            "none",
        )
    })?;
    let raw_features = graph
        .features
        .as_ref()
        .ok_or_else(|| Error::input(&graph.source, "features", "node features", "none"))?;
    let feats = giant_features(graph, &config.giant, seed, progress)?;
    let primary = config.giant.primary;
    let raw = NodeFeatures::from_features(&graph.source, raw_features, true)?;
    let main = NodeFeatures::from_dense("giant features", feats.get(primary), false)?;
    let other = NodeFeatures::from_dense("giant features", feats.get(primary.other()), false)?;
    let g = Graph::from_edges(
        &graph.source,
        graph.num_nodes,
        &graph.src,
        &graph.dst,
        true,
        SelfLoops::Add,
    )?;
    let ops = GraphOps::new(&g)?;
    let other_name = format!("mlp-giant-{}", primary.other().name());
    let runs: Vec<(String, Architecture, &NodeFeatures)> = config
        .models
        .iter()
        .map(|m| match m.as_str() {
            "mlp-raw" => (m.clone(), Architecture::Mlp, &raw),
            "gcn-raw" => (m.clone(), Architecture::Gcn, &raw),
            "sage-raw" => (m.clone(), Architecture::Sage, &raw),
            "mlp-giant" => (m.clone(), Architecture::Mlp, &main),
            "sage-giant" => (m.clone(), Architecture::Sage, &main),
            _ => (other_name.clone(), Architecture::Mlp, &other),
        })
        .collect();
    let (mut val_acc, mut test_acc) = (vec![Vec::new(); runs.len()], vec![Vec::new(); runs.len()]);
    for s in 0..config.seeds {
        let split_seed = seed.child(s as u64);
        let (train, val, test) = random_split(graph.num_nodes, split_seed);
        for (r, (name, arch, x)) in runs.iter().enumerate() {
            let mut cc = ClassifierConfig::new(*arch);
            cc.hidden = config.hidden;
            cc.layers = config.layers;
            cc.fit.epochs = config.epochs;
            let task = NodeTask {
                ops: &ops,
                features: x,
                labels: &labels,
                classes: graph.num_classes,
                train: &train,
                select: Some(&val),
            };
            let model = train_classifier::<CpuAutodiff>(
                &task,
                &cc,
                split_seed,
                &Default::default(),
                &Progress::hidden(),
            )?;
            let acc = model.accuracies(&ops, x, &labels, &[&val, &test]);
            progress.log(&format!(
                "giant {dataset} seed {s}: {name} val {:.2} test {:.2}",
                acc[0], acc[1]
            ));
            val_acc[r].push(acc[0]);
            test_acc[r].push(acc[1]);
        }
    }
    let mut report = Report::new("giant", dataset);
    for (((name, _, _), val), test) in runs.iter().zip(&val_acc).zip(&test_acc) {
        report.push_seeds("accuracy", "test", name, test, None);
        report.push_seeds("accuracy", "val", name, val, None);
    }
    report.push_seeds(
        "precision@1",
        "xmc-train-sample",
        "xr-linear",
        &[100.0 * feats.train_metrics.precision[0]],
        None,
    );
    report.seconds = start.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_a_seeded_partition() {
        let (a, b, c) = random_split(100, Seed(1));
        assert_eq!((a.len(), b.len(), c.len()), (60, 20, 20));
        let mut all: Vec<usize> = a.iter().chain(&b).chain(&c).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(random_split(100, Seed(1)), (a, b, c));
        assert_ne!(random_split(100, Seed(2)).0, random_split(100, Seed(1)).0);
    }
}
