"""PyTorch peer of bench/two-tower: one two-tower contrastive training step.

Same model as `tessera contrastive bench-step`: per view an MLP
(Linear+ReLU for each hidden width, then a Linear head), L2-normalised
outputs, symmetric InfoNCE with a fixed temperature τ = 0.1
((CE(s, arange) + CE(sᵀ, arange)) / 2 with s = z wᵀ / τ), backward, and
AdamW (lr 1e-3, weight decay 1e-4). Inputs: the same deterministic
`det_matrix` rows as the tessera side, one fixed batch.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import common  # noqa: E402

ap = common.parser(__doc__)
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--dims", default="240,76")
ap.add_argument("--hidden", default="256,256")
ap.add_argument("--embed-dim", type=int, default=64)
ap.add_argument("--tau", type=float, default=0.1)
a = ap.parse_args()
common.set_threads(a.threads)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)
dims = [int(d) for d in a.dims.split(",")]
hidden = [int(h) for h in a.hidden.split(",") if h]


def tower(d):
    layers, width = [], d
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
        width = h
    layers.append(torch.nn.Linear(width, a.embed_dim))
    return torch.nn.Sequential(*layers)


towers = torch.nn.ModuleList([tower(d) for d in dims])
opt = torch.optim.AdamW(towers.parameters(), lr=1e-3, weight_decay=1e-4)
xa = torch.from_numpy(common.det_matrix(a.batch, dims[0], 1, 2.0))
xb = torch.from_numpy(common.det_matrix(a.batch, dims[1], 2, 2.0))
target = torch.arange(a.batch)


def step():
    opt.zero_grad(set_to_none=True)
    z = F.normalize(towers[0](xa), dim=1)
    w = F.normalize(towers[1](xb), dim=1)
    s = (z @ w.t()) / a.tau
    loss = (F.cross_entropy(s, target) + F.cross_entropy(s.t(), target)) / 2
    loss.backward()
    opt.step()
    return float(loss.detach())


secs, loss = common.median_seconds(a.warmup, a.iters, step)
common.emit(secs, "loss", loss)
