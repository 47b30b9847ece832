//! Bad input: every malformed file gives an error naming the file and the
//! key or row, never a panic. Fixtures are written to a tempdir at test time.

use npyz::WriterBuilder;
use npyz::npz::NpzWriter;
use proptest::prelude::*;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use tessera_data::table::{ColumnType, TextFormat, read_matrix_from, read_table_from};
use tessera_data::{GraphData, Npz};

/// One array of a fixture: key, shape, values.
enum A<'a> {
    F32(&'a str, Vec<u64>, Vec<f32>),
    I64(&'a str, Vec<u64>, Vec<i64>),
    Bool(&'a str, Vec<u64>, Vec<bool>),
}

fn npz_bytes(arrays: &[A<'_>]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut npz = NpzWriter::new(&mut out);
        for a in arrays {
            match a {
                A::F32(k, s, v) => npz
                    .array::<f32>(k, Default::default())
                    .unwrap()
                    .default_dtype()
                    .shape(s)
                    .begin_nd()
                    .unwrap()
                    .extend(v.iter().copied())
                    .unwrap(),
                A::I64(k, s, v) => npz
                    .array::<i64>(k, Default::default())
                    .unwrap()
                    .default_dtype()
                    .shape(s)
                    .begin_nd()
                    .unwrap()
                    .extend(v.iter().copied())
                    .unwrap(),
                A::Bool(k, s, v) => npz
                    .array::<bool>(k, Default::default())
                    .unwrap()
                    .default_dtype()
                    .shape(s)
                    .begin_nd()
                    .unwrap()
                    .extend(v.iter().copied())
                    .unwrap(),
            }
        }
    }
    out.into_inner()
}

/// A valid 3-node graph with dense features, with `edit` applied to its arrays.
fn graph(dir: &Path, edit: impl FnOnce(&mut Vec<A<'static>>)) -> PathBuf {
    let mut arrays = vec![
        A::F32("features", vec![3, 2], vec![1.0, 0.0, 0.0, 1.0, 0.5, 0.5]),
        A::I64("labels", vec![3], vec![0, 1, 1]),
        A::I64("edge_index", vec![2, 4], vec![0, 1, 1, 2, 1, 0, 2, 1]),
        A::Bool("train_mask", vec![3], vec![true, false, false]),
        A::Bool("test_mask", vec![3], vec![false, true, true]),
    ];
    edit(&mut arrays);
    let path = dir.join("g.npz");
    std::fs::write(&path, npz_bytes(&arrays)).unwrap();
    path
}

fn set(arrays: &mut [A<'static>], key: &str, new: A<'static>) {
    let i = arrays
        .iter()
        .position(|a| matches!(a, A::F32(k, ..) | A::I64(k, ..) | A::Bool(k, ..) if *k == key))
        .unwrap();
    arrays[i] = new;
}

fn error_of(path: &Path) -> String {
    GraphData::from_npz(path).unwrap_err().to_string()
}

#[test]
fn a_valid_fixture_loads() {
    let dir = tempfile::tempdir().unwrap();
    let g = GraphData::from_npz(&graph(dir.path(), |_| {})).unwrap();
    assert_eq!((g.num_nodes, g.num_edges(), g.num_classes), (3, 4, 2));
}

#[test]
fn truncated_and_corrupt_archives_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = graph(dir.path(), |_| {});
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let e = error_of(&path);
    assert!(e.contains("g.npz"), "{e}");
    let mut corrupt = bytes.clone();
    for b in corrupt.iter_mut().skip(60).take(40) {
        *b ^= 0x5a;
    }
    std::fs::write(&path, &corrupt).unwrap();
    assert!(error_of(&path).contains("g.npz"));
    std::fs::write(&path, b"definitely not a zip").unwrap();
    assert!(error_of(&path).contains("zip"));
}

#[test]
fn wrong_dtype_and_shape_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = graph(dir.path(), |a| {
        set(a, "labels", A::F32("labels", vec![3], vec![0.0, 1.0, 1.0]))
    });
    let e = error_of(&p);
    assert!(e.contains("key `labels`") && e.contains("float32"), "{e}");
    let p = graph(dir.path(), |a| {
        set(
            a,
            "edge_index",
            A::I64("edge_index", vec![4, 2], vec![0, 1, 1, 2, 1, 0, 2, 1]),
        )
    });
    let e = error_of(&p);
    assert!(
        e.contains("key `edge_index`") && e.contains("(2, E)"),
        "{e}"
    );
}

#[test]
fn non_finite_features_name_the_row() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [f32::NAN, f32::INFINITY] {
        let p = graph(dir.path(), |a| {
            set(
                a,
                "features",
                A::F32("features", vec![3, 2], vec![1.0, 0.0, 0.0, 1.0, bad, 0.5]),
            )
        });
        let e = error_of(&p);
        assert!(e.contains("key `features`") && e.contains("row 2"), "{e}");
    }
}

#[test]
fn out_of_range_edges_mismatched_rows_and_empty_splits() {
    let dir = tempfile::tempdir().unwrap();
    let p = graph(dir.path(), |a| {
        set(
            a,
            "edge_index",
            A::I64("edge_index", vec![2, 2], vec![0, 7, 1, 0]),
        )
    });
    let e = error_of(&p);
    assert!(
        e.contains("key `edge_index`") && e.contains("7 at flat index 1") && e.contains("0..3"),
        "{e}"
    );
    let p = graph(dir.path(), |a| {
        set(a, "labels", A::I64("labels", vec![4], vec![0, 1, 1, 0]))
    });
    let e = error_of(&p);
    assert!(
        e.contains("labels") && e.contains("3 labels") && e.contains("4 labels"),
        "{e}"
    );
    let p = graph(dir.path(), |a| {
        set(
            a,
            "train_mask",
            A::Bool("train_mask", vec![3], vec![false; 3]),
        )
    });
    let g = GraphData::from_npz(&p).unwrap();
    let e = g.mask_indices("train").unwrap_err().to_string();
    assert!(
        e.contains("mask `train`") && e.contains("empty split"),
        "{e}"
    );
}

#[test]
fn missing_files_and_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = GraphData::from_npz(&dir.path().join("nope.npz"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope.npz"), "{e}");
    let p = graph(dir.path(), |a| {
        a.remove(2);
    });
    let e = error_of(&p);
    assert!(e.contains("key `edge_index`") && e.contains("keys"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Mutated archives: the reader returns Ok or Err, never panics.
    #[test]
    fn npz_reader_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let dir = tempfile::tempdir().unwrap();
        let path = graph(dir.path(), |_| {});
        let mut bytes = std::fs::read(&path).unwrap();
        for (i, v) in flips {
            let i = i.index(bytes.len());
            bytes[i] = v;
        }
        let keep = cut.index(bytes.len() + 1).max(bytes.len() / 2);
        bytes.truncate(keep);
        std::fs::write(&path, &bytes).unwrap();
        let _ = GraphData::from_npz(&path);
        if let Ok(mut npz) = Npz::open(&path) {
            for key in npz.keys() {
                let _ = npz.array(&key);
            }
        }
    }

    /// Arbitrary bytes: the CSV/TSV readers return Ok or Err, never panic.
    #[test]
    fn csv_readers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512), tsv in any::<bool>()) {
        let format = if tsv { TextFormat::TSV } else { TextFormat::CSV };
        let want = [("a", ColumnType::I64), ("b", ColumnType::F64), ("c", ColumnType::Str)];
        let _ = read_table_from("fuzz", bytes.as_slice(), &format, &want);
        let _ = read_table_from("fuzz", bytes.as_slice(), &format.without_header(), &[("0", ColumnType::F64), ("2", ColumnType::Str)]);
        let _ = read_matrix_from("fuzz", bytes.as_slice(), &format);
    }
}
