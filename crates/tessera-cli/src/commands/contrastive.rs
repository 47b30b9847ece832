//! `tessera contrastive`: two-tower contrastive training on paired views,
//! embedding with a trained model, and the three reproduction studies.

use crate::context::Context;
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use tessera_contrastive::decomposable::{EmConfig, NuMode};
use tessera_contrastive::infonce::Denominator;
use tessera_contrastive::study::cells::CellStore;
use tessera_contrastive::study::{self, PairSplit, StudyOutput};
use tessera_contrastive::{
    ContrastiveConfig, ContrastiveModel, EmbedKind, LossKind, PairedViews, Regularisers,
    Temperature, View,
};
use tessera_core::backend::Cpu;
use tessera_core::{BackendJob, Error, Report, Result, RunFolder, Seed};
use tessera_data::{DenseMatrix, read_npy, write_npy_f32};

/// Arguments of `tessera contrastive`.
#[derive(Args, Debug)]
pub struct ContrastiveArgs {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Subcommand, Debug)]
enum Sub {
    /// Train a two-tower model on two paired views (row i of each file is one pair).
    Train(TrainArgs),
    /// Embed one view's rows with a trained model.
    Embed(EmbedArgs),
    /// Run a study: gradient-bias, batch-size or modality-structures.
    Reproduce(ReproduceArgs),
    /// Time training steps on generated data (the tessera side of bench/two-tower).
    BenchStep(BenchArgs),
}

/// The cross-modal loss.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum LossArg {
    /// Symmetric InfoNCE (positive in the denominator).
    Infonce,
    /// InfoNCE with negatives only in the denominator.
    Decoupled,
    /// The decomposable Gamma-augmented loss (stochastic EM).
    Decomposable,
}

#[derive(Args, Debug)]
struct TrainArgs {
    /// A view file (.npy 2-d float, or .parquet with `id`, `embedding`); give exactly two.
    #[arg(long = "view", required = true)]
    views: Vec<PathBuf>,
    /// Optional class labels (.npy, 1-d integers), one per row; enables probes on a held-out 20 %.
    #[arg(long)]
    labels: Option<PathBuf>,
    /// Cross-modal loss.
    #[arg(long, value_enum, default_value = "infonce")]
    loss: LossArg,
    /// Regularisers, comma-separated: sep, br, gc, same-view.
    #[arg(long, default_value = "")]
    reg: String,
    /// Output run folder.
    #[arg(long)]
    out: PathBuf,
    /// Epochs.
    #[arg(long, default_value_t = 50)]
    epochs: usize,
    /// Pairs per batch.
    #[arg(long, default_value_t = 256)]
    batch_size: usize,
    /// Hidden widths of each tower, comma-separated.
    #[arg(long, default_value = "256,256")]
    hidden: String,
    /// Embedding dimension.
    #[arg(long, default_value_t = 64)]
    embed_dim: usize,
    /// AdamW learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Temperature τ (initial value if --learnable-temperature).
    #[arg(long, default_value_t = 0.1)]
    temperature: f64,
    /// Learn the temperature (CLIP's logit scale).
    #[arg(long)]
    learnable_temperature: bool,
    /// Decomposable loss: weight γ of the new batch estimate in the running Z.
    #[arg(long, default_value_t = 0.1)]
    gamma: f64,
    /// Decomposable loss: sample ν ~ Gamma instead of using its mean.
    #[arg(long)]
    sample_nu: bool,
}

#[derive(Args, Debug)]
struct EmbedArgs {
    /// A run folder written by `tessera contrastive train`.
    #[arg(long)]
    model: PathBuf,
    /// The rows to embed (.npy or .parquet, same features as the trained view).
    #[arg(long)]
    view: PathBuf,
    /// Which tower: a (first --view at training) or b.
    #[arg(long, default_value = "a")]
    side: String,
    /// Also append the modality-specific features (models trained with --reg sep).
    #[arg(long)]
    with_specific: bool,
    /// Output file: `.npy` (float32) or `.parquet` (`id`, `embedding`); row i = input row i.
    #[arg(long)]
    out: PathBuf,
}

