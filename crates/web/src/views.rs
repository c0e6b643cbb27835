//! Templates: pure functions from view models to HTML. No I/O and no
//! `Result` here; every label and format was decided when the view model
//! was built ([`crate::pages`]). maud escapes every interpolated string;
//! the only unescaped output is the JSON-LD block, serialised by serde
//! with `<` escaped ([`json_ld`]).

use maud::{DOCTYPE, Markup, PreEscaped, Render, html};

use crate::boundaries::SvgMap;

/// A telephone or FAX number; telephones are tappable.
pub struct Tel<'a>(pub &'a str);

impl Render for Tel<'_> {
    fn render(&self) -> Markup {
        let digits: String = self.0.chars().filter(|c| c.is_ascii_digit()).collect();
        html! { a href={ "tel:" (digits) } { (self.0) } }
    }
}

/// 「350 m」, 「1.2 km」.
pub fn distance(m: f64) -> String {
    if m < 1000.0 { format!("{} m", (m / 10.0).round() * 10.0) } else { format!("{:.1} km", m / 1000.0) }
}

pub struct Page<'a> {
    pub title: &'a str,
    pub site: &'a str,
    pub description: Option<&'a str>,
    pub large_text: bool,
    pub shortlist: usize,
    pub map: bool,
    /// Path and query of this page (for the 文字を大きく link).
    pub here: &'a str,
    pub print: bool,
}

/// Colours per category group, shared with the map legend (app.css).
pub fn group_class(category: &str) -> &'static str {
    tsunagi_domain::Category::from_id(category).map_or("g-other", |c| match c.group() {
        tsunagi_domain::Group::Medical => "g-medical",
        tsunagi_domain::Group::Care => "g-care",
        tsunagi_domain::Group::Consultation => "g-consult",
        tsunagi_domain::Group::LifeSupport => "g-life",
        tsunagi_domain::Group::Disability => "g-disability",
    })
}

pub fn layout(p: &Page<'_>, head: Markup, body: Markup) -> Markup {
    let toggle =
        format!("/settings/large-text?on={}&back={}", if p.large_text { 0 } else { 1 }, crate::params::escape(p.here));
    html! {
        (DOCTYPE)
        html lang="ja" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (p.title) " | " (p.site) }
                @if let Some(d) = p.description { meta name="description" content=(d); }
                link rel="stylesheet" href="/static/app.css";
                @if p.map { link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css"; }
                (head)
            }
            body class={ @if p.large_text { "large-text" } @if p.print { " print-page" } } {
                a.skip href="#main" { "本文へ移動" }
                header.site {
                    a.brand href="/" { (p.site) }
                    nav aria-label="メニュー" {
                        ul {
                            li { a href="/" { "さがす" } }
                            li { a href="/areas" { "地域から" } }
                            li { a href="/print/booklet" { "印刷用の冊子" } }
                            li { a href="/shortlist" data-shortlist-count=(p.shortlist) { "比較リスト" span.count { "（" (p.shortlist) "）" } } }
                            li { a.large-toggle href=(toggle) { (if p.large_text { "文字を標準に戻す" } else { "文字を大きく" }) } }
                        }
                    }
                }
                main id="main" { (body) }
                footer.site {
                    p { "掲載している情報は、市町村・都道府県・厚生労働省が公開しているオープンデータをもとにしています。"
                        a href="/about" { "データの出典とライセンス" } }
                    p.small { "受診・利用の前に、電話で最新の情報をご確認ください。" }
                }
                @if p.map { script src="/static/vendor/leaflet/leaflet.js" defer {} }
                script src="/static/app.js" defer {}
            }
        }
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

pub struct SearchForm {
    pub q: String,
    pub addr: String,
    pub near: String,
    pub categories: Vec<ChoiceGroup>,
    pub services: Vec<Choice>,
    pub municipalities: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub open_now: bool,
    pub open_at: String,
    pub home_visits: bool,
    pub vacancy: bool,
}

