//! [`TextPairs`]: scored sentence pairs (STS, SICK).

use tessera_core::{Error, Result};

/// Sentence pairs with a gold similarity score each.
#[derive(Clone, Debug, PartialEq)]
pub struct TextPairs {
    /// Where the pairs came from, for messages.
    pub source: String,
    /// Gold score of each pair.
    pub scores: Vec<f32>,
    /// First sentence of each pair.
    pub s1: Vec<String>,
    /// Second sentence of each pair.
    pub s2: Vec<String>,
}

impl TextPairs {
    /// Builds and validates a set of pairs.
    pub fn new(
        source: impl Into<String>,
        scores: Vec<f32>,
        s1: Vec<String>,
        s2: Vec<String>,
    ) -> Result<Self> {
        let p = TextPairs {
            source: source.into(),
            scores,
            s1,
            s2,
        };
        p.validate()?;
        Ok(p)
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Appends every pair of `other` (e.g. to pool the subsets of STS12).
    pub fn extend(&mut self, other: TextPairs) {
        self.scores.extend(other.scores);
        self.s1.extend(other.s1);
        self.s2.extend(other.s2);
    }

    /// Checks: at least one pair, equal column lengths, finite scores.
    pub fn validate(&self) -> Result<()> {
        let n = self.scores.len();
        if n == 0 {
            return Err(Error::input(
                &self.source,
                "pairs",
                "at least one pair",
                "none",
            ));
        }
        if self.s1.len() != n || self.s2.len() != n {
            return Err(Error::input(
                &self.source,
                "columns",
                format!("{n} sentences in each column"),
                format!("{} and {}", self.s1.len(), self.s2.len()),
            ));
        }
        if let Some(p) = self.scores.iter().position(|s| !s.is_finite()) {
            return Err(Error::input(
                &self.source,
                format!("pair {p}, column score"),
                "a finite score",
                self.scores[p].to_string(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_pools() {
        let mut a = TextPairs::new("a", vec![1.0], vec!["x".into()], vec!["y".into()]).unwrap();
        a.extend(TextPairs::new("b", vec![2.0], vec!["p".into()], vec!["q".into()]).unwrap());
        assert_eq!(a.len(), 2);
        assert_eq!(a.s2[1], "q");
        assert!(TextPairs::new("a", vec![], vec![], vec![]).is_err());
        assert!(TextPairs::new("a", vec![1.0], vec![], vec!["y".into()]).is_err());
        let e = TextPairs::new("s.tsv", vec![f32::NAN], vec!["x".into()], vec!["y".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("s.tsv") && e.contains("pair 0"), "{e}");
    }
}
