//! `tessera`: representation learning on catalogue-scale data.
//!
//! The binary is thin: it parses arguments, calls a library crate and
//! prints. Errors are shown with their whole cause chain and exit non-zero.

mod commands;
mod context;
mod output;

use clap::{Parser, Subcommand};
use context::{Context, GlobalArgs};
use std::process::ExitCode;

/// Representation learning on catalogue-scale data.
#[derive(Parser, Debug)]
#[command(
    name = "tessera",
    version,
    about = "tessera: representation learning on catalogue-scale data",
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the fast reproduction of every implemented method and print one table.
    Demo(commands::demo::DemoArgs),
    /// The dataset catalogue: list, info NAME, verify, fetch NAME|--all.
    Data(commands::data::DataArgs),
    /// XR-Linear extreme multi-label ranking: train, predict, evaluate.
    Xmc(commands::xmc::XmcArgs),
    /// GIANT node features from multi-scale neighbourhood prediction: features, reproduce.
    Giant(commands::giant::GiantArgs),
    /// Contrastive two-tower representations: train, embed, reproduce.
    Contrastive(commands::contrastive::ContrastiveArgs),
    /// Cold Brew cold-start node representations: reproduce, train, embed.
    Coldbrew(commands::coldbrew::ColdbrewArgs),
}

/// mimalloc keeps freed pages for reuse: training loops allocate and free the
/// same large buffers every step, and glibc's allocator returned them to the
/// OS and faulted them back in (about 5 % of a Cold Brew run).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Context::new(&cli.global);
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(&ctx, args),
        Command::Data(args) => commands::data::run(&ctx, args),
        Command::Xmc(args) => commands::xmc::run(&ctx, args),
        Command::Giant(args) => commands::giant::run(&ctx, args),
        Command::Contrastive(args) => commands::contrastive::run(&ctx, args),
        Command::Coldbrew(args) => commands::coldbrew::run(&ctx, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{}", context::render_error(&err));
            ExitCode::FAILURE
        }
    }
}
