//! `tsunagi dict`, `tsunagi index` and `tsunagi search`, and keeping the
//! index in step with the store.

use anyhow::{Context, Result};
use serde::Serialize;
use tsunagi_db::{Store, StoredFacility};
use tsunagi_domain::{QueryParams, SearchQuery};
use tsunagi_search::{IndexDoc, SearchIndex};

use crate::config::Config;

pub fn doc(f: StoredFacility) -> IndexDoc {
    IndexDoc { id: f.id, facility: f.facility, verified_on: f.verified_on }
}

/// Brings the index up to the store's latest write; returns how many
/// facilities were (re)indexed.
pub fn sync(store: &Store, index: &SearchIndex) -> Result<usize> {
    let seq = store.seq()?;
    if index.seq() == seq && index.len() as i64 == store.count()? {
        return Ok(0);
    }
    if index.seq() > seq || index.is_empty() {
        return rebuild(store, index);
    }
    let changed = store.changed_since(index.seq())?;
    let n = changed.len();
    let (deleted, live): (Vec<_>, Vec<_>) = changed.into_iter().partition(|f| f.deleted);
    let deletes: Vec<i64> = deleted.iter().map(|f| f.id).collect();
    index.apply(live.into_iter().map(doc).collect(), &deletes, seq)?;
    Ok(n)
}

pub fn rebuild(store: &Store, index: &SearchIndex) -> Result<usize> {
    let seq = store.seq()?;
    Ok(index.rebuild(store.facilities()?.map(|f| f.map(doc)), seq)?)
}

#[derive(Debug, clap::Subcommand)]
pub enum DictCommand {
    /// Build the IPADIC dictionary from MeCab's source (Debian's mecab-ipadic).
    Build {
        #[arg(long, default_value = tsunagi_search::dictionary::DEBIAN_SOURCE)]
        src: std::path::PathBuf,
        /// Defaults to the configured dictionary directory.
        #[arg(long)]
        dest: Option<std::path::PathBuf>,
    },
}

