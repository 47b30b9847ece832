"""Generates the shared synthetic inputs of the benchmarks (run by bench/run.sh).

`arxiv_like.npz`: a graph of ogbn-arxiv scale (169,343 nodes, 1,166,243
undirected edges stored in both directions, 128-d float32 features, 40
classes, a 54 % train mask), in the shared-data layout that
`tessera_data::GraphData::from_npz` reads (`edge_index`, `features`,
`labels`, `train_mask`). Endpoints are drawn with a heavy-tailed (Zipf-like)
popularity so degrees are skewed like a citation graph. Fixed seed: the file
is identical on every machine with the same numpy; it is only rebuilt when
missing.
"""
import argparse
from pathlib import Path

import numpy as np

NODES = 169_343
EDGES = 1_166_243
DIM = 128
CLASSES = 40


def arxiv_like(path: Path) -> None:
    rng = np.random.default_rng(20261121)
    # Popularity weights ~ rank^-0.8, shuffled over node ids.
    weight = (np.arange(1, NODES + 1, dtype=np.float64)) ** -0.8
    weight = weight[rng.permutation(NODES)]
    weight /= weight.sum()
    pairs = np.empty((0,), dtype=np.int64)
    while pairs.size < EDGES:
        n = int((EDGES - pairs.size) * 1.3) + 1000
        src = rng.integers(0, NODES, n)
        dst = rng.choice(NODES, n, p=weight)
        keep = src != dst
        lo = np.minimum(src[keep], dst[keep])
        hi = np.maximum(src[keep], dst[keep])
        pairs = np.unique(np.concatenate([pairs, lo * NODES + hi]))
    pairs = rng.permutation(pairs)[:EDGES]
    lo, hi = pairs // NODES, pairs % NODES
    edge_index = np.stack([np.concatenate([lo, hi]), np.concatenate([hi, lo])]).astype(np.int64)
    order = np.lexsort((edge_index[1], edge_index[0]))
    edge_index = np.ascontiguousarray(edge_index[:, order])
    features = rng.standard_normal((NODES, DIM), dtype=np.float32)
    labels = rng.integers(0, CLASSES, NODES).astype(np.int64)
    train_mask = rng.random(NODES) < 0.54
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, edge_index=edge_index, features=features, labels=labels, train_mask=train_mask)
    tmp.rename(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    target = a.out / "arxiv_like.npz"
    if not target.exists():
        arxiv_like(target)
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
