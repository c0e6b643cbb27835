//! HTML pages: read the request, query, build the view model, render.

use actix_web::cookie::Cookie;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use tsunagi_domain::{Category, Day, Group, OpenState, SearchQuery, Service, Slot, SlotKind, normalize};
use tsunagi_search::Count;

use crate::AppState;
use crate::boundaries::svg_map;
use crate::error::Error;
use crate::params::{self, Pairs};
use crate::views::{self, Choice, ChoiceGroup, ListItem, MapConfig, Page, Row, Tel};

type Data = web::Data<AppState>;

const LARGE: &str = "large_text";
const SHORTLIST: &str = "shortlist";

fn shortlist_ids(req: &HttpRequest) -> Vec<i64> {
    req.cookie(SHORTLIST).map(|c| parse_ids(c.value())).unwrap_or_default()
}

fn parse_ids(s: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for id in s.split([',', ' ', '.']).filter_map(|x| x.trim().parse().ok()) {
        if !ids.contains(&id) && ids.len() < 20 {
            ids.push(id);
        }
    }
    ids
}

struct Ctx {
    large_text: bool,
    shortlist: usize,
    here: String,
}

fn ctx(req: &HttpRequest) -> Ctx {
    let here = match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    };
    Ctx { large_text: req.cookie(LARGE).is_some_and(|c| c.value() == "1"), shortlist: shortlist_ids(req).len(), here }
}

fn page<'a>(state: &'a AppState, c: &'a Ctx, title: &'a str) -> Page<'a> {
    Page {
        title,
        site: &state.config.site_name,
        description: None,
        large_text: c.large_text,
        shortlist: c.shortlist,
        map: false,
        here: &c.here,
        print: false,
    }
}

fn html(m: Markup) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(m.into_string())
}

fn map_config(state: &AppState, near: Option<(f64, f64)>) -> MapConfig {
    MapConfig { tile_url: state.config.tile_url.clone(), attribution: state.config.tile_attribution.clone(), near }
}

/// Municipalities in the index with their counts (all facilities).
pub fn municipality_counts(state: &AppState) -> Result<Vec<Count>, Error> {
    Ok(state.index.area_counts().into_iter().map(|a| Count { id: a.code, label: a.name, count: a.count }).collect())
}

pub fn area_counts(state: &AppState) -> Result<Vec<serde_json::Value>, Error> {
    Ok(state
        .index
        .area_counts()
        .into_iter()
        .map(|a| {
            let groups: Vec<serde_json::Value> = a
                .groups
                .into_iter()
                .map(|g| serde_json::json!({"id": g.id, "label": g.label, "count": g.count}))
                .collect();
            serde_json::json!({"code": a.code, "name": a.name, "count": a.count, "groups": groups})
        })
        .collect())
}

fn open_label(s: OpenState) -> (&'static str, &'static str) {
    match s {
        OpenState::Open => ("open", "開いています"),
        OpenState::Closed => ("closed", "時間外"),
        OpenState::Unknown => ("unknown", "時間は未確認"),
    }
}

fn visits_label(v: tsunagi_search::Visits) -> &'static str {
    match v {
        tsunagi_search::Visits::Area => "この住所に訪問できます",
        tsunagi_search::Visits::Municipality => "同じ市町村に訪問しています",
    }
}

fn hiragana(kana: &str) -> String {
    normalize::to_hiragana(&normalize::nfkc(kana))
}

/// The name people use (without the operating corporation), and the
/// official one when it differs.
pub fn names(official: &str) -> (String, Option<String>) {
    let short = normalize::strip_corporation(official);
    if short == official.trim() {
        (official.to_string(), None)
    } else {
        (short.to_string(), Some(official.to_string()))
    }
}

pub fn list_item(h: &tsunagi_search::Hit) -> ListItem {
    let c = &h.card;
    let (name, official_name) = names(&c.name);
    ListItem {
        id: c.id,
        name,
        official_name,
        reading: c.kana.as_deref().map(hiragana),
        categories: c.categories.iter().map(|x| (x.id().to_string(), x.name().to_string())).collect(),
        services: c
            .services
            .iter()
            .filter(|s| s.def().visits_home || c.categories.len() < 3)
            .take(6)
            .map(|s| s.name().to_string())
            .collect(),
        address: c.address.clone(),
        distance: h.distance_m.map(views::distance),
        tel: c.tel.clone(),
        fax: c.fax.clone(),
        open: h.open.map(open_label),
        visits: h.visits.map(visits_label),
        lat: c.lat,
        lng: c.lng,
        verified: c.last_verified.map(|d| d.format("%Y年%-m月%-d日").to_string()),
    }
}

