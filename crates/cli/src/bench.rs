//! `tsunagi bench queries`: runs a file of queries in-process, one thread,
//! and reports per query its time and result ids (for the benchmark's
//! correctness gate against the peers, with `--all-ids` every match), per
//! class p50/p99/p99.9.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Deserialize;
use tsunagi_domain::{QueryParams, SearchQuery};

use crate::config::Config;

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Time the queries of a JSONL file ({"class", "q", "category", "service",
    /// "near", "radius_m", "bbox", "limit"} per line).
    Queries {
        file: std::path::PathBuf,
        /// Where to write one JSON line per query: class, micros, total, ids.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Queries run first and not timed.
        #[arg(long, default_value = "100")]
        warmup: usize,
        /// Run every query this many times and keep each time.
        #[arg(long, default_value = "1")]
        repeat: usize,
        /// Also write every match's id (`all_ids`, no paging), so that the
        /// correctness gate compares whole sets rather than estimating
        /// recall from the first page.
        #[arg(long)]
        all_ids: bool,
    },
}

#[derive(Debug, Deserialize)]
struct Line {
    class: String,
    q: Option<String>,
    #[serde(default)]
    category: Vec<String>,
    #[serde(default)]
    service: Vec<String>,
    near: Option<String>,
    radius_m: Option<f64>,
    bbox: Option<String>,
    sort: Option<String>,
    limit: Option<usize>,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn run(config: &Config, cmd: BenchCommand) -> Result<i32> {
    let BenchCommand::Queries { file, out, warmup, repeat, all_ids } = cmd;
    let index = config.index()?;
    let text = std::fs::File::open(&file).with_context(|| file.display().to_string())?;
    let mut queries = Vec::new();
    for (n, line) in std::io::BufReader::new(text).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line).with_context(|| format!("{}:{}", file.display(), n + 1))?;
        let params = QueryParams {
            q: l.q,
            category: l.category,
            service: l.service,
            near: l.near,
            radius_m: l.radius_m.map(|r| r.to_string()),
            bbox: l.bbox,
            sort: l.sort,
            per_page: Some(l.limit.unwrap_or(10).to_string()),
            ..QueryParams::default()
        };
        let q = SearchQuery::parse(&params, |_| None).with_context(|| format!("{}:{}", file.display(), n + 1))?;
        queries.push((l.class, q));
    }
    for (_, q) in queries.iter().cycle().take(warmup.min(queries.len() * 10)) {
        index.search(q)?;
    }
    let mut times: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut sink: Option<Box<dyn Write>> = match &out {
        Some(p) => Some(Box::new(std::io::BufWriter::new(std::fs::File::create(p)?))),
        None => None,
    };
    for (i, (class, q)) in queries.iter().enumerate() {
        let (mut result, mut best) = (None, f64::INFINITY);
        for _ in 0..repeat.max(1) {
            let started = Instant::now();
            let r = index.search(q)?;
            let micros = started.elapsed().as_secs_f64() * 1e6;
            times.entry(class.clone()).or_default().push(micros);
            best = best.min(micros);
            result = Some((r, micros));
        }
        if let (Some(w), Some((r, micros))) = (sink.as_mut(), result) {
            let ids: Vec<i64> = r.hits.iter().map(|h| h.card.id).collect();
            // The best of the repeats: on a shared machine, the least disturbed.
            let mut json = serde_json::json!({
                "i": i, "class": class, "micros": micros, "best_micros": best, "total": r.total, "ids": ids,
            });
            if all_ids {
                json["all_ids"] = serde_json::json!(index.all_ids(q)?);
            }
            writeln!(w, "{json}")?;
        }
    }
    let mut summary = serde_json::Map::new();
    for (class, mut t) in times {
        t.sort_by(f64::total_cmp);
        summary.insert(
            class,
            serde_json::json!({
                "n": t.len(),
                "p50_us": quantile(&t, 0.5),
                "p99_us": quantile(&t, 0.99),
                "p999_us": quantile(&t, 0.999),
            }),
        );
    }
    say!("{}", serde_json::to_string_pretty(&serde_json::Value::Object(summary))?);
    Ok(0)
}
