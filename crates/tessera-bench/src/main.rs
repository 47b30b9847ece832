//! `tessera-bench`: the tessera side of the kernel benchmarks in `bench/`.
//!
//! Each subcommand runs one workload in-process (untimed warm-up iterations,
//! then timed ones) and prints one JSON line,
//! `{"seconds": <median per iteration>, "metric": ..., "value": ...}`, which
//! `bench/harness.py` reads. The PyTorch peers in `bench/<name>/peer.py` do
//! the same computation on the same inputs.
//!
//! ```text
//! tessera-bench --threads 2 spmm --graph G.npz --dim 64 --pass fwd-bwd
//! tessera-bench gcn-epoch --graph G.npz --hidden 64
//! tessera-bench infonce --batch 4096 --dim 128 --tau 0.07
//! tessera-bench mlp-step --batch 1024
//! ```

mod gcn;
mod graph;
mod infonce;
mod inputs;
mod mlp;
mod spmm;
mod timing;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use tessera_core::{Device, Result};

/// Benchmark workloads of tessera (JSON timings on stdout).
#[derive(Parser, Debug)]
#[command(name = "tessera-bench", version)]
struct Cli {
    /// Worker threads (0 = all cores).
    #[arg(long, global = true, env = "TESSERA_THREADS", default_value_t = 0)]
    threads: usize,
    /// Compute device: cpu or cuda.
    #[arg(long, global = true, default_value = "cpu")]
    device: Device,
    /// Untimed iterations.
    #[arg(long, global = true, default_value_t = 3)]
    warmup: usize,
    /// Timed iterations (the median is reported).
    #[arg(long, global = true, default_value_t = 10)]
    iters: usize,
    #[command(subcommand)]
    command: Command,
}

/// Forward only or forward + backward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Pass {
    /// Forward only.
    #[value(name = "fwd")]
    Forward,
    /// Forward and backward.
    #[value(name = "fwd-bwd")]
    ForwardBackward,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Normalised adjacency × dense (`Â·H`).
    Spmm {
        /// Graph `.npz` in the shared-data layout.
        #[arg(long)]
        graph: PathBuf,
        /// Width of `H`.
        #[arg(long, default_value_t = 64)]
        dim: usize,
        /// `fwd` or `fwd-bwd`.
        #[arg(long, value_enum, default_value = "fwd-bwd")]
        pass: Pass,
        /// Time the bare CSR kernel on host slices (forward only; a diagnostic, no peer).
        #[arg(long)]
        host: bool,
    },
    /// One full-batch 2-layer GCN training epoch (forward, backward, Adam).
    GcnEpoch {
        /// Graph `.npz` in the shared-data layout (with features).
        #[arg(long)]
        graph: PathBuf,
        /// Hidden width.
        #[arg(long, default_value_t = 64)]
        hidden: usize,
    },
    /// Symmetric InfoNCE forward + backward.
    Infonce {
        /// Pairs per batch.
        #[arg(long, default_value_t = 4096)]
        batch: usize,
        /// Embedding width.
        #[arg(long, default_value_t = 128)]
        dim: usize,
        /// Temperature τ.
        #[arg(long, default_value_t = 0.07)]
        tau: f32,
        /// `fused` (core kernel) or `burn` (plain burn ops).
        #[arg(long, value_enum, default_value = "fused")]
        kernel: infonce::Kernel,
    },
    /// One AdamW step of a 512→256→256→64 MLP.
    MlpStep {
        /// Batch size.
        #[arg(long, default_value_t = 1024)]
        batch: usize,
    },
}

/// What a workload reports.
#[derive(Debug)]
pub struct Outcome {
    seconds: f64,
    metric: Option<(&'static str, f64)>,
    extra: Vec<(&'static str, f64)>,
}

impl Outcome {
    /// A timing without quality metric.
    pub fn new(seconds: f64) -> Self {
        Outcome {
            seconds,
            metric: None,
            extra: Vec::new(),
        }
    }

    /// Adds the quality metric.
    pub fn with_metric(mut self, name: &'static str, value: f64) -> Self {
        self.metric = Some((name, value));
        self
    }

    /// Adds an informational field.
    pub fn with_extra(mut self, name: &'static str, value: f64) -> Self {
        self.extra.push((name, value));
        self
    }

    fn to_json(&self, threads: usize) -> serde_json::Value {
        let mut out = serde_json::json!({ "seconds": self.seconds, "threads": threads });
        if let Some((name, value)) = self.metric {
            out["metric"] = name.into();
            out["value"] = value.into();
        }
        for (name, value) in &self.extra {
            out[*name] = (*value).into();
        }
        out
    }
}

fn run(cli: Cli) -> Result<Outcome> {
    let (warmup, iters) = (cli.warmup, cli.iters);
    match cli.command {
        Command::Spmm {
            graph,
            dim,
            pass,
            host,
        } => {
            if host && pass != Pass::Forward {
                return Err(tessera_core::Error::input(
                    "command line",
                    "--host",
                    "--pass fwd",
                    "--pass fwd-bwd",
                ));
            }
            let graph = graph::BenchGraph::load(&graph)?;
            cli.device.dispatch(spmm::SpmmJob {
                graph,
                dim,
                pass,
                host,
                warmup,
                iters,
            })
        }
        Command::GcnEpoch { graph, hidden } => {
            let graph = graph::BenchGraph::load(&graph)?;
            cli.device.dispatch(gcn::GcnJob {
                graph,
                hidden,
                warmup,
                iters,
            })
        }
        Command::Infonce {
            batch,
            dim,
            tau,
            kernel,
        } => cli.device.dispatch(infonce::InfonceJob {
            batch,
            dim,
            tau,
            kernel,
            warmup,
            iters,
        }),
        Command::MlpStep { batch } => cli.device.dispatch(mlp::MlpJob {
            batch,
            warmup,
            iters,
        }),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let threads = tessera_core::backend::init_threads(cli.threads);
    match run(cli) {
        Ok(outcome) => {
            println!("{}", outcome.to_json(threads));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