pub struct ListItem {
    pub id: i64,
    pub name: String,
    /// The official name when the shown one leaves out the corporation.
    pub official_name: Option<String>,
    pub reading: Option<String>,
    pub categories: Vec<(String, String)>,
    pub services: Vec<String>,
    pub address: Option<String>,
    pub distance: Option<String>,
    pub tel: Option<String>,
    pub fax: Option<String>,
    pub open: Option<(&'static str, &'static str)>,
    pub visits: Option<&'static str>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub verified: Option<String>,
}

pub struct MapConfig {
    pub tile_url: String,
    pub attribution: String,
    pub near: Option<(f64, f64)>,
}

pub struct SearchView {
    pub form: SearchForm,
    pub error: Option<(String, String)>,
    pub summary: String,
    pub items: Vec<ListItem>,
    pub pages: Vec<(String, String, bool)>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub map: MapConfig,
    pub api_query: String,
    pub back: String,
}

fn select(name: &str, label: &str, id: &str, choices: &[Choice], empty: &str) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                option value="" { (empty) }
                @for c in choices { option value=(c.value) selected[c.selected] { (c.label) } }
            }
        }
    }
}

fn facility_card(it: &ListItem, back: &str) -> Markup {
    html! {
        li.result data-id=(it.id) data-lat=[it.lat] data-lng=[it.lng] tabindex="-1" {
            h3 { a href={ "/facilities/" (it.id) } { (it.name) } }
            @if let Some(full) = &it.official_name { p.reading { (full) } }
            @if let Some(r) = &it.reading { p.reading lang="ja" { (r) } }
            p.badges {
                @for (id, label) in &it.categories { span class={ "badge " (group_class(id)) } { (label) } }
                @if let Some(v) = it.visits { span.badge.visits { (v) } }
                @if let Some((class, label)) = it.open { span class={ "badge open-" (class) } { (label) } }
            }
            @if !it.services.is_empty() { p.services { (it.services.join("・")) } }
            @if let Some(a) = &it.address { p.address { (a) @if let Some(d) = &it.distance { " " span.distance { "（" (d) "）" } } } }
            p.contact {
                @if let Some(t) = &it.tel { "電話 " (Tel(t)) }
                @if let Some(f) = &it.fax { " FAX " (f) }
                @if let Some(v) = &it.verified { " " span.small.verified { "（" (v) "確認）" } }
            }
            p.actions {
                a.shortlist-add href={ "/shortlist/add/" (it.id) "?back=" (crate::params::escape(back)) } data-id=(it.id) { "比較リストに追加" }
            }
        }
    }
}

pub fn search(p: &Page<'_>, v: &SearchView) -> Markup {
    let f = &v.form;
    let body = html! {
        h1 { "医療・介護の施設をさがす" }
        form #search method="get" action="/" role="search" {
            div.field.wide {
                label for="q" { "名前・サービス・住所・電話番号で探す" }
                input #q type="search" name="q" value=(f.q) placeholder="例: 下松の訪問看護、歯医者 高松、くだまつ、0833-41-3030" autocomplete="off";
            }
            div.row {
                div.field {
                    label for="category" { "施設の種類" }
                    select #category name="category" {
                        option value="" { "すべて" }
                        @for g in &f.categories {
                            optgroup label=(g.label) {
                                @for c in &g.choices { option value=(c.value) selected[c.selected] { (c.label) } }
                            }
                        }
                    }
                }
                (select("service", "サービス", "service", &f.services, "すべて"))
                (select("municipality", "市町村", "municipality", &f.municipalities, "すべて"))
            }
            div.row {
                div.field {
                    label for="addr" { "この住所の近く" }
                    input #addr type="text" name="addr" value=(f.addr) placeholder="例: 下松市大手町3丁目";
                    @if !f.near.is_empty() { input type="hidden" name="near" value=(f.near); }
                }
                div.field.near-me {
                    button #near-me type="button" hidden { "現在地から探す" }
                }
                (select("sort", "並び順", "sort", &f.sorts, "おすすめ順"))
            }
            fieldset.row.checks {
                legend { "しぼりこみ" }
                label { input type="checkbox" name="open_now" value="1" checked[f.open_now]; " いま開いている" }
                label { input type="checkbox" name="home_visits" value="1" checked[f.home_visits]; " 自宅に来てくれる（往診・訪問）" }
                label { input type="checkbox" name="vacancy" value="1" checked[f.vacancy]; " 空きあり" }
                div.field {
                    label for="open_at" { "開いている日時" }
                    input #open_at type="datetime-local" name="open_at" value=(f.open_at);
                }
            }
            button.primary type="submit" { "この条件でさがす" }
        }
        @if let Some((param, msg)) = &v.error {
            div.error role="alert" { p { "入力を確かめてください: " (msg) } @if !param.is_empty() { p.small { "（" (param) "）" } } }
        }
        div.results-map {
            section.results aria-labelledby="results-title" {
                h2 #results-title aria-live="polite" { (v.summary) }
                ol #results data-api=(v.api_query) {
                    @for it in &v.items { (facility_card(it, &v.back)) }
                }
                @if v.prev.is_some() || v.next.is_some() {
                    nav.pager aria-label="ページ" {
                        @if let Some(h) = &v.prev { a rel="prev" href=(h) { "前へ" } }
                        @for (label, href, current) in &v.pages {
                            @if *current { span aria-current="page" { (label) } } @else { a href=(href) { (label) } }
                        }
                        @if let Some(h) = &v.next { a rel="next" href=(h) { "次へ" } }
                    }
                }
            }
            section.map-panel aria-label="地図" {
                div #map data-tiles=(v.map.tile_url) data-attribution=(v.map.attribution)
                    data-near=[v.map.near.map(|(a, b)| format!("{a},{b}"))] data-api=(v.api_query) {
                    noscript { p.small { "地図を見るには JavaScript を有効にしてください。一覧はそのまま使えます。" } }
                }
                (legend())
            }
        }
    };
    layout(p, html! {}, body)
}