fn choices_form(state: &AppState, pairs: &Pairs, q: Option<&SearchQuery>) -> Result<views::SearchForm, Error> {
    let cat = params::get(pairs, "category").unwrap_or("");
    let categories = Group::ALL
        .iter()
        .map(|g| ChoiceGroup {
            label: g.name().to_string(),
            choices: std::iter::once(Choice {
                value: g.id().into(),
                label: format!("{}（すべて）", g.name()),
                selected: cat == g.id(),
            })
            .chain(g.categories().map(|c| Choice {
                value: c.id().into(),
                label: c.name().into(),
                selected: cat == c.id(),
            }))
            .collect(),
        })
        .collect();
    let svc = params::get(pairs, "service").unwrap_or("");
    let services = Service::ALL
        .iter()
        .map(|s| Choice { value: s.id().into(), label: s.name().into(), selected: svc == s.id() })
        .collect();
    let selected_muni: Vec<String> = q.map(|q| q.municipalities.clone()).unwrap_or_default();
    let municipalities = municipality_counts(state)?
        .into_iter()
        .map(|m| Choice {
            selected: selected_muni.contains(&m.id),
            label: format!("{}（{}）", m.label, m.count),
            value: m.id,
        })
        .collect();
    let sort = params::get(pairs, "sort").unwrap_or("");
    let sorts = [("distance", "近い順"), ("name", "名前順")]
        .iter()
        .map(|(v, l)| Choice { value: v.to_string(), label: l.to_string(), selected: sort == *v })
        .collect();
    Ok(views::SearchForm {
        q: params::get(pairs, "q").unwrap_or("").to_string(),
        addr: params::get(pairs, "addr").unwrap_or("").to_string(),
        near: params::get(pairs, "near").unwrap_or("").to_string(),
        categories,
        services,
        municipalities,
        sorts,
        open_now: params::get(pairs, "open_now").is_some(),
        open_at: params::get(pairs, "open_at").unwrap_or("").to_string(),
        home_visits: params::get(pairs, "home_visits").is_some(),
        vacancy: params::get(pairs, "vacancy").is_some(),
    })
}

pub async fn search(req: HttpRequest, state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let parsed = params::query(&state, &pairs);
    let (query, error) = match parsed {
        Ok(q) => (Some(q), None),
        Err(Error::Param(p)) => (None, Some((p.parameter, p.message))),
        Err(e) => return Err(e),
    };
    let form = choices_form(&state, &pairs, query.as_ref())?;
    let (summary, items, pages, prev, next, near) = match &query {
        Some(q) => {
            let r = state.index.search(q)?;
            let items: Vec<ListItem> = r.hits.iter().map(list_item).collect();
            let per = q.limit.max(1);
            let current = q.offset / per + 1;
            let last = r.total.div_ceil(per).max(1);
            let href = |n: usize| format!("/?{}", params::with(&pairs, "page", Some(&n.to_string())));
            let pages: Vec<(String, String, bool)> = (current.saturating_sub(3).max(1)..=(current + 3).min(last))
                .map(|n| (n.to_string(), href(n), n == current))
                .collect();
            let mut summary = if r.total == 0 {
                "条件にあう施設は見つかりませんでした。条件を減らしてみてください。".to_string()
            } else {
                format!("{}件見つかりました（{}〜{}件目）", r.total, q.offset + 1, q.offset + items.len())
            };
            if let (Some(asked), Some(t)) = (&q.text, &r.searched_as) {
                summary = format!("「{asked}」を「{t}」としても探しました。{summary}");
            }
            let prev = (current > 1).then(|| href(current - 1));
            let next = (current < last).then(|| href(current + 1));
            (summary, items, pages, prev, next, q.origin().map(|p| (p.lat, p.lng)))
        }
        None => ("条件を確かめてください".to_string(), Vec::new(), Vec::new(), None, None, None),
    };
    // The API gets the same query, with `addr` already resolved to `near`.
    let mut api_pairs: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "addr").cloned().collect();
    if let (Some((lat, lng)), None) = (near, params::get(&pairs, "near")) {
        api_pairs.push(("near".into(), format!("{lat},{lng}")));
    }
    let v = views::SearchView {
        form,
        error,
        summary,
        items,
        pages,
        prev,
        next,
        map: map_config(&state, near),
        api_query: params::encode(&api_pairs),
        back: c.here.clone(),
    };
    let mut p = page(&state, &c, "医療・介護の施設をさがす");
    p.map = true;
    p.description =
        Some("病院・診療所・歯科・薬局・訪問看護・介護サービス・地域包括支援センターを地図と一覧で探せます。");
    Ok(html(views::search(&p, &v)))
}

