//! Balanced hierarchical spherical 2-means label tree, regrouped into a chain
//! of `nr_splits`-ary levels (PECOS's `HierarchicalKMeans` + `ClusterChain`).

use crate::sparse::{LocalRows, sparse_dot};
use rand::Rng as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tessera_core::{Error, Result, Seed};
use tessera_data::CsrMatrix;

/// Label-tree options (PECOS defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeConfig {
    /// Out-degree B of every chain level (a power of two).
    pub nr_splits: usize,
    /// Largest number of labels in a leaf cluster.
    pub max_leaf_size: usize,
    /// ℓ2-normalise centroids (spherical k-means) instead of plain means.
    pub spherical: bool,
    /// Iterations of every 2-means problem.
    pub kmeans_max_iter: usize,
}

impl Default for TreeConfig {
    fn default() -> Self {
        TreeConfig {
            nr_splits: 16,
            max_leaf_size: 100,
            spherical: true,
            kmeans_max_iter: 20,
        }
    }
}

/// One level of the chain: `parent[k]` is the level-above cluster of cluster `k`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterLevel {
    /// Parent of every cluster of this level.
    pub parent: Vec<u32>,
    /// Number of clusters in the level above (1 for the top level).
    pub num_parents: usize,
}

impl ClusterLevel {
    /// Number of clusters in this level.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether the level is empty.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Children of every parent as (row pointer, child ids), children in increasing id.
    pub fn children(&self) -> (Vec<usize>, Vec<u32>) {
        let mut ptr = vec![0usize; self.num_parents + 1];
        for &p in &self.parent {
            ptr[p as usize + 1] += 1;
        }
        for i in 0..self.num_parents {
            ptr[i + 1] += ptr[i];
        }
        let mut next = ptr.clone();
        let mut kids = vec![0u32; self.parent.len()];
        for (k, &p) in self.parent.iter().enumerate() {
            kids[next[p as usize]] = k as u32;
            next[p as usize] += 1;
        }
        (ptr, kids)
    }
}

/// The chain from the root to the labels; the last level's clusters are the labels.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterChain {
    /// Levels from the top (children of the root) to the labels.
    pub levels: Vec<ClusterLevel>,
}

/// Depth of the binary tree: `max(1, ceil(log2(L / max_leaf_size)))`.
pub fn binary_depth(num_labels: usize, max_leaf_size: usize) -> usize {
    let ratio = num_labels as f64 / max_leaf_size as f64;
    (ratio.log2().ceil().max(1.0)) as usize
}

impl ClusterChain {
    /// Clusters the rows of `z` (one per label) into a balanced chain.
    pub fn build(z: &CsrMatrix, config: &TreeConfig, seed: Seed) -> Result<Self> {
        let l = z.rows;
        if l == 0 {
            return Err(Error::input(
                "label embeddings",
                "rows",
                "at least one label",
                "0 labels",
            ));
        }
        if config.nr_splits < 2 || !config.nr_splits.is_power_of_two() {
            return Err(Error::Config(format!(
                "tree nr_splits must be a power of two ≥ 2, got {}",
                config.nr_splits
            )));
        }
        if config.max_leaf_size == 0 {
            return Err(Error::Config("tree max_leaf_size must be ≥ 1".into()));
        }
        if config.max_leaf_size >= l {
            return Ok(ClusterChain {
                levels: vec![ClusterLevel {
                    parent: vec![0; l],
                    num_parents: 1,
                }],
            });
        }
        let depth = binary_depth(l, config.max_leaf_size);
        if (1usize << depth) > l {
            return Err(Error::Config(format!(
                "{l} labels cannot fill 2^{depth} leaf clusters; raise max_leaf_size"
            )));
        }
        let mut members: Vec<u32> = (0..l as u32).collect();
        let mut codes = vec![0u32; l];
        let job = Partition {
            z,
            config,
            seed,
            depth,
        };
        job.split(&mut members, &mut codes, 0, 0);
        let mut leaf_of = vec![0u32; l];
        for (&m, &c) in members.iter().zip(&codes) {
            leaf_of[m as usize] = c;
        }
        let mut levels = vec![ClusterLevel {
            parent: leaf_of,
            num_parents: 1 << depth,
        }];
        let mut codes_now = 1usize << depth;
        while codes_now > config.nr_splits {
            let parents = codes_now.div_ceil(config.nr_splits);
            levels.push(ClusterLevel {
                parent: (0..codes_now as u32)
                    .map(|c| c / config.nr_splits as u32)
                    .collect(),
                num_parents: parents,
            });
            codes_now = parents;
        }
        if codes_now > 1 {
            levels.push(ClusterLevel {
                parent: vec![0; codes_now],
                num_parents: 1,
            });
        }
        levels.reverse();
        Ok(ClusterChain { levels })
    }

