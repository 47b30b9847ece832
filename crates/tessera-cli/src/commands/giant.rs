//! `tessera giant`: GIANT node features and the downstream reproduction.

use crate::context::Context;
use crate::output::finish_reproduce;
use clap::{Args, Subcommand};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tessera_core::{Error, Report, Result, RunFolder};
use tessera_data::{Features, GraphData, read_csr_npz, read_npy, write_npy_f32};
use tessera_xmc::giant::{DownstreamConfig, GiantConfig, GiantFeature, giant_features, reproduce};

/// Arguments of `tessera giant`.
#[derive(Args, Debug)]
pub struct GiantArgs {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Learn GIANT node features and write embeddings.npy (+ embeddings_linear.npy, model/).
    Features(FeaturesArgs),
    /// Node classification with raw vs GIANT features (random 60/20/20 splits, several seeds).
    Reproduce(ReproduceArgs),
}

#[derive(Args, Debug)]
struct FeaturesArgs {
    /// A graph dataset from the catalogue (e.g. coauthor-cs).
    #[arg(long, conflicts_with_all = ["edges", "features"])]
    dataset: Option<String>,
    /// Edge list .npy of shape (2, E), node ids in 0..N.
    #[arg(long, requires = "features")]
    edges: Option<PathBuf>,
    /// Node "text" as a scipy CSR .npz of counts (N rows).
    #[arg(long, requires = "edges")]
    features: Option<PathBuf>,
    /// Output run folder.
    #[arg(long)]
    out: PathBuf,
    /// Encoder epochs per level.
    #[arg(long, default_value_t = 5)]
    epochs_per_level: usize,
    /// The feature written as embeddings.npy: linear (XR-Linear multi-scale scores) or neural.
    #[arg(long, default_value = "linear")]
    primary: GiantFeature,
}

#[derive(Args, Debug)]
struct ReproduceArgs {
    /// A graph dataset with labels: amazon-computers, amazon-photo, coauthor-cs, ...
    #[arg(long)]
    dataset: String,
    /// Seeds (splits).
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// Full-batch epochs of each downstream classifier.
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// Encoder epochs per level.
    #[arg(long, default_value_t = 5)]
    epochs_per_level: usize,
    /// The feature of the `*-giant` rows: linear (XR-Linear multi-scale scores) or neural.
    #[arg(long, default_value = "linear")]
    primary: GiantFeature,
    /// Output run folder (default runs/giant-<dataset>-seed<N>-<time>).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `tessera giant ...`.
pub fn run(ctx: &Context, args: GiantArgs) -> Result<()> {
    match args.command {
        Sub::Features(a) => features(ctx, a),
        Sub::Reproduce(a) => {
            let graph = tessera_data::catalogue::load_graph(&a.dataset, ctx.data_dir.as_deref())?;
            let mut config = DownstreamConfig {
                seeds: a.seeds,
                epochs: a.epochs,
                ..DownstreamConfig::default()
            };
            config.giant.encoder.epochs_per_level = a.epochs_per_level;
            config.giant.primary = a.primary;
            let report = reproduce(&graph, &a.dataset, &config, ctx.seed, &ctx.progress)?;
            finish_reproduce(ctx, &report, &config, a.out).map(|_| ())
        }
    }
}

fn load_user_graph(edges: &Path, features: &Path) -> Result<GraphData> {
    let x = read_csr_npz(features)?;
    let e = read_npy(edges)?;
    e.expect_ndim(2)?;
    if e.shape[0] != 2 {
        return Err(Error::input(
            edges.display(),
            "shape",
            "(2, E)",
            format!("{:?}", e.shape),
        ));
    }
    let ids = e.to_index(x.rows, "node ids")?;
    let m = e.shape[1];
    let graph = GraphData {
        source: edges.display().to_string(),
        num_nodes: x.rows,
        src: ids[..m].iter().map(|&v| v as u32).collect(),
        dst: ids[m..].iter().map(|&v| v as u32).collect(),
        features: Some(Features::Sparse(x)),
        labels: None,
        num_classes: 0,
        masks: BTreeMap::new(),
    };
    graph.validate()?;
    Ok(graph)
}

fn features(ctx: &Context, a: FeaturesArgs) -> Result<()> {
    let graph = match (&a.dataset, &a.edges, &a.features) {
        (Some(name), _, _) => tessera_data::catalogue::load_graph(name, ctx.data_dir.as_deref())?,
        (None, Some(e), Some(f)) => load_user_graph(e, f)?,
        _ => {
            return Err(Error::Config(
                "give --dataset NAME, or --edges E.npy with --features X.npz".into(),
            ));
        }
    };
    let mut config = GiantConfig::default();
    config.encoder.epochs_per_level = a.epochs_per_level;
    config.primary = a.primary;
    let run = RunFolder::create(&a.out)?;
    let start = std::time::Instant::now();
    let f = giant_features(&graph, &config, ctx.seed, &ctx.progress)?;
    write_npy_f32(&run.file("embeddings.npy")?, f.get(config.primary))?;
    write_npy_f32(&run.file("embeddings_linear.npy")?, &f.linear)?;
    write_npy_f32(&run.file("embeddings_neural.npy")?, &f.neural)?;
    f.model.save(&run.path().join("model"))?;
    run.write_config(&json!({"seed": ctx.seed.0, "source": graph.source, "config": config}))?;
    let mut report = Report::new(
        "giant",
        a.dataset.clone().unwrap_or_else(|| graph.source.clone()),
    );
    report.push_seeds(
        "precision@1",
        "xmc-train-sample",
        "xr-linear",
        &[100.0 * f.train_metrics.precision[0]],
        None,
    );
    report.push_seeds(
        "precision@5",
        "xmc-train-sample",
        "xr-linear",
        &[100.0 * f.train_metrics.precision[4]],
        None,
    );
    report.seconds = start.elapsed().as_secs_f64();
    run.write_report(&report)?;
    let path = run.commit("giant features", &ctx.device.to_string(), ctx.threads)?;
    if ctx.json {
        println!(
            "{}",
            json!({"out": path, "primary": config.primary.name(), "neural": [f.neural.rows, f.neural.cols], "linear": [f.linear.rows, f.linear.cols], "seconds": report.seconds})
        );
    } else {
        println!(
            "GIANT features: {} × {} (neural), {} × {} (linear; embeddings.npy = {}) in {}",
            f.neural.rows,
            f.neural.cols,
            f.linear.rows,
            f.linear.cols,
            config.primary.name(),
            path.display()
        );
    }
    Ok(())
}

/// The demo setting (not the reproduction's): GIANT on amazon-photo, one seed, the
/// encoder one epoch per level, three downstream rows (`mlp-raw`, `gcn-raw`, `mlp-giant`)
/// with 100 epochs each (the reproduction uses 200).
pub fn demo(ctx: &Context) -> Result<Report> {
    let graph = tessera_data::catalogue::load_graph("amazon-photo", ctx.data_dir.as_deref())?;
    let mut config = DownstreamConfig {
        seeds: 1,
        epochs: 100,
        models: ["mlp-raw", "gcn-raw", "mlp-giant"]
            .map(String::from)
            .to_vec(),
        ..DownstreamConfig::default()
    };
    config.giant.encoder.epochs_per_level = 1;
    let mut report = reproduce(&graph, "amazon-photo", &config, ctx.seed, &ctx.progress)?;
    report.dataset = "amazon-photo (demo: 1 seed, 100 epochs)".into();
    Ok(report)
}
