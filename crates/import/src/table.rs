//! Every input shape (CSV/TSV text, an XLSX sheet, a GeoJSON
//! FeatureCollection) becomes the same thing: a header row and data rows
//! of text cells, each row with the line (CSV), sheet row (XLSX) or
//! feature number (GeoJSON) it came from.
//!
//! CSV rows are read lazily from the decoded text, so a 500k-row file never
//! sits in memory as cells. Wholly blank records are skipped here and not
//! counted.

use std::io::Cursor;

use calamine::{Data, Reader};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// 1-based line of the record's first character (CSV), sheet row (XLSX)
    /// or feature number (GeoJSON).
    pub line: u32,
    pub cells: Vec<String>,
}

impl RawRow {
    fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}').is_empty())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TableError {
    #[error("no header row (the file holds no data)")]
    NoHeader,
    #[error("line {line}: {reason}")]
    Csv { line: u32, reason: String },
    #[error("cannot read the spreadsheet: {0}")]
    Xlsx(String),
    #[error("not a GeoJSON FeatureCollection: {0}")]
    GeoJson(String),
}

/// What a file's rows are read from.
#[derive(Debug)]
pub enum Table {
    Csv { text: String, delimiter: u8, headers: Vec<String>, header_line: u32, data_start: u64, preamble: Vec<u32> },
    Rows { headers: Vec<String>, header_line: u32, rows: Vec<RawRow>, preamble: Vec<u32> },
}

/// How many records a header may be preceded by (a title, a date line).
const HEADER_SEARCH: usize = 15;

/// The header among the first records: the first that `is_header`
/// accepts, else the first non-blank one. Returns its index.
fn pick_header(rows: &[RawRow], is_header: &dyn Fn(&[String]) -> bool) -> Option<usize> {
    let first = rows.iter().position(|r| !r.is_blank())?;
    Some(rows.iter().position(|r| !r.is_blank() && is_header(&trim_headers(r.cells.clone()))).unwrap_or(first))
}

/// Counts line terminators (CRLF, LF or a lone CR) as the reader advances.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u32,
}

impl LineCounter<'_> {
    /// The line of the first character at or after `offset` that is not a
    /// line break (the csv reader reports a record as starting at the tail
    /// of the previous record's terminator).
    fn line_at(&mut self, offset: usize) -> u32 {
        let mut end = offset.min(self.text.len());
        while end < self.text.len() && matches!(self.text[end], b'\r' | b'\n') {
            end += 1;
        }
        let mut i = self.offset;
        while i < end {
            match self.text[i] {
                b'\n' => self.line += 1,
                b'\r' if self.text.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
            i += 1;
        }
        self.offset = end.max(self.offset);
        self.line
    }
}

fn csv_reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes())
}

fn csv_error(e: csv::Error, counter: &mut LineCounter<'_>) -> TableError {
    let line = e.position().map_or(0, |p| counter.line_at(p.byte() as usize));
    TableError::Csv { line, reason: e.to_string() }
}

