//! Reads one array of an `.npz` (dense float matrix) or a Parquet embeddings
//! file and prints its size, so peak memory can be measured with
//! `/usr/bin/time -v target/debug/examples/peak_read FILE [KEY]`.

use std::path::Path;

fn main() -> Result<(), tessera_core::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: peak_read FILE.npz KEY | FILE.parquet");
        std::process::exit(2);
    };
    let path = Path::new(file);
    let (rows, cols) = if file.ends_with(".parquet") {
        let (ids, m) = tessera_data::parquet_io::read_embeddings_parquet(path)?;
        assert_eq!(ids.len(), m.rows);
        (m.rows, m.cols)
    } else {
        let key = args.get(1).map_or("x", String::as_str);
        let m = tessera_data::Npz::open(path)?.dense(key)?;
        (m.rows, m.cols)
    };
    println!(
        "{rows} x {cols} float32 = {:.1} MiB",
        (rows * cols * 4) as f64 / 1048576.0
    );
    Ok(())
}