fn fmt_time(t: tsunagi_domain::Time) -> String {
    t.to_string()
}

/// Opening times per day, overlapping slots of departments merged.
fn hours_rows(s: &tsunagi_domain::Schedule) -> Vec<views::HoursRow> {
    let open: Vec<&Slot> = {
        let has_open = s.slots.iter().any(|x| x.kind == SlotKind::Open);
        s.slots.iter().filter(|x| x.kind == SlotKind::Open || !has_open).collect()
    };
    if open.is_empty() && s.closed.is_empty() {
        return Vec::new();
    }
    Day::ALL
        .iter()
        .map(|&d| {
            let mut spans: Vec<(u16, u16)> =
                open.iter().filter(|x| x.days.contains(d)).map(|x| (x.open.minutes(), x.close.minutes())).collect();
            spans.sort_unstable();
            let mut merged: Vec<(u16, u16)> = Vec::new();
            for (a, b) in spans {
                match merged.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => merged.push((a, b)),
                }
            }
            let closed = if d == Day::Holiday { s.closed.holidays == Some(true) } else { s.closed.weekly.contains(d) };
            let times = if !merged.is_empty() {
                merged
                    .iter()
                    .map(|(a, b)| {
                        let t = |m: u16| {
                            fmt_time(
                                tsunagi_domain::Time::from_minutes(m)
                                    .unwrap_or(tsunagi_domain::Time::hm(0, 0).unwrap()),
                            )
                        };
                        format!("{}〜{}", t(*a), t(*b))
                    })
                    .collect::<Vec<_>>()
                    .join("、")
            } else if closed {
                "休み".into()
            } else if d == Day::Holiday && s.closed.holidays.is_none() {
                "記載なし（お問い合わせください）".into()
            } else if open.is_empty() {
                "記載なし".into()
            } else {
                "休み".into()
            };
            let label = if d == Day::Holiday {
                "祝日"
            } else {
                ["月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"][d as usize]
            };
            views::HoursRow { day: label, times }
        })
        .collect()
}

fn hours_notes(s: &tsunagi_domain::Schedule) -> Vec<String> {
    let mut out = Vec::new();
    for (w, days) in s.closed.nth_week.iter().enumerate() {
        if !days.is_empty() {
            out.push(format!("第{}週の{}曜日は休みです。", w + 1, days));
        }
    }
    if s.slots.iter().any(|x| x.label.is_some()) {
        out.push("診療科によって時間が違います。くわしくはお問い合わせください。".into());
    }
    if let Some(n) = &s.closed.note {
        out.push(format!("その他の休み: {n}"));
    }
    if let Some(n) = &s.note {
        out.push(n.clone());
    }
    if let Some(n) = &s.after_hours {
        out.push(format!("時間外: {n}"));
    }
    out
}

/// The most specific schema.org type among a facility's categories.
fn schema_type(categories: &[Category]) -> &'static str {
    for (c, t) in [
        (Category::Hospital, "Hospital"),
        (Category::Clinic, "MedicalClinic"),
        (Category::Dental, "Dentist"),
        (Category::Pharmacy, "Pharmacy"),
    ] {
        if categories.contains(&c) {
            return t;
        }
    }
    if categories.iter().any(|c| c.group() == Group::Medical) { "MedicalBusiness" } else { "LocalBusiness" }
}

