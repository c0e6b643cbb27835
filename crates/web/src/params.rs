//! Query strings → [`QueryParams`] → [`SearchQuery`]. Repeated keys and
//! comma lists both work (`category=dental&category=clinic`,
//! `category=dental,clinic`), so every page state is a shareable URL.

use tsunagi_domain::{QueryParams, SearchQuery};

use crate::AppState;
use crate::error::Error;

pub type Pairs = Vec<(String, String)>;

pub fn get<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.as_str())
}

fn all(pairs: &Pairs, key: &str) -> Vec<String> {
    pairs.iter().filter(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.clone()).collect()
}

pub fn params(pairs: &Pairs) -> QueryParams {
    let one = |k: &str| get(pairs, k).map(str::to_string);
    QueryParams {
        q: one("q"),
        category: all(pairs, "category"),
        service: all(pairs, "service"),
        municipality: all(pairs, "municipality"),
        area: all(pairs, "area"),
        capability: all(pairs, "capability"),
        home_visits: one("home_visits"),
        vacancy: one("vacancy"),
        open_at: one("open_at"),
        near: one("near"),
        radius_m: one("radius_m"),
        bbox: one("bbox"),
        visits: one("visits"),
        sort: one("sort"),
        page: one("page"),
        per_page: one("per_page"),
    }
}

/// The validated query; `addr` (an address typed by the user) becomes
/// `near` through the offline geocoder, and `open_now=1` the current time.
pub fn query(state: &AppState, pairs: &Pairs) -> Result<SearchQuery, Error> {
    let mut p = params(pairs);
    if p.near.is_none()
        && let Some(addr) = get(pairs, "addr")
    {
        let (loc, _) = state.reference.geocode(None, addr).ok_or_else(|| {
            Error::Param(tsunagi_domain::ParamError {
                parameter: "addr".into(),
                message: format!("住所「{addr}」の場所がわかりません。市区町村名から入力してください"),
            })
        })?;
        p.near = Some(format!("{},{}", loc.point.lat, loc.point.lng));
    }
    if p.open_at.is_none() && get(pairs, "open_now").is_some() {
        p.open_at = Some(now_jst().format("%Y-%m-%dT%H:%M").to_string());
    }
    let gazetteer = &state.reference.gazetteer;
    Ok(SearchQuery::parse(&p, |name| gazetteer.by_name(None, name).map(|m| m.code.clone()))?)
}

pub fn now_jst() -> chrono::NaiveDateTime {
    (chrono::Utc::now() + chrono::Duration::hours(9)).naive_utc()
}

/// The query string of `pairs` with `key` set to `value` (or removed).
pub fn with(pairs: &Pairs, key: &str, value: Option<&str>) -> String {
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, v)| k != key && !v.is_empty()).cloned().collect();
    if let Some(v) = value {
        out.push((key.to_string(), v.to_string()));
    }
    encode(&out)
}

pub fn encode(pairs: &[(String, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}

/// Percent-encoding for query strings (UTF-8 bytes outside the unreserved set).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
