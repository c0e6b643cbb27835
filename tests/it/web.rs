//! The real server on 127.0.0.1, started and stopped by these tests, asked
//! over plain HTTP/1.1: the JSON API, its errors and caching, downloads,
//! and the server-rendered pages.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use super::search::fixture;
use super::{Tsunagi, data};

/// A running `tsunagi serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn start(t: &Tsunagi) -> Server {
    let port = free_port();
    let child = t
        .cmd()
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--workers", "2", "--static-dir"])
        .arg(super::root().join("web"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() && get(&server, "/healthz", &[]).status == 200 {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the server did not start on port {port}");
}

/// One server on the shared fixture for every check below, stopped by PID
/// when they are done (a server in a static would outlive the tests). Each
/// check runs even when an earlier one failed; all failures are reported.
#[test]
fn the_server_over_http() {
    type Check = fn(&Server);
    let checks: &[(&str, Check)] = &[
        ("search_api_answers_in_the_documented_envelope", search_api_answers_in_the_documented_envelope),
        (
            "bad_requests_name_the_parameter_and_unknown_ids_are_404",
            bad_requests_name_the_parameter_and_unknown_ids_are_404,
        ),
        ("answers_are_compressed_and_cacheable", answers_are_compressed_and_cacheable),
        ("geojson_and_csv_downloads", geojson_and_csv_downloads),
        ("openapi_describes_every_api_route", openapi_describes_every_api_route),
        ("map_clusters_keep_the_national_view_small", map_clusters_keep_the_national_view_small),
        ("pages_render_on_the_server", pages_render_on_the_server),
        ("area_counts_agree_with_search", area_counts_agree_with_search),
    ];
    let server = start(fixture());
    let failed: Vec<&str> = checks
        .iter()
        .filter(|(_, check)| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&server))).is_err())
        .map(|(name, _)| *name)
        .collect();
    drop(server);
    assert!(failed.is_empty(), "failed: {failed:?}");
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }
}

/// Percent-encodes the non-ASCII bytes of a path and query.
fn encode(path: &str) -> String {
    path.bytes().map(|b| if b.is_ascii() && b > b' ' { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

pub fn get(s: &Server, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    let mut req = format!("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n", encode(path));
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(": ")).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")) {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[end + 2..end + 2 + n]);
            rest = &rest[end + 2 + n + 2..];
        }
        body = out;
    }
    Response { status, headers, body }
}

fn api(s: &Server, path: &str) -> serde_json::Value {
    let r = get(s, path, &[]);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    r.json()
}

