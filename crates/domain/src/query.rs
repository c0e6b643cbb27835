//! A search as users ask it, validated: the one query type behind the CLI,
//! the HTML pages and the JSON API.
//!
//! [`QueryParams`] holds the raw strings (as they come from a URL or the
//! command line); [`SearchQuery::parse`] checks them and says which
//! parameter is wrong.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::category::CategoryFilter;
use crate::facility::{Capability, GeoPoint};
use crate::service::Service;

/// West, south, east, north in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    pub fn contains(&self, p: GeoPoint) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lng)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first, nearer first among equals (the default).
    #[default]
    Relevance,
    /// Nearest first (needs `near`).
    Distance,
    /// By name (五十音 of the reading when known).
    Name,
}

/// Everything a search can ask for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Free text: names, services, addresses, readings, 診療科目.
    pub text: Option<String>,
    /// Any of these categories (groups match their members).
    pub categories: Vec<CategoryFilter>,
    /// Any of these services.
    pub services: Vec<Service>,
    /// 全国地方公共団体コード (6 digits).
    pub municipalities: Vec<String>,
    /// 日常生活圏域 names.
    pub care_areas: Vec<String>,
    /// All of these capabilities.
    pub capabilities: Vec<Capability>,
    /// Only facilities that visit homes (往診, 訪問看護, 訪問介護 …).
    pub home_visits: bool,
    /// Only facilities with free places (空きあり).
    pub vacancy: bool,
    /// Only facilities open at this moment (Japan time).
    pub open_at: Option<NaiveDateTime>,
    /// Distances are measured from here; results nearer first among equals.
    pub near: Option<GeoPoint>,
    /// Only within this distance of `near`.
    pub radius_m: Option<f64>,
    pub bbox: Option<BBox>,
    /// Facilities whose visit area contains this point (who visits this address).
    pub visits: Option<GeoPoint>,
    pub sort: Sort,
    /// Include listings for professionals only.
    pub include_professional: bool,
    pub offset: usize,
    pub limit: usize,
    /// Count results per category, service and area.
    pub facets: bool,
}

/// Raw parameters, as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryParams {
    pub q: Option<String>,
    pub category: Vec<String>,
    pub service: Vec<String>,
    pub municipality: Vec<String>,
    pub area: Vec<String>,
    pub capability: Vec<String>,
    pub home_visits: Option<String>,
    pub vacancy: Option<String>,
    pub open_at: Option<String>,
    pub near: Option<String>,
    pub radius_m: Option<String>,
    pub bbox: Option<String>,
    pub visits: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

/// A parameter that cannot be used, and why (shown to users).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct ParamError {
    pub parameter: String,
    pub message: String,
}

fn err(parameter: &str, message: impl Into<String>) -> ParamError {
    ParamError { parameter: parameter.to_string(), message: message.into() }
}

pub const MAX_PER_PAGE: usize = 500;

/// `LAT,LNG` in degrees.
pub fn parse_point(name: &str, s: &str) -> Result<GeoPoint, ParamError> {
    let s = crate::normalize::nfkc(s);
    let (a, b) = s.split_once(',').ok_or_else(|| err(name, "緯度,経度 の形で指定してください（例: 34.01,131.87）"))?;
    let lat: f64 = a.trim().parse().map_err(|_| err(name, format!("緯度「{a}」が数ではありません")))?;
    let lng: f64 = b.trim().parse().map_err(|_| err(name, format!("経度「{b}」が数ではありません")))?;
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
        return Err(err(name, "緯度は-90〜90、経度は-180〜180で指定してください"));
    }
    Ok(GeoPoint::new(lat, lng))
}

/// `W,S,E,N` in degrees.
pub fn parse_bbox(s: &str) -> Result<BBox, ParamError> {
    let v: Vec<f64> = crate::normalize::nfkc(s)
        .split(',')
        .map(|x| x.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| err("bbox", "西,南,東,北 の経度・緯度4つの数で指定してください"))?;
    let [west, south, east, north] = v[..] else {
        return Err(err("bbox", "西,南,東,北 の4つの数が必要です"));
    };
    if west > east || south > north {
        return Err(err("bbox", "西 ≤ 東、南 ≤ 北 になるように指定してください"));
    }
    Ok(BBox { west, south, east, north })
}