    /// Number of labels (clusters of the last level).
    pub fn num_labels(&self) -> usize {
        self.levels.last().map_or(0, ClusterLevel::len)
    }

    /// For level `t`, the level-`t` cluster of every label.
    pub fn label_to_level(&self, t: usize) -> Vec<u32> {
        let mut map: Vec<u32> = (0..self.num_labels() as u32).collect();
        for level in self.levels[t + 1..].iter().rev() {
            map.iter_mut().for_each(|c| *c = level.parent[*c as usize]);
        }
        map
    }
}

struct Partition<'a> {
    z: &'a CsrMatrix,
    config: &'a TreeConfig,
    seed: Seed,
    depth: usize,
}

impl Partition<'_> {
    /// Recursively splits `members` in place; `codes` receives each position's leaf code.
    fn split(&self, members: &mut [u32], codes: &mut [u32], level: usize, code: u32) {
        if level == self.depth {
            codes.iter_mut().for_each(|c| *c = code);
            return;
        }
        self.two_means(members, code, level);
        let half = members.len() / 2;
        let (ml, mr) = members.split_at_mut(half);
        let (cl, cr) = codes.split_at_mut(half);
        rayon::join(
            || self.split(ml, cl, level + 1, 2 * code),
            || self.split(mr, cr, level + 1, 2 * code + 1),
        );
    }

    /// Balanced 2-means: reorders `members` so the first ⌊n/2⌋ form the left cluster.
    fn two_means(&self, members: &mut [u32], code: u32, level: usize) {
        let n = members.len();
        let local = LocalRows::gather(self.z, members);
        let dim = local.features.len();
        let mut rng = self.seed.rng(&format!("kmeans/{level}/{code}"));
        let a = rng.random_range(0..n);
        let b = (a + 1 + rng.random_range(0..n - 1)) % n;
        let mut c = vec![0f32; dim];
        add_row(&local, b, 1.0, &mut c);
        add_row(&local, a, -1.0, &mut c);
        let half = n / 2;
        let mut order: Vec<usize> = (0..n).collect();
        let mut left = vec![false; n];
        let mut scores = vec![0f32; n];
        for iter in 0..self.config.kmeans_max_iter.max(1) {
            scores
                .par_iter_mut()
                .with_min_len(PAR_MIN_ROWS)
                .enumerate()
                .for_each(|(i, s)| {
                    let (cols, vals) = local.row(i);
                    *s = sparse_dot(cols, vals, &c);
                });
            order.sort_unstable_by(|&i, &j| {
                scores[i]
                    .total_cmp(&scores[j])
                    .then(members[i].cmp(&members[j]))
            });
            let mut changed = false;
            for (rank, &i) in order.iter().enumerate() {
                let now = rank < half;
                changed |= now != left[i];
                left[i] = now;
            }
            if iter > 0 && !changed {
                break;
            }
            let (mut cl, mut cr) = side_sums(&local, &left);
            self.finish_centroid(&mut cl, half);
            self.finish_centroid(&mut cr, n - half);
            c.iter_mut()
                .zip(cl.iter().zip(&cr))
                .for_each(|(ci, (l, r))| *ci = r - l);
        }
        let reordered: Vec<u32> = order.iter().map(|&i| members[i]).collect();
        members.copy_from_slice(&reordered);
    }

    fn finish_centroid(&self, c: &mut [f32], count: usize) {
        let scale = if self.config.spherical {
            let norm = c.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 { 1.0 / norm } else { 0.0 }
        } else {
            1.0 / count.max(1) as f32
        };
        c.iter_mut().for_each(|v| *v *= scale);
    }
}

/// Rows per task below which k-means work is not split further between threads.
const PAR_MIN_ROWS: usize = 4096;

/// Most row chunks the centroid sums are split into; chunk bounds depend only on the
/// row count, and partial sums are added in chunk order, so results do not depend on
/// the thread count.
const MAX_CHUNKS: usize = 16;

