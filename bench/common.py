"""Shared helpers of the PyTorch peer scripts (bench/<name>/peer.py)."""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

M64 = (1 << 64) - 1


def det_matrix(rows, cols, salt, scale):
    """Twin of tessera-bench's `inputs::det_matrix` (bit-identical float32 values)."""
    k = np.arange(rows * cols, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = k + np.uint64((salt * 0x9E3779B9) & M64)
        x = x * np.uint64(6364136223846793005) + np.uint64(1442695040888963407)
        x ^= x >> np.uint64(33)
        x = x * np.uint64(0xFF51AFD7ED558CCD)
        x ^= x >> np.uint64(33)
    v = (x >> np.uint64(40)).astype(np.float32) / np.float32(16777216.0) - np.float32(0.5)
    return (v * np.float32(scale)).reshape(rows, cols)


def glorot_scale(fan_in, fan_out):
    return 2.0 * float(np.sqrt(np.float32(6.0) / np.float32(fan_in + fan_out)))


def parser(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--threads", type=int, default=int(os.environ.get("THREADS", "2")))
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--iters", type=int, default=10)
    return ap


def set_threads(n):
    import torch

    torch.set_num_threads(n)
    torch.set_num_interop_threads(1)


def median_seconds(warmup, iters, step):
    """Runs `step` warmup times, then iters timed times; returns (median s, last value)."""
    last = None
    for _ in range(warmup):
        last = step()
    times = []
    for _ in range(max(iters, 1)):
        t0 = time.perf_counter()
        last = step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), last


def emit(seconds, metric=None, value=None, **extra):
    out = {"seconds": seconds}
    if metric is not None:
        out["metric"] = metric
        out["value"] = value
    out.update(extra)
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


def load_graph(path):
    """Shared-data graph .npz -> (edge_index int64 2xE, dense float32 features, labels, train idx)."""
    d = np.load(path)
    if "features_shape" in d:
        import scipy.sparse as sp

        shape = tuple(int(v) for v in d["features_shape"])
        feats = sp.csr_matrix((d["features_data"], d["features_indices"], d["features_indptr"]), shape=shape)
        x = np.asarray(feats.todense(), dtype=np.float32)
    else:
        x = np.asarray(d["features"], dtype=np.float32)
    n = x.shape[0]
    labels = d["labels"].astype(np.int64) if "labels" in d else np.zeros(n, dtype=np.int64)
    train = np.nonzero(d["train_mask"])[0] if "train_mask" in d else np.arange(n)
    return d["edge_index"].astype(np.int64), x, labels, train


def normalized_adjacency(edge_index, n):
    """Â = D^-1/2 (A + I) D^-1/2 as a torch sparse CSR tensor (duplicates merged to 1)."""
    import scipy.sparse as sp
    import torch

    src = np.concatenate([edge_index[0], np.arange(n)])
    dst = np.concatenate([edge_index[1], np.arange(n)])
    a = sp.csr_matrix((np.ones(src.size, dtype=np.float32), (src, dst)), shape=(n, n))
    a.data[:] = 1.0  # merge duplicates
    a.sort_indices()
    deg = np.asarray(a.sum(axis=1)).ravel().astype(np.float32)
    inv = 1.0 / np.sqrt(deg)
    a = sp.diags(inv) @ a @ sp.diags(inv)
    a = a.tocsr().astype(np.float32)
    a.sort_indices()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "sparse CSR support is in beta"
        return torch.sparse_csr_tensor(
            torch.from_numpy(a.indptr.astype(np.int64)),
            torch.from_numpy(a.indices.astype(np.int64)),
            torch.from_numpy(a.data),
            size=(n, n),
            check_invariants=False,
        )
