//! Map clusters: matches grouped into cells of about 60 screen pixels at a
//! zoom (Web Mercator). The plain map (no text, no filters) is what every
//! visitor sees first and at every pan, so its cells up to [`MAX_ZOOM`] are
//! computed once per searcher and then only looked up: the whole country is
//! a few hundred cells, not a walk over every facility.

use std::collections::HashMap;

use tsunagi_domain::{BBox, Category, GeoPoint, SearchQuery};

use crate::side::Side;

/// Zooms up to this one are precomputed for the plain map; above it a view
/// holds few enough facilities to group on demand.
pub const MAX_ZOOM: u32 = 10;

/// A group of nearby results on the map, or one facility.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Cluster {
    pub lat: f64,
    pub lng: f64,
    pub count: usize,
    /// The facility, when the cluster is a single one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The most common primary category in the cluster.
    pub category: &'static str,
}

pub type Key = (i64, i64);

#[derive(Debug, Clone)]
pub struct Acc {
    lat: f64,
    lng: f64,
    count: usize,
    id: i64,
    cats: [u32; 64],
}

impl Acc {
    fn new(id: i64) -> Acc {
        Acc { lat: 0.0, lng: 0.0, count: 0, id, cats: [0; 64] }
    }

    pub fn add(&mut self, p: GeoPoint, categories: u64) {
        self.lat += p.lat;
        self.lng += p.lng;
        self.count += 1;
        if categories != 0 {
            self.cats[categories.trailing_zeros() as usize] += 1;
        }
    }

    pub fn cluster(&self) -> Cluster {
        let best = (0..64).max_by_key(|&b| (self.cats[b], std::cmp::Reverse(b))).unwrap_or(0);
        Cluster {
            lat: self.lat / self.count as f64,
            lng: self.lng / self.count as f64,
            count: self.count,
            id: (self.count == 1).then_some(self.id),
            category: Category::ALL.get(best).map_or("", |c| c.id()),
        }
    }
}

/// The cell of a point at `zoom`.
pub fn cell(p: GeoPoint, zoom: u32) -> Key {
    let scale = 256.0 * f64::from(1u32 << zoom.min(22)) / 60.0;
    let x = (p.lng + 180.0) / 360.0;
    let s = p.lat.to_radians().sin().clamp(-0.9999, 0.9999);
    let y = 0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI);
    ((x * scale) as i64, (y * scale) as i64)
}

/// Groups `entries` (indexes into the side table) into cells.
pub fn group(side: &Side, entries: impl Iterator<Item = u32>, zoom: u32) -> HashMap<Key, Acc> {
    let mut cells: HashMap<Key, Acc> = HashMap::new();
    for (n, i) in entries.enumerate() {
        let e = &side.entries[i as usize];
        let Some(p) = e.point else { continue };
        // From zoom 16 every facility is its own marker, even when several
        // share one published point.
        let key = if zoom >= 16 { (n as i64, -1) } else { cell(p, zoom) };
        cells.entry(key).or_insert_with(|| Acc::new(e.id as i64)).add(p, side.categories[i as usize]);
    }
    cells
}

/// Largest first, then north to south: a stable order for the same data.
pub fn sorted(mut out: Vec<Cluster>) -> Vec<Cluster> {
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.lat.total_cmp(&b.lat)).then(a.lng.total_cmp(&b.lng)));
    out
}

/// Whether `q` is the plain map: every public facility, nothing but a box.
pub fn is_plain(q: &SearchQuery) -> bool {
    // Destructured so that a new kind of filter cannot be forgotten here.
    let SearchQuery {
        text,
        categories,
        services,
        municipalities,
        care_areas,
        capabilities,
        home_visits,
        vacancy,
        open_at,
        near,
        radius_m,
        bbox: _,
        visits,
        sort: _,
        include_professional,
        offset: _,
        limit: _,
        facets: _,
    } = q;
    text.as_deref().is_none_or(|t| t.trim().is_empty())
        && categories.is_empty()
        && services.is_empty()
        && municipalities.is_empty()
        && care_areas.is_empty()
        && capabilities.is_empty()
        && !home_visits
        && !vacancy
        && open_at.is_none()
        && near.is_none()
        && radius_m.is_none()
        && visits.is_none()
        && !include_professional
}

/// The plain map's cells at zooms 0..=MAX_ZOOM.
#[derive(Debug, Default)]
pub struct Grid {
    levels: Vec<HashMap<Key, Acc>>,
}

impl Grid {
    /// `public` are the entries of the plain map.
    pub fn build(side: &Side, public: &[u32]) -> Grid {
        Grid { levels: (0..=MAX_ZOOM).map(|z| group(side, public.iter().copied(), z)).collect() }
    }

    /// The cells at `zoom` that overlap `b`.
    pub fn clusters(&self, b: &BBox, zoom: u32) -> Option<Vec<Cluster>> {
        let level = self.levels.get(zoom as usize)?;
        let (x0, y0) = cell(GeoPoint::new(b.north, b.west), zoom);
        let (x1, y1) = cell(GeoPoint::new(b.south, b.east), zoom);
        let inside = |&(x, y): &Key| (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
        Some(sorted(level.iter().filter(|(k, _)| inside(k)).map(|(_, a)| a.cluster()).collect()))
    }
}
