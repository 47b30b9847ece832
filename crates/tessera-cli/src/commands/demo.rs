//! `tessera demo`: the fast reproduction of every implemented method, as one table.
//!
//! Each method contributes one entry to [`DEMOS`]: a name and a function that
//! runs its fast reproduction (single seed, default dataset) and returns the
//! [`Report`]. Until a method exists, the demo prints the data catalogue.

use crate::context::Context;
use clap::Args;
use tessera_core::report::aligned_table;
use tessera_core::{Report, Result};

/// Arguments of `tessera demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Run only the demos whose method name contains this text.
    #[arg(long)]
    pub only: Option<String>,
}

/// A method's fast reproduction.
type DemoFn = fn(&Context) -> Result<Report>;

/// Every method's demo, in the order the table shows them.
const DEMOS: &[(&str, DemoFn)] = &[
    ("coldbrew", super::coldbrew::demo),
    ("contrastive", super::contrastive::demo),
    ("giant", super::giant::demo),
];

/// Runs every method's fast reproduction and prints one table.
pub fn run(ctx: &Context, args: DemoArgs) -> Result<()> {
    let selected: Vec<_> = DEMOS
        .iter()
        .filter(|(name, _)| args.only.as_deref().is_none_or(|o| name.contains(o)))
        .collect();
    if selected.is_empty() {
        ctx.progress
            .log("no method demo selected; tessera implements no method yet");
        return Ok(());
    }
    let mut reports = Vec::new();
    for (name, demo) in selected {
        ctx.progress.log(&format!("demo: {name}"));
        reports.push(demo(ctx)?);
    }
    print_summary(ctx, &reports);
    Ok(())
}

fn print_summary(ctx: &Context, reports: &[Report]) {
    if ctx.json {
        println!(
            "{}",
            serde_json::to_string_pretty(reports).expect("reports serialise")
        );
        return;
    }
    let mut rows = vec![
        [
            "method",
            "dataset",
            "metric",
            "ours",
            "published",
            "seconds",
        ]
        .map(String::from),
    ];
    for r in reports {
        for row in &r.rows {
            let num = |v: f64| {
                if v.is_finite() {
                    format!("{v:.2}")
                } else {
                    "n/a".into()
                }
            };
            rows.push([
                r.method.clone(),
                r.dataset.clone(),
                format!("{} {} {}", row.metric, row.split, row.model),
                num(row.ours),
                row.published.map_or("-".into(), num),
                format!("{:.1}", r.seconds),
            ]);
        }
    }
    print!("{}", aligned_table(&rows, 3));
}
