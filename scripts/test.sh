#!/usr/bin/env bash
# The test command of the README: builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked
