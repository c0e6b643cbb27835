//! Reading the official open-data lists: 自治体標準 and 2017 推奨データセット
//! (医療機関一覧, 介護サービス事業所一覧, 公共施設一覧), 厚生労働省 介護サービス情報公表
//! システム, 医療情報ネット (施設票, 診療科・診療時間票, 薬局), English-keyed lists
//! such as 高松市's, as CSV/TSV in any of the usual encodings, XLSX or
//! GeoJSON.
//!
//! [`Source::open`] reads and recognises a file (or refuses it with a
//! [`FileError`] naming the file and what was expected); [`Source::items`]
//! then yields, for every data record, either a [`Record`] (a facility and
//! the problems found in it) or a [`Problem`] saying why the record was
//! skipped. Nothing is dropped silently: every non-blank record comes out
//! as exactly one of the two.
//!
//! The crate does not touch the database; merging records into stored
//! facilities is the store's job.

pub mod catalog;
mod columns;
mod convert;
pub mod decode;
pub mod export;
mod format;
mod mhlw;
mod problem;
pub mod reference;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tsunagi_domain::Facility;

pub use catalog::{Catalog, CatalogEntry, date_from_file_name};
pub use columns::Field;
pub use convert::parse_capacity;
pub use format::Format;
pub use problem::{Problem, ProblemKind};
pub use reference::{Gazetteer, Geocoder, Municipality, Reference, ReferenceError};

use columns::Columns;
use table::{RawRow, Table, TableError};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: cannot read the file: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Encoding { path: String, reason: String },
    #[error("{path}: {reason}")]
    Table { path: String, reason: String },
    #[error("{path}: {reason}")]
    UnknownFormat { path: String, reason: String },
}

/// The shape of the bytes, before any column is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Csv,
    Xlsx,
    GeoJson,
}

/// A file read, decoded and recognised, ready to yield records.
#[derive(Debug)]
pub struct Source {
    pub path: PathBuf,
    pub file_name: String,
    pub sha256: String,
    pub container: Container,
    /// UTF-8, UTF-8 (BOM), CP932, UTF-16LE … (XLSX: "XLSX").
    pub encoding: String,
    /// `,` or TAB for CSV.
    pub delimiter: Option<char>,
    pub format: Format,
    table: Table,
    columns: Columns,
}

/// One data record read into a facility.
#[derive(Debug)]
pub struct Record {
    /// The line(s) it came from: one, or several for the 診療科・診療時間票
    /// whose rows are grouped per facility.
    pub lines: Vec<u32>,
    pub facility: Facility,
    /// Per line, the published values as a JSON object (header → value).
    pub raw: Vec<(u32, String)>,
    pub existing_only: bool,
    /// Problems that did not stop the record.
    pub problems: Vec<Problem>,
}

