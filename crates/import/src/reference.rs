//! Reference tables read from `data/reference/`: the municipalities of Japan
//! (localgovjp: 全国地方公共団体コード, names, office points) and the
//! representative points of 町字 (Geolonia 住所データ) for offline geocoding.
//!
//! Geocoding an address: split off the prefecture and municipality with the
//! gazetteer, then find the longest 町字 whose key (丁目 as digits, no 大字,
//! ヶ/ケ folded) starts the rest; its point has [`GeoPrecision::Town`]. When
//! no 町字 matches, the municipal office gives [`GeoPrecision::Municipality`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use tsunagi_domain::normalize::{self, address_key, nfkc, split_prefecture, strip_county};
use tsunagi_domain::{GeoPoint, GeoPrecision, Location};

#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    #[error(
        "reference data not found at {0}: pass --reference-dir (the project's data/reference) or set TSUNAGI_REFERENCE_DIR"
    )]
    Missing(PathBuf),
    #[error("cannot read reference file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Municipality {
    /// 全国地方公共団体コード, 6 digits.
    pub code: String,
    pub prefecture: String,
    /// 下松市, 周防大島町, 札幌市中央区 (no 郡, no space).
    pub name: String,
    /// Reading in hiragana.
    pub kana: String,
    pub office: GeoPoint,
}

#[derive(Debug, Default)]
pub struct Gazetteer {
    by_code: HashMap<String, usize>,
    list: Vec<Municipality>,
}

impl Gazetteer {
    /// Where it is under `data/reference`.
    pub const FILE: &str = "localgovjp/localgovjp-utf8.csv";

    pub fn load(path: &Path) -> Result<Gazetteer, ReferenceError> {
        let err = |reason: String| ReferenceError::Read { path: path.to_path_buf(), reason };
        let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
        let text = crate::decode::decode(&bytes).map_err(|e| err(e.to_string()))?.text;
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        #[derive(Deserialize)]
        struct Row {
            pref: String,
            city: String,
            citykana: String,
            lat: f64,
            lng: f64,
            lgcode: String,
        }
        let mut g = Gazetteer::default();
        for row in reader.deserialize::<Row>() {
            let r = row.map_err(|e| err(e.to_string()))?;
            let Some(code) = tsunagi_domain::codes::municipality_code(&r.lgcode) else {
                continue;
            };
            let m = Municipality {
                code: code.clone(),
                prefecture: r.pref,
                name: r.city.replace([' ', '\u{3000}'], ""),
                kana: r.citykana.replace([' ', '\u{3000}'], ""),
                office: GeoPoint::new(r.lat, r.lng),
            };
            g.by_code.insert(code, g.list.len());
            g.list.push(m);
        }
        Ok(g)
    }

    pub fn by_code(&self, code: &str) -> Option<&Municipality> {
        let code = tsunagi_domain::codes::municipality_code(code)?;
        self.by_code.get(&code).map(|&i| &self.list[i])
    }

    pub fn all(&self) -> &[Municipality] {
        &self.list
    }

    /// Finds a municipality by name (with or without 郡, prefecture optional).
    pub fn by_name(&self, prefecture: Option<&str>, name: &str) -> Option<&Municipality> {
        let n = nfkc(name).replace([' ', '\u{3000}'], "");
        let (p, rest) = split_prefecture(&n);
        let rest = strip_county(rest);
        let pref = p.or(prefecture);
        let mut hits = self.list.iter().filter(|m| m.name == rest && pref.is_none_or(|p| m.prefecture == p));
        let first = hits.next()?;
        hits.next().is_none().then_some(first)
    }

    /// Splits an address into its municipality and the rest (町字 onward).
    /// `prefecture` disambiguates addresses written without one (府中市 is
    /// in 東京都 and 広島県).
    pub fn split<'a>(&self, prefecture: Option<&str>, address: &'a str) -> Option<(&Municipality, &'a str)> {
        let (p, rest) = split_prefecture(address);
        let rest = strip_county(rest.trim_start());
        let pref = p.or(prefecture);
        let mut best: Option<&Municipality> = None;
        let mut ambiguous = false;
        for m in &self.list {
            if pref.is_some_and(|p| m.prefecture != p) || !rest.starts_with(m.name.as_str()) {
                continue;
            }
            match best {
                Some(b) if b.name.len() > m.name.len() => {}
                Some(b) if b.name.len() == m.name.len() => ambiguous = true,
                _ => {
                    best = Some(m);
                    ambiguous = false;
                }
            }
        }
        let m = best.filter(|_| !ambiguous)?;
        Some((m, &rest[m.name.len()..]))
    }
}