pub fn legend() -> Markup {
    html! {
        ul.legend aria-label="地図の色の見方" {
            li { span.dot.g-medical {} "医療" }
            li { span.dot.g-care {} "介護" }
            li { span.dot.g-consult {} "相談窓口" }
            li { span.dot.g-life {} "生活支援" }
            li { span.dot.g-disability {} "障害福祉" }
        }
    }
}

pub struct Row {
    pub label: String,
    pub value: Markup,
}

pub struct HoursRow {
    pub day: &'static str,
    pub times: String,
}

pub struct Source {
    pub title: String,
    pub publisher: Option<String>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    pub date: String,
    pub url: Option<String>,
}

pub struct FacilityView {
    pub id: i64,
    pub name: String,
    pub official_name: Option<String>,
    pub reading: Option<String>,
    pub categories: Vec<(String, String, String)>,
    pub services: Vec<(String, Option<String>)>,
    pub rows: Vec<Row>,
    pub hours: Vec<HoursRow>,
    pub hours_notes: Vec<String>,
    pub capabilities: Vec<String>,
    pub vacancy: Option<String>,
    pub professional: Vec<Row>,
    pub point: Option<(f64, f64)>,
    pub precision: Option<String>,
    pub verified: String,
    pub edited: String,
    pub sources: Vec<Source>,
    pub json_ld: String,
    pub map: MapConfig,
    pub back: String,
}

/// A JSON-LD block: serde output with `<` escaped so it cannot end the script.
fn json_ld(json: &str) -> Markup {
    html! { script type="application/ld+json" { (PreEscaped(json.replace('<', "\\u003c"))) } }
}

