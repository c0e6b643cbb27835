//! The open JSON API (`/api/v1/…`): the same queries as the pages.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tsunagi_domain::{Category, SearchQuery, Service};
use tsunagi_search::{Card, Hit};

use crate::AppState;
use crate::cache;
use crate::error::Error;
use crate::params::{self, Pairs};

type Data = web::Data<AppState>;

/// A list item, as every client sees it.
#[derive(Debug, Serialize)]
pub struct Item<'a> {
    pub id: i64,
    pub name: &'a str,
    /// The name without the operating corporation (「医療法人○○会」).
    pub display_name: &'a str,
    pub kana: Option<&'a str>,
    pub categories: Vec<&'static str>,
    pub category_labels: Vec<&'static str>,
    pub services: Vec<&'static str>,
    pub address: Option<&'a str>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub tel: Option<&'a str>,
    pub fax: Option<&'a str>,
    pub url: Option<&'a str>,
    pub distance_m: Option<f64>,
    pub last_verified: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<tsunagi_domain::OpenState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visits: Option<tsunagi_search::Visits>,
}

pub fn item<'a>(card: &'a Card, distance_m: Option<f64>, hit: Option<&Hit>) -> Item<'a> {
    Item {
        id: card.id,
        name: &card.name,
        display_name: tsunagi_domain::normalize::strip_corporation(&card.name),
        kana: card.kana.as_deref(),
        categories: card.categories.iter().map(|c| c.id()).collect(),
        category_labels: card.categories.iter().map(|c| c.name()).collect(),
        services: card.services.iter().map(|s| s.id()).collect(),
        address: card.address.as_deref(),
        lat: card.lat,
        lng: card.lng,
        tel: card.tel.as_deref(),
        fax: card.fax.as_deref(),
        url: card.url.as_deref(),
        distance_m: distance_m.map(|d| d.round()),
        last_verified: card.last_verified,
        open: hit.and_then(|h| h.open),
        visits: hit.and_then(|h| h.visits),
    }
}

const JSON: &str = "application/json";

/// An answer that depends only on the data and the URL: `304` when the
/// client has this version, else the kept answer to the same URL, else one
/// made now (and kept; errors are not).
fn kept_answer(
    req: &HttpRequest,
    state: &AppState,
    content_type: &'static str,
    make: impl FnOnce() -> Result<Vec<u8>, Error>,
) -> Result<HttpResponse, Error> {
    let seq = state.index.seq();
    let v = cache::validators(req, seq);
    if let Some(r) = cache::not_modified(req, &v) {
        return Ok(r);
    }
    let key = cache::key(req);
    let kept = if cache::no_cache(req) { None } else { state.responses.get(seq, &key) };
    let hit = kept.is_some();
    let body = match kept {
        Some(b) => b,
        None => {
            let b = cache::Body::new(content_type, make()?.into());
            state.responses.put(seq, key, b.clone());
            b
        }
    };
    let mut r = HttpResponse::Ok();
    cache::apply(&mut r, &v, None);
    r.insert_header(("X-Cache", if hit { "hit" } else { "miss" }));
    r.insert_header((header::VARY, "accept-encoding"));
    r.content_type(body.content_type);
    // Compressed here, once per kept answer, rather than by the middleware
    // on every response (it leaves an answer with a Content-Encoding alone).
    if cache::accepts_gzip(req) {
        r.insert_header((header::CONTENT_ENCODING, "gzip"));
        return Ok(r.body(body.gzipped().clone()));
    }
    Ok(r.body(body.bytes))
}

fn json_bytes(body: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::Internal(e.to_string()))
}

#[derive(Serialize)]
struct Page<'a> {
    items: Vec<Item<'a>>,
    total_items: usize,
    total_pages: usize,
    page_number: usize,
    size: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<&'a tsunagi_search::Facets>,
    /// The text also searched: `q` with its words cut apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    searched_as: Option<&'a str>,
}

