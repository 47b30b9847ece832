//! `tessera coldbrew train` and `embed` end to end on the built binary with a
//! tiny three-class graph written to a temporary folder: the student model is
//! saved, and new nodes given only by their features (no edges) get finite
//! embeddings and class scores. Each bad input (an edge beyond the feature
//! rows, a label file of another length, an isolated-only graph, an empty
//! train mask) gives a non-zero exit, an error naming the file, and no output.

use std::path::{Path, PathBuf};
mod common;

use common::{stderr, tessera};
use std::process::Output;
use tessera_data::DenseMatrix;
use tessera_data::npy::{read_npy, write_npy, write_npy_f32};

const NODES: usize = 60;
const FEATURES: usize = 12;
const CLASSES: usize = 3;

/// `rows` nodes whose features are their class's block of columns plus a
/// deterministic perturbation (node `i` is in class `i % 3`).
fn features(rows: usize, salt: usize) -> DenseMatrix {
    let data = (0..rows)
        .flat_map(|i| {
            (0..FEATURES).map(move |j| {
                let signal = f32::from(u8::from(j % CLASSES == i % CLASSES));
                signal + ((i * 7 + j * 13 + salt) % 11) as f32 / 22.0
            })
        })
        .collect();
    DenseMatrix::new(rows, FEATURES, data).unwrap()
}

/// Everything `train` reads; `edges` are written as CSV `src,dst`.
struct Inputs {
    x: PathBuf,
    y: PathBuf,
    mask: PathBuf,
    config: PathBuf,
}

fn write_edges(path: &Path, edges: &[(usize, usize)]) {
    let mut text = String::from("src,dst\n");
    for (s, d) in edges {
        text.push_str(&format!("{s},{d}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// Same-class rings (i — i+3) plus a few chords, so degrees vary.
fn graph_edges() -> Vec<(usize, usize)> {
    let mut e: Vec<(usize, usize)> = (0..NODES).map(|i| (i, (i + 3) % NODES)).collect();
    e.extend((0..NODES).step_by(4).map(|i| (i, (i + 9) % NODES)));
    e
}

fn write_inputs(dir: &Path) -> Inputs {
    let inputs = Inputs {
        x: dir.join("x.npy"),
        y: dir.join("y.npy"),
        mask: dir.join("train.npy"),
        config: dir.join("settings.json"),
    };
    write_npy_f32(&inputs.x, &features(NODES, 0)).unwrap();
    let labels: Vec<i64> = (0..NODES as i64).map(|i| i % CLASSES as i64).collect();
    write_npy(&inputs.y, &[NODES as u64], &labels).unwrap();
    let mask: Vec<u8> = (0..NODES).map(|i| u8::from(i % 5 != 0)).collect();
    write_npy(&inputs.mask, &[NODES as u64], &mask).unwrap();
    std::fs::write(
        &inputs.config,
        r#"{"teacher_epochs": 15, "student_epochs": 15, "hidden": 8, "student_hidden": 16, "mlp_hidden": 8}"#,
    )
    .unwrap();
    inputs
}

fn train(inputs: &Inputs, edges: &Path, labels: &Path, mask: &Path, out: &Path) -> Output {
    tessera(&[
        "coldbrew",
        "train",
        "--edges",
        edges.to_str().unwrap(),
        "--features",
        inputs.x.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--train-mask",
        mask.to_str().unwrap(),
        "--config",
        inputs.config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn embed(model: &Path, features: &Path, out: &Path) -> Output {
    tessera(&[
        "coldbrew",
        "embed",
        "--model",
        model.to_str().unwrap(),
        "--features",
        features.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn train_then_embed_new_nodes_without_edges() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = write_inputs(dir.path());
    let edges = dir.path().join("edges.csv");
    write_edges(&edges, &graph_edges());
    let run = dir.path().join("run");
    let o = train(&inputs, &edges, &inputs.y, &inputs.mask, &run);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in [
        "config.json",
        "metrics.json",
        "report.md",
        "model/model.json",
        "model/targets.npy",
    ] {
        assert!(run.join(file).is_file(), "{file} missing");
    }

    let new = dir.path().join("new.npy");
    write_npy_f32(&new, &features(5, 3)).unwrap();
    let out = dir.path().join("new-run");
    let o = embed(&run, &new, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    // ê has the teacher-target width h·(L−1) + C = 8 + 3; scores one per class
    let emb = read_npy(&out.join("embeddings.npy")).unwrap();
    let scores = read_npy(&out.join("scores.npy")).unwrap();
    assert_eq!(emb.shape, vec![5, 8 + CLASSES]);
    assert_eq!(scores.shape, vec![5, CLASSES]);
    let (emb, scores) = (emb.to_f32().unwrap(), scores.to_f32().unwrap());
    assert!(emb.iter().chain(&scores).all(|v| v.is_finite()));
    assert!(
        scores
            .chunks(CLASSES)
            .any(|r| r.iter().any(|&v| (v - r[0]).abs() > 1e-6)),
        "class scores must differ between classes"
    );

    // features of another width are refused by embed, naming the file, writing nothing
    let wide = dir.path().join("wide.npy");
    write_npy_f32(&wide, &DenseMatrix::new(2, 5, vec![0.5; 10]).unwrap()).unwrap();
    let none = dir.path().join("none");
    let o = embed(&run, &wide, &none);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("wide.npy"), "{}", stderr(&o));
    assert!(!none.exists());
}

/// Runs `train` and checks: non-zero exit, `file` and `words` in the error, no `--out`.
fn refused(inputs: &Inputs, edges: &Path, labels: &Path, mask: &Path, file: &str, words: &str) {
    let out = edges.parent().unwrap().join(format!("out-{file}"));
    let o = train(inputs, edges, labels, mask, &out);
    let err = stderr(&o);
    assert!(!o.status.success(), "{file}: accepted");
    assert!(err.contains(file) && err.contains(words), "{file}: {err}");
    assert!(!out.exists(), "{file}: output written");
}

#[test]
fn bad_input_is_refused_naming_the_file_and_writing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = write_inputs(dir.path());
    let good = dir.path().join("edges.csv");
    write_edges(&good, &graph_edges());

    let beyond = dir.path().join("beyond.csv");
    let mut e = graph_edges();
    e.push((4, NODES));
    write_edges(&beyond, &e);
    refused(
        &inputs,
        &beyond,
        &inputs.y,
        &inputs.mask,
        "beyond.csv",
        &NODES.to_string(),
    );

    let short = dir.path().join("short_labels.npy");
    let labels: Vec<i64> = (0..NODES as i64 - 1).map(|i| i % 3).collect();
    write_npy(&short, &[NODES as u64 - 1], &labels).unwrap();
    refused(
        &inputs,
        &good,
        &short,
        &inputs.mask,
        "short_labels.npy",
        "59",
    );

    let isolated = dir.path().join("loops.csv");
    write_edges(&isolated, &[(0, 0), (1, 1)]);
    refused(
        &inputs,
        &isolated,
        &inputs.y,
        &inputs.mask,
        "loops.csv",
        "isolated-only",
    );

    let empty = dir.path().join("empty_mask.npy");
    write_npy(&empty, &[NODES as u64], &[0u8; NODES]).unwrap();
    refused(&inputs, &good, &inputs.y, &empty, "empty_mask.npy", "empty");
}
