//! Municipal outlines for the maps: served as GeoJSON to the browser (so a
//! map without tiles still shows where things are) and drawn as SVG on
//! printed pages (no tiles on paper).

use std::path::PathBuf;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Outline {
    pub code: Option<String>,
    pub name: String,
    /// Polygons as rings of (lng, lat).
    pub rings: Vec<Vec<(f64, f64)>>,
}

#[derive(Debug, Clone, Default)]
pub struct Boundaries {
    pub outlines: Vec<Outline>,
    collection: String,
}

fn rings_of(g: &Value) -> Vec<Vec<(f64, f64)>> {
    let ring = |r: &Value| -> Vec<(f64, f64)> {
        r.as_array().into_iter().flatten().filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect()
    };
    match g.get("type").and_then(Value::as_str) {
        Some("Polygon") => g["coordinates"].as_array().into_iter().flatten().take(1).map(ring).collect(),
        Some("MultiPolygon") => {
            g["coordinates"].as_array().into_iter().flatten().filter_map(|p| p.as_array()?.first().map(ring)).collect()
        }
        _ => Vec::new(),
    }
}

impl Boundaries {
    pub fn load(files: &[PathBuf]) -> std::io::Result<Boundaries> {
        let mut outlines: Vec<Outline> = Vec::new();
        for f in files {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(f)?)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", f.display())))?;
            for feature in v["features"].as_array().into_iter().flatten() {
                let p = &feature["properties"];
                let s = |k: &str| p.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
                let Some(base) = s("N03_004").or_else(|| s("name")) else { continue };
                let name = match s("N03_003").filter(|c| c.ends_with('市') && base.ends_with('区')) {
                    Some(city) => format!("{city}{base}"),
                    None => base,
                };
                let code =
                    s("N03_007").or_else(|| s("code")).and_then(|c| tsunagi_domain::codes::municipality_code(&c));
                let rings = rings_of(&feature["geometry"]);
                match outlines.iter_mut().find(|o| o.name == name && o.code == code) {
                    Some(o) => o.rings.extend(rings),
                    None => outlines.push(Outline { code, name, rings }),
                }
            }
        }
        let features: Vec<Value> = outlines
            .iter()
            .map(|o| {
                let coords: Vec<Value> = o
                    .rings
                    .iter()
                    .map(|r| {
                        // Five decimals (about 1 m) keep the file small.
                        let pts: Vec<Value> =
                            r.iter().map(|(x, y)| serde_json::json!([round(*x), round(*y)])).collect();
                        serde_json::json!([pts])
                    })
                    .collect();
                serde_json::json!({
                    "type": "Feature",
                    "properties": {"code": o.code, "name": o.name},
                    "geometry": {"type": "MultiPolygon", "coordinates": coords},
                })
            })
            .collect();
        let collection = serde_json::json!({"type": "FeatureCollection", "features": features}).to_string();
        Ok(Boundaries { outlines, collection })
    }

    pub fn feature_collection(&self) -> String {
        self.collection.clone()
    }

    pub fn by_code(&self, code: &str) -> Option<&Outline> {
        self.outlines.iter().find(|o| o.code.as_deref() == Some(code))
    }
}

fn round(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

/// An SVG drawing of outlines and points, fitted to `width`×`height`.
#[derive(Debug, Clone)]
pub struct SvgMap {
    pub width: f64,
    pub height: f64,
    /// `d` attributes of the outline paths.
    pub paths: Vec<String>,
    /// Projected points (x, y) with a category id.
    pub points: Vec<(f64, f64, &'static str)>,
}

/// Equirectangular projection scaled by cos(latitude): right for a town.
pub fn svg_map(outlines: &[&Outline], points: &[(f64, f64, &'static str)], width: f64) -> Option<SvgMap> {
    let mut xs: Vec<f64> = outlines.iter().flat_map(|o| o.rings.iter().flatten().map(|p| p.0)).collect();
    let mut ys: Vec<f64> = outlines.iter().flat_map(|o| o.rings.iter().flatten().map(|p| p.1)).collect();
    xs.extend(points.iter().map(|p| p.1));
    ys.extend(points.iter().map(|p| p.0));
    let (minx, maxx) = xs.iter().fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
    let (miny, maxy) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(*y), b.max(*y)));
    if !(minx < maxx && miny < maxy) {
        return None;
    }
    let k = ((miny + maxy) / 2.0).to_radians().cos();
    let (w, h) = ((maxx - minx) * k, maxy - miny);
    let scale = width / w;
    let height = (h * scale).min(width * 1.4);
    let scale = scale.min(height / h);
    let pr = |lng: f64, lat: f64| ((lng - minx) * k * scale, (maxy - lat) * scale);
    let paths = outlines
        .iter()
        .flat_map(|o| o.rings.iter())
        .map(|r| {
            let mut d = String::new();
            for (i, (x, y)) in r.iter().enumerate() {
                let (px, py) = pr(*x, *y);
                d.push_str(&format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" }));
            }
            d.push('Z');
            d
        })
        .collect();
    let points = points.iter().map(|(lat, lng, c)| {
        let (x, y) = pr(*lng, *lat);
        (x, y, *c)
    });
    Some(SvgMap { width, height, paths, points: points.collect() })
}