/// Sums of the rows on the left and on the right (parallel over row chunks).
fn side_sums(local: &LocalRows, left: &[bool]) -> (Vec<f32>, Vec<f32>) {
    let dim = local.features.len();
    let chunk = PAR_MIN_ROWS.max(left.len().div_ceil(MAX_CHUNKS));
    let parts: Vec<(Vec<f32>, Vec<f32>)> = left
        .par_chunks(chunk)
        .enumerate()
        .map(|(c, part)| {
            let (mut cl, mut cr) = (vec![0f32; dim], vec![0f32; dim]);
            for (j, &is_left) in part.iter().enumerate() {
                let out = if is_left { &mut cl } else { &mut cr };
                add_row(local, c * chunk + j, 1.0, out);
            }
            (cl, cr)
        })
        .collect();
    let mut parts = parts.into_iter();
    let (mut cl, mut cr) = parts
        .next()
        .unwrap_or_else(|| (vec![0f32; dim], vec![0f32; dim]));
    for (bl, br) in parts {
        cl.iter_mut().zip(&bl).for_each(|(a, b)| *a += b);
        cr.iter_mut().zip(&br).for_each(|(a, b)| *a += b);
    }
    (cl, cr)
}

fn add_row(local: &LocalRows, i: usize, sign: f32, out: &mut [f32]) {
    let (cols, vals) = local.row(i);
    for (&col, &v) in cols.iter().zip(vals) {
        out[col as usize] += sign * v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparse::from_rows;

    fn random_embeddings(l: usize, d: usize, seed: u64) -> CsrMatrix {
        let mut rng = Seed(seed).rng("test");
        let rows = (0..l)
            .map(|_| {
                let mut cols: Vec<u32> = (0..5).map(|_| rng.random_range(0..d as u32)).collect();
                cols.sort_unstable();
                cols.dedup();
                let vals = cols.iter().map(|_| rng.random::<f32>()).collect();
                (cols, vals)
            })
            .collect();
        from_rows(d, rows)
    }

    #[test]
    fn depth_formula() {
        assert_eq!(binary_depth(1000, 100), 4);
        assert_eq!(binary_depth(34493, 100), 9);
        assert_eq!(binary_depth(100_000, 100), 10);
        assert_eq!(binary_depth(150, 100), 1);
        assert_eq!(binary_depth(101, 100), 1);
    }

    #[test]
    fn chain_is_balanced_and_covers_every_label_once() {
        let z = random_embeddings(1000, 50, 1);
        let chain = ClusterChain::build(&z, &TreeConfig::default(), Seed(0)).unwrap();
        // L = 1000, leaf 100, B = 16: chain shapes (16, 1), (1000, 16).
        let shapes: Vec<(usize, usize)> = chain
            .levels
            .iter()
            .map(|l| (l.len(), l.num_parents))
            .collect();
        assert_eq!(shapes, vec![(16, 1), (1000, 16)]);
        let (ptr, kids) = chain.levels[1].children();
        assert_eq!(kids.len(), 1000);
        let sizes: Vec<usize> = ptr.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(
            sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1,
            "{sizes:?}"
        );
        let mut seen = kids.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..1000).collect::<Vec<u32>>());
    }

    #[test]
    fn deeper_chains_regroup_bottom_up_and_are_deterministic() {
        let z = random_embeddings(3300, 40, 2);
        let cfg = TreeConfig {
            max_leaf_size: 10,
            ..TreeConfig::default()
        };
        let a = ClusterChain::build(&z, &cfg, Seed(5)).unwrap();
        // depth ceil(log2 330) = 9 → 512 leaves → 32 → 2 → root.
        let shapes: Vec<(usize, usize)> =
            a.levels.iter().map(|l| (l.len(), l.num_parents)).collect();
        assert_eq!(shapes, vec![(2, 1), (32, 2), (512, 32), (3300, 512)]);
        let leaf_sizes = a.levels[3]
            .children()
            .0
            .windows(2)
            .map(|w| w[1] - w[0])
            .collect::<Vec<_>>();
        assert!(
            leaf_sizes.iter().all(|&s| s == 6 || s == 7),
            "{leaf_sizes:?}"
        );
        assert_eq!(a, ClusterChain::build(&z, &cfg, Seed(5)).unwrap());
        assert_ne!(a, ClusterChain::build(&z, &cfg, Seed(6)).unwrap());
        let top = a.label_to_level(0);
        assert_eq!(top.iter().filter(|&&c| c == 0).count(), 1650);
    }

    #[test]
    fn bad_settings_are_rejected() {
        let z = random_embeddings(10, 5, 3);
        assert!(
            ClusterChain::build(
                &z,
                &TreeConfig {
                    nr_splits: 3,
                    ..TreeConfig::default()
                },
                Seed(0)
            )
            .is_err()
        );
        let small = ClusterChain::build(&z, &TreeConfig::default(), Seed(0)).unwrap();
        assert_eq!(small.levels.len(), 1);
    }
}