pub fn facility(p: &Page<'_>, v: &FacilityView) -> Markup {
    let body = html! {
        article.facility {
            header {
                h1 { (v.name) }
                @if let Some(full) = &v.official_name { p.official { "正式名称: " (full) } }
                @if let Some(r) = &v.reading { p.reading { (r) } }
                p.badges {
                    @for (id, label, plain) in &v.categories {
                        span class={ "badge " (group_class(id)) } title=(plain) { (label) }
                    }
                }
                p.actions.no-print {
                    button.print type="button" data-print="1" { "この施設を印刷" }
                    " "
                    a.shortlist-add href={ "/shortlist/add/" (v.id) "?back=" (crate::params::escape(&v.back)) } data-id=(v.id) { "比較リストに追加" }
                }
            }
            @if !v.services.is_empty() {
                section {
                    h2 { "できること・サービス" }
                    ul.services {
                        @for (name, note) in &v.services { li { (name) @if let Some(n) = note { span.small { "（" (n) "）" } } } }
                    }
                }
            }
            section {
                h2 { "連絡先と場所" }
                table.info {
                    tbody { @for r in &v.rows { tr { th scope="row" { (r.label) } td { (r.value) } } } }
                }
                @if let Some((lat, lng)) = v.point {
                    div #map .small-map data-tiles=(v.map.tile_url) data-attribution=(v.map.attribution)
                        data-point={ (lat) "," (lng) } data-name=(v.name) {
                        noscript { p.small { a href={ "https://maps.gsi.go.jp/#17/" (lat) "/" (lng) "/" } { "地理院地図で場所を見る" } } }
                    }
                    @if let Some(pr) = &v.precision { p.small.no-print { "地図の位置: " (pr) } }
                }
            }
            @if !v.hours.is_empty() || !v.hours_notes.is_empty() {
                section {
                    h2 { "受付・診療の時間" }
                    @if !v.hours.is_empty() {
                        table.hours {
                            thead { tr { th scope="col" { "曜日" } th scope="col" { "時間" } } }
                            tbody { @for h in &v.hours { tr { th scope="row" { (h.day) } td { (h.times) } } } }
                        }
                    }
                    @for n in &v.hours_notes { p.note { (n) } }
                }
            }
            @if !v.capabilities.is_empty() || v.vacancy.is_some() {
                section {
                    h2 { "在宅での療養・介護について" }
                    @if !v.capabilities.is_empty() { ul { @for c in &v.capabilities { li { (c) } } } }
                    @if let Some(va) = &v.vacancy { p.vacancy { (va) } }
                }
            }
            @if !v.professional.is_empty() {
                section.professional {
                    h2 { "専門職の方へ（連絡方法）" }
                    table.info { tbody { @for r in &v.professional { tr { th scope="row" { (r.label) } td { (r.value) } } } } }
                }
            }
            section.provenance {
                h2 { "情報について" }
                p { "最終確認日: " strong { (v.verified) } "（最終更新: " (v.edited) "）" }
                ul {
                    @for s in &v.sources {
                        li {
                            (s.attribution.clone().unwrap_or_else(|| s.title.clone()))
                            @if let Some(pb) = &s.publisher { "／" (pb) }
                            "（" (s.date) "時点"
                            @if let Some(l) = &s.licence { "、" (l) }
                            "）"
                            @if let Some(u) = &s.url { " " a href=(u) rel="noopener" { "出典" } }
                        }
                    }
                }
                p.small { "内容が違うときは、市町村の担当窓口にお知らせください。" }
            }
        }
    };
    layout(p, json_ld(&v.json_ld), body)
}

pub struct AreaRow {
    pub code: String,
    pub name: String,
    pub total: usize,
    pub groups: Vec<usize>,
}

pub fn areas(p: &Page<'_>, groups: &[String], rows: &[AreaRow]) -> Markup {
    let body = html! {
        h1 { "地域から探す" }
        p { "市町村ごとの施設の数です。市町村名を選ぶと、その地域の施設を種類ごとに見られます。" }
        table.areas {
            caption { "市町村別の施設数" }
            thead { tr { th scope="col" { "市町村" } th scope="col" { "合計" } @for g in groups { th scope="col" { (g) } } } }
            tbody {
                @for r in rows {
                    tr {
                        th scope="row" { a href={ "/areas/" (r.code) } { (r.name) } }
                        td { (r.total) }
                        @for n in &r.groups { td { (n) } }
                    }
                }
            }
        }
    };
    layout(p, html! {}, body)
}

pub struct AreaSection {
    pub id: String,
    pub label: String,
    pub plain: String,
    pub search: String,
    pub items: Vec<(i64, String, Option<String>, Option<String>)>,
}

pub struct AreaView {
    pub name: String,
    pub total: usize,
    pub sections: Vec<AreaSection>,
    pub svg: Option<SvgMap>,
    pub booklet: String,
}