pub fn dict(config: &Config, cmd: DictCommand) -> Result<i32> {
    match cmd {
        DictCommand::Build { src, dest } => {
            let dest = dest.unwrap_or_else(|| config.dictionary_dir());
            let started = std::time::Instant::now();
            tsunagi_search::dictionary::build(&src, &dest)?;
            say!("dictionary built at {} in {:.1}s", dest.display(), started.elapsed().as_secs_f64());
            Ok(0)
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum IndexCommand {
    /// Build the search index anew from the database.
    Rebuild,
    /// Index what changed in the database since the last update.
    Sync,
    /// Check that the index holds exactly the database's facilities.
    Check,
}

pub fn index(config: &Config, cmd: IndexCommand) -> Result<i32> {
    let store = config.store()?;
    let index = config.index()?;
    match cmd {
        IndexCommand::Rebuild => {
            let started = std::time::Instant::now();
            let n = rebuild(&store, &index)?;
            say!("indexed {n} facilities in {:.1}s", started.elapsed().as_secs_f64());
        }
        IndexCommand::Sync => {
            let n = sync(&store, &index)?;
            say!("{n} facilities re-indexed");
        }
        IndexCommand::Check => {
            index.check(&store.ids()?, store.seq()?)?;
            say!("index in step with the database: {} facilities", index.len());
        }
    }
    Ok(0)
}

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Free text: a name, a reading, a service, an address …; words given
    /// as separate arguments are one text (`tsunagi search 眼科 柳井`).
    query: Vec<String>,
    #[arg(long)]
    json: bool,
    /// Category id or name (dental, 歯科, medical …); repeatable.
    #[arg(long)]
    category: Vec<String>,
    /// Service id or name (home_nursing, 訪問看護 …); repeatable.
    #[arg(long)]
    service: Vec<String>,
    /// 全国地方公共団体コード or name.
    #[arg(long)]
    municipality: Vec<String>,
    /// 日常生活圏域.
    #[arg(long)]
    area: Vec<String>,
    #[arg(long)]
    capability: Vec<String>,
    /// LAT,LNG: measure distances from here.
    #[arg(long, allow_hyphen_values = true)]
    near: Option<String>,
    #[arg(long)]
    radius_m: Option<String>,
    /// W,S,E,N.
    #[arg(long, allow_hyphen_values = true)]
    bbox: Option<String>,
    /// LAT,LNG: facilities that visit this address.
    #[arg(long, allow_hyphen_values = true)]
    visits: Option<String>,
    /// Open at this time (2026-12-01T10:30, Japan time).
    #[arg(long)]
    open_at: Option<String>,
    #[arg(long)]
    home_visits: bool,
    #[arg(long)]
    vacancy: bool,
    /// relevance, distance or name.
    #[arg(long)]
    sort: Option<String>,
    #[arg(long, default_value = "10")]
    limit: String,
    #[arg(long)]
    page: Option<String>,
    /// Also print counts per category, service and municipality.
    #[arg(long)]
    facets: bool,
}

#[derive(Debug, Serialize)]
struct Item<'a> {
    id: i64,
    name: &'a str,
    kana: Option<&'a str>,
    categories: Vec<&'static str>,
    services: Vec<&'static str>,
    address: Option<&'a str>,
    lat: Option<f64>,
    lng: Option<f64>,
    distance_m: Option<f64>,
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    visits: Option<tsunagi_search::Visits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open: Option<tsunagi_domain::OpenState>,
}

pub fn search(config: &Config, a: SearchArgs) -> Result<i32> {
    let store = config.store()?;
    let index = config.index()?;
    sync(&store, &index).context("bringing the index up to date")?;
    let reference = config.reference().ok();
    let params = QueryParams {
        q: (!a.query.is_empty()).then(|| a.query.join(" ")),
        category: a.category,
        service: a.service,
        municipality: a.municipality,
        area: a.area,
        capability: a.capability,
        home_visits: a.home_visits.then(|| "1".into()),
        vacancy: a.vacancy.then(|| "1".into()),
        open_at: a.open_at,
        near: a.near,
        radius_m: a.radius_m,
        bbox: a.bbox,
        visits: a.visits,
        sort: a.sort,
        page: a.page,
        per_page: Some(a.limit),
    };
    let mut q = SearchQuery::parse(&params, |name| {
        reference.as_ref().and_then(|r| r.gazetteer.by_name(None, name)).map(|m| m.code.clone())
    })?;
    q.facets = a.facets;
    let started = std::time::Instant::now();
    let results = index.search(&q)?;
    let elapsed = started.elapsed();
    let items: Vec<Item> = results
        .hits
        .iter()
        .map(|h| Item {
            id: h.card.id,
            name: &h.card.name,
            kana: h.card.kana.as_deref(),
            categories: h.card.categories.iter().map(|c| c.id()).collect(),
            services: h.card.services.iter().map(|s| s.id()).collect(),
            address: h.card.address.as_deref(),
            lat: h.card.lat,
            lng: h.card.lng,
            distance_m: h.distance_m.map(|d| d.round()),
            score: h.score,
            visits: h.visits,
            open: h.open,
        })
        .collect();
    if a.json {
        let mut out = serde_json::json!({ "total": results.total, "items": items });
        if let Some(f) = &results.facets {
            out["facets"] = serde_json::to_value(f)?;
        }
        if let Some(t) = &results.searched_as {
            out["searched_as"] = t.as_str().into();
        }
        say!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(0);
    }
    if let Some(t) = &results.searched_as {
        say!("also searched as 「{t}」");
    }
    say!("{} results ({:.1} ms)", results.total, elapsed.as_secs_f64() * 1000.0);
    for (i, it) in items.iter().enumerate() {
        let dist = it.distance_m.map(|d| format!(" {:.1} km", d / 1000.0)).unwrap_or_default();
        let visits = it.visits.map(|v| format!(" [訪問: {v:?}]")).unwrap_or_default();
        let open = it.open.map(|o| format!(" [{o:?}]")).unwrap_or_default();
        say!(
            "{:>3}. {} — {}{}{}{}\n     {}",
            q.offset + i + 1,
            it.name,
            it.categories.join(","),
            dist,
            visits,
            open,
            it.address.unwrap_or("")
        );
    }
    if let Some(f) = &results.facets {
        let show = |label: &str, v: &[tsunagi_search::Count]| {
            let s: Vec<String> = v.iter().take(12).map(|c| format!("{} {}", c.label, c.count)).collect();
            say!("{label}: {}", s.join(", "));
        };
        show("categories", &f.categories);
        show("services", &f.services);
        show("municipalities", &f.municipalities);
    }
    Ok(0)
}
