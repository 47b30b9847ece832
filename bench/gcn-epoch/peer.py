"""PyTorch Geometric peer of bench/gcn-epoch: one full-batch epoch of a 2-layer GCN
(GCNConv on the precomputed sparse Â, normalize=False; no dropout), mean
cross-entropy on the train nodes, Adam (lr 0.01, weight_decay 5e-4, eps 1e-8).
Same start weights (deterministic, Glorot-scaled, zero bias) as tessera."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import common  # noqa: E402

ap = common.parser(__doc__)
ap.add_argument("--graph", required=True)
ap.add_argument("--hidden", type=int, default=64)
a = ap.parse_args()
common.set_threads(a.threads)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_geometric.nn import GCNConv  # noqa: E402

edge_index, x_np, labels_np, train_np = common.load_graph(a.graph)
n, f = x_np.shape
classes = int(labels_np.max()) + 1
adj = common.normalized_adjacency(edge_index, n)
x = torch.from_numpy(x_np)
labels = torch.from_numpy(labels_np)
train = torch.from_numpy(train_np)


def conv(fan_in, fan_out, salt):
    c = GCNConv(fan_in, fan_out, normalize=False, bias=True)
    with torch.no_grad():
        w = common.det_matrix(fan_in, fan_out, salt, common.glorot_scale(fan_in, fan_out))
        c.lin.weight.copy_(torch.from_numpy(w).t())
        c.bias.zero_()
    return c


class Gcn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.first = conv(f, a.hidden, 1)
        self.second = conv(a.hidden, classes, 2)

    def forward(self, x, adj):
        return self.second(F.relu(self.first(x, adj)), adj)


model = Gcn()
opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4, eps=1e-8)


def step():
    opt.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(x, adj)[train], labels[train])
    loss.backward()
    opt.step()
    return loss


secs, loss = common.median_seconds(a.warmup, a.iters, step)
common.emit(secs, "loss_last_epoch", float(loss.detach()))
