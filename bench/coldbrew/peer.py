"""PyTorch peer of `tessera coldbrew reproduce --dataset cora --seeds 1`.

The same pipeline with the same settings (code-faithful Cold Brew, spec
docs/methods/coldbrew.md): official iterated-median split, teacher GCN + SE
(code form, eta-weighted non-squared Frobenius penalty) 1500 epochs on the cut
graph, targets = concatenated layer outputs, MLP1 1500 steps on train nodes,
one-GEMM top-K retrieval, MLP2 1500 steps (student MLPs Linear -> LayerNorm ->
Dropout -> Linear, the official getMLP, which inserts no activation); baselines
GCN (cut graph), GCN trained on the full graph, GraphSAGE-mean, MLP, 1500
epochs each; label propagation (alpha 0.5, 50 steps). Adam lr 0.005, wd 5e-4,
full batch.

Sparse features, as tessera: the bag-of-words matrix (1.3 % dense on Cora) is a
torch CSR tensor; dropout on it drops its stored values (the same distribution
as dense dropout: zeros stay zero) and X W runs as a sparse product whose
gradient X^T G uses a transpose built once (`SpMM`, also used for the graph
operators). A dense-feature version spends most of its time in torch's
Bernoulli sampler on the dense 2708 x 1433 input (about 0.1 s per dropout call
on this machine), which made one full run take more than 30 min.
Prints the JSON line {"seconds", "metric", "value"} last.
"""
import argparse, json, os, sys, time
# OpenMP's default wait policy (spinning threads) is the peer's fastest setting on an
# idle machine: 115 s against 188 s with OMP_WAIT_POLICY=PASSIVE (session 4). On a
# loaded machine spinning stalls (a descheduled thread holds up the region); set
# OMP_WAIT_POLICY=PASSIVE in the environment there. tessera's helper team spins too.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("dataset", nargs="?", default="cora")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--epochs", type=int, default=1500)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--study", action="store_true",
               help="instead of the benchmark: the stage-2 protocol study (see study_stage2)")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
np.random.seed(args.seed)
t0 = time.time()

root = os.environ.get("SHARED_DATA", "/work/shared/data")
z = np.load(f"{root}/planetoid/{args.dataset}.npz")
n, d = z["features_shape"]
ip, ix = z["features_indptr"], z["features_indices"]
xv = z["features_data"].astype(np.float32)
rs = np.add.reduceat(xv, ip[:-1]) if len(xv) else np.zeros(n, np.float32)
rs[np.diff(ip) == 0] = 1
xv = xv / np.repeat(rs, np.diff(ip)).astype(np.float32)
y = torch.tensor(z["labels"]); C = int(y.max()) + 1
ei = z["edge_index"]
train = torch.arange(600); test = torch.arange(600, n)
H, DROP, LR, WD, ETA, K, E = 64, 0.6, 0.005, 5e-4, 32.0, 3, args.epochs

class SpMM(torch.autograd.Function):
    """A @ H for a constant CSR A; the gradient in H is A^T G with A^T built once."""
    @staticmethod
    def forward(ctx, a, at, h):
        ctx.at = at
        return torch.sparse.mm(a, h)
    @staticmethod
    def backward(ctx, g):
        return None, None, torch.sparse.mm(ctx.at, g)

class Csr:
    """A CSR matrix with its transpose's structure (for SpMM and value dropout)."""
    def __init__(self, rows, cols, vals, shape):
        rows, cols, vals = np.asarray(rows), np.asarray(cols), np.asarray(vals, np.float32)
        o = np.lexsort((cols, rows)); rows, cols, vals = rows[o], cols[o], vals[o]
        self.shape, self.vals = shape, torch.tensor(vals)
        self.crow = torch.tensor(np.r_[0, np.cumsum(np.bincount(rows, minlength=shape[0]))])
        self.col = torch.tensor(cols)
        p = np.lexsort((rows, cols))  # positions in transpose (CSC) order
        self.perm = torch.tensor(p)
        self.crow_t = torch.tensor(np.r_[0, np.cumsum(np.bincount(cols, minlength=shape[1]))])
        self.col_t = torch.tensor(rows[p])
        self.a, self.at = self.with_values(self.vals)
    def with_values(self, v):
        a = torch.sparse_csr_tensor(self.crow, self.col, v, self.shape)
        at = torch.sparse_csr_tensor(self.crow_t, self.col_t, v[self.perm], self.shape[::-1])
        return a, at
    def mm(self, h, drop=0.0):
        a, at = self.a, self.at
        if drop > 0:
            keep = (torch.rand(self.vals.shape[0]) >= drop).float() / (1 - drop)
            a, at = self.with_values(self.vals * keep)
        return SpMM.apply(a, at, h)

row_ids = np.repeat(np.arange(n), np.diff(ip))
X = Csr(row_ids, ix, xv, (n, d))
Xtrain = Csr(row_ids[row_ids < 600], ix[row_ids < 600], xv[row_ids < 600], (600, d))

