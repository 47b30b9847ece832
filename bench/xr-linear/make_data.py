"""Writes the XMC files both XR-Linear implementations train on (scipy CSR .npz, float32).

  coauthor-physics: GIANT's neighbourhood problem. X = TF-IDF (smooth idf, l2 rows) of the
      keyword counts, Y = adjacency rows (undirected, no self loops); random 80/20 node split
      (seed 0); edgeless rows dropped. test_own.npy holds each test row's node id.
  generated: 220,000 instances (200,000 train / 20,000 test), 100,000 labels, 100,000 features,
      ~100 nnz per row, 1-4 labels per row drawn around latent topics.

Usage: python make_data.py OUT_DIR [coauthor-physics|generated ...]
"""
import os
import sys

import numpy as np
import scipy.sparse as sp

SHARED = os.environ.get("SHARED_DATA", "/work/shared/data")


def save(path, m):
    m = sp.csr_matrix(m, dtype=np.float32)
    m.sort_indices()
    sp.save_npz(path, m, compressed=False)


def l2_rows(m):
    m = sp.csr_matrix(m, dtype=np.float64)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def coauthor_physics(out):
    d = np.load(f"{SHARED}/amazon_coauthor/coauthor_physics.npz")
    n, f = (int(v) for v in d["features_shape"])
    counts = sp.csr_matrix((d["features_data"], d["features_indices"], d["features_indptr"]), shape=(n, f))
    df = np.bincount(counts.indices, minlength=f)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = l2_rows(counts @ sp.diags(idf))
    src, dst = d["edge_index"]
    a = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    a = ((a + a.T) > 0).astype(np.float32)
    a.setdiag(0)
    a.eliminate_zeros()
    keep = np.flatnonzero(np.diff(a.indptr) > 0)
    rng = np.random.default_rng(0)
    perm = rng.permutation(keep)
    cut = int(0.8 * len(perm))
    trn, tst = np.sort(perm[:cut]), np.sort(perm[cut:])
    os.makedirs(out, exist_ok=True)
    save(f"{out}/X.trn.npz", x[trn])
    save(f"{out}/Y.trn.npz", a[trn])
    save(f"{out}/X.tst.npz", x[tst])
    save(f"{out}/Y.tst.npz", a[tst])
    np.save(f"{out}/tst_own.npy", tst.astype(np.int64))
    print(f"coauthor-physics: {len(trn)} train / {len(tst)} test rows, {f} features, {n} labels")


def generated(out, n_trn=200_000, n_tst=20_000, n_labels=100_000, n_feat=100_000, seed=0):
    rng = np.random.default_rng(seed)
    n = n_trn + n_tst
    n_topics = 2_000
    # Every label belongs to a topic and owns 20 "label words"; every topic owns 60 "topic words".
    label_topic = rng.integers(0, n_topics, n_labels)
    label_words = rng.integers(0, n_feat, (n_labels, 20))
    topic_words = rng.integers(0, n_feat, (n_topics, 60))
    topic_labels = [np.flatnonzero(label_topic == t) for t in range(n_topics)]
    primary = rng.integers(0, n_labels, n)
    extra = rng.integers(0, 4, n)
    rows_y, cols_y, rows_x, cols_x, vals_x = [], [], [], [], []
    zipf = rng.zipf(1.3, size=(n, 30)) % n_feat
    for i in range(n):
        lab = [primary[i]]
        pool = topic_labels[label_topic[primary[i]]]
        if extra[i] and len(pool) > 1:
            lab.extend(rng.choice(pool, size=min(extra[i], len(pool)), replace=False))
        lab = np.unique(lab)
        rows_y.append(np.full(len(lab), i))
        cols_y.append(lab)
        words = np.concatenate([
            rng.choice(label_words[lab].ravel(), 65),
            rng.choice(topic_words[label_topic[primary[i]]], 70),
            zipf[i],
        ])
        rows_x.append(np.full(len(words), i))
        cols_x.append(words)
    y = sp.csr_matrix((np.ones(sum(map(len, cols_y)), np.float32), (np.concatenate(rows_y), np.concatenate(cols_y))), shape=(n, n_labels))
    y.data[:] = 1.0
    counts = sp.csr_matrix((np.ones(sum(map(len, cols_x))), (np.concatenate(rows_x), np.concatenate(cols_x))), shape=(n, n_feat))
    df = np.bincount(counts.indices, minlength=n_feat)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    x = l2_rows(counts @ sp.diags(idf))
    os.makedirs(out, exist_ok=True)
    save(f"{out}/X.trn.npz", x[:n_trn])
    save(f"{out}/Y.trn.npz", y[:n_trn])
    save(f"{out}/X.tst.npz", x[n_trn:])
    save(f"{out}/Y.tst.npz", y[n_trn:])
    print(f"generated: {n_trn} train / {n_tst} test rows, {n_feat} features, {n_labels} labels, "
          f"{x.nnz / n:.1f} nnz/row, {y.nnz / n:.2f} labels/row")


if __name__ == "__main__":
    out = sys.argv[1]
    which = sys.argv[2:] or ["coauthor-physics", "generated"]
    for w in which:
        {"coauthor-physics": coauthor_physics, "generated": generated}[w](os.path.join(out, w))