pub async fn facilities(req: HttpRequest, state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let mut q = params::query(&state, &pairs)?;
    q.facets = params::get(&pairs, "facets").is_some();
    kept_answer(&req, &state, JSON, || {
        let r = state.index.search(&q)?;
        json_bytes(&Page {
            items: r.hits.iter().map(|h| item(&h.card, h.distance_m, Some(h))).collect(),
            total_items: r.total,
            total_pages: r.total.div_ceil(q.limit.max(1)),
            page_number: q.offset / q.limit.max(1) + 1,
            size: q.limit,
            facets: r.facets.as_ref(),
            searched_as: r.searched_as.as_deref(),
        })
    })
}

pub async fn facility(req: HttpRequest, state: Data, id: web::Path<i64>) -> Result<HttpResponse, Error> {
    let id = id.into_inner();
    let store = state.store.clone();
    let (f, sources) =
        web::block(move || -> Result<_, tsunagi_db::Error> { Ok((store.get(id)?, store.sources(id)?)) }).await??;
    let f = f
        .filter(|f| !f.deleted && f.facility.visibility == tsunagi_domain::Visibility::Public)
        .ok_or(Error::NotFound)?;
    let v = cache::validators(&req, f.seq);
    if let Some(r) = cache::not_modified(&req, &v) {
        return Ok(r);
    }
    let mut seen = std::collections::BTreeSet::new();
    let sources: Vec<serde_json::Value> = sources
        .iter()
        .filter(|s| seen.insert(s.dataset.id))
        .map(|s| {
            serde_json::json!({
                "title": s.dataset.title.clone().unwrap_or_else(|| s.dataset.file_name.clone()),
                "publisher": s.dataset.publisher, "licence": s.dataset.licence, "attribution": s.dataset.attribution,
                "url": s.dataset.source_url, "dataset_date": s.dataset.dataset_date, "line": s.line,
            })
        })
        .collect();
    let body = serde_json::json!({
        "id": f.id,
        "facility": f.facility,
        "last_verified": f.verified_on,
        "verified_by": f.verified_by,
        "last_edited": f.edited_at,
        "sources": sources,
    });
    let mut b = HttpResponse::Ok();
    cache::apply(&mut b, &v, cache::http_date(&f.edited_at).as_deref());
    Ok(b.json(body))
}

/// Every match, for maps and downloads (at most this many).
const EXPORT_LIMIT: usize = 50_000;

fn matching_cards(state: &AppState, q: &SearchQuery) -> Result<Vec<Card>, Error> {
    let ids = state.index.all_ids(q)?;
    if ids.len() > EXPORT_LIMIT {
        return Err(Error::BadRequest(format!(
            "{} 件は多すぎます（{EXPORT_LIMIT} 件まで）。地域や種類で絞り込んでください",
            ids.len()
        )));
    }
    Ok(ids.into_iter().filter_map(|id| state.index.card(id)).collect())
}

pub async fn geojson(req: HttpRequest, state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let q = params::query(&state, &pairs)?;
    kept_answer(&req, &state, "application/geo+json", || {
        let cards = matching_cards(&state, &q)?;
        let features: Vec<serde_json::Value> = cards
            .iter()
            .filter(|c| c.lat.is_some())
            .map(|c| {
                serde_json::json!({
                    "type": "Feature",
                    "id": c.id,
                    "geometry": {"type": "Point", "coordinates": [c.lng, c.lat]},
                    "properties": {
                        "id": c.id, "name": c.name, "kana": c.kana,
                        "categories": c.categories.iter().map(|x| x.id()).collect::<Vec<_>>(),
                        "services": c.services.iter().map(|x| x.id()).collect::<Vec<_>>(),
                        "address": c.address, "tel": c.tel, "fax": c.fax, "url": c.url,
                        "last_verified": c.last_verified, "location_precision": c.precision,
                    }
                })
            })
            .collect();
        json_bytes(&serde_json::json!({"type": "FeatureCollection", "features": features}))
    })
}

