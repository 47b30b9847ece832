//! `tessera xmc train → predict → evaluate` and `tessera giant features` end to end on
//! the built binary, with tiny files written to a temporary folder by the data crate's
//! writers; and bad input (label rows ≠ feature rows, an instance without labels, a
//! non-finite value): non-zero exit, an error naming the file, nothing written.

use std::path::{Path, PathBuf};
mod common;

use common::stderr;
use std::process::Output;
use tessera_data::{CsrMatrix, read_csr_npz, read_npy, write_csr_npz, write_npy};

const ROWS: usize = 96;
const LABELS: usize = 24;

/// Sparse rows as sorted (column, value) pairs.
type Rows = Vec<Vec<(u32, f32)>>;

/// `tessera --threads 2 ARGS...` (fixed threads: the tests compare exact outputs).
fn tessera(args: &[&str]) -> Output {
    common::tessera(&[&["--threads", "2"], args].concat())
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// A CSR matrix from sorted (column, value) rows, not validated (so that bad values
/// reach the file and the command under test has to catch them).
fn csr(cols: usize, rows: &[Vec<(u32, f32)>]) -> CsrMatrix {
    let mut indptr = vec![0];
    let (mut indices, mut data) = (Vec::new(), Vec::new());
    for r in rows {
        for &(c, v) in r {
            indices.push(c);
            data.push(v);
        }
        indptr.push(indices.len());
    }
    CsrMatrix {
        rows: rows.len(),
        cols,
        indptr,
        indices,
        data,
    }
}

/// Instance i carries labels i % 24 and (i + 1) % 24, and features i % 24 (strong),
/// (i + 1) % 24 (weaker) and a shared noise feature 24 + i % 3.
fn xmc_rows() -> (Rows, Rows) {
    let x = (0..ROWS)
        .map(|i| {
            let (a, b) = ((i % LABELS) as u32, ((i + 1) % LABELS) as u32);
            let mut r = vec![(a, 1.0), (b, 0.6), ((LABELS + i % 3) as u32, 0.3)];
            r.sort_by_key(|e| e.0);
            r
        })
        .collect();
    let y = (0..ROWS)
        .map(|i| {
            let (a, b) = ((i % LABELS) as u32, ((i + 1) % LABELS) as u32);
            let mut r = vec![(a, 1.0), (b, 1.0)];
            r.sort_by_key(|e| e.0);
            r
        })
        .collect();
    (x, y)
}

fn write_xmc(dir: &Path, x: &[Vec<(u32, f32)>], y: &[Vec<(u32, f32)>]) -> (PathBuf, PathBuf) {
    let (xp, yp) = (dir.join("X.npz"), dir.join("Y.npz"));
    write_csr_npz(&xp, &csr(LABELS + 3, x)).unwrap();
    write_csr_npz(&yp, &csr(LABELS, y)).unwrap();
    (xp, yp)
}

fn json(o: &Output) -> serde_json::Value {
    let out = String::from_utf8_lossy(&o.stdout);
    let line = out.lines().last().expect("a JSON line on stdout");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn xmc_train_predict_evaluate_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let (x, y) = xmc_rows();
    let (xp, yp) = write_xmc(dir.path(), &x, &y);
    let run = dir.path().join("run");
    let o = tessera(&[
        "--json",
        "xmc",
        "train",
        "--x",
        s(&xp),
        "--y",
        s(&yp),
        "--out",
        s(&run),
        "--max-leaf-size",
        "4",
        "--nr-splits",
        "2",
    ]);
    assert!(o.status.success(), "train failed: {}", stderr(&o));
    let summary = json(&o);
    assert!(summary["level_sizes"].as_array().unwrap().len() >= 2);
    assert!(run.join("model").join("xlinear.json").exists());

    let pred = dir.path().join("pred.npz");
    let o = tessera(&[
        "xmc",
        "predict",
        "--model",
        s(&run),
        "--x",
        s(&xp),
        "--out",
        s(&pred),
        "--only-topk",
        "3",
    ]);
    assert!(o.status.success(), "predict failed: {}", stderr(&o));
    let p = read_csr_npz(&pred).unwrap();
    assert_eq!((p.rows, p.cols), (ROWS, LABELS));
    assert!((0..ROWS).all(|i| (1..=3).contains(&p.row(i).0.len())));

    let o = tessera(&[
        "--json",
        "xmc",
        "evaluate",
        "--model",
        s(&run),
        "--x",
        s(&xp),
        "--y",
        s(&yp),
        "-k",
        "2",
    ]);
    assert!(o.status.success(), "evaluate failed: {}", stderr(&o));
    let m = json(&o);
    let p1 = m["precision"][0].as_f64().unwrap();
    let p2 = m["precision"][1].as_f64().unwrap();
    // Each instance's two labels are its two strongest features: both must rank on top.
    assert!(p1 > 0.9 && p2 > 0.8, "P@1 {p1}, P@2 {p2}");
    assert!(m["ms_per_query"].as_f64().unwrap() > 0.0);
}

/// Asserts a failed run that names `file` and left nothing at `out`.
fn assert_rejected(o: &Output, file: &Path, out: &Path) {
    let err = stderr(o);
    assert!(!o.status.success(), "expected failure, stderr: {err}");
    let name = file.file_name().unwrap().to_str().unwrap();
    assert!(err.contains(name), "error does not name {name}: {err}");
    assert!(!out.exists(), "{} was written", out.display());
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn xmc_train_rejects_bad_input_without_writing() {
    let (x, y) = xmc_rows();
    // Label rows ≠ feature rows.
    let dir = tempfile::tempdir().unwrap();
    let (xp, yp) = write_xmc(dir.path(), &x, &y[..ROWS - 5]);
    let out = dir.path().join("run");
    let train = |xp: &Path, yp: &Path| {
        tessera(&["xmc", "train", "--x", s(xp), "--y", s(yp), "--out", s(&out)])
    };
    let o = train(&xp, &yp);
    assert_rejected(&o, &yp, &out);
    assert!(
        stderr(&o).contains(&(ROWS - 5).to_string()),
        "{}",
        stderr(&o)
    );

    // An instance without labels (row 7).
    let mut empty = y.clone();
    empty[7].clear();
    let (xp, yp) = write_xmc(dir.path(), &x, &empty);
    let o = train(&xp, &yp);
    assert_rejected(&o, &yp, &out);
    assert!(stderr(&o).contains("row 7"), "{}", stderr(&o));

    // A non-finite feature value (row 3).
    let mut nan = x.clone();
    nan[3][0].1 = f32::NAN;
    let (xp, yp) = write_xmc(dir.path(), &nan, &y);
    let o = train(&xp, &yp);
    assert_rejected(&o, &xp, &out);
    assert!(stderr(&o).contains("row 3"), "{}", stderr(&o));
}

/// 40 nodes in two communities (rings of 20 with chords); node text: community word
/// plus a word of its own ring position.
fn write_graph(dir: &Path) -> (PathBuf, PathBuf) {
    let n = 40usize;
    let (mut src, mut dst) = (Vec::new(), Vec::new());
    for c in 0..2 {
        for k in 0..20 {
            for step in [1, 3] {
                src.push((c * 20 + k) as i64);
                dst.push((c * 20 + (k + step) % 20) as i64);
            }
        }
    }
    let e = dir.join("edges.npy");
    let mut flat = src.clone();
    flat.extend(&dst);
    write_npy(&e, &[2, src.len() as u64], &flat).unwrap();
    let rows: Vec<Vec<(u32, f32)>> = (0..n)
        .map(|i| vec![((i / 20) as u32, 2.0), (2 + (i % 10) as u32, 1.0)])
        .collect();
    let f = dir.join("counts.npz");
    write_csr_npz(&f, &csr(12, &rows)).unwrap();
    (e, f)
}

#[test]
fn giant_features_on_a_tiny_graph() {
    let dir = tempfile::tempdir().unwrap();
    let (e, f) = write_graph(dir.path());
    let out = dir.path().join("giant");
    let o = tessera(&[
        "giant",
        "features",
        "--edges",
        s(&e),
        "--features",
        s(&f),
        "--out",
        s(&out),
        "--epochs-per-level",
        "1",
    ]);
    assert!(o.status.success(), "giant features failed: {}", stderr(&o));
    for name in [
        "embeddings.npy",
        "embeddings_linear.npy",
        "embeddings_neural.npy",
    ] {
        let a = read_npy(&out.join(name)).unwrap();
        assert_eq!(a.shape[0], 40, "{name}: one row per node");
        let v = a.to_f32().unwrap();
        assert!(v.iter().all(|x| x.is_finite()), "{name}: non-finite value");
    }
    assert!(out.join("model").join("xlinear.json").exists());

    // An edge to a node that does not exist: rejected, file named, nothing written.
    let bad = dir.path().join("bad_edges.npy");
    write_npy(&bad, &[2, 1], &[0i64, 40]).unwrap();
    let out2 = dir.path().join("giant2");
    let o = tessera(&[
        "giant",
        "features",
        "--edges",
        s(&bad),
        "--features",
        s(&f),
        "--out",
        s(&out2),
    ]);
    assert_rejected(&o, &bad, &out2);
}
