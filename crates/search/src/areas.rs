//! Boundaries: which municipality or 日常生活圏域 a point lies in
//! (point-in-polygon with `geo`), read from GeoJSON such as the 国土数値情報
//! 行政区域 files in `data/boundaries/`.

use geo::{BoundingRect, Contains, Coord, LineString, MultiPolygon, Point, Polygon, Rect};
use geojson::{GeoJson, GeometryValue};
use tsunagi_domain::GeoPoint;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Municipality,
    CareArea,
}

#[derive(Debug, Clone)]
pub struct Area {
    pub kind: AreaKind,
    /// 全国地方公共団体コード for municipalities.
    pub code: Option<String>,
    pub name: String,
    pub shape: MultiPolygon<f64>,
    bbox: Option<Rect<f64>>,
}

#[derive(Debug, Clone, Default)]
pub struct Areas {
    areas: Vec<Area>,
    /// Municipality code → its name's reading (「やないし」), so that a place
    /// typed in kana finds the facilities there.
    readings: std::collections::HashMap<String, String>,
}

fn ring(r: &[geojson::Position]) -> LineString<f64> {
    LineString::from(r.iter().map(|p| Coord { x: p[0], y: p[1] }).collect::<Vec<_>>())
}

fn polygon(rings: &[Vec<geojson::Position>]) -> Option<Polygon<f64>> {
    let (outer, inner) = rings.split_first()?;
    Some(Polygon::new(ring(outer), inner.iter().map(|r| ring(r)).collect()))
}

/// A GeoJSON geometry as a MultiPolygon, if it is an area.
pub fn shape(g: &GeometryValue) -> Option<MultiPolygon<f64>> {
    match g {
        GeometryValue::Polygon { coordinates } => Some(MultiPolygon(vec![polygon(coordinates)?])),
        GeometryValue::MultiPolygon { coordinates } => {
            Some(MultiPolygon(coordinates.iter().filter_map(|p| polygon(p)).collect()))
        }
        _ => None,
    }
}

impl Areas {
    /// Reads a FeatureCollection of polygons. Municipal files (N03) name
    /// the code `N03_007` and the name `N03_004`; other files give
    /// `code`/`name` (or 圏域名/名称).
    pub fn add_geojson(&mut self, text: &str, kind: AreaKind) -> Result<usize, String> {
        let gj: GeoJson = text.parse().map_err(|e: geojson::Error| e.to_string())?;
        let GeoJson::FeatureCollection(fc) = gj else {
            return Err("expected a FeatureCollection".into());
        };
        let mut n = 0;
        for f in fc.features {
            let Some(shape) = f.geometry.as_ref().and_then(|g| shape(&g.value)) else { continue };
            let prop = |keys: &[&str]| -> Option<String> {
                let p = f.properties.as_ref()?;
                keys.iter().find_map(|k| match p.get(*k)? {
                    serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
                    serde_json::Value::Number(x) => Some(x.to_string()),
                    _ => None,
                })
            };
            let code = prop(&["N03_007", "code", "全国地方公共団体コード"])
                .and_then(|c| tsunagi_domain::codes::municipality_code(&c));
            let name = match kind {
                AreaKind::Municipality => {
                    let county = prop(&["N03_003"]).filter(|c| c.ends_with('市'));
                    let base = prop(&["N03_004", "name", "名称"]).unwrap_or_default();
                    // 政令市の区: 「札幌市」「中央区」 → 札幌市中央区.
                    match county {
                        Some(c) if base.ends_with('区') => format!("{c}{base}"),
                        _ => base,
                    }
                }
                AreaKind::CareArea => prop(&["圏域名", "name", "名称", "care_area"]).unwrap_or_default(),
            };
            if name.is_empty() {
                continue;
            }
            let bbox = shape.bounding_rect();
            // N03 splits a municipality into one feature per island: join them.
            if let Some(a) = self.areas.iter_mut().find(|a| a.kind == kind && a.name == name && a.code == code) {
                a.shape.0.extend(shape.0);
                a.bbox = a.shape.bounding_rect();
            } else {
                self.areas.push(Area { kind, code, name, shape, bbox });
                n += 1;
            }
        }
        Ok(n)
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// The area of this kind containing `p`.
    pub fn locate(&self, p: GeoPoint, kind: AreaKind) -> Option<&Area> {
        let pt = Point::new(p.lng, p.lat);
        self.areas.iter().filter(|a| a.kind == kind).find(|a| {
            a.bbox.is_some_and(|b| b.min().x <= p.lng && p.lng <= b.max().x && b.min().y <= p.lat && p.lat <= b.max().y)
                && a.shape.contains(&pt)
        })
    }

    pub fn add_reading(&mut self, code: &str, reading: &str) {
        self.readings.insert(code.to_string(), reading.to_string());
    }

    /// The reading of the municipality with this code, if known.
    pub fn reading(&self, code: &str) -> Option<&str> {
        self.readings.get(code).map(String::as_str)
    }

    pub fn by_code(&self, code: &str) -> Option<&Area> {
        self.areas.iter().find(|a| a.code.as_deref() == Some(code))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Area> {
        self.areas.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yamaguchi_municipalities() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data/boundaries/smartnews-japan-topography/s0010/N03-21_35_210101.json");
        let mut a = Areas::default();
        a.add_geojson(&std::fs::read_to_string(path).unwrap(), AreaKind::Municipality).unwrap();
        assert_eq!(a.len(), 19);
        // 下松市役所 and 周南市役所.
        let k = a.locate(GeoPoint::new(34.0151, 131.8703), AreaKind::Municipality).unwrap();
        assert_eq!((k.name.as_str(), k.code.as_deref()), ("下松市", Some("352071")));
        assert_eq!(a.locate(GeoPoint::new(34.0552, 131.8062), AreaKind::Municipality).unwrap().name, "周南市");
        assert!(a.locate(GeoPoint::new(35.68, 139.76), AreaKind::Municipality).is_none());
    }
}
