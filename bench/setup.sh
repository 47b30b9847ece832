#!/usr/bin/env bash
# Create the Python venv with the PyTorch-side peers: bench/.venv
#
# PyPI is the only reachable index. What we found (2026-11, torch 2.15.0, cp311):
#  * PyPI's Linux x86_64 torch wheel (539 MB) is the CUDA build; there is no
#    CPU-only torch wheel on PyPI for Linux x86_64 (the +cpu wheels live on
#    download.pytorch.org, which is not reachable).
#  * `pip install torch --no-deps` is not enough: `import torch` fails with
#    "libcudart.so.13: cannot open shared object file" and then
#    "libcublasLt.so.*[0-9] not found", because torch preloads the nvidia-*
#    / cuda-toolkit libraries at import time.
#  * So we install torch with its dependencies (pinned 2.15.0, resolved from PyPI with cuda-toolkit 13.2 / nvidia-cudnn-cu13: about 4 GB of CUDA libraries that
#    stay unused; the venv is about 6 GB); on a machine without a GPU torch runs on CPU with its usual
#    MKL/oneDNN/OpenMP kernels, which are the same as in the +cpu wheel.
# Usage: bench/setup.sh            (idempotent; re-run to repair)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
py="${PYTHON:-python3}"
TORCH_VERSION="${TORCH_VERSION:-2.15.0}"

if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
pip() { "$venv/bin/python" -m pip "$@"; }
pip install --upgrade --quiet pip setuptools wheel
pip install --quiet "torch==${TORCH_VERSION}"
# libpecos pins numpy < 2 (we got numpy 1.26.4, scipy 1.13.1, torch_geometric 2.8.1).
pip install --quiet numpy scipy torch_geometric libpecos

"$venv/bin/python" - <<'PY'
import numpy, scipy, torch, torch_geometric
from torch_geometric.nn import GCNConv
print(f"torch {torch.__version__} (cuda available: {torch.cuda.is_available()}), "
      f"torch_geometric {torch_geometric.__version__}, numpy {numpy.__version__}, scipy {scipy.__version__}")
try:
    import pecos  # libpecos
    print("libpecos ok")
except Exception as e:  # libpecos is only needed by bench/xr-linear
    print(f"libpecos import failed: {e}")
a = torch.randn(64, 64, requires_grad=True)
(a @ a).sum().backward()
assert a.grad is not None
import sys
print("bench venv ready:", sys.prefix)
PY
