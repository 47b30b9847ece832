//! CSV / TSV with a header and typed columns (via the `csv` crate).
//!
//! A [`Table`] is read against a list of wanted columns and their types
//! ([`ColumnType`]); other columns are skipped. Every value that does not
//! parse is an error naming the file, the line, the column, the expected
//! type and the text found. `.gz` files are decompressed on the fly.

use crate::matrix::DenseMatrix;
use flate2::read::GzDecoder;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use tessera_core::{Error, Result};

/// How a delimited text file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextFormat {
    /// Field separator (`b','` or `b'\t'`).
    pub delimiter: u8,
    /// Whether the first line names the columns (otherwise columns are named `0`, `1`, ...).
    pub header: bool,
    /// Whether `"` quotes fields (off for the STS files, where `"` is literal).
    pub quoting: bool,
}

impl TextFormat {
    /// Comma-separated with a header and RFC 4180 quoting.
    pub const CSV: TextFormat = TextFormat {
        delimiter: b',',
        header: true,
        quoting: true,
    };
    /// Tab-separated with a header and no quoting.
    pub const TSV: TextFormat = TextFormat {
        delimiter: b'\t',
        header: true,
        quoting: false,
    };

    /// The same format without a header line.
    pub fn without_header(self) -> Self {
        TextFormat {
            header: false,
            ..self
        }
    }
}

/// The type a column is parsed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// 64-bit integers.
    I64,
    /// 64-bit floats; non-finite values are rejected.
    F64,
    /// Text, kept as is.
    Str,
}

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    /// Integers.
    I64(Vec<i64>),
    /// Finite floats.
    F64(Vec<f64>),
    /// Text.
    Str(Vec<String>),
}

impl ColumnData {
    fn new(ty: ColumnType) -> Self {
        match ty {
            ColumnType::I64 => ColumnData::I64(Vec::new()),
            ColumnType::F64 => ColumnData::F64(Vec::new()),
            ColumnType::Str => ColumnData::Str(Vec::new()),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            ColumnData::I64(_) => "integer",
            ColumnData::F64(_) => "float",
            ColumnData::Str(_) => "text",
        }
    }

    /// Parses `text` and appends it; on failure returns what was expected.
    fn push(&mut self, text: &str) -> std::result::Result<(), &'static str> {
        match self {
            ColumnData::I64(v) => v.push(text.trim().parse().map_err(|_| "an integer")?),
            ColumnData::F64(v) => {
                let x: f64 = text.trim().parse().map_err(|_| "a number")?;
                if !x.is_finite() {
                    return Err("a finite number");
                }
                v.push(x);
            }
            ColumnData::Str(v) => v.push(text.to_string()),
        }
        Ok(())
    }
}

/// Typed columns read from one file.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The file the table came from.
    pub source: String,
    /// Number of data rows.
    pub rows: usize,
    /// `(name, values)` in the order they were asked for.
    pub columns: Vec<(String, ColumnData)>,
}

impl Table {
    fn column(&self, name: &str) -> Result<&ColumnData> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
            .ok_or_else(|| {
                let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
                Error::input(
                    &self.source,
                    format!("column `{name}`"),
                    "a column that was read",
                    format!("columns {names:?}"),
                )
            })
    }

    fn wrong_type(&self, name: &str, want: &str, found: &ColumnData) -> Error {
        Error::input(
            &self.source,
            format!("column `{name}`"),
            want.to_string(),
            format!("a {} column", found.type_name()),
        )
    }

    /// The integer column `name`.
    pub fn i64s(&self, name: &str) -> Result<&[i64]> {
        match self.column(name)? {
            ColumnData::I64(v) => Ok(v),
            other => Err(self.wrong_type(name, "an integer column", other)),
        }
    }

    /// The float column `name`.
    pub fn f64s(&self, name: &str) -> Result<&[f64]> {
        match self.column(name)? {
            ColumnData::F64(v) => Ok(v),
            other => Err(self.wrong_type(name, "a float column", other)),
        }
    }

    /// The text column `name`.
    pub fn strs(&self, name: &str) -> Result<&[String]> {
        match self.column(name)? {
            ColumnData::Str(v) => Ok(v),
            other => Err(self.wrong_type(name, "a text column", other)),
        }
    }
}

