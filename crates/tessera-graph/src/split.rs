//! Head / tail / isolation node splits by degree (Cold Brew's protocol).

use crate::Graph;

/// Which rule selects the head, tail and isolation nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitRule {
    /// The official code (`utils.py`): iterated medians on tied degrees.
    /// `low` = four rounds of "keep degree ≤ median of the current set",
    /// sorted by (degree, node id) (a stable sort where the code's is not):
    /// first half isolation, second half tail; head = five rounds of
    /// "keep degree ≥ median".
    OfficialMedian,
    /// The paper's text: head = top 10 % by degree, isolation = bottom 10 %,
    /// tail = the 10 % lowest degrees among the remaining nodes.
    PaperTenPercent,
}

/// A degree split and the graph with the isolation nodes' edges removed.
#[derive(Clone, Debug, PartialEq)]
pub struct DegreeSplit {
    /// Nodes whose edges (except the self-loop) are removed.
    pub isolation: Vec<usize>,
    /// Low-degree nodes that keep their edges.
    pub tail: Vec<usize>,
    /// High-degree nodes.
    pub head: Vec<usize>,
    /// The input graph minus every non-self-loop edge touching an isolation node.
    pub cut_graph: Graph,
    /// Number of directed edges removed.
    pub removed_edges: usize,
}

/// numpy's median: the mean of the two middle values for an even count.
fn median(values: &mut [usize]) -> f64 {
    values.sort_unstable();
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2] as f64
    } else {
        (values[n / 2 - 1] + values[n / 2]) as f64 / 2.0
    }
}

/// Keeps, `rounds` times, the nodes whose degree passes `keep(degree, median)`.
fn iterate_median(degree: &[usize], rounds: usize, keep: impl Fn(f64, f64) -> bool) -> Vec<usize> {
    let mut set: Vec<usize> = (0..degree.len()).collect();
    for _ in 0..rounds {
        if set.is_empty() {
            break;
        }
        let mut d: Vec<usize> = set.iter().map(|&i| degree[i]).collect();
        let m = median(&mut d);
        set.retain(|&i| keep(degree[i] as f64, m));
    }
    set
}

/// Splits the nodes of `graph` (which must already carry its self-loops:
/// the official degree counts the self-loop) by `rule`, and removes the
/// isolation nodes' edges.
pub fn degree_split(graph: &Graph, rule: SplitRule) -> DegreeSplit {
    let degree = graph.degrees();
    let n = degree.len();
    let (isolation, tail, head) = match rule {
        SplitRule::OfficialMedian => {
            let mut low = iterate_median(&degree, 4, |d, m| d <= m);
            low.sort_by_key(|&i| (degree[i], i));
            let half = low.len() / 2;
            let tail = low.split_off(half);
            let head = iterate_median(&degree, 5, |d, m| d >= m);
            (low, tail, head)
        }
        SplitRule::PaperTenPercent => {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| (degree[i], i));
            let k = n / 10;
            let isolation = order[..k].to_vec();
            let head = order[n - k..].to_vec();
            let tail = order[k..n - k]
                .iter()
                .copied()
                .filter(|&i| degree[i] > 1)
                .take(k)
                .collect();
            (isolation, tail, head)
        }
    };
    let mut isolated = vec![false; n];
    isolation.iter().for_each(|&i| isolated[i] = true);
    let cut_graph = graph.without_edges(|s, d| s != d && (isolated[s] || isolated[d]));
    let removed_edges = graph.num_edges() - cut_graph.num_edges();
    let sorted = |mut v: Vec<usize>| {
        v.sort_unstable();
        v
    };
    DegreeSplit {
        isolation: sorted(isolation),
        tail: sorted(tail),
        head: sorted(head),
        cut_graph,
        removed_edges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SelfLoops;

    #[test]
    fn median_is_numpys() {
        assert_eq!(median(&mut [3, 1, 2]), 2.0);
        assert_eq!(median(&mut [4, 1, 2, 3]), 2.5);
    }

    #[test]
    fn star_graph_split_isolates_leaves_and_cuts_their_edges() {
        // star: centre 0 with 10 leaves; with self-loops leaves have degree 2, centre 11
        let leaves: Vec<u32> = (1..11).collect();
        let g = Graph::from_edges("t", 11, &[0; 10], &leaves, true, SelfLoops::Add).unwrap();
        let s = degree_split(&g, SplitRule::OfficialMedian);
        assert_eq!(s.isolation, vec![1, 2, 3, 4, 5]);
        assert_eq!(s.tail, vec![6, 7, 8, 9, 10]);
        assert_eq!(s.head, (0..11).collect::<Vec<_>>());
        assert_eq!(s.removed_edges, 10);
        assert_eq!(s.cut_graph.neighbors(1), &[1]);
        let p = degree_split(&g, SplitRule::PaperTenPercent);
        assert_eq!((p.isolation, p.head), (vec![1], vec![0]));
    }
}