pub async fn facility(req: HttpRequest, state: Data, id: web::Path<i64>) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let id = id.into_inner();
    let store = state.store.clone();
    let (f, sources) =
        web::block(move || -> Result<_, tsunagi_db::Error> { Ok((store.get(id)?, store.sources(id)?)) }).await??;
    let Some(f) = f.filter(|f| !f.deleted && f.facility.visibility == tsunagi_domain::Visibility::Public) else {
        let p = page(&state, &c, "見つかりません");
        return Ok(HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
            views::message(&p, "施設が見つかりません", "この施設は掲載されていないか、番号が違います。").into_string(),
        ));
    };
    let fac = &f.facility;
    let mut rows: Vec<Row> = Vec::new();
    let mut push = |label: &str, value: Markup| rows.push(Row { label: label.into(), value });
    if !fac.other_names.is_empty() || !fac.other_kana.is_empty() {
        // What another list calls it: a name people may know it by.
        let others: Vec<&str> = fac.other_names.iter().chain(&fac.other_kana).map(String::as_str).collect();
        push("ほかの一覧での名前", html! { (others.join("、")) });
    }
    if !fac.address.is_empty() {
        push(
            "住所",
            html! { (fac.address.line()) @if let Some(p) = &fac.address.postal_code { br; span.small { "〒" (p) } } },
        );
    }
    if let Some(t) = &fac.phone {
        push("電話", html! { (Tel(t)) @if let Some(e) = &fac.phone_ext { "（内線 " (e) "）" } });
    }
    if let Some(x) = &fac.fax {
        push("FAX", html! { (x) });
    }
    if let Some(d) = fac.attributes.get("電話番号（詳細）") {
        push("電話（くわしく）", html! { (d) });
    }
    if let Some(u) = &fac.url {
        push("ホームページ", html! { a href=(u) rel="noopener nofollow" { (u) } });
    }
    if let Some(e) = &fac.email {
        push("メール", html! { a href={ "mailto:" (e) } { (e) } });
    }
    if !fac.departments.is_empty() {
        push("診療科目", html! { (fac.departments.join("、")) });
    }
    if let Some(b) = fac.beds.total.filter(|b| *b > 0) {
        let detail: Vec<String> = fac.beds.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
        push("病床数", html! { (b) "床" @if !detail.is_empty() { "（" (detail.join("、")) "）" } });
    }
    if let Some(cap) = fac.capacity {
        push("定員", html! { (cap) "人" });
    }
    if let Some(n) = &fac.corporation_name {
        push("運営", html! { (n) });
    }
    if let Some(a) = &fac.care_area {
        push("日常生活圏域", html! { (a) });
    }
    if let Some(n) = &fac.notes {
        push("備考", html! { (n) });
    }
    let mut professional = Vec::new();
    if let Some(pc) = &fac.professional_contact {
        for (label, v) in
            [("相談の担当", &pc.person), ("連絡の方法", &pc.method), ("連絡できる時間", &pc.hours), ("備考", &pc.note)]
        {
            if let Some(v) = v {
                professional.push(Row { label: label.into(), value: html! { (v) } });
            }
        }
    }
    let services = fac
        .services
        .iter()
        .map(|s| {
            let mut note = Vec::new();
            if let Some(cap) = s.capacity {
                note.push(format!("定員{cap}人"));
            }
            if let Some(n) = &s.capacity_note {
                note.push(n.clone());
            }
            if let Some(d) = &s.days {
                note.push(format!("利用日: {d}"));
            }
            (s.service.name().to_string(), (!note.is_empty()).then(|| note.join("、")))
        })
        .collect();
    let vacancy = fac.vacancy.as_ref().map(|v| match (v.available, v.maximum) {
        (Some(a), Some(m)) => format!("空き {a} / 定員 {m}（{}時点）", v.as_of.format("%Y年%-m月%-d日")),
        (Some(a), None) => format!("空き {a}（{}時点）", v.as_of.format("%Y年%-m月%-d日")),
        _ => format!("空きの状況: {}（{}時点）", v.note.clone().unwrap_or_default(), v.as_of.format("%Y年%-m月%-d日")),
    });
    let mut seen = std::collections::BTreeSet::new();
    let srcs: Vec<views::Source> = sources
        .iter()
        .filter(|s| seen.insert(s.dataset.id))
        .map(|s| views::Source {
            title: s.dataset.title.clone().unwrap_or_else(|| s.dataset.file_name.clone()),
            publisher: s.dataset.publisher.clone(),
            licence: s.dataset.licence.clone(),
            attribution: s.dataset.attribution.clone(),
            date: s.dataset.dataset_date.clone(),
            url: s.dataset.source_url.clone(),
        })
        .collect();
    let point = fac.point().map(|p| (p.lat, p.lng));
    let origin = format!("{}://{}", req.connection_info().scheme(), req.connection_info().host());
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": schema_type(&fac.categories),
        "name": fac.name,
        "url": format!("{origin}/facilities/{}", f.id),
    });
    if let Some(t) = &fac.phone {
        ld["telephone"] = t.clone().into();
    }
    if let Some(x) = &fac.fax {
        ld["faxNumber"] = x.clone().into();
    }
    if let Some(u) = &fac.url {
        ld["sameAs"] = u.clone().into();
    }
    if !fac.address.is_empty() {
        let mut a = serde_json::json!({ "@type": "PostalAddress", "addressCountry": "JP", "streetAddress": fac.address.line() });
        for (k, v) in [
            ("addressRegion", &fac.address.prefecture),
            ("addressLocality", &fac.address.municipality),
            ("postalCode", &fac.address.postal_code),
        ] {
            if let Some(v) = v {
                a[k] = v.clone().into();
            }
        }
        ld["address"] = a;
    }
    if let Some((lat, lng)) = point {
        ld["geo"] = serde_json::json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lng});
    }
    let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "PublicHolidays"];
    let specs: Vec<serde_json::Value> = fac
        .schedule
        .slots
        .iter()
        .filter(|s| s.kind == SlotKind::Open && s.label.is_none())
        .map(|s| {
            serde_json::json!({
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": s.days.iter().map(|d| days[d as usize]).collect::<Vec<_>>(),
                "opens": format!("{:02}:{:02}", s.open.minutes() / 60, s.open.minutes() % 60),
                "closes": format!("{:02}:{:02}", (s.close.minutes() / 60) % 24, s.close.minutes() % 60),
            })
        })
        .collect();
    if !specs.is_empty() {
        ld["openingHoursSpecification"] = specs.into();
    }
    let (name, official_name) = names(&fac.name);
    let v = views::FacilityView {
        id: f.id,
        name,
        official_name,
        reading: fac.name_kana.as_deref().map(hiragana),
        categories: fac
            .categories
            .iter()
            .map(|c| (c.id().to_string(), c.name().to_string(), c.def().plain.to_string()))
            .collect(),
        services,
        rows,
        hours: hours_rows(&fac.schedule),
        hours_notes: hours_notes(&fac.schedule),
        capabilities: fac.capabilities.iter().map(|c| c.label().to_string()).collect(),
        vacancy,
        professional,
        point,
        precision: fac.location.as_ref().map(|l| l.precision.label().to_string()),
        verified: f.verified_on.map(|d| d.format("%Y年%-m月%-d日").to_string()).unwrap_or_else(|| "未確認".into()),
        edited: f.edited_at.get(..10).unwrap_or(&f.edited_at).to_string(),
        sources: srcs,
        json_ld: ld.to_string(),
        map: map_config(&state, point),
        back: c.here.clone(),
    };
    let title = fac.name.clone();
    let mut p = page(&state, &c, &title);
    p.map = point.is_some();
    let desc = format!("{}の住所・電話・FAX・診療時間・サービス", fac.name);
    p.description = Some(&desc);
    let mut resp = HttpResponse::Ok();
    if let Some(lm) = crate::cache::http_date(&f.edited_at) {
        resp.insert_header((header::LAST_MODIFIED, lm));
    }
    Ok(resp.content_type("text/html; charset=utf-8").body(views::facility(&p, &v).into_string()))
}

