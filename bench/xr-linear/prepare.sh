#!/usr/bin/env bash
# Input preparation of bench/xr-linear (run by the harness before the cases):
# writes the XMC files of each problem once, into bench/out/xr-linear/<problem>.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/out/xr-linear"
for problem in coauthor-physics generated; do
  if [ ! -f "$out/$problem/Y.tst.npz" ]; then
    "$root/bench/.venv/bin/python" "$root/bench/xr-linear/make_data.py" "$out" "$problem"
  fi
done
