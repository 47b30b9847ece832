//! The report every `reproduce` returns: our numbers next to the published ones.
//!
//! Its JSON form is the contract `tessera <method> reproduce --json` prints:
//! `{"method","dataset","rows":[{"metric","split","model","ours","ours_std","published"}],"seconds"}`.

use serde::{Deserialize, Serialize};

/// One measured quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    /// What is measured, e.g. `accuracy`, `fcr`, `precision@5`.
    pub metric: String,
    /// Which part of the data, e.g. `isolation`, `test`, `overall`.
    pub split: String,
    /// Which model or variant, e.g. `gcn`, `coldbrew-student`.
    pub model: String,
    /// Our value (mean over seeds).
    pub ours: f64,
    /// Standard deviation over seeds (`None` for a single run).
    pub ours_std: Option<f64>,
    /// The paper's value, where there is one.
    pub published: Option<f64>,
}

/// The result of a reproduction: rows of (metric, ours, published).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Method name, e.g. `coldbrew`.
    pub method: String,
    /// Dataset name from the catalogue, e.g. `cora`.
    pub dataset: String,
    /// The measured rows.
    pub rows: Vec<ReportRow>,
    /// Wall-clock seconds the reproduction took.
    pub seconds: f64,
}

impl Report {
    /// An empty report for `method` on `dataset`.
    pub fn new(method: impl Into<String>, dataset: impl Into<String>) -> Self {
        Report {
            method: method.into(),
            dataset: dataset.into(),
            rows: Vec::new(),
            seconds: 0.0,
        }
    }

    /// Adds a row from per-seed values (mean, and sample std when there are ≥ 2).
    pub fn push_seeds(
        &mut self,
        metric: &str,
        split: &str,
        model: &str,
        values: &[f64],
        published: Option<f64>,
    ) {
        let (mean, std) = crate::metrics::mean_std(values);
        self.rows.push(ReportRow {
            metric: metric.into(),
            split: split.into(),
            model: model.into(),
            ours: mean,
            ours_std: (values.len() > 1).then_some(std),
            published,
        });
    }

    /// The row for (metric, split, model), if present.
    pub fn find(&self, metric: &str, split: &str, model: &str) -> Option<&ReportRow> {
        self.rows
            .iter()
            .find(|r| r.metric == metric && r.split == split && r.model == model)
    }

    /// Pretty JSON in the report schema.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report is always serialisable")
    }

    /// An aligned plain-text table for terminals.
    pub fn to_table(&self) -> String {
        let header = ["metric", "split", "model", "ours", "std", "published"].map(String::from);
        let mut cells = vec![header];
        cells.extend(self.rows.iter().map(row_cells));
        format!(
            "{} on {} ({:.1}s)\n{}",
            self.method,
            self.dataset,
            self.seconds,
            aligned_table(&cells, 3)
        )
    }

    /// A Markdown report (`report.md` in the run folder).
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# {} on {}\n\nTook {:.1} s.\n\n| metric | split | model | ours | std | published |\n|---|---|---|---:|---:|---:|\n",
            self.method, self.dataset, self.seconds
        );
        for row in self.rows.iter().map(row_cells) {
            out += &format!("| {} |\n", row.join(" | "));
        }
        out
    }
}

fn row_cells(r: &ReportRow) -> [String; 6] {
    let num = |v: f64| {
        if v.is_finite() {
            format!("{v:.2}")
        } else {
            "n/a".into()
        }
    };
    [
        r.metric.clone(),
        r.split.clone(),
        r.model.clone(),
        num(r.ours),
        r.ours_std.map(num).unwrap_or_else(|| "-".into()),
        r.published.map(num).unwrap_or_else(|| "-".into()),
    ]
}

/// Lays out rows of cells as a plain-text table, two spaces between columns:
/// the first `left` columns left-aligned, the rest right-aligned (numbers).
/// Every line ends with a newline.
pub fn aligned_table<R: AsRef<[String]>>(rows: &[R], left: usize) -> String {
    let columns = rows.iter().map(|r| r.as_ref().len()).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row.as_ref()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .as_ref()
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| {
                if i < left {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        out += cells.join("  ").trim_end();
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut r = Report::new("coldbrew", "cora");
        r.push_seeds(
            "accuracy",
            "isolation",
            "coldbrew-student",
            &[68.0, 70.0],
            Some(69.62),
        );
        r.push_seeds("fcr", "overall", "coldbrew", &[32.86], Some(32.86));
        r.seconds = 12.5;
        r
    }

    #[test]
    fn json_has_exactly_the_schema_fields() {
        let v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["dataset", "method", "rows", "seconds"]);
        let mut row_keys: Vec<_> = v["rows"][0].as_object().unwrap().keys().cloned().collect();
        row_keys.sort();
        assert_eq!(
            row_keys,
            ["metric", "model", "ours", "ours_std", "published", "split"]
        );
        assert_eq!(v["rows"][0]["ours"], 69.0);
        assert!(v["rows"][1]["ours_std"].is_null());
    }

    #[test]
    fn table_is_aligned_and_round_trips_json() {
        let r = sample();
        let table = r.to_table();
        let lines: Vec<_> = table.lines().skip(1).collect();
        assert!(lines.iter().all(|l| l.len() == lines[0].len()), "{table}");
        assert!(table.contains("69.62") && table.contains("1.41"));
        let back: Report = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, r);
        assert!(r.find("fcr", "overall", "coldbrew").is_some());
    }

    #[test]
    fn aligned_table_pads_left_and_right_columns() {
        let rows = [
            ["name", "value"].map(String::from),
            ["a", "1.5"].map(String::from),
            ["longer", "10.25"].map(String::from),
        ];
        assert_eq!(
            aligned_table(&rows, 1),
            "name    value\na         1.5\nlonger  10.25\n"
        );
    }
}