pub async fn areas(req: HttpRequest, state: Data) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let groups: Vec<String> = Group::ALL.iter().map(|g| g.name().to_string()).collect();
    let rows = area_counts(&state)?
        .into_iter()
        .map(|a| views::AreaRow {
            code: a["code"].as_str().unwrap_or_default().to_string(),
            name: a["name"].as_str().unwrap_or_default().to_string(),
            total: a["count"].as_u64().unwrap_or(0) as usize,
            groups: Group::ALL
                .iter()
                .map(|g| {
                    a["groups"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|x| x["id"] == g.id())
                        .and_then(|x| x["count"].as_u64())
                        .unwrap_or(0) as usize
                })
                .collect(),
        })
        .collect::<Vec<_>>();
    let p = page(&state, &c, "地域から探す");
    Ok(html(views::areas(&p, &groups, &rows)))
}

/// All facilities of a municipality (and optional category filter), sorted by reading.
fn area_hits(state: &AppState, code: &str, category: Option<&str>) -> Result<tsunagi_search::Results, Error> {
    let categories = category.and_then(tsunagi_domain::CategoryFilter::parse).into_iter().collect();
    let q = SearchQuery {
        municipalities: vec![code.to_string()],
        categories,
        sort: tsunagi_domain::Sort::Name,
        limit: 5000,
        ..SearchQuery::default()
    };
    Ok(state.index.search(&q)?)
}