def adjacency(src, dst):
    a = set(zip(src.tolist(), dst.tolist())) | {(i, i) for i in range(n)}
    a = np.array(sorted(a)).T
    return a

def norm_ops(a):
    deg = np.bincount(a[0], minlength=n).astype(np.float32)
    dis = 1 / np.sqrt(deg)
    sym = Csr(a[0], a[1], dis[a[0]] * dis[a[1]], (n, n))
    left = Csr(a[0], a[1], dis[a[0]], (n, n))
    nl = a[:, a[0] != a[1]]
    dn = np.bincount(nl[0], minlength=n).astype(np.float32); dn[dn == 0] = 1
    mean = Csr(nl[0], nl[1], 1 / dn[nl[0]], (n, n))
    return sym, left, mean

full = adjacency(ei[0], ei[1])
deg = np.bincount(full[1], minlength=n)
def iterate(rounds, keep):
    s = np.arange(n)
    for _ in range(rounds):
        s = s[keep(deg[s], np.median(deg[s]))]
    return s
low = iterate(4, lambda d, m: d <= m)
low = low[np.lexsort((low, deg[low]))]
iso, tail = low[: len(low) // 2], low[len(low) // 2:]
head = iterate(5, lambda d, m: d >= m)
isolated = np.zeros(n, bool); isolated[iso] = True
keep = (full[0] == full[1]) | ~(isolated[full[0]] | isolated[full[1]])
cut = full[:, keep]
sym_c, left_c, mean_c = norm_ops(cut)
sym_f, _, _ = norm_ops(full)
is_test = np.zeros(n, bool); is_test[600:] = True
sets = {"isolation": iso[is_test[iso]], "tail": tail[is_test[tail]], "head": head[is_test[head]], "overall": np.arange(600, n)}

def accs(logits):
    pred = logits.argmax(1)
    return {k: float((pred[v] == y[v]).float().mean() * 100) for k, v in sets.items()}

class GCN(nn.Module):
    def __init__(self, se):
        super().__init__()
        self.l = nn.ModuleList([nn.Linear(d, H), nn.Linear(H, C)])
        for l in self.l:
            nn.init.xavier_uniform_(l.weight); nn.init.zeros_(l.bias)
        self.se = nn.ParameterList([nn.Parameter(torch.randn(n, H))]) if se else None
    def layers(self, a, left):
        drop = DROP if self.training else 0.0
        outs = []
        for i, l in enumerate(self.l):
            if i == 0:
                hw = X.mm(l.weight.T, drop)
            else:
                hw = F.dropout(F.relu(outs[-1]), DROP, self.training) @ l.weight.T
            o = a.mm(hw) + l.bias
            if self.se is not None and i == 0:
                o = o + left.mm(self.se[0])
            outs.append(o)
        return outs
    def forward(self, a, left=None):
        return self.layers(a, left)[-1]
    def penalty(self):
        return ETA * self.se[0].norm() if self.se is not None else 0.0

class SAGE(nn.Module):
    def __init__(self):
        super().__init__()
        self.r = nn.ModuleList([nn.Linear(d, H), nn.Linear(H, C)])
        self.n = nn.ModuleList([nn.Linear(d, H, bias=False), nn.Linear(H, C, bias=False)])
    def forward(self, mean):
        # first layer: one dropped X times [W_root | W_neigh]
        both = X.mm(torch.cat([self.r[0].weight, self.n[0].weight]).T, DROP if self.training else 0.0)
        h = both[:, :H] + self.r[0].bias + mean.mm(both[:, H:])
        h = F.dropout(F.relu(h), DROP, self.training)
        return self.r[1](h) + mean.mm(self.n[1](h))

class MLP(nn.Module):
    """Linear(sparse features [+ dense columns]) -> ([LayerNorm] [act] Dropout Linear)*."""
    def __init__(self, i, hid, o, ln=True, act=None, drop=0.5):
        super().__init__()
        self.first = nn.Linear(i, hid[0])
        rest = []
        for a, b in zip(hid, hid[1:] + [o]):
            if ln: rest.append(nn.LayerNorm(a))
            if act: rest.append(act())
            rest += [nn.Dropout(drop), nn.Linear(a, b)]
        self.rest = nn.Sequential(*rest)
    def forward(self, xs, dense=None):
        w = self.first.weight
        h = xs.mm(w[:, :d].T) + self.first.bias
        if dense is not None:
            h = h + dense @ w[:, d:].T
        return self.rest(h)

def fit(model, loss_fn):
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WD)
    model.train()
    for _ in range(E):
        opt.zero_grad(); loss = loss_fn(); loss.backward(); opt.step()
    model.eval()
    return model

res = {}
teacher = GCN(True)
fit(teacher, lambda: F.cross_entropy(teacher(sym_c, left_c)[train], y[train]) + teacher.penalty())
with torch.no_grad():
    res["coldbrew-teacher"] = accs(teacher(sym_c, left_c))
    tgt = torch.cat(teacher.layers(sym_c, left_c), 1)