#[derive(Debug, Deserialize)]
struct TownEntry {
    town: String,
    #[serde(default)]
    koaza: String,
    lat: f64,
    lng: f64,
}

#[derive(Debug)]
struct Towns {
    /// (key, display name, point), longest keys first.
    entries: Vec<(String, String, GeoPoint)>,
}

impl Towns {
    fn from_entries(list: Vec<TownEntry>) -> Towns {
        let mut entries = Vec::new();
        for e in list {
            let point = GeoPoint::new(e.lat, e.lng);
            let town_key = address_key(&e.town);
            let name = format!("{}{}", e.town, e.koaza);
            if e.koaza.is_empty() {
                entries.push((town_key, name, point));
            } else {
                let koaza_key = address_key(&e.koaza);
                entries.push((format!("{town_key}{koaza_key}"), name.clone(), point));
                entries.push((format!("{town_key}字{koaza_key}"), name, point));
            }
        }
        entries.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        entries.dedup_by(|a, b| a.0 == b.0);
        Towns { entries }
    }

    /// The 町字 starting `rest` (an [`address_key`] without municipality).
    fn find(&self, rest: &str) -> Option<(&str, GeoPoint)> {
        self.entries.iter().find_map(|(key, name, p)| {
            let tail = rest.strip_prefix(key.as_str())?;
            // 「葉山1」 must not match 「葉山15-3」.
            let ends_in_digit = key.ends_with(|c: char| c.is_ascii_digit());
            let cut_in_number = ends_in_digit && tail.starts_with(|c: char| c.is_ascii_digit());
            (!(key.is_empty() || cut_in_number)).then_some((name.as_str(), *p))
        })
    }
}

/// Places addresses offline; loads a municipality's 町字 file on first use.
#[derive(Debug)]
pub struct Geocoder {
    dir: PathBuf,
    /// (prefecture, municipality without 郡) → file.
    files: HashMap<(String, String), PathBuf>,
    loaded: Mutex<HashMap<PathBuf, Arc<Towns>>>,
}

impl Geocoder {
    pub fn load(dir: &Path) -> Result<Geocoder, ReferenceError> {
        let mut files = HashMap::new();
        let read_dir = |d: &Path| {
            std::fs::read_dir(d).map_err(|e| ReferenceError::Read { path: d.to_path_buf(), reason: e.to_string() })
        };
        for pref in read_dir(dir)? {
            let pref = pref.map_err(|e| ReferenceError::Read { path: dir.to_path_buf(), reason: e.to_string() })?;
            if !pref.path().is_dir() {
                continue;
            }
            let pref_name = pref.file_name().to_string_lossy().to_string();
            for f in read_dir(&pref.path())? {
                let f = f.map_err(|e| ReferenceError::Read { path: pref.path(), reason: e.to_string() })?;
                let path = f.path();
                if path.extension().is_some_and(|e| e == "json") {
                    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
                    files.insert((pref_name.clone(), strip_county(&stem).to_string()), path);
                }
            }
        }
        Ok(Geocoder { dir: dir.to_path_buf(), files, loaded: Mutex::new(HashMap::new()) })
    }

