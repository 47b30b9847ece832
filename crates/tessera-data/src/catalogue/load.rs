//! Parsing each catalogue dataset's files into its typed form.

use super::Dataset;
use crate::idx::{IdxArray, read_idx};
use crate::interactions::RawEvent;
use crate::matrix::DenseMatrix;
use crate::multiview::View;
use crate::table::{ColumnType, TextFormat, read_matrix, read_table};
use crate::{
    ImagePart, ImageSet, InteractionLog, MultiViewData, Recording, SeriesSet, TextPairs,
    TrajectorySet,
};
use std::collections::BTreeMap;
use std::path::Path;
use tessera_core::{Error, Result};

/// The file name of a catalogue path without folders.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An integral, non-negative float as a class id.
fn class_id(source: &Path, row: usize, v: f32) -> Result<usize> {
    if v >= 0.0 && v.fract() == 0.0 && v < 1e6 {
        Ok(v as usize)
    } else {
        Err(Error::input(
            source.display(),
            format!("data row {row}, last column (label)"),
            "a non-negative integer class id",
            v.to_string(),
        ))
    }
}

/// mfeat: one CSV per view (header of column numbers); the last column is the digit label.
pub(super) fn multiview(ds: &Dataset, root: &Path) -> Result<MultiViewData> {
    let mut views = Vec::new();
    let mut labels: Option<(String, Vec<usize>)> = None;
    for f in ds.files {
        let path = root.join(f.path);
        let (_, m) = read_matrix(&path, &TextFormat::CSV)?;
        if m.cols < 2 {
            return Err(Error::input(
                path.display(),
                "header",
                "feature columns and a label column",
                format!("{} columns", m.cols),
            ));
        }
        let width = m.cols - 1;
        let mut data = Vec::with_capacity(m.rows * width);
        let mut lab = Vec::with_capacity(m.rows);
        for r in 0..m.rows {
            let row = m.row(r);
            data.extend_from_slice(&row[..width]);
            lab.push(class_id(&path, r, row[width])?);
        }
        let source = path.display().to_string();
        match &labels {
            Some((first, l)) => {
                if let Some(r) = l.iter().zip(&lab).position(|(a, b)| a != b) {
                    return Err(Error::input(
                        &source,
                        format!("data row {r}, label"),
                        format!("label {} (as in {first})", l[r]),
                        lab[r].to_string(),
                    ));
                }
            }
            None => labels = Some((source.clone(), lab)),
        }
        let name = file_name(f.path)
            .trim_start_matches("mfeat-")
            .trim_end_matches(".csv")
            .to_string();
        views.push(View {
            name,
            matrix: DenseMatrix::new(m.rows, width, data)?,
            source,
        });
    }
    MultiViewData::new(ds.name, views, labels.map(|(_, l)| l))
}

fn idx_part(root: &Path, ds: &Dataset, prefix: &str) -> Result<ImagePart> {
    let find = |kind: &str| {
        ds.files
            .iter()
            .find(|f| file_name(f.path).starts_with(&format!("{prefix}-{kind}")))
            .map(|f| root.join(f.path))
            .ok_or_else(|| Error::Dataset(format!("`{}` lists no {prefix} {kind} file", ds.name)))
    };
    let (img_path, lab_path) = (find("images")?, find("labels")?);
    let images: IdxArray = read_idx(&img_path)?;
    let labels: IdxArray = read_idx(&lab_path)?;
    if images.shape.len() != 3 {
        return Err(Error::input(
            img_path.display(),
            "header",
            "3 dimensions (count, height, width)",
            format!("shape {:?}", images.shape),
        ));
    }
    if labels.shape != [images.shape[0]] {
        return Err(Error::input(
            lab_path.display(),
            "header",
            format!("shape [{}] (one label per image)", images.shape[0]),
            format!("shape {:?}", labels.shape),
        ));
    }
    Ok(ImagePart {
        source: img_path.display().to_string(),
        pixels: images.data,
        labels: labels.data,
    })
}

/// MNIST-style IDX files: `train-*` and `t10k-*` become the parts `train` and `test`.
pub(super) fn images(ds: &Dataset, root: &Path) -> Result<ImageSet> {
    let train = idx_part(root, ds, "train")?;
    let test = idx_part(root, ds, "t10k")?;
    let side = |p: &ImagePart| p.pixels.len().checked_div(p.len()).unwrap_or(0);
    if side(&train) != 784 || side(&test) != 784 {
        return Err(Error::input(
            &train.source,
            "header",
            "28×28 images",
            format!("{} pixels per image", side(&train)),
        ));
    }
    ImageSet::new(
        ds.name,
        28,
        28,
        BTreeMap::from([("train".to_string(), train), ("test".to_string(), test)]),
    )
}

