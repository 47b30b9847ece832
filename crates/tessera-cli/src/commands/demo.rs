//! `tessera demo`: the fast reproduction of every implemented method, as one table.

use crate::context::Context;
use clap::Args;
use tessera_core::Result;

/// Arguments of `tessera demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {}

/// Runs every method's fast reproduction and prints one table.
pub fn run(ctx: &Context, _args: DemoArgs) -> Result<()> {
    let _ = ctx;
    println!("tessera demo: no method is implemented yet");
    Ok(())
}