impl Table {
    /// Reads the header of a CSV text: the first of its first records that
    /// `is_header` accepts (a title line above the header is common).
    pub fn from_csv(text: String, delimiter: u8, is_header: &dyn Fn(&[String]) -> bool) -> Result<Table, TableError> {
        let mut reader = csv_reader(&text, delimiter);
        let mut counter = LineCounter { text: text.as_bytes(), offset: 0, line: 1 };
        let mut record = csv::StringRecord::new();
        let mut first: Vec<(RawRow, u64)> = Vec::new();
        while first.len() < HEADER_SEARCH {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Err(e) => return Err(csv_error(e, &mut counter)),
                Ok(true) => {
                    let row = RawRow {
                        line: counter.line_at(record.position().map_or(0, |p| p.byte() as usize)),
                        cells: record.iter().map(str::to_string).collect(),
                    };
                    first.push((row, reader.position().byte()));
                }
            }
        }
        let rows: Vec<RawRow> = first.iter().map(|(r, _)| r.clone()).collect();
        let at = pick_header(&rows, is_header).ok_or(TableError::NoHeader)?;
        let preamble = rows[..at].iter().filter(|r| !r.is_blank()).map(|r| r.line).collect();
        let (header, data_start) = first.swap_remove(at);
        let headers = trim_headers(header.cells);
        Ok(Table::Csv { headers, header_line: header.line, data_start, text, delimiter, preamble })
    }

    /// The first sheet whose header `is_header` accepts (else the first sheet).
    pub fn from_xlsx(bytes: &[u8], is_header: &dyn Fn(&[String]) -> bool) -> Result<Table, TableError> {
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| TableError::Xlsx(e.to_string()))?;
        let mut sheets = Vec::new();
        for i in 0..book.sheet_names().len() {
            let Some(range) = book.worksheet_range_at(i) else { continue };
            let range = range.map_err(|e| TableError::Xlsx(e.to_string()))?;
            let first_row = range.start().map_or(0, |(r, _)| r);
            let rows: Vec<RawRow> = range
                .rows()
                .enumerate()
                .map(|(i, cells)| RawRow {
                    line: first_row + i as u32 + 1,
                    cells: cells.iter().map(cell_text).collect(),
                })
                .collect();
            let Some(at) = pick_header(&rows[..rows.len().min(HEADER_SEARCH)], is_header) else { continue };
            let recognised = is_header(&trim_headers(rows[at].cells.clone()));
            sheets.push((recognised, at, rows));
            if recognised {
                break;
            }
        }
        if sheets.is_empty() {
            return Err(TableError::Xlsx("the workbook has no sheet with data".into()));
        }
        let pick = sheets.iter().position(|s| s.0).unwrap_or(0);
        let (_, at, mut rows) = sheets.swap_remove(pick);
        let preamble = rows[..at].iter().filter(|r| !r.is_blank()).map(|r| r.line).collect();
        let data = rows.split_off(at + 1);
        let header = rows.pop().ok_or(TableError::NoHeader)?;
        Ok(Table::Rows {
            headers: trim_headers(header.cells),
            header_line: header.line,
            rows: data.into_iter().filter(|r| !r.is_blank()).collect(),
            preamble,
        })
    }

    /// A FeatureCollection: property names become headers, a Point geometry
    /// becomes the 緯度/経度 columns.
    pub fn from_geojson(text: &str) -> Result<Table, TableError> {
        let gj: geojson::GeoJson = text.parse().map_err(|e: geojson::Error| TableError::GeoJson(e.to_string()))?;
        let features = match gj {
            geojson::GeoJson::FeatureCollection(fc) => fc.features,
            geojson::GeoJson::Feature(f) => vec![f],
            geojson::GeoJson::Geometry(_) => {
                return Err(TableError::GeoJson("a bare geometry has no properties".into()));
            }
        };
        let mut headers: Vec<String> = vec![GEO_LAT.into(), GEO_LNG.into()];
        for f in &features {
            for k in f.properties.iter().flat_map(|p| p.keys()) {
                if !headers.contains(k) {
                    headers.push(k.clone());
                }
            }
        }
        let rows = features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (lat, lng) = f
                    .geometry
                    .as_ref()
                    .and_then(|g| representative_point(&g.value))
                    .map_or((String::new(), String::new()), |(lng, lat)| (lat.to_string(), lng.to_string()));
                let mut cells = vec![lat, lng];
                cells.extend(headers[2..].iter().map(|h| match f.properties.as_ref().and_then(|p| p.get(h)) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) => v.to_string(),
                }));
                RawRow { line: i as u32 + 1, cells }
            })
            .filter(|r| !r.is_blank())
            .collect();
        Ok(Table::Rows { headers, header_line: 0, rows, preamble: Vec::new() })
    }

    /// Lines above the header that were not blank (titles, notes).
    pub fn preamble(&self) -> &[u32] {
        match self {
            Table::Csv { preamble, .. } | Table::Rows { preamble, .. } => preamble,
        }
    }

    pub fn headers(&self) -> &[String] {
        match self {
            Table::Csv { headers, .. } | Table::Rows { headers, .. } => headers,
        }
    }

    pub fn header_line(&self) -> u32 {
        match self {
            Table::Csv { header_line, .. } | Table::Rows { header_line, .. } => *header_line,
        }
    }

    /// The data rows, blank ones skipped.
    pub fn rows(&self) -> Box<dyn Iterator<Item = Result<RawRow, TableError>> + '_> {
        match self {
            Table::Rows { rows, .. } => Box::new(rows.iter().cloned().map(Ok)),
            Table::Csv { text, delimiter, data_start, header_line, .. } => {
                let mut reader = csv_reader(&text[*data_start as usize..], *delimiter);
                let base = *data_start as usize;
                let mut counter = LineCounter { text: text.as_bytes(), offset: 0, line: 1 };
                counter.line_at(base);
                let _ = header_line;
                let mut record = csv::StringRecord::new();
                let mut done = false;
                Box::new(std::iter::from_fn(move || {
                    while !done {
                        match reader.read_record(&mut record) {
                            Ok(false) => done = true,
                            Err(e) => {
                                done = true;
                                let line = e.position().map_or(0, |p| counter.line_at(base + p.byte() as usize));
                                return Some(Err(TableError::Csv { line, reason: e.to_string() }));
                            }
                            Ok(true) => {
                                let start = base + record.position().map_or(0, |p| p.byte() as usize);
                                let row = RawRow {
                                    line: counter.line_at(start),
                                    cells: record.iter().map(str::to_string).collect(),
                                };
                                if !row.is_blank() {
                                    return Some(Ok(row));
                                }
                            }
                        }
                    }
                    None
                }))
            }
        }
    }

    /// Bytes of the CSV text read so far out of all (for a progress bar).
    pub fn len_bytes(&self) -> u64 {
        match self {
            Table::Csv { text, .. } => text.len() as u64,
            Table::Rows { rows, .. } => rows.len() as u64,
        }
    }
}

