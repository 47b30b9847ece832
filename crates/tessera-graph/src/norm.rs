//! Normalised adjacency operators for propagation.

use crate::Graph;
use tessera_core::Result;
use tessera_core::kernels::CsrOperator;

/// `D^{-1/2} A D^{-1/2}` with `D` the degrees of `graph` as given (add
/// self-loops first for GCN's `Â`). Rows of degree zero stay zero.
pub fn symmetric(graph: &Graph) -> Result<CsrOperator> {
    let inv_sqrt: Vec<f32> = graph
        .degrees()
        .iter()
        .map(|&d| if d == 0 { 0.0 } else { 1.0 / (d as f32).sqrt() })
        .collect();
    scaled(graph, |i, j| inv_sqrt[i] * inv_sqrt[j])
}

/// `D^{-1} A` (row-stochastic random-walk normalisation, the mean over neighbours).
pub fn random_walk(graph: &Graph) -> Result<CsrOperator> {
    let inv: Vec<f32> = graph
        .degrees()
        .iter()
        .map(|&d| if d == 0 { 0.0 } else { 1.0 / d as f32 })
        .collect();
    scaled(graph, |i, _| inv[i])
}

/// `D^{-1/2} A` (rows scaled, columns not): the code form of Cold Brew's structural-embedding term.
pub fn left_symmetric(graph: &Graph) -> Result<CsrOperator> {
    let inv_sqrt: Vec<f32> = graph
        .degrees()
        .iter()
        .map(|&d| if d == 0 { 0.0 } else { 1.0 / (d as f32).sqrt() })
        .collect();
    scaled(graph, |i, _| inv_sqrt[i])
}

fn scaled(graph: &Graph, weight: impl Fn(usize, usize) -> f32) -> Result<CsrOperator> {
    let mut values = Vec::with_capacity(graph.num_edges());
    for i in 0..graph.num_nodes() {
        values.extend(graph.neighbors(i).iter().map(|&j| weight(i, j as usize)));
    }
    let n = graph.num_nodes();
    CsrOperator::new(
        n,
        n,
        graph.indptr().to_vec(),
        graph.indices().to_vec(),
        values,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SelfLoops;

    #[test]
    fn normalisations_have_their_defining_sums() {
        // path 0-1-2 with self-loops: degrees 2, 3, 2
        let g = Graph::from_edges("t", 3, &[0, 1], &[1, 2], true, SelfLoops::Add).unwrap();
        let rw = random_walk(&g).unwrap();
        assert!(
            rw.apply(&[1.0, 1.0, 1.0], 1)
                .iter()
                .all(|v| (v - 1.0).abs() < 1e-6)
        );
        let sym = symmetric(&g).unwrap();
        let y = sym.apply(&[1.0, 0.0, 0.0], 1);
        assert!(
            (y[0] - 0.5).abs() < 1e-6 && (y[1] - 1.0 / 6f32.sqrt()).abs() < 1e-6 && y[2] == 0.0
        );
        // symmetric: Â = Âᵀ
        assert_eq!(
            sym.apply(&[0.0, 1.0, 0.0], 1),
            sym.apply_transpose(&[0.0, 1.0, 0.0], 1)
        );
        let left = left_symmetric(&g).unwrap();
        assert!((left.apply(&[1.0, 1.0, 1.0], 1)[1] - 3.0 / 3f32.sqrt()).abs() < 1e-6);
    }
}