/// `2026-12-01T10:30`, `2026-12-01T10:30:00`, `2026-12-01 10:30` (Japan time;
/// an offset such as `+09:00` is accepted and converted).
pub fn parse_moment(s: &str) -> Result<NaiveDateTime, ParamError> {
    let s = s.trim();
    let jst = chrono::FixedOffset::east_opt(9 * 3600).expect("valid offset");
    let with_offset =
        chrono::DateTime::parse_from_rfc3339(s).or_else(|_| chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z"));
    if let Ok(dt) = with_offset {
        return Ok(dt.with_timezone(&jst).naive_local());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(dt);
        }
    }
    Err(err("open_at", "日時は 2026-12-01T10:30 の形で指定してください"))
}

fn flag(name: &str, v: &Option<String>) -> Result<bool, ParamError> {
    match v.as_deref().map(str::trim) {
        None | Some("") | Some("0") | Some("false") | Some("no") => Ok(false),
        Some("1") | Some("true") | Some("yes") | Some("on") => Ok(true),
        Some(x) => Err(err(name, format!("「{x}」は 1 か 0 で指定してください"))),
    }
}

fn split(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().flat_map(|v| v.split(',')).map(str::trim).filter(|v| !v.is_empty())
}

impl SearchQuery {
    /// Checks raw parameters. `municipality` takes a code (5 or 6 digits) or
    /// a name; names are resolved by `resolve_municipality`.
    pub fn parse(
        p: &QueryParams,
        resolve_municipality: impl Fn(&str) -> Option<String>,
    ) -> Result<SearchQuery, ParamError> {
        let mut q = SearchQuery {
            text: p.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string),
            limit: 20,
            ..SearchQuery::default()
        };
        if q.text.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(err("q", "検索語が長すぎます（200文字まで）"));
        }
        for c in split(&p.category) {
            q.categories
                .push(CategoryFilter::parse(c).ok_or_else(|| err("category", format!("種類「{c}」はありません")))?);
        }
        for s in split(&p.service) {
            q.services.push(
                Service::from_id(s)
                    .or_else(|| Service::recognize(s))
                    .ok_or_else(|| err("service", format!("サービス「{s}」はありません")))?,
            );
        }
        for m in split(&p.municipality) {
            let code = crate::codes::municipality_code(m)
                .or_else(|| resolve_municipality(m))
                .ok_or_else(|| err("municipality", format!("市区町村「{m}」が見つかりません")))?;
            q.municipalities.push(code);
        }
        q.care_areas = split(&p.area).map(str::to_string).collect();
        for c in split(&p.capability) {
            q.capabilities
                .push(Capability::from_id(c).ok_or_else(|| err("capability", format!("「{c}」はありません")))?);
        }
        q.home_visits = flag("home_visits", &p.home_visits)?;
        q.vacancy = flag("vacancy", &p.vacancy)?;
        if let Some(s) = p.open_at.as_deref().filter(|s| !s.trim().is_empty()) {
            q.open_at = Some(parse_moment(s)?);
        }
        if let Some(s) = p.near.as_deref().filter(|s| !s.trim().is_empty()) {
            q.near = Some(parse_point("near", s)?);
        }
        if let Some(s) = p.radius_m.as_deref().filter(|s| !s.trim().is_empty()) {
            let r: f64 = s.trim().parse().map_err(|_| err("radius_m", "距離はメートルの数で指定してください"))?;
            if !(r > 0.0 && r <= 2_000_000.0) {
                return Err(err("radius_m", "距離は 0 より大きく 2,000,000 m までで指定してください"));
            }
            if q.near.is_none() {
                return Err(err("radius_m", "radius_m には near（中心の緯度,経度）が必要です"));
            }
            q.radius_m = Some(r);
        }
        if let Some(s) = p.bbox.as_deref().filter(|s| !s.trim().is_empty()) {
            q.bbox = Some(parse_bbox(s)?);
        }
        if let Some(s) = p.visits.as_deref().filter(|s| !s.trim().is_empty()) {
            q.visits = Some(parse_point("visits", s)?);
        }
        q.sort = match p.sort.as_deref().map(str::trim) {
            None | Some("") | Some("relevance") => Sort::Relevance,
            Some("distance") if q.near.is_some() || q.visits.is_some() => Sort::Distance,
            Some("distance") => return Err(err("sort", "距離順には near が必要です")),
            Some("name") => Sort::Name,
            Some(x) => return Err(err("sort", format!("「{x}」は relevance / distance / name のどれかです"))),
        };
        let per_page: usize = match p.per_page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => 20,
            Some(s) => s
                .parse()
                .ok()
                .filter(|n| (1..=MAX_PER_PAGE).contains(n))
                .ok_or_else(|| err("per_page", format!("1〜{MAX_PER_PAGE} の数で指定してください")))?,
        };
        let page: usize = match p.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => 1,
            Some(s) => s
                .parse()
                .ok()
                .filter(|n| *n >= 1 && *n <= 100_000)
                .ok_or_else(|| err("page", "1 以上の数で指定してください"))?,
        };
        q.limit = per_page;
        q.offset = (page - 1) * per_page;
        Ok(q)
    }

    /// The point distances are measured from.
    pub fn origin(&self) -> Option<GeoPoint> {
        self.near.or(self.visits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<SearchQuery, ParamError> {
        let mut p = QueryParams::default();
        for (k, v) in pairs {
            let v = v.to_string();
            match *k {
                "q" => p.q = Some(v),
                "category" => p.category.push(v),
                "service" => p.service.push(v),
                "municipality" => p.municipality.push(v),
                "near" => p.near = Some(v),
                "radius_m" => p.radius_m = Some(v),
                "bbox" => p.bbox = Some(v),
                "open_at" => p.open_at = Some(v),
                "page" => p.page = Some(v),
                "per_page" => p.per_page = Some(v),
                "sort" => p.sort = Some(v),
                _ => unreachable!(),
            }
        }
        SearchQuery::parse(&p, |name| (name == "下松市").then(|| "352071".to_string()))
    }

    #[test]
    fn valid_parameters() {
        let q = parse(&[
            ("q", " 訪問看護 "),
            ("category", "medical,dental"),
            ("service", "訪問看護"),
            ("municipality", "下松市"),
            ("near", "34.01, 131.87"),
            ("radius_m", "5000"),
            ("open_at", "2026-12-01T10:30+09:00"),
            ("page", "3"),
            ("per_page", "10"),
        ])
        .unwrap();
        assert_eq!(q.text.as_deref(), Some("訪問看護"));
        assert_eq!(q.categories.len(), 2);
        assert_eq!(q.services, vec![Service::HomeNursing]);
        assert_eq!(q.municipalities, vec!["352071"]);
        assert_eq!(q.near, Some(GeoPoint::new(34.01, 131.87)));
        assert_eq!(q.open_at.unwrap().to_string(), "2026-12-01 10:30:00");
        assert_eq!((q.offset, q.limit), (20, 10));
    }

    #[test]
    fn errors_name_the_parameter() {
        let check = |pairs: &[(&str, &str)], param: &str| {
            assert_eq!(parse(pairs).unwrap_err().parameter, param, "{pairs:?}");
        };
        check(&[("category", "aed")], "category");
        check(&[("near", "34.0")], "near");
        check(&[("near", "abc,131")], "near");
        check(&[("radius_m", "500")], "radius_m");
        check(&[("near", "34,131"), ("radius_m", "-1")], "radius_m");
        check(&[("bbox", "131,34,130,35")], "bbox");
        check(&[("open_at", "tomorrow")], "open_at");
        check(&[("per_page", "100000")], "per_page");
        check(&[("page", "0")], "page");
        check(&[("municipality", "どこか市")], "municipality");
        check(&[("sort", "distance")], "sort");
    }
}
