//! Printing results and writing the run folder of a `reproduce` command.

use crate::context::Context;
use std::path::PathBuf;
use tessera_core::{Report, Result, RunFolder};

/// Prints `report` (JSON in the report schema with `--json`, an aligned
/// table otherwise) and writes it as a run folder: `config.json` (the
/// resolved settings), `metrics.json`, `report.md` and `meta.json`.
///
/// The folder is `out` if given, else `runs/<method>-<dataset>-seed<N>-<unix time>`.
pub fn finish_reproduce<C: serde::Serialize>(
    ctx: &Context,
    report: &Report,
    config: &C,
    out: Option<PathBuf>,
) -> Result<PathBuf> {
    let target = out.unwrap_or_else(|| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from("runs").join(format!(
            "{}-{}-seed{}-{stamp}",
            report.method, report.dataset, ctx.seed.0
        ))
    });
    let run = RunFolder::create(&target)?;
    run.write_config(config)?;
    run.write_report(report)?;
    let path = run.commit(
        &format!("{} reproduce", report.method),
        &ctx.device.to_string(),
        ctx.threads,
    )?;
    if ctx.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
        ctx.progress.log(&format!("run folder: {}", path.display()));
    }
    Ok(path)
}