m1 = MLP(d, [256], tgt.shape[1])
fit(m1, lambda: F.mse_loss(m1(Xtrain), tgt[train]))

def retrieve(q):
    top, idx = (q @ tgt.T).topk(K, dim=1)
    return (F.softmax(top, 1).unsqueeze(2) * tgt[idx]).sum(1)

def study_stage2():
    """How the official stage 2 and its reporting rule move the student.

    Three MLP2 trainings from the same MLP1, each reporting isolation accuracy
    at the last epoch and the maximum over evaluations every 10 epochs (the
    official main.py prints the maximum over epochs of the test accuracy):
    `fixed` = e_hat computed once (tessera's default); `official` = the official
    SEMLP.forward_part2: MLP1 in training mode recomputes e_hat every step,
    the retrieval scores alpha0 * e_hat, and a fresh Adam over every parameter
    moves MLP1 (zeroed, not None, gradients as in PyTorch 1.x) by its weight
    decay alone; `official-no-decay` = the same without MLP1 in the optimiser.
    Prints one JSON line.
    """
    import copy
    m1_state = copy.deepcopy(m1.state_dict())
    with torch.no_grad():
        m1.eval(); e_hat0 = m1(X); e_til0 = retrieve(e_hat0)
    out = {"seed": args.seed}
    for variant in ["fixed", "official", "official-no-decay"]:
        m1.load_state_dict(m1_state)
        torch.manual_seed(args.seed + 1000)
        m2 = MLP(d + 2 * tgt.shape[1], [256], C)
        alphas = nn.Parameter(torch.tensor([1e-4, 1e-4]))
        def forward(xs, rows, training):
            if variant == "fixed":
                eh, et = e_hat0[rows] * alphas[0], e_til0[rows]
            else:
                m1.train(training)
                with torch.no_grad():
                    raw = m1(xs)
                eh = raw * alphas[0]
                et = retrieve(eh.detach())
            return m2(xs, torch.cat([et * alphas[1], eh], 1))
        params = list(m2.parameters()) + [alphas]
        if variant == "official":
            params += list(m1.parameters())
            for q in m1.parameters():
                q.grad = torch.zeros_like(q)
        opt = torch.optim.Adam(params, lr=LR, weight_decay=WD)
        best = 0.0
        for ep in range(E):
            m2.train()
            opt.zero_grad(set_to_none=False)
            F.cross_entropy(forward(Xtrain, train, True), y[train]).backward()
            opt.step()
            if ep % 10 == 9 or ep == E - 1:
                m2.eval()
                with torch.no_grad():
                    last = accs(forward(X, torch.arange(n), False))["isolation"]
                best = max(best, last)
        out[variant] = {"last": last, "max_over_epochs": best,
                        "mlp1_mean_abs_w": float(m1.first.weight.detach().abs().mean())}
    print(json.dumps(out))

if args.study:
    study_stage2()
    sys.exit(0)
with torch.no_grad():
    e_hat = m1(X)
    e_til = retrieve(e_hat)
alphas = nn.Parameter(torch.tensor([1e-4, 1e-4]))
m2 = MLP(d + 2 * tgt.shape[1], [256], C)
class Head(nn.Module):
    def __init__(self):
        super().__init__(); self.m, self.a = m2, alphas
    def forward(self, xs, rows):
        return self.m(xs, torch.cat([e_til[rows] * self.a[1], e_hat[rows] * self.a[0]], 1))
head_m = Head()
fit(head_m, lambda: F.cross_entropy(head_m(Xtrain, train), y[train]))
with torch.no_grad():
    res["coldbrew-student"] = accs(head_m(X, torch.arange(n)))
g = GCN(False); fit(g, lambda: F.cross_entropy(g(sym_c)[train], y[train]))
with torch.no_grad(): res["gcn"] = accs(g(sym_c))
gf = GCN(False); fit(gf, lambda: F.cross_entropy(gf(sym_f)[train], y[train]))
with torch.no_grad(): res["gcn-fullgraph"] = accs(gf(sym_c))
sg = SAGE(); fit(sg, lambda: F.cross_entropy(sg(mean_c)[train], y[train]))
with torch.no_grad(): res["sage"] = accs(sg(mean_c))
mm = MLP(d, [128, 128], C, ln=False, act=nn.ReLU)
fit(mm, lambda: F.cross_entropy(mm(Xtrain), y[train]))
with torch.no_grad(): res["mlp"] = accs(mm(X))
y0 = torch.zeros(n, C); y0[train, y[train]] = 1; r = y0.clone()
for _ in range(50):
    r = (0.5 * sym_f.mm(r) + 0.5 * y0).clamp(0, 1)
res["lp"] = accs(r)
secs = time.time() - t0
print(json.dumps(res), file=sys.stderr)
print(json.dumps({"seconds": secs, "metric": "student_isolation_accuracy", "value": res["coldbrew-student"]["isolation"]}))
