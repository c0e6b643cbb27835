//! `tsunagi import`: each file in its own transaction, every record
//! accounted for (`rows == imported + merged + skipped`).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tsunagi_db::{Applied, Counts, Incoming, NewDataset};
use tsunagi_import::{Format, Item, Problem, ProblemKind, Source};

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print a machine-readable report instead of the summary.
    #[arg(long)]
    json: bool,
    /// As-of date of the list(s) when neither the catalog nor the file name says it (YYYY-MM-DD).
    #[arg(long)]
    date: Option<chrono::NaiveDate>,
    /// Read and check the files without writing to the database (every
    /// record counts as imported).
    #[arg(long)]
    dry_run: bool,
    /// Files to import (CSV, TSV, XLSX, GeoJSON).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, Serialize)]
struct FileReport {
    path: String,
    format: Option<&'static str>,
    format_label: Option<&'static str>,
    encoding: Option<String>,
    delimiter: Option<String>,
    rows: i64,
    imported: i64,
    merged: i64,
    skipped: i64,
    problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl FileReport {
    fn failed(path: String, error: String) -> FileReport {
        FileReport {
            path,
            format: None,
            format_label: None,
            encoding: None,
            delimiter: None,
            rows: 0,
            imported: 0,
            merged: 0,
            skipped: 0,
            problems: Vec::new(),
            error: Some(error),
        }
    }
}

/// Failures inside a file's transaction.
#[derive(Debug, thiserror::Error)]
enum Abort {
    #[error(transparent)]
    Db(#[from] tsunagi_db::Error),
    #[error(transparent)]
    File(tsunagi_import::FileError),
}

pub fn run(config: &Config, args: Args) -> Result<i32> {
    let reference = config.reference()?;
    let catalog = config.catalog()?;
    let store = if args.dry_run { None } else { Some(config.store()?) };
    // Open every file first: detail tables (診療科・診療時間票) go after the
    // facility lists they complete, whatever the order on the command line.
    let mut opened: Vec<(PathBuf, Result<Source, tsunagi_import::FileError>)> =
        args.files.iter().map(|p| (p.clone(), Source::open(p))).collect();
    opened.sort_by_key(|(_, s)| matches!(s, Ok(s) if s.format == Format::IryoHours));
    let mut reports = Vec::new();
    for (path, source) in opened {
        let shown = path.display().to_string();
        let report = match source {
            Err(e) => FileReport::failed(shown, e.to_string()),
            Ok(source) if args.dry_run => check_one(&reference, &source),
            Ok(source) => import_one(
                store.as_ref().expect("opened unless dry run"),
                &reference,
                &catalog,
                &source,
                args.date,
                !args.json,
            )
            .unwrap_or_else(|e| FileReport::failed(shown, e.to_string())),
        };
        if !args.json {
            print_summary(&report);
        }
        reports.push(report);
    }
    let failed = reports.iter().any(|r| r.error.is_some());
    if let Some(store) = &store {
        // Keep the search index in step; without a dictionary it is built later.
        match config.index() {
            Ok(index) => {
                let n = crate::search::sync(store, &index)?;
                if !args.json {
                    say!("search index: {n} facilities updated");
                }
            }
            Err(e) if !args.json => eprintln!("note: search index not updated ({e:#})"),
            Err(_) => {}
        }
    }
    if args.json {
        say!("{}", serde_json::to_string_pretty(&serde_json::json!({ "files": reports }))?);
    }
    Ok(if failed { 1 } else { 0 })
}

fn import_one(
    store: &tsunagi_db::Store,
    reference: &tsunagi_import::Reference,
    catalog: &tsunagi_import::Catalog,
    source: &Source,
    date: Option<chrono::NaiveDate>,
    progress: bool,
) -> Result<FileReport, Abort> {
    let entry = catalog.by_sha256(&source.sha256);
    let dataset_date = entry
        .and_then(|e| e.date)
        .or_else(|| tsunagi_import::date_from_file_name(&source.file_name))
        .or(date)
        .unwrap_or_else(tsunagi_db::today_jst);
    let dataset = NewDataset {
        sha256: source.sha256.clone(),
        path: source.path.display().to_string(),
        file_name: source.file_name.clone(),
        format: source.format.id().to_string(),
        encoding: source.encoding.clone(),
        title: entry.and_then(|e| e.title.clone()),
        publisher: entry.and_then(|e| e.publisher.clone()),
        licence: entry.and_then(|e| e.licence.clone()),
        attribution: entry.and_then(|e| e.attribution.clone()),
        source_url: entry.and_then(|e| e.url.clone()),
        dataset_date,
    };
    let bar = if progress && std::io::stderr().is_terminal() && source.size() > 2_000_000 {
        let b = ProgressBar::new(source.size());
        b.set_style(
            ProgressStyle::with_template("{msg} [{bar:40}] {percent}% {elapsed_precise} ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b.set_message(source.file_name.clone());
        Some(b)
    } else {
        None
    };
    let mut counts = Counts::default();
    let mut problems = source.file_problems();
    store.import(&dataset, |w| -> Result<(), Abort> {
        for (n, item) in source.items(reference).enumerate() {
            match item {
                Item::Failed(e) => return Err(Abort::File(e)),
                Item::Skipped(p) => {
                    counts.skipped += 1;
                    problems.push(p);
                }
                Item::Record(rec) => {
                    let lines = rec.lines.len() as i64;
                    let incoming = Incoming { facility: rec.facility, records: rec.raw, existing_only: rec.existing_only };
                    match w.apply(&incoming)? {
                        Applied::Created { code_conflicts, .. } => {
                            counts.imported += 1;
                            counts.merged += lines - 1;
                            for (code, other) in code_conflicts {
                                problems.push(Problem::new(
                                    rec.lines[0],
                                    None,
                                    ProblemKind::CodeConflict,
                                    format!(
                                        "{}「{}」は別の施設（ID {other}）にも付いていますが、名称・住所・電話番号が違うため別の施設として取り込みました。元データの誤りの可能性があります",
                                        code.scheme.label(),
                                        code.value
                                    ),
                                ));
                            }
                        }
                        Applied::Merged { .. } => counts.merged += lines,
                        Applied::NoMatch => {
                            counts.skipped += lines;
                            let code = incoming.facility.codes.first().map(|c| c.value.clone()).unwrap_or_default();
                            for &line in &rec.lines {
                                problems.push(
                                    Problem::new(
                                        line,
                                        Some("ID"),
                                        ProblemKind::NoSuchFacility,
                                        format!("ID {code} の施設がデータベースにありません。先に施設票（病院・診療所などの一覧）を取り込んでください"),
                                    )
                                    .skipping(),
                                );
                            }
                        }
                    }
                    problems.extend(rec.problems);
                }
            }
            if let Some(b) = &bar
                && n % 1000 == 0
            {
                b.set_position(source.size().min(n as u64 * source.size() / source.size().max(1)));
            }
        }
        counts.rows = counts.imported + counts.merged + counts.skipped;
        problems.sort_by_key(|p| p.line);
        w.finish(&counts, &serde_json::to_value(&problems).unwrap_or_default())?;
        Ok(())
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(FileReport {
        path: source.path.display().to_string(),
        format: Some(source.format.id()),
        format_label: Some(source.format.label()),
        encoding: Some(source.encoding.clone()),
        delimiter: source.delimiter.map(|d| if d == '\t' { "TAB".into() } else { d.to_string() }),
        rows: counts.rows,
        imported: counts.imported,
        merged: counts.merged,
        skipped: counts.skipped,
        problems,
        error: None,
    })
}

/// `--dry-run`: the reading and checking of an import, without the store.
fn check_one(reference: &tsunagi_import::Reference, source: &Source) -> FileReport {
    let mut problems = source.file_problems();
    let (mut imported, mut skipped) = (0, 0);
    for item in source.items(reference) {
        match item {
            Item::Failed(e) => {
                return FileReport::failed(source.path.display().to_string(), e.to_string());
            }
            Item::Skipped(p) => {
                skipped += 1;
                problems.push(p);
            }
            Item::Record(rec) => {
                imported += rec.lines.len() as i64;
                problems.extend(rec.problems);
            }
        }
    }
    FileReport {
        path: source.path.display().to_string(),
        format: Some(source.format.id()),
        format_label: Some(source.format.label()),
        encoding: Some(source.encoding.clone()),
        delimiter: source.delimiter.map(|d| if d == '\t' { "TAB".into() } else { d.to_string() }),
        rows: imported + skipped,
        imported,
        merged: 0,
        skipped,
        problems,
        error: None,
    }
}

fn print_summary(r: &FileReport) {
    if let Some(e) = &r.error {
        eprintln!("✗ {e}");
        return;
    }
    say!(
        "{} — {}, {}{}: {} rows → {} new, {} merged, {} skipped",
        r.path,
        r.format_label.unwrap_or(""),
        r.encoding.as_deref().unwrap_or(""),
        r.delimiter.as_deref().map(|d| format!(", delimiter {d}")).unwrap_or_default(),
        r.rows,
        r.imported,
        r.merged,
        r.skipped
    );
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for p in &r.problems {
        *by_kind.entry(p.kind.id()).or_default() += 1;
    }
    if !by_kind.is_empty() {
        let list: Vec<String> = by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        say!("  problems: {}", list.join(", "));
        for p in r.problems.iter().filter(|p| p.skipped).take(10) {
            say!("  line {}: {} (skipped)", p.line, p.reason);
        }
    }
}