fn municipality_name(state: &AppState, code: &str) -> Option<String> {
    state.reference.gazetteer.by_code(code).map(|m| m.name.clone())
}

/// Facilities grouped by category, in taxonomy order; a facility of
/// several kinds (a hospital with a 訪問看護 station) is in each.
fn by_category(hits: &[tsunagi_search::Hit]) -> Vec<(Category, Vec<&tsunagi_search::Hit>)> {
    let mut groups: Vec<(Category, Vec<&tsunagi_search::Hit>)> = Vec::new();
    for &cat in Category::ALL {
        let list: Vec<&tsunagi_search::Hit> = hits.iter().filter(|h| h.card.categories.contains(&cat)).collect();
        if !list.is_empty() {
            groups.push((cat, list));
        }
    }
    groups
}

pub async fn area(req: HttpRequest, state: Data, code: web::Path<String>) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let code = tsunagi_domain::codes::municipality_code(&code).ok_or(Error::NotFound)?;
    let name = municipality_name(&state, &code).ok_or(Error::NotFound)?;
    let r = area_hits(&state, &code, None)?;
    let sections = by_category(&r.hits)
        .into_iter()
        .map(|(cat, list)| views::AreaSection {
            id: cat.id().to_string(),
            label: cat.name().to_string(),
            plain: cat.def().plain.to_string(),
            search: format!("/?municipality={code}&category={}", cat.id()),
            items: list
                .iter()
                .map(|h| (h.card.id, names(&h.card.name).0, h.card.address.clone(), h.card.tel.clone()))
                .collect(),
        })
        .collect();
    let points: Vec<(f64, f64, &'static str)> =
        r.hits.iter().filter_map(|h| Some((h.card.lat?, h.card.lng?, h.card.categories.first()?.id()))).collect();
    let outline: Vec<_> = state.boundaries.by_code(&code).into_iter().collect();
    let v = views::AreaView {
        name: name.clone(),
        total: r.total,
        sections,
        svg: svg_map(&outline, &points, 640.0),
        booklet: format!("/print/booklet?area={code}"),
    };
    let title = format!("{name}の医療・介護");
    let p = page(&state, &c, &title);
    Ok(html(views::area(&p, &v)))
}

fn hours_summary(card_schedule: &tsunagi_domain::Schedule) -> Option<String> {
    let rows = hours_rows(card_schedule);
    if rows.is_empty() {
        return None;
    }
    // 「月〜金 9:00〜18:00／土 9:00〜12:30／日祝 休み」: runs of days with
    // equal times joined, three or more written as a range.
    let mut parts: Vec<(Vec<String>, String)> = Vec::new();
    for r in rows {
        let d = r.day.chars().next().map(String::from).unwrap_or_default();
        match parts.last_mut() {
            Some((days, times)) if *times == r.times => days.push(d),
            _ => parts.push((vec![d], r.times)),
        }
    }
    let days = |d: &[String]| {
        if d.len() >= 3 && d.last().is_some_and(|x| x != "祝") {
            format!("{}〜{}", d[0], d[d.len() - 1])
        } else {
            d.concat()
        }
    };
    Some(parts.iter().map(|(d, t)| format!("{} {t}", days(d))).collect::<Vec<_>>().join("／"))
}

