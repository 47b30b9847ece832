//! Run folders: the artifact contract every command writes.
//!
//! ```text
//! runs/<name>/ config.json meta.json metrics.json report.md model/ embeddings.npy plots/
//! ```
//!
//! A run is staged in a hidden sibling folder and renamed into place by
//! [`RunFolder::commit`], so a crash or a rejected input never leaves a
//! half-written run that looks complete. Single files elsewhere are written
//! with [`write_atomic`] (temp file + rename).

use crate::{Error, Report, Result};
use serde::Serialize;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).map_err(|e| Error::io("writing", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io("renaming into place", path, e)
    })
}

/// Writes `value` as pretty JSON, atomically.
pub fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Numeric(format!("cannot serialise {}: {e}", path.display())))?;
    write_atomic(path, text.as_bytes())
}

/// Run metadata written to `meta.json`.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct RunMeta {
    /// tessera version that produced the run.
    pub tessera_version: String,
    /// The command, e.g. `coldbrew train`.
    pub command: String,
    /// Start time, seconds since the Unix epoch.
    pub started_unix: u64,
    /// End time, seconds since the Unix epoch.
    pub finished_unix: u64,
    /// Wall-clock duration in seconds.
    pub seconds: f64,
    /// Compute device (`cpu`, `cuda`).
    pub device: String,
    /// Worker threads.
    pub threads: usize,
}

/// A run folder being written. Dropped without [`commit`](Self::commit), it leaves nothing behind.
#[derive(Debug)]
pub struct RunFolder {
    target: PathBuf,
    staging: PathBuf,
    started: SystemTime,
    committed: bool,
}

impl RunFolder {
    /// Starts a run that will appear at `target` on commit.
    ///
    /// Fails if `target` exists and is not empty (runs are never silently overwritten).
    pub fn create(target: impl Into<PathBuf>) -> Result<Self> {
        let target = target.into();
        if target.exists()
            && fs::read_dir(&target)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
        {
            return Err(Error::Config(format!(
                "output folder `{}` already exists and is not empty; choose another --out or remove it",
                target.display()
            )));
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io("creating folder", parent, e))?;
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("run");
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .map_err(|e| Error::io("clearing stale staging folder", &staging, e))?;
        }
        fs::create_dir_all(&staging).map_err(|e| Error::io("creating folder", &staging, e))?;
        Ok(RunFolder {
            target,
            staging,
            started: SystemTime::now(),
            committed: false,
        })
    }

    /// The folder files are written into until commit.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Where the run will live after commit.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// A path inside the run (sub-folders are created on demand).
    pub fn file(&self, relative: &str) -> Result<PathBuf> {
        let path = self.staging.join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
        }
        Ok(path)
    }

    /// Writes `config.json` (resolved config, seed, dataset fingerprint, ...).
    pub fn write_config<T: Serialize>(&self, config: &T) -> Result<()> {
        write_json_atomic(&self.file("config.json")?, config)
    }

    /// Writes `metrics.json` and `report.md` from a report.
    pub fn write_report(&self, report: &Report) -> Result<()> {
        write_atomic(&self.file("metrics.json")?, report.to_json().as_bytes())?;
        write_atomic(&self.file("report.md")?, report.to_markdown().as_bytes())
    }

    /// Writes `meta.json` and renames the staged folder into place.
    pub fn commit(mut self, command: &str, device: &str, threads: usize) -> Result<PathBuf> {
        let now = SystemTime::now();
        let secs = |t: SystemTime| {
            t.duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        };
        let meta = RunMeta {
            tessera_version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            started_unix: secs(self.started),
            finished_unix: secs(now),
            seconds: now
                .duration_since(self.started)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
            device: device.into(),
            threads,
        };
        write_json_atomic(&self.staging.join("meta.json"), &meta)?;
        if self.target.exists() {
            // Empty by the check in `create`; remove so the rename can take its place.
            fs::remove_dir(&self.target)
                .map_err(|e| Error::io("replacing empty folder", &self.target, e))?;
        }
        fs::rename(&self.staging, &self.target)
            .map_err(|e| Error::io("moving run into place", &self.target, e))?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_moves_a_complete_run_into_place() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("runs/x");
        let run = RunFolder::create(&target).unwrap();
        run.write_config(&serde_json::json!({"lr": 0.005, "seed": 1}))
            .unwrap();
        run.write_report(&Report::new("m", "d")).unwrap();
        fs::write(run.file("model/w.bin").unwrap(), b"w").unwrap();
        assert!(!target.exists());
        run.commit("test", "cpu", 2).unwrap();
        for f in [
            "config.json",
            "meta.json",
            "metrics.json",
            "report.md",
            "model/w.bin",
        ] {
            assert!(target.join(f).is_file(), "{f} missing");
        }
        let meta: RunMeta =
            serde_json::from_slice(&fs::read(target.join("meta.json")).unwrap()).unwrap();
        assert_eq!(meta.threads, 2);
    }

    #[test]
    fn dropped_run_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("y");
        {
            let run = RunFolder::create(&target).unwrap();
            run.write_config(&1).unwrap();
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn refuses_to_overwrite_a_non_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("keep.txt"), b"x").unwrap();
        let err = RunFolder::create(dir.path()).unwrap_err();
        assert!(err.to_string().contains("already exists"));
    }

    #[test]
    fn write_atomic_replaces_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        write_atomic(&p, b"1").unwrap();
        write_atomic(&p, b"2").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"2");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
