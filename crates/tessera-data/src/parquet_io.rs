//! Parquet via arrow-rs: a reader to typed columns and the embeddings format
//! (`id` int64, `embedding` fixed-size list of float32).
//!
//! Readers stream record batches and append them to the final vectors, so a
//! file is never held twice in memory; the writer goes through a temporary
//! file and a rename.

use crate::matrix::DenseMatrix;
use crate::table::{ColumnData, Table};
use arrow::array::{
    Array as _, ArrayRef, AsArray, FixedSizeListArray, Float32Array, Int64Array, RecordBatch,
    RecordBatchReader,
};
use arrow::datatypes::{DataType, Field, Float32Type, Float64Type, Int32Type, Int64Type, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use tessera_core::{Error, Result};

/// Opens a Parquet file: the batch reader and the row count from the footer.
fn open(path: &Path) -> Result<(ParquetRecordBatchReader, usize)> {
    let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let bad = |e: parquet::errors::ParquetError| {
        Error::input(
            path.display(),
            "footer",
            "a valid Parquet file",
            e.to_string(),
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad)?;
    let rows = builder.metadata().file_metadata().num_rows().max(0) as usize;
    Ok((
        builder.with_batch_size(64 * 1024).build().map_err(bad)?,
        rows,
    ))
}

fn batch_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::input(
        path.display(),
        "row groups",
        "readable Parquet data",
        e.to_string(),
    )
}

/// Reads every column of a Parquet file: integer columns as `i64`, float columns as finite `f64`, strings as text.
pub fn read_parquet(path: &Path) -> Result<Table> {
    let (reader, _) = open(path)?;
    let schema = reader.schema();
    let mut columns: Vec<(String, ColumnData)> = Vec::new();
    for f in schema.fields() {
        let data = match f.data_type() {
            DataType::Int64 | DataType::Int32 => ColumnData::I64(Vec::new()),
            DataType::Float64 | DataType::Float32 => ColumnData::F64(Vec::new()),
            DataType::Utf8 => ColumnData::Str(Vec::new()),
            other => {
                return Err(Error::input(
                    path.display(),
                    format!("column `{}`", f.name()),
                    "int32/int64, float32/float64 or utf8",
                    other.to_string(),
                ));
            }
        };
        columns.push((f.name().clone(), data));
    }
    let mut rows = 0;
    for batch in reader {
        let batch = batch.map_err(|e| batch_err(path, e))?;
        for ((name, col), array) in columns.iter_mut().zip(batch.columns()) {
            if array.null_count() > 0 {
                return Err(Error::input(
                    path.display(),
                    format!("column `{name}`"),
                    "no null values",
                    format!("{} nulls", array.null_count()),
                ));
            }
            match (col, array.data_type()) {
                (ColumnData::I64(v), DataType::Int64) => {
                    v.extend(array.as_primitive::<Int64Type>().values())
                }
                (ColumnData::I64(v), _) => v.extend(
                    array
                        .as_primitive::<Int32Type>()
                        .values()
                        .iter()
                        .map(|&x| i64::from(x)),
                ),
                (ColumnData::F64(v), DataType::Float64) => {
                    v.extend(array.as_primitive::<Float64Type>().values())
                }
                (ColumnData::F64(v), _) => v.extend(
                    array
                        .as_primitive::<Float32Type>()
                        .values()
                        .iter()
                        .map(|&x| f64::from(x)),
                ),
                (ColumnData::Str(v), _) => v.extend(
                    array
                        .as_string::<i32>()
                        .iter()
                        .map(|s| s.unwrap_or_default().to_string()),
                ),
            }
        }
        rows += batch.num_rows();
    }
    for (name, col) in &columns {
        if let ColumnData::F64(v) = col
            && let Some(p) = v.iter().position(|x| !x.is_finite())
        {
            return Err(Error::input(
                path.display(),
                format!("row {p}, column `{name}`"),
                "a finite value",
                v[p].to_string(),
            ));
        }
    }
    Ok(Table {
        source: path.display().to_string(),
        rows,
        columns,
    })
}

/// Reads embeddings written by [`write_embeddings_parquet`]: ids and a `rows × dim` matrix of finite values.
pub fn read_embeddings_parquet(path: &Path) -> Result<(Vec<i64>, DenseMatrix)> {
    let (reader, rows) = open(path)?;
    let schema = reader.schema();
    let dim = match schema
        .field_with_name("embedding")
        .map(|f| f.data_type().clone())
    {
        Ok(DataType::FixedSizeList(item, n)) if item.data_type() == &DataType::Float32 && n > 0 => {
            n as usize
        }
        other => {
            let found = other.map_or("no such column".to_string(), |t| t.to_string());
            return Err(Error::input(
                path.display(),
                "column `embedding`",
                "a fixed-size list of float32",
                found,
            ));
        }
    };
    if schema
        .field_with_name("id")
        .map(|f| f.data_type().clone())
        .ok()
        != Some(DataType::Int64)
    {
        return Err(Error::input(
            path.display(),
            "column `id`",
            "an int64 column",
            format!(
                "{:?}",
                schema
                    .field_with_name("id")
                    .map(|f| f.data_type().to_string())
                    .ok()
            ),
        ));
    }
    let mut ids = Vec::with_capacity(rows);
    let mut data = Vec::with_capacity(rows * dim);
    for batch in reader {
        let batch = batch.map_err(|e| batch_err(path, e))?;
        let (id, emb) = (
            batch.column_by_name("id"),
            batch.column_by_name("embedding"),
        );
        let (Some(id), Some(emb)) = (id, emb) else {
            return Err(batch_err(path, "a row group lacks `id` or `embedding`"));
        };
        if id.null_count() > 0 || emb.null_count() > 0 {
            return Err(Error::input(
                path.display(),
                "columns `id`/`embedding`",
                "no null values",
                "nulls",
            ));
        }
        ids.extend(id.as_primitive::<Int64Type>().values());
        let values = emb.as_fixed_size_list().values();
        let start = ids.len() - batch.num_rows();
        let floats = values.as_primitive::<Float32Type>().values();
        if let Some(p) = floats.iter().position(|x| !x.is_finite()) {
            return Err(Error::input(
                path.display(),
                format!("row {}, column `embedding`", start + p / dim),
                "finite values",
                floats[p].to_string(),
            ));
        }
        data.extend_from_slice(floats);
    }
    let n = ids.len();
    Ok((ids, DenseMatrix::new(n, dim, data)?))
}

/// Writes embeddings as Parquet (`id` int64, `embedding` fixed-size list of float32), atomically.
pub fn write_embeddings_parquet(path: &Path, ids: &[i64], embeddings: &DenseMatrix) -> Result<()> {
    if ids.len() != embeddings.rows {
        return Err(Error::input(
            path.display(),
            "ids",
            format!("{} ids (one per embedding row)", embeddings.rows),
            format!("{} ids", ids.len()),
        ));
    }
    if let Some((r, c, v)) = embeddings.first_non_finite() {
        return Err(Error::input(
            path.display(),
            format!("embedding row {r}, column {c}"),
            "a finite value",
            v.to_string(),
        ));
    }
    let dim = i32::try_from(embeddings.cols).map_err(|_| {
        Error::input(
            path.display(),
            "embedding",
            "at most 2^31 columns",
            embeddings.cols.to_string(),
        )
    })?;
    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new(
            "embedding",
            DataType::FixedSizeList(item.clone(), dim),
            false,
        ),
    ]));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("creating folder", dir, e))?;
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io("creating a temporary file in", dir, e))?;
    let write_err = |e: parquet::errors::ParquetError| {
        Error::io("writing", path, std::io::Error::other(e.to_string()))
    };
    let mut writer = ArrowWriter::try_new(
        tmp.as_file()
            .try_clone()
            .map_err(|e| Error::io("writing", path, e))?,
        schema.clone(),
        None,
    )
    .map_err(write_err)?;
    const CHUNK: usize = 64 * 1024;
    for start in (0..ids.len()).step_by(CHUNK) {
        let end = (start + CHUNK).min(ids.len());
        let values = Float32Array::from(
            embeddings.data[start * embeddings.cols..end * embeddings.cols].to_vec(),
        );
        let list = FixedSizeListArray::try_new(item.clone(), dim, Arc::new(values), None)
            .map_err(|e| write_err(e.into()))?;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids[start..end].to_vec())),
            Arc::new(list),
        ];
        let batch =
            RecordBatch::try_new(schema.clone(), columns).map_err(|e| write_err(e.into()))?;
        writer.write(&batch).map_err(write_err)?;
    }
    writer.close().map_err(write_err)?;
    tmp.persist(path)
        .map_err(|e| Error::io("renaming into place", path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeddings_round_trip_and_read_as_a_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.parquet");
        let m = DenseMatrix::new(3, 2, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5]).unwrap();
        write_embeddings_parquet(&p, &[10, 11, 12], &m).unwrap();
        let (ids, back) = read_embeddings_parquet(&p).unwrap();
        assert_eq!(ids, vec![10, 11, 12]);
        assert_eq!(back, m);
        let e = read_parquet(&p).unwrap_err().to_string();
        assert!(e.contains("column `embedding`"), "{e}");
    }

    #[test]
    fn typed_columns_are_read_and_bad_input_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int32, false),
            Field::new("x", DataType::Float64, false),
            Field::new("s", DataType::Utf8, false),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(arrow::array::Int32Array::from(vec![1, 2])),
            Arc::new(arrow::array::Float64Array::from(vec![0.5, 1.5])),
            Arc::new(arrow::array::StringArray::from(vec!["a", "b"])),
        ];
        let mut w = ArrowWriter::try_new(File::create(&p).unwrap(), schema.clone(), None).unwrap();
        w.write(&RecordBatch::try_new(schema, cols).unwrap())
            .unwrap();
        w.close().unwrap();
        let t = read_parquet(&p).unwrap();
        assert_eq!(
            (t.rows, t.i64s("n").unwrap(), t.f64s("x").unwrap()),
            (2, &[1i64, 2][..], &[0.5, 1.5][..])
        );
        assert_eq!(t.strs("s").unwrap()[1], "b");

        let out = dir.path().join("bad.parquet");
        let m = DenseMatrix::new(1, 2, vec![1.0, f32::NAN]).unwrap();
        assert!(
            write_embeddings_parquet(&out, &[0], &m)
                .unwrap_err()
                .to_string()
                .contains("row 0, column 1")
        );
        assert!(write_embeddings_parquet(&out, &[0, 1], &DenseMatrix::zeros(1, 2)).is_err());
        assert!(!out.exists());
        std::fs::write(&out, b"PAR1 not really").unwrap();
        assert!(
            read_parquet(&out)
                .unwrap_err()
                .to_string()
                .contains("bad.parquet")
        );
    }
}
