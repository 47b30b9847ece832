//! `tessera data ...` end to end on the built binary: acceptance counts, and
//! bad input giving a clear error, a non-zero exit and no output files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tessera(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(args)
        .output()
        .expect("the tessera binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The shared cora file, found through the catalogue's own search.
fn cora_file() -> PathBuf {
    let o = tessera(&["--json", "data", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cora = v
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "cora")
        .unwrap();
    let root = cora["detail"]["root"]
        .as_str()
        .unwrap_or_else(|| panic!("cora not present: {cora}"));
    Path::new(root).join("planetoid/cora.npz")
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn info_prints_the_acceptance_counts() {
    let o = tessera(&["data", "info", "cora"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    for want in [
        "nodes: 2708",
        "undirected edges: 5278",
        "features: 1433",
        "classes: 7",
        "140/500/1000",
    ] {
        assert!(out.contains(want), "{want} missing in\n{out}");
    }
    let o = tessera(&["data", "info", "mfeat"]);
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "mfeat must be fetched first (`tessera data fetch --all`): {err}"
    );
    assert!(
        out.contains("rows: 2000")
            && out.contains("fac 216, fou 76, kar 64, mor 6, pix 240, zer 47"),
        "{out}"
    );
    let o = tessera(&["--json", "data", "info", "movielens-1m"]);
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "movielens-1m must be fetched first (`tessera data fetch --all`): {err}"
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (
            v["interactions"].as_u64(),
            v["users"].as_u64(),
            v["items"].as_u64()
        ),
        (Some(1_000_209), Some(6040), Some(3706))
    );
}

#[test]
fn verify_passes_on_the_pinned_data() {
    let o = tessera(&["data", "verify"]);
    let (out, err) = text(&o);
    assert!(
        o.status.success(),
        "{out}\n{err}\n(registry data comes from `tessera data fetch --all`)"
    );
    assert!(out.contains("27 ok, 0 not ok"), "{out}");
}

#[test]
fn unknown_dataset_names_fail_with_the_list() {
    let o = tessera(&["data", "info", "corra"]);
    let (out, err) = text(&o);
    assert!(!o.status.success() && out.is_empty());
    assert!(
        err.contains("unknown dataset `corra`") && err.contains("cora"),
        "{err}"
    );
}

#[test]
fn a_modified_file_fails_info_and_verify_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("planetoid")).unwrap();
    let bytes = std::fs::read(cora_file()).unwrap();
    std::fs::write(
        dir.path().join("planetoid/cora.npz"),
        &bytes[..bytes.len() - 1],
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let o = tessera(&["--data-dir", d, "data", "info", "cora"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("planetoid/cora.npz") && err.contains("expected cb390c79"),
        "{err}"
    );
    let o = tessera(&["--data-dir", d, "data", "verify"]);
    let (out, _) = text(&o);
    assert!(
        !o.status.success() && out.contains("MISMATCH  cora"),
        "{out}"
    );
    assert_eq!(files_in(dir.path()), 1);
    assert_eq!(files_in(&dir.path().join("planetoid")), 1);
}

#[test]
fn truncated_corrupt_and_missing_npz_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(cora_file()).unwrap();
    let cut = dir.path().join("cut.npz");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let garbage = dir.path().join("garbage.npz");
    std::fs::write(&garbage, b"PK\x03\x04 this is not an archive").unwrap();
    let missing = dir.path().join("missing.npz");
    for (path, must) in [(&cut, "cut.npz"), (&garbage, "garbage.npz")] {
        let o = tessera(&["data", "info", path.to_str().unwrap()]);
        let (out, err) = text(&o);
        assert!(!o.status.success() && out.is_empty(), "{out}");
        assert!(err.starts_with("error: ") && err.contains(must), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let o = tessera(&["data", "info", missing.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert!(
        !o.status.success() && err.contains("missing.npz") && err.contains("opening"),
        "{err}"
    );
    assert_eq!(files_in(dir.path()), 2, "nothing written");
}

#[test]
fn the_whole_cora_file_is_accepted_as_a_path() {
    let o = tessera(&["data", "info", cora_file().to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("nodes: 2708"), "{out}");
}