pub async fn booklet(req: HttpRequest, state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let size = match params::get(&pairs, "size") {
        Some("A5") | Some("a5") => "A5",
        _ => "A4",
    };
    let Some(code) = params::get(&pairs, "area").and_then(tsunagi_domain::codes::municipality_code) else {
        let areas = municipality_counts(&state)?.into_iter().map(|m| (m.id, m.label)).collect();
        let v = views::BookletView {
            area: String::new(),
            size,
            date: String::new(),
            sections: Vec::new(),
            svg: None,
            attributions: Vec::new(),
            choose: Some(areas),
        };
        let p = page(&state, &c, "印刷用の冊子");
        return Ok(html(views::booklet(&p, &v)));
    };
    let name = municipality_name(&state, &code).ok_or(Error::NotFound)?;
    let category = params::get(&pairs, "category");
    let r = area_hits(&state, &code, category)?;
    let ids: Vec<i64> = r.hits.iter().map(|h| h.card.id).collect();
    let store = state.store.clone();
    let (stored, datasets) =
        web::block(move || -> Result<_, tsunagi_db::Error> { Ok((store.get_many(&ids)?, store.datasets()?)) })
            .await??;
    let by_id: std::collections::HashMap<i64, &tsunagi_db::StoredFacility> = stored.iter().map(|f| (f.id, f)).collect();
    let sections: Vec<views::BookletSection> = by_category(&r.hits)
        .into_iter()
        .enumerate()
        .map(|(i, (cat, list))| views::BookletSection {
            number: i + 1,
            id: cat.id().to_string(),
            label: cat.name().to_string(),
            plain: cat.def().plain.to_string(),
            entries: list
                .iter()
                .map(|h| {
                    let f = by_id.get(&h.card.id).map(|s| &s.facility);
                    let (name, official_name) = names(&h.card.name);
                    views::BookletEntry {
                        name,
                        official_name,
                        reading: h.card.kana.as_deref().map(hiragana),
                        address: h.card.address.clone(),
                        tel: h.card.tel.clone(),
                        fax: h.card.fax.clone(),
                        hours: f.and_then(|f| hours_summary(&f.schedule)),
                        services: f
                            .map(|f| f.services.iter().map(|s| s.service.name()).collect::<Vec<_>>().join("・"))
                            .filter(|s| !s.is_empty()),
                    }
                })
                .collect(),
        })
        .collect();
    let points: Vec<(f64, f64, &'static str)> =
        r.hits.iter().filter_map(|h| Some((h.card.lat?, h.card.lng?, h.card.categories.first()?.id()))).collect();
    let outline: Vec<_> = state.boundaries.by_code(&code).into_iter().collect();
    let mut attributions: Vec<String> = datasets
        .iter()
        .filter_map(|d| d.attribution.clone().map(|a| format!("{a}（{}）", d.licence.clone().unwrap_or_default())))
        .collect();
    attributions.sort();
    attributions.dedup();
    attributions.push("地図: 「国土数値情報（行政区域データ）」（国土交通省）を加工して作成".into());
    let v = views::BookletView {
        area: name.clone(),
        size,
        date: params::now_jst().format("%Y年%-m月%-d日").to_string(),
        sections,
        svg: svg_map(&outline, &points, 600.0),
        attributions,
        choose: None,
    };
    let title = format!("{name} 医療・介護資源マップ（冊子）");
    let mut p = page(&state, &c, &title);
    p.print = true;
    Ok(html(views::booklet(&p, &v)))
}

pub async fn shortlist(req: HttpRequest, state: Data, pairs: web::Query<Pairs>) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let ids = match params::get(&pairs, "ids") {
        Some(s) => parse_ids(s),
        None => shortlist_ids(&req),
    };
    let wanted = ids.clone();
    let store = state.store.clone();
    let stored = web::block(move || store.get_many(&wanted)).await??;
    let labels = vec!["種類", "住所", "電話", "FAX", "時間", "サービス", "空き", "最終確認日"];
    let columns = ids
        .iter()
        .filter_map(|id| stored.iter().find(|f| f.id == *id))
        .filter(|f| f.facility.visibility == tsunagi_domain::Visibility::Public)
        .map(|f| {
            let x = &f.facility;
            let text = |s: Option<String>| html! { (s.unwrap_or_else(|| "—".into())) };
            views::ShortlistColumn {
                id: f.id,
                name: x.name.clone(),
                cells: vec![
                    text(Some(x.categories.iter().map(|c| c.name()).collect::<Vec<_>>().join("、"))),
                    text(Some(x.address.line()).filter(|s| !s.is_empty())),
                    html! { @if let Some(t) = &x.phone { (Tel(t)) } @else { "—" } },
                    text(x.fax.clone()),
                    text(hours_summary(&x.schedule)),
                    text(
                        Some(x.services.iter().map(|s| s.service.name()).collect::<Vec<_>>().join("・"))
                            .filter(|s| !s.is_empty()),
                    ),
                    text(x.vacancy.as_ref().map(|v| {
                        format!(
                            "{}（{}）",
                            v.available.map_or("—".into(), |a| format!("空き{a}")),
                            v.as_of.format("%-m月%-d日")
                        )
                    })),
                    text(f.verified_on.map(|d| d.format("%Y年%-m月%-d日").to_string())),
                ],
            }
        })
        .collect::<Vec<_>>();
    let ids_text = columns.iter().map(|c| c.id.to_string()).collect::<Vec<_>>().join(",");
    let host = req.connection_info().host().to_string();
    let v = views::ShortlistView {
        labels,
        share: format!("http://{host}/shortlist?ids={ids_text}"),
        columns,
        back: c.here.clone(),
    };
    let p = page(&state, &c, "比較リスト");
    Ok(html(views::shortlist(&p, &v)))
}

