//! The official head / tail / isolation rule on the shared Cora and CiteSeer files.

use std::path::PathBuf;
use tessera_data::GraphData;
use tessera_graph::{Graph, SelfLoops, SplitRule, degree_split};

fn load(name: &str) -> GraphData {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/planetoid")
        .join(format!("{name}.npz"));
    GraphData::from_npz(&path).expect("shared Planetoid data is readable")
}

fn split_sizes(name: &str) -> (usize, usize, usize, usize) {
    let d = load(name);
    let g =
        Graph::from_edges(&d.source, d.num_nodes, &d.src, &d.dst, true, SelfLoops::Add).unwrap();
    let s = degree_split(&g, SplitRule::OfficialMedian);
    (
        s.isolation.len(),
        s.tail.len(),
        s.head.len(),
        s.removed_edges,
    )
}

#[test]
fn cora_official_split_sizes() {
    assert_eq!(split_sizes("cora"), (534, 534, 286, 1040));
}

#[test]
fn citeseer_official_split_sizes() {
    assert_eq!(split_sizes("citeseer"), (689, 690, 339, 1156));
}
