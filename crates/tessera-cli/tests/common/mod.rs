//! Helpers shared by the CLI integration tests: run the built binary, read its output.

use std::process::{Command, Output};

/// Runs the built `tessera` binary with `--quiet` and the given arguments.
pub fn tessera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--quiet")
        .args(args)
        .output()
        .expect("the tessera binary runs")
}

/// The process's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