/// The studies.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum StudyArg {
    /// Mean minibatch gradient vs full-data gradient, by batch size (mfeat pix-fou).
    GradientBias,
    /// Probe/retrieval vs batch size for InfoNCE, decoupled and decomposable (mfeat).
    BatchSize,
    /// CLIP vs + Sep / Br / GC / all (mfeat pairs, MNIST halves).
    ModalityStructures,
}

#[derive(Args, Debug)]
struct ReproduceArgs {
    /// Which study.
    #[arg(long, value_enum)]
    study: StudyArg,
    /// Seeds per cell (batch-size and modality-structures).
    #[arg(long, default_value_t = 5)]
    seeds: usize,
    /// Output run folder (default runs/contrastive-<study>-seed<N>-<time>).
    /// Finished cells are cached next to it: the same command with the same
    /// `--out` resumes a stopped study.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `tessera contrastive ...`.
pub fn run(ctx: &Context, args: ContrastiveArgs) -> Result<()> {
    match args.command {
        Sub::Train(a) => train(ctx, a),
        Sub::Embed(a) => embed(a),
        Sub::Reproduce(a) => reproduce(ctx, a),
        Sub::BenchStep(a) => ctx.device.dispatch(BenchJob(a)),
    }
}

/// Reads a view: a 2-d float `.npy`, or a Parquet file with `id` and
/// `embedding` (list of floats) columns, rows in file order.
fn read_view(path: &Path) -> Result<View> {
    let source = path.display().to_string();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let x = match ext {
        "npy" => {
            let array = read_npy(path)?;
            array.expect_ndim(2)?;
            let (rows, cols) = (array.shape[0], array.shape[1]);
            DenseMatrix::new(rows, cols, array.into_f32()?)?
        }
        "parquet" => tessera_data::parquet_io::read_embeddings_parquet(path)?.1,
        other => {
            return Err(Error::input(
                &source,
                "file name",
                "a .npy or .parquet file",
                format!("extension `{other}`"),
            ));
        }
    };
    Ok(View { source, x })
}

/// Writes embeddings as `.npy`, or as Parquet (`id` = row index, `embedding`).
fn write_embeddings(path: &Path, emb: &DenseMatrix) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => {
            let ids: Vec<i64> = (0..emb.rows as i64).collect();
            tessera_data::parquet_io::write_embeddings_parquet(path, &ids, emb)
        }
        _ => write_npy_f32(path, emb),
    }
}

fn read_labels(path: &Path) -> Result<Vec<usize>> {
    let array = read_npy(path)?;
    array.expect_ndim(1)?;
    array.to_index(usize::MAX, "a class id")
}

fn train_config(a: &TrainArgs) -> Result<ContrastiveConfig> {
    let hidden = a
        .hidden
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| Error::Config(format!("--hidden: `{s}` is not a width")))
        })
        .collect::<Result<Vec<_>>>()?;
    let loss = match a.loss {
        LossArg::Infonce => LossKind::Infonce {
            denominator: Denominator::WithPositive,
        },
        LossArg::Decoupled => LossKind::Infonce {
            denominator: Denominator::NegativesOnly,
        },
        LossArg::Decomposable => LossKind::Decomposable(EmConfig {
            gamma: a.gamma,
            nu: if a.sample_nu {
                NuMode::Sample
            } else {
                NuMode::Mean
            },
            ..Default::default()
        }),
    };
    let config = ContrastiveConfig {
        hidden,
        embed_dim: a.embed_dim,
        loss,
        temperature: if a.learnable_temperature {
            Temperature::Learnable(a.temperature)
        } else {
            Temperature::Fixed(a.temperature)
        },
        reg: Regularisers::from_names(&a.reg).map_err(|e| Error::Config(format!("--reg: {e}")))?,
        batch_size: a.batch_size,
        epochs: a.epochs,
        lr: a.lr,
        ..Default::default()
    };
    config.check()?;
    Ok(config)
}

