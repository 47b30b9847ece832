//! Shape and counts of a catalogue dataset (`tessera data info NAME`).

use super::{Dataset, Kind};
use crate::graph::{Features, GraphData};
use serde_json::{Value, json};
use std::path::Path;
use tessera_core::Result;

/// The facts about one dataset, in display order.
#[derive(Clone, Debug, PartialEq)]
pub struct Info {
    /// Catalogue name (or file path).
    pub name: String,
    /// `(fact, value)` pairs, e.g. `("nodes", 2708)`.
    pub facts: Vec<(&'static str, Value)>,
}

impl Info {
    /// The facts as one JSON object (with `name`).
    pub fn to_json(&self) -> Value {
        let mut map = serde_json::Map::new();
        map.insert("name".into(), json!(self.name));
        for (k, v) in &self.facts {
            map.insert((*k).into(), v.clone());
        }
        Value::Object(map)
    }

    /// One `fact: value` line per fact; integers of 10,000 and more get thousands separators.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.name);
        for (k, v) in &self.facts {
            out += &format!("  {k}: {}\n", render(v));
        }
        out
    }
}

fn render(v: &Value) -> String {
    match v {
        Value::Number(n) if n.as_u64().is_some_and(|x| x >= 10_000) => {
            thousands(n.as_u64().unwrap_or(0))
        }
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(render).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} {}", render(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// `1000209` → `1,000,209`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Loads `ds` and summarises its shape and counts.
pub fn info(ds: &Dataset, data_dir: Option<&Path>) -> Result<Info> {
    let mut facts: Vec<(&'static str, Value)> = vec![
        ("kind", json!(format!("{:?}", ds.kind))),
        ("origin", json!(ds.origin.describe())),
        ("about", json!(ds.about)),
    ];
    match ds.kind {
        Kind::Graph => graph_facts(&super::load_graph(ds.name, data_dir)?, &mut facts),
        Kind::Arrays => {
            let mut npz = super::load_arrays(ds.name, data_dir)?;
            let mut arrays = serde_json::Map::new();
            for key in npz.keys() {
                let a = npz.array(&key)?;
                arrays.insert(key, json!(format!("{} {:?}", a.data.dtype(), a.shape)));
            }
            facts.push(("arrays", Value::Object(arrays)));
        }
        Kind::MultiView => {
            let m = super::load_multiview(ds.name, data_dir)?;
            facts.push(("rows", json!(m.rows())));
            facts.push((
                "views",
                json!(
                    m.views
                        .iter()
                        .map(|v| format!("{} {}", v.name, v.matrix.cols))
                        .collect::<Vec<_>>()
                ),
            ));
            facts.push(("classes", json!(m.num_classes)));
        }
        Kind::Images => {
            let s = super::load_images(ds.name, data_dir)?;
            facts.push(("image size", json!(format!("{}×{}", s.height, s.width))));
            facts.push(("classes", json!(s.num_classes)));
            facts.push((
                "images",
                Value::Object(
                    s.parts
                        .iter()
                        .map(|(k, p)| (k.clone(), json!(p.len())))
                        .collect(),
                ),
            ));
        }
        Kind::Interactions => {
            let log = super::load_interactions(ds.name, data_dir)?;
            facts.push(("interactions", json!(log.len())));
            facts.push(("users", json!(log.num_users())));
            facts.push(("items", json!(log.num_items())));
            if let (Some(lo), Some(hi)) = (log.timestamps.iter().min(), log.timestamps.iter().max())
            {
                facts.push(("timestamps", json!(format!("{lo} .. {hi} (Unix seconds)"))));
            }
        }
        Kind::TextPairs => {
            let sets = super::load_text_pairs(ds.name, data_dir)?;
            facts.push((
                "pairs",
                json!(sets.values().map(|p| p.len()).sum::<usize>()),
            ));
            facts.push((
                "subsets",
                Value::Object(
                    sets.iter()
                        .map(|(k, p)| (k.clone(), json!(p.len())))
                        .collect(),
                ),
            ));
        }
        Kind::Series => {
            let s = super::load_series(ds.name, data_dir)?;
            facts.push(("steps", json!(s.steps())));
            facts.push(("series", json!(s.names.clone())));
            if let Some(ts) = &s.timestamps {
                facts.push((
                    "time span",
                    json!(format!("{} .. {}", ts[0], ts[ts.len() - 1])),
                ));
            }
        }
        Kind::Trajectories => {
            let t = super::load_trajectories(ds.name, data_dir)?;
            facts.push(("positions", json!(t.total_positions())));
            let recs = t.recordings.iter().map(|r| {
                (
                    r.name.clone(),
                    json!(format!(
                        "{} rows / {} agents / {} frames",
                        r.len(),
                        r.num_agents(),
                        r.num_frames()
                    )),
                )
            });
            facts.push(("recordings", Value::Object(recs.collect())));
        }
        Kind::Model => {
            let dir = super::model_dir(ds.name, data_dir)?;
            facts.push(("folder", json!(dir.display().to_string())));
            facts.push((
                "files (bytes)",
                Value::Object(
                    ds.files
                        .iter()
                        .map(|f| (f.path.to_string(), json!(f.bytes)))
                        .collect(),
                ),
            ));
        }
    }
    Ok(Info {
        name: ds.name.to_string(),
        facts,
    })
}

/// Graph facts: nodes, edges, features, classes, split sizes.
fn graph_facts(g: &GraphData, facts: &mut Vec<(&'static str, Value)>) {
    let undirected = g.src.iter().zip(&g.dst).filter(|(s, d)| s < d).count();
    facts.push(("nodes", json!(g.num_nodes)));
    facts.push(("directed edges", json!(g.num_edges())));
    facts.push(("undirected edges", json!(undirected)));
    facts.push((
        "features",
        match &g.features {
            Some(Features::Sparse(m)) => json!(format!(
                "{} (sparse, {} non-zeros)",
                m.cols,
                thousands(m.nnz() as u64)
            )),
            Some(Features::Dense(m)) => json!(format!("{} (dense)", m.cols)),
            None => json!("none"),
        },
    ));
    facts.push(("classes", json!(g.num_classes)));
    if ["train", "val", "test"]
        .iter()
        .all(|m| g.masks.contains_key(*m))
    {
        let n: Vec<String> = ["train", "val", "test"]
            .iter()
            .map(|m| g.masks[*m].iter().filter(|&&b| b).count().to_string())
            .collect();
        facts.push(("split (train/val/test)", json!(n.join("/"))));
    }
    let other: serde_json::Map<String, Value> = g
        .masks
        .iter()
        .filter(|(k, _)| !["train", "val", "test"].contains(&k.as_str()))
        .map(|(k, m)| (k.clone(), json!(m.iter().filter(|&&b| b).count())))
        .collect();
    if !other.is_empty() {
        facts.push(("other masks", Value::Object(other)));
    }
}

/// Summarises a graph `.npz` file in the shared layout (validated like a catalogue graph).
pub fn info_file(path: &Path) -> Result<Info> {
    let g = GraphData::from_npz(path)?;
    let mut facts = Vec::new();
    graph_facts(&g, &mut facts);
    Ok(Info {
        name: path.display().to_string(),
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1000209), "1,000,209");
        assert_eq!(thousands(100000), "100,000");
    }

    #[test]
    fn cora_info_has_the_acceptance_counts() {
        let info = info(super::super::dataset("cora").unwrap(), None).unwrap();
        let text = info.to_text();
        for line in [
            "nodes: 2708",
            "undirected edges: 5278",
            "features: 1433",
            "classes: 7",
            "split (train/val/test): 140/500/1000",
        ] {
            assert!(text.contains(line), "{text}");
        }
        assert_eq!(info.to_json()["undirected edges"], 5278);
    }
}
