#!/usr/bin/env bash
# Run benchmarks side by side: bench/run.sh NAME|all [--pairs N] [--threads N]
# See bench/README.md for the convention every bench/<name>/ follows.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ ! -x bench/.venv/bin/python ]; then
  echo "bench/.venv is missing: run bench/setup.sh first" >&2
  exit 1
fi
cargo build --release -p tessera-bench
# The method benchmarks need the CLI; the kernel benchmarks do not, so a CLI
# that does not build only fails the cases that use it.
cargo build --release -p tessera-cli || echo "warning: tessera-cli did not build; method benchmarks will fail" >&2
bench/.venv/bin/python bench/gen_data.py --out bench/out/data
exec python3 bench/harness.py "$@"