struct TrainJob {
    data: PairedViews,
    config: ContrastiveConfig,
    seed: Seed,
    progress: tessera_core::Progress,
    out: PathBuf,
}

impl BackendJob for TrainJob {
    type Output = (RunFolder, Report);
    fn run<B: burn::tensor::backend::AutodiffBackend>(
        self,
        _device: B::Device,
    ) -> Result<Self::Output> {
        let started = std::time::Instant::now();
        let run = RunFolder::create(&self.out)?;
        let mut report = Report::new(
            "contrastive",
            format!("{} + {}", self.data.a.source, self.data.b.source),
        );
        let (train, test) = match self.data.labels {
            Some(_) => {
                let (tr, te) = self.data.split_seeded(0.2, self.seed);
                (tr, Some(te))
            }
            None => (self.data.clone(), None),
        };
        let fitted =
            tessera_contrastive::fit::<B>(&train, &self.config, self.seed, &self.progress)?;
        report.push_seeds(
            "final train loss",
            "train",
            "two-tower",
            &[*fitted.history.last().unwrap_or(&f64::NAN)],
            None,
        );
        if let Some(test) = &test {
            let e = tessera_contrastive::eval::evaluate(&fitted.model, &train, test)?;
            for (metric, v) in [
                ("probe-a %", e.probe_a),
                ("probe-b %", e.probe_b),
                ("prototype %", e.prototype),
            ] {
                report.push_seeds(
                    metric,
                    "test 20%",
                    "two-tower",
                    &[v.unwrap_or(f64::NAN) * 100.0],
                    None,
                );
            }
            for (k, (ab, ba)) in [1, 5, 10].iter().zip(e.recall_ab.iter().zip(&e.recall_ba)) {
                report.push_seeds(
                    &format!("R@{k} a->b %"),
                    "test 20%",
                    "two-tower",
                    &[ab * 100.0],
                    None,
                );
                report.push_seeds(
                    &format!("R@{k} b->a %"),
                    "test 20%",
                    "two-tower",
                    &[ba * 100.0],
                    None,
                );
            }
        }
        fitted.model.save(&run.path().join("model"))?;
        for (side, view) in [("a", &self.data.a), ("b", &self.data.b)] {
            let emb = fitted.model.embed(
                usize::from(side == "b"),
                &view.x,
                &view.source,
                EmbedKind::Shared,
            )?;
            write_npy_f32(&run.file(&format!("embeddings-{side}.npy"))?, &emb)?;
        }
        run.write_config(&serde_json::json!({ "config": self.config, "seed": self.seed, "views": [self.data.a.source, self.data.b.source], "rows": self.data.len() }))?;
        report.seconds = started.elapsed().as_secs_f64();
        run.write_report(&report)?;
        Ok((run, report))
    }
}

fn train(ctx: &Context, a: TrainArgs) -> Result<()> {
    if a.views.len() != 2 {
        return Err(Error::Config(format!(
            "give exactly two --view files, found {}",
            a.views.len()
        )));
    }
    let config = train_config(&a)?;
    let labels = a.labels.as_deref().map(read_labels).transpose()?;
    let data = PairedViews::new(read_view(&a.views[0])?, read_view(&a.views[1])?, labels).map_err(
        |e| {
            if let (Error::Input { .. }, Some(l)) = (&e, &a.labels) {
                e.context(format!("checking views and labels `{}`", l.display()))
            } else {
                e
            }
        },
    )?;
    let job = TrainJob {
        data,
        config,
        seed: ctx.seed,
        progress: ctx.progress.clone(),
        out: a.out,
    };
    let (run, report) = ctx.device.dispatch(job)?;
    let path = run.commit("contrastive train", &ctx.device.to_string(), ctx.threads)?;
    print_report(ctx, &report, &path);
    Ok(())
}

fn embed(a: EmbedArgs) -> Result<()> {
    let side = match a.side.as_str() {
        "a" => 0,
        "b" => 1,
        other => {
            return Err(Error::Config(format!(
                "--side must be `a` or `b`, found `{other}`"
            )));
        }
    };
    let model = ContrastiveModel::<Cpu>::load(&a.model.join("model"), &Default::default())?;
    let view = read_view(&a.view)?;
    tessera_contrastive::data::check_view(&view)?;
    let kind = if a.with_specific {
        EmbedKind::WithSpecific
    } else {
        EmbedKind::Shared
    };
    let emb = model.embed(side, &view.x, &view.source, kind)?;
    write_embeddings(&a.out, &emb)?;
    eprintln!(
        "wrote {} embeddings of width {} to {}",
        emb.rows,
        emb.cols,
        a.out.display()
    );
    Ok(())
}

/// An mfeat view pair `a-b`, split 80/20 (stratified, seeded).
fn mfeat_pair(ctx: &Context, a: &str, b: &str) -> Result<PairSplit> {
    let data = tessera_data::catalogue::load_multiview("mfeat", ctx.data_dir.as_deref())?;
    let view = |name: &str| -> Result<View> {
        Ok(View {
            source: format!("mfeat/{name}"),
            x: data.view(name)?.clone(),
        })
    };
    let pair = PairedViews::new(view(a)?, view(b)?, data.labels.clone())?;
    let (train, test) = pair.split_seeded(0.2, ctx.seed);
    Ok(PairSplit {
        name: format!("{a}-{b}"),
        train,
        test,
    })
}

/// MNIST images as (top half, bottom half) pairs: the first 10,000 training
/// images for training and the first 2,000 test images for testing.
fn mnist_halves(ctx: &Context) -> Result<PairSplit> {
    let images = tessera_data::catalogue::load_images("mnist", ctx.data_dir.as_deref())?;
    let half = images.height / 2 * images.width;
    let take = |part_name: &str, n: usize| -> Result<PairedViews> {
        let part = images.part(part_name)?;
        let n = n.min(part.len());
        let (mut top, mut bottom) = (Vec::with_capacity(n * half), Vec::with_capacity(n * half));
        for i in 0..n {
            let img = images.image_f32(part, i);
            top.extend_from_slice(&img[..half]);
            bottom.extend_from_slice(&img[half..2 * half]);
        }
        let labels = part.labels[..n].iter().map(|&l| usize::from(l)).collect();
        PairedViews::new(
            View {
                source: format!("mnist/{part_name} top"),
                x: DenseMatrix::new(n, half, top)?,
            },
            View {
                source: format!("mnist/{part_name} bottom"),
                x: DenseMatrix::new(n, half, bottom)?,
            },
            Some(labels),
        )
    };
    Ok(PairSplit {
        name: "mnist-halves".into(),
        train: take("train", 10_000)?,
        test: take("test", 2_000)?,
    })
}

struct ReproduceJob {
    study: StudyArg,
    pairs: Vec<PairSplit>,
    seeds: usize,
    seed: Seed,
    /// The resumable cell cache of the training studies.
    cells: PathBuf,
    progress: tessera_core::Progress,
}

impl ReproduceJob {
    /// Opens the cell cache for a study with `settings`. The seed count is left
    /// out of the key: cells are per seed, so a cache serves any `--seeds`.
    fn store<S: serde::Serialize>(&self, settings: &S) -> Result<CellStore> {
        let mut key = serde_json::json!({ "study": format!("{:?}", self.study), "seed": self.seed, "settings": settings });
        if let Some(s) = key["settings"].as_object_mut() {
            s.remove("seeds");
        }
        CellStore::open(&self.cells, &key, &self.progress)
    }
}

