//! [`InteractionLog`]: timestamped user–item events (ratings, clicks, purchases).

use std::collections::HashMap;
use tessera_core::{Error, Result};

/// Maps external string ids (user or item tokens) to dense indices `0..n`, in order of first appearance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdMap {
    /// External id of each dense index.
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl IdMap {
    /// The dense index of `name`, assigning the next one if it is new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    /// The dense index of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no id was seen.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A log of user–item interactions with dense ids, timestamps and optional ratings.
#[derive(Clone, Debug, PartialEq)]
pub struct InteractionLog {
    /// Where the log came from, for messages.
    pub source: String,
    /// Dense user index of each event.
    pub users: Vec<u32>,
    /// Dense item index of each event.
    pub items: Vec<u32>,
    /// Event time (seconds since the Unix epoch for MovieLens).
    pub timestamps: Vec<i64>,
    /// Rating of each event, when the log has them.
    pub ratings: Option<Vec<f32>>,
    /// User index ↔ external user id.
    pub user_ids: IdMap,
    /// Item index ↔ external item id.
    pub item_ids: IdMap,
}

/// One event with external ids, as read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct RawEvent<'a> {
    /// External user id.
    pub user: &'a str,
    /// External item id.
    pub item: &'a str,
    /// Event time.
    pub timestamp: i64,
    /// Rating, if the log has ratings.
    pub rating: Option<f32>,
}

impl InteractionLog {
    /// An empty log that will be filled with [`push`](Self::push).
    pub fn empty(source: impl Into<String>, with_ratings: bool) -> Self {
        InteractionLog {
            source: source.into(),
            users: Vec::new(),
            items: Vec::new(),
            timestamps: Vec::new(),
            ratings: with_ratings.then(Vec::new),
            user_ids: IdMap::default(),
            item_ids: IdMap::default(),
        }
    }

    /// Appends one event; `row` (1-based file line) is used in errors.
    pub fn push(&mut self, row: usize, event: RawEvent<'_>) -> Result<()> {
        match (&mut self.ratings, event.rating) {
            (Some(r), Some(x)) if x.is_finite() => r.push(x),
            (Some(_), Some(x)) => {
                return Err(Error::input(
                    &self.source,
                    format!("row {row}, column rating"),
                    "a finite rating",
                    x.to_string(),
                ));
            }
            (Some(_), None) => {
                return Err(Error::input(
                    &self.source,
                    format!("row {row}"),
                    "a rating",
                    "none",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::input(
                    &self.source,
                    format!("row {row}"),
                    "no rating (log without ratings)",
                    "a rating",
                ));
            }
            (None, None) => {}
        }
        self.users.push(self.user_ids.intern(event.user));
        self.items.push(self.item_ids.intern(event.item));
        self.timestamps.push(event.timestamp);
        Ok(())
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether the log has no events.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Number of distinct users.
    pub fn num_users(&self) -> usize {
        self.user_ids.len()
    }

    /// Number of distinct items.
    pub fn num_items(&self) -> usize {
        self.item_ids.len()
    }

    /// Checks equal column lengths, ids within the maps, and a non-empty log.
    pub fn validate(&self) -> Result<()> {
        let n = self.users.len();
        if n == 0 {
            return Err(Error::input(
                &self.source,
                "events",
                "at least one interaction",
                "an empty log",
            ));
        }
        let lens = [
            self.items.len(),
            self.timestamps.len(),
            self.ratings.as_ref().map_or(n, Vec::len),
        ];
        if lens.iter().any(|&l| l != n) {
            return Err(Error::input(
                &self.source,
                "columns",
                format!("{n} values in every column"),
                format!("items/timestamps/ratings lengths {lens:?}"),
            ));
        }
        for (what, ids, bound) in [
            ("user", &self.users, self.num_users()),
            ("item", &self.items, self.num_items()),
        ] {
            if let Some(p) = ids.iter().position(|&i| i as usize >= bound) {
                return Err(Error::input(
                    &self.source,
                    format!("event {p}, {what}"),
                    format!("an index < {bound}"),
                    ids[p].to_string(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev<'a>(user: &'a str, item: &'a str, t: i64, r: Option<f32>) -> RawEvent<'a> {
        RawEvent {
            user,
            item,
            timestamp: t,
            rating: r,
        }
    }

    #[test]
    fn interns_ids_in_order_of_first_appearance() {
        let mut log = InteractionLog::empty("t", true);
        log.push(2, ev("u9", "a", 5, Some(3.0))).unwrap();
        log.push(3, ev("u1", "b", 6, Some(4.0))).unwrap();
        log.push(4, ev("u9", "b", 7, Some(5.0))).unwrap();
        log.validate().unwrap();
        assert_eq!((log.len(), log.num_users(), log.num_items()), (3, 2, 2));
        assert_eq!(log.users, vec![0, 1, 0]);
        assert_eq!(log.items, vec![0, 1, 1]);
        assert_eq!(log.user_ids.names, vec!["u9", "u1"]);
        assert_eq!(log.item_ids.get("b"), Some(1));
    }

    #[test]
    fn rejects_non_finite_and_missing_ratings_and_empty_logs() {
        let mut log = InteractionLog::empty("ml.inter", true);
        let e = log
            .push(7, ev("u", "i", 0, Some(f32::NAN)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("ml.inter") && e.contains("row 7"), "{e}");
        assert!(log.push(8, ev("u", "i", 0, None)).is_err());
        assert!(log.is_empty(), "a rejected event must not be half-added");
        assert!(
            log.validate()
                .unwrap_err()
                .to_string()
                .contains("empty log")
        );
    }
}