pub fn svg(map: &SvgMap, label: &str) -> Markup {
    html! {
        svg.overview viewBox={ "0 0 " (format!("{:.0}", map.width)) " " (format!("{:.0}", map.height)) } role="img" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
            @for d in &map.paths { path d=(d) class="outline" {} }
            @for (x, y, c) in &map.points { circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" class={ "pt " (group_class(c)) } {} }
        }
    }
}

pub fn area(p: &Page<'_>, v: &AreaView) -> Markup {
    let body = html! {
        h1 { (v.name) "の医療・介護" }
        p { (v.total) "か所の施設があります。" a href=(v.booklet) { "この地域の冊子を印刷する" } }
        @if let Some(s) = &v.svg { figure.area-map { (svg(s, &format!("{}の地図と施設の位置", v.name))) figcaption { (legend()) } } }
        nav.toc aria-label="種類" { ul { @for s in &v.sections { li { a href={ "#" (s.id) } { (s.label) "（" (s.items.len()) "）" } } } } }
        @for s in &v.sections {
            section id=(s.id) {
                h2 { (s.label) }
                p.small { (s.plain) " " a href=(s.search) { "地図と一覧で見る" } }
                ul.area-list {
                    @for (id, name, addr, tel) in &s.items {
                        li { a href={ "/facilities/" (id) } { (name) } @if let Some(a) = addr { " — " (a) } @if let Some(t) = tel { " " (Tel(t)) } }
                    }
                }
            }
        }
    };
    layout(p, html! {}, body)
}

pub struct BookletEntry {
    pub name: String,
    pub official_name: Option<String>,
    pub reading: Option<String>,
    pub address: Option<String>,
    pub tel: Option<String>,
    pub fax: Option<String>,
    pub hours: Option<String>,
    pub services: Option<String>,
}

pub struct BookletSection {
    pub number: usize,
    pub id: String,
    pub label: String,
    pub plain: String,
    pub entries: Vec<BookletEntry>,
}

pub struct BookletView {
    pub area: String,
    pub size: &'static str,
    pub date: String,
    pub sections: Vec<BookletSection>,
    pub svg: Option<SvgMap>,
    pub attributions: Vec<String>,
    pub choose: Option<Vec<(String, String)>>,
}

pub fn booklet(p: &Page<'_>, v: &BookletView) -> Markup {
    let page_css = format!("@page {{ size: {}; margin: 12mm 12mm 14mm; }}", v.size);
    let head = html! { style { (PreEscaped(page_css)) } link rel="stylesheet" href="/static/booklet.css"; };
    let body = html! {
        @if let Some(areas) = &v.choose {
            section.no-print {
                h1 { "印刷用の冊子をつくる" }
                p { "地域を選ぶと、その地域の医療・介護の施設をまとめた冊子を印刷できます。" }
                ul { @for (code, name) in areas { li { a href={ "/print/booklet?area=" (code) } { (name) } " ／ " a href={ "/print/booklet?area=" (code) "&size=A5" } { "A5判" } } } }
            }
        } @else {
            div.booklet-tools.no-print {
                button.print type="button" data-print="1" { "印刷する" }
                " "
                a href="?" { "地域を選びなおす" }
            }
            section class={ "cover size-" (v.size) } {
                p.kicker { "医療・介護 資源マップ" }
                h1 { (v.area) }
                p.subtitle { "病院・診療所・歯科・薬局・介護サービス・相談窓口の一覧" }
                p.date { (v.date) "現在" }
                @if let Some(s) = &v.svg { (svg(s, &format!("{}の地図", v.area))) (legend()) }
            }
            section.contents {
                h2 { "もくじ" }
                ul { @for s in &v.sections { li { a href={ "#" (s.id) } { (s.number) ". " (s.label) } span.count { "（" (s.entries.len()) "か所）" } } } }
                p { "困ったときは、まず地域包括支援センターにご相談ください。" }
            }
            @for s in &v.sections {
                section.category id=(s.id) {
                    h2 { (s.number) ". " (s.label) }
                    p.plain { (s.plain) }
                    @for e in &s.entries {
                        div.entry {
                            h3 { (e.name) @if let Some(r) = &e.reading { span.reading { "（" (r) "）" } } }
                            @if let Some(full) = &e.official_name { p.official { (full) } }
                            dl {
                                @if let Some(a) = &e.address { dt { "住所" } dd { (a) } }
                                @if let Some(t) = &e.tel { dt { "電話" } dd { (t) } }
                                @if let Some(f) = &e.fax { dt { "FAX" } dd { (f) } }
                                @if let Some(h) = &e.hours { dt { "時間" } dd { (h) } }
                                @if let Some(s) = &e.services { dt { "サービス" } dd { (s) } }
                            }
                        }
                    }
                }
            }
            section.sources {
                h2 { "この冊子の情報の出典" }
                ul { @for a in &v.attributions { li { (a) } } }
                p { "情報は作成日時点のものです。受診・利用の前に電話でご確認ください。" }
            }
        }
    };
    layout(p, head, body)
}

