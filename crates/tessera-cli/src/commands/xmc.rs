//! `tessera xmc`: XR-Linear on user XMC data (PECOS-style CSR `.npz` files).

use crate::context::Context;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;
use tessera_core::{Result, RunFolder};
use tessera_data::{read_csr_npz, read_npy, write_csr_npz};
use tessera_xmc::{
    Negatives, PredictConfig, XLinearConfig, XLinearModel, XmcProblem, drop_own_label, evaluate,
    fit,
};

/// Arguments of `tessera xmc`.
#[derive(Args, Debug)]
pub struct XmcArgs {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Train XR-Linear on X.npz / Y.npz and write the model into a run folder.
    Train(TrainArgs),
    /// Write the top labels of every row of X.npz as a CSR .npz of scores.
    Predict(PredictArgs),
    /// precision@k and recall@k of a model on X.npz / Y.npz, with per-query latency.
    Evaluate(EvaluateArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum NegativesArg {
    /// Teacher-forced negatives (PECOS default).
    Tfn,
    /// Teacher-forced plus matcher-aware negatives.
    TfnMan,
}

#[derive(Args, Debug)]
struct TrainArgs {
    /// Instance features: scipy CSR .npz (float32).
    #[arg(long)]
    x: PathBuf,
    /// Label matrix: scipy CSR .npz, same rows as X.
    #[arg(long)]
    y: PathBuf,
    /// Output run folder (the model goes to OUT/model).
    #[arg(long)]
    out: PathBuf,
    /// Out-degree of the label tree.
    #[arg(long, default_value_t = 16)]
    nr_splits: usize,
    /// Largest leaf cluster.
    #[arg(long, default_value_t = 100)]
    max_leaf_size: usize,
    /// Drop weights with |w| below this.
    #[arg(long, default_value_t = 0.1)]
    threshold: f32,
    /// Negative sampling.
    #[arg(long, value_enum, default_value = "tfn")]
    negatives: NegativesArg,
    /// Beam width used by later predictions.
    #[arg(long, default_value_t = 10)]
    beam_size: usize,
    /// Labels returned by later predictions.
    #[arg(long, default_value_t = 20)]
    only_topk: usize,
}

#[derive(Args, Debug)]
struct PredictArgs {
    /// A model folder (a run folder or its `model/`).
    #[arg(long)]
    model: PathBuf,
    /// Instance features: scipy CSR .npz.
    #[arg(long)]
    x: PathBuf,
    /// Output CSR .npz of scores (rows = instances, columns = labels).
    #[arg(long)]
    out: PathBuf,
    /// Beam width (default: the model's).
    #[arg(long)]
    beam_size: Option<usize>,
    /// Labels per row (default: the model's).
    #[arg(long)]
    only_topk: Option<usize>,
}

#[derive(Args, Debug)]
struct EvaluateArgs {
    /// A model folder (a run folder or its `model/`).
    #[arg(long)]
    model: PathBuf,
    /// Instance features: scipy CSR .npz.
    #[arg(long)]
    x: PathBuf,
    /// True labels: scipy CSR .npz.
    #[arg(long)]
    y: PathBuf,
    /// Largest k reported.
    #[arg(short, long, default_value_t = 5)]
    k: usize,
    /// Beam width (default: the model's).
    #[arg(long)]
    beam_size: Option<usize>,
    /// Optional .npy of one label id per row to remove from that row's ranking (a node's own id).
    #[arg(long)]
    own_ids: Option<PathBuf>,
}

/// Runs `tessera xmc ...`.
pub fn run(ctx: &Context, args: XmcArgs) -> Result<()> {
    match args.command {
        Sub::Train(a) => train(ctx, a),
        Sub::Predict(a) => predict(ctx, a),
        Sub::Evaluate(a) => evaluate_cmd(ctx, a),
    }
}

fn train(ctx: &Context, a: TrainArgs) -> Result<()> {
    let mut config = XLinearConfig::default();
    config.tree.nr_splits = a.nr_splits;
    config.tree.max_leaf_size = a.max_leaf_size;
    config.solver.threshold = a.threshold;
    config.negatives = match a.negatives {
        NegativesArg::Tfn => Negatives::Tfn,
        NegativesArg::TfnMan => Negatives::TfnMan,
    };
    config.predict.beam_size = a.beam_size;
    config.predict.only_topk = a.only_topk;
    config.check()?;
    let run = RunFolder::create(&a.out)?;
    let start = Instant::now();
    let problem = XmcProblem::load(&a.x, &a.y)?;
    let loaded = start.elapsed().as_secs_f64();
    let model = fit(&problem, &config, ctx.seed, &ctx.progress)?;
    let seconds = start.elapsed().as_secs_f64();
    model.save(&run.path().join("model"))?;
    let summary = json!({
        "seconds": seconds,
        "load_seconds": loaded,
        "instances": problem.x.rows,
        "features": problem.x.cols,
        "labels": problem.y.cols,
        "level_sizes": model.levels.iter().map(|l| l.clusters.len()).collect::<Vec<_>>(),
        "weight_nnz": model.levels.iter().map(|l| l.weights.nnz()).sum::<usize>(),
        "seed": ctx.seed.0,
        "config": config,
    });
    run.write_config(&summary)?;
    let path = run.commit("xmc train", &ctx.device.to_string(), ctx.threads)?;
    if ctx.json {
        println!("{summary}");
    } else {
        println!(
            "trained XR-Linear in {seconds:.2}s (data loading {loaded:.2}s): {} levels, model in {}/model",
            model.levels.len(),
            path.display()
        );
    }
    Ok(())
}

fn load_model(path: &std::path::Path) -> Result<XLinearModel> {
    let inner = path.join("model");
    XLinearModel::load(if inner.join("xlinear.json").exists() {
        &inner
    } else {
        path
    })
}

fn predict_config(model: &XLinearModel, beam: Option<usize>, topk: Option<usize>) -> PredictConfig {
    let mut p = model.config.predict.clone();
    p.beam_size = beam.unwrap_or(p.beam_size);
    p.only_topk = topk.unwrap_or(p.only_topk);
    p
}

fn predict(ctx: &Context, a: PredictArgs) -> Result<()> {
    let model = load_model(&a.model)?;
    let x = read_csr_npz(&a.x)?;
    let start = Instant::now();
    let pred = model.predict_with(&x, &predict_config(&model, a.beam_size, a.only_topk))?;
    let seconds = start.elapsed().as_secs_f64();
    write_csr_npz(&a.out, &pred)?;
    let ms = 1e3 * seconds / x.rows.max(1) as f64;
    if ctx.json {
        println!(
            "{}",
            json!({"seconds": seconds, "ms_per_query": ms, "rows": x.rows})
        );
    } else {
        println!(
            "predicted {} rows in {seconds:.3}s ({ms:.4} ms/query); wrote {}",
            x.rows,
            a.out.display()
        );
    }
    Ok(())
}

fn evaluate_cmd(ctx: &Context, a: EvaluateArgs) -> Result<()> {
    let model = load_model(&a.model)?;
    let problem = XmcProblem::new(
        read_csr_npz(&a.x)?,
        read_csr_npz(&a.y)?,
        &a.x.display().to_string(),
        &a.y.display().to_string(),
    )?;
    let own = match &a.own_ids {
        Some(p) => Some(
            read_npy(p)?
                .to_index(model.num_labels(), "label ids")?
                .into_iter()
                .map(|v| v as u32)
                .collect::<Vec<_>>(),
        ),
        None => None,
    };
    if let (Some(ids), Some(p)) = (&own, &a.own_ids)
        && ids.len() != problem.x.rows
    {
        return Err(tessera_core::Error::input(
            p.display(),
            "length",
            format!("{} ids (one per row of X)", problem.x.rows),
            format!("{} ids", ids.len()),
        ));
    }
    let extra = usize::from(own.is_some());
    let pc = predict_config(
        &model,
        a.beam_size,
        Some(model.config.predict.only_topk.max(a.k) + extra),
    );
    let start = Instant::now();
    let pred = model.predict_with(&problem.x, &pc)?;
    let seconds = start.elapsed().as_secs_f64();
    let ms = 1e3 * seconds / problem.x.rows.max(1) as f64;
    let m = evaluate(&pred, &problem.y, a.k);
    let m_excl = own
        .as_ref()
        .map(|ids| evaluate(&drop_own_label(&pred, ids), &problem.y, a.k));
    if ctx.json {
        println!(
            "{}",
            json!({"precision": m.precision, "recall": m.recall, "own_removed": m_excl, "predict_seconds": seconds, "ms_per_query": ms})
        );
    } else {
        for k in 0..a.k {
            print!(
                "P@{} = {:.2}  R@{} = {:.2}",
                k + 1,
                100.0 * m.precision[k],
                k + 1,
                100.0 * m.recall[k]
            );
            if let Some(e) = &m_excl {
                print!(
                    "   (own id removed: P@{} = {:.2})",
                    k + 1,
                    100.0 * e.precision[k]
                );
            }
            println!();
        }
        println!(
            "prediction: {seconds:.3}s for {} rows ({ms:.4} ms/query)",
            problem.x.rows
        );
    }
    Ok(())
}