fn back_to(pairs: &Pairs) -> String {
    params::get(pairs, "back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or("/shortlist")
        .to_string()
}

/// Adding and removing without JavaScript: a cookie, then back.
pub async fn shortlist_edit(
    req: HttpRequest,
    path: web::Path<(String, i64)>,
    pairs: web::Query<Pairs>,
) -> Result<HttpResponse, Error> {
    let (action, id) = path.into_inner();
    let mut ids = shortlist_ids(&req);
    match action.as_str() {
        "add" if !ids.contains(&id) && ids.len() < 20 => ids.push(id),
        "add" => {}
        "remove" => ids.retain(|x| *x != id),
        _ => return Err(Error::NotFound),
    }
    let value = ids.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(".");
    let cookie =
        Cookie::build(SHORTLIST, value).path("/").max_age(actix_web::cookie::time::Duration::days(90)).finish();
    Ok(HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, back_to(&pairs))).finish())
}

pub async fn large_text(pairs: web::Query<Pairs>) -> HttpResponse {
    let on = params::get(&pairs, "on") == Some("1");
    let cookie = Cookie::build(LARGE, if on { "1" } else { "0" })
        .path("/")
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    let back = params::get(&pairs, "back").filter(|b| b.starts_with('/') && !b.starts_with("//")).unwrap_or("/");
    HttpResponse::SeeOther().cookie(cookie).insert_header((header::LOCATION, back.to_string())).finish()
}

pub async fn about(req: HttpRequest, state: Data) -> Result<HttpResponse, Error> {
    let c = ctx(&req);
    let store = state.store.clone();
    let datasets = web::block(move || store.datasets()).await??;
    let sources: Vec<views::Source> = datasets
        .into_iter()
        .map(|d| views::Source {
            title: d.title.unwrap_or(d.file_name),
            publisher: d.publisher,
            licence: d.licence,
            attribution: d.attribution,
            date: d.dataset_date,
            url: d.source_url,
        })
        .collect();
    let p = page(&state, &c, "データの出典とライセンス");
    Ok(html(views::about(&p, &sources)))
}

pub async fn not_found(req: HttpRequest, state: Data) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return actix_web::ResponseError::error_response(&Error::NotFound);
    }
    let c = ctx(&req);
    let p = page(&state, &c, "ページが見つかりません");
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(views::message(&p, "ページが見つかりません", "アドレスを確かめてください。").into_string())
}