fn search_api_answers_in_the_documented_envelope(s: &Server) {
    let r = api(s, "/api/v1/facilities?q=訪問看護&municipality=下松市&per_page=2");
    for k in ["items", "total_items", "total_pages", "page_number", "size"] {
        assert!(r.get(k).is_some(), "{k} missing: {r}");
    }
    assert_eq!(r["size"], 2);
    let total = r["total_items"].as_u64().unwrap();
    assert!(total >= 3, "{r}");
    assert_eq!(r["total_pages"].as_u64().unwrap(), total.div_ceil(2));
    for it in r["items"].as_array().unwrap() {
        for k in [
            "id",
            "name",
            "kana",
            "categories",
            "services",
            "address",
            "lat",
            "lng",
            "tel",
            "fax",
            "url",
            "distance_m",
            "last_verified",
        ] {
            assert!(it.get(k).is_some(), "{k} missing in {it}");
        }
    }
    // The code and the name of a municipality select the same facilities.
    let by_code = api(s, "/api/v1/facilities?q=訪問看護&municipality=352071&per_page=50");
    let by_name = api(s, "/api/v1/facilities?q=訪問看護&municipality=下松市&per_page=50");
    assert_eq!(by_code["items"], by_name["items"]);
    // Paging walks through every result once.
    let mut seen = std::collections::BTreeSet::new();
    for page in 1..=r["total_pages"].as_u64().unwrap() {
        let p = api(s, &format!("/api/v1/facilities?q=訪問看護&municipality=下松市&per_page=2&page={page}"));
        for it in p["items"].as_array().unwrap() {
            assert!(seen.insert(it["id"].as_i64().unwrap()), "seen twice: {it}");
        }
    }
    assert_eq!(seen.len() as u64, total);
    // Near a point: distances, ascending for equal ranks.
    let near = api(s, "/api/v1/facilities?category=hospital&near=34.0151,131.8703&per_page=5");
    let d: Vec<f64> = near["items"].as_array().unwrap().iter().map(|i| i["distance_m"].as_f64().unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    // The detail answer.
    let id = r["items"][0]["id"].as_i64().unwrap();
    let one = api(s, &format!("/api/v1/facilities/{id}"));
    assert_eq!(one["id"], id);
    assert!(one["sources"].as_array().unwrap().iter().all(|s| s["licence"].is_string()), "{one}");
}

fn bad_requests_name_the_parameter_and_unknown_ids_are_404(s: &Server) {
    for (path, param) in [
        ("/api/v1/facilities?near=34.0", "near"),
        ("/api/v1/facilities?radius_m=500", "radius_m"),
        ("/api/v1/facilities?bbox=1,2,3", "bbox"),
        ("/api/v1/facilities?per_page=0", "per_page"),
        ("/api/v1/facilities?category=aed", "category"),
        ("/api/v1/facilities?open_at=someday", "open_at"),
        ("/api/v1/facilities?municipality=どこか", "municipality"),
        ("/api/v1/clusters?zoom=99", "zoom"),
        ("/api/v1/export.csv?layout=pdf", "layout"),
    ] {
        let r = get(s, path, &[]);
        assert_eq!(r.status, 400, "{path}");
        let e = r.json();
        assert_eq!(e["error"]["code"], "invalid_parameter", "{path}: {e}");
        assert_eq!(e["error"]["parameter"], param, "{path}");
        assert!(e["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let r = get(s, "/api/v1/facilities/999999", &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "not_found");
    assert_eq!(get(s, "/api/v1/facilities/abc", &[]).status, 404);
    let html = get(s, "/no-such-page", &[]);
    assert_eq!(html.status, 404);
    assert!(html.text().contains("ページが見つかりません"));
}

fn answers_are_compressed_and_cacheable(s: &Server) {
    let path = "/api/v1/facilities?q=歯科";
    let r = get(s, path, &[("Accept-Encoding", "gzip")]);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let etag = r.header("etag").expect("an ETag").to_string();
    let again = get(s, path, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    let kept = get(s, path, &[("Accept-Encoding", "gzip")]);
    assert_eq!((kept.header("x-cache"), kept.header("content-encoding")), (Some("hit"), Some("gzip")));
    let other = get(s, "/api/v1/facilities?q=眼科", &[("If-None-Match", &etag)]);
    assert_eq!(other.status, 200, "another query has another tag");
    let one = get(s, "/api/v1/facilities/1", &[]);
    assert!(one.header("last-modified").is_some());
    let css = get(s, "/static/app.css", &[("Accept-Encoding", "gzip")]);
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-encoding"), Some("gzip"));
}

fn geojson_and_csv_downloads(s: &Server) {
    let g = api(s, "/api/v1/facilities.geojson?municipality=352071&category=medical");
    assert_eq!(g["type"], "FeatureCollection");
    let features = g["features"].as_array().unwrap();
    assert!(features.len() > 50);
    for f in features {
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let (lng, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!((122.0..154.0).contains(&lng) && (20.0..46.0).contains(&lat), "[lng, lat]: {c:?}");
    }
    let csv = get(s, "/api/v1/export.csv?municipality=352071", &[]);
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("\u{feff}全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ".as_bytes()));
    // What we publish reads back in as the same list.
    let t = Tsunagi::new();
    let path = t.dir.path().join("export.csv");
    std::fs::write(&path, &csv.body).unwrap();
    let report = t.import(&[path]);
    let f = &report["files"][0];
    assert_eq!(f["format"], "jichitai-medical");
    let medical =
        api(s, "/api/v1/facilities?municipality=352071&category=medical&per_page=1")["total_items"].as_i64().unwrap();
    assert_eq!(f["rows"].as_i64().unwrap(), medical);
    let care = get(s, "/api/v1/export.csv?municipality=352071&layout=care", &[]);
    assert!(
        care.body.starts_with("\u{feff}全国地方公共団体コード,ID,地方公共団体名,介護サービス事業所名称".as_bytes())
    );
}

fn openapi_describes_every_api_route(s: &Server) {
    let spec = api(s, "/openapi.json");
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().unwrap();
    for p in [
        "/api/v1/facilities",
        "/api/v1/facilities/{id}",
        "/api/v1/facilities.geojson",
        "/api/v1/export.csv",
        "/api/v1/clusters",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p}");
    }
    let params: Vec<&str> = paths["/api/v1/facilities"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in
        ["q", "category", "service", "municipality", "area", "near", "radius_m", "bbox", "open_at", "page", "per_page"]
    {
        assert!(params.contains(&p), "{p}");
    }
}

fn map_clusters_keep_the_national_view_small(s: &Server) {
    let r = api(s, "/api/v1/clusters?zoom=5&bbox=122,20,154,46");
    let total: u64 = r["clusters"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    let facilities = api(s, "/healthz")["facilities"].as_u64().unwrap();
    assert!(total + 5 >= facilities, "almost every facility has a point: {total} of {facilities}");
    assert!(r["clusters"].as_array().unwrap().len() < 100);
    let close = api(s, "/api/v1/clusters?zoom=17&bbox=131.86,34.00,131.88,34.02");
    assert!(close["clusters"].as_array().unwrap().iter().all(|c| c["count"] == 1 && c["id"].is_i64()));
}

fn area_counts_agree_with_search(s: &Server) {
    let areas = api(s, "/api/v1/areas");
    let list = areas["municipalities"].as_array().unwrap();
    assert!(list.len() >= 5, "{areas}");
    for m in list {
        let code = m["code"].as_str().unwrap();
        let total = api(s, &format!("/api/v1/facilities?municipality={code}&per_page=1"))["total_items"].clone();
        assert_eq!(m["count"], total, "{m}");
        let medical = m["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == "medical")
            .map_or(0, |g| g["count"].as_u64().unwrap());
        let searched =
            api(s, &format!("/api/v1/facilities?municipality={code}&category=medical&per_page=1"))["total_items"]
                .as_u64()
                .unwrap();
        assert_eq!(medical, searched, "{m}");
    }
}

fn pages_render_on_the_server(s: &Server) {
    let home = get(s, "/?q=訪問看護&municipality=352071", &[]);
    assert_eq!(home.status, 200);
    let h = home.text();
    assert!(h.contains("<form id=\"search\" method=\"get\" action=\"/\""), "works without JavaScript");
    assert!(h.contains("訪問看護ステーション"));
    assert!(h.contains("<label for=\"q\">"));
    // Words run together are also searched apart, and the page says so.
    let asked = get(s, "/?q=下松の訪問看護", &[]).text();
    assert!(asked.contains("「下松の訪問看護」を「下松 訪問看護」としても探しました"), "{asked}");
    assert_eq!(api(s, "/api/v1/facilities?q=眼科柳井")["searched_as"], "眼科 柳井");
    let id = api(s, "/api/v1/facilities?q=下松中央病院")["items"][0]["id"].as_i64().unwrap();
    let page = get(s, &format!("/facilities/{id}"), &[]).text();
    assert!(page.contains("application/ld+json") && page.contains("\"@type\":\"Hospital\""));
    assert!(page.contains("href=\"tel:0833413030\""));
    assert!(page.contains("最終確認日"));
    // The reading the city's list gave, replaced by the national list's.
    let kichinan = api(s, "/api/v1/facilities?q=吉南病院")["items"][0]["id"].as_i64().unwrap();
    let page = get(s, &format!("/facilities/{kichinan}"), &[]).text();
    assert!(page.contains("ほかの一覧での名前") && page.contains("キチナンビョウイン"), "{page}");
    let area = get(s, "/areas/352071", &[]).text();
    assert!(area.contains("下松市の医療・介護") && area.contains("<svg"));
    let booklet = get(s, "/print/booklet?area=352071&size=A5", &[]).text();
    assert!(booklet.contains("size: A5") && booklet.contains("もくじ") && booklet.contains("出典"));
    let list = get(s, &format!("/shortlist?ids={id},{}", id + 1), &[]).text();
    assert!(list.contains("table class=\"compare\""));
    let add = get(s, &format!("/shortlist/add/{id}?back=/"), &[]);
    assert_eq!(add.status, 303);
    assert!(add.header("set-cookie").unwrap().starts_with("shortlist="));
}

/// Answers kept for the next client are the same bytes as fresh ones, and
/// an edit made while the server runs (from the command line, another
/// process) reaches the next answer: nothing stale is served.
#[test]
fn kept_answers_are_fresh_ones_and_follow_every_edit() {
    let t = Tsunagi::new();
    t.import(&[data("jichitai/yamaguchi/355020_abu/2_医療機関一覧.csv")]);
    let s = start(&t);
    let path = "/api/v1/facilities?municipality=355020&per_page=50";
    let first = get(&s, path, &[]);
    assert_eq!((first.status, first.header("x-cache")), (200, Some("miss")));
    let kept = get(&s, path, &[]);
    assert_eq!(kept.header("x-cache"), Some("hit"));
    assert_eq!(kept.body, first.body);
    let fresh = get(&s, path, &[("Cache-Control", "no-cache")]);
    assert_eq!(fresh.header("x-cache"), Some("miss"));
    assert_eq!(fresh.body, first.body);
    let geo = "/api/v1/facilities.geojson?municipality=355020";
    assert_eq!(get(&s, geo, &[]).body, get(&s, geo, &[]).body);

    let id = first.json()["items"][0]["id"].as_i64().unwrap();
    let out = t.run(&["edit", &id.to_string(), "fax", "0837-99-1234"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let h = get(&s, "/healthz", &[]).json();
        if h["index_seq"] == h["database_seq"] && h["status"] == "ok" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server never picked up the edit: {h}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let after = get(&s, path, &[]);
    assert_eq!(after.header("x-cache"), Some("miss"));
    let item = after.json()["items"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned().unwrap();
    assert_eq!(item["fax"], "0837-99-1234");
    assert!(get(&s, geo, &[]).text().contains("0837-99-1234"));
}

#[test]
fn untrusted_text_is_escaped_everywhere_it_is_shown() {
    let t = Tsunagi::new();
    t.import(&[data("jichitai/yamaguchi/355020_abu/2_医療機関一覧.csv")]);
    let evil = "<script>alert(1)</script>&\"x\"";
    let out = t.run(&["edit", "1", "name", evil]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    t.run(&["edit", "1", "notes", "</script><img src=x onerror=alert(2)>"]);
    let s = start(&t);
    for path in ["/facilities/1", "/?q=alert", "/shortlist?ids=1", "/print/booklet?area=355020", "/areas/355020"] {
        let body = get(&s, path, &[]).text();
        assert!(!body.contains("<script>alert(1)"), "{path}");
        assert!(!body.contains("<img src=x"), "{path}");
    }
    let page = get(&s, "/facilities/1", &[]).text();
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let ld_start = page.find("application/ld+json").unwrap();
    let ld = &page[ld_start..page[ld_start..].find("</script>").unwrap() + ld_start];
    assert!(!ld[20..].contains('<'), "the JSON-LD cannot end its script: {ld}");
}
