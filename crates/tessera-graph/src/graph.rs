//! [`Graph`]: an adjacency structure in CSR form built from an edge list.

use tessera_core::{Error, Result};

/// What to do with self-loops when building a [`Graph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SelfLoops {
    /// Keep the self-loops present in the edge list, add none.
    Keep,
    /// Ensure every node has exactly one self-loop.
    Add,
    /// Drop every self-loop.
    Remove,
}

/// An unweighted graph in CSR form: `neighbors(i)` lists the targets of `i`'s
/// edges, sorted and without duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    num_nodes: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
}

impl Graph {
    /// Builds the graph from directed edges `src[k] → dst[k]`.
    ///
    /// `symmetrize` adds the reverse of every edge; duplicates are dropped;
    /// `loops` says what happens to self-loops. `source` names where the edges
    /// came from, for the error raised on an id `≥ num_nodes`.
    pub fn from_edges(
        source: &str,
        num_nodes: usize,
        src: &[u32],
        dst: &[u32],
        symmetrize: bool,
        loops: SelfLoops,
    ) -> Result<Self> {
        if src.len() != dst.len() {
            return Err(Error::input(
                source,
                "edge list",
                "as many targets as sources",
                format!("{} sources, {} targets", src.len(), dst.len()),
            ));
        }
        for (name, ends) in [("source", src), ("target", dst)] {
            if let Some(p) = ends.iter().position(|&v| v as usize >= num_nodes) {
                return Err(Error::input(
                    source,
                    format!("edge {p} ({name})"),
                    format!("a node id < {num_nodes} (the number of nodes)"),
                    ends[p].to_string(),
                ));
            }
        }
        let mut pairs: Vec<(u32, u32)> =
            Vec::with_capacity(src.len() * (1 + usize::from(symmetrize)) + num_nodes);
        for (&s, &d) in src.iter().zip(dst) {
            if s == d && loops == SelfLoops::Remove {
                continue;
            }
            pairs.push((s, d));
            if symmetrize && s != d {
                pairs.push((d, s));
            }
        }
        if loops == SelfLoops::Add {
            pairs.extend((0..num_nodes as u32).map(|i| (i, i)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        Ok(Self::from_sorted_pairs(num_nodes, &pairs))
    }

    fn from_sorted_pairs(num_nodes: usize, pairs: &[(u32, u32)]) -> Self {
        let mut indptr = vec![0usize; num_nodes + 1];
        for &(s, _) in pairs {
            indptr[s as usize + 1] += 1;
        }
        for i in 0..num_nodes {
            indptr[i + 1] += indptr[i];
        }
        Graph {
            num_nodes,
            indptr,
            indices: pairs.iter().map(|&(_, d)| d).collect(),
        }
    }

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.num_nodes
    }

    /// Number of stored directed edges (an undirected edge counts twice, a self-loop once).
    pub fn num_edges(&self) -> usize {
        self.indices.len()
    }

    /// The sorted neighbours of node `i`.
    pub fn neighbors(&self, i: usize) -> &[u32] {
        &self.indices[self.indptr[i]..self.indptr[i + 1]]
    }

    /// Out-degree of every node (self-loops count once).
    pub fn degrees(&self) -> Vec<usize> {
        self.indptr.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// CSR row pointer.
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// CSR column indices.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// The graph without the edges for which `drop(src, dst)` holds.
    pub fn without_edges(&self, drop: impl Fn(usize, usize) -> bool) -> Graph {
        let mut pairs = Vec::with_capacity(self.indices.len());
        for i in 0..self.num_nodes {
            pairs.extend(
                self.neighbors(i)
                    .iter()
                    .filter(|&&j| !drop(i, j as usize))
                    .map(|&j| (i as u32, j)),
            );
        }
        Self::from_sorted_pairs(self.num_nodes, &pairs)
    }

    /// The same graph with every self-loop added (`loops = Add`) or removed (`Remove`).
    pub fn with_self_loops(&self, loops: SelfLoops) -> Graph {
        let mut pairs = Vec::with_capacity(self.indices.len() + self.num_nodes);
        for i in 0..self.num_nodes {
            pairs.extend(
                self.neighbors(i)
                    .iter()
                    .filter(|&&j| j as usize != i || loops == SelfLoops::Keep)
                    .map(|&j| (i as u32, j)),
            );
            if loops == SelfLoops::Add {
                pairs.push((i as u32, i as u32));
            }
        }
        pairs.sort_unstable();
        Self::from_sorted_pairs(self.num_nodes, &pairs)
    }

    /// Mean over nodes with at least one non-self neighbour of the share of
    /// neighbours with the same label (edge homophily β in %).
    pub fn homophily(&self, labels: &[usize]) -> f64 {
        let mut total = 0.0;
        let mut count = 0usize;
        for i in 0..self.num_nodes {
            let nb: Vec<u32> = self
                .neighbors(i)
                .iter()
                .copied()
                .filter(|&j| j as usize != i)
                .collect();
            if nb.is_empty() {
                continue;
            }
            total += nb
                .iter()
                .filter(|&&j| labels[j as usize] == labels[i])
                .count() as f64
                / nb.len() as f64;
            count += 1;
        }
        if count == 0 {
            f64::NAN
        } else {
            100.0 * total / count as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetrises_dedupes_and_handles_self_loops() {
        let g =
            Graph::from_edges("t", 3, &[0, 0, 1, 2], &[1, 1, 1, 0], true, SelfLoops::Keep).unwrap();
        assert_eq!(g.neighbors(0), &[1, 2]);
        assert_eq!(g.neighbors(1), &[0, 1]);
        assert_eq!(g.degrees(), vec![2, 2, 1]);
        let g = Graph::from_edges("t", 3, &[0, 1], &[1, 1], true, SelfLoops::Add).unwrap();
        assert_eq!(g.neighbors(1), &[0, 1]);
        assert_eq!(g.neighbors(2), &[2]);
        let r = g.with_self_loops(SelfLoops::Remove);
        assert_eq!(r.num_edges(), 2);
        assert_eq!(r.with_self_loops(SelfLoops::Add), g);
        let d = Graph::from_edges("t", 3, &[0], &[1], false, SelfLoops::Remove).unwrap();
        assert_eq!(d.neighbors(1), &[] as &[u32]);
    }

    #[test]
    fn out_of_range_edge_names_file_edge_and_bound() {
        let e = Graph::from_edges("edges.csv", 3, &[0, 5], &[1, 1], true, SelfLoops::Add)
            .unwrap_err()
            .to_string();
        for part in ["edges.csv", "edge 1", "< 3", "5"] {
            assert!(e.contains(part), "{e}");
        }
    }

    #[test]
    fn without_edges_and_homophily() {
        let g = Graph::from_edges("t", 4, &[0, 1, 2], &[1, 2, 3], true, SelfLoops::Add).unwrap();
        let cut = g.without_edges(|s, d| s != d && (s == 3 || d == 3));
        assert_eq!(cut.neighbors(3), &[3]);
        assert_eq!(cut.num_edges(), g.num_edges() - 2);
        // labels 0,0,1,1: node0 1/1, node1 1/2, node2 1/2, node3 1/1
        assert!((g.homophily(&[0, 0, 1, 1]) - 75.0).abs() < 1e-9);
    }
}
