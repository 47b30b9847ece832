#!/usr/bin/env bash
# The README's main command: build tessera (release), fetch the registry
# datasets (sha256-verified; a no-op when present), and run `tessera demo`:
# the fast reproduction of every implemented method in one table.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release -p tessera-cli
./target/release/tessera data fetch --all
./target/release/tessera demo "$@"
