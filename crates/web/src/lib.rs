//! The web site and the open JSON API: actix-web and maud live here and
//! nowhere else.
//!
//! Handlers are thin: read the request into a validated
//! [`tsunagi_domain::SearchQuery`] (the same one the CLI uses), ask the
//! index or the store, build a view model, render it with a pure template.
//! HTML pages and JSON answers share those query functions. Diesel is
//! synchronous, so store calls go through `web::block`.

mod api;
mod boundaries;
mod cache;
mod error;
mod openapi;
mod pages;
mod params;
mod views;

use std::path::PathBuf;
use std::sync::Arc;

use actix_web::{App, HttpServer, middleware, web};
use tsunagi_db::Store;
use tsunagi_import::Reference;
use tsunagi_search::SearchIndex;

pub use error::Error;

/// Everything a deployment can set.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub site_name: String,
    /// XYZ tile template; 地理院タイル (淡色地図) by default.
    pub tile_url: String,
    pub tile_attribution: String,
    /// The project's `web/` directory (CSS, JS, vendored libraries).
    pub static_dir: PathBuf,
    /// Boundary GeoJSON files (municipal outlines) shown on maps.
    pub boundary_files: Vec<PathBuf>,
    /// Mount `/__bench/constant` (the HTTP benchmark's ceiling).
    pub bench_routes: bool,
    /// Memory for kept API answers (see [`cache::Responses`]); 0 keeps none.
    pub response_cache_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            site_name: "つなぎ 医療・介護資源マップ".into(),
            tile_url: "https://cyberjapandata.gsi.go.jp/xyz/pale/{z}/{x}/{y}.png".into(),
            tile_attribution: "<a href=\"https://maps.gsi.go.jp/development/ichiran.html\">地理院タイル</a>".into(),
            static_dir: PathBuf::from("web"),
            boundary_files: Vec::new(),
            bench_routes: false,
            response_cache_bytes: 32 << 20,
        }
    }
}

/// Shared by all handlers.
pub struct AppState {
    pub store: Store,
    pub index: Arc<SearchIndex>,
    pub reference: Arc<Reference>,
    pub config: WebConfig,
    pub boundaries: boundaries::Boundaries,
    pub responses: cache::Responses,
}

impl AppState {
    pub fn new(
        store: Store,
        index: Arc<SearchIndex>,
        reference: Arc<Reference>,
        config: WebConfig,
    ) -> std::io::Result<AppState> {
        let boundaries = boundaries::Boundaries::load(&config.boundary_files)?;
        let responses = cache::Responses::new(config.response_cache_bytes);
        Ok(AppState { store, index, reference, config, boundaries, responses })
    }
}

/// The route table, shared by the server and the tests.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<AppState>) {
    let static_dir = state.config.static_dir.clone();
    let bench = state.config.bench_routes;
    cfg.app_data(state)
        .app_data(web::QueryConfig::default().error_handler(|e, _| error::Error::BadRequest(e.to_string()).into()))
        .service(web::resource("/").route(web::get().to(pages::search)))
        .service(web::resource("/facilities/{id}").route(web::get().to(pages::facility)))
        .service(web::resource("/areas").route(web::get().to(pages::areas)))
        .service(web::resource("/areas/{code}").route(web::get().to(pages::area)))
        .service(web::resource("/print/booklet").route(web::get().to(pages::booklet)))
        .service(web::resource("/shortlist").route(web::get().to(pages::shortlist)))
        .service(web::resource("/shortlist/{action}/{id}").route(web::get().to(pages::shortlist_edit)))
        .service(web::resource("/settings/large-text").route(web::get().to(pages::large_text)))
        .service(web::resource("/about").route(web::get().to(pages::about)))
        .service(web::resource("/api/v1/facilities").route(web::get().to(api::facilities)))
        .service(web::resource("/api/v1/facilities.geojson").route(web::get().to(api::geojson)))
        .service(web::resource("/api/v1/facilities/{id}").route(web::get().to(api::facility)))
        .service(web::resource("/api/v1/export.csv").route(web::get().to(api::export_csv)))
        .service(web::resource("/api/v1/clusters").route(web::get().to(api::clusters)))
        .service(web::resource("/api/v1/boundaries.geojson").route(web::get().to(api::boundaries)))
        .service(web::resource("/api/v1/areas").route(web::get().to(api::areas)))
        .service(web::resource("/api/v1/labels").route(web::get().to(api::labels)))
        .service(web::resource("/openapi.json").route(web::get().to(openapi::document)))
        .service(web::resource("/healthz").route(web::get().to(api::health)));
    if bench {
        cfg.service(web::resource("/__bench/constant").route(web::get().to(api::constant)));
    }
    cfg.service(
        actix_files::Files::new("/static", static_dir).prefer_utf8(true).use_etag(true).use_last_modified(true),
    )
    .default_service(web::to(pages::not_found));
}

/// Runs the server on its own runtime until the process is stopped.
pub fn run(state: AppState, bind: &str, workers: usize) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(serve(state, bind, workers))
}

/// Serves until the process is stopped; picks up index changes made by
/// other processes (imports from the command line) every two seconds.
pub async fn serve(state: AppState, bind: &str, workers: usize) -> std::io::Result<()> {
    let state = web::Data::new(state);
    let refresher = state.index.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(2));
            if let Err(e) = refresher.refresh() {
                tracing::warn!("index refresh: {e}");
            }
        }
    });
    HttpServer::new(move || {
        App::new()
            .wrap(middleware::Compress::default())
            .wrap(middleware::DefaultHeaders::new().add(("X-Content-Type-Options", "nosniff")))
            .configure(|cfg| configure(cfg, state.clone()))
    })
    .workers(workers.max(1))
    // A compressed answer goes out in more than one write; with Nagle's
    // algorithm the last waits for the client's delayed ACK (40 ms).
    .tcp_nodelay(true)
    .bind(bind)?
    .run()
    .await
}
