//! What we know about a dataset beyond its bytes: title, publisher,
//! licence, attribution and the date it is true as of. The bundled data is
//! described in `data/catalog.json` (found by SHA-256, so renamed copies
//! are still recognised); for other files the date comes from the file
//! name when it says one (「令和6年4月1日時点」, `_20250601`).

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct CatalogEntry {
    pub path: String,
    pub sha256: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub licence: Option<String>,
    pub attribution: Option<String>,
    pub url: Option<String>,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Catalog {
    pub datasets: Vec<CatalogEntry>,
}

impl Catalog {
    pub fn load(path: &Path) -> Result<Catalog, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn by_sha256(&self, sha: &str) -> Option<&CatalogEntry> {
        self.datasets.iter().find(|d| d.sha256 == sha)
    }
}

/// The as-of date a file name states, if any.
pub fn date_from_file_name(name: &str) -> Option<NaiveDate> {
    let n = tsunagi_domain::normalize::nfkc(name);
    let numbers = |s: &str| -> Vec<u32> {
        s.split(|c: char| !c.is_ascii_digit()).filter(|p| !p.is_empty()).filter_map(|p| p.parse().ok()).collect()
    };
    for (era, base) in [("令和", 2018), ("平成", 1988)] {
        if let Some(pos) = n.find(era) {
            let rest = &n[pos + era.len()..].replacen('元', "1", 1);
            let v = numbers(rest);
            if let [y, m, d, ..] = v[..] {
                return NaiveDate::from_ymd_opt(base + y as i32, m, d);
            }
            if let [y, m] = v[..] {
                return NaiveDate::from_ymd_opt(base + y as i32, m, 1);
            }
        }
    }
    for part in n.split(|c: char| !c.is_ascii_digit() && c != '-') {
        let digits: String = part.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 8
            && let (Ok(y), Ok(m), Ok(d)) = (digits[..4].parse(), digits[4..6].parse(), digits[6..].parse())
            && (2000..2100).contains(&y)
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return Some(date);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_file_names() {
        let d = |s: &str| date_from_file_name(s).map(|d| d.to_string());
        assert_eq!(d("医療機関一覧(令和6年4月1日時点) .csv").as_deref(), Some("2024-04-01"));
        assert_eq!(d("【美祢市】医療機関一覧（令和3年10月1日時点）.csv").as_deref(), Some("2021-10-01"));
        assert_eq!(d("01-1_hospital_facility_info_20250601.csv").as_deref(), Some("2025-06-01"));
        assert_eq!(d("2024-02-01_list.csv").as_deref(), Some("2024-02-01"));
        assert_eq!(d("352071_care_service.csv"), None);
    }

    #[test]
    fn bundled_catalog_matches_bundled_files() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let c = Catalog::load(&data.join("catalog.json")).unwrap();
        assert!(c.datasets.len() >= 20);
        for e in &c.datasets {
            let bytes =
                std::fs::read(data.join(&e.path)).unwrap_or_else(|_| panic!("{} is listed but missing", e.path));
            assert_eq!(super::super::sha256_hex(&bytes), e.sha256, "{}", e.path);
            assert!(e.licence.is_some() && e.attribution.is_some(), "{} lacks licence/attribution", e.path);
        }
    }
}
