"""PyTorch peer of bench/spmm: Â·H with torch.sparse CSR; fwd, or fwd+bwd of sum(Â·H ⊙ R) w.r.t. H."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import common  # noqa: E402

ap = common.parser(__doc__)
ap.add_argument("--graph", required=True)
ap.add_argument("--dim", type=int, default=64)
ap.add_argument("--pass", dest="pass_", choices=["fwd", "fwd-bwd"], default="fwd-bwd")
a = ap.parse_args()
common.set_threads(a.threads)
import torch  # noqa: E402

edge_index, x, _, _ = common.load_graph(a.graph)
n = x.shape[0]
adj = common.normalized_adjacency(edge_index, n)
h = torch.from_numpy(common.det_matrix(n, a.dim, 1, 2.0))
r = torch.from_numpy(common.det_matrix(n, a.dim, 2, 2.0))

if a.pass_ == "fwd":
    def step():
        with torch.no_grad():
            return adj @ h
else:
    h.requires_grad_(True)

    def step():
        h.grad = None
        loss = ((adj @ h) * r).sum()
        loss.backward()
        return h.grad

secs, out = common.median_seconds(a.warmup, a.iters, step)
common.emit(secs, checksum=float(out.sum()))
