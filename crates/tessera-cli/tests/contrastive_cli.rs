//! `tessera contrastive train` and `embed` end to end on the built binary with
//! tiny paired views in a temporary folder: the run folder and embeddings are
//! written, and bad input (row-count mismatch, a NaN row, a zero-column view)
//! gives a non-zero exit, an error naming the file, and no output.

use std::path::{Path, PathBuf};
mod common;

use common::{stderr, tessera};
use tessera_data::DenseMatrix;
use tessera_data::npy::{read_npy, write_npy, write_npy_f32};

const ROWS: usize = 120;

/// Two views of `ROWS` entities in 3 classes: each view is its class signal
/// plus a deterministic pseudo-random perturbation.
fn write_views(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let noise = |i: usize, j: usize| ((i * 31 + j * 17) % 13) as f32 / 13.0 - 0.5;
    let view = |cols: usize, salt: usize| {
        let data = (0..ROWS)
            .flat_map(|i| {
                (0..cols).map(move |j| f32::from(u8::from(j % 3 == i % 3)) + noise(i + salt, j))
            })
            .collect();
        DenseMatrix::new(ROWS, cols, data).unwrap()
    };
    let (a, b, y) = (dir.join("a.npy"), dir.join("b.npy"), dir.join("y.npy"));
    write_npy_f32(&a, &view(6, 0)).unwrap();
    write_npy_f32(&b, &view(4, 5)).unwrap();
    let labels: Vec<i64> = (0..ROWS as i64).map(|i| i % 3).collect();
    write_npy(&y, &[ROWS as u64], &labels).unwrap();
    (a, b, y)
}

fn train_args<'a>(a: &'a str, b: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "contrastive",
        "train",
        "--view",
        a,
        "--view",
        b,
        "--epochs",
        "3",
        "--batch-size",
        "32",
        "--hidden",
        "16",
        "--embed-dim",
        "8",
        "--out",
        out,
    ]
}

fn shape(path: &Path) -> Vec<usize> {
    read_npy(path).unwrap().shape
}

#[test]
fn train_then_embed_writes_the_run_and_the_embeddings() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, y) = write_views(dir.path());
    let run = dir.path().join("run");
    let (a, b, y, run_s) = (
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        y.to_str().unwrap(),
        run.to_str().unwrap(),
    );
    let mut args = train_args(a, b, run_s);
    args.extend(["--labels", y, "--reg", "sep,br,gc"]);
    let o = tessera(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    for file in [
        "config.json",
        "meta.json",
        "metrics.json",
        "report.md",
        "model/model.json",
    ] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    assert_eq!(shape(&run.join("embeddings-a.npy")), vec![ROWS, 8]);
    let metrics = std::fs::read_to_string(run.join("metrics.json")).unwrap();
    assert!(
        metrics.contains("probe"),
        "labels give probe rows: {metrics}"
    );

    let emb = dir.path().join("emb.npy");
    let o = tessera(&[
        "contrastive",
        "embed",
        "--model",
        run_s,
        "--view",
        b,
        "--side",
        "b",
        "--out",
        emb.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(shape(&emb), vec![ROWS, 8]);
    // The shared embeddings are unit vectors.
    let values = read_npy(&emb).unwrap().to_f32().unwrap();
    for row in values.chunks(8) {
        let norm: f32 = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "row norm {norm}");
    }

    // A view of the wrong width is refused by embed, naming the file, writing nothing.
    let bad = dir.path().join("wide.npy");
    write_npy_f32(&bad, &DenseMatrix::new(2, 5, vec![0.5; 10]).unwrap()).unwrap();
    let none = dir.path().join("none.npy");
    let o = tessera(&[
        "contrastive",
        "embed",
        "--model",
        run_s,
        "--view",
        bad.to_str().unwrap(),
        "--out",
        none.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("wide.npy"), "{}", stderr(&o));
    assert!(!none.exists());
}

#[test]
fn bad_views_exit_non_zero_naming_the_file_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _, _) = write_views(dir.path());
    let short = dir.path().join("short.npy");
    write_npy_f32(
        &short,
        &DenseMatrix::new(ROWS - 1, 4, vec![0.25; (ROWS - 1) * 4]).unwrap(),
    )
    .unwrap();
    let nan = dir.path().join("nan.npy");
    let mut values = vec![0.5f32; ROWS * 4];
    values[17 * 4 + 2] = f32::NAN;
    write_npy_f32(&nan, &DenseMatrix::new(ROWS, 4, values).unwrap()).unwrap();
    let empty = dir.path().join("empty.npy");
    write_npy::<f32>(&empty, &[ROWS as u64, 0], &[]).unwrap();

    for (bad, also) in [
        (&short, "found 119 rows"),
        (&nan, "row 17"),
        (&empty, "0 columns"),
    ] {
        let before = std::fs::read_dir(dir.path()).unwrap().count();
        let out = dir.path().join("run-bad");
        let o = tessera(&train_args(
            a.to_str().unwrap(),
            bad.to_str().unwrap(),
            out.to_str().unwrap(),
        ));
        let err = stderr(&o);
        let name = bad.file_name().unwrap().to_str().unwrap();
        assert!(!o.status.success(), "{name} accepted");
        assert!(err.contains(name) && err.contains(also), "{name}: {err}");
        assert!(!out.exists(), "{name}: run folder written");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            before,
            "{name}: something was left behind"
        );
    }
}