/// Column names given to the point of a GeoJSON feature.
pub const GEO_LAT: &str = "緯度";
pub const GEO_LNG: &str = "経度";

fn trim_headers(cells: Vec<String>) -> Vec<String> {
    let mut h: Vec<String> = cells
        .into_iter()
        .map(|c| c.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '"').to_string())
        .collect();
    // Trailing empty header cells come from trailing delimiters.
    while h.last().is_some_and(String::is_empty) {
        h.pop();
    }
    h
}

/// `(lng, lat)` of a Point, or the mean of a shape's outer ring.
fn representative_point(g: &geojson::GeometryValue) -> Option<(f64, f64)> {
    use geojson::GeometryValue as G;
    let mean = |ps: &[geojson::Position]| -> Option<(f64, f64)> {
        let n = ps.len() as f64;
        (!ps.is_empty()).then(|| (ps.iter().map(|p| p[0]).sum::<f64>() / n, ps.iter().map(|p| p[1]).sum::<f64>() / n))
    };
    match g {
        G::Point { coordinates } if coordinates.len() >= 2 => Some((coordinates[0], coordinates[1])),
        G::MultiPoint { coordinates } => mean(coordinates),
        G::Polygon { coordinates } => coordinates.first().and_then(|r| mean(r)),
        G::MultiPolygon { coordinates } => coordinates.first().and_then(|p| p.first()).and_then(|r| mean(r)),
        _ => None,
    }
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::DateTime(d) => {
            let v = d.as_f64();
            if v < 1.0 {
                // A time of day: keep the day fraction, the time parser reads it.
                v.to_string()
            } else {
                // Excel's day 0 is 1899-12-30 (with its 1900 leap-year bug).
                chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                    .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(v.floor() as i64)))
                    .map_or_else(|| v.to_string(), |d| d.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Table) -> Vec<(u32, Vec<String>)> {
        t.rows().map(|r| r.unwrap()).map(|r| (r.line, r.cells)).collect()
    }

    #[test]
    fn csv_lines_count_quoted_breaks_and_skip_blank_records() {
        let text = "名称,備考\r\n\"a\",\"x\ny\"\r\n,\r\n\r\n\"b\",\"p\rq\"\rc,z\r\n".to_string();
        let t = Table::from_csv(text, b',', &|_| true).unwrap();
        assert_eq!(t.headers(), ["名称", "備考"]);
        assert_eq!(
            rows(&t),
            vec![
                (2, vec!["a".into(), "x\ny".into()]),
                (6, vec!["b".into(), "p\rq".into()]),
                (8, vec!["c".into(), "z".into()]),
            ]
        );
    }

    #[test]
    fn header_may_follow_blank_lines_and_trailing_delimiters() {
        let t = Table::from_csv("\n\n名称\t住所\t\t\nさくら\t下松市\t\t\n".into(), b'\t', &|_| true).unwrap();
        assert_eq!(t.headers(), ["名称", "住所"]);
        assert_eq!(t.header_line(), 3);
        assert_eq!(rows(&t)[0].0, 4);
        assert_eq!(Table::from_csv(",,\n,,\n".into(), b',', &|_| true).unwrap_err(), TableError::NoHeader);
        // A title above the header is passed over, and reported.
        let t = Table::from_csv(
            "医療機関一覧（令和5年4月1日現在）\n\n名称,住所\nさくら,下松市\n".into(),
            b',',
            &|h| h.contains(&"名称".to_string()),
        )
        .unwrap();
        assert_eq!(t.headers(), ["名称", "住所"]);
        assert_eq!((t.header_line(), t.preamble()), (3, &[1][..]));
        assert_eq!(rows(&t), vec![(4, vec!["さくら".into(), "下松市".into()])]);
    }

    #[test]
    fn geojson_points_become_columns() {
        let t = Table::from_geojson(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","geometry":{"type":"Point","coordinates":[131.87,34.01]},"properties":{"名称":"さくら","定員":20}},
            {"type":"Feature","geometry":null,"properties":{"名称":"あおば"}}]}"#,
        )
        .unwrap();
        assert_eq!(t.headers(), ["緯度", "経度", "名称", "定員"]);
        assert_eq!(rows(&t)[0], (1, vec!["34.01".into(), "131.87".into(), "さくら".into(), "20".into()]));
        assert_eq!(rows(&t)[1].1[0], "");
        assert!(Table::from_geojson(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
    }
}