    fn towns(&self, m: &Municipality) -> Option<Arc<Towns>> {
        let path = self.files.get(&(m.prefecture.clone(), m.name.clone()))?;
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = loaded.get(path) {
            return Some(t.clone());
        }
        let list: Vec<TownEntry> = std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok())?;
        let towns = Arc::new(Towns::from_entries(list));
        loaded.insert(path.clone(), towns.clone());
        Some(towns)
    }

    /// Where `rest` (the address after the municipality) lies, as precisely
    /// as the reference allows.
    pub fn locate(&self, m: &Municipality, rest: &str) -> Location {
        let key = address_key(rest);
        let key = key.trim_start_matches(['字']);
        if let Some(towns) = self.towns(m)
            && let Some((name, point)) = towns.find(key)
        {
            return Location {
                point,
                precision: GeoPrecision::Town,
                source: Some(format!("町字の代表点: {}{} (Geolonia 住所データ)", m.name, name)),
            };
        }
        Location {
            point: m.office,
            precision: GeoPrecision::Municipality,
            source: Some(format!("{}の役所・役場の位置 (localgovjp)", m.name)),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Everything the importer looks up.
#[derive(Debug)]
pub struct Reference {
    pub gazetteer: Gazetteer,
    pub geocoder: Geocoder,
}

impl Reference {
    /// `dir` is the project's `data/reference`.
    pub fn load(dir: &Path) -> Result<Reference, ReferenceError> {
        let gazetteer_path = dir.join(Gazetteer::FILE);
        if !gazetteer_path.exists() {
            return Err(ReferenceError::Missing(dir.to_path_buf()));
        }
        Ok(Reference {
            gazetteer: Gazetteer::load(&gazetteer_path)?,
            geocoder: Geocoder::load(&dir.join("geolonia-japanese-addresses/api/ja"))?,
        })
    }

    /// Geocodes a whole address; `None` when not even the municipality is known.
    pub fn geocode(&self, prefecture: Option<&str>, address: &str) -> Option<(Location, &Municipality)> {
        let a = normalize::address(address)?;
        let (m, rest) = self.gazetteer.split(prefecture, &a)?;
        Some((self.geocoder.locate(m, rest), m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Reference {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/reference");
        Reference::load(&dir).unwrap()
    }

    #[test]
    fn gazetteer() {
        let r = reference();
        let g = &r.gazetteer;
        assert!(g.all().len() > 1900);
        assert_eq!(g.by_code("352071").unwrap().name, "下松市");
        assert_eq!(g.by_code("35207").unwrap().name, "下松市");
        assert_eq!(g.by_name(None, "熊毛郡平生町").unwrap().code, "353442");
        assert_eq!(g.by_name(Some("東京都"), "府中市").unwrap().code, "132063");
        assert!(g.by_name(None, "府中市").is_none(), "府中市 is in two prefectures");
        let (m, rest) = g.split(None, "山口県熊毛郡平生町平生村618-2").unwrap();
        assert_eq!((m.name.as_str(), rest), ("平生町", "平生村618-2"));
        let (m, rest) = g.split(Some("山口県"), "下松市大字下谷179").unwrap();
        assert_eq!((m.code.as_str(), rest), ("352071", "大字下谷179"));
        assert_eq!(g.split(None, "北海道札幌市中央区北1条西2").unwrap().0.name, "札幌市中央区");
    }

    #[test]
    fn geocoding_to_town_then_office() {
        let r = reference();
        let check = |addr: &str, precision: GeoPrecision, near: (f64, f64)| {
            let (loc, _) = r.geocode(Some("山口県"), addr).unwrap_or_else(|| panic!("{addr}"));
            assert_eq!(loc.precision, precision, "{addr}: {:?}", loc.source);
            let d = loc.point.distance_m(GeoPoint::new(near.0, near.1));
            assert!(d < 50.0, "{addr}: {d} m from expected, {:?}", loc.source);
        };
        // Points from data/reference/geolonia-japanese-addresses/api/ja/山口県/下松市.json.
        check("山口県下松市大字下谷179", GeoPrecision::Town, (34.089304, 131.872165));
        check("下松市下谷179", GeoPrecision::Town, (34.089304, 131.872165));
        let (loc, _) = r.geocode(None, "柳井市中央１丁目８番８号").unwrap();
        assert_eq!(loc.precision, GeoPrecision::Town, "{:?}", loc.source);
        assert!(loc.source.unwrap().contains("中央一丁目"));
        let (loc, m) = r.geocode(None, "山口県阿武町奈古").unwrap();
        assert_eq!(m.code, "355020");
        assert_eq!(loc.precision, GeoPrecision::Town, "{:?}", loc.source);
        let (loc, _) = r.geocode(None, "山口県下松市どこにもない町1").unwrap();
        assert_eq!(loc.precision, GeoPrecision::Municipality);
        assert!(r.geocode(None, "どこか1-2").is_none());
    }
}