impl BackendJob for ReproduceJob {
    type Output = (StudyOutput, serde_json::Value);
    fn run<B: burn::tensor::backend::AutodiffBackend>(
        self,
        _device: B::Device,
    ) -> Result<Self::Output> {
        match self.study {
            StudyArg::GradientBias => {
                let s = study::gradient_bias::GradientBiasStudy::default();
                Ok((
                    study::gradient_bias::run::<B>(&s, &self.pairs[0], self.seed, &self.progress)?,
                    serde_json::json!(s),
                ))
            }
            StudyArg::BatchSize => {
                let s = study::batch_size::BatchSizeStudy {
                    seeds: self.seeds,
                    ..Default::default()
                };
                let mut store = self.store(&s)?;
                let out = study::batch_size::run::<B>(
                    &s,
                    &self.pairs,
                    self.seed,
                    &mut store,
                    &self.progress,
                )?;
                Ok((out, serde_json::json!(s)))
            }
            StudyArg::ModalityStructures => {
                let s = study::modality::ModalityStudy {
                    seeds: self.seeds,
                    ..Default::default()
                };
                let mut store = self.store(&s)?;
                let out = study::modality::run::<B>(
                    &s,
                    &self.pairs,
                    self.seed,
                    &mut store,
                    &self.progress,
                )?;
                Ok((out, serde_json::json!(s)))
            }
        }
    }
}

/// The cell cache of a study writing to `target`: a hidden sibling file, so a
/// stopped run is resumed by running the same command (same `--out`) again.
fn cells_path(target: &Path) -> PathBuf {
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("run");
    target.with_file_name(format!(".{name}.cells.jsonl"))
}

fn reproduce(ctx: &Context, a: ReproduceArgs) -> Result<()> {
    let pairs = match a.study {
        StudyArg::GradientBias => vec![mfeat_pair(ctx, "pix", "fou")?],
        StudyArg::BatchSize => vec![
            mfeat_pair(ctx, "pix", "fou")?,
            mfeat_pair(ctx, "kar", "zer")?,
        ],
        StudyArg::ModalityStructures => vec![
            mfeat_pair(ctx, "pix", "fou")?,
            mfeat_pair(ctx, "kar", "zer")?,
            mnist_halves(ctx)?,
        ],
    };
    let name = format!("{:?}", a.study).to_lowercase();
    let target = a.out.unwrap_or_else(|| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from("runs").join(format!("contrastive-{name}-seed{}-{stamp}", ctx.seed.0))
    });
    let run = RunFolder::create(&target)?;
    let cells = cells_path(&target);
    let job = ReproduceJob {
        study: a.study,
        pairs,
        seeds: a.seeds,
        seed: ctx.seed,
        cells: cells.clone(),
        progress: ctx.progress.clone(),
    };
    let (output, settings) = ctx.device.dispatch(job)?;
    run.write_config(
        &serde_json::json!({ "study": name, "seed": ctx.seed, "settings": settings }),
    )?;
    run.write_report(&output.report)?;
    for (file, plot) in &output.plots {
        plot.save(&run.file(&format!("plots/{file}"))?)?;
    }
    if cells.exists() {
        std::fs::copy(&cells, run.file("cells.jsonl")?)
            .map_err(|e| tessera_core::Error::io("copying", &cells, e))?;
    }
    let path = run.commit(
        "contrastive reproduce",
        &ctx.device.to_string(),
        ctx.threads,
    )?;
    if cells.exists() {
        std::fs::remove_file(&cells).map_err(|e| tessera_core::Error::io("removing", &cells, e))?;
    }
    print_report(ctx, &output.report, &path);
    Ok(())
}

fn print_report(ctx: &Context, report: &Report, path: &Path) {
    if ctx.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
        ctx.progress.log(&format!("run folder: {}", path.display()));
    }
}

#[derive(Args, Debug)]
struct BenchArgs {
    /// Pairs per batch.
    #[arg(long, default_value_t = 256)]
    batch: usize,
    /// Input widths of the two views, comma-separated.
    #[arg(long, default_value = "240,76")]
    dims: String,
    /// Hidden widths of each tower, comma-separated.
    #[arg(long, default_value = "256,256")]
    hidden: String,
    /// Embedding dimension.
    #[arg(long, default_value_t = 64)]
    embed_dim: usize,
    /// Fixed temperature τ.
    #[arg(long, default_value_t = 0.1)]
    tau: f64,
    /// Untimed steps first.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Timed steps (the median is reported).
    #[arg(long, default_value_t = 20)]
    iters: usize,
}