/// Opens `path` for reading, decompressing `.gz` files.
pub fn open_text(path: &Path) -> Result<Box<dyn Read>> {
    let file = File::open(path).map_err(|e| Error::io("opening", path, e))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(GzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

fn csv_reader<R: Read>(reader: R, format: &TextFormat) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(format.delimiter)
        .has_headers(false)
        .quoting(format.quoting)
        .flexible(true)
        .from_reader(reader)
}

fn csv_error(source: &str, e: &csv::Error) -> Error {
    let line = e
        .position()
        .map_or("a record".to_string(), |p| format!("line {}", p.line()));
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => Error::input(source, line, "UTF-8 text", "invalid UTF-8"),
        _ => Error::input(
            source,
            line,
            "a well-formed delimited record",
            e.to_string(),
        ),
    }
}

/// Reads the columns `wanted` (name and type) from `path`.
pub fn read_table(
    path: &Path,
    format: &TextFormat,
    wanted: &[(&str, ColumnType)],
) -> Result<Table> {
    read_table_from(
        &path.display().to_string(),
        open_text(path)?,
        format,
        wanted,
    )
}

/// Reads the columns `wanted` from any reader; `source` names it in errors.
pub fn read_table_from<R: Read>(
    source: &str,
    reader: R,
    format: &TextFormat,
    wanted: &[(&str, ColumnType)],
) -> Result<Table> {
    let mut rdr = csv_reader(reader, format);
    let mut record = csv::StringRecord::new();
    let mut line = 1u64;
    let names: Vec<String> = if format.header {
        if !rdr
            .read_record(&mut record)
            .map_err(|e| csv_error(source, &e))?
        {
            return Err(Error::input(
                source,
                "line 1",
                "a header line",
                "an empty file",
            ));
        }
        line += 1;
        record.iter().map(|h| h.trim().to_string()).collect()
    } else {
        Vec::new()
    };
    let index_of = |name: &str| -> Result<usize> {
        if format.header {
            names.iter().position(|n| n == name).ok_or_else(|| {
                Error::input(
                    source,
                    "header",
                    format!("a column `{name}`"),
                    format!("columns {names:?}"),
                )
            })
        } else {
            name.parse().map_err(|_| {
                Error::input(
                    source,
                    "column list",
                    "numeric column names for a file without header",
                    name.to_string(),
                )
            })
        }
    };
    let picks: Vec<usize> = wanted
        .iter()
        .map(|(n, _)| index_of(n))
        .collect::<Result<_>>()?;
    let mut columns: Vec<(String, ColumnData)> = wanted
        .iter()
        .map(|(n, t)| (n.to_string(), ColumnData::new(*t)))
        .collect();
    let width = names.len();
    let mut rows = 0;
    while rdr
        .read_record(&mut record)
        .map_err(|e| csv_error(source, &e))?
    {
        if record.len() == 1 && record[0].is_empty() {
            line += 1;
            continue;
        }
        if format.header && record.len() != width {
            return Err(Error::input(
                source,
                format!("line {line}"),
                format!("{width} fields (as the header)"),
                format!("{} fields", record.len()),
            ));
        }
        for ((name, col), &p) in columns.iter_mut().zip(&picks) {
            let text = record.get(p).ok_or_else(|| {
                Error::input(
                    source,
                    format!("line {line}"),
                    format!("a field {p} (`{name}`)"),
                    format!("{} fields", record.len()),
                )
            })?;
            col.push(text).map_err(|want| {
                Error::input(
                    source,
                    format!("line {line}, column `{name}`"),
                    want,
                    format!("{text:?}"),
                )
            })?;
        }
        rows += 1;
        line += 1;
    }
    Ok(Table {
        source: source.to_string(),
        rows,
        columns,
    })
}

/// Reads a file whose every field is a number into a dense matrix, with the header names (if any).
///
/// Every line must have the same number of fields.
pub fn read_matrix(path: &Path, format: &TextFormat) -> Result<(Vec<String>, DenseMatrix)> {
    read_matrix_from(&path.display().to_string(), open_text(path)?, format)
}