pub struct ShortlistColumn {
    pub id: i64,
    pub name: String,
    pub cells: Vec<Markup>,
}

pub struct ShortlistView {
    pub labels: Vec<&'static str>,
    pub columns: Vec<ShortlistColumn>,
    pub share: String,
    pub back: String,
}

pub fn shortlist(p: &Page<'_>, v: &ShortlistView) -> Markup {
    let body = html! {
        h1 { "比較リスト" }
        @if v.columns.is_empty() {
            p { "まだ施設がありません。検索結果や施設のページで「比較リストに追加」を選んでください。" }
            p { a href="/" { "施設をさがす" } }
        } @else {
            p.no-print {
                "このリストを共有するためのリンク: "
                input.share type="text" readonly value=(v.share) aria-label="共有用のリンク";
                " "
                button.print type="button" data-print="1" { "印刷する" }
            }
            div.compare-wrap {
                table.compare {
                    caption { (v.columns.len()) "か所を並べて比べる" }
                    thead {
                        tr {
                            td {}
                            @for c in &v.columns {
                                th scope="col" {
                                    a href={ "/facilities/" (c.id) } { (c.name) }
                                    br;
                                    a.small.no-print.shortlist-remove href={ "/shortlist/remove/" (c.id) "?back=" (crate::params::escape(&v.back)) } data-id=(c.id) { "はずす" }
                                }
                            }
                        }
                    }
                    tbody {
                        @for (i, l) in v.labels.iter().enumerate() {
                            tr { th scope="row" { (l) } @for c in &v.columns { td { (c.cells[i].clone()) } } }
                        }
                    }
                }
            }
        }
    };
    layout(p, html! {}, body)
}

pub fn about(p: &Page<'_>, sources: &[Source]) -> Markup {
    let body = html! {
        h1 { "データの出典とライセンス" }
        p { "このサイトは、次のオープンデータをもとに作っています。地図の背景には国土地理院の地理院タイルを使っています。" }
        ul.sources {
            @for s in sources {
                li {
                    strong { (s.title) }
                    @if let Some(pb) = &s.publisher { "（" (pb) "）" }
                    " " (s.date) "時点"
                    @if let Some(l) = &s.licence { "、" (l) }
                    @if let Some(a) = &s.attribution { br; span.small { (a) } }
                    @if let Some(u) = &s.url { " " a href=(u) rel="noopener" { "公開ページ" } }
                }
            }
            li { "住所の代表点: 「Geolonia 住所データ」（株式会社Geolonia、CC BY 4.0）" }
            li { "市区町村の位置: localgovjp（Code for FUKUI、CC0）" }
            li { "行政区域: 「国土数値情報（行政区域データ）」（国土交通省）を加工して作成" }
        }
        h2 { "データを使う" }
        ul {
            li { a href="/api/v1/export.csv" { "医療機関一覧（自治体標準の形式、CSV）" } }
            li { a href="/api/v1/export.csv?layout=care" { "介護サービス事業所一覧（自治体標準の形式、CSV）" } }
            li { a href="/api/v1/facilities.geojson?per_page=500" { "GeoJSON" } }
            li { a href="/openapi.json" { "API の説明（OpenAPI）" } }
        }
    };
    layout(p, html! {}, body)
}

pub fn message(p: &Page<'_>, heading: &str, text: &str) -> Markup {
    layout(p, html! {}, html! { h1 { (heading) } p { (text) } p { a href="/" { "トップページへ" } } })
}
