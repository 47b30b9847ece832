//! [`TrajectorySet`]: agent positions over frames, grouped by recording (ETH/UCY).

use std::collections::BTreeSet;
use tessera_core::{Error, Result};

/// One recording: a table of `(frame, agent, x, y)` rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// Recording name (`biwi_eth`, `students001`, ...).
    pub name: String,
    /// File the rows came from, for messages.
    pub source: String,
    /// Frame number of each row.
    pub frame: Vec<i64>,
    /// Agent id of each row (unique within the recording only).
    pub agent: Vec<i64>,
    /// x position (metres).
    pub x: Vec<f32>,
    /// y position (metres).
    pub y: Vec<f32>,
}

impl Recording {
    /// Number of annotated positions.
    pub fn len(&self) -> usize {
        self.frame.len()
    }

    /// Whether the recording has no rows.
    pub fn is_empty(&self) -> bool {
        self.frame.is_empty()
    }

    /// Number of distinct agents.
    pub fn num_agents(&self) -> usize {
        self.agent.iter().collect::<BTreeSet<_>>().len()
    }

    /// Number of distinct frames.
    pub fn num_frames(&self) -> usize {
        self.frame.iter().collect::<BTreeSet<_>>().len()
    }

    /// Checks: non-empty, equal column lengths, finite positions.
    pub fn validate(&self) -> Result<()> {
        let n = self.frame.len();
        if n == 0 {
            return Err(Error::input(
                &self.source,
                "rows",
                "at least one position",
                "an empty recording",
            ));
        }
        if [self.agent.len(), self.x.len(), self.y.len()]
            .iter()
            .any(|&l| l != n)
        {
            return Err(Error::input(
                &self.source,
                "columns",
                format!("{n} values per column"),
                format!(
                    "agent/x/y lengths {}/{}/{}",
                    self.agent.len(),
                    self.x.len(),
                    self.y.len()
                ),
            ));
        }
        for (name, col) in [("x", &self.x), ("y", &self.y)] {
            if let Some(p) = col.iter().position(|v| !v.is_finite()) {
                return Err(Error::input(
                    &self.source,
                    format!("row {p}, column {name}"),
                    "a finite position",
                    col[p].to_string(),
                ));
            }
        }
        Ok(())
    }
}

/// Several recordings, e.g. the eight ETH/UCY scenes.
#[derive(Clone, Debug, PartialEq)]
pub struct TrajectorySet {
    /// Where the set came from, for messages.
    pub source: String,
    /// The recordings, in a fixed order.
    pub recordings: Vec<Recording>,
}

impl TrajectorySet {
    /// Builds and validates a set.
    pub fn new(source: impl Into<String>, recordings: Vec<Recording>) -> Result<Self> {
        let set = TrajectorySet {
            source: source.into(),
            recordings,
        };
        if set.recordings.is_empty() {
            return Err(Error::input(
                &set.source,
                "recordings",
                "at least one recording",
                "none",
            ));
        }
        set.recordings.iter().try_for_each(Recording::validate)?;
        Ok(set)
    }

    /// The recording called `name`.
    pub fn recording(&self, name: &str) -> Result<&Recording> {
        self.recordings
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.recordings.iter().map(|r| r.name.as_str()).collect();
                Error::input(
                    &self.source,
                    format!("recording `{name}`"),
                    "an existing recording",
                    format!("recordings {names:?}"),
                )
            })
    }

    /// Total number of positions over all recordings.
    pub fn total_positions(&self) -> usize {
        self.recordings.iter().map(Recording::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(x: Vec<f32>) -> Recording {
        let n = x.len();
        Recording {
            name: "r".into(),
            source: "r.tsv".into(),
            frame: vec![0, 0, 10][..n].to_vec(),
            agent: vec![1, 2, 1][..n].to_vec(),
            y: x.clone(),
            x,
        }
    }

    #[test]
    fn counts_agents_and_frames() {
        let set = TrajectorySet::new("t", vec![rec(vec![0.0, 1.0, 2.0])]).unwrap();
        let r = set.recording("r").unwrap();
        assert_eq!((r.len(), r.num_agents(), r.num_frames()), (3, 2, 2));
        assert_eq!(set.total_positions(), 3);
        assert!(set.recording("q").is_err());
    }

    #[test]
    fn rejects_empty_and_non_finite() {
        assert!(TrajectorySet::new("t", vec![]).is_err());
        assert!(TrajectorySet::new("t", vec![rec(vec![])]).is_err());
        let e = TrajectorySet::new("t", vec![rec(vec![0.0, f32::NAN])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("r.tsv") && e.contains("row 1, column x"), "{e}");
    }
}