#[derive(Debug)]
pub enum Item {
    Record(Box<Record>),
    /// A record that was not imported, and why.
    Skipped(Problem),
    /// The file broke off (a CSV syntax error): nothing of it may be kept.
    Failed(FileError),
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Source {
    pub fn open(path: &Path) -> Result<Source, FileError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| FileError::Read { path: shown.clone(), reason: e.to_string() })?;
        Source::from_bytes(path, &bytes)
    }

    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Source, FileError> {
        let shown = path.display().to_string();
        let is_header = |cells: &[String]| format::detect(&Columns::new(cells)).is_ok();
        let table_err = |e: TableError| FileError::Table { path: shown.clone(), reason: e.to_string() };
        let (container, encoding, delimiter, table) = if bytes.starts_with(b"PK\x03\x04") {
            (Container::Xlsx, "XLSX".to_string(), None, Table::from_xlsx(bytes, &is_header).map_err(table_err)?)
        } else {
            let decoded = decode::decode(bytes)
                .map_err(|e| FileError::Encoding { path: shown.clone(), reason: e.to_string() })?;
            let start = decoded.text.trim_start();
            if start.starts_with('{') && start.contains("\"features\"") || start.starts_with("{\"type\"") {
                let t = Table::from_geojson(&decoded.text).map_err(table_err)?;
                (Container::GeoJson, decoded.encoding.to_string(), None, t)
            } else {
                let d = decode::delimiter(&decoded.text);
                let t = Table::from_csv(decoded.text, d, &is_header).map_err(table_err)?;
                (Container::Csv, decoded.encoding.to_string(), Some(d as char), t)
            }
        };
        let columns = Columns::new(table.headers());
        let format =
            format::detect(&columns).map_err(|reason| FileError::UnknownFormat { path: shown.clone(), reason })?;
        Ok(Source {
            path: path.to_path_buf(),
            file_name: path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
            sha256: sha256_hex(bytes),
            container,
            encoding,
            delimiter,
            format,
            table,
            columns,
        })
    }

    /// The headers as published.
    pub fn headers(&self) -> &[String] {
        self.table.headers()
    }

    /// Rows in XLSX/GeoJSON, bytes of text in CSV: the unit of [`Source::progress`].
    pub fn size(&self) -> u64 {
        self.table.len_bytes()
    }

    /// Notes about the file as a whole (reported once, on its header line).
    pub fn file_problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        for &line in self.table.preamble() {
            out.push(Problem::new(
                line,
                None,
                ProblemKind::TitleRow,
                "見出しより前の行（表題やメモ）なので、データとしては読んでいません",
            ));
        }
        let c = &self.columns;
        let needs_point = !matches!(self.format, Format::IryoHours);
        if needs_point && !(c.has(Field::Lat) && c.has(Field::Lng)) {
            out.push(Problem::new(
                self.table.header_line(),
                None,
                ProblemKind::NoCoordinateColumns,
                "緯度・経度の列がありません。すべての施設を住所から地図に置きます",
            ));
        }
        out
    }

    /// Every data record, in file order, as a record or a skipped problem.
    pub fn items<'a>(&'a self, reference: &'a Reference) -> Box<dyn Iterator<Item = Item> + 'a> {
        let rows = self.table.rows();
        let convert_row = move |row: Result<RawRow, TableError>| -> Item {
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    return Item::Failed(FileError::Table {
                        path: self.path.display().to_string(),
                        reason: e.to_string(),
                    });
                }
            };
            let raw = self.raw_json(&row);
            let extra = self.extra_cells(&row);
            match convert::convert(&row, &self.columns, self.format, reference) {
                Ok(c) => {
                    let mut problems = c.problems;
                    problems.extend(extra);
                    Item::Record(Box::new(Record {
                        lines: vec![row.line],
                        facility: c.facility,
                        raw: vec![(row.line, raw)],
                        existing_only: c.existing_only,
                        problems,
                    }))
                }
                Err(p) => Item::Skipped(p),
            }
        };
        if self.format == Format::IryoHours {
            // One facility's departments and time slots come as many rows:
            // gather them so that the facility gets its whole timetable.
            return Box::new(group_by_facility(rows.map(convert_row)).into_iter());
        }
        Box::new(rows.map(convert_row))
    }

    fn raw_json(&self, row: &RawRow) -> String {
        let headers = self.table.headers();
        let mut m = serde_json::Map::new();
        for (i, v) in row.cells.iter().enumerate() {
            if v.trim().is_empty() {
                continue;
            }
            let key = headers.get(i).filter(|h| !h.is_empty()).cloned().unwrap_or_else(|| format!("列{}", i + 1));
            m.insert(key, serde_json::Value::String(v.clone()));
        }
        serde_json::Value::Object(m).to_string()
    }

    fn extra_cells(&self, row: &RawRow) -> Option<Problem> {
        let n = self.table.headers().len();
        let extra: Vec<usize> = (n..row.cells.len()).filter(|&i| !row.cells[i].trim().is_empty()).collect();
        let first = *extra.first()?;
        Some(Problem::new(
            row.line,
            None,
            ProblemKind::ExtraColumns,
            format!("見出しより多い列（{}列目〜）に値があります。原文として保存しました", first + 1),
        ))
    }
}

fn group_by_facility(items: impl Iterator<Item = Item>) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for item in items {
        let Item::Record(rec) = item else {
            out.push(item);
            continue;
        };
        let key = rec.facility.codes.first().map(|c| c.value.clone()).unwrap_or_default();
        match by_code.get(&key).and_then(|&i| match &mut out[i] {
            Item::Record(r) => Some(r),
            _ => None,
        }) {
            Some(group) => {
                group.lines.extend(rec.lines);
                group.raw.extend(rec.raw);
                group.problems.extend(rec.problems);
                for d in rec.facility.departments {
                    if !group.facility.departments.contains(&d) {
                        group.facility.departments.push(d);
                    }
                }
                for s in rec.facility.schedule.slots {
                    group.facility.schedule.add_slot(s);
                }
            }
            None => {
                by_code.insert(key, out.len());
                out.push(Item::Record(rec));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
