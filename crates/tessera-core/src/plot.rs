//! Line plots as self-contained SVG files.
//!
//! SVG needs no font or raster library at build or run time (text is drawn
//! by the viewer), so plots work offline and in CI; convert to PNG with any
//! SVG tool if needed. Axes can be logarithmic.

use crate::{Result, run::write_atomic};
use std::fmt::Write as _;
use std::path::Path;

/// One named line of (x, y) points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points in drawing order; non-finite or (on log axes) non-positive points are skipped.
    pub points: Vec<(f64, f64)>,
}

/// A line plot with a title, axis labels and optional log axes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct LinePlot {
    /// Title above the plot.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// The lines.
    pub series: Vec<Series>,
}

const W: f64 = 720.0;
const H: f64 = 440.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 220.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;
const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl LinePlot {
    fn transform(&self, log: bool, v: f64) -> Option<f64> {
        let t = if log {
            (v > 0.0).then(|| v.log10())?
        } else {
            v
        };
        t.is_finite().then_some(t)
    }

    fn usable(&self) -> Vec<Vec<(f64, f64)>> {
        self.series
            .iter()
            .map(|s| {
                s.points
                    .iter()
                    .filter_map(|&(x, y)| {
                        Some((
                            self.transform(self.log_x, x)?,
                            self.transform(self.log_y, y)?,
                        ))
                    })
                    .collect()
            })
            .collect()
    }

    /// The plot as an SVG document.
    pub fn to_svg(&self) -> String {
        let lines = self.usable();
        let all: Vec<(f64, f64)> = lines.iter().flatten().copied().collect();
        let range = |f: fn(&(f64, f64)) -> f64| {
            let lo = all.iter().map(f).fold(f64::INFINITY, f64::min);
            let hi = all.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
            if !lo.is_finite() {
                (0.0, 1.0)
            } else if hi - lo < 1e-12 {
                (lo - 0.5, hi + 0.5)
            } else {
                (lo, hi)
            }
        };
        let ((x0, x1), (y0, y1)) = (range(|p| p.0), range(|p| p.1));
        let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
        let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * pw;
        let py = |y: f64| TOP + ph - (y - y0) / (y1 - y0) * ph;
        let label = |log: bool, v: f64| {
            if log {
                format!("{:.3}", 10f64.powf(v))
            } else {
                format!("{v:.3}")
            }
        };
        let mut svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        );
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>",
            LEFT + pw / 2.0,
            escape(&self.title)
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{pw}\" height=\"{ph}\" fill=\"none\" stroke=\"black\"/>"
        );
        for k in 0..=4 {
            let f = f64::from(k) / 4.0;
            let (xv, yv) = (x0 + f * (x1 - x0), y0 + f * (y1 - y0));
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                px(xv),
                TOP + ph + 18.0,
                label(self.log_x, xv)
            );
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                LEFT - 6.0,
                py(yv) + 4.0,
                label(self.log_y, yv)
            );
            let _ = writeln!(
                svg,
                "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>",
                LEFT + pw,
                py(yv),
                py(yv)
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            LEFT + pw / 2.0,
            H - 15.0,
            escape(&self.x_label)
        );
        let _ = writeln!(
            svg,
            "<text x=\"18\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {:.1})\">{}</text>",
            TOP + ph / 2.0,
            TOP + ph / 2.0,
            escape(&self.y_label)
        );
        for (i, (series, pts)) in self.series.iter().zip(&lines).enumerate() {
            let color = COLORS[i % COLORS.len()];
            let path: Vec<String> = pts
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
                .collect();
            let _ = writeln!(
                svg,
                "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{}\"/>",
                path.join(" ")
            );
            for &(x, y) in pts {
                let _ = writeln!(
                    svg,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"/>",
                    px(x),
                    py(y)
                );
            }
            let ly = TOP + 10.0 + 18.0 * i as f64;
            let _ = writeln!(
                svg,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{ly:.1}\" y2=\"{ly:.1}\" stroke=\"{color}\" stroke-width=\"2\"/>",
                W - RIGHT + 10.0,
                W - RIGHT + 30.0
            );
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                W - RIGHT + 36.0,
                ly + 4.0,
                escape(&series.name)
            );
        }
        svg.push_str("</svg>\n");
        svg
    }

    /// Writes the SVG to `path`, atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_svg().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_has_one_line_per_series_and_skips_bad_points_on_log_axes() {
        let plot = LinePlot {
            title: "bias <vs> B".into(),
            log_x: true,
            log_y: true,
            series: vec![
                Series {
                    name: "a".into(),
                    points: vec![(16.0, 1.0), (64.0, 0.25), (256.0, 0.0)],
                },
                Series {
                    name: "b".into(),
                    points: vec![(16.0, 0.5), (64.0, f64::NAN)],
                },
            ],
            ..Default::default()
        };
        let svg = plot.to_svg();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(
            svg.matches("<circle").count(),
            3,
            "zero and NaN are not drawable on log axes"
        );
        assert!(svg.contains("bias &lt;vs&gt; B") && svg.ends_with("</svg>\n"));
        let dir = tempfile::tempdir().unwrap();
        plot.save(&dir.path().join("p.svg")).unwrap();
        assert!(
            std::fs::read_to_string(dir.path().join("p.svg"))
                .unwrap()
                .starts_with("<svg")
        );
    }
}
