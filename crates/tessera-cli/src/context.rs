//! Global flags and the per-invocation context handed to every command.

use clap::Args;
use std::path::PathBuf;
use tessera_core::{Device, Progress, Seed};

/// Flags accepted by every command.
#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Random seed (every random draw derives from it).
    #[arg(long, global = true, default_value_t = 0)]
    pub seed: u64,
    /// Compute device: cpu or cuda.
    #[arg(long, global = true, default_value = "cpu")]
    pub device: Device,
    /// Worker threads (0 = all cores).
    #[arg(long, global = true, env = "TESSERA_THREADS", default_value_t = 0)]
    pub threads: usize,
    /// No progress output.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Data folder (default: $TESSERA_DATA, then ./data, then ../shared/data).
    #[arg(long, global = true, env = "TESSERA_DATA")]
    pub data_dir: Option<PathBuf>,
}

/// What every command receives.
#[derive(Debug, Clone)]
pub struct Context {
    /// The user's seed.
    pub seed: Seed,
    /// The compute device.
    pub device: Device,
    /// Worker threads actually in use.
    pub threads: usize,
    /// JSON output requested.
    pub json: bool,
    /// Explicit data folder, if given.
    pub data_dir: Option<PathBuf>,
    /// Progress sink.
    pub progress: Progress,
}

impl Context {
    /// Builds the context and sizes the thread pool.
    pub fn new(args: &GlobalArgs) -> Self {
        let threads = tessera_core::backend::init_threads(args.threads);
        Context {
            seed: Seed(args.seed),
            device: args.device,
            threads,
            json: args.json,
            data_dir: args.data_dir.clone(),
            progress: Progress::new(args.quiet || args.json),
        }
    }
}

/// Renders an error and its whole cause chain, one cause per line.
pub fn render_error(err: &tessera_core::Error) -> String {
    let mut out = format!("error: {err}");
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        out += &format!("\n  caused by: {c}");
        cause = c.source();
    }
    out
}
