//! The floor of the import benchmark: read a CSV file, decode it, and parse
//! every record into owned fields — no column mapping, no conversion, no
//! geocoding, no database. `tsunagi import` cannot be faster than this.
//!
//! ```text
//! cargo run --release -p tsunagi-import --example parse_floor -- FILE
//! records=N bytes=B seconds=S
//! ```
//!
//! Encoding: UTF-8 with or without BOM, otherwise CP932 (Shift_JIS).
//! `records` counts data records (the header line is not counted).

use std::borrow::Cow;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: parse_floor FILE");
        std::process::exit(2);
    };
    let start = Instant::now();
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", path.to_string_lossy());
            std::process::exit(1);
        }
    };
    let text: Cow<'_, str> = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        String::from_utf8_lossy(rest)
    } else if let Ok(s) = std::str::from_utf8(&bytes) {
        Cow::Borrowed(s)
    } else {
        let (s, _, _) = encoding_rs::SHIFT_JIS.decode(&bytes);
        s
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(text.as_bytes());
    let mut records: u64 = 0;
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {
                let fields: Vec<String> = record.iter().map(str::to_string).collect();
                black_box(&fields);
                records += 1;
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("{}: record {}: {e}", path.to_string_lossy(), records + 1);
                std::process::exit(1);
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!("records={records} bytes={} seconds={seconds:.6}", bytes.len());
}
