//! `tsunagi serve`: the map site and API on a local address.

use std::sync::Arc;

use anyhow::{Context, Result};
use tsunagi_web::{AppState, WebConfig};

use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "TSUNAGI_BIND")]
    bind: String,
    /// Worker threads (default: one per core).
    #[arg(long, env = "TSUNAGI_WORKERS")]
    workers: Option<usize>,
    /// XYZ tile URL for the maps (default: 地理院タイル 淡色地図).
    #[arg(long, env = "TSUNAGI_TILE_URL")]
    tile_url: Option<String>,
    /// Attribution shown for the tiles (HTML).
    #[arg(long, env = "TSUNAGI_TILE_ATTRIBUTION")]
    tile_attribution: Option<String>,
    /// The web/ directory with the CSS, JS and vendored libraries.
    #[arg(long, env = "TSUNAGI_STATIC_DIR")]
    static_dir: Option<std::path::PathBuf>,
    /// Also serve /__bench/constant (the HTTP benchmark's ceiling).
    #[arg(long)]
    bench_routes: bool,
    /// Memory for API answers kept for the next client asking the same
    /// (emptied by every import or edit); 0 keeps none.
    #[arg(long, default_value = "32", env = "TSUNAGI_RESPONSE_CACHE_MB")]
    response_cache_mb: usize,
}

pub fn run(config: &Config, a: Args) -> Result<i32> {
    let store = config.store()?;
    let index = Arc::new(config.index()?);
    let n = crate::search::sync(&store, &index).context("bringing the index up to date")?;
    index.check(&store.ids()?, store.seq()?).context("checking the index against the database")?;
    let reference = Arc::new(config.reference()?);
    let mut web = WebConfig::default();
    if let Some(t) = a.tile_url {
        web.tile_url = t;
    }
    if let Some(t) = a.tile_attribution {
        web.tile_attribution = t;
    }
    web.static_dir = match a.static_dir {
        Some(d) => d,
        None => config.web_dir().context("cannot find the web/ directory: pass --static-dir")?,
    };
    web.boundary_files = config.boundary_files();
    web.bench_routes = a.bench_routes;
    web.response_cache_bytes = a.response_cache_mb.saturating_mul(1 << 20);
    let state = AppState::new(store, index.clone(), reference, web)?;
    let workers = a.workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    eprintln!("tsunagi: {} facilities ({n} re-indexed), serving on http://{}", index.len(), a.bind);
    tsunagi_web::run(state, &a.bind, workers)?;
    Ok(0)
}