/// RecBole atomic `.inter` files: `user_id:token`, `item_id:token`, `rating:float`, `timestamp:float`.
pub(super) fn interactions(ds: &Dataset, root: &Path) -> Result<InteractionLog> {
    let path = root.join(ds.files[0].path);
    let cols = [
        ("user_id:token", ColumnType::Str),
        ("item_id:token", ColumnType::Str),
        ("rating:float", ColumnType::F64),
        ("timestamp:float", ColumnType::F64),
    ];
    let t = read_table(&path, &TextFormat::TSV, &cols)?;
    let (users, items, ratings, times) = (
        t.strs(cols[0].0)?,
        t.strs(cols[1].0)?,
        t.f64s(cols[2].0)?,
        t.f64s(cols[3].0)?,
    );
    let mut log = InteractionLog::empty(path.display().to_string(), true);
    for i in 0..t.rows {
        let ts = times[i];
        if ts.fract() != 0.0 {
            return Err(Error::input(
                path.display(),
                format!("line {}, column `timestamp:float`", i + 2),
                "whole seconds",
                ts.to_string(),
            ));
        }
        log.push(
            i + 2,
            RawEvent {
                user: &users[i],
                item: &items[i],
                timestamp: ts as i64,
                rating: Some(ratings[i] as f32),
            },
        )?;
    }
    log.validate()?;
    Ok(log)
}

/// STS-style TSV (`score`, `sentence1`, `sentence2`, no quoting), one subset per file.
pub(super) fn text_pairs(ds: &Dataset, root: &Path) -> Result<BTreeMap<String, TextPairs>> {
    let cols = [
        ("score", ColumnType::F64),
        ("sentence1", ColumnType::Str),
        ("sentence2", ColumnType::Str),
    ];
    let mut out = BTreeMap::new();
    for f in ds
        .files
        .iter()
        .filter(|f| f.path.ends_with(".tsv") && !f.path.ends_with(".sources.tsv"))
    {
        let path = root.join(f.path);
        let t = read_table(&path, &TextFormat::TSV, &cols)?;
        let scores = t.f64s("score")?.iter().map(|&s| s as f32).collect();
        let pairs = TextPairs::new(
            path.display().to_string(),
            scores,
            t.strs("sentence1")?.to_vec(),
            t.strs("sentence2")?.to_vec(),
        )?;
        out.insert(
            file_name(f.path).trim_end_matches(".tsv").to_string(),
            pairs,
        );
    }
    Ok(out)
}

const EXCHANGE_CURRENCIES: [&str; 8] = ["AUD", "GBP", "CAD", "CHF", "CNY", "JPY", "NZD", "SGD"];
const ETT_COLUMNS: [&str; 7] = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];

/// exchange-rate: headerless gzip CSV of 8 currencies; ETT: `date` plus 7 numeric columns.
pub(super) fn series(ds: &Dataset, root: &Path) -> Result<SeriesSet> {
    let path = root.join(ds.files[0].path);
    let source = path.display().to_string();
    if ds.name == "exchange-rate" {
        let (_, m) = read_matrix(&path, &TextFormat::CSV.without_header())?;
        if m.cols != EXCHANGE_CURRENCIES.len() {
            return Err(Error::input(
                &source,
                "line 1",
                "8 currencies per line",
                format!("{} fields", m.cols),
            ));
        }
        return SeriesSet::new(
            source,
            EXCHANGE_CURRENCIES.map(String::from).to_vec(),
            None,
            m,
        );
    }
    let mut wanted = vec![("date", ColumnType::Str)];
    wanted.extend(ETT_COLUMNS.iter().map(|&c| (c, ColumnType::F64)));
    let t = read_table(&path, &TextFormat::CSV, &wanted)?;
    let cols: Vec<&[f64]> = ETT_COLUMNS
        .iter()
        .map(|c| t.f64s(c))
        .collect::<Result<_>>()?;
    let data = (0..t.rows)
        .flat_map(|r| cols.iter().map(move |c| c[r] as f32))
        .collect();
    let values = DenseMatrix::new(t.rows, cols.len(), data)?;
    SeriesSet::new(
        source,
        ETT_COLUMNS.map(String::from).to_vec(),
        Some(t.strs("date")?.to_vec()),
        values,
    )
}

/// ETH/UCY: every `frame, agent_id, x, y` TSV, named by its path without the `.tsv`.
pub(super) fn trajectories(ds: &Dataset, root: &Path) -> Result<TrajectorySet> {
    let cols = [
        ("frame", ColumnType::I64),
        ("agent_id", ColumnType::I64),
        ("x", ColumnType::F64),
        ("y", ColumnType::F64),
    ];
    let mut recordings = Vec::new();
    for f in ds.files.iter().filter(|f| !f.path.ends_with("splits.tsv")) {
        let path = root.join(f.path);
        let t = read_table(&path, &TextFormat::TSV, &cols)?;
        let name = f
            .path
            .trim_start_matches("eth_ucy/")
            .trim_end_matches(".tsv")
            .to_string();
        let to_f32 = |c: &[f64]| c.iter().map(|&v| v as f32).collect();
        recordings.push(Recording {
            name,
            source: path.display().to_string(),
            frame: t.i64s("frame")?.to_vec(),
            agent: t.i64s("agent_id")?.to_vec(),
            x: to_f32(t.f64s("x")?),
            y: to_f32(t.f64s("y")?),
        });
    }
    TrajectorySet::new(ds.name, recordings)
}
