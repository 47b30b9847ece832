"""PECOS side of bench/xr-linear: libpecos XR-Linear with its defaults on the same files.

Usage: python peer.py DATA_DIR --threads N [--seed S]
DATA_DIR holds X.trn.npz, Y.trn.npz, X.tst.npz, Y.tst.npz (and optionally tst_own.npy).
Times PIFA + hierarchical k-means + ranker training (data loading excluded), then beam-search
prediction on the test rows; prints one JSON line with precision@1/5 (and with the row's own id
removed from the ranking when tst_own.npy exists). --seed is the hierarchical k-means seed (the
only seed PECOS exposes: its ranker solver always shuffles with seed 0).
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import scipy.sparse as sp


def precision(pred, truth, k, own=None):
    hits = np.zeros(k)
    for i in range(truth.shape[0]):
        t = set(truth.indices[truth.indptr[i]:truth.indptr[i + 1]])
        lo, hi = pred.indptr[i], pred.indptr[i + 1]
        order = np.argsort(-pred.data[lo:hi], kind="stable")
        ranked = [l for l in pred.indices[lo:hi][order] if own is None or l != own[i]][:k]
        c = np.cumsum([l in t for l in ranked]) if ranked else np.zeros(0)
        hits[:len(c)] += c
        if len(c):
            hits[len(c):] += c[-1]
    return (hits / truth.shape[0] / np.arange(1, k + 1)).tolist()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "2")))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    from pecos.xmc import Indexer, LabelEmbeddingFactory
    from pecos.xmc.xlinear.model import XLinearModel

    X = XLinearModel.load_feature_matrix(f"{a.data}/X.trn.npz")
    Y = XLinearModel.load_label_matrix(f"{a.data}/Y.trn.npz", for_training=True)
    Xt = XLinearModel.load_feature_matrix(f"{a.data}/X.tst.npz")
    Yt = XLinearModel.load_label_matrix(f"{a.data}/Y.tst.npz")
    t0 = time.perf_counter()
    label_feat = LabelEmbeddingFactory.create(Y, X, method="pifa")
    chain = Indexer.gen(label_feat, indexer_type="hierarchicalkmeans", nr_splits=16, max_leaf_size=100, seed=a.seed,
                        threads=a.threads)
    model = XLinearModel.train(X, Y, C=chain, threads=a.threads)
    train_s = time.perf_counter() - t0
    k = 5
    own = np.load(f"{a.data}/tst_own.npy") if os.path.exists(f"{a.data}/tst_own.npy") else None
    t0 = time.perf_counter()
    pred = model.predict(Xt, beam_size=10, only_topk=20 + (own is not None), threads=a.threads)
    pred_s = time.perf_counter() - t0
    p = precision(sp.csr_matrix(pred), sp.csr_matrix(Yt), k)
    out = {"seed": a.seed, "seconds": train_s, "metric": "p@1", "value": p[0], "p@5": p[k - 1],
           "ms_per_query": 1e3 * pred_s / Xt.shape[0],
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if own is not None:
        q = precision(sp.csr_matrix(pred), sp.csr_matrix(Yt), k, own)
        out.update({"p@1_own_removed": q[0], "p@5_own_removed": q[k - 1]})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
