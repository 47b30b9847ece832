"""PyTorch peer of bench/infonce: symmetric InfoNCE fwd+bwd on the same unit-norm pairs.

loss = (CE(s, arange) + CE(sᵀ, arange)) / 2 with s = z wᵀ · (1/τ); gradients
for z, w and the scale (a learnable temperature, as in the tessera kernel).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import common  # noqa: E402

ap = common.parser(__doc__)
ap.add_argument("--batch", type=int, default=4096)
ap.add_argument("--dim", type=int, default=128)
ap.add_argument("--tau", type=float, default=0.07)
a = ap.parse_args()
common.set_threads(a.threads)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def unit(salt):
    v = common.det_matrix(a.batch, a.dim, salt, 2.0)
    v = v / np.maximum(np.sqrt((v * v).sum(axis=1, keepdims=True, dtype=np.float32)), np.float32(1e-12))
    return torch.from_numpy(v.astype(np.float32)).requires_grad_(True)


z, w = unit(1), unit(2)
scale = torch.tensor([1.0 / a.tau], dtype=torch.float32, requires_grad=True)
target = torch.arange(a.batch)


def step():
    z.grad = w.grad = scale.grad = None
    s = (z @ w.t()) * scale
    loss = (F.cross_entropy(s, target) + F.cross_entropy(s.t(), target)) / 2
    loss.backward()
    return loss


secs, loss = common.median_seconds(a.warmup, a.iters, step)
common.emit(secs, "loss", float(loss.detach()))