fn widths(text: &str, flag: &str) -> Result<Vec<usize>> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| Error::Config(format!("{flag}: `{s}` is not a width")))
        })
        .collect()
}

struct BenchJob(BenchArgs);

impl BackendJob for BenchJob {
    type Output = ();
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, _device: B::Device) -> Result<()> {
        use rand_distr::{Distribution, StandardNormal};
        let a = self.0;
        let dims = widths(&a.dims, "--dims")?;
        if dims.len() != 2 {
            return Err(Error::Config(format!(
                "--dims needs two widths, found {}",
                dims.len()
            )));
        }
        let mut rng = Seed(0).rng("bench-inputs");
        let mut view = |d: usize, name: &str| -> Result<View> {
            let values = (0..a.batch * d)
                .map(|_| StandardNormal.sample(&mut rng))
                .collect();
            Ok(View {
                source: name.into(),
                x: DenseMatrix::new(a.batch, d, values)?,
            })
        };
        let data = PairedViews::new(
            view(dims[0], "generated a")?,
            view(dims[1], "generated b")?,
            None,
        )?;
        let config = ContrastiveConfig {
            hidden: widths(&a.hidden, "--hidden")?,
            embed_dim: a.embed_dim,
            temperature: Temperature::Fixed(a.tau),
            batch_size: a.batch,
            ..Default::default()
        };
        let mut trainer = tessera_contrastive::train::Trainer::<B>::new(
            &data,
            &config,
            Seed(0),
            &mut Seed(0).rng("bench"),
        )?;
        let idx: Vec<usize> = (0..a.batch).collect();
        let mut loss = 0.0;
        for _ in 0..a.warmup {
            loss = trainer.step(&idx)?;
        }
        let mut times = Vec::with_capacity(a.iters);
        for _ in 0..a.iters.max(1) {
            let t = std::time::Instant::now();
            loss = trainer.step(&idx)?;
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{}",
            serde_json::json!({ "seconds": median, "metric": "loss", "value": loss })
        );
        Ok(())
    }
}

struct DemoJob(Seed);

impl BackendJob for DemoJob {
    type Output = Report;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, _device: B::Device) -> Result<Report> {
        let started = std::time::Instant::now();
        let data = tessera_contrastive::synthetic::information_gap(1200, 4, true, self.0)?;
        let (train, test) = data.split_seeded(0.25, self.0);
        let pair = PairSplit {
            name: "synthetic".into(),
            train,
            test,
        };
        let mut report = Report::new("contrastive", "synthetic-information-gap");
        let base = ContrastiveConfig {
            hidden: vec![128],
            embed_dim: 32,
            batch_size: 128,
            epochs: 15,
            ..Default::default()
        };
        for (name, reg) in [
            ("clip", Regularisers::NONE),
            (
                "con+sep",
                Regularisers {
                    sep: 1.0,
                    same_view: true,
                    ..Regularisers::NONE
                },
            ),
        ] {
            let (e, _) = study::train_and_evaluate::<B>(
                &pair,
                &ContrastiveConfig {
                    reg,
                    ..base.clone()
                },
                self.0,
            )?;
            report.push_seeds(
                "probe-a %",
                "test",
                name,
                &[e.probe_a.unwrap_or(f64::NAN) * 100.0],
                None,
            );
            report.push_seeds("R@1 a->b %", "test", name, &[e.recall_ab[0] * 100.0], None);
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

/// The fast contrastive run of `tessera demo`: CLIP vs CLIP + separation on
/// synthetic two-view data with an information gap (no download needed).
pub fn demo(ctx: &Context) -> Result<Report> {
    ctx.device.dispatch(DemoJob(ctx.seed))
}