/// [`read_matrix`] from any reader; `source` names it in errors.
pub fn read_matrix_from<R: Read>(
    source: &str,
    reader: R,
    format: &TextFormat,
) -> Result<(Vec<String>, DenseMatrix)> {
    let mut rdr = csv_reader(reader, format);
    let mut record = csv::StringRecord::new();
    let mut names = Vec::new();
    let mut line = 1u64;
    if format.header {
        if !rdr
            .read_record(&mut record)
            .map_err(|e| csv_error(source, &e))?
        {
            return Err(Error::input(
                source,
                "line 1",
                "a header line",
                "an empty file",
            ));
        }
        names = record.iter().map(|h| h.trim().to_string()).collect();
        line += 1;
    }
    let mut cols = names.len();
    let mut data = Vec::new();
    let mut rows = 0;
    while rdr
        .read_record(&mut record)
        .map_err(|e| csv_error(source, &e))?
    {
        if record.len() == 1 && record[0].is_empty() {
            line += 1;
            continue;
        }
        if cols == 0 {
            cols = record.len();
        }
        if record.len() != cols {
            return Err(Error::input(
                source,
                format!("line {line}"),
                format!("{cols} fields"),
                format!("{} fields", record.len()),
            ));
        }
        for (c, text) in record.iter().enumerate() {
            let at = || {
                format!(
                    "line {line}, column {}",
                    names.get(c).map_or(c.to_string(), |n| format!("`{n}`"))
                )
            };
            let x: f32 = text
                .trim()
                .parse()
                .map_err(|_| Error::input(source, at(), "a number", format!("{text:?}")))?;
            if !x.is_finite() {
                return Err(Error::input(
                    source,
                    at(),
                    "a finite number",
                    text.to_string(),
                ));
            }
            data.push(x);
        }
        rows += 1;
        line += 1;
    }
    if !format.header {
        names = (0..cols).map(|c| c.to_string()).collect();
    }
    Ok((names, DenseMatrix::new(rows, cols, data)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANT: &[(&str, ColumnType)] = &[
        ("frame", ColumnType::I64),
        ("x", ColumnType::F64),
        ("name", ColumnType::Str),
    ];

    #[test]
    fn reads_typed_columns_by_name_in_any_order() {
        let text = "name\tx\tframe\tskip\nab\t1.5\t10\tq\n\"c\t-2\t20\tq\n";
        let t = read_table_from("t.tsv", text.as_bytes(), &TextFormat::TSV, WANT).unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.i64s("frame").unwrap(), &[10, 20]);
        assert_eq!(t.f64s("x").unwrap(), &[1.5, -2.0]);
        assert_eq!(
            t.strs("name").unwrap(),
            &["ab".to_string(), "\"c".to_string()]
        );
        assert!(
            t.i64s("x")
                .unwrap_err()
                .to_string()
                .contains("float column")
        );
        assert!(t.f64s("skip").is_err());
    }

    #[test]
    fn bad_values_name_file_line_and_column() {
        let text = "frame,x,name\n1,2.0,a\n2,abc,b\n";
        let e = read_table_from("f.csv", text.as_bytes(), &TextFormat::CSV, WANT)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("f.csv") && e.contains("line 3, column `x`") && e.contains("abc"),
            "{e}"
        );
        let e = read_table_from(
            "f.csv",
            "frame,x,name\n1,NaN,a\n".as_bytes(),
            &TextFormat::CSV,
            WANT,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("finite"), "{e}");
        let e = read_table_from(
            "f.csv",
            "frame,x,name\n1,2\n".as_bytes(),
            &TextFormat::CSV,
            WANT,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2") && e.contains("3 fields"), "{e}");
        let e = read_table_from("f.csv", "frame,y\n".as_bytes(), &TextFormat::CSV, WANT)
            .unwrap_err()
            .to_string();
        assert!(e.contains("header") && e.contains("`x`"), "{e}");
        assert!(read_table_from("f.csv", "".as_bytes(), &TextFormat::CSV, WANT).is_err());
        let e = read_table_from(
            "f.csv",
            b"frame,x,name\n1,2,\xff\n".as_slice(),
            &TextFormat::CSV,
            WANT,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn matrix_reader_checks_widths_and_values() {
        let (names, m) = read_matrix_from(
            "m",
            "1,2\n3,4\n".as_bytes(),
            &TextFormat::CSV.without_header(),
        )
        .unwrap();
        assert_eq!(names, vec!["0", "1"]);
        assert_eq!((m.rows, m.cols, m.data), (2, 2, vec![1.0, 2.0, 3.0, 4.0]));
        let e = read_matrix_from("m", "a,b\n1,2\n3\n".as_bytes(), &TextFormat::CSV)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("2 fields"), "{e}");
        let e = read_matrix_from("m", "a,b\n1,inf\n".as_bytes(), &TextFormat::CSV)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2, column `b`"), "{e}");
    }

    #[test]
    fn reads_gzip_files() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.txt.gz");
        let mut gz = flate2::write::GzEncoder::new(
            File::create(&path).unwrap(),
            flate2::Compression::default(),
        );
        gz.write_all(b"0.5,1\n2,3\n").unwrap();
        gz.finish().unwrap();
        let (_, m) = read_matrix(&path, &TextFormat::CSV.without_header()).unwrap();
        assert_eq!(m.data, vec![0.5, 1.0, 2.0, 3.0]);
    }
}
