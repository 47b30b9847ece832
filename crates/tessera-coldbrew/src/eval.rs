//! The paper's protocol: per-split accuracies of every model of Table 3,
//! label propagation, and the Feature Contribution Ratio.

use crate::config::ColdBrewConfig;
use crate::data::ColdBrewData;
use crate::train::{fit, selection_nodes};
use burn::tensor::backend::AutodiffBackend;
use std::time::Instant;
use tessera_core::{Progress, Report, Result, Seed};
use tessera_graph::classifier::accuracy_on;
use tessera_graph::{
    Architecture, ClassifierConfig, DegreeSplit, FitConfig, GraphOps, LpConfig, NodeModel,
    NodeTask, label_propagation, train_classifier,
};

/// Feature Contribution Ratio (in %) from the test accuracies of the best
/// GNN, the best feature-only MLP and the best label propagation.
pub fn fcr(z_gnn: f64, z_mlp: f64, z_lp: f64) -> f64 {
    let d_mlp = z_gnn - z_mlp;
    let d_lp = z_gnn - z_lp;
    if z_mlp <= z_gnn {
        d_lp / (d_mlp + d_lp) * 100.0
    } else {
        (1.0 + d_mlp.abs() / (d_mlp.abs() + d_lp)) * 100.0
    }
}

/// Which graph the GCN baseline is trained on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GcnProtocol {
    /// Trained and tested on the graph with the isolation edges removed (the spec).
    Cut,
    /// Trained on the full graph, tested after the isolation edges are removed (cold start).
    FullGraph,
    /// Report both (`gcn` and `gcn-fullgraph` rows).
    Both,
}

/// The four evaluation subsets: test nodes in isolation, tail, head, and all of them.
#[derive(Clone, Debug)]
pub struct EvalSets {
    /// (name, nodes) in report order.
    pub sets: Vec<(&'static str, Vec<usize>)>,
}

impl EvalSets {
    /// Intersects the split's subsets with the evaluation nodes `test`.
    pub fn new(split: &DegreeSplit, test: &[usize], nodes: usize) -> Self {
        let mut is_test = vec![false; nodes];
        test.iter().for_each(|&i| is_test[i] = true);
        let pick = |v: &[usize]| {
            v.iter()
                .copied()
                .filter(|&i| is_test[i])
                .collect::<Vec<_>>()
        };
        EvalSets {
            sets: vec![
                ("isolation", pick(&split.isolation)),
                ("tail", pick(&split.tail)),
                ("head", pick(&split.head)),
                ("overall", test.to_vec()),
            ],
        }
    }

