//! Resumable training cells of the long studies.
//!
//! A *cell* is one training run and its evaluation: one pair, one variant or
//! loss, one batch size, one seed, named by a stable id such as
//! `pix-fou/B=64/infonce/seed=3`. Every finished cell is appended at once as
//! one JSON line to a cache file, so a stopped study keeps what it measured;
//! started again with the same cache and the same settings it loads those
//! cells instead of training them again. The report is computed from the
//! cells, whether measured now or loaded.
//!
//! The file's first line is `{"settings": ...}`; a cache written with other
//! settings is refused rather than mixed in.

use crate::eval::Evaluation;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use tessera_core::{Error, Progress, Result};

/// What one finished cell measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// Quality numbers on the test pairs.
    pub eval: Evaluation,
    /// The generalised full-data training loss at the final temperature.
    pub train_loss: f64,
    /// Wall-clock seconds the cell took (training and evaluation).
    pub seconds: f64,
}

#[derive(Serialize, Deserialize)]
struct Line {
    id: String,
    #[serde(flatten)]
    result: CellResult,
}

#[derive(Serialize, Deserialize)]
struct Header {
    settings: serde_json::Value,
}

/// The finished cells of one study, optionally mirrored to a JSONL file.
#[derive(Debug)]
pub struct CellStore {
    file: Option<(PathBuf, File)>,
    done: HashMap<String, CellResult>,
    loaded: usize,
    progress: Progress,
}

impl CellStore {
    /// A store that keeps cells in memory only (tests, library use).
    pub fn in_memory() -> Self {
        CellStore {
            file: None,
            done: HashMap::new(),
            loaded: 0,
            progress: Progress::hidden(),
        }
    }

    /// Opens (or creates) the cache at `path` for a study with `settings`.
    ///
    /// Cells already in the file are loaded; a file written for other
    /// settings, or a line that is not a cell, is an error naming the file and line.
    pub fn open(path: &Path, settings: &serde_json::Value, progress: &Progress) -> Result<Self> {
        let mut done = HashMap::new();
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Error::io("reading", path, e)),
        };
        // A stopped run can leave a torn last line: keep only complete lines.
        let complete = text.rfind('\n').map_or(0, |i| i + 1);
        if complete < text.len() {
            OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| f.set_len(complete as u64))
                .map_err(|e| Error::io("truncating a torn last line of", path, e))?;
        }
        let mut lines = text[..complete].lines().enumerate();
        if let Some((_, first)) = lines.next() {
            let header: Header = serde_json::from_str(first).map_err(|e| {
                Error::input(
                    path.display(),
                    "line 1",
                    "a {\"settings\": ...} header",
                    e.to_string(),
                )
            })?;
            if &header.settings != settings {
                return Err(Error::input(
                    path.display(),
                    "line 1 (settings)",
                    "the settings of this study run",
                    "other settings; remove the file or choose another --out",
                ));
            }
        }
        for (n, line) in lines.filter(|(_, l)| !l.trim().is_empty()) {
            let cell: Line = serde_json::from_str(line).map_err(|e| {
                Error::input(
                    path.display(),
                    format!("line {}", n + 1),
                    "a cell record",
                    e.to_string(),
                )
            })?;
            done.insert(cell.id, cell.result);
        }
        let fresh = complete == 0;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io("opening", path, e))?;
        if fresh {
            let header = serde_json::to_string(&Header {
                settings: settings.clone(),
            })
            .map_err(|e| Error::Numeric(format!("cannot serialise study settings: {e}")))?;
            writeln!(file, "{header}").map_err(|e| Error::io("writing", path, e))?;
        } else {
            progress.log(&format!(
                "resuming from {}: {} finished cells are reused",
                path.display(),
                done.len()
            ));
        }
        Ok(CellStore {
            file: Some((path.to_path_buf(), file)),
            loaded: done.len(),
            done,
            progress: progress.clone(),
        })
    }

    /// Cells loaded from the cache when it was opened.
    pub fn loaded(&self) -> usize {
        self.loaded
    }

    /// The result of cell `id`: loaded if it is already finished, otherwise
    /// measured by `run`, appended to the cache and logged.
    pub fn get_or_run(
        &mut self,
        id: &str,
        run: impl FnOnce() -> Result<(Evaluation, f64)>,
    ) -> Result<CellResult> {
        if let Some(done) = self.done.get(id) {
            return Ok(done.clone());
        }
        let started = std::time::Instant::now();
        let (eval, train_loss) = run().map_err(|e| e.context(format!("study cell {id}")))?;
        let result = CellResult {
            eval,
            train_loss,
            seconds: started.elapsed().as_secs_f64(),
        };
        if let Some((path, file)) = &mut self.file {
            let line = serde_json::to_string(&Line {
                id: id.to_string(),
                result: result.clone(),
            })
            .map_err(|e| Error::Numeric(format!("cannot serialise cell {id}: {e}")))?;
            writeln!(file, "{line}")
                .and_then(|()| file.flush())
                .map_err(|e| Error::io("appending to", &*path, e))?;
        }
        self.progress.log(&format!(
            "cell {id}: probe-a {} R@1 a->b {:.2} % ({:.1}s)",
            result
                .eval
                .probe_a
                .map_or("-".into(), |p| format!("{:.2} %", p * 100.0)),
            result.eval.recall_ab[0] * 100.0,
            result.seconds
        ));
        self.done.insert(id.to_string(), result.clone());
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(v: f64) -> Result<(Evaluation, f64)> {
        Ok((
            Evaluation {
                probe_a: Some(v),
                probe_b: None,
                probe_ab: None,
                probe_a_specific: None,
                prototype: Some(0.5),
                recall_ab: [v, 0.2, 0.3],
                recall_ba: [0.1, 0.2, 0.3],
            },
            1.5,
        ))
    }

    #[test]
    fn finished_cells_are_reused_and_other_settings_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.jsonl");
        let settings = serde_json::json!({"seeds": 2});
        let first = {
            let mut store = CellStore::open(&path, &settings, &Progress::hidden()).unwrap();
            store.get_or_run("a/seed=0", || fake(0.75)).unwrap();
            store.get_or_run("a/seed=1", || fake(0.25)).unwrap()
        };
        let mut store = CellStore::open(&path, &settings, &Progress::hidden()).unwrap();
        assert_eq!(store.loaded(), 2);
        let again = store
            .get_or_run("a/seed=1", || panic!("a finished cell must not run again"))
            .unwrap();
        assert_eq!(again, first);
        store.get_or_run("a/seed=2", || fake(0.5)).unwrap();
        drop(store);
        let lines = fs::read_to_string(&path).unwrap().lines().count();
        assert_eq!(lines, 4, "header and three cells");
        // A run killed while writing leaves a torn line: it is dropped, the rest kept.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        write!(file, "{{\"id\":\"a/se").unwrap();
        let mut store = CellStore::open(&path, &settings, &Progress::hidden()).unwrap();
        assert_eq!(store.loaded(), 3);
        store.get_or_run("a/seed=3", || fake(0.5)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 5);
        let err = CellStore::open(&path, &serde_json::json!({"seeds": 3}), &Progress::hidden())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cells.jsonl") && err.contains("settings"),
            "{err}"
        );
    }

    #[test]
    fn a_corrupt_line_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cells.jsonl");
        fs::write(&path, "{\"settings\":1}\nnot json\n").unwrap();
        let err = CellStore::open(&path, &serde_json::json!(1), &Progress::hidden())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("cells.jsonl") && err.contains("line 2"),
            "{err}"
        );
    }
}
