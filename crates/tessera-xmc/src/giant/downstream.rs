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
            giant: GiantConfig::default(),
        }
    }
}

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

/// GIANT features once, then `mlp-raw`, `gcn-raw`, `sage-raw`, `mlp-giant`, `sage-giant`
/// (and `mlp-giant-linear` on the XR-Linear scores) over `config.seeds` splits.
pub fn reproduce(
    graph: &GraphData,
    dataset: &str,
    config: &DownstreamConfig,
    seed: Seed,
    progress: &Progress,
) -> Result<Report> {
    let start = Instant::now();
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
    let raw = NodeFeatures::from_features(&graph.source, raw_features, true)?;
    let neural = NodeFeatures::from_dense("giant features", &feats.neural, false)?;
    let linear = NodeFeatures::from_dense("giant linear features", &feats.linear, false)?;
    let g = Graph::from_edges(
        &graph.source,
        graph.num_nodes,
        &graph.src,
        &graph.dst,
        true,
        SelfLoops::Add,
    )?;
    let ops = GraphOps::new(&g)?;
    let runs: [(&str, Architecture, &NodeFeatures); 6] = [
        ("mlp-raw", Architecture::Mlp, &raw),
        ("gcn-raw", Architecture::Gcn, &raw),
        ("sage-raw", Architecture::Sage, &raw),
        ("mlp-giant", Architecture::Mlp, &neural),
        ("sage-giant", Architecture::Sage, &neural),
        ("mlp-giant-linear", Architecture::Mlp, &linear),
    ];
    let mut acc = vec![Vec::new(); runs.len()];
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
            let a = model.accuracies(&ops, x, &labels, &[&test])[0];
            progress.log(&format!(
                "giant {dataset} seed {s}: {name} test accuracy {a:.2}"
            ));
            acc[r].push(a);
        }
    }
    let mut report = Report::new("giant", dataset);
    for ((name, _, _), values) in runs.iter().zip(&acc) {
        report.push_seeds("accuracy", "test", name, values, None);
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
