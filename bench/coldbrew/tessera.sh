#!/usr/bin/env bash
# tessera side: `tessera coldbrew reproduce --dataset DATASET --seeds 1`, timed by the program itself.
set -euo pipefail
dataset=${1:-cora}; shift || true
threads=2
while [[ $# -gt 0 ]]; do case $1 in --threads) threads=$2; shift 2;; *) shift;; esac; done
out=$(mktemp -d)/run
TESSERA_THREADS=$threads target/release/tessera --json --threads "$threads" coldbrew reproduce --dataset "$dataset" --seeds 1 --out "$out" \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); v=[x["ours"] for x in r["rows"] if x["model"]=="coldbrew-student" and x["split"]=="isolation"][0]; print(json.dumps({"seconds": r["seconds"], "metric": "student_isolation_accuracy", "value": v}))'
rm -rf "$(dirname "$out")"
