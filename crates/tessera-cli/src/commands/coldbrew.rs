//! `tessera coldbrew`: Cold Brew cold-start node representations —
//! reproduce the paper's table, train on a user's graph, embed new nodes.

use crate::context::Context;
use crate::output::finish_reproduce;
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, Subcommand, ValueEnum};
use rand::seq::SliceRandom;
use std::path::{Path, PathBuf};
use tessera_coldbrew::{
    ColdBrewConfig, ColdBrewData, ColdBrewModel, GcnProtocol, NodeSplit, Selection, fit, reproduce,
};
use tessera_core::{BackendJob, Error, Report, Result, RunFolder, Seed};
use tessera_data::table::{ColumnType, TextFormat, read_table};
use tessera_data::{DenseMatrix, Npz, read_csr_npz, read_npy, write_npy_f32};
use tessera_graph::{Graph, NodeFeatures, SelfLoops};

/// Arguments of `tessera coldbrew`.
#[derive(Args, Debug)]
pub struct ColdbrewArgs {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Train every model of the paper's Table 3 and report isolation / tail / head / overall accuracy and the FCR.
    Reproduce(ReproduceArgs),
    /// Train teacher and student on your own graph and write a run folder with the student model.
    Train(TrainArgs),
    /// Embed and classify new nodes (no edges needed) with a trained model.
    Embed(EmbedArgs),
}

/// GCN baseline protocol on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Protocol {
    /// Trained and tested on the graph with the isolation edges removed.
    Cut,
    /// Trained on the full graph, tested after the isolation edges are removed.
    FullGraph,
    /// Both (rows `gcn` and `gcn-fullgraph`).
    Both,
}

/// Epoch selection on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum SelectionArg {
    /// The last epoch.
    Last,
    /// Best validation accuracy.
    Validation,
    /// Best test accuracy (the official code; parity only).
    Test,
}

#[derive(Args, Debug)]
struct ReproduceArgs {
    /// A graph dataset of the catalogue: cora, citeseer, amazon-photo, amazon-computers, coauthor-cs, ...
    #[arg(long, default_value = "cora")]
    dataset: String,
    /// Number of seeds (seed, seed+1, ...).
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// Which graph the GCN baseline is trained on.
    #[arg(long, value_enum, default_value = "both")]
    gcn_protocol: Protocol,
    /// Override the dataset's epoch selection.
    #[arg(long, value_enum)]
    selection: Option<SelectionArg>,
    /// Settings as JSON (fields of ColdBrewConfig; missing fields keep the dataset's defaults).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output run folder (default runs/coldbrew-<dataset>-seed<N>-<time>).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct TrainArgs {
    /// Edge list: CSV with header `src,dst`, or .npy / .npz holding a (2, E) integer array (`edge_index` in .npz).
    #[arg(long)]
    edges: PathBuf,
    /// Node features: dense .npy (N × d) or scipy CSR .npz.
    #[arg(long)]
    features: PathBuf,
    /// Class ids, .npy with N integers in 0..C.
    #[arg(long)]
    labels: PathBuf,
    /// Training nodes, .npy bool (or 0/1) with N entries (default: a seeded random 80 % of the nodes).
    #[arg(long)]
    train_mask: Option<PathBuf>,
    /// Settings as JSON (fields of ColdBrewConfig).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output run folder.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args, Debug)]
struct EmbedArgs {
    /// A run folder written by `tessera coldbrew train`.
    #[arg(long)]
    model: PathBuf,
    /// Features of the nodes to embed (same columns as in training): dense .npy or scipy CSR .npz.
    #[arg(long)]
    features: PathBuf,
    /// Output folder for embeddings.npy and scores.npy.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `tessera coldbrew ...`.
pub fn run(ctx: &Context, args: ColdbrewArgs) -> Result<()> {
    match args.command {
        Sub::Reproduce(a) => {
            let mut config =
                load_config(a.config.as_deref(), ColdBrewConfig::for_dataset(&a.dataset))?;
            if let Some(s) = a.selection {
                config.selection = match s {
                    SelectionArg::Last => Selection::Last,
                    SelectionArg::Validation => Selection::Validation,
                    SelectionArg::Test => Selection::Test,
                };
            }
            let protocol = match a.gcn_protocol {
                Protocol::Cut => GcnProtocol::Cut,
                Protocol::FullGraph => GcnProtocol::FullGraph,
                Protocol::Both => GcnProtocol::Both,
            };
            let report = reproduce_dataset(ctx, &a.dataset, &config, protocol, a.seeds)?;
            finish_reproduce(ctx, &report, &config, a.out).map(|_| ())
        }
        Sub::Train(a) => train(ctx, a),
        Sub::Embed(a) => embed(ctx, a),
    }
}

/// The fast single-seed Cora reproduction for `tessera demo`.
pub fn demo(ctx: &Context) -> Result<Report> {
    reproduce_dataset(
        ctx,
        "cora",
        &ColdBrewConfig::for_dataset("cora"),
        GcnProtocol::Both,
        1,
    )
}

fn reproduce_dataset(
    ctx: &Context,
    dataset: &str,
    config: &ColdBrewConfig,
    protocol: GcnProtocol,
    seeds: usize,
) -> Result<Report> {
    let graph = tessera_data::catalogue::load_graph(dataset, ctx.data_dir.as_deref())?;
    let split = NodeSplit::for_dataset(dataset);
    struct Job<'a> {
        graph: &'a tessera_data::GraphData,
        name: &'a str,
        split: NodeSplit,
        config: &'a ColdBrewConfig,
        protocol: GcnProtocol,
        seeds: usize,
        ctx: &'a Context,
    }
    impl BackendJob for Job<'_> {
        type Output = Report;
        fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Report> {
            let data =
                |seed: Seed| ColdBrewData::from_graph_data(self.name, self.graph, self.split, seed);
            reproduce::<B>(
                &data,
                self.config,
                self.protocol,
                self.ctx.seed,
                self.seeds,
                &device,
                &self.ctx.progress,
            )
        }
    }
    ctx.device.dispatch(Job {
        graph: &graph,
        name: dataset,
        split,
        config,
        protocol,
        seeds,
        ctx,
    })
}

fn load_config(path: Option<&Path>, base: ColdBrewConfig) -> Result<ColdBrewConfig> {
    let Some(path) = path else { return Ok(base) };
    let text = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    let mut value = serde_json::to_value(&base).map_err(|e| Error::Config(e.to_string()))?;
    let patch: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| Error::input(path.display(), "top level", "a JSON object", e.to_string()))?;
    let (Some(obj), Some(p)) = (value.as_object_mut(), patch.as_object()) else {
        return Err(Error::input(
            path.display(),
            "top level",
            "a JSON object",
            patch.to_string(),
        ));
    };
    obj.extend(p.clone());
    let config: ColdBrewConfig = serde_json::from_value(value).map_err(|e| {
        Error::input(
            path.display(),
            "settings",
            "fields of the Cold Brew configuration",
            e.to_string(),
        )
    })?;
    config.check()?;
    Ok(config)
}

/// Reads features: dense `.npy` or scipy CSR `.npz`; rows are L1-normalised (as in training).
fn read_features(path: &Path) -> Result<NodeFeatures> {
    let source = path.display().to_string();
    if path.extension().is_some_and(|e| e == "npz") {
        return NodeFeatures::from_csr(&read_csr_npz(path)?, true);
    }
    let arr = read_npy(path)?;
    arr.expect_ndim(2)?;
    let m = DenseMatrix::new(arr.shape[0], arr.shape[1], arr.to_f32()?)?;
    NodeFeatures::from_dense(&source, &m, true)
}

/// Reads an edge list: CSV `src,dst`, or a (2, E) array in `.npy` / `.npz` (`edge_index`).
fn read_edges(path: &Path) -> Result<(Vec<u32>, Vec<u32>)> {
    let source = path.display().to_string();
    let to_ids = |v: &[i64], what: &str| -> Result<Vec<u32>> {
        v.iter()
            .enumerate()
            .map(|(i, &x)| {
                u32::try_from(x).map_err(|_| {
                    Error::input(
                        &source,
                        format!("edge {i} ({what})"),
                        "a node id in 0..2^32",
                        x.to_string(),
                    )
                })
            })
            .collect()
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => {
            let t = read_table(
                path,
                &TextFormat::CSV,
                &[("src", ColumnType::I64), ("dst", ColumnType::I64)],
            )?;
            Ok((
                to_ids(t.i64s("src")?, "src")?,
                to_ids(t.i64s("dst")?, "dst")?,
            ))
        }
        Some("npy") | Some("npz") => {
            let arr = if path.extension().is_some_and(|e| e == "npz") {
                Npz::open(path)?.array("edge_index")?
            } else {
                read_npy(path)?
            };
            arr.expect_ndim(2)?;
            if arr.shape[0] != 2 {
                return Err(arr.err("shape (2, E)", format!("{:?}", arr.shape)));
            }
            let v = arr.to_i64()?;
            let e = arr.shape[1];
            Ok((to_ids(&v[..e], "src")?, to_ids(&v[e..], "dst")?))
        }
        other => Err(Error::input(
            &source,
            "file name",
            "an edge list ending in .csv, .npy or .npz",
            format!("{other:?}"),
        )),
    }
}