    fn accuracies(&self, scores: &[f32], width: usize, labels: &[usize]) -> Vec<f64> {
        self.sets
            .iter()
            .map(|(_, nodes)| accuracy_on(scores, width, labels, nodes))
            .collect()
    }
}

/// Published accuracies (paper Table 3 and Table 2) for `(dataset, model, split)`.
pub fn published(dataset: &str, model: &str, split: &str) -> Option<f64> {
    let v = match (dataset, model, split) {
        ("cora", "gcn", "isolation") => 58.02,
        ("cora", "mlp", "isolation") => 68.40,
        ("cora", "sage", "isolation") => 66.02,
        ("cora", "coldbrew-teacher", "isolation") => 58.37,
        ("cora", "coldbrew-student", "isolation") => 69.62,
        ("cora", "gcn", "tail") => 84.54,
        ("cora", "coldbrew-teacher", "tail") => 84.66,
        ("cora", "coldbrew-student", "tail") => 71.80,
        ("cora", "gcn", "overall") => 84.89,
        ("cora", "coldbrew-teacher", "overall") => 86.96,
        ("cora", "coldbrew-student", "overall") => 72.36,
        ("cora", "lp", "overall") => 78.18,
        ("citeseer", "gcn", "isolation") => 47.09,
        ("citeseer", "mlp", "isolation") => 53.26,
        ("citeseer", "coldbrew-teacher", "isolation") => 47.78,
        ("citeseer", "coldbrew-student", "isolation") => 53.17,
        ("citeseer", "gcn", "tail") => 56.51,
        ("citeseer", "coldbrew-teacher", "tail") => 56.32,
        ("citeseer", "coldbrew-student", "tail") => 54.88,
        ("citeseer", "gcn", "overall") => 70.38,
        ("citeseer", "coldbrew-teacher", "overall") => 72.44,
        ("citeseer", "coldbrew-student", "overall") => 67.54,
        ("citeseer", "lp", "overall") => 45.00,
        _ => return None,
    };
    Some(v)
}

/// Published FCR inputs and value: (GNN, MLP, LP, FCR).
pub fn published_fcr(dataset: &str) -> Option<(f64, f64, f64, f64)> {
    match dataset {
        "cora" => Some((86.96, 69.02, 78.18, 32.86)),
        "citeseer" => Some((72.44, 56.59, 45.00, 63.39)),
        _ => None,
    }
}

/// Per-seed accuracies of one model on the four subsets.
type Runs = Vec<(String, Vec<Vec<f64>>)>;

fn record(runs: &mut Runs, model: &str, accs: Vec<f64>) {
    match runs.iter_mut().find(|(m, _)| m == model) {
        Some((_, v)) => v.push(accs),
        None => runs.push((model.to_string(), vec![accs])),
    }
}

/// Runs the paper's protocol for every seed (`seed.0 .. seed.0 + seeds`)
/// and returns the report: accuracy rows (model × split, mean ± std),
/// the FCR inputs and the FCR.
pub fn reproduce<B: AutodiffBackend>(
    data_for_seed: &dyn Fn(Seed) -> Result<ColdBrewData>,
    config: &ColdBrewConfig,
    gcn_protocol: GcnProtocol,
    seed: Seed,
    seeds: usize,
    device: &B::Device,
    progress: &Progress,
) -> Result<Report> {
    let start = Instant::now();
    let mut runs: Runs = Vec::new();
    let mut name = String::new();
    let mut alphas = Vec::new();
    for s in 0..seeds as u64 {
        let seed = Seed(seed.0 + s);
        let data = data_for_seed(seed)?;
        name = data.name.clone();
        progress.log(&format!("coldbrew {name}: seed {}", seed.0));
        let fitted = fit::<B>(&data, config, seed, device, progress)?;
        let n = data.graph.num_nodes();
        let sets = EvalSets::new(&fitted.split, &data.test, n);
        let labels = &data.labels;
        let c = data.classes;
        let teacher_scores =
            crate::model::to_host(fitted.teacher.logits(&fitted.cut_ops, &data.features));
        record(
            &mut runs,
            "coldbrew-teacher",
            sets.accuracies(&teacher_scores, c, labels),
        );
        record(
            &mut runs,
            "coldbrew-student",
            sets.accuracies(&fitted.student_scores, c, labels),
        );
        alphas.push(fitted.model.alphas());

        let full_ops = GraphOps::new(&data.graph)?;
        let select = selection_nodes(&data, config.selection)?;
        let gnn_fit = FitConfig {
            epochs: config.teacher_epochs,
            lr: config.lr,
            weight_decay: config.weight_decay,
            input_dropout: config.dropout,
            resample: false,
        };
        let gnn = |arch| ClassifierConfig {
            architecture: arch,
            hidden: config.hidden,
            layers: config.layers,
            dropout: config.dropout,
            fit: gnn_fit.clone(),
            logit_dropout: config.quirks.logit_dropout && arch == Architecture::Gcn,
        };
        let task = |ops| NodeTask {
            ops,
            features: &data.features,
            labels,
            classes: c,
            train: &data.train,
            select,
        };
        if gcn_protocol != GcnProtocol::FullGraph {
            let m = train_classifier::<B>(
                &task(&fitted.cut_ops),
                &gnn(Architecture::Gcn),
                seed,
                device,
                progress,
            )?;
            let (scores, w) = m.scores(&fitted.cut_ops, &data.features);
            record(&mut runs, "gcn", sets.accuracies(&scores, w, labels));
        }
        if gcn_protocol != GcnProtocol::Cut {
            let m = train_classifier::<B>(
                &task(&full_ops),
                &gnn(Architecture::Gcn),
                seed,
                device,
                progress,
            )?;
            let (scores, w) = m.scores(&fitted.cut_ops, &data.features);
            record(
                &mut runs,
                "gcn-fullgraph",
                sets.accuracies(&scores, w, labels),
            );
        }
        let sage = train_classifier::<B>(
            &task(&fitted.cut_ops),
            &gnn(Architecture::Sage),
            seed,
            device,
            progress,
        )?;
        let (scores, w) = sage.scores(&fitted.cut_ops, &data.features);
        record(&mut runs, "sage", sets.accuracies(&scores, w, labels));

        let mlp_cfg = ClassifierConfig {
            architecture: Architecture::Mlp,
            hidden: config.mlp_hidden,
            layers: 3,
            dropout: config.student_dropout,
            fit: FitConfig {
                epochs: config.student_epochs,
                lr: config.lr,
                weight_decay: config.weight_decay,
                input_dropout: 0.0,
                resample: config.quirks.resample,
            },
            logit_dropout: false,
        };
        let mlp = train_classifier::<B>(&task(&fitted.cut_ops), &mlp_cfg, seed, device, progress)?;
        let (scores, w) = mlp.scores(&fitted.cut_ops, &data.features);
        record(&mut runs, "mlp", sets.accuracies(&scores, w, labels));

        let lp = label_propagation(&full_ops.gcn, labels, c, &data.train, config.lp);
        record(&mut runs, "lp", sets.accuracies(&lp, c, labels));
    }
    Ok(build_report(
        &name,
        &runs,
        &alphas,
        config.lp,
        start.elapsed().as_secs_f64(),
    ))
}

fn build_report(
    dataset: &str,
    runs: &Runs,
    alphas: &[(f32, f32)],
    lp: LpConfig,
    seconds: f64,
) -> Report {
    let mut report = Report::new("coldbrew", dataset);
    let split_names = ["isolation", "tail", "head", "overall"];
    for (model, per_seed) in runs {
        for (k, split) in split_names.iter().enumerate() {
            let values: Vec<f64> = per_seed.iter().map(|a| a[k]).collect();
            report.push_seeds(
                "accuracy",
                split,
                model,
                &values,
                published(dataset, model, split),
            );
        }
    }
    let overall = |model: &str| -> Vec<f64> {
        runs.iter()
            .find(|(m, _)| m == model)
            .map(|(_, v)| v.iter().map(|a| a[3]).collect())
            .unwrap_or_default()
    };
    let (gnn, mlp, lpv) = (overall("coldbrew-teacher"), overall("mlp"), overall("lp"));
    let pubs = published_fcr(dataset);
    report.push_seeds("fcr-input", "overall", "gnn", &gnn, pubs.map(|p| p.0));
    report.push_seeds("fcr-input", "overall", "mlp", &mlp, pubs.map(|p| p.1));
    report.push_seeds(
        "fcr-input",
        "overall",
        &format!("lp(alpha={},steps={})", lp.alpha, lp.steps),
        &lpv,
        pubs.map(|p| p.2),
    );
    let values: Vec<f64> = gnn
        .iter()
        .zip(&mlp)
        .zip(&lpv)
        .map(|((g, m), l)| fcr(*g, *m, *l))
        .collect();
    report.push_seeds("fcr", "overall", "coldbrew", &values, pubs.map(|p| p.3));
    let a0: Vec<f64> = alphas.iter().map(|a| f64::from(a.0)).collect();
    let a1: Vec<f64> = alphas.iter().map(|a| f64::from(a.1)).collect();
    report.push_seeds("alpha0", "train", "coldbrew-student", &a0, None);
    report.push_seeds("alpha1", "train", "coldbrew-student", &a1, None);
    report.seconds = seconds;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fcr_matches_the_paper() {
        assert!(
            (fcr(86.96, 69.02, 78.18) - 32.86).abs() < 0.005,
            "{}",
            fcr(86.96, 69.02, 78.18)
        );
        assert!(
            (fcr(72.44, 56.59, 45.00) - 63.39).abs() < 0.005,
            "{}",
            fcr(72.44, 56.59, 45.00)
        );
        assert!(
            (fcr(31.95, 38.51, 22.85) - 141.9).abs() < 0.05,
            "{}",
            fcr(31.95, 38.51, 22.85)
        );
    }
}
