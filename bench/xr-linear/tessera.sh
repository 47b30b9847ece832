#!/usr/bin/env bash
# tessera side of bench/xr-linear: `tessera xmc train` then `tessera xmc evaluate` on DATA_DIR.
# Usage: bench/xr-linear/tessera.sh DATA_DIR --threads N [--seed S]   (from the repository root)
# --seed drives the label tree's k-means and the rankers' visiting order.
set -euo pipefail
data="$1"; shift
threads=2
seed=0
while [ $# -gt 0 ]; do case "$1" in --threads) threads="$2"; shift 2;; --seed) seed="$2"; shift 2;; *) shift;; esac; done
bin="${TESSERA_BIN:-target/release/tessera}"
run="$(mktemp -d)/model"
trap 'rm -rf "$(dirname "$run")"' EXIT
train=$(/usr/bin/time -f %M -o "$run.rss" "$bin" --threads "$threads" --seed "$seed" --json xmc train --x "$data/X.trn.npz" --y "$data/Y.trn.npz" --out "$run")
own=(); [ -f "$data/tst_own.npy" ] && own=(--own-ids "$data/tst_own.npy")
eval=$("$bin" --threads "$threads" --json xmc evaluate --model "$run" --x "$data/X.tst.npz" --y "$data/Y.tst.npz" -k 5 "${own[@]}")
python3 - "$train" "$eval" "$(cat "$run.rss")" "$seed" <<'PY'
import json, sys
t, e = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = {"seed": int(sys.argv[4]), "seconds": t["seconds"] - t["load_seconds"], "metric": "p@1", "value": e["precision"][0],
       "p@5": e["precision"][4], "ms_per_query": e["ms_per_query"],
       "peak_rss_mb": int(sys.argv[3]) / 1024}
if e.get("own_removed"):
    out.update({"p@1_own_removed": e["own_removed"]["precision"][0], "p@5_own_removed": e["own_removed"]["precision"][4]})
print(json.dumps(out))
PY