fn train(ctx: &Context, a: TrainArgs) -> Result<()> {
    let config = load_config(
        a.config.as_deref(),
        ColdBrewConfig {
            selection: Selection::Last,
            ..ColdBrewConfig::for_dataset("user")
        },
    )?;
    let x = read_features(&a.features)?;
    let n = x.rows();
    let (src, dst) = read_edges(&a.edges)?;
    let graph = Graph::from_edges(
        &a.edges.display().to_string(),
        n,
        &src,
        &dst,
        true,
        SelfLoops::Add,
    )?;
    let labels_arr = read_npy(&a.labels)?;
    let labels = labels_arr.to_index(usize::MAX, "class ids")?;
    if labels.len() != n {
        return Err(Error::input(
            a.labels.display(),
            "labels",
            format!(
                "{n} labels (one per feature row of {})",
                a.features.display()
            ),
            format!("{} labels", labels.len()),
        ));
    }
    let (train_ids, test) = match &a.train_mask {
        Some(p) => {
            let mask = read_npy(p)?.to_bool()?;
            if mask.len() != n {
                return Err(Error::input(
                    p.display(),
                    "train mask",
                    format!("{n} entries"),
                    format!("{} entries", mask.len()),
                ));
            }
            let train: Vec<usize> = (0..n).filter(|&i| mask[i]).collect();
            if train.is_empty() {
                return Err(Error::input(
                    p.display(),
                    "train mask",
                    "at least one training node",
                    "an empty train mask",
                ));
            }
            (train, (0..n).filter(|&i| !mask[i]).collect())
        }
        None => {
            let mut ids: Vec<usize> = (0..n).collect();
            ids.shuffle(&mut ctx.seed.rng("train-split"));
            let cut = (n * 4).div_ceil(5);
            let (mut tr, mut te) = (ids[..cut].to_vec(), ids[cut..].to_vec());
            tr.sort_unstable();
            te.sort_unstable();
            (tr, te)
        }
    };
    let data = ColdBrewData::new(
        "user graph",
        &a.edges.display().to_string(),
        graph,
        x,
        labels,
        train_ids,
        None,
        test,
    )?;
    let run = RunFolder::create(&a.out)?;
    struct Job<'a> {
        data: &'a ColdBrewData,
        config: &'a ColdBrewConfig,
        ctx: &'a Context,
        model_dir: PathBuf,
    }
    impl BackendJob for Job<'_> {
        type Output = Report;
        fn run<B: AutodiffBackend>(self, device: B::Device) -> Result<Report> {
            let fitted = fit::<B>(
                self.data,
                self.config,
                self.ctx.seed,
                &device,
                &self.ctx.progress,
            )?;
            fitted.model.save(&self.model_dir)?;
            let sets = tessera_coldbrew::EvalSets::new(
                &fitted.split,
                &self.data.test,
                self.data.graph.num_nodes(),
            );
            let mut report = Report::new("coldbrew", &self.data.name);
            for (name, nodes) in &sets.sets {
                if !nodes.is_empty() {
                    let acc = tessera_graph::classifier::accuracy_on(
                        &fitted.student_scores,
                        self.data.classes,
                        &self.data.labels,
                        nodes,
                    );
                    report.push_seeds("accuracy", name, "coldbrew-student", &[acc], None);
                }
            }
            Ok(report)
        }
    }
    let start = std::time::Instant::now();
    let mut report = ctx.device.dispatch(Job {
        data: &data,
        config: &config,
        ctx,
        model_dir: run.path().join("model"),
    })?;
    report.seconds = start.elapsed().as_secs_f64();
    run.write_config(&serde_json::json!({ "config": config, "seed": ctx.seed, "edges": a.edges, "features": a.features, "labels": a.labels, "train_mask": a.train_mask }))?;
    run.write_report(&report)?;
    let path = run.commit("coldbrew train", &ctx.device.to_string(), ctx.threads)?;
    if ctx.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
        ctx.progress.log(&format!("run folder: {}", path.display()));
    }
    Ok(())
}

fn embed(ctx: &Context, a: EmbedArgs) -> Result<()> {
    let x = read_features(&a.features)?;
    let device = Default::default();
    let model = ColdBrewModel::<tessera_core::backend::Cpu>::load(&a.model.join("model"), &device)?;
    if x.cols() != model.shape.d_in {
        return Err(Error::input(
            a.features.display(),
            "columns",
            format!("{} features (as in training)", model.shape.d_in),
            format!("{} columns", x.cols()),
        ));
    }
    let out = model.predict(&x, None)?;
    let run = RunFolder::create(&a.out)?;
    write_npy_f32(&run.file("embeddings.npy")?, &out.embeddings)?;
    write_npy_f32(&run.file("scores.npy")?, &out.scores)?;
    run.write_config(&serde_json::json!({ "model": a.model, "features": a.features }))?;
    let path = run.commit("coldbrew embed", "cpu", ctx.threads)?;
    let pred = tessera_core::metrics::argmax_rows(&out.scores.data, out.scores.cols);
    if ctx.json {
        println!(
            "{}",
            serde_json::json!({ "nodes": x.rows(), "embedding_dim": out.embeddings.cols, "classes": out.scores.cols, "predictions": pred, "out": path })
        );
    } else {
        println!(
            "embedded {} nodes ({} dims) and scored {} classes into {}",
            x.rows(),
            out.embeddings.cols,
            out.scores.cols,
            path.display()
        );
    }
    Ok(())
}