pub async fn export_csv(state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let q = params::query(&state, &pairs)?;
    let layout = match params::get(&pairs, "layout") {
        None | Some("medical") => tsunagi_import::export::Layout::Medical,
        Some("care") => tsunagi_import::export::Layout::Care,
        Some(x) => {
            return Err(Error::Param(tsunagi_domain::ParamError {
                parameter: "layout".into(),
                message: format!("「{x}」は medical か care です"),
            }));
        }
    };
    let ids = state.index.all_ids(&q)?;
    let store = state.store.clone();
    let publisher = q
        .municipalities
        .first()
        .and_then(|c| state.reference.gazetteer.by_code(c))
        .map(|m| (m.code.clone(), format!("{}{}", m.prefecture, m.name)))
        .unwrap_or_default();
    let bytes = web::block(move || -> Result<Vec<u8>, tsunagi_db::Error> {
        let facilities = store.get_many(&ids)?;
        let mut out = Vec::new();
        tsunagi_import::export::write_csv(
            &mut out,
            layout,
            &publisher,
            facilities.into_iter().map(|f| (f.id, f.facility)),
        )
        .map_err(|e| tsunagi_db::Error::Corrupt { id: 0, reason: e.to_string() })?;
        Ok(out)
    })
    .await??;
    let name = match layout {
        tsunagi_import::export::Layout::Medical => "medical_institutions.csv",
        tsunagi_import::export::Layout::Care => "care_services.csv",
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")))
        .body(bytes))
}

pub async fn clusters(req: HttpRequest, state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let mut q = params::query(&state, &pairs)?;
    let zoom: u32 = params::get(&pairs, "zoom").unwrap_or("5").parse().ok().filter(|z| *z <= 22).ok_or_else(|| {
        Error::Param(tsunagi_domain::ParamError {
            parameter: "zoom".into(),
            message: "0〜22 の数で指定してください".into(),
        })
    })?;
    if q.bbox.is_none() {
        q.bbox = Some(tsunagi_domain::BBox { west: 122.0, south: 20.0, east: 154.0, north: 46.0 });
    }
    kept_answer(&req, &state, JSON, || {
        let clusters = state.index.clusters(&q, zoom)?;
        let total: usize = clusters.iter().map(|c| c.count).sum();
        json_bytes(&serde_json::json!({ "zoom": zoom, "total": total, "clusters": clusters }))
    })
}

pub async fn boundaries(req: HttpRequest, state: Data) -> HttpResponse {
    let v = cache::validators(&req, 0);
    if let Some(r) = cache::not_modified(&req, &v) {
        return r;
    }
    let mut b = HttpResponse::Ok();
    cache::apply(&mut b, &v, None);
    b.content_type("application/geo+json").body(state.boundaries.feature_collection())
}

/// Municipalities and 日常生活圏域 with their facility counts.
pub async fn areas(req: HttpRequest, state: Data) -> Result<HttpResponse, Error> {
    kept_answer(&req, &state, JSON, || {
        json_bytes(&serde_json::json!({ "municipalities": crate::pages::area_counts(&state)? }))
    })
}

pub async fn health(state: Data) -> Result<HttpResponse, Error> {
    let store = state.store.clone();
    let (count, seq) =
        web::block(move || -> Result<_, tsunagi_db::Error> { Ok((store.count()?, store.seq()?)) }).await??;
    let in_step = state.index.seq() == seq;
    let body = serde_json::json!({
        "status": if in_step { "ok" } else { "indexing" },
        "facilities": count,
        "indexed": state.index.len(),
        "database_seq": seq,
        "index_seq": state.index.seq(),
    });
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(body))
}

/// The HTTP benchmark's ceiling: a constant 1 KB of JSON.
pub async fn constant() -> HttpResponse {
    static BODY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = BODY.get_or_init(|| {
        let items: Vec<serde_json::Value> = (0..8)
            .map(|i| serde_json::json!({"id": i, "name": "定数の応答", "address": "山口県下松市大手町3-3-3", "tel": "0833-41-1234"}))
            .collect();
        let mut s = serde_json::json!({ "items": items, "total_items": 8 }).to_string();
        while s.len() < 1024 {
            s.insert(s.len() - 1, ' ');
        }
        s
    });
    HttpResponse::Ok().content_type("application/json").body(body.clone())
}

/// Labels for clients that show ids.
pub async fn labels() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "categories": Category::ALL.iter().map(|c| serde_json::json!({"id": c.id(), "name": c.name(), "group": c.group().id()})).collect::<Vec<_>>(),
        "services": Service::ALL.iter().map(|s| serde_json::json!({"id": s.id(), "name": s.name()})).collect::<Vec<_>>(),
    }))
}
