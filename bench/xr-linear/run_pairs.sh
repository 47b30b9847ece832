#!/usr/bin/env bash
# Alternating tessera / libpecos runs on one data folder, 2 threads each side.
# Usage: bench/xr-linear/run_pairs.sh DATA_DIR PAIRS OUT.jsonl   (from the repository root)
# SEED (default 0) is passed to both sides (tessera: tree + solver order; PECOS: k-means only).
# PYTHON defaults to bench/.venv/bin/python (needs libpecos), else bench/.venv-pecos/bin/python.
set -euo pipefail
data="$1"; pairs="$2"; out="$3"; seed="${SEED:-0}"
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if bench/.venv/bin/python -c "import pecos" 2>/dev/null; then py=bench/.venv/bin/python; else py=bench/.venv-pecos/bin/python; fi
fi
export THREADS=2 OMP_NUM_THREADS=2 RAYON_NUM_THREADS=2 TESSERA_THREADS=2 MKL_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
for i in $(seq 1 "$pairs"); do
  for side in pecos tessera; do
    # alternate which side goes first in each pair
    if [ $((i % 2)) -eq 0 ]; then side=$([ "$side" = pecos ] && echo tessera || echo pecos); fi
    if [ "$side" = pecos ]; then
      line=$(/usr/bin/time -f %M -o /tmp/xrl_rss "$py" bench/xr-linear/peer.py "$data" --threads 2 --seed "$seed" | tail -1)
      rss=$(cat /tmp/xrl_rss)
      line=$(python3 -c "import json,sys; d=json.loads(sys.argv[1]); d['peak_rss_mb']=int(sys.argv[2])/1024; print(json.dumps(d))" "$line" "$rss")
    else
      line=$(bench/xr-linear/tessera.sh "$data" --threads 2 --seed "$seed" | tail -1)
    fi
    echo "{\"pair\": $i, \"side\": \"$side\", \"data\": \"$data\", \"result\": $line}" | tee -a "$out"
  done
done
